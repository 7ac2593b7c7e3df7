"""The service's wire models: request bodies (`kit.schemas.Command`) and responses (`kit.schemas.View`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from billing.plans import Plan
from kit.schemas import Command, View


class StartCheckout(Command):
    plan_type: Literal["plus", "pro"]
    # Where Stripe sends the customer back; on the web app's origin only (defaults: its billing page).
    success_url: str | None = Field(default=None, min_length=1, max_length=2048)
    cancel_url: str | None = Field(default=None, min_length=1, max_length=2048)


class Reserve(Command):
    # The id of the thing about to be created (an invitation, a template): the same key is counted once.
    key: str = Field(min_length=1, max_length=64)


class Limits(View):
    interviews_per_month: int
    max_templates: int
    max_team_members: int

    @classmethod
    def of(cls, plan: Plan) -> Limits:
        return cls(
            interviews_per_month=plan.interviews_per_month,
            max_templates=plan.max_templates,
            max_team_members=plan.max_team_members,
        )


class PlanView(View):
    type: str
    name: str
    price_monthly: int
    currency: str
    limits: Limits
    features: list[str]
    # False for Free, and for every plan while payments are disabled.
    purchasable: bool


class SubscriptionView(View):
    id: str
    company_id: str
    plan_type: str
    plan_name: str
    status: str
    limits: Limits
    features: list[str]
    stripe_customer_id: str | None
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    trial_end: datetime | None
    created_at: datetime
    payments_enabled: bool
    past_due_since: datetime | None


class CheckoutView(View):
    session_id: str
    checkout_url: str


class PortalView(View):
    portal_url: str | None
    message: str | None = None


class Message(View):
    message: str


class UsageCounts(View):
    interviews_used: int
    interviews_limit: int
    templates_used: int
    templates_limit: int
    team_members_used: int
    team_members_limit: int
    analysis_tokens_used: int
    storage_used_mb: float


class UsageView(View):
    period: str
    plan_type: str
    usage: UsageCounts
    limits: Limits


class InvoiceView(View):
    id: str
    number: str | None
    status: str | None
    amount_due: int
    amount_paid: int
    currency: str
    period_start: datetime
    period_end: datetime
    hosted_invoice_url: str | None
    pdf_url: str | None
    created_at: datetime

    @staticmethod
    def at(epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, UTC)


class AccountUsage(View):
    interviews_used: int
    templates_used: int
    team_members_used: int
    analysis_tokens_used: int
    storage_used_mb: float


class AccountView(View):
    company_id: str
    account_name: str | None
    billing_email: str | None
    plan_type: str
    status: str
    cancel_at_period_end: bool
    current_period_end: datetime
    usage: AccountUsage
    limits: Limits


class QuotaView(View):
    allowed: bool
    # -1 when the plan is unlimited.
    remaining: int
    limit: int
    used: int
    current_plan: str
    resource: str
    period: str


class WebhookReceived(View):
    received: bool = True

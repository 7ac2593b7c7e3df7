"""Events the billing service publishes on `billing-events` (key = subscription id).

Every event names the billed account (`companyId`: the HR's primary company, else the HR user's own id), the
plan the account is on after the event (`planType`), and whom to tell: `billingUserId` (in-app) and
`billingEmail` (e-mail), both null while billing knows no contact for the account.
Amounts are in the currency's smallest unit (cents); `currency` is Stripe's lower-case ISO code."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

TOPIC = "billing-events"

PlanType = Literal["free", "plus", "pro"]
QuotaResource = Literal["interviews", "templates", "teamMembers"]


class BillingEvent(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    TOPIC: ClassVar[str] = TOPIC

    company_id: str
    plan_type: PlanType
    billing_email: str | None = None
    billing_user_id: str | None = None


class SubscriptionCreated(BillingEvent):
    """An account got its first subscription row (always Free)."""

    TYPE: ClassVar[str] = "subscription.created"

    subscription_id: str


class SubscriptionUpgraded(BillingEvent):
    """A paid plan took effect (checkout completed, or a higher plan chosen in the portal)."""

    TYPE: ClassVar[str] = "subscription.upgraded"

    subscription_id: str
    previous_plan: PlanType
    new_plan: PlanType
    stripe_subscription_id: str | None
    amount: int
    currency: str


class SubscriptionDowngraded(BillingEvent):
    """A lower plan took effect: the period ended after a cancellation, the payment grace ran out, or the
    customer chose a lower plan in the portal."""

    TYPE: ClassVar[str] = "subscription.downgraded"

    subscription_id: str
    previous_plan: PlanType
    new_plan: PlanType
    reason: Literal["canceled", "payment_failed", "portal"]


class SubscriptionCanceled(BillingEvent):
    """The customer asked to cancel; the plan stays until `currentPeriodEnd` when `cancelAtPeriodEnd`."""

    TYPE: ClassVar[str] = "subscription.canceled"

    subscription_id: str
    cancel_at_period_end: bool
    current_period_end: datetime


class SubscriptionPastDue(BillingEvent):
    """A renewal payment failed; the account falls back to Free at `graceUntil` unless it is paid."""

    TYPE: ClassVar[str] = "subscription.past_due"

    subscription_id: str
    grace_until: datetime
    amount_due: int
    currency: str
    hosted_invoice_url: str | None = None


class SubscriptionRenewed(BillingEvent):
    """An invoice was paid: the period is renewed and the subscription is active."""

    TYPE: ClassVar[str] = "subscription.renewed"

    subscription_id: str
    current_period_start: datetime
    current_period_end: datetime
    amount_paid: int
    currency: str


class QuotaExceeded(BillingEvent):
    """A reservation was refused for lack of quota; emitted once per account, resource and period."""

    TYPE: ClassVar[str] = "quota.exceeded"

    resource: QuotaResource
    limit: int
    used: int
    # `YYYY-MM` (UTC) of the refusal: the counting month for interviews; templates and team members are
    # current counts, the month only bounds how often the event repeats.
    period: str

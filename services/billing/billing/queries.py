"""Read functions returning views; they never change state (first touch of an account is a command)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from billing.commands import COUNTED, SUBSCRIPTION, QuotaState, count_used
from billing.domain import Subscription, SubscriptionStatus, UsageItem, period_of
from billing.payments import Payments
from billing.plans import PLANS, Metered, Plan, PlanType, Resource
from billing.schemas import (
    AccountUsage,
    AccountView,
    InvoiceView,
    Limits,
    PlanView,
    SubscriptionView,
    UsageCounts,
    UsageView,
)
from kit.db import Query
from kit.schemas import Paginated, paginate

MIB = 1024 * 1024


def plans(*, payments_enabled: bool) -> list[PlanView]:
    return [
        PlanView(
            type=plan.type.value,
            name=plan.name,
            price_monthly=plan.price_monthly,
            currency="usd",
            limits=Limits.of(plan),
            features=list(plan.features),
            purchasable=payments_enabled and plan.type != PlanType.FREE,
        )
        for plan in PLANS.values()
    ]


class SubscriptionRow(NamedTuple):
    """What `subscription_view` reads of a subscription, as the settled read gets it (no aggregate loaded)."""

    id: uuid.UUID
    company_id: str
    plan_type: PlanType
    status: SubscriptionStatus
    stripe_customer_id: str | None
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    trial_end: datetime | None
    created_at: datetime
    past_due_since: datetime | None
    billing_user_id: str | None

    @property
    def plan(self) -> Plan:
        return PLANS[self.plan_type]


# Every screen of an HR user asks for it: columns on the driver connection, not the aggregate.
SUBSCRIPTION_OF_ACCOUNT = Query(
    select(*(getattr(Subscription, name) for name in SubscriptionRow._fields)).where(
        Subscription.company_id == bindparam("account")
    ),
    SubscriptionRow,
)


async def settled_subscription(session: AsyncSession, account_id: str) -> SubscriptionRow | None:
    """The account's subscription when reading it is enough: it exists and has its billing contact. Otherwise
    the first touch records what is missing (`commands.touch`)."""
    subscription = await SUBSCRIPTION_OF_ACCOUNT.one(session, account=account_id)
    return subscription if subscription is not None and subscription.billing_user_id is not None else None


def subscription_view(subscription: Subscription | SubscriptionRow, *, payments_enabled: bool) -> SubscriptionView:
    plan = subscription.plan
    return SubscriptionView(
        id=str(subscription.id),
        company_id=subscription.company_id,
        plan_type=plan.type.value,
        plan_name=plan.name,
        status=subscription.status.value,
        limits=Limits.of(plan),
        features=list(plan.features),
        stripe_customer_id=subscription.stripe_customer_id,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        canceled_at=subscription.canceled_at,
        trial_end=subscription.trial_end,
        created_at=subscription.created_at,
        payments_enabled=payments_enabled,
        past_due_since=subscription.past_due_since,
    )


async def find(session: AsyncSession, account_id: str) -> Subscription | None:
    found: Subscription | None = await session.scalar(SUBSCRIPTION, {"account_id": account_id})
    return found


async def quota(session: AsyncSession, subscription: Subscription, resource: Resource, *, now: datetime) -> QuotaState:
    period = period_of(now)
    used = await count_used(session, subscription.company_id, resource, period)
    return QuotaState(subscription.plan_type, resource, subscription.plan.limit(resource), used, period)


def _sums(period: str) -> list[object]:
    """Per account: interviews this period, templates, team members, tokens this period, stored bytes."""
    counted = UsageItem.status.in_(COUNTED)

    def total(metered: Metered, *, monthly: bool, amount: bool = False) -> object:
        condition = (UsageItem.resource == metered) & counted
        if monthly:
            condition = condition & (UsageItem.period == period)
        return func.coalesce(func.sum(case((condition, UsageItem.amount if amount else 1), else_=0)), 0)

    return [
        total(Metered.INTERVIEWS, monthly=True),
        total(Metered.TEMPLATES, monthly=False),
        total(Metered.TEAM_MEMBERS, monthly=False),
        total(Metered.ANALYSIS_TOKENS, monthly=True, amount=True),
        total(Metered.STORAGE, monthly=False, amount=True),
    ]


async def _usage_of(session: AsyncSession, account_ids: list[str], period: str) -> dict[str, tuple[int, ...]]:
    if not account_ids:
        return {}
    rows = await session.execute(
        select(UsageItem.company_id, *_sums(period))
        .where(UsageItem.company_id.in_(account_ids))
        .group_by(UsageItem.company_id)
    )
    return {row[0]: tuple(int(v) for v in row[1:]) for row in rows}


async def usage(session: AsyncSession, subscription: Subscription, *, period: str) -> UsageView:
    interviews, templates, members, tokens, stored = (await _usage_of(session, [subscription.company_id], period)).get(
        subscription.company_id, (0, 0, 0, 0, 0)
    )
    plan = subscription.plan
    return UsageView(
        period=period,
        plan_type=plan.type.value,
        usage=UsageCounts(
            interviews_used=interviews,
            interviews_limit=plan.interviews_per_month,
            templates_used=templates,
            templates_limit=plan.max_templates,
            team_members_used=members,
            team_members_limit=plan.max_team_members,
            analysis_tokens_used=tokens,
            storage_used_mb=round(stored / MIB, 2),
        ),
        limits=Limits.of(plan),
    )


async def invoices(subscription: Subscription, *, payments: Payments, limit: int) -> list[InvoiceView]:
    if subscription.stripe_customer_id is None:
        return []
    return [
        InvoiceView(
            id=i.id,
            number=i.number,
            status=i.status,
            amount_due=i.amount_due,
            amount_paid=i.amount_paid,
            currency=i.currency,
            period_start=InvoiceView.at(i.period_start),
            period_end=InvoiceView.at(i.period_end),
            hosted_invoice_url=i.hosted_invoice_url,
            pdf_url=i.pdf_url,
            created_at=InvoiceView.at(i.created),
        )
        for i in await payments.invoices(customer_id=subscription.stripe_customer_id, limit=limit)
    ]


async def accounts(session: AsyncSession, *, page: int, limit: int, now: datetime) -> Paginated[AccountView]:
    """Every billed account with its plan and this month's usage, oldest first (admins)."""
    rows, total = await paginate(
        session, select(Subscription).order_by(Subscription.created_at, Subscription.id), page=page, limit=limit
    )
    subscriptions: list[Subscription] = [row[0] for row in rows]
    sums = await _usage_of(session, [s.company_id for s in subscriptions], period_of(now))
    items = []
    for s in subscriptions:
        interviews, templates, members, tokens, stored = sums.get(s.company_id, (0, 0, 0, 0, 0))
        items.append(
            AccountView(
                company_id=s.company_id,
                account_name=s.account_name,
                billing_email=s.billing_email,
                plan_type=s.plan_type.value,
                status=s.status.value,
                cancel_at_period_end=s.cancel_at_period_end,
                current_period_end=s.current_period_end,
                usage=AccountUsage(
                    interviews_used=interviews,
                    templates_used=templates,
                    team_members_used=members,
                    analysis_tokens_used=tokens,
                    storage_used_mb=round(stored / MIB, 2),
                ),
                limits=Limits.of(s.plan),
            )
        )
    return Paginated.of(items, total=total, page=page, limit=limit)

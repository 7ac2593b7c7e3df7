"""Write handlers for Stripe's verified webhook events. Each handled event is stored in `payment_events`
(unique Stripe event id) in the same transaction as its effect, so a redelivery changes nothing; subscription
state is applied only when newer than the last applied (Stripe's `created`), so arrival order does not matter.
Unhandled types are acknowledged and ignored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.cache import QuotaCache
from billing.commands import touch
from billing.domain import DowngradeReason, PaymentEvent, Subscription, SubscriptionStatus
from billing.payments import Payments
from billing.plans import CURRENCY, PlanType

log = structlog.get_logger("billing.stripe_events")

Obj = dict[str, Any]

# Stripe's subscription statuses as ours; None leaves ours as it is (incomplete: not paid for yet).
STATUSES: dict[str, SubscriptionStatus | None] = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAST_DUE,
    "incomplete": None,
}
ENDED = {"canceled", "incomplete_expired"}
ACCOUNT_ID_MAX = 64


@dataclass(frozen=True)
class Context:
    payments: Payments
    grace: timedelta
    now: datetime
    created: datetime


def _at(epoch: Any) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if isinstance(epoch, int | float) else None


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    # Stripe expands some references into objects; an id is wanted either way.
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _account(value: Any) -> str | None:
    # A signed event still carries whatever the checkout's creator put in it: an account id longer than any we
    # issue names no account (and would not fit the column), so the event is acknowledged and ignored.
    account = _str(value)
    return account if account is not None and len(account) <= ACCOUNT_ID_MAX else None


def _first_item(obj: Obj) -> Obj:
    items = _dict(obj.get("items")).get("data") or _dict(obj.get("lines")).get("data") or [{}]
    return _dict(items[0])


async def _find(
    session: AsyncSession,
    *,
    account_id: str | None,
    stripe_subscription_id: str | None,
    customer_id: str | None,
    now: datetime,
) -> Subscription | None:
    if account_id:
        return await touch(session, account_id, now=now, lock=True)
    for column, value in (
        (Subscription.stripe_subscription_id, stripe_subscription_id),
        (Subscription.stripe_customer_id, customer_id),
    ):
        if value:
            found = await session.scalar(select(Subscription).where(column == value).with_for_update().limit(1))
            if found is not None:
                return found
    return None


async def checkout_completed(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    metadata = _dict(obj.get("metadata"))
    account_id = _account(metadata.get("companyId")) or _account(obj.get("client_reference_id"))
    plan_name = metadata.get("planType")
    if account_id is None or plan_name not in (PlanType.PLUS, PlanType.PRO):
        log.warning("stripe.checkout_without_account", session=obj.get("id"))
        return None
    subscription = await touch(session, account_id, now=ctx.now, lock=True)
    if subscription.stripe_state_at is not None and ctx.created < subscription.stripe_state_at:
        # A later subscription event already stated the plan; the checkout adds only the customer.
        subscription.stripe_customer_id = subscription.stripe_customer_id or _str(obj.get("customer"))
        return subscription
    subscription.checkout_completed(
        PlanType(plan_name),
        customer_id=_str(obj.get("customer")),
        stripe_subscription_id=_str(obj.get("subscription")),
        amount=int(obj.get("amount_total") or 0),
        currency=str(obj.get("currency") or CURRENCY),
        now=ctx.now,
    )
    return subscription


async def subscription_changed(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    stripe_id = _str(obj.get("id"))
    subscription = await _find(
        session,
        account_id=_account(_dict(obj.get("metadata")).get("companyId")),
        stripe_subscription_id=stripe_id,
        customer_id=_str(obj.get("customer")),
        now=ctx.now,
    )
    if subscription is None or stripe_id is None:
        log.warning("stripe.subscription_of_unknown_account", subscription=stripe_id)
        return None
    status = str(obj.get("status") or "")
    if status in ENDED:
        return await _ended(subscription, stripe_id, ctx)
    item = _first_item(obj)
    price = _dict(item.get("price"))
    plan = ctx.payments.plan_of_price(_str(price.get("id")))
    our_status = STATUSES.get(status)
    # API versions before 2025-03 state the period on the subscription, later ones on its items.
    start = _at(obj.get("current_period_start")) or _at(item.get("current_period_start"))
    end = _at(obj.get("current_period_end")) or _at(item.get("current_period_end"))
    applied = subscription.stripe_state(
        state_at=ctx.created,
        plan=plan if our_status is not None else None,
        status=our_status,
        stripe_subscription_id=stripe_id,
        customer_id=_str(obj.get("customer")),
        period_start=start,
        period_end=end,
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        canceled_at=_at(obj.get("canceled_at")),
        trial_end=_at(obj.get("trial_end")),
        amount=int(price.get("unit_amount") or 0),
        currency=str(price.get("currency") or CURRENCY),
        now=ctx.now,
    )
    if not applied:
        log.info("stripe.stale_subscription_state_ignored", subscription=stripe_id)
    return subscription


async def _ended(subscription: Subscription, stripe_id: str, ctx: Context) -> Subscription:
    stale = subscription.stripe_state_at is not None and ctx.created < subscription.stripe_state_at
    # An account that has moved on to another Stripe subscription keeps it.
    other = subscription.stripe_subscription_id not in (None, stripe_id)
    if not stale and not other:
        subscription.stripe_state_at = ctx.created
        subscription.fall_back_to_free(DowngradeReason.CANCELED, now=ctx.now)
    return subscription


async def subscription_deleted(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    stripe_id = _str(obj.get("id"))
    subscription = await _find(
        session,
        account_id=_account(_dict(obj.get("metadata")).get("companyId")),
        stripe_subscription_id=stripe_id,
        customer_id=_str(obj.get("customer")),
        now=ctx.now,
    )
    if subscription is None or stripe_id is None:
        return None
    return await _ended(subscription, stripe_id, ctx)


def _invoice_subscription(obj: Obj) -> tuple[str | None, str | None]:
    """The subscription id and account of an invoice (top level before API 2025-03, under `parent` after)."""
    details = _dict(_dict(obj.get("parent")).get("subscription_details")) or _dict(obj.get("subscription_details"))
    stripe_id = _str(obj.get("subscription")) or _str(details.get("subscription"))
    return stripe_id, _account(_dict(details.get("metadata")).get("companyId"))


async def _invoice_account(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    stripe_id, account_id = _invoice_subscription(obj)
    subscription = await _find(
        session,
        account_id=account_id,
        stripe_subscription_id=stripe_id,
        customer_id=_str(obj.get("customer")),
        now=ctx.now,
    )
    if subscription is None:
        log.warning("stripe.invoice_of_unknown_account", invoice=obj.get("id"))
    return subscription


async def invoice_paid(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    subscription = await _invoice_account(session, obj, ctx)
    if subscription is None or subscription.plan_type == PlanType.FREE:
        return subscription
    line_period = _dict(_first_item(obj).get("period"))
    start = _at(line_period.get("start")) or _at(obj.get("period_start")) or ctx.now
    end = _at(line_period.get("end")) or _at(obj.get("period_end")) or start + timedelta(days=30)
    subscription.invoice_paid(
        period_start=start,
        period_end=end,
        amount_paid=int(obj.get("amount_paid") or 0),
        currency=str(obj.get("currency") or CURRENCY),
        # The first invoice pays for the upgrade, which was announced already.
        announce=obj.get("billing_reason") != "subscription_create",
        now=ctx.now,
    )
    return subscription


async def invoice_payment_failed(session: AsyncSession, obj: Obj, ctx: Context) -> Subscription | None:
    subscription = await _invoice_account(session, obj, ctx)
    if subscription is not None:
        subscription.payment_failed(
            grace=ctx.grace,
            amount_due=int(obj.get("amount_due") or 0),
            currency=str(obj.get("currency") or CURRENCY),
            hosted_invoice_url=_str(obj.get("hosted_invoice_url")),
            now=ctx.now,
        )
    return subscription


Handler = Callable[[AsyncSession, Obj, Context], Awaitable[Subscription | None]]
HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": checkout_completed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_deleted,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
}


async def apply(
    session: AsyncSession, event: Obj, *, payments: Payments, grace: timedelta, cache: QuotaCache, now: datetime
) -> bool:
    """Apply a verified Stripe event once; False when it is ignored or was applied before."""
    handler = HANDLERS.get(str(event.get("type")))
    if handler is None:
        return False
    created = _at(event.get("created")) or now
    recorded = await session.scalar(
        insert(PaymentEvent)
        .values(
            stripe_event_id=event["id"],
            event_type=event["type"],
            stripe_created=created,
            data=event,
            processed_at=now,
        )
        .on_conflict_do_nothing(index_elements=[PaymentEvent.stripe_event_id])
        .returning(PaymentEvent.id)
    )
    if recorded is None:
        log.info("stripe.duplicate_event", event_id=event["id"])
        return False
    obj = _dict(_dict(event.get("data")).get("object"))
    subscription = await handler(session, obj, Context(payments, grace, now, created))
    if subscription is not None:
        await session.flush()
        payment_event = await session.get(PaymentEvent, recorded)
        if payment_event is not None:
            payment_event.subscription_id = subscription.id
        cache.invalidate_after_commit(session, subscription.company_id)
    return True

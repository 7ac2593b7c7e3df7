"""HTTP routes: each declares the roles it needs, opens the transaction, calls one handler and answers with a
view built after COMMIT (and after the quota cache forgot what the change made stale)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from billing import commands, queries, stripe_events
from billing.cache import QuotaCache
from billing.commands import QuotaState
from billing.domain import period_of
from billing.metrics import STRIPE_WEBHOOKS
from billing.payments import InvalidSignature, Payments
from billing.plans import Resource
from billing.schemas import (
    AccountView,
    CheckoutView,
    InvoiceView,
    Message,
    PlanView,
    PortalView,
    QuotaView,
    Reserve,
    StartCheckout,
    SubscriptionView,
    UsageView,
    WebhookReceived,
)
from billing.settings import Settings
from kit.auth import InternalCaller, Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import PageNumber, PageSize, Paginated

router = APIRouter(prefix="/api/billing", tags=["billing"])

# Stripe's events are small, but an invoice with many lines can pass the kit's default 1 MiB; the kit's body limit
# refuses a larger one (413) while it arrives, before anything is parsed. The gateway allows the same on this route.
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024


async def current_time(request: Request) -> datetime:
    # The app's clock: utcnow in production, moved by tests.
    return request.app.state.clock()  # type: ignore[no-any-return]


async def current_payments(request: Request) -> Payments:
    return request.app.state.payments  # type: ignore[no-any-return]


async def current_cache(request: Request) -> QuotaCache:
    return request.app.state.quota_cache  # type: ignore[no-any-return]


async def current_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


Now = Annotated[datetime, Depends(current_time)]
Stripe = Annotated[Payments, Depends(current_payments)]
Cache = Annotated[QuotaCache, Depends(current_cache)]
Config = Annotated[Settings, Depends(current_settings)]
# The billed account is the caller's (`Principal.account_id`); candidates and pending users see no billing.
HrCaller = Annotated[Principal, require_roles("hr", "admin")]
AdminCaller = Annotated[Principal, require_roles("admin")]
AccountId = Annotated[str, Path(min_length=1, max_length=64)]
Period = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (UTC)")]


@router.get("/plans")
async def list_plans(payments: Stripe) -> list[PlanView]:
    """The plans with their limits, prices and features (public)."""
    return queries.plans(payments_enabled=payments.enabled)


@router.get("/subscription")
async def get_subscription(caller: HrCaller, read: ReadSession, request: Request) -> SubscriptionView:
    """The caller's account's subscription (Free on first touch)."""
    # The payments, sessions and clock are the app's, read from its state here rather than as three more
    # dependencies (~25 µs each for FastAPI to solve), which the settled read, nearly every call, never needs.
    state = request.app.state
    payments: Payments = state.payments
    # Almost every call finds it settled: one SELECT then, not a write transaction that changes nothing.
    settled = await queries.settled_subscription(read, caller.account_id)
    if settled is not None:
        return queries.subscription_view(settled, payments_enabled=payments.enabled)
    await read.close()  # its connection goes back before the write takes one (and a test's savepoint ends)
    async with transaction(state.sessions) as session:
        subscription = await commands.touch(
            session, caller.account_id, now=state.clock(), contact_user_id=caller.user_id
        )
    return queries.subscription_view(subscription, payments_enabled=payments.enabled)


@router.post("/checkout", status_code=201)
async def checkout(
    cmd: StartCheckout, caller: HrCaller, db: Sessions, payments: Stripe, settings: Config, now: Now
) -> CheckoutView:
    """A Stripe Checkout session upgrading the account to a higher plan."""
    async with transaction(db) as session:
        started = await commands.start_checkout(
            session, cmd, caller=caller, payments=payments, settings=settings, now=now
        )
    return CheckoutView(session_id=started.session_id, checkout_url=started.checkout_url)


@router.post("/portal", status_code=201, response_model_exclude_unset=True)
async def portal(caller: HrCaller, db: Sessions, payments: Stripe, settings: Config, now: Now) -> PortalView:
    """A Stripe Billing Portal session (plan changes, payment method, invoices)."""
    async with transaction(db) as session:
        url = await commands.open_portal(session, caller=caller, payments=payments, settings=settings, now=now)
    if url is None:
        return PortalView(portal_url=None, message="No Stripe customer found. Upgrade first.")
    return PortalView(portal_url=url)


@router.post("/cancel", status_code=201)
async def cancel(caller: HrCaller, db: Sessions, payments: Stripe, now: Now) -> Message:
    """Cancel the paid plan at the end of the current period."""
    async with transaction(db) as session:
        await commands.cancel(session, caller=caller, payments=payments, now=now)
    return Message(message="Subscription will be canceled at the end of the current period")


@router.post("/resume", status_code=201)
async def resume(caller: HrCaller, db: Sessions, payments: Stripe, now: Now) -> Message:
    """Keep a subscription that was set to cancel."""
    async with transaction(db) as session:
        await commands.resume(session, caller=caller, payments=payments, now=now)
    return Message(message="Subscription resumed")


@router.get("/usage")
async def get_usage(caller: HrCaller, db: Sessions, now: Now, period: Period = None) -> UsageView:
    """The account's usage in a month (default: the current UTC month) against its plan's limits."""
    async with transaction(db) as session:
        subscription = await commands.touch(session, caller.account_id, now=now, contact_user_id=caller.user_id)
        return await queries.usage(session, subscription, period=period or period_of(now))


@router.get("/invoices")
async def list_invoices(
    caller: HrCaller, db: Sessions, payments: Stripe, now: Now, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[InvoiceView]:
    """The account's Stripe invoices, newest first (none without a Stripe customer)."""
    async with transaction(db) as session:
        subscription = await commands.touch(session, caller.account_id, now=now, contact_user_id=caller.user_id)
    return await queries.invoices(subscription, payments=payments, limit=limit)


@router.get("/admin/accounts")
async def list_accounts(
    _: AdminCaller, session: ReadSession, now: Now, page: PageNumber = 1, limit: PageSize = 20
) -> Paginated[AccountView]:
    """Every billed account with plan, status and this month's usage (admins)."""
    return await queries.accounts(session, page=page, limit=limit, now=now)


@router.post("/webhooks/stripe")
async def stripe_webhook(
    request: Request, db: Sessions, payments: Stripe, cache: Cache, settings: Config, now: Now
) -> WebhookReceived:
    """Stripe's events, verified on the raw bytes with the Stripe-Signature header (public)."""
    try:
        event = payments.verify(await request.body(), request.headers.get("stripe-signature"))
        async with transaction(db) as session:
            await stripe_events.apply(
                session,
                event,
                payments=payments,
                grace=timedelta(days=settings.past_due_grace_days),
                cache=cache,
                now=now,
            )
    except InvalidSignature:
        STRIPE_WEBHOOKS.labels("rejected").inc()
        raise
    except Exception:
        STRIPE_WEBHOOKS.labels("failed").inc()
        raise
    STRIPE_WEBHOOKS.labels("processed").inc()
    await cache.drain()
    return WebhookReceived()


# -- internal: the quota on the invitation and template hot paths -------------------------------------------

internal = APIRouter(prefix="/internal/quota/{account_id}/{resource}", tags=["internal"])


def quota_view(state: QuotaState) -> QuotaView:
    return QuotaView(
        allowed=state.allowed,
        remaining=state.remaining,
        limit=state.limit,
        used=state.used,
        current_plan=state.plan.value,
        resource=state.resource.value,
        period=state.period,
    )


@internal.get("", response_model=QuotaView)
async def check_quota(
    account_id: AccountId, resource: Resource, _: InternalCaller, db: Sessions, cache: Cache, now: Now
) -> Response | QuotaView:
    """Whether the account may create one more of `resource` (internal token; cached)."""
    period = period_of(now)
    cached, generation = await cache.get(account_id, resource)
    if cached is not None and json.loads(cached).get("period") == period:
        return Response(cached, media_type="application/json")
    async with db() as session:
        subscription = await queries.find(session, account_id)
        state = await queries.quota(session, subscription, resource, now=now) if subscription else None
    if state is None:
        async with transaction(db) as session:
            subscription = await commands.touch(session, account_id, now=now)
            state = await queries.quota(session, subscription, resource, now=now)
    view = quota_view(state)
    await cache.put(account_id, resource, view.model_dump_json(by_alias=True).encode(), generation=generation)
    return view


@internal.post("/reservations", status_code=201, responses={200: {"model": QuotaView}})
async def reserve(
    account_id: AccountId,
    resource: Resource,
    cmd: Reserve,
    _: InternalCaller,
    response: Response,
    db: Sessions,
    cache: Cache,
    now: Now,
) -> QuotaView:
    """Take one unit for `key` (201), or answer the same key's reservation again (200); 402 over quota."""
    async with transaction(db) as session:
        state, created = await commands.reserve(session, account_id, resource, cmd.key, cache=cache, now=now)
    await cache.drain()
    if not created:
        response.status_code = 200
    return quota_view(state)


@internal.delete("/reservations/{key}", status_code=204)
async def release(
    account_id: AccountId,
    resource: Resource,
    key: Annotated[str, Path(min_length=1, max_length=64)],
    _: InternalCaller,
    db: Sessions,
    cache: Cache,
    now: Now,
) -> None:
    """Drop a reservation its caller will not use (idempotent)."""
    async with transaction(db) as session:
        await commands.release(session, account_id, resource, key, cache=cache, now=now)
    await cache.drain()


router.include_router(internal)

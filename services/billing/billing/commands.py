"""Write handlers, called by the api, the consumers and the worker inside their transaction: first touch of
an account, checkout and portal, cancel and resume, quota reservations, usage metering from events, Stripe's
webhook events, and the scheduled fall-backs to Free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.cache import QuotaCache
from billing.domain import (
    DEFAULT_PERIOD,
    Contact,
    DowngradeReason,
    QuotaNotice,
    ReservationKeyTaken,
    ReturnUrlNotAllowed,
    Subscription,
    SubscriptionStatus,
    UsageItem,
    UsageStatus,
    period_of,
)
from billing.payments import DISABLED_MESSAGE, CheckoutSession, Payments, PaymentsDisabled
from billing.plans import UNLIMITED, Metered, PlanType, Resource
from billing.schemas import StartCheckout
from billing.settings import Settings
from kit.auth import Principal

# The limited resources as metered; analysis tokens and storage are measured, never refused.
LIMITED = {
    Resource.INTERVIEWS: Metered.INTERVIEWS,
    Resource.TEMPLATES: Metered.TEMPLATES,
    Resource.TEAM_MEMBERS: Metered.TEAM_MEMBERS,
}
COUNTED = (UsageStatus.RESERVED, UsageStatus.CONFIRMED)

# The statements of every reservation and most of an account's calls, built once with bind parameters: built per
# call, each one's construction and cache key cost 0.1-0.2 ms of CPU on top of its execution.
SUBSCRIPTION = select(Subscription).where(Subscription.company_id == bindparam("account_id"))
LOCKED_SUBSCRIPTION = SUBSCRIPTION.with_for_update()
# A row read already, read again under its lock with its current values (what `session.refresh(subscription,
# with_for_update=True)` sent, its SQL the same): the adoption of a contact and a reservation re-read it so.
RELOCKED_SUBSCRIPTION = (
    select(Subscription)
    .where(Subscription.id == bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
USAGE_ITEM = select(UsageItem).where(UsageItem.resource == bindparam("resource"), UsageItem.key == bindparam("key"))
_COUNTED_NOW = select(func.count()).where(
    UsageItem.company_id == bindparam("account_id"),
    UsageItem.resource == bindparam("resource"),
    UsageItem.status.in_(COUNTED),
)
_COUNTED_IN_PERIOD = _COUNTED_NOW.where(UsageItem.period == bindparam("period"))


# -- accounts ---------------------------------------------------------------------------------------------


async def touch(
    session: AsyncSession,
    account_id: str,
    *,
    now: datetime,
    contact_user_id: str | None = None,
    lock: bool = False,
) -> Subscription:
    """The account's subscription, created on the Free plan the first time anything names the account (so
    accounts older than billing need no backfill). `lock` holds the row until COMMIT: the account's writes
    (reservations, Stripe events, jobs) then run one at a time."""
    created = await session.scalar(
        insert(Subscription)
        .values(
            id=uuid.uuid4(),
            company_id=account_id,
            plan_type=PlanType.FREE,
            status=SubscriptionStatus.ACTIVE,
            current_period_start=now,
            current_period_end=now + DEFAULT_PERIOD,
            cancel_at_period_end=False,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Subscription.company_id])
        .returning(Subscription.id)
    )
    ids = {"account_id": account_id}
    subscription = (await session.scalars(LOCKED_SUBSCRIPTION if lock else SUBSCRIPTION, ids)).one()
    if contact_user_id is not None and subscription.billing_user_id is None and not lock and created is None:
        # Another request may be adopting its contact too (the billing page asks for the plan and the invoices at
        # once): read the row again under its lock, so the later one finds it adopted instead of failing on a stale
        # version with a 409. A row inserted just now needs no second read: nobody else sees it before COMMIT, and
        # another request inserting the same account waits for this one's and then reads the row adopted.
        subscription = (await session.scalars(RELOCKED_SUBSCRIPTION, {"id": subscription.id})).one()
    if contact_user_id is not None and subscription.billing_user_id is None:
        contact = await session.get(Contact, contact_user_id)
        subscription.adopt_contact(contact_user_id, contact.email if contact else None)
        subscription.updated_at = now
    if created is not None:
        subscription.announce_created()
    return subscription


# -- the customer's routes --------------------------------------------------------------------------------


def _return_url(value: str | None, default: str, *, field: str, web_url: str) -> str:
    if value is None:
        return default
    allowed, given = urlsplit(web_url), urlsplit(value)
    if (given.scheme, given.netloc) != (allowed.scheme, allowed.netloc):
        raise ReturnUrlNotAllowed(
            "Request validation failed",
            details=[
                {
                    "field": field,
                    "location": "body",
                    "message": f"must be an address on {allowed.scheme}://{allowed.netloc}",
                    "type": "value_error",
                }
            ],
        )
    return value


async def start_checkout(
    session: AsyncSession,
    cmd: StartCheckout,
    *,
    caller: Principal,
    payments: Payments,
    settings: Settings,
    now: datetime,
) -> CheckoutSession:
    if not payments.enabled:
        raise PaymentsDisabled(DISABLED_MESSAGE)
    subscription = await touch(session, caller.account_id, now=now, contact_user_id=caller.user_id)
    plan = PlanType(cmd.plan_type)
    subscription.ensure_upgrade(plan)
    base = settings.web_url.rstrip("/")
    success = _return_url(cmd.success_url, f"{base}/profile/billing?success=true", field="successUrl", web_url=base)
    cancel = _return_url(cmd.cancel_url, f"{base}/profile/billing?canceled=true", field="cancelUrl", web_url=base)
    return await payments.checkout(
        account_id=caller.account_id,
        plan=plan,
        customer_id=subscription.stripe_customer_id,
        customer_email=subscription.billing_email,
        success_url=success,
        cancel_url=cancel,
    )


async def open_portal(
    session: AsyncSession, *, caller: Principal, payments: Payments, settings: Settings, now: datetime
) -> str | None:
    if not payments.enabled:
        raise PaymentsDisabled(DISABLED_MESSAGE)
    subscription = await touch(session, caller.account_id, now=now, contact_user_id=caller.user_id)
    if subscription.stripe_customer_id is None:
        return None
    return await payments.portal(
        customer_id=subscription.stripe_customer_id, return_url=f"{settings.web_url.rstrip('/')}/profile/billing"
    )


async def cancel(session: AsyncSession, *, caller: Principal, payments: Payments, now: datetime) -> None:
    """Cancel at period end, in Stripe too: a Stripe failure rolls the change back."""
    subscription = await touch(session, caller.account_id, now=now, contact_user_id=caller.user_id, lock=True)
    subscription.cancel(now=now)
    if subscription.stripe_subscription_id:
        await payments.set_cancel_at_period_end(subscription.stripe_subscription_id, True)


async def resume(session: AsyncSession, *, caller: Principal, payments: Payments, now: datetime) -> None:
    subscription = await touch(session, caller.account_id, now=now, contact_user_id=caller.user_id, lock=True)
    subscription.resume(now=now)
    if subscription.stripe_subscription_id:
        await payments.set_cancel_at_period_end(subscription.stripe_subscription_id, False)


# -- quotas -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaState:
    plan: PlanType
    resource: Resource
    limit: int
    used: int
    period: str

    @property
    def allowed(self) -> bool:
        return self.limit == UNLIMITED or self.used < self.limit

    @property
    def remaining(self) -> int:
        return UNLIMITED if self.limit == UNLIMITED else max(0, self.limit - self.used)


async def count_used(session: AsyncSession, account_id: str, resource: Resource, period: str) -> int:
    """Interviews count per UTC month; templates and team members are what exists now."""
    metered = LIMITED[resource]
    if resource == Resource.INTERVIEWS:
        query, params = _COUNTED_IN_PERIOD, {"account_id": account_id, "resource": metered, "period": period}
    else:
        query, params = _COUNTED_NOW, {"account_id": account_id, "resource": metered}
    return await session.scalar(query, params) or 0


def _period_of(resource: Resource | Metered, now: datetime) -> str | None:
    return period_of(now) if resource.value in (Metered.INTERVIEWS, Metered.ANALYSIS_TOKENS) else None


async def reserve(
    session: AsyncSession, account_id: str, resource: Resource, key: str, *, cache: QuotaCache, now: datetime
) -> tuple[QuotaState, bool]:
    """Take one unit of `resource` for `key` (the id of the thing about to be created), or refuse with 402.
    A limited plan counts under the account's row lock, so concurrent reservations count one after another and
    the last slot is taken once; an unlimited plan has nothing to count against, so its reservations take no
    lock and never queue behind each other (one HR inviting many candidates at once). The same key again is
    answered as it was, counted once, whichever of two concurrent requests for it wins. True when newly reserved."""
    subscription = await touch(session, account_id, now=now)
    if subscription.plan.limit(resource) != UNLIMITED:
        # Re-read under the lock: the count below must see every reservation committed before it.
        await session.scalar(RELOCKED_SUBSCRIPTION, {"id": subscription.id})
    limit = subscription.plan.limit(resource)
    period = period_of(now)
    metered = LIMITED[resource]
    item = await session.scalar(USAGE_ITEM, {"resource": metered, "key": key})
    if item is not None and item.company_id != account_id:
        raise ReservationKeyTaken("This reservation key belongs to another account")
    used = await count_used(session, account_id, resource, period)
    state = QuotaState(subscription.plan_type, resource, limit, used, period)
    # Counted already, or created and gone already: nothing (more) to hold for it.
    if item is not None and item.status in (*COUNTED, UsageStatus.REMOVED):
        return state, False
    if not state.allowed:
        noticed = await session.scalar(
            insert(QuotaNotice)
            .values(company_id=account_id, resource=resource, period=period, created_at=now)
            .on_conflict_do_nothing()
            .returning(QuotaNotice.company_id)
        )
        if noticed is not None:
            subscription.announce_quota_exceeded(resource, used=used, period=period)
        raise subscription.quota_refusal(resource, used=used, period=period)
    row = insert(UsageItem).values(
        company_id=account_id,
        resource=metered,
        key=key,
        period=_period_of(resource, now),
        amount=1,
        status=UsageStatus.RESERVED,
        created_at=now,
        updated_at=now,
    )
    # New, or released before and taken again; a concurrent request for the same key waits for this one at the
    # unique key and then takes nothing (below), so the key is counted once without any lock of ours.
    taken = await session.scalar(
        row.on_conflict_do_update(
            index_elements=[UsageItem.resource, UsageItem.key],
            set_={
                "status": UsageStatus.RESERVED.value,
                "period": row.excluded.period,
                "created_at": now,
                "updated_at": now,
            },
            where=(UsageItem.status == UsageStatus.RELEASED.value) & (UsageItem.company_id == account_id),
        ).returning(UsageItem.id)
    )
    if taken is None:
        holder = await session.scalar(
            select(UsageItem.company_id).where(UsageItem.resource == metered, UsageItem.key == key)
        )
        if holder != account_id:
            raise ReservationKeyTaken("This reservation key belongs to another account")
        return QuotaState(
            state.plan, resource, limit, await count_used(session, account_id, resource, period), period
        ), False
    cache.invalidate_after_commit(session, account_id, [resource])
    return QuotaState(state.plan, resource, limit, used + 1, period), True


async def release(
    session: AsyncSession, account_id: str, resource: Resource, key: str, *, cache: QuotaCache, now: datetime
) -> None:
    """Drop a reservation the caller will not use; a confirmed or unknown one is left as it is."""
    released = await session.scalar(
        update(UsageItem)
        .where(
            UsageItem.resource == LIMITED[resource],
            UsageItem.key == key,
            UsageItem.company_id == account_id,
            UsageItem.status == UsageStatus.RESERVED,
        )
        .values(status=UsageStatus.RELEASED, updated_at=now)
        .returning(UsageItem.id)
    )
    if released is not None:
        cache.invalidate_after_commit(session, account_id, [resource])


async def release_stale_reservations(
    session: AsyncSession, *, older_than: timedelta, cache: QuotaCache, now: datetime
) -> int:
    """Reservations never confirmed by their creation event: the caller's transaction failed after reserving."""
    rows = (
        await session.execute(
            update(UsageItem)
            .where(UsageItem.status == UsageStatus.RESERVED, UsageItem.created_at < now - older_than)
            .values(status=UsageStatus.RELEASED, updated_at=now)
            .returning(UsageItem.company_id, UsageItem.resource)
        )
    ).all()
    for account_id, metered in rows:
        cache.invalidate_after_commit(session, account_id, [Resource(metered.value)])
    return len(rows)


# -- usage from events ------------------------------------------------------------------------------------


def _limited(metered: Metered) -> list[Resource]:
    return [r for r, m in LIMITED.items() if m == metered]


async def count_item(
    session: AsyncSession,
    metered: Metered,
    key: str,
    *,
    account_id: str,
    amount: int = 1,
    period: str | None,
    cache: QuotaCache,
    now: datetime,
) -> None:
    """A created thing counts once, whatever number of deliveries: it confirms its reservation (or a
    released one, since the thing exists after all), and a removed thing stays removed."""
    await touch(session, account_id, now=now)
    await session.execute(
        insert(UsageItem)
        .values(
            company_id=account_id,
            resource=metered,
            key=key,
            period=period,
            amount=amount,
            status=UsageStatus.CONFIRMED,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[UsageItem.resource, UsageItem.key],
            set_={"status": UsageStatus.CONFIRMED.value, "updated_at": now},
            where=UsageItem.status.in_([UsageStatus.RESERVED.value, UsageStatus.RELEASED.value]),
        )
    )
    cache.invalidate_after_commit(session, account_id, _limited(metered))


async def remove_item(
    session: AsyncSession,
    metered: Metered,
    key: str,
    *,
    account_id: str | None,
    cache: QuotaCache,
    now: datetime,
) -> None:
    """The thing is gone. Known to the account, a removal that arrives first leaves a tombstone, so its
    creation event arriving later counts nothing."""
    removed = (
        await session.execute(
            update(UsageItem)
            .where(UsageItem.resource == metered, UsageItem.key == key)
            .values(status=UsageStatus.REMOVED, updated_at=now)
            .returning(UsageItem.company_id)
        )
    ).scalar_one_or_none()
    if removed is None and account_id is not None:
        await touch(session, account_id, now=now)
        await session.execute(
            insert(UsageItem)
            .values(
                company_id=account_id,
                resource=metered,
                key=key,
                period=None,
                amount=0,
                status=UsageStatus.REMOVED,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
    owner = removed or account_id
    if owner is not None:
        cache.invalidate_after_commit(session, owner, _limited(metered))


async def account_of_interview(session: AsyncSession, invitation_id: str) -> str | None:
    """The account an invitation is billed to, as its usage item recorded it."""
    account_id: str | None = await session.scalar(
        select(UsageItem.company_id).where(UsageItem.resource == Metered.INTERVIEWS, UsageItem.key == invitation_id)
    )
    return account_id


async def name_account(
    session: AsyncSession, account_id: str, name: str, *, creator: str | None, now: datetime
) -> None:
    subscription = await touch(session, account_id, now=now, contact_user_id=creator)
    subscription.account_name = name[:200]
    subscription.updated_at = now


async def project_contact(session: AsyncSession, user_id: str, *, email: str, name: str, now: datetime) -> None:
    """Keep a user's e-mail and name, and the billing e-mail of the accounts they are the contact of."""
    await session.execute(
        insert(Contact)
        .values(user_id=user_id, email=email, name=name[:200], updated_at=now)
        .on_conflict_do_update(
            index_elements=[Contact.user_id], set_={"email": email, "name": name[:200], "updated_at": now}
        )
    )
    accounts = (
        await session.scalars(select(Subscription).where(Subscription.billing_user_id == user_id).with_for_update())
    ).all()
    for subscription in accounts:
        if subscription.billing_email != email:
            subscription.billing_email = email
            subscription.updated_at = now


# -- scheduled fall-backs ---------------------------------------------------------------------------------


async def _due(session: AsyncSession, *conditions: object) -> list[Subscription]:
    query = select(Subscription).where(Subscription.plan_type != PlanType.FREE, *conditions)  # type: ignore[arg-type]
    return list((await session.scalars(query.with_for_update(skip_locked=True))).all())


async def end_canceled_periods(session: AsyncSession, *, cache: QuotaCache, now: datetime) -> int:
    """Subscriptions set to cancel whose period is over fall back to Free."""
    due = await _due(session, Subscription.cancel_at_period_end.is_(True), Subscription.current_period_end <= now)
    for subscription in due:
        subscription.fall_back_to_free(DowngradeReason.CANCELED, now=now)
        cache.invalidate_after_commit(session, subscription.company_id)
    return len(due)


async def end_payment_grace(session: AsyncSession, *, grace: timedelta, cache: QuotaCache, now: datetime) -> int:
    """Subscriptions past_due for longer than the grace period fall back to Free."""
    due = await _due(
        session, Subscription.status == SubscriptionStatus.PAST_DUE, Subscription.past_due_since <= now - grace
    )
    for subscription in due:
        subscription.fall_back_to_free(DowngradeReason.PAYMENT_FAILED, now=now)
        cache.invalidate_after_commit(session, subscription.company_id)
    return len(due)

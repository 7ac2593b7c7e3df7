"""The billing domain: the subscription aggregate (one per billed account) with its state machine, the usage
items that quotas count, the Stripe events already applied, the once-per-period quota notices, the contact
projection, and the domain errors.

The billed account (`company_id`) is `Principal.account_id`: the HR's primary company, else the HR user."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from billing.plans import PLANS, RESOURCE_WORDS, Metered, Plan, PlanType, Resource
from kit.contracts import billing as events
from kit.db import Base, stored_enum
from kit.domain import AggregateRoot
from kit.errors import Conflict, DomainError, Invalid

# A Free account's "period" is a rolling 30 days, like the reference's; a paid one follows Stripe's.
DEFAULT_PERIOD = timedelta(days=30)


def period_of(moment: datetime) -> str:
    """The UTC month (`YYYY-MM`) usage of `moment` counts in."""
    return f"{moment.year:04d}-{moment.month:02d}"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    TRIALING = "trialing"


class DowngradeReason(StrEnum):
    CANCELED = "canceled"
    PAYMENT_FAILED = "payment_failed"
    PORTAL = "portal"


class InvalidPlanTransition(Invalid):
    code = "INVALID_PLAN_TRANSITION"


class InvalidSubscriptionState(Invalid):
    code = "INVALID_SUBSCRIPTION_STATE"


class QuotaExceeded(DomainError):
    """402: no semantic parent fits a refusal a plan upgrade lifts. The refusal keeps its `quota.exceeded`
    notice (the event is sent once per account, resource and period)."""

    status, code = 402, "QUOTA_EXCEEDED"
    commits = True


class ReturnUrlNotAllowed(Invalid):
    """A checkout return URL off the web app's origin (an open redirect through Stripe)."""


class ReservationKeyTaken(Conflict):
    code = "RESERVATION_KEY_TAKEN"


class Subscription(Base, AggregateRoot):
    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    company_id: Mapped[str] = mapped_column(String(64), unique=True)
    plan_type: Mapped[PlanType] = mapped_column(stored_enum(PlanType, length=20))
    status: Mapped[SubscriptionStatus] = mapped_column(stored_enum(SubscriptionStatus, length=20), index=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    current_period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    current_period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trial_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    past_due_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Stripe's `created` of the last subscription-state event applied: an older one arriving later is stale.
    stripe_state_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whom billing tells (in-app) and where (e-mail): the company's creator or the first HR user to touch it.
    billing_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    billing_email: Mapped[str | None] = mapped_column(String(320))
    account_name: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}

    @property
    def plan(self) -> Plan:
        return PLANS[self.plan_type]

    def _audience(self) -> dict[str, Any]:
        return {
            "company_id": self.company_id,
            "plan_type": self.plan_type.value,
            "billing_email": self.billing_email,
            "billing_user_id": self.billing_user_id,
        }

    def announce_created(self) -> None:
        self.record(events.SubscriptionCreated(subscription_id=str(self.id), **self._audience()))

    def adopt_contact(self, user_id: str, email: str | None) -> None:
        """The first contact to reach the account becomes its billing contact; later ones change nothing."""
        if self.billing_user_id is None:
            self.billing_user_id = user_id
            self.billing_email = email

    # -- plan changes --------------------------------------------------------------------------------------

    def _change_plan(
        self, plan: PlanType, *, now: datetime, reason: DowngradeReason, amount: int, currency: str
    ) -> None:
        previous = self.plan_type
        if plan == previous:
            return
        self.plan_type = plan
        self.updated_at = now
        if PLANS[plan].rank > PLANS[previous].rank:
            self.record(
                events.SubscriptionUpgraded(
                    subscription_id=str(self.id),
                    previous_plan=previous.value,
                    new_plan=plan.value,
                    stripe_subscription_id=self.stripe_subscription_id,
                    amount=amount,
                    currency=currency,
                    **self._audience(),
                )
            )
        else:
            self.record(
                events.SubscriptionDowngraded(
                    subscription_id=str(self.id),
                    previous_plan=previous.value,
                    new_plan=plan.value,
                    reason=reason.value,
                    **self._audience(),
                )
            )

    def ensure_upgrade(self, plan: PlanType) -> None:
        if plan == PlanType.FREE or PLANS[plan].rank <= self.plan.rank:
            raise InvalidPlanTransition(
                f"You are on the {self.plan.name} plan; checkout only upgrades to a higher plan. "
                "Change to a lower plan in the billing portal."
            )

    def checkout_completed(
        self,
        plan: PlanType,
        *,
        customer_id: str | None,
        stripe_subscription_id: str | None,
        amount: int,
        currency: str,
        now: datetime,
    ) -> None:
        self.stripe_customer_id = customer_id or self.stripe_customer_id
        self.stripe_subscription_id = stripe_subscription_id or self.stripe_subscription_id
        if self.plan_type != plan:
            # Until Stripe's subscription events state the period, it starts now.
            self.current_period_start, self.current_period_end = now, now + DEFAULT_PERIOD
        self.status = SubscriptionStatus.ACTIVE
        self.cancel_at_period_end = False
        self.canceled_at = None
        self.past_due_since = None
        self._change_plan(plan, now=now, reason=DowngradeReason.PORTAL, amount=amount, currency=currency)
        self.updated_at = now

    def stripe_state(
        self,
        *,
        state_at: datetime,
        plan: PlanType | None,
        status: SubscriptionStatus | None,
        stripe_subscription_id: str,
        customer_id: str | None,
        period_start: datetime | None,
        period_end: datetime | None,
        cancel_at_period_end: bool,
        canceled_at: datetime | None,
        trial_end: datetime | None,
        amount: int,
        currency: str,
        now: datetime,
    ) -> bool:
        """Apply Stripe's subscription object as of `state_at`; an older state than the last applied is
        ignored (False), so events arriving out of order settle on Stripe's latest state."""
        if self.stripe_state_at is not None and state_at < self.stripe_state_at:
            return False
        self.stripe_state_at = state_at
        self.stripe_subscription_id = stripe_subscription_id
        self.stripe_customer_id = customer_id or self.stripe_customer_id
        if period_start is not None and period_end is not None:
            self.current_period_start, self.current_period_end = period_start, period_end
        self.trial_end = trial_end
        if status is not None:
            if status == SubscriptionStatus.PAST_DUE and self.status != SubscriptionStatus.PAST_DUE:
                self.past_due_since = now
            elif status != SubscriptionStatus.PAST_DUE:
                self.past_due_since = None
            self.status = status
        if cancel_at_period_end and not self.cancel_at_period_end:
            self._announce_cancel(now=canceled_at or now)
        elif not cancel_at_period_end:
            self.canceled_at = None
        self.cancel_at_period_end = cancel_at_period_end
        if plan is not None:
            self._change_plan(plan, now=now, reason=DowngradeReason.PORTAL, amount=amount, currency=currency)
        self.updated_at = now
        return True

    def fall_back_to_free(self, reason: DowngradeReason, *, now: datetime) -> None:
        """The paid plan ends now: canceled at period end, deleted in Stripe, or the payment grace ran out."""
        self.stripe_subscription_id = None
        self.status = SubscriptionStatus.ACTIVE
        self.cancel_at_period_end = False
        self.past_due_since = None
        if reason == DowngradeReason.CANCELED:
            self.canceled_at = self.canceled_at or now
        self.current_period_start, self.current_period_end = now, now + DEFAULT_PERIOD
        self._change_plan(PlanType.FREE, now=now, reason=reason, amount=0, currency="usd")
        self.updated_at = now

    # -- the customer's cancel and resume ------------------------------------------------------------------

    def _announce_cancel(self, *, now: datetime) -> None:
        self.canceled_at = now
        self.record(
            events.SubscriptionCanceled(
                subscription_id=str(self.id),
                cancel_at_period_end=True,
                current_period_end=self.current_period_end,
                **self._audience(),
            )
        )

    def cancel(self, *, now: datetime) -> None:
        if self.plan_type == PlanType.FREE:
            raise InvalidSubscriptionState("The Free plan has nothing to cancel")
        if self.cancel_at_period_end:
            raise InvalidSubscriptionState("The subscription is already set to end with the current period")
        self._announce_cancel(now=now)
        self.cancel_at_period_end = True
        self.updated_at = now

    def resume(self, *, now: datetime) -> None:
        if not self.cancel_at_period_end:
            raise InvalidSubscriptionState("The subscription is not set to be canceled")
        self.cancel_at_period_end = False
        self.canceled_at = None
        self.updated_at = now

    # -- payments ------------------------------------------------------------------------------------------

    def grace_until(self, grace: timedelta) -> datetime | None:
        return None if self.past_due_since is None else self.past_due_since + grace

    def payment_failed(
        self, *, grace: timedelta, amount_due: int, currency: str, hosted_invoice_url: str | None, now: datetime
    ) -> None:
        """The first failed payment of a due invoice makes the subscription past_due and starts the grace
        period; Stripe's retries failing again change nothing until it is paid or the grace runs out."""
        if self.plan_type == PlanType.FREE or self.status == SubscriptionStatus.PAST_DUE:
            return
        self.status = SubscriptionStatus.PAST_DUE
        self.past_due_since = now
        self.updated_at = now
        self.record(
            events.SubscriptionPastDue(
                subscription_id=str(self.id),
                grace_until=now + grace,
                amount_due=amount_due,
                currency=currency,
                hosted_invoice_url=hosted_invoice_url,
                **self._audience(),
            )
        )

    def invoice_paid(
        self,
        *,
        period_start: datetime,
        period_end: datetime,
        amount_paid: int,
        currency: str,
        announce: bool,
        now: datetime,
    ) -> None:
        """`announce` is false for the first invoice of a subscription: its upgrade already told the customer."""
        self.status = SubscriptionStatus.ACTIVE
        self.past_due_since = None
        self.current_period_start, self.current_period_end = period_start, period_end
        self.updated_at = now
        if announce:
            self.record(
                events.SubscriptionRenewed(
                    subscription_id=str(self.id),
                    current_period_start=period_start,
                    current_period_end=period_end,
                    amount_paid=amount_paid,
                    currency=currency,
                    **self._audience(),
                )
            )

    # -- quotas --------------------------------------------------------------------------------------------

    def quota_refusal(self, resource: Resource, *, used: int, period: str) -> QuotaExceeded:
        limit = self.plan.limit(resource)
        words, verb = RESOURCE_WORDS[resource]
        return QuotaExceeded(
            f"Your {self.plan.name} plan allows {limit} {words}; {used} are used. Upgrade to {verb}.",
            details={
                "resource": resource.value,
                "limit": limit,
                "used": used,
                "plan": self.plan_type.value,
                "period": period,
            },
        )

    def announce_quota_exceeded(self, resource: Resource, *, used: int, period: str) -> None:
        self.record(
            events.QuotaExceeded(
                resource=resource.value,
                limit=self.plan.limit(resource),
                used=used,
                period=period,
                **self._audience(),
            )
        )


class UsageStatus(StrEnum):
    # Held by an internal reservation until the creation event confirms it.
    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    # A reservation dropped without its thing being created (deleted by the caller, or expired): a late
    # creation event still confirms it.
    RELEASED = "released"
    # The thing is gone (invitation cancelled, template archived, recording deleted): nothing revives it.
    REMOVED = "removed"


class UsageItem(Base):
    """One counted thing, keyed by what it is (an invitation id, a template id, `companyId:userId`, an
    analysis id, a media id): any number of deliveries of its events leave one row."""

    __tablename__ = "usage_items"
    __table_args__ = (
        UniqueConstraint("resource", "key"),
        Index("ix_usage_items_account", "company_id", "resource", "period"),
        Index("ix_usage_items_reserved", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[str] = mapped_column(String(64))
    resource: Mapped[Metered] = mapped_column(stored_enum(Metered, length=32))
    key: Mapped[str] = mapped_column(String(160))
    # `YYYY-MM` for monthly resources (interviews, analysis tokens); null for current counts.
    period: Mapped[str | None] = mapped_column(String(7))
    amount: Mapped[int] = mapped_column(BigInteger, default=1)
    status: Mapped[UsageStatus] = mapped_column(stored_enum(UsageStatus, length=20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentEvent(Base):
    """A Stripe event applied: its unique id makes a redelivered webhook a no-op."""

    __tablename__ = "payment_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"))
    stripe_created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuotaNotice(Base):
    """The `quota.exceeded` already sent for an account, resource and month."""

    __tablename__ = "quota_notices"

    company_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[Resource] = mapped_column(stored_enum(Resource, length=32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    """The users service's users as billing needs them: whom to e-mail about an account."""

    __tablename__ = "billing_contacts"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

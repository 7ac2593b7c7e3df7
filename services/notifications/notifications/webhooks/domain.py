"""The webhook aggregates: a company's endpoint (URL, signing secret, subscribed event types) and the
deliveries of events to it, each retried on a schedule until it succeeds or the schedule is spent.

A delivery is `pending` until its first attempt, `failed` while a retry is scheduled (`next_attempt_at`),
`succeeded`, or `dead` once no attempt is left (schedule spent, endpoint disabled). An endpoint counts its
consecutive failed attempts; past the limit it is `disabled` with the reason, its queued deliveries die and
automatic deliveries stop. A manual test or redelivery still reaches a disabled endpoint, and a success
makes it active again: the receiver has shown it is back."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, get_args

from sqlalchemy import ARRAY, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base, stored_enum
from kit.errors import Invalid, NotFound

# The events an applicant-tracking system may subscribe to.
SubscribableEvent = Literal[
    "invitation.created",
    "invitation.started",
    "invitation.completed",
    "analysis.completed",
    "analysis.failed",
    "candidate.approved",
    "candidate.rejected",
]
SUBSCRIBABLE_EVENTS: tuple[str, ...] = get_args(SubscribableEvent)
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


class EndpointStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"


# Deliveries the sweep still owes an attempt once their `next_attempt_at` has come.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class WebhookNotFound(NotFound):
    code = "WEBHOOK_NOT_FOUND"


class DeliveryNotFound(NotFound):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"


class InvalidWebhookUrl(Invalid):
    code = "INVALID_WEBHOOK_URL"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The webhook URL is refused: {reason}", details=[{"field": "url", "message": reason}])


def new_secret() -> str:
    """A signing secret as receivers' verifier libraries read it: `whsec_` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    company_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    events: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    status: Mapped[EndpointStatus] = mapped_column(stored_enum(EndpointStatus, length=20))
    failure_count: Mapped[int] = mapped_column(Integer)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    last_delivery_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def create(
        cls, *, company_id: str, url: str, events: Sequence[str], created_by: str, now: datetime
    ) -> WebhookEndpoint:
        return cls(
            id=uuid.uuid4(),
            company_id=company_id,
            url=url,
            secret=new_secret(),
            events=list(dict.fromkeys(events)),
            status=EndpointStatus.ACTIVE,
            failure_count=0,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )

    @property
    def active(self) -> bool:
        return self.status == EndpointStatus.ACTIVE

    def rotate_secret(self, now: datetime) -> str:
        self.secret = new_secret()
        self.updated_at = now
        return self.secret

    def attempt_succeeded(self, now: datetime) -> None:
        self.failure_count = 0
        self.last_delivery_at = now
        self.status = EndpointStatus.ACTIVE
        self.disabled_reason = None
        self.updated_at = now

    def attempt_failed(self, now: datetime, *, disable_after: int) -> bool:
        """Count a failed attempt; True when this one disabled the endpoint."""
        self.failure_count += 1
        self.last_delivery_at = now
        self.updated_at = now
        if self.active and self.failure_count >= disable_after:
            self.status = EndpointStatus.DISABLED
            self.disabled_reason = f"Disabled after {self.failure_count} consecutive failed deliveries"
            return True
        return False


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # One automatic delivery per event and endpoint, however often the event arrives; manual
        # redeliveries are rows of their own.
        Index(
            "uq_webhook_deliveries_event",
            "endpoint_id",
            "event_id",
            unique=True,
            postgresql_where=text("redelivery_of IS NULL"),
        ),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(stored_enum(DeliveryStatus, length=20))
    attempt: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    redelivery_of: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @classmethod
    def create(
        cls,
        *,
        endpoint_id: uuid.UUID,
        event_id: str,
        event_type: str,
        payload: dict[str, Any],
        now: datetime,
        redelivery_of: uuid.UUID | None = None,
    ) -> WebhookDelivery:
        return cls(
            id=uuid.uuid4(),
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempt=0,
            next_attempt_at=now,
            redelivery_of=redelivery_of,
            created_at=now,
        )

    @property
    def message_id(self) -> str:
        """The `webhook-id` a receiver deduplicates on: one per event, the same on every retry and redelivery."""
        return f"msg_{self.event_id}"

    def redelivery(self, now: datetime) -> WebhookDelivery:
        return WebhookDelivery.create(
            endpoint_id=self.endpoint_id,
            event_id=self.event_id,
            event_type=self.event_type,
            payload=self.payload,
            now=now,
            redelivery_of=self.redelivery_of or self.id,
        )

    def is_due(self, now: datetime) -> bool:
        return self.status in OPEN_STATUSES and self.next_attempt_at is not None and self.next_attempt_at <= now

    def claim(self, now: datetime, *, lease: timedelta) -> None:
        """An attempt takes the delivery: it is not due again until the lease ends, so a second worker skips it
        and a worker that dies mid-attempt leaves it to the sweep after the lease."""
        self.attempt += 1
        self.next_attempt_at = now + lease

    def succeeded(self, now: datetime, *, response_code: int, duration_ms: int) -> None:
        self.status = DeliveryStatus.SUCCEEDED
        self.response_code = response_code
        self.duration_ms = duration_ms
        self.error = None
        self.delivered_at = now
        self.next_attempt_at = None

    def failed(
        self,
        now: datetime,
        *,
        error: str,
        response_code: int | None,
        duration_ms: int | None,
        retry_schedule: Sequence[float],
    ) -> None:
        """Schedule the next attempt after the schedule's delay for this attempt, or give up when none is left."""
        self.response_code = response_code
        self.duration_ms = duration_ms
        self.error = error[:2000]
        if self.attempt > len(retry_schedule):
            self.give_up(error)
            return
        self.status = DeliveryStatus.FAILED
        self.next_attempt_at = now + timedelta(seconds=retry_schedule[self.attempt - 1])

    def give_up(self, reason: str) -> None:
        self.status = DeliveryStatus.DEAD
        self.error = reason[:2000]
        self.next_attempt_at = None

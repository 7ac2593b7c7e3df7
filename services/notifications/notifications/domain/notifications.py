"""The notification aggregate: one message to one recipient on one channel, rendered from a template.

E-mail: pending → queued (a delivery job holds it) → sent, or back to pending with a later `next_attempt_at`
after a failed attempt, and failed once the attempts are spent. In-app: stored sent, read once `read_at` is
set. A notification that must not go out (a stale event, an invitation already finished) is stored skipped
with the reason, so a replay leaves a trace instead of an e-mail."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kit.contracts import notifications as events
from kit.db import Base, stored_enum
from kit.domain import AggregateRoot
from kit.errors import Invalid, NotFound


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    WEBHOOK = "webhook"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    SKIPPED = "skipped"


class Template(StrEnum):
    WELCOME = "welcome"
    INVITATION = "invitation"
    INVITATION_REMINDER = "invitation_reminder"
    INTERVIEW_STARTED = "interview_started"
    INTERVIEW_COMPLETED = "interview_completed"
    ANALYSIS_READY = "analysis_ready"
    ANALYSIS_FAILED = "analysis_failed"
    CANDIDATE_APPROVED = "candidate_approved"
    CANDIDATE_REJECTED = "candidate_rejected"
    PAYMENT_CONFIRMED = "payment_confirmed"
    PAYMENT_FAILED = "payment_failed"
    QUOTA_EXCEEDED = "quota_exceeded"
    WEEKLY_DIGEST = "weekly_digest"
    WEBHOOK_DISABLED = "webhook_disabled"
    INVITATION_EXTENDED = "invitation_extended"
    INVITATION_RESET = "invitation_reset"
    REVIEW_MENTIONED = "review_mentioned"
    ERASURE_REPORT = "erasure_report"


# Every template a user may switch off. Not among them: `welcome` (the account's own first message),
# `webhook_disabled` (the company's integration stopped; its owner must hear of it whatever they chose), and
# `invitation_extended`/`invitation_reset` (HR changed an interview the candidate already has: its deadline, or
# a fresh start after a failure; missing either could cost them the interview), and `review_mentioned` (a
# teammate asked for this person by name, in-app only), and `erasure_report` (the answer to a person's erasure
# request, sent once to an account that no longer exists).
SWITCHABLE: frozenset[str] = frozenset(t.value for t in Template) - {
    Template.WELCOME.value,
    Template.WEBHOOK_DISABLED.value,
    Template.INVITATION_EXTENDED.value,
    Template.INVITATION_RESET.value,
    Template.REVIEW_MENTIONED.value,
    Template.ERASURE_REPORT.value,
}

# Templates whose recipient asked us to forget them: the address is used to send and then not kept.
FORGET_ADDRESS = frozenset({Template.ERASURE_REPORT.value})

# Statuses of an e-mail the delivery sweep still owes an attempt.
DUE_STATUSES = (NotificationStatus.PENDING, NotificationStatus.QUEUED)


class NotificationNotFound(NotFound):
    code = "NOTIFICATION_NOT_FOUND"


class InvalidNotification(Invalid):
    code = "INVALID_NOTIFICATION"


class Notification(Base, AggregateRoot):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "template", "recipient_id", "channel", name="uq_notifications_event_id"),
        Index("ix_notifications_recipient", "recipient_id", "channel", "seq"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    recipient_id: Mapped[str] = mapped_column(String(64))
    recipient_email: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[Channel] = mapped_column(stored_enum(Channel, length=20))
    template: Mapped[str] = mapped_column(String(100))
    status: Mapped[NotificationStatus] = mapped_column(stored_enum(NotificationStatus, length=20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000))
    locale: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str | None] = mapped_column(String(100))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def create(
        cls,
        *,
        recipient_id: str,
        recipient_email: str | None,
        channel: Channel,
        template: Template,
        data: dict[str, Any],
        title: str,
        body: str,
        link: str | None,
        locale: str,
        event_id: str | None,
        event_type: str | None,
        now: datetime,
        skipped_because: str | None = None,
    ) -> Notification:
        if channel == Channel.EMAIL and not recipient_email and skipped_because is None:
            raise InvalidNotification("An e-mail notification needs the recipient's address")
        if skipped_because is not None:
            status, error = NotificationStatus.SKIPPED, skipped_because
        elif channel == Channel.IN_APP:
            status, error = NotificationStatus.SENT, None
        else:
            status, error = NotificationStatus.PENDING, None
        notification = cls(
            id=uuid.uuid4(),
            recipient_id=recipient_id,
            recipient_email=recipient_email,
            channel=channel,
            template=template.value,
            status=status,
            data=data,
            title=title[:300],
            body=body,
            link=link,
            locale=locale,
            event_id=event_id,
            event_type=event_type,
            sent_at=now if status == NotificationStatus.SENT else None,
            next_attempt_at=now if status == NotificationStatus.PENDING else None,
            error=error,
            retry_count=0,
            created_at=now,
            updated_at=now,
        )
        if status == NotificationStatus.SENT:
            notification.record(notification._event(events.NotificationSent))
        notification._forget_address_when_done()
        return notification

    def _forget_address_when_done(self) -> None:
        """Once nothing more will be sent, the address of someone who asked to be forgotten goes."""
        if self.template in FORGET_ADDRESS and self.status not in DUE_STATUSES:
            self.recipient_email = None

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.IN_APP and self.read_at is None

    def mark_read(self, now: datetime) -> None:
        if self.read_at is None:
            self.read_at = now
            self.updated_at = now

    def claim(self, now: datetime) -> bool:
        """A delivery attempt takes the e-mail; False when it is not due (sent, failed, or already taken). A
        `queued` e-mail belongs to the attempt that queued it, even after that claim committed: taking it again
        would send it twice (the job queued after COMMIT and another replica's sweep both reach it). A claim that
        never reported back is made `pending` again by the caller once it is stale."""
        if self.status != NotificationStatus.PENDING:
            return False
        self.status = NotificationStatus.QUEUED
        self.updated_at = now
        return True

    def delivered(self, now: datetime) -> None:
        self.status = NotificationStatus.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.error = None
        self.updated_at = now
        self.record(self._event(events.NotificationSent))
        self._forget_address_when_done()

    def attempt_failed(self, error: str, *, now: datetime, max_attempts: int, backoff_base: timedelta) -> None:
        """Back off exponentially until `max_attempts` attempts failed, then give up with the last reason."""
        self.retry_count += 1
        self.error = error[:2000]
        self.updated_at = now
        if self.retry_count >= max_attempts:
            self.status = NotificationStatus.FAILED
            self.next_attempt_at = None
            self.record(self._event(events.NotificationFailed))
            self._forget_address_when_done()
            return
        self.status = NotificationStatus.PENDING
        self.next_attempt_at = now + backoff_base * 2 ** (self.retry_count - 1)

    def _event(self, kind: type[events.NotificationOutcome]) -> events.NotificationOutcome:
        return kind(
            notification_id=str(self.id),
            recipient_id=self.recipient_id,
            channel=self.channel.value,
            template=self.template,
            status=self.status.value,
            error=self.error,
        )

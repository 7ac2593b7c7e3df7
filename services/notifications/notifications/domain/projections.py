"""Local projections of other services' data, fed by their events, so a trigger finds its recipient's
address, language and time zone (and an invitation's HR user and template) without calling anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base


class Recipient(Base):
    __tablename__ = "recipients"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    company_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def name(self) -> str | None:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or None


class InvitationStatus:
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    APPROVED = "approved"
    REJECTED = "rejected"


# An invitation in one of these states will not be taken any more: reminders and stale invitation mail stop.
FINISHED = frozenset(
    {
        InvitationStatus.COMPLETED,
        InvitationStatus.EXPIRED,
        InvitationStatus.CANCELLED,
        InvitationStatus.APPROVED,
        InvitationStatus.REJECTED,
    }
)


class InvitationView(Base):
    # Not `invitations`: the interviews service's table has that name in the kit's shared metadata.
    __tablename__ = "invitation_projections"
    __table_args__ = (Index("ix_invitation_projections_due", "status", "expires_at"),)

    invitation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    hr_user_id: Mapped[str] = mapped_column(String(64), index=True)
    template_id: Mapped[str | None] = mapped_column(String(64))
    template_title: Mapped[str | None] = mapped_column(String(200))
    company_id: Mapped[str | None] = mapped_column(String(64))
    company_name: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_24h_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_2h_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether reviewers rate blind to the AI (`invitation.completed`'s `aiBlind`); None until that event says, and
    # None counts as blind: an analysis announced before it is never shown with its score.
    ai_blind: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def ai_shown(self) -> bool:
        """Whether the AI's score and verdict may be told of: only once the interview is known not to be rated
        blind."""
        return self.ai_blind is False

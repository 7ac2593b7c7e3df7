"""A user's notification preferences: two channel switches and a map of per-template subscriptions, where an
absent key means subscribed. A user without a row has the defaults (everything on)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base
from kit.errors import Invalid
from notifications.domain.notifications import SWITCHABLE, Channel


class UnknownSubscription(Invalid):
    code = "UNKNOWN_SUBSCRIPTION"


class Preferences(Base):
    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    in_app_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    subscriptions: Mapped[dict[str, bool]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def defaults(cls, user_id: str, *, now: datetime) -> Preferences:
        return cls(user_id=user_id, email_enabled=True, in_app_enabled=True, subscriptions={}, updated_at=now)

    def change(
        self,
        *,
        email_enabled: bool | None,
        in_app_enabled: bool | None,
        subscriptions: dict[str, bool] | None,
        now: datetime,
    ) -> None:
        """Merge key-wise: a key not named keeps its value."""
        unknown = sorted(set(subscriptions or {}) - SWITCHABLE)
        if unknown:
            raise UnknownSubscription(
                f"Unknown subscription key(s): {', '.join(unknown)}",
                details=[
                    {"field": f"subscriptions.{key}", "message": "not a notification that can be switched"}
                    for key in unknown
                ],
            )
        if email_enabled is not None:
            self.email_enabled = email_enabled
        if in_app_enabled is not None:
            self.in_app_enabled = in_app_enabled
        if subscriptions:
            self.subscriptions = {**self.subscriptions, **subscriptions}
        self.updated_at = now

    def allows(self, channel: Channel, template: str) -> bool:
        if template not in SWITCHABLE:
            return True
        if channel == Channel.EMAIL and not self.email_enabled:
            return False
        if channel == Channel.IN_APP and not self.in_app_enabled:
            return False
        return self.subscriptions.get(template, True) is not False

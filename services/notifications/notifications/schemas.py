"""Every wire model of the service: request bodies (camelCase, unknown fields and NUL characters refused with
a 422 naming the field) and the views the routes answer with."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from kit.schemas import Command, View
from notifications.domain import Channel, Notification, NotificationStatus, Preferences


class NotificationView(View):
    """One notification as the list, the live stream and the Redis channel carry it."""

    id: uuid.UUID
    seq: int
    recipient_id: str
    recipient_email: str | None
    channel: Channel
    template: str
    status: NotificationStatus
    data: dict[str, Any]
    title: str
    body: str
    link: str | None
    read_at: datetime | None
    sent_at: datetime | None
    error: str | None
    retry_count: int
    created_at: datetime

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        return cls.model_validate(notification)


class UnreadCount(View):
    count: int


class Success(View):
    success: bool = True


class MarkedRead(View):
    success: bool = True
    count: int


class PreferencesView(View):
    user_id: str
    email_enabled: bool
    in_app_enabled: bool
    subscriptions: dict[str, bool]
    updated_at: datetime

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesView:
        return cls.model_validate(preferences)


class UpdatePreferences(Command):
    """Each field optional; `subscriptions` is merged key-wise into the stored map."""

    email_enabled: bool | None = None
    in_app_enabled: bool | None = None
    subscriptions: dict[str, bool] | None = None

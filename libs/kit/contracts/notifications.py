"""Events the notifications service publishes on `notification-events`: the outcome of each notification.

Payload fields are camelCase on the wire. `status` is the notification's status once the outcome is known
(`sent` or `failed`); `error` is the reason of the last failed attempt."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

TOPIC = "notification-events"


class NotificationOutcome(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    TOPIC: ClassVar[str] = TOPIC

    notification_id: str
    recipient_id: str
    channel: str
    template: str
    status: str
    error: str | None = None


class NotificationSent(NotificationOutcome):
    TYPE: ClassVar[str] = "notification.sent"


class NotificationFailed(NotificationOutcome):
    TYPE: ClassVar[str] = "notification.failed"

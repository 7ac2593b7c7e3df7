"""Wire models of the webhook routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from kit.schemas import Command, View
from notifications.webhooks.domain import (
    DeliveryStatus,
    EndpointStatus,
    SubscribableEvent,
    WebhookDelivery,
    WebhookEndpoint,
)


class CreateWebhook(Command):
    company_id: uuid.UUID
    url: str = Field(min_length=1, max_length=2000)
    events: list[SubscribableEvent] = Field(min_length=1, max_length=20)


class WebhookSecret(View):
    """An endpoint's signing secret: answered only when it is created or rotated."""

    id: uuid.UUID
    secret: str


class WebhookView(View):
    id: uuid.UUID
    company_id: str
    url: str
    events: list[str]
    status: EndpointStatus
    failure_count: int
    disabled_reason: str | None
    last_delivery_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookView:
        return cls.model_validate(endpoint)


class DeliveryView(View):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempt: int
    response_code: int | None
    duration_ms: int | None
    error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryView:
        return cls.model_validate(delivery)


class DeliveryQueued(View):
    delivery_id: uuid.UUID


class Deleted(View):
    success: bool = True
    message: str = "Webhook endpoint deleted"

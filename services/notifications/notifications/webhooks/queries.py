"""Read functions of the webhook routes and the worker's sweep; they never change state."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.schemas import Page, paginate
from notifications.webhooks import access
from notifications.webhooks.domain import OPEN_STATUSES, WebhookDelivery, WebhookEndpoint, WebhookNotFound
from notifications.webhooks.schemas import DeliveryView, WebhookView


async def company_endpoints(session: AsyncSession, company_id: str, *, caller: Principal) -> list[WebhookView]:
    """A company's endpoints, oldest first (secrets are never listed)."""
    access.check_company_manager(caller, company_id)
    endpoints = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.company_id == company_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return [WebhookView.of(e) for e in endpoints]


async def deliveries(
    session: AsyncSession, endpoint_id: uuid.UUID, *, caller: Principal, page: int, limit: int
) -> Page[DeliveryView]:
    """An endpoint's delivery log, newest first."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise WebhookNotFound("Webhook endpoint not found")
    access.check_endpoint_manager(caller, endpoint)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    )
    rows, total = await paginate(session, query, page=page, limit=limit)
    return Page.of([DeliveryView.of(row[0]) for row in rows], total=total, page=page, limit=limit)


async def due_deliveries(session: AsyncSession, *, now: datetime, limit: int) -> list[tuple[uuid.UUID, int]]:
    """Deliveries owed an attempt now (id and attempts so far), the longest waiting first."""
    rows = await session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempt)
        .where(WebhookDelivery.status.in_(OPEN_STATUSES), WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]

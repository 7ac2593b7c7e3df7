"""Webhook routes: a company's HR users (and admins) manage its endpoints and read their delivery logs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from kit.auth import Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.domain import utcnow
from kit.schemas import Page, PageNumber, PageSize
from notifications.webhooks import commands, queries
from notifications.webhooks.jobs import enqueue_delivery
from notifications.webhooks.schemas import (
    CreateWebhook,
    Deleted,
    DeliveryQueued,
    DeliveryView,
    WebhookSecret,
    WebhookView,
)


async def current_time(request: Request) -> datetime:
    # The app's clock when it has one (tests move time), else the wall clock.
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", utcnow)
    return clock()


Now = Annotated[datetime, Depends(current_time)]
# Webhooks are company settings: HR and admins only, refused before any lookup for everyone else.
HrCaller = Annotated[Principal, require_roles("hr", "admin")]

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.post("", status_code=201)
async def create_webhook(
    cmd: CreateWebhook, caller: HrCaller, db: Sessions, now: Now, request: Request
) -> WebhookSecret:
    """Register an endpoint of the caller's company; its signing secret is shown in this answer only."""
    async with transaction(db) as session:
        endpoint = await commands.create_endpoint(
            session, cmd, caller=caller, now=now, settings=request.app.state.settings
        )
    return WebhookSecret(id=endpoint.id, secret=endpoint.secret)


@router.get("/company/{company_id}")
async def company_webhooks(company_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> list[WebhookView]:
    """A company's endpoints (without their secrets)."""
    return await queries.company_endpoints(session, str(company_id), caller=caller)


@router.delete("/{endpoint_id}")
async def delete_webhook(endpoint_id: uuid.UUID, caller: HrCaller, db: Sessions) -> Deleted:
    """Delete an endpoint and its delivery log for good."""
    async with transaction(db) as session:
        await commands.delete_endpoint(session, endpoint_id, caller=caller)
    return Deleted()


@router.post("/{endpoint_id}/rotate-secret")
async def rotate_secret(endpoint_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> WebhookSecret:
    """Replace the signing secret; the new one is shown in this answer only and signs every later attempt."""
    async with transaction(db) as session:
        endpoint = await commands.rotate_secret(session, endpoint_id, caller=caller, now=now)
    return WebhookSecret(id=endpoint.id, secret=endpoint.secret)


@router.post("/{endpoint_id}/test", status_code=202)
async def test_webhook(
    endpoint_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now, request: Request
) -> DeliveryQueued:
    """Queue a `webhook.test` message to the endpoint; its outcome appears in the delivery log."""
    async with transaction(db) as session:
        delivery_id = await commands.send_test(session, endpoint_id, caller=caller, now=now)
    await enqueue_delivery(request.app.state.redis, request.app.state.settings, delivery_id)
    return DeliveryQueued(delivery_id=delivery_id)


@router.get("/{endpoint_id}/deliveries")
async def webhook_deliveries(
    endpoint_id: uuid.UUID, caller: HrCaller, session: ReadSession, page: PageNumber = 1, limit: PageSize = 20
) -> Page[DeliveryView]:
    """The endpoint's delivery log, newest first: status, attempts, last response code, duration and error."""
    return await queries.deliveries(session, endpoint_id, caller=caller, page=page, limit=limit)


@router.post("/{endpoint_id}/deliveries/{delivery_id}/redeliver", status_code=202)
async def redeliver(
    endpoint_id: uuid.UUID, delivery_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now, request: Request
) -> DeliveryQueued:
    """Send a delivery's message again (same `webhook-id` and body) as a new delivery."""
    async with transaction(db) as session:
        again = await commands.redeliver(session, endpoint_id, delivery_id, caller=caller, now=now)
    await enqueue_delivery(request.app.state.redis, request.app.state.settings, again)
    return DeliveryQueued(delivery_id=again)

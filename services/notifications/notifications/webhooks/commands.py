"""Write handlers of the webhook aggregates: endpoints managed by a company's HR users, deliveries created
from events (the fan-out the consumers call) or by hand (test, redeliver), and the two halves of an attempt
the worker makes around the HTTP call (claim, then record the outcome)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import String, any_, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.events import Envelope
from notifications.commands import Notifier, Source, notify
from notifications.domain import Channel, InvitationView, Template
from notifications.webhooks import access
from notifications.webhooks.delivery import Outcome, check_url
from notifications.webhooks.domain import (
    OPEN_STATUSES,
    SUBSCRIBABLE_EVENTS,
    TEST_EVENT,
    DeliveryNotFound,
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookNotFound,
)
from notifications.webhooks.schemas import CreateWebhook
from notifications.webhooks.settings import WebhookSettings

log = structlog.get_logger("notifications.webhooks")


def message(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The body a receiver gets: the event's type, when it happened and its payload."""
    return {"type": event_type, "timestamp": occurred_at.isoformat().replace("+00:00", "Z"), "data": data}


async def create_endpoint(
    session: AsyncSession, cmd: CreateWebhook, *, caller: Principal, now: datetime, settings: WebhookSettings
) -> WebhookEndpoint:
    company_id = str(cmd.company_id)
    access.check_company_manager(caller, company_id)
    check_url(cmd.url, allow_insecure_loopback=settings.webhooks_allow_insecure_loopback)
    endpoint = WebhookEndpoint.create(
        company_id=company_id, url=cmd.url, events=cmd.events, created_by=caller.user_id, now=now
    )
    session.add(endpoint)
    return endpoint


async def _managed_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, caller: Principal, lock: bool = False
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=lock)
    if endpoint is None:
        raise WebhookNotFound("Webhook endpoint not found")
    access.check_endpoint_manager(caller, endpoint)
    return endpoint


async def delete_endpoint(session: AsyncSession, endpoint_id: uuid.UUID, *, caller: Principal) -> None:
    """The endpoint and its delivery log are gone for good; queued deliveries die with them."""
    endpoint = await _managed_endpoint(session, endpoint_id, caller=caller, lock=True)
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    await session.delete(endpoint)


async def rotate_secret(
    session: AsyncSession, endpoint_id: uuid.UUID, *, caller: Principal, now: datetime
) -> WebhookEndpoint:
    endpoint = await _managed_endpoint(session, endpoint_id, caller=caller, lock=True)
    endpoint.rotate_secret(now)
    return endpoint


async def send_test(session: AsyncSession, endpoint_id: uuid.UUID, *, caller: Principal, now: datetime) -> uuid.UUID:
    """A `webhook.test` message, delivered like any other (retries included), disabled endpoints too."""
    endpoint = await _managed_endpoint(session, endpoint_id, caller=caller)
    event_id = str(uuid.uuid4())
    data = {"endpointId": str(endpoint.id), "companyId": endpoint.company_id, "message": "A test message."}
    delivery = WebhookDelivery.create(
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=TEST_EVENT,
        payload=message(TEST_EVENT, now, data),
        now=now,
    )
    session.add(delivery)
    return delivery.id


async def redeliver(
    session: AsyncSession, endpoint_id: uuid.UUID, delivery_id: uuid.UUID, *, caller: Principal, now: datetime
) -> uuid.UUID:
    """The same message (same `webhook-id`, same body) again, as a new delivery with attempts of its own."""
    endpoint = await _managed_endpoint(session, endpoint_id, caller=caller)
    original = await session.get(WebhookDelivery, delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise DeliveryNotFound("Webhook delivery not found")
    again = original.redelivery(now)
    session.add(again)
    return again.id


async def event_company(session: AsyncSession, envelope: Envelope) -> str | None:
    """The company an event belongs to: named by the payload, or the invitation's in the local projection."""
    company = envelope.payload.get("companyId")
    if company:
        return str(company)
    invitation_id = envelope.payload.get("invitationId")
    if not invitation_id:
        return None
    invitation = await session.get(InvitationView, str(invitation_id))
    return invitation.company_id if invitation is not None else None


# What an `analysis.completed` message leaves out while reviewers rate blind to the AI: the AI's figures.
AI_FIGURES = frozenset({"overallScore", "recommendation", "criteriaScores"})


async def event_data(session: AsyncSession, envelope: Envelope) -> dict[str, Any]:
    """The payload a receiver gets: the event's own, except that an analysis of an interview rated blind to the
    AI (or not known yet not to be) goes without its score and verdict, marked `aiHidden`, since whoever reads
    the receiving system may be a reviewer who must rate first."""
    if envelope.event_type != "analysis.completed":
        return envelope.payload
    invitation_id = envelope.payload.get("invitationId")
    invitation = await session.get(InvitationView, str(invitation_id)) if invitation_id else None
    if invitation is not None and invitation.ai_shown:
        return envelope.payload
    return {key: value for key, value in envelope.payload.items() if key not in AI_FIGURES} | {"aiHidden": True}


# Asked for every event a company may hear of, most often finding none. Built once, as building it per call costs
# CPU of the order of a statement.
SUBSCRIBED_ENDPOINTS = select(WebhookEndpoint.id).where(
    WebhookEndpoint.company_id == bindparam("company_id"),
    WebhookEndpoint.status == EndpointStatus.ACTIVE,
    bindparam("event_type", type_=String) == any_(WebhookEndpoint.events),
)


async def fan_out(session: AsyncSession, envelope: Envelope, *, now: datetime) -> int:
    """A delivery of the event to every active endpoint of its company subscribed to its type; an event that
    arrives again adds none. Returns how many were created."""
    if envelope.event_type not in SUBSCRIBABLE_EVENTS:
        return 0
    company_id = await event_company(session, envelope)
    if company_id is None:
        log.info("webhooks.no_company", event_type=envelope.event_type, event_id=str(envelope.event_id))
        return 0
    endpoints = (
        await session.scalars(SUBSCRIBED_ENDPOINTS, {"company_id": company_id, "event_type": envelope.event_type})
    ).all()
    body = message(envelope.event_type, envelope.occurred_at, await event_data(session, envelope))
    created = 0
    for endpoint_id in endpoints:
        delivery = WebhookDelivery.create(
            endpoint_id=endpoint_id,
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
            payload=body,
            now=now,
        )
        inserted = await session.execute(
            insert(WebhookDelivery)
            .values(
                id=delivery.id,
                endpoint_id=delivery.endpoint_id,
                event_id=delivery.event_id,
                event_type=delivery.event_type,
                payload=delivery.payload,
                status=delivery.status,
                attempt=delivery.attempt,
                next_attempt_at=delivery.next_attempt_at,
                created_at=delivery.created_at,
            )
            .on_conflict_do_nothing(
                index_elements=[WebhookDelivery.endpoint_id, WebhookDelivery.event_id],
                index_where=WebhookDelivery.redelivery_of.is_(None),
            )
            .returning(WebhookDelivery.id)
        )
        created += len(inserted.all())
    return created


@dataclass(frozen=True)
class Attempt:
    """What the worker needs to make one attempt outside the transaction."""

    delivery_id: uuid.UUID
    url: str
    secret: str
    message_id: str
    payload: dict[str, Any]


async def claim(session: AsyncSession, delivery_id: uuid.UUID, *, now: datetime, lease: timedelta) -> Attempt | None:
    """Take a due delivery for one attempt; None when it is not due (done, dead, or taken by another worker)."""
    delivery = (
        await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update(skip_locked=True)
        )
    ).one_or_none()
    if delivery is None or not delivery.is_due(now):
        return None
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        return None
    delivery.claim(now, lease=lease)
    return Attempt(
        delivery_id=delivery.id,
        url=endpoint.url,
        secret=endpoint.secret,
        message_id=delivery.message_id,
        payload=delivery.payload,
    )


async def record_outcome(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    outcome: Outcome,
    *,
    now: datetime,
    settings: WebhookSettings,
    notifier: Notifier,
) -> DeliveryStatus | None:
    """The attempt's result onto the delivery and its endpoint; None when the endpoint was deleted meanwhile.
    An attempt that disables the endpoint tells its owner (`notifier`)."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        return None
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
    if endpoint is None:
        return None
    log.info(
        "webhooks.attempt",
        delivery_id=str(delivery.id),
        endpoint_id=str(endpoint.id),
        event_type=delivery.event_type,
        attempt=delivery.attempt,
        ok=outcome.ok,
        response_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
    )
    if outcome.ok:
        delivery.succeeded(now, response_code=outcome.status_code or 0, duration_ms=outcome.duration_ms)
        endpoint.attempt_succeeded(now)
        return delivery.status
    delivery.failed(
        now,
        error=outcome.error or "Failed",
        response_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        retry_schedule=settings.webhooks_retry_schedule_s,
    )
    if endpoint.attempt_failed(now, disable_after=settings.webhooks_disable_after_failures):
        await _endpoint_disabled(session, endpoint, now=now, notifier=notifier)
    return delivery.status


def disabled_source(endpoint: WebhookEndpoint, disabled_at: datetime) -> Source:
    """The disabling as the event a notification answers: one per endpoint and moment of disabling, so the
    same outcome recorded again notifies nobody twice, while a later disabling (after a revival) does.
    The key fits the notifications' 64-character `event_id`: the endpoint's hex id and milliseconds."""
    return Source(
        key=f"webhook-disabled:{endpoint.id.hex}:{int(disabled_at.timestamp() * 1000)}",
        event_type="webhook.disabled",
        occurred_at=disabled_at,
    )


async def _endpoint_disabled(
    session: AsyncSession, endpoint: WebhookEndpoint, *, now: datetime, notifier: Notifier
) -> None:
    """Automatic deliveries still queued for a disabled endpoint die, so it is not hammered on, and the HR
    user who registered it hears of it by e-mail and in-app (whatever their preferences say: a stopped
    integration is not a notification one opts out of)."""
    reason = endpoint.disabled_reason or "Endpoint disabled"
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status.in_(OPEN_STATUSES),
            WebhookDelivery.redelivery_of.is_(None),
            WebhookDelivery.event_type != TEST_EVENT,
        )
        .values(status=DeliveryStatus.DEAD, error=reason, next_attempt_at=None)
    )
    log.warning("webhooks.endpoint_disabled", endpoint_id=str(endpoint.id), reason=reason)
    await notify(
        session,
        endpoint.created_by,
        Template.WEBHOOK_DISABLED,
        (Channel.EMAIL, Channel.IN_APP),
        {"url": endpoint.url, "reason": reason, "failureCount": endpoint.failure_count},
        link=f"/hr/companies/{endpoint.company_id}/webhooks",
        source=disabled_source(endpoint, now),
        notifier=notifier,
        now=now,
    )

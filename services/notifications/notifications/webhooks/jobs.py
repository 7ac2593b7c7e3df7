"""The worker's webhook jobs: one job per delivery attempt, and a sweep that queues the due ones (retries
whose time has come, deliveries created by events, attempts whose worker died). A delivery is claimed in
one transaction, sent outside any, and its outcome recorded in another, so no database connection is held
while a receiver takes its time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from arq import ArqRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kit.db import transaction
from kit.domain import utcnow
from kit.settings import ServiceSettings
from kit.worker import queue_name
from notifications.commands import Notifier
from notifications.webhooks import commands, queries
from notifications.webhooks.delivery import Sender
from notifications.webhooks.settings import WebhookSettings

Ctx = dict[str, Any]
DELIVER = "deliver_webhook"
log = structlog.get_logger("notifications.webhooks")


def _now(ctx: Ctx) -> datetime:
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    return clock()


def _sender(ctx: Ctx) -> Sender:
    sender: Sender | None = ctx.get("webhook_sender")
    if sender is None:
        settings: WebhookSettings = ctx["settings"]
        sender = ctx["webhook_sender"] = Sender(
            timeout_s=settings.webhooks_timeout_s,
            allow_insecure_loopback=settings.webhooks_allow_insecure_loopback,
        )
    return sender


def _notifier(ctx: Ctx) -> Notifier:
    # The worker's own outlets (set up at its startup): an e-mail created here is enqueued after COMMIT and an
    # in-app item published, as from any other job.
    return Notifier(ctx["settings"], ctx["outlets"])


def job_id(delivery_id: uuid.UUID, attempt: int) -> str:
    # One job per attempt: queuing the same attempt twice (the API, then the sweep) runs it once.
    return f"webhook:{delivery_id}:{attempt}"


async def deliver_webhook(ctx: Ctx, delivery_id: str) -> str:
    """One attempt at a delivery, if it is still due; answers the delivery's status afterwards."""
    settings: WebhookSettings = ctx["settings"]
    # Long enough for the attempt to end on its own; after it, a delivery whose worker died is due again.
    lease = timedelta(seconds=settings.webhooks_timeout_s + 60)
    async with transaction(ctx["sessions"]) as session:
        attempt = await commands.claim(session, uuid.UUID(delivery_id), now=_now(ctx), lease=lease)
    if attempt is None:
        return "not_due"
    outcome = await _sender(ctx).send(
        attempt.url, secret=attempt.secret, message_id=attempt.message_id, payload=attempt.payload
    )
    async with transaction(ctx["sessions"]) as session:
        status = await commands.record_outcome(
            session, attempt.delivery_id, outcome, now=_now(ctx), settings=settings, notifier=_notifier(ctx)
        )
    return status.value if status is not None else "deleted"


async def sweep_webhooks(ctx: Ctx) -> int:
    """Queue an attempt for every delivery that is due; answers how many."""
    settings: WebhookSettings = ctx["settings"]
    async with ctx["sessions"]() as session:
        due = await queries.due_deliveries(session, now=_now(ctx), limit=settings.webhooks_sweep_batch)
    redis: ArqRedis = ctx["redis"]
    for delivery_id, attempts in due:
        await redis.enqueue_job(DELIVER, str(delivery_id), _job_id=job_id(delivery_id, attempts))
    return len(due)


async def enqueue_delivery(redis: Redis, settings: ServiceSettings, delivery_id: uuid.UUID) -> None:
    """Queue the first attempt of a delivery made by hand, right after its COMMIT. Best effort: if Redis is
    down the sweep queues it once it is back."""
    pool = ArqRedis(connection_pool=redis.connection_pool, default_queue_name=queue_name(settings))
    try:
        await pool.enqueue_job(DELIVER, str(delivery_id), _job_id=job_id(delivery_id, 0))
    except RedisError as exc:
        log.warning("webhooks.enqueue_failed", delivery_id=str(delivery_id), error=repr(exc))

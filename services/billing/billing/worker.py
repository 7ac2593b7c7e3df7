"""`arq billing.worker.WorkerSettings`: the outbox relay and the billing clock: canceled subscriptions fall
back to Free when their period ends, past_due ones when the payment grace runs out, and reservations never
confirmed are released."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from arq import cron
from redis.asyncio import Redis

from billing import commands
from billing.cache import QuotaCache
from billing.settings import Settings
from kit.db import transaction
from kit.domain import utcnow
from kit.worker import worker_settings

Ctx = dict[str, Any]


def _now(ctx: Ctx) -> datetime:
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    return clock()


def _cache(ctx: Ctx) -> QuotaCache:
    cache = ctx.get("quota_cache")
    if cache is None:
        settings: Settings = ctx["settings"]
        cache = ctx["quota_cache"] = QuotaCache(Redis.from_url(settings.redis_url), ttl_s=settings.quota_cache_ttl_s)
    return cache


async def end_canceled_periods(ctx: Ctx) -> int:
    """Subscriptions set to cancel whose period is over become Free."""
    cache = _cache(ctx)
    async with transaction(ctx["sessions"]) as session:
        ended = await commands.end_canceled_periods(session, cache=cache, now=_now(ctx))
    await cache.drain()
    return ended


async def end_payment_grace(ctx: Ctx) -> int:
    """Subscriptions unpaid past the grace period become Free."""
    settings: Settings = ctx["settings"]
    cache = _cache(ctx)
    async with transaction(ctx["sessions"]) as session:
        ended = await commands.end_payment_grace(
            session, grace=timedelta(days=settings.past_due_grace_days), cache=cache, now=_now(ctx)
        )
    await cache.drain()
    return ended


async def release_stale_reservations(ctx: Ctx) -> int:
    """Reservations their creation event never confirmed are released."""
    settings: Settings = ctx["settings"]
    cache = _cache(ctx)
    async with transaction(ctx["sessions"]) as session:
        released = await commands.release_stale_reservations(
            session, older_than=timedelta(seconds=settings.reservation_ttl_s), cache=cache, now=_now(ctx)
        )
    await cache.drain()
    return released


async def shutdown(ctx: Ctx) -> None:
    cache: QuotaCache | None = ctx.get("quota_cache")
    if cache is not None:
        await cache.drain()
        await cache.redis.aclose()


SETTINGS = Settings()
WorkerSettings = worker_settings(
    SETTINGS,
    functions=[end_canceled_periods, end_payment_grace, release_stale_reservations],
    cron_jobs=[
        cron(end_canceled_periods, minute=set(range(0, 60, 5)), second={10}, unique=True, timeout=120),
        cron(end_payment_grace, minute={7, 37}, second={20}, unique=True, timeout=120),
        cron(release_stale_reservations, second={40}, unique=True, timeout=120),
    ],
    on_shutdown=shutdown,
)

"""The arq worker every service runs: the outbox relay (a long-lived task woken by NOTIFY), outbox
clean-up and backlog cron jobs, plus the service's own jobs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.cron import CronJob

from kit.db import make_engine, make_sessionmaker
from kit.dbgauges import refresh_outbox_age
from kit.kafka import make_producer
from kit.liveness import gauge_total, start_metrics_server
from kit.observability import configure_logging, configure_tracing
from kit.outbox import Relay, asyncpg_dsn
from kit.settings import ServiceSettings

log = structlog.get_logger("kit.worker")

Ctx = dict[str, Any]
Hook = Callable[[Ctx], Awaitable[None]]


async def cleanup_outbox(ctx: Ctx) -> int:
    relay: Relay = ctx["relay"]
    removed = await relay.cleanup(timedelta(days=ctx["settings"].outbox_retention_days))
    log.info("outbox.cleaned", removed=removed)
    return removed


async def refresh_outbox_backlog(ctx: Ctx) -> int:
    relay: Relay = ctx["relay"]
    # The oldest unsent row's age feeds the OutboxBacklogAge alert: a count alone can't tell a burst from a stall.
    await refresh_outbox_age(ctx["sessions"], ctx["settings"].service_name)
    return await relay.backlog()


def worker_settings(
    settings: ServiceSettings,
    *,
    functions: Sequence[Any] = (),
    cron_jobs: Sequence[CronJob] = (),
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
) -> type:
    """Build the arq WorkerSettings class for a service (arq reads class attributes)."""

    async def startup(ctx: Ctx) -> None:
        configure_logging(settings.service_name, settings.log_level)
        configure_tracing(settings.service_name, settings.otlp_endpoint)
        # Embedded in a process of several roles (kit.roles), which serves one metrics port for all of them.
        if settings.metrics_port and not ctx.get("embedded"):
            start_metrics_server(settings.metrics_port, settings.host, lambda: worker_liveness(settings, ctx))
        engine = make_engine(settings.database_url, settings.schema_name, pool_size=5)
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        relay = Relay(
            sessions,
            lambda: make_producer(settings),
            service=settings.service_name,
            schema=settings.schema_name,
            topic_prefix=settings.topic_prefix,
            batch_size=settings.outbox_batch_size,
        )
        stop = asyncio.Event()
        ctx.update(settings=settings, engine=engine, sessions=sessions, relay=relay, relay_stop=stop)
        ctx["relay_task"] = asyncio.create_task(
            relay.run(asyncpg_dsn(settings.database_url), poll_interval_s=settings.outbox_poll_interval_s, stop=stop)
        )
        if on_startup is not None:
            await on_startup(ctx)
        log.info("worker.started", queue=queue_name(settings))

    async def shutdown(ctx: Ctx) -> None:
        if on_shutdown is not None:
            await on_shutdown(ctx)
        ctx["relay_stop"].set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(ctx["relay_task"], 10)
        await ctx["relay"].close()
        await ctx["engine"].dispose()

    attrs = {
        "functions": list(functions),
        "cron_jobs": [
            cron(cleanup_outbox, minute={0}, second={0}, run_at_startup=False, unique=True),
            cron(refresh_outbox_backlog, second={0, 15, 30, 45}, unique=True),
            *cron_jobs,
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": queue_name(settings),
        "handle_signals": True,
    }
    return type("WorkerSettings", (), attrs)


def worker_liveness(settings: ServiceSettings, ctx: Ctx) -> tuple[bool, dict[str, Any]]:
    """Alive while the outbox relay runs (without it no event of this service reaches Kafka); with the backlog
    the `refresh_outbox_backlog` job last measured."""
    details: dict[str, Any] = {
        "role": "worker",
        "service": settings.service_name,
        "outboxBacklog": int(gauge_total("outbox_backlog", settings.service_name)),
    }
    relay_task: asyncio.Task[None] | None = ctx.get("relay_task")
    if relay_task is None:
        return False, {**details, "reason": "starting: the outbox relay is not running yet"}
    if relay_task.done():
        return False, {**details, "reason": "the outbox relay has stopped"}
    return True, details


def queue_name(settings: ServiceSettings) -> str:
    return f"arq:{settings.topic_prefix}{settings.service_name}"

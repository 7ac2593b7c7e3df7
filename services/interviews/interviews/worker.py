"""`arq interviews.worker.WorkerSettings`: the outbox relay plus the invitation clock (expiry, inactivity) and the
per-company retention (decided invitations erased after the company's period)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from arq import cron

from interviews import commands, metrics, privacy
from interviews.domain import CompletionReason
from interviews.settings import Settings
from kit.db import transaction
from kit.domain import utcnow
from kit.worker import worker_settings

Ctx = dict[str, Any]
RETENTION_BATCH = 200


def _now(ctx: Ctx) -> datetime:
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    return clock()


async def expire_invitations(ctx: Ctx) -> int:
    """Pending and in-progress invitations past their expiry become `expired`."""
    async with transaction(ctx["sessions"]) as session:
        return await commands.expire_due_invitations(session, now=_now(ctx))


async def complete_inactive_invitations(ctx: Ctx) -> int:
    """Non-pausable interviews silent for too long are completed with reason `auto_timeout`."""
    settings: Settings = ctx["settings"]
    async with transaction(ctx["sessions"]) as session:
        completed = await commands.complete_inactive_invitations(
            session, now=_now(ctx), idle_for=timedelta(minutes=settings.inactivity_timeout_minutes)
        )
    metrics.INTERVIEWS_COMPLETED.labels(CompletionReason.AUTO_TIMEOUT).inc(completed)
    return completed


async def erase_past_retention(ctx: Ctx) -> int:
    """Decided invitations past their company's retention period are erased, one transaction per batch."""
    erased = 0
    while True:
        async with transaction(ctx["sessions"]) as session:
            batch = await privacy.erase_expired(session, now=_now(ctx), batch=RETENTION_BATCH)
        erased += batch
        if batch < RETENTION_BATCH:
            return erased


SETTINGS = Settings()
WorkerSettings = worker_settings(
    SETTINGS,
    functions=[expire_invitations, complete_inactive_invitations, erase_past_retention],
    cron_jobs=[
        cron(expire_invitations, second={0}, unique=True, timeout=120),
        cron(complete_inactive_invitations, second={30}, unique=True, timeout=120),
        # Hourly is prompt enough for a period counted in days.
        cron(erase_past_retention, minute={17}, second={0}, unique=True, timeout=600),
    ],
)

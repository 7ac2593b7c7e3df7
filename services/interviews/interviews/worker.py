"""`arq interviews.worker.WorkerSettings`: the outbox relay plus the invitation clock (expiry, inactivity)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from arq import cron

from interviews import commands, metrics
from interviews.domain import CompletionReason
from interviews.settings import Settings
from kit.db import transaction
from kit.domain import utcnow
from kit.worker import worker_settings

Ctx = dict[str, Any]


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


SETTINGS = Settings()
WorkerSettings = worker_settings(
    SETTINGS,
    functions=[expire_invitations, complete_inactive_invitations],
    cron_jobs=[
        cron(expire_invitations, second={0}, unique=True, timeout=120),
        cron(complete_inactive_invitations, second={30}, unique=True, timeout=120),
    ],
)

"""`arq users.worker.WorkerSettings`: the outbox relay and the service's scheduled jobs: the sweep that announces
the mail of erasure reports past their deadline, and of any complete one whose last report did not (the consumer
announces a report's mail as soon as it completes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from arq import cron

from kit.db import transaction
from kit.domain import utcnow
from kit.worker import worker_settings
from users import privacy
from users.settings import Settings

Ctx = dict[str, Any]


async def send_erasure_reports(ctx: Ctx) -> int:
    """One transaction: each due report's address is cleared as its mail's event is written."""
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    settings: Settings = ctx["settings"]
    async with transaction(ctx["sessions"]) as session:
        return await privacy.send_due_reports(session, now=clock(), key=settings.erasure_report_key.get_secret_value())


WorkerSettings = worker_settings(
    Settings(),
    functions=[send_erasure_reports],
    cron_jobs=[cron(send_erasure_reports, second={20}, unique=True, timeout=120)],
)

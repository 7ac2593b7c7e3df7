"""`arq users.worker.WorkerSettings`: the outbox relay and the service's scheduled jobs: erasure reports that are
complete (or past their deadline) are announced for the mail with their signed link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from arq import cron

from kit.contracts.privacy import ErasureReportReady
from kit.db import transaction
from kit.domain import utcnow
from kit.outbox import stage
from kit.worker import worker_settings
from users import privacy
from users.privacy_api import report_path
from users.settings import Settings

Ctx = dict[str, Any]


async def send_erasure_reports(ctx: Ctx) -> int:
    """One transaction: each due report's address is cleared as its mail's event is written."""
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    settings: Settings = ctx["settings"]
    key = settings.erasure_report_key.get_secret_value()
    async with transaction(ctx["sessions"]) as session:
        due = await privacy.due_reports(session, now=clock())
        for progress, address in due:
            stage(
                session,
                ErasureReportReady(
                    erasure_id=progress.report.id,
                    email=address,
                    report_path=report_path(progress.report.id, key),
                    complete=progress.complete,
                    waiting_for=progress.waiting_for,
                ),
                aggregate_id=progress.report.id,
            )
    return len(due)


WorkerSettings = worker_settings(
    Settings(),
    functions=[send_erasure_reports],
    cron_jobs=[cron(send_erasure_reports, second={20}, unique=True, timeout=120)],
)

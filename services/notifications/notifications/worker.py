"""`arq notifications.worker.WorkerSettings`: the outbox relay, e-mail delivery (a job per e-mail enqueued
after COMMIT, and a sweep of due e-mails so that none is lost when a job is, or SMTP is down), invitation
reminders and the weekly digest for HR."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from arq import cron

from kit.db import transaction
from kit.domain import utcnow
from kit.worker import worker_settings
from notifications import commands, triggers
from notifications.commands import Notifier
from notifications.mailer import DeliveryFailed, Mailer, make_mailer
from notifications.outlets import Outlets
from notifications.settings import Settings
from notifications.webhooks import jobs as webhooks

Ctx = dict[str, Any]


def _now(ctx: Ctx) -> datetime:
    clock: Callable[[], datetime] = ctx.get("clock", utcnow)
    return clock()


def _notifier(ctx: Ctx) -> Notifier:
    return Notifier(ctx["settings"], ctx["outlets"])


async def deliver_email(ctx: Ctx, notification_id: str) -> str:
    """One attempt at one e-mail: claim it, send it outside any transaction, record the outcome."""
    settings: Settings = ctx["settings"]
    mailer: Mailer = ctx["mailer"]
    key = uuid.UUID(notification_id)
    async with transaction(ctx["sessions"]) as session:
        email = await commands.claim_email(session, key, settings=settings, now=_now(ctx))
    if email is None:
        return "not due"
    error: str | None = None
    try:
        await mailer.send(email)
    except DeliveryFailed as exc:
        error = exc.message
    async with transaction(ctx["sessions"]) as session:
        await commands.record_attempt(session, key, error, settings=settings, now=_now(ctx))
    return "failed attempt" if error else "sent"


async def sweep_emails(ctx: Ctx) -> int:
    """Attempt every e-mail that is due (new, retrying after a backoff, or claimed by a lost attempt)."""
    settings: Settings = ctx["settings"]
    async with transaction(ctx["sessions"]) as session:
        due = await commands.due_emails(
            session,
            now=_now(ctx),
            claim_timeout=timedelta(seconds=settings.email_claim_timeout_s),
            limit=settings.email_sweep_batch,
        )
    gate = asyncio.Semaphore(settings.email_sweep_concurrency)

    async def attempt(notification_id: uuid.UUID) -> str:
        async with gate:
            return await deliver_email(ctx, str(notification_id))

    results = await asyncio.gather(*(attempt(n) for n in due))
    return results.count("sent")


async def send_invitation_reminders(ctx: Ctx) -> int:
    async with transaction(ctx["sessions"]) as session:
        return await triggers.remind_expiring(session, notifier=_notifier(ctx), now=_now(ctx))


async def send_weekly_digest(ctx: Ctx) -> int:
    async with transaction(ctx["sessions"]) as session:
        return await triggers.weekly_digest(session, notifier=_notifier(ctx), now=_now(ctx))


async def startup(ctx: Ctx) -> None:
    settings: Settings = ctx["settings"]
    ctx["mailer"] = make_mailer(settings)
    ctx["outlets"] = Outlets(settings, redis=ctx["redis"])


async def shutdown(ctx: Ctx) -> None:
    await ctx["outlets"].aclose()
    await ctx["mailer"].aclose()


SETTINGS = Settings()
WorkerSettings = worker_settings(
    SETTINGS,
    functions=[deliver_email, sweep_emails, send_invitation_reminders, send_weekly_digest, webhooks.deliver_webhook],
    cron_jobs=[
        cron(sweep_emails, second={5, 20, 35, 50}, unique=True, timeout=300),
        cron(
            webhooks.sweep_webhooks, second=set(range(0, 60, SETTINGS.webhooks_sweep_every_s)), unique=True, timeout=120
        ),
        cron(send_invitation_reminders, minute=set(range(0, 60, 5)), second={10}, unique=True, timeout=300),
        cron(send_weekly_digest, weekday="mon", hour={9}, minute={0}, second={0}, unique=True, timeout=600),
    ],
    on_startup=startup,
    on_shutdown=shutdown,
)

"""Fixtures: the service's test settings and its migrated schema (the kit makes those fixtures, and its
`sessions` the per-test rollback sessions), the in-process app, a clock the tests move, identities with the
internal token, the consumer's handlers applied the way the consumer loop applies them, the worker's jobs
run in-process against the real Mailpit, and a reader of Mailpit's HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts import interviews
from kit.db import transaction
from kit.domain import IntegrationEvent
from kit.events import Envelope
from kit.outbox import mark_processed
from kit.testing import Caller, Clock, database_fixtures, in_process_client, settings_for_tests
from notifications.commands import Notifier
from notifications.consumers import handlers
from notifications.mailer import SmtpMailer
from notifications.main import create_app
from notifications.outlets import Outlets
from notifications.settings import Settings

MAILPIT_SMTP = ("127.0.0.1", 1025)
MAILPIT_API = "http://127.0.0.1:8025"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(
        Settings,
        "notifications",
        email_backoff_base_s=1.0,
        email_max_attempts=4,
        # One attempt at a time: a test's sessions share one connection.
        email_sweep_concurrency=1,
    )


migrated, engine = database_fixtures(Path(__file__).resolve().parents[1])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_user() -> type[Caller]:
    return Caller


@pytest.fixture
def candidate() -> Caller:
    return Caller("candidate")


@pytest.fixture
def hr() -> Caller:
    return Caller("hr")


@pytest.fixture
async def client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with in_process_client(app, sessions) as client:
        app.state.clock = clock
        yield client


@pytest.fixture
async def outlets(settings: Settings) -> AsyncIterator[Outlets]:
    outlets = Outlets(settings)
    yield outlets
    await outlets.aclose()


Apply = Callable[..., Awaitable[bool]]


def envelope(event: IntegrationEvent, *, aggregate_id: str = "", occurred_at: datetime | None = None) -> Envelope:
    wrapped = Envelope.wrap(event, source="test", aggregate_id=aggregate_id or str(uuid.uuid4()), correlation_id=None)
    if occurred_at is not None:
        wrapped = wrapped.model_copy(update={"occurred_at": occurred_at, "timestamp": 0})
    return wrapped


@pytest.fixture
def wrap() -> Callable[..., Envelope]:
    return envelope


@pytest.fixture
def apply(settings: Settings, sessions: async_sessionmaker[AsyncSession], outlets: Outlets, clock: Clock) -> Apply:
    """Handle an envelope as the consumer loop does: the handler and the processed-message mark in one
    transaction, a redelivered envelope a no-op. Returns whether it was handled."""
    table = handlers(Notifier(settings, outlets), clock=clock)

    async def run(event: Envelope | IntegrationEvent) -> bool:
        wrapped = event if isinstance(event, Envelope) else envelope(event)
        async with transaction(sessions) as session:
            if not await mark_processed(session, consumer="notifications", message_id=str(wrapped.event_id)):
                return False
            await table[wrapped.event_type](session, wrapped)
        await outlets.drain()
        return True

    return run


@pytest.fixture
async def worker_ctx(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], outlets: Outlets, clock: Clock
) -> AsyncIterator[dict[str, Any]]:
    """The worker's job context, its e-mails sent to the local stack's Mailpit; the connections the mailer kept
    (a test's own mailer too) are closed after the test."""
    mailer = SmtpMailer(host=MAILPIT_SMTP[0], port=MAILPIT_SMTP[1], sender=settings.email_from)
    ctx: dict[str, Any] = {
        "settings": settings,
        "sessions": sessions,
        "outlets": outlets,
        "clock": clock,
        "mailer": mailer,
    }
    yield ctx
    await mailer.aclose()
    await ctx["mailer"].aclose()


class Mailpit:
    """Mailpit's HTTP API, read for one recipient at a time (other suites send to the same server)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10)

    async def messages_to(self, address: str) -> list[dict[str, Any]]:
        found = (await self.http.get("/api/v1/search", params={"query": f"to:{address}", "limit": 500})).json()
        return list(found["messages"])

    async def wait_for(self, address: str, count: int = 1, *, timeout_s: float = 20) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout_s):
            while len(found := await self.messages_to(address)) < count:
                await asyncio.sleep(0.1)
        return found

    async def message(self, message_id: str) -> dict[str, Any]:
        return dict((await self.http.get(f"/api/v1/message/{message_id}")).json())

    async def headers(self, message_id: str) -> dict[str, list[str]]:
        return dict((await self.http.get(f"/api/v1/message/{message_id}/headers")).json())

    async def aclose(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def mailpit() -> AsyncIterator[Mailpit]:
    reader = Mailpit(MAILPIT_API)
    yield reader
    await reader.aclose()


def invitation_created(
    candidate: Caller, hr: Caller, *, expires_at: datetime, email: bool = True
) -> interviews.InvitationCreated:
    """An invitation as the interviews service announces it; with `email=False` it names no candidate contact,
    so recipient data must come from the projection."""
    return interviews.InvitationCreated(
        invitation_id=str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend Engineer",
        candidate_id=candidate.id,
        company_id=hr.id,
        company_name="Acme",
        invited_by=hr.id,
        expires_at=expires_at,
        candidate_email=candidate.email if email else None,
        candidate_name="Ada Lovelace" if email else None,
        hr_email=hr.email,
        hr_name="Grace Hopper",
    )


def invitation_completed(
    created: interviews.InvitationCreated, *, at: datetime, ai_blind: bool | None = None
) -> interviews.InvitationCompleted:
    """The interview of `created` finished (three answers) as the interviews service announces it; `ai_blind`
    says whether reviewers rate before they see the analysis (None: the event does not say)."""
    return interviews.InvitationCompleted(
        invitation_id=created.invitation_id,
        candidate_id=created.candidate_id,
        company_id=created.company_id,
        template_id=created.template_id,
        template_title=created.template_title,
        company_name=created.company_name,
        completed_at=at,
        completed_reason="manual",
        language="en",
        questions=[],
        responses=[],
        hr_user_id=created.invited_by,
        hr_email=created.hr_email,
        response_count=3,
        ai_blind=ai_blind,
    )

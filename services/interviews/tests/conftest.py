"""Fixtures: the migrated test schema, per-test rollback sessions shared by the in-process app, a clock the
tests move, identities with the internal token, and builders for templates and invitations via the API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interviews.consumers import HANDLERS, TOPICS
from interviews.main import create_app
from interviews.settings import Settings
from kit.contracts import media
from kit.contracts.analysis import AnalysisCompleted
from kit.events import Envelope
from kit.kafka import Consumer
from kit.outbox import OutboxMessage
from kit.testing import Caller, Clock, database_fixtures, settings_for_tests

SERVICE_DIR = Path(__file__).resolve().parents[1]
T0 = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def settings() -> Settings:
    # Quota enforcement needs the billing service: tests/test_quota_enforcement.py runs both for real.
    return settings_for_tests(Settings, "interviews", quota_enforcement=False)


migrated, engine = database_fixtures(SERVICE_DIR)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def hr() -> Caller:
    return Caller("hr")


@pytest.fixture
def other_hr() -> Caller:
    return Caller("hr")


@pytest.fixture
def admin() -> Caller:
    return Caller("admin")


@pytest.fixture
def candidate() -> Caller:
    return Caller("candidate")


@pytest.fixture
def other_candidate() -> Caller:
    return Caller("candidate")


@dataclass(frozen=True)
class Member(Caller):
    """An HR user as the gateway forwards them on a company route: with the company resolved from membership."""

    company: str = "acme"

    @property
    def headers(self) -> dict[str, str]:
        return {**super().headers, "x-company-id": self.company}


@pytest.fixture
def lead() -> Member:
    """An HR member of the company `acme`, who owns the templates and invitations a review test makes."""
    return Member("hr")


@pytest.fixture
def outsider() -> Member:
    """An HR member of another company."""
    return Member("hr", company="globex")


@asynccontextmanager
async def serve(app: FastAPI, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> AsyncIterator[Any]:
    async with LifespanManager(app) as manager:
        # The app's requests run on the test's rolled-back connection and read the test's clock.
        app.state.sessions = sessions
        app.state.clock = clock
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings), sessions, clock) as c:
        yield c


@pytest.fixture
async def make_client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Callable[..., Awaitable[httpx.AsyncClient]]]:
    """Another in-process app with some settings changed, on the test's connection (or on `on`)."""
    async with AsyncExitStack() as stack:

        async def make(*, on: async_sessionmaker[AsyncSession] | None = None, **overrides: Any) -> httpx.AsyncClient:
            app = create_app(settings.model_copy(update=overrides))
            return await stack.enter_async_context(serve(app, on or sessions, clock))  # type: ignore[no-any-return]

        yield make


@pytest.fixture
async def new_events(
    sessions: async_sessionmaker[AsyncSession],
) -> Callable[[], Awaitable[list[OutboxMessage]]]:
    """The outbox rows written since the test began, oldest first."""
    async with sessions() as session:
        baseline = await session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))

    async def rows() -> list[OutboxMessage]:
        async with sessions() as session:
            found = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.id > baseline).order_by(OutboxMessage.id)
            )
            return list(found.all())

    return rows


MC_QUESTION = {
    "text": "Which HTTP method is idempotent?",
    "type": "multiple_choice",
    "order": 2,
    "timeLimit": 60,
    "required": True,
    "options": [{"text": "POST", "isCorrect": False}, {"text": "PUT", "isCorrect": True}],
}
TEXT_QUESTION = {
    "text": "Describe a production incident you handled.",
    "type": "text",
    "order": 1,
    "timeLimit": 120,
    "required": True,
    "hints": "Situation, action, result",
}


@dataclass
class Interview:
    template_id: str
    question_ids: list[str]
    invitation_id: str | None = None


@pytest.fixture
def make_template(client: httpx.AsyncClient) -> Callable[..., Awaitable[Interview]]:
    async def make(
        owner: Caller, *, questions: list[dict[str, Any]] | None = None, publish: bool = True, **body: Any
    ) -> Interview:
        created = await client.post(
            "/api/templates",
            json={"title": "Backend engineer", "description": "Async Python role", **body},
            headers=owner.headers,
        )
        assert created.status_code == 201, created.text
        template_id = created.json()["id"]
        ids = []
        for question in [TEXT_QUESTION, MC_QUESTION] if questions is None else questions:
            added = await client.post(f"/api/templates/{template_id}/questions", json=question, headers=owner.headers)
            assert added.status_code == 201, added.text
            ids.append(added.json()["id"])
        if publish:
            published = await client.put(f"/api/templates/{template_id}/publish", headers=owner.headers)
            assert published.status_code == 200, published.text
        return Interview(template_id, ids)

    return make


async def accept_notice(
    client: httpx.AsyncClient, invitation_id: str, candidate: Caller, *, human_review: bool = False
) -> dict[str, Any]:
    """The candidate opens the briefing and accepts its AI-use notice, as the briefing screen does before Start."""
    path = f"/api/invitations/{invitation_id}/briefing"
    shown = await client.post(path, headers=candidate.headers)
    assert shown.status_code == 200, shown.text
    notice = shown.json()["notice"]
    consent = {"accepted": True, "noticeVersion": notice["version"], "noticeHash": notice["hash"]}
    accepted = await client.post(
        path, json={"consent": {**consent, "humanReviewRequested": human_review}}, headers=candidate.headers
    )
    assert accepted.status_code == 200, accepted.text
    return dict(accepted.json())


@pytest.fixture
def make_invitation(
    client: httpx.AsyncClient, make_template: Callable[..., Awaitable[Interview]], clock: Clock
) -> Callable[..., Awaitable[Interview]]:
    async def make(
        hr: Caller, candidate: Caller, *, start: bool = False, interview: Interview | None = None, **body: Any
    ) -> Interview:
        interview = interview or await make_template(hr)
        created = await client.post(
            "/api/invitations",
            json={
                "templateId": interview.template_id,
                "candidateId": candidate.id,
                "companyName": "Acme",
                "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
                **body,
            },
            headers=hr.headers,
        )
        assert created.status_code == 201, created.text
        invitation_id = created.json()["id"]
        if start:
            await accept_notice(client, invitation_id, candidate)
            started = await client.post(f"/api/invitations/{invitation_id}/start", headers=candidate.headers)
            assert started.status_code == 200, started.text
        return Interview(interview.template_id, interview.question_ids, invitation_id)

    return make


def build_media_event(
    event: type[media._MediaEvent], *, media_id: str, owner: Caller, invitation_id: str, question_id: str
) -> Envelope:
    """A media service event about one recording, built from the contract as the media service builds it."""
    ids: dict[str, Any] = {
        "media_id": media_id,
        "owner_id": owner.id,
        "invitation_id": invitation_id,
        "question_id": question_id,
    }
    details: dict[type[media._MediaEvent], dict[str, Any]] = {
        media.MediaProcessed: {
            "kind": "video",
            "size": 48_000,
            "container": "webm",
            "duration_seconds": 3.2,
            "video_codec": "vp9",
            "audio_codec": "opus",
            "width": 640,
            "height": 480,
        },
        media.MediaFailed: {"reason": "not a video: ffprobe found no stream"},
        media.MediaDeleted: {},
    }
    return Envelope.wrap(event(**ids, **details[event]), source="media", aggregate_id=media_id, correlation_id=None)


@pytest.fixture
def media_event() -> Callable[..., Envelope]:
    return build_media_event


@pytest.fixture
async def deliver(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Callable[..., Awaitable[list[str]]]]:
    """Apply events as the consumer does (inbox included), on the test's connection; returns ok/duplicate each."""
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    async def apply(*envelopes: Envelope) -> list[str]:
        return [await consumer._apply(HANDLERS[e.event_type], e) for e in envelopes]

    yield apply
    await consumer.close()


@pytest.fixture
def ready_media(deliver: Callable[..., Awaitable[list[str]]]) -> Callable[..., Awaitable[str]]:
    """The id of a recording the media service reported processed (status ready)."""

    async def make(owner: Caller, invitation_id: str, question_id: str) -> str:
        media_id = str(uuid.uuid4())
        ids = {"media_id": media_id, "owner": owner, "invitation_id": invitation_id, "question_id": question_id}
        assert await deliver(build_media_event(media.MediaProcessed, **ids)) == ["ok"]
        return media_id

    return make


@pytest.fixture
def complete_interview(client: httpx.AsyncClient, clock: Clock) -> Callable[[Interview, Caller], Awaitable[None]]:
    """The candidate answers both questions of their started interview (the default template's), a minute passes,
    and they complete it."""

    async def complete(interview: Interview, candidate: Caller) -> None:
        for question_id, text in zip(interview.question_ids, ("We added a canary stage.", "PUT"), strict=True):
            answered = await client.post(
                f"/api/invitations/{interview.invitation_id}/responses",
                json={"questionId": question_id, "textAnswer": text},
                headers=candidate.headers,
            )
            assert answered.status_code == 201, answered.text
        clock.advance(minutes=1)
        completed = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
        assert completed.status_code == 200, completed.text

    return complete


@pytest.fixture
def analyse(deliver: Callable[..., Awaitable[list[str]]], clock: Clock) -> Callable[..., Awaitable[None]]:
    """The analysis service scores a completed interview: its `analysis.completed`, applied as the consumer does."""

    async def scored(interview: Interview, *, score: int, criteria: dict[str, float] | None = None) -> None:
        assert interview.invitation_id is not None
        event = AnalysisCompleted(
            analysis_id=uuid.uuid4(),
            invitation_id=uuid.UUID(interview.invitation_id),
            overall_score=score,
            recommendation="consider",
            questions_analyzed=2,
            processing_time_ms=10,
            total_tokens_used=100,
            engine="offline",
            occurred_at=clock.now,
            criteria_scores=criteria,
        )
        envelope = Envelope.wrap(event, source="analysis", aggregate_id=str(event.analysis_id), correlation_id=None)
        assert await deliver(envelope) == ["ok"]

    return scored

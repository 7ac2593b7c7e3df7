from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from arq.worker import create_worker
from asgi_lifespan import LifespanManager
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from analysis.commands import Jobs
from analysis.consumers import TOPICS, handlers
from analysis.main import create_app
from analysis.settings import Settings
from analysis.worker import build_worker_settings
from kit.db import make_sessionmaker
from kit.domain import IntegrationEvent
from kit.events import Envelope
from kit.kafka import Consumer
from kit.testing import (
    INTERNAL_TOKEN,
    DatabaseProbe,
    create_topics,
    database_fixtures,
    delete_topics,
    settings_for_tests,
)
from standins.llm import LlmStandIn

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(Settings, "analysis")


migrated, engine = database_fixtures(SERVICE_DIR)


@pytest.fixture(scope="session")
async def llm() -> AsyncIterator[LlmStandIn]:
    stand_in = LlmStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def llm_settings(settings: Settings, llm: LlmStandIn) -> Settings:
    """The service pointed at the stand-in, with limits generous enough not to pace the tests."""
    llm.reset()
    return settings.model_copy(
        update={
            "llm_api_key": SecretStr("test-key"),
            "llm_base_url": llm.base_url,
            "llm_requests_per_minute": 600,
            "llm_tokens_per_minute": 1_000_000,
            "llm_timeout_s": 30.0,
        }
    )


def _headers(user_id: str, role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}


@pytest.fixture
def as_user() -> Callable[[str, str], dict[str, str]]:
    """Identity headers as the gateway forwards them."""
    return _headers


def _snapshot(
    *,
    invitation_id: uuid.UUID | None = None,
    hr_user_id: str | None = None,
    candidate_id: str | None = None,
    open_questions: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    """An `invitation.completed` payload of the contract's shape, with the options the fix adds."""
    questions: list[dict[str, Any]] = [
        {
            "id": f"q{i}",
            "text": f"Explain how you would design a scalable caching layer for service number {i}.",
            "type": "text",
            "order": i,
            "timeLimit": 120,
        }
        for i in range(1, open_questions + 1)
    ]
    responses: list[dict[str, Any]] = [
        {
            "id": f"r{i}",
            "questionId": f"q{i}",
            "textAnswer": (
                f"First I would measure the read patterns of service {i}. Then I would put a write-through cache "
                "in front of the database because most reads repeat, for example product pages. Finally I would "
                "set eviction by LRU and watch the hit ratio."
            ),
            "duration": 60,
        }
        for i in range(1, open_questions + 1)
    ]
    questions.append(
        {
            "id": "mc",
            "text": "Which data structure gives O(1) average lookup by key?",
            "type": "multiple_choice",
            "order": open_questions + 1,
            "options": [
                {"id": "o1", "text": "Linked list", "isCorrect": False},
                {"id": "o2", "text": "Hash map", "isCorrect": True},
            ],
        }
    )
    responses.append({"id": "rmc", "questionId": "mc", "textAnswer": "Hash map", "duration": 5})
    hr = hr_user_id or str(uuid.uuid4())
    return {
        "invitationId": str(invitation_id or uuid.uuid4()),
        "candidateId": candidate_id or str(uuid.uuid4()),
        "companyId": hr,
        "templateId": str(uuid.uuid4()),
        "templateTitle": "Backend engineer",
        "companyName": "Acme",
        "completedAt": "2026-11-29T10:00:00Z",
        "language": "en",
        "questions": questions,
        "responses": responses,
        "hrUserId": hr,
        "hrEmail": "hr@example.com",
        "hrName": "Hanna Reed",
        "candidateName": "Cara Diaz",
        "candidateEmail": "cara@example.com",
        "responseCount": len(responses),
        **extra,
    }


@pytest.fixture
def make_snapshot() -> Callable[..., dict[str, Any]]:
    return _snapshot


@dataclass
class Stack(DatabaseProbe):
    """The analysis service's three roles running in this process against real Kafka, Postgres, Redis."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient
    producer: AIOKafkaProducer

    published: list[Envelope] = field(default_factory=list)
    media: list[str] = field(default_factory=list)

    async def publish(self, payload: dict[str, Any], *, event_id: uuid.UUID | None = None) -> Envelope:
        envelope = Envelope(
            event_type="invitation.completed",
            source="interviews",
            aggregate_id=payload["invitationId"],
            payload=payload,
            **({"event_id": event_id} if event_id else {}),
        )
        await self.producer.send_and_wait(
            self.settings.topic("interview-events"), envelope.to_json(), key=payload["invitationId"].encode()
        )
        self.published.append(envelope)
        return envelope

    async def publish_media(self, event: IntegrationEvent, *, event_id: uuid.UUID | None = None) -> Envelope:
        """A `media-events` event as the media service's outbox relay sends it (key = media id)."""
        media_id = event.payload()["mediaId"]
        envelope = Envelope.wrap(event, source="media", aggregate_id=media_id, correlation_id=None)
        if event_id is not None:
            envelope = envelope.model_copy(update={"event_id": event_id})
        await self.producer.send_and_wait(
            self.settings.topic("media-events"), envelope.to_json(), key=media_id.encode()
        )
        self.media.append(media_id)
        self.published.append(envelope)
        return envelope

    async def forget(self) -> None:
        """Delete what this stack wrote, and only that: other test runs may share the schema."""
        invitations = [uuid.UUID(e.aggregate_id) for e in self.published if e.source == "interviews"]
        events = [str(e.event_id) for e in self.published]
        async with self.sessions.begin() as session:
            await session.execute(
                text(
                    "DELETE FROM outbox WHERE key IN "
                    "(SELECT id::text FROM analysis_results WHERE invitation_id = ANY(:ids))"
                ),
                {"ids": invitations},
            )
            await session.execute(
                text("DELETE FROM analysis_results WHERE invitation_id = ANY(:ids)"), {"ids": invitations}
            )
            await session.execute(text("DELETE FROM processed_messages WHERE message_id = ANY(:ids)"), {"ids": events})
            await session.execute(text("DELETE FROM transcripts WHERE media_id = ANY(:ids)"), {"ids": self.media})


StackFactory = Callable[[Settings], Awaitable[Stack]]


@pytest.fixture
async def run_stack(engine: AsyncEngine, kafka_bootstrap: str) -> AsyncIterator[StackFactory]:
    """Start consumer, worker (with its outbox relay) and API for the given settings, under a topic prefix
    and arq queue of their own; stop, delete the topics and the rows it wrote afterwards."""
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start(base: Settings) -> Stack:
        settings = base.model_copy(update={"topic_prefix": f"{base.topic_prefix}{uuid.uuid4().hex[:6]}."})
        topics = [settings.topic(t) for t in (*TOPICS, "analysis-events")]
        await create_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        jobs = Jobs(settings)
        consumer = Consumer(settings, sessions, handlers(jobs), TOPICS)
        consumer_task = asyncio.create_task(consumer.run())
        worker = create_worker(build_worker_settings(settings), handle_signals=False, poll_delay=0.05)
        worker_task = asyncio.create_task(worker.async_run())
        lifespan = LifespanManager(create_app(settings))
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=lifespan.app), base_url="http://analysis")
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        stack = Stack(settings=settings, sessions=sessions, client=client, producer=producer)

        async def stop() -> None:
            try:
                await producer.stop()
                await client.aclose()
                await lifespan.__aexit__(None, None, None)
                consumer.stopping.set()
                await asyncio.wait_for(consumer_task, 30)
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
                # Jobs in flight (a cron sweep, say) finish first: close() would cancel them and then
                # stop on the CancelledError before its shutdown hook closes the relay.
                await asyncio.wait_for(asyncio.gather(*worker.tasks.values(), return_exceptions=True), 60)
                await worker.close()
                await jobs.close()
            finally:
                await delete_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
                await stack.forget()

        cleanups.append(stop)
        return stack

    yield start
    for stop in reversed(cleanups):
        await stop()

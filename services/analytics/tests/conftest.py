"""Fixtures: the service's test settings and migrated Postgres schema (from the kit), and a running analytics
app per test: its own embedded ClickHouse under tmp_path, its own Kafka topics (a prefix of the test's own,
deleted afterwards) and the consumer running inside the app as in the local stack; events are published to
Kafka with the real producer, and the contracts' models build them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.consumers import TOPICS
from analytics.main import create_app
from analytics.settings import Settings
from analytics.warehouse import Warehouse
from kit.contracts import analysis, billing, interviews, media, notifications, privacy, users
from kit.domain import IntegrationEvent
from kit.events import Envelope
from kit.kafka import make_producer
from kit.testing import (
    TOPIC_PREFIX,
    Caller,
    Clock,
    create_topics,
    database_fixtures,
    delete_topics,
    in_process_client,
    settings_for_tests,
)

# Every scripted event happens on this day or the next; the queries ask for the days around it.
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(Settings, "analytics", ingest_flush_ms=100)


migrated, engine = database_fixtures(Path(__file__).resolve().parents[1])


@dataclass
class Stack:
    """The app with its consumer, the producer that feeds it, and the warehouse it writes."""

    app: FastAPI
    client: httpx.AsyncClient
    producer: AIOKafkaProducer
    settings: Settings
    sent: int = 0

    @property
    def warehouse(self) -> Warehouse:
        warehouse: Warehouse = self.app.state.warehouse
        return warehouse

    async def publish(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            topic = self.settings.topic(_topic_of(envelope.event_type))
            await self.producer.send_and_wait(topic, envelope.to_json(), key=envelope.aggregate_id.encode())
            self.sent += 1

    async def publish_raw(self, logical_topic: str, value: bytes) -> None:
        await self.producer.send_and_wait(self.settings.topic(logical_topic), value)

    async def applied(self, result: str = "ok") -> int:
        """Records of this test's topics the consumer finished with `result`, from its /metrics."""
        text = (await self.client.get("/metrics")).text
        return int(
            sum(
                sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
                if sample.name == "kafka_messages_total"
                and sample.labels["topic"].startswith(self.settings.topic_prefix)
                and sample.labels["result"] == result
            )
        )

    async def ingested(self) -> None:
        """Wait until every record published so far is in ClickHouse (the consumer is asynchronous)."""
        async with asyncio.timeout(60):
            while await self.applied() < self.sent:
                await asyncio.sleep(0.1)


_TOPICS: dict[str, str] = {}


def _topic_of(event_type: str) -> str:
    if not _TOPICS:
        # privacy's `subject.erased` has a class per reporting service's topic: any of them reaches analytics.
        for module in (interviews, analysis, notifications, users, media, billing, privacy):
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, IntegrationEvent) and hasattr(value, "TYPE"):
                    _TOPICS[value.TYPE] = value.TOPIC
    return _TOPICS[event_type]


@pytest.fixture
async def stack(
    request: pytest.FixtureRequest,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    kafka_bootstrap: str,
) -> AsyncIterator[Stack]:
    """A test may change settings by parametrizing this fixture indirectly with a dict of them."""
    own = settings.model_copy(
        update={
            "topic_prefix": f"{TOPIC_PREFIX}analytics-{uuid.uuid4().hex[:8]}-",
            "clickhouse_dsn": f"chdb://{tmp_path / 'clickhouse'}",
            **getattr(request, "param", {}),
        }
    )
    topics = [own.topic(t) for t in TOPICS]
    topics += [f"{t}-dlq" for t in topics]
    await create_topics(kafka_bootstrap, topics, partitions=2)
    producer = await make_producer(own)
    app = create_app(own)
    try:
        async with in_process_client(app, sessions) as client:
            app.state.clock = Clock(DAY + timedelta(days=3))
            await app.state.warehouse.ready(timeout_s=120)
            yield Stack(app, client, producer, own)
    finally:
        await producer.stop()
        await delete_topics(kafka_bootstrap, topics)


def envelope(event: IntegrationEvent, at: datetime, *, aggregate: str | None = None) -> Envelope:
    wrapped = Envelope.wrap(event, source="test", aggregate_id=aggregate or str(uuid.uuid4()), correlation_id=None)
    return wrapped.model_copy(update={"occurred_at": at})


def ids() -> str:
    return str(uuid.uuid4())


@dataclass
class Invitation:
    """One candidate's invitation, and the events of each step it reaches."""

    company_id: str
    template_id: str
    template_title: str = "Backend engineer"
    id: str = field(default_factory=ids)
    candidate_id: str = field(default_factory=ids)
    hr_id: str = field(default_factory=ids)
    at: datetime = DAY

    def created(self) -> Envelope:
        return envelope(
            interviews.InvitationCreated(
                invitation_id=self.id,
                template_id=self.template_id,
                template_title=self.template_title,
                candidate_id=self.candidate_id,
                company_id=self.company_id,
                company_name="Acme",
                invited_by=self.hr_id,
                expires_at=self.at + timedelta(days=7),
            ),
            self.at,
            aggregate=self.id,
        )

    def opened(self, after: timedelta = timedelta(hours=1)) -> Envelope:
        return envelope(
            interviews.InvitationOpened(
                invitation_id=self.id,
                template_id=self.template_id,
                candidate_id=self.candidate_id,
                company_id=self.company_id,
                opened_at=self.at + after,
            ),
            self.at + after,
            aggregate=self.id,
        )

    def started(self, after: timedelta = timedelta(hours=2)) -> Envelope:
        return envelope(
            interviews.InvitationStarted(
                invitation_id=self.id, candidate_id=self.candidate_id, started_at=self.at + after, hr_user_id=self.hr_id
            ),
            self.at + after,
            aggregate=self.id,
        )

    def answered(self, question_id: str, after: timedelta) -> Envelope:
        return envelope(
            interviews.InvitationResponseSubmitted(
                invitation_id=self.id, question_id=question_id, response_type="video"
            ),
            self.at + after,
            aggregate=self.id,
        )

    def completed(
        self,
        questions: Sequence[tuple[str, str]] = (),
        durations: dict[str, int] | None = None,
        after: timedelta = timedelta(hours=3),
    ) -> Envelope:
        snapshots = [
            interviews.QuestionSnapshot(
                id=qid, text=text, type="video", order=i + 1, order_index=i, time_limit=120, required=True
            )
            for i, (qid, text) in enumerate(questions)
        ]
        responses = [
            interviews.ResponseSnapshot(
                id=ids(), question_id=qid, response_type="video", duration=(durations or {}).get(qid, 60)
            )
            for qid, _ in questions
        ]
        return envelope(
            interviews.InvitationCompleted(
                invitation_id=self.id,
                candidate_id=self.candidate_id,
                company_id=self.company_id,
                template_id=self.template_id,
                template_title=self.template_title,
                company_name="Acme",
                completed_at=self.at + after,
                completed_reason="submitted",
                language="en",
                questions=snapshots,
                responses=responses,
                hr_user_id=self.hr_id,
                response_count=len(responses),
            ),
            self.at + after,
            aggregate=self.id,
        )

    def analysed(self, score: int, recommendation: Any, after: timedelta = timedelta(hours=3, minutes=30)) -> Envelope:
        return envelope(
            analysis.AnalysisCompleted(
                analysis_id=uuid.uuid4(),
                invitation_id=uuid.UUID(self.id),
                candidate_id=self.candidate_id,
                template_id=self.template_id,
                company_id=self.company_id,
                questions_analyzed=3,
                processing_time_ms=1000,
                total_tokens_used=1500,
                engine="offline",
                occurred_at=self.at + after,
                overall_score=score,
                recommendation=recommendation,
            ),
            self.at + after,
        )

    def decided(self, approved: bool, reviewer: str, after: timedelta = timedelta(hours=27)) -> Envelope:
        kind = interviews.CandidateApproved if approved else interviews.CandidateRejected
        return envelope(
            kind(
                invitation_id=self.id,
                candidate_id=self.candidate_id,
                template_id=self.template_id,
                template_title=self.template_title,
                company_name="Acme",
                hr_user_id=reviewer,
                decided_at=self.at + after,
            ),
            self.at + after,
            aggregate=self.id,
        )


def hr_of(company_id: str) -> dict[str, str]:
    """An HR user whose billed account (resolved by the gateway from membership) is the company."""
    return {**Caller("hr").headers, "x-company-id": company_id}


def admin() -> dict[str, str]:
    return Caller("admin").headers


def candidate() -> dict[str, str]:
    return Caller("candidate").headers

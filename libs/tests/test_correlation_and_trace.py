"""A correlation id and a trace id travel HTTP → outbox → Kafka → the consumer's log."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.app import create_service_app
from kit.db import Sessions, make_sessionmaker, transaction
from kit.domain import AggregateRoot, IntegrationEvent
from kit.events import Envelope
from kit.kafka import Consumer, make_producer
from kit.outbox import OutboxMessage, Relay
from kit.settings import ServiceSettings
from kit.testing import consume


class NoteBase(DeclarativeBase):
    pass


class NoteWritten(IntegrationEvent):
    TYPE: ClassVar[str] = "note.written"
    TOPIC: ClassVar[str] = "note-events"

    note_id: str


class Note(NoteBase, AggregateRoot):
    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)


router = APIRouter()


@router.post("/notes", status_code=201)
async def write_note(sessions: Sessions) -> dict[str, str]:
    async with transaction(sessions) as session:
        note = Note(id=uuid.uuid4().hex)
        note.record(NoteWritten(note_id=note.id))
        session.add(note)
    return {"id": note.id}


@pytest.fixture
async def notes(engine: AsyncEngine, settings: ServiceSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with engine.begin() as conn:
        await conn.run_sync(NoteBase.metadata.create_all)
    yield make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE notes, outbox, processed_messages RESTART IDENTITY"))


def _log_lines(out: str) -> list[dict[str, object]]:
    lines = []
    for line in out.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


async def test_correlation_and_trace_ids_reach_the_consumer_log(
    notes: async_sessionmaker[AsyncSession],
    settings: ServiceSettings,
    make_topics,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (topic,) = await make_topics("note-events")
    app = create_service_app(settings, routers=[router])
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test") as client,
    ):
        response = await client.post("/notes", headers={"x-correlation-id": "journey-42"})
    assert response.status_code == 201
    http_log = next(x for x in _log_lines(capsys.readouterr().out) if x.get("event") == "http.request")
    trace_id = http_log["trace_id"]
    assert http_log["correlationId"] == "journey-42"

    async with notes() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
    assert row.headers["x-correlation-id"] == "journey-42"
    assert row.headers["traceparent"].split("-")[1] == trace_id
    relay = Relay(
        notes,
        lambda: make_producer(settings),
        service="kit_test",
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
    )
    assert await relay.relay_once() == 1
    await relay.close()

    (record,) = await consume(kafka_bootstrap, topic, 1)
    headers = {k: v.decode() for k, v in record.headers}
    assert headers["x-correlation-id"] == "journey-42"
    assert Envelope.model_validate_json(record.value).correlation_id == "journey-42"

    async def noted(session: AsyncSession, envelope: Envelope) -> None:
        return None

    consumer = Consumer(settings, notes, {"note.written": noted}, ["note-events"])
    assert await consumer.handle(record) == "ok"
    await consumer.close()
    consumer_log = next(x for x in _log_lines(capsys.readouterr().out) if x.get("event") == "kafka.processed")
    assert consumer_log["correlationId"] == "journey-42"
    assert consumer_log["trace_id"] == trace_id
    assert consumer_log["service"] == "kit_test"

"""The scaffold runs for real: the app answers, the migration made the messaging tables, and the consumer
subscribes to no topic before it has a handler; an event it cannot handle is counted, never marked processed."""

from __future__ import annotations

import httpx
from aiokafka import ConsumerRecord
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.consumers import HANDLERS, TOPICS
from billing.settings import Settings
from kit.contracts.users import UserCreated
from kit.events import Envelope
from kit.kafka import Consumer
from kit.outbox import ProcessedMessage


async def test_the_app_answers_health_and_readiness_and_documents_its_api(client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    ready = await client.get("/ready")
    spec = await client.get("/openapi.json")

    assert health.json() == {"status": "ok", "service": "billing"}
    assert ready.status_code == 200
    assert spec.json()["info"]["title"] == "billing service"


async def test_the_first_migration_created_the_outbox_and_processed_messages_tables(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        tables = await session.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'billing'")
        )
        assert {"outbox", "processed_messages"} <= set(tables)


def test_the_consumer_subscribes_to_no_topic_while_it_handles_no_event() -> None:
    assert HANDLERS == {}
    assert TOPICS == []


def _skipped(topic: str) -> float:
    labels = {"service": "billing", "topic": topic, "result": "skipped"}
    return REGISTRY.get_sample_value("kafka_messages_total", labels) or 0.0


async def test_an_event_without_a_handler_is_counted_as_skipped_and_not_marked_processed(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    envelope = Envelope(event_type=UserCreated.TYPE, source="users", aggregate_id="u-1", payload={})
    value = envelope.model_dump_json(by_alias=True).encode()
    record = ConsumerRecord("user-events", 0, 0, 0, 0, b"u-1", value, None, 3, len(value), [])
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)
    skipped_before = _skipped("user-events")

    assert await consumer.handle(record) == "skipped"
    assert _skipped("user-events") == skipped_before + 1
    async with sessions() as session:
        marked = await session.scalar(select(func.count()).where(ProcessedMessage.message_id == str(envelope.event_id)))
    assert marked == 0

"""The gauges read from a service's tables: the age of the oldest unpublished outbox row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit.db import make_sessionmaker
from kit.dbgauges import refresh_outbox_age
from kit.domain import utcnow
from kit.outbox import OutboxMessage, Relay
from kit.settings import ServiceSettings
from kit.worker import refresh_outbox_backlog

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(engine: AsyncEngine, settings: ServiceSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    yield make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))


async def add_row(sessions: async_sessionmaker[AsyncSession], created_at: datetime, *, published: bool) -> None:
    async with sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                event_id=uuid.uuid4(),
                topic="widgets",
                key="w-1",
                event_type="widget.changed",
                payload={},
                created_at=created_at,
                published_at=created_at if published else None,
            )
        )


def exported() -> float | None:
    return REGISTRY.get_sample_value("outbox_oldest_age_seconds", {"service": "dbgauges-test"})


async def test_the_outbox_age_is_that_of_the_oldest_unpublished_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_row(sessions, NOW - timedelta(hours=2), published=True)
    await add_row(sessions, NOW - timedelta(minutes=10), published=False)
    await add_row(sessions, NOW - timedelta(minutes=1), published=False)

    age = await refresh_outbox_age(sessions, "dbgauges-test", now=NOW)

    assert age == 600.0
    assert exported() == 600.0


async def test_an_outbox_with_nothing_waiting_has_age_zero(sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_row(sessions, NOW - timedelta(hours=2), published=True)

    assert await refresh_outbox_age(sessions, "dbgauges-test", now=NOW) == 0.0
    assert exported() == 0.0


async def test_the_workers_backlog_job_also_publishes_the_outbox_age(
    sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings
) -> None:
    await add_row(sessions, utcnow() - timedelta(minutes=5), published=False)

    async def no_producer() -> AIOKafkaProducer:
        raise AssertionError("counting the backlog sends nothing")

    relay = Relay(sessions, no_producer, service=settings.service_name, schema=settings.schema_name)
    backlog = await refresh_outbox_backlog({"relay": relay, "sessions": sessions, "settings": settings})

    age = REGISTRY.get_sample_value("outbox_oldest_age_seconds", {"service": settings.service_name})
    assert backlog == 1
    assert age is not None and age >= 300.0

"""A Kafka outage loses no event: a throwaway broker of our own is stopped while commands commit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import String, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from devstack.kafka import KafkaBroker
from kit.db import make_sessionmaker, transaction
from kit.domain import AggregateRoot, IntegrationEvent
from kit.events import Envelope
from kit.kafka import make_producer
from kit.outbox import OutboxMessage, Relay
from kit.settings import ServiceSettings
from kit.testing import consume_until, free_port

COMMANDS = 1000


class OutageBase(DeclarativeBase):
    pass


class OrderPlaced(IntegrationEvent):
    TYPE: ClassVar[str] = "order.placed"
    TOPIC: ClassVar[str] = "order-events"

    order_id: str


class Order(OutageBase, AggregateRoot):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)

    @classmethod
    def place(cls) -> Order:
        order = cls(id=uuid.uuid4().hex)
        order.record(OrderPlaced(order_id=order.id))
        return order


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    home: Path = tmp_path_factory.mktemp("outage-kafka")
    broker = KafkaBroker(home, free_port(), free_port(), heap="384m")
    broker.start()
    broker.wait_ready(120)
    yield broker
    broker.kill()


@pytest.fixture
async def orders(engine: AsyncEngine, settings: ServiceSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with engine.begin() as conn:
        await conn.run_sync(OutageBase.metadata.create_all)
    yield make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE orders, outbox RESTART IDENTITY"))


async def _place_order(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(sessions) as session:
        session.add(Order.place())


async def _backlog(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (
            await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))
            )
            or 0
        )


@pytest.mark.slow
async def test_a_broker_stopped_while_a_thousand_commands_commit_loses_none_of_their_events(
    broker: KafkaBroker, orders: async_sessionmaker[AsyncSession], settings: ServiceSettings
) -> None:
    topic = f"{settings.topic_prefix}order-events"
    await asyncio.to_thread(broker.create_topics, [topic, f"{topic}-dlq"])
    target = settings.model_copy(update={"kafka_bootstrap": broker.bootstrap, "kafka_request_timeout_s": 3.0})
    relay = Relay(
        orders,
        lambda: make_producer(target),
        service="kit_test",
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
        send_timeout_s=5.0,
    )
    stop = asyncio.Event()
    relaying = asyncio.create_task(
        relay.run(settings.database_url.replace("+asyncpg", ""), poll_interval_s=0.5, stop=stop)
    )
    try:
        await _place_order(orders)
        async with asyncio.timeout(60):
            while await _backlog(orders):
                await asyncio.sleep(0.1)

        await asyncio.to_thread(broker.stop)
        for _ in range(COMMANDS):
            await _place_order(orders)
        await asyncio.sleep(2)  # the relay keeps trying against the stopped broker meanwhile
        assert await _backlog(orders) == COMMANDS

        await asyncio.to_thread(broker.start)
        await asyncio.to_thread(broker.wait_ready, 120)
        async with asyncio.timeout(180):
            while await _backlog(orders):
                await asyncio.sleep(0.2)
    finally:
        stop.set()
        await relaying
        await relay.close()

    async with orders() as session:
        staged = set((await session.scalars(select(OutboxMessage.event_id))).all())

    def ids(records: list[ConsumerRecord[bytes, bytes]]) -> set[uuid.UUID]:
        return {Envelope.model_validate_json(r.value).event_id for r in records}

    records = await consume_until(broker.bootstrap, topic, lambda rs: staged <= ids(rs), timeout_s=120)
    assert len(staged) == COMMANDS + 1
    assert ids(records) == staged

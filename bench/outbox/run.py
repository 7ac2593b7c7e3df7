"""Outbox benchmark: relay throughput beside a raw idempotent producer, and commit→consumer-effect
latency with the NOTIFY-woken relay beside a poll-only relay, all in one run on the local stack.

Runs in its own schema (`bench_outbox`) of the test database and under its own topic prefix, so it
never touches the data of `make up`. Usage: `make bench-outbox` (or `uv run python bench/outbox/run.py`)."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import ClassVar

from aiokafka import AIOKafkaProducer
from sqlalchemy import String, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.db import make_engine, make_sessionmaker, transaction
from kit.domain import AggregateRoot, IntegrationEvent
from kit.events import Envelope
from kit.kafka import Consumer, make_producer
from kit.outbox import OutboxMessage, ProcessedMessage, Relay
from kit.settings import ServiceSettings
from kit.testing import create_topics, delete_topics, superuser_url

SCHEMA = "bench_outbox"


class BenchBase(DeclarativeBase):
    pass


class Pinged(IntegrationEvent):
    TYPE: ClassVar[str] = "bench.pinged"
    TOPIC: ClassVar[str] = "bench-events"

    n: int


class Ping(BenchBase, AggregateRoot):
    __tablename__ = "pings"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def raw_producer_rate(settings: ServiceSettings, topic: str, n: int, payload: bytes) -> float:
    producer: AIOKafkaProducer = await make_producer(settings)
    started = time.perf_counter()
    futures = [await producer.send(topic, payload, key=str(i % 64).encode()) for i in range(n)]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    await producer.stop()
    return n / elapsed


async def relay_rate(
    sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings, n: int, *, pipelined: bool
) -> tuple[float, int]:
    """Rows a second from a full outbox to Kafka: `drain` (pipelined, what the worker runs) or a loop of
    `relay_once` (one batch sent and acknowledged before the next is claimed: the relay before 2026-12-05)."""
    rows = []
    for i in range(n):
        env = Envelope.wrap(Pinged(n=i), source="bench", aggregate_id=str(i % 64), correlation_id=None)
        rows.append(
            {
                "event_id": env.event_id,
                "topic": Pinged.TOPIC,
                "key": env.aggregate_id,
                "event_type": env.event_type,
                "payload": env.model_dump(mode="json", by_alias=True),
                "headers": {},
            }
        )
    async with sessions() as session, session.begin():
        for start in range(0, n, 5000):
            await session.execute(insert(OutboxMessage), rows[start : start + 5000])
    relay = Relay(
        sessions,
        lambda: make_producer(settings),
        service="bench",
        schema=SCHEMA,
        topic_prefix=settings.topic_prefix,
        batch_size=settings.outbox_batch_size,
    )
    started = time.perf_counter()
    sent = 0
    if pipelined:
        sent = await relay.drain()
    else:
        while batch := await relay.relay_once():
            sent += batch
    elapsed = time.perf_counter() - started
    await relay.close()
    return sent / elapsed, sent


async def latency(
    sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings, commands: int, rate: float, *, notify: bool
) -> list[float]:
    committed_at: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = asyncio.Event()

    async def on_ping(session: AsyncSession, envelope: Envelope) -> None:
        seen[envelope.aggregate_id] = time.perf_counter()
        if len(seen) >= commands:
            done.set()

    group = settings.model_copy(update={"service_name": f"bench-{uuid.uuid4().hex[:6]}"})
    consumer = Consumer(group, sessions, {Pinged.TYPE: on_ping}, [Pinged.TOPIC])
    relay = Relay(
        sessions, lambda: make_producer(settings), service="bench", schema=SCHEMA, topic_prefix=settings.topic_prefix
    )
    stop = asyncio.Event()
    dsn = settings.database_url.replace("+asyncpg", "") if notify else None
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run(dsn, poll_interval_s=1.0, stop=stop))]
    await asyncio.sleep(3)  # let the consumer join its group before the clock starts
    for i in range(commands):
        ping = Ping(id=uuid.uuid4().hex)
        ping.record(Pinged(n=i))
        async with transaction(sessions) as session:
            session.add(ping)
        committed_at[ping.id] = time.perf_counter()
        await asyncio.sleep(1 / rate)
    await asyncio.wait_for(done.wait(), 120)
    consumer.stopping.set()
    stop.set()
    await asyncio.gather(*tasks)
    await relay.close()
    return [(seen[k] - committed_at[k]) * 1000 for k in committed_at]


async def main(args: argparse.Namespace) -> None:
    settings = ServiceSettings(
        service_name="bench",
        database_url=superuser_url(),
        db_schema=SCHEMA,
        topic_prefix=f"bench-{uuid.uuid4().hex[:6]}.",
        kafka_bootstrap=args.bootstrap,
    )
    engine = make_engine(settings.database_url, SCHEMA)
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        for table in (OutboxMessage.__table__, ProcessedMessage.__table__):
            await conn.run_sync(table.create)  # type: ignore[attr-defined]
        await conn.run_sync(BenchBase.metadata.create_all)
    sessions = make_sessionmaker(engine, service="bench", schema=SCHEMA)
    # Each phase gets topics of its own, so no phase's consumer reads another phase's messages.
    phases = {
        name: settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}{name}."})
        for name in ("raw", "relay", "pipelined", "notify", "poll")
    }
    topics = [t for p in phases.values() for t in (p.topic(Pinged.TOPIC), p.topic(Pinged.TOPIC) + "-dlq")]
    await create_topics(settings.kafka_bootstrap, topics)
    payload = Envelope.wrap(Pinged(n=0), source="bench", aggregate_id="0", correlation_id=None).to_json()
    try:
        raw = await raw_producer_rate(phases["raw"], phases["raw"].topic(Pinged.TOPIC), args.messages, payload)
        relayed, sent = await relay_rate(sessions, phases["relay"], args.messages, pipelined=False)
        pipelined, pipelined_sent = await relay_rate(sessions, phases["pipelined"], args.messages, pipelined=True)
        notified = await latency(sessions, phases["notify"], args.commands, args.rate, notify=True)
        polled = await latency(sessions, phases["poll"], args.commands, args.rate, notify=False)
    finally:
        await delete_topics(settings.kafka_bootstrap, topics)
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()

    print(f"outbox benchmark ({args.messages} messages of {len(payload)} B; {args.commands} commands at {args.rate}/s)")
    print(f"  raw idempotent producer (acks=all) : {raw:10.0f} msg/s")
    batch = settings.outbox_batch_size
    print(f"  relay, stop-and-wait (batch {batch})   : {relayed:10.0f} msg/s  ({sent} rows)")
    print(f"  relay, pipelined (batch {batch}, depth 4): {pipelined:10.0f} msg/s  ({pipelined_sent} rows)")
    print(f"  stop-and-wait / raw producer       : {relayed / raw:10.2f}x")
    print(f"  pipelined / raw producer           : {pipelined / raw:10.2f}x")
    print("  commit -> consumer effect latency, ms:")
    for name, values in (("NOTIFY-woken relay", notified), ("poll-only relay (1 s)", polled)):
        p50, p99 = statistics.median(values), pct(values, 0.99)
        print(f"    {name:22s} p50 {p50:8.1f}   p99 {p99:8.1f}   max {max(values):8.1f}")
    print(f"  p50 poll-only / NOTIFY             : {statistics.median(polled) / statistics.median(notified):10.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="commands per second in the latency run")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    asyncio.run(main(parser.parse_args()))

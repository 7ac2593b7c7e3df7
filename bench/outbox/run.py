"""Outbox benchmark: relay throughput beside a raw idempotent producer, and commit→consumer-effect
latency with the NOTIFY-woken relay beside a poll-only relay, all in one run on the local stack.

Runs in its own schema (`bench_outbox`) of the test database and under its own topic prefix, so it
never touches the data of `make up`. Usage: `make bench-outbox` (or `uv run python bench/outbox/run.py`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from typing import Any, ClassVar

from aiokafka import AIOKafkaProducer
from sqlalchemy import String, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.db import make_engine, make_sessionmaker, transaction
from kit.domain import AggregateRoot, IntegrationEvent
from kit.events import Envelope
from kit.kafka import Consumer, make_producer
from kit.observability import configure_logging
from kit.outbox import YIELD_EVERY, OutboxMessage, ProcessedMessage, Relay, all_acknowledged, kafka_headers
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


def outbox_rows(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
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
    return rows


async def empty_outbox(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Each phase starts from an empty table. Published rows leave dead entries in the unpublished-rows index, which
    every claim from the lowest id walks; vacuum would remove them, but the test database's other sessions hold
    snapshots that keep them, so without this a phase would pay for the rows of the phases before it."""
    async with sessions() as session, session.begin():
        await session.execute(text(f"TRUNCATE {OutboxMessage.__tablename__}"))


async def raw_producer_rate(settings: ServiceSettings, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """The same records the relay sends (value as Postgres renders the stored JSON, key, headers), straight from
    memory: what the relay would reach if reading and marking rows cost nothing."""
    records = [
        (
            json.dumps(row["payload"]).encode(),
            str(row["key"]).encode(),
            kafka_headers(row["headers"], row["event_type"], row["payload"]["version"]),
        )
        for row in rows
    ]
    producer: AIOKafkaProducer = await make_producer(settings)
    topic = settings.topic(Pinged.TOPIC)
    started, cpu = time.perf_counter(), time.process_time()
    futures = []
    # Sent as the relay sends (yielding every YIELD_EVERY records, one wait for all acknowledgements), minus the
    # database: without the yields the producer's sender would only run when a partition's batch is full.
    for value, key, headers in records:
        futures.append(await producer.send(topic, value, key=key, headers=headers))
        if len(futures) % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    await all_acknowledged(futures)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await producer.stop()
    return len(records) / elapsed, cpu / len(records) * 1e6


class StopAndWaitRelay(Relay):
    """The relay as it ran until 2026-12-05: one batch claimed, sent, acknowledged and marked before the next."""

    async def drain(self, wake: asyncio.Event | None = None) -> int:
        total = 0
        while (sent := await self.relay_once()) == self.batch_size:
            total += sent
        return total + sent


async def relay_rate(
    sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings, rows: list[dict[str, Any]], kind: type[Relay]
) -> tuple[float, int, float]:
    """Rows a second from a full outbox to Kafka, how many, and the relay's CPU-µs a row (its own process only)."""
    await empty_outbox(sessions)
    async with sessions() as session, session.begin():
        for start in range(0, len(rows), 5000):
            await session.execute(insert(OutboxMessage), rows[start : start + 5000])
    relay = kind(
        sessions,
        lambda: make_producer(settings),
        service="bench",
        schema=SCHEMA,
        topic_prefix=settings.topic_prefix,
        batch_size=settings.outbox_batch_size,
    )
    await relay._hand_over([])  # starts the producer, as the raw phase's does, outside the clock
    started, cpu = time.perf_counter(), time.process_time()
    sent = await relay.drain()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await relay.close()
    return sent / elapsed, sent, cpu / sent * 1e6


async def latency(
    sessions: async_sessionmaker[AsyncSession],
    settings: ServiceSettings,
    commands: int,
    rate: float,
    *,
    notify: bool,
    kind: type[Relay] = Relay,
) -> list[float]:
    committed_at: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = asyncio.Event()

    async def on_ping(session: AsyncSession, envelope: Envelope) -> None:
        seen[envelope.aggregate_id] = time.perf_counter()
        if len(seen) >= commands:
            done.set()

    await empty_outbox(sessions)
    group = settings.model_copy(update={"service_name": f"bench-{uuid.uuid4().hex[:6]}"})
    consumer = Consumer(group, sessions, {Pinged.TYPE: on_ping}, [Pinged.TOPIC])
    relay = kind(
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
    # A log line per consumed record would be most of the bench process's CPU.
    configure_logging("bench", "WARNING")
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
    names = [f"{kind}{r}" for r in range(args.repeat) for kind in ("raw", "stop", "pipe")]
    names += ["notify-stop", "notify-pipe", "poll"]
    phases = {name: settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}{name}."}) for name in names}
    topics = [t for p in phases.values() for t in (p.topic(Pinged.TOPIC), p.topic(Pinged.TOPIC) + "-dlq")]
    await create_topics(settings.kafka_bootstrap, topics)
    rows = outbox_rows(args.messages)
    size = len(json.dumps(rows[0]["payload"]))
    rounds: list[tuple[float, float, float]] = []
    cpus: list[tuple[float, float, float]] = []
    try:
        # Alternated (and the relays' order swapped every round), so a change in the machine's load between
        # phases shows as spread, not as a difference.
        for r in range(args.repeat):
            raw, raw_cpu = await raw_producer_rate(phases[f"raw{r}"], rows)
            rates: dict[str, float] = {}
            cpu: dict[str, float] = {}
            for kind in ("stop", "pipe") if r % 2 == 0 else ("pipe", "stop"):
                relay = StopAndWaitRelay if kind == "stop" else Relay
                rows_in = outbox_rows(args.messages)
                rates[kind], sent, cpu[kind] = await relay_rate(sessions, phases[f"{kind}{r}"], rows_in, relay)
                assert sent == args.messages
            stop, pipe = rates["stop"], rates["pipe"]
            rounds.append((raw, stop, pipe))
            cpus.append((raw_cpu, cpu["stop"], cpu["pipe"]))
            print(
                f"  round {r + 1}: raw {raw:7.0f}/s  stop-and-wait {stop:7.0f}/s  pipelined {pipe:7.0f}/s"
                f"  (pipelined/raw {pipe / raw:.2f}x; CPU-µs a row: raw {raw_cpu:.0f}, stop-and-wait {cpu['stop']:.0f},"
                f" pipelined {cpu['pipe']:.0f}; load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        stop_lat = await latency(
            sessions, phases["notify-stop"], args.commands, args.rate, notify=True, kind=StopAndWaitRelay
        )
        pipe_lat = await latency(sessions, phases["notify-pipe"], args.commands, args.rate, notify=True)
        polled = await latency(sessions, phases["poll"], args.commands, args.rate, notify=False)
    finally:
        await delete_topics(settings.kafka_bootstrap, topics)
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()

    batch = settings.outbox_batch_size
    print(f"outbox benchmark ({args.messages} messages of {size} B, batch {batch}, {args.repeat} alternated rounds; "
          f"{args.commands} commands at {args.rate}/s)")  # fmt: skip
    for label, column in (("raw idempotent producer", 0), ("relay, stop-and-wait", 1), ("relay, pipelined", 2)):
        print(f"  {label:28s}: median {statistics.median(r[column] for r in rounds):8.0f} msg/s")
    for label, column in (("stop-and-wait / raw", 1), ("pipelined / raw", 2)):
        ratios = sorted(r[column] / r[0] for r in rounds)
        print(
            f"  {label:28s}: median {statistics.median(ratios):5.2f}x  (rounds {', '.join(f'{x:.2f}' for x in ratios)})"
        )
    for label, column in (("raw", 0), ("stop-and-wait", 1), ("pipelined", 2)):
        print(f"  CPU-µs a row, {label:15s}: median {statistics.median(c[column] for c in cpus):5.0f}  (bench process)")
    print("  commit -> consumer effect latency, ms:")
    for name, values in (
        ("stop-and-wait, NOTIFY", stop_lat),
        ("pipelined, NOTIFY", pipe_lat),
        ("poll only (1 s)", polled),
    ):
        p50, p99 = statistics.median(values), pct(values, 0.99)
        print(f"    {name:22s} p50 {p50:8.1f}   p99 {p99:8.1f}   max {max(values):8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="commands per second in the latency run")
    parser.add_argument("--repeat", type=int, default=3, help="alternated rounds of the throughput phases")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    asyncio.run(main(parser.parse_args()))

"""Transactional outbox: rows staged in the command's transaction, relayed to Kafka by the worker.

The relay is woken by LISTEN/NOTIFY (the NOTIFY is sent at COMMIT of the staging transaction), with a
poll as a safety net. One relay per schema holds an advisory lock, so rows leave in id order and the
per-key order of the aggregate survives several worker replicas."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    any_,
    delete,
    func,
    literal,
    select,
    text,
)
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import Executable

from kit.db import Base
from kit.domain import RECORDERS, AggregateRoot, IntegrationEvent, RecordedEvent, utcnow
from kit.events import Envelope
from kit.observability import (
    KAFKA_PRODUCED,
    OUTBOX_BACKLOG,
    OUTBOX_RELAY_FAILURES,
    OUTBOX_RELAYED,
    correlation_id,
    inject_headers,
)

log = structlog.get_logger("kit.outbox")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_published_at", "published_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    event_id: Mapped[UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


_OUTBOX = cast(Table, OutboxMessage.__table__)


class ProcessedMessage(Base):
    """(consumer, message_id) inserted in the effect's transaction: a redelivery becomes a no-op."""

    __tablename__ = "processed_messages"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def kafka_headers(stored: dict[str, str], event_type: str, version: str | None) -> list[tuple[str, bytes]]:
    headers = {**stored, "eventType": event_type, "version": version or ""}
    return [(k, v.encode()) for k, v in headers.items()]


def notify_channel(schema: str) -> str:
    return f"outbox_{schema}"


def stage(session: AsyncSession, event: IntegrationEvent, *, aggregate_id: UUID | str) -> None:
    """Stage an event that no aggregate recorded (e.g. a consumer's reaction)."""
    pending: list[RecordedEvent] = session.info.setdefault("_staged_events", [])
    pending.append(RecordedEvent(event=event, aggregate_id=aggregate_id))


async def stage_events(session: AsyncSession) -> int:
    recorded: list[RecordedEvent] = session.info.pop("_staged_events", [])
    seen: set[int] = set()
    for obj in (*session.info.pop(RECORDERS, []), *session.new, *session.identity_map.values()):
        if isinstance(obj, AggregateRoot) and id(obj) not in seen:
            seen.add(id(obj))
            recorded.extend(obj.pull_events())
    if not recorded:
        return 0
    service = session.info.get("service", "unknown")
    headers = inject_headers()
    rows = []
    for item in recorded:
        envelope = Envelope.wrap(
            item.event, source=str(service), aggregate_id=item.aggregate_id, correlation_id=correlation_id.get()
        )
        rows.append(
            {
                "event_id": envelope.event_id,
                "topic": item.event.TOPIC,
                "key": envelope.aggregate_id,
                "event_type": envelope.event_type,
                "payload": envelope.model_dump(mode="json", by_alias=True),
                "headers": headers,
            }
        )
    # Not through the session's unit of work, which spent a mapped object and a flush step on each row.
    staging: Executable = insert(_OUTBOX)
    schema = session.info.get("schema")
    if schema:
        # Delivered at COMMIT, dropped on ROLLBACK: the relay wakes exactly when there is work. Sent by the rows'
        # own INSERT, one round trip instead of two (Postgres delivers a channel's repeats in a transaction once).
        staging = insert(_OUTBOX).returning(func.pg_notify(notify_channel(schema), ""))
    await session.execute(staging, rows)
    await session.flush()
    return len(recorded)


_CLAIM = (
    "SELECT id, topic, convert_to(key, 'UTF8') AS key, event_type, headers::text AS headers,"
    " convert_to(payload::text, 'UTF8') AS value, payload->>'version' AS version"
    f" FROM {OutboxMessage.__tablename__} AS claim WHERE published_at IS NULL AND NOT EXISTS (SELECT FROM"
    " unnest($1::bigint[], $2::bigint[]) AS taken(low, high) WHERE claim.id BETWEEN low AND high)"
    " ORDER BY id LIMIT $3"
)
_CLAIM_FOR_UPDATE = _CLAIM + " FOR UPDATE SKIP LOCKED"
# How many records a sender gives the producer between yields to the event loop (see Relay._hand_over).
YIELD_EVERY = 100


def _runs(ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """`ids` as runs of consecutive integers, their low and high ends. Claimed ids are mostly consecutive, so the
    claim compares a row with a few runs: a list of every id cost a comparison per id and row under the generic
    plan, and an isinstance check per id to send."""
    lows: list[int] = []
    highs: list[int] = []
    for i in sorted(ids):
        if highs and i == highs[-1] + 1:
            highs[-1] = i
        else:
            lows.append(i)
            highs.append(i)
    return lows, highs


async def _driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session's, in its transaction."""
    connection = await (await session.connection()).get_raw_connection()
    driver: asyncpg.Connection = connection.driver_connection
    return driver


class _SendFailed(Exception):
    def __init__(self, ids: list[int], error: Exception) -> None:
        super().__init__(repr(error))
        self.ids = ids
        self.error = error


@dataclass
class _InFlight:
    """One claimed batch whose records the producer has accepted; `acked` resolves when Kafka acknowledged all."""

    ids: list[int]
    topics: list[str]
    acked: asyncio.Future[None]
    deadline: float


@dataclass
class _Pipeline:
    """A drain's shared state: batches handed over in claim order, how many rows are marked (always a prefix of
    `claimed`), and the first failure, after which nothing more is claimed or marked."""

    queue: asyncio.Queue[_InFlight | None]
    claimed: list[int] = field(default_factory=list)
    marked: int = 0
    failure: Exception | None = None


async def all_acknowledged(records: list[asyncio.Future[Any]]) -> None:
    """Returns once Kafka acknowledged every record, raises at the first failure. A partition's records in one
    produce request are acknowledged together, so waiting on the last pending record and then checking the others
    takes a few waits per batch, where gather() ran a callback per record (a fifth of the relay's CPU)."""
    pending = records
    while pending:
        await asyncio.wait((pending[-1],))
        failed = [record for record in pending if record.done() and (record.cancelled() or record.exception())]
        if failed:
            for record in records:
                record.add_done_callback(_retrieve)
            failed[0].result()  # raises its error
        pending = [record for record in pending if not record.done()]


def _retrieve(future: asyncio.Future[Any]) -> None:
    # A batch abandoned after an earlier one failed still resolves; reading its outcome keeps asyncio quiet.
    if not future.cancelled():
        future.exception()


class Relay:
    """Publishes unpublished outbox rows in id order with an idempotent, acks=all producer.

    `drain` (what `run` uses) pipelines: while one batch's records are on their way to Kafka the next batch is
    claimed and handed to the producer, and acknowledged batches are marked published in bulk. The producer keeps
    per-partition order (idempotent, one request in flight per partition), and rows are marked only as a prefix
    in id order: a batch after a failed one is never marked, so a retry re-sends from the first unacknowledged
    row and each key's events reach Kafka first in their order (at least once: a re-send may repeat some)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        make_producer: Callable[[], Awaitable[AIOKafkaProducer]],
        *,
        service: str,
        schema: str,
        topic_prefix: str = "",
        batch_size: int = 500,
        send_timeout_s: float = 15.0,
        pipeline_depth: int = 4,
        batches_per_lock: int = 40,
    ) -> None:
        self.sessions = sessions
        self.make_producer = make_producer
        self.producer: AIOKafkaProducer | None = None
        self.service = service
        self.schema = schema
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.send_timeout_s = send_timeout_s
        self.pipeline_depth = pipeline_depth
        # The lock's transaction ends after this many batches, so a steady stream cannot keep it open for long.
        self.batches_per_lock = batches_per_lock

    def _lock(self) -> Any:
        return select(func.pg_try_advisory_xact_lock(func.hashtext(f"outbox:{self.schema}")))

    async def relay_once(self) -> int:
        """One batch, sent and acknowledged before it returns; returns how many rows were published. Raises when
        Kafka refuses (rows stay). Tests and tools use it to publish deterministically; `run` uses `drain`."""
        try:
            return await self._relay_batch()
        except _SendFailed as failed:
            # Recorded only after the batch's transaction rolled back and released its row locks.
            await self._discard_producer()
            await self._record_failure(failed.ids, failed.error)
            raise failed.error from None

    async def drain(self, wake: asyncio.Event | None = None) -> int:
        """Publishes every unpublished row, pipelined; returns how many. Raises when Kafka refuses: the rows
        not acknowledged stay unpublished, with the attempt and error recorded. With `wake` (set on NOTIFY), rows
        committed while earlier batches are still on their way to Kafka are claimed at once."""
        total = 0
        while True:
            try:
                published, more = await self._drain_locked(wake)
            except _SendFailed as failed:
                await self._discard_producer()
                await self._record_failure(failed.ids, failed.error)
                raise failed.error from None
            total += published
            if not more:
                return total

    async def _claim(
        self, driver: asyncpg.Connection, *, skip: Sequence[int] = (), for_update: bool = False
    ) -> Sequence[asyncpg.Record]:
        """The lowest unpublished rows but those in `skip`, read on the asyncpg connection of the claiming session
        (`_driver`), in its transaction: key and value come back as the bytes Kafka is given, headers as their stored
        JSON text, with no SQLAlchemy row processing (which decoded every row's headers)."""
        # The rows this drain claimed and has not marked yet, not a cursor past the last claimed id: a row whose
        # transaction took a lower id but committed later (an invitation's start) must still leave before the same
        # key's later rows (its answers, written after it committed), which a cursor would send first.
        lows, highs = _runs(skip)
        rows: list[asyncpg.Record] = await driver.fetch(
            _CLAIM_FOR_UPDATE if for_update else _CLAIM, lows, highs, self.batch_size
        )
        return rows

    async def _relay_batch(self) -> int:
        async with self.sessions() as session, session.begin():
            if not await session.scalar(self._lock()):
                return 0
            batch = await self._claim(await _driver(session), for_update=True)
            if not batch:
                return 0
            try:
                sending = await self._hand_over(batch)
                await asyncio.wait_for(sending.acked, self.send_timeout_s)
            except Exception as exc:
                raise _SendFailed([row["id"] for row in batch], exc) from exc
            await session.execute(self._published(sending.ids))
        self._count_published(sending)
        return len(sending.ids)

    async def _drain_locked(self, wake: asyncio.Event | None) -> tuple[int, bool]:
        """Up to `batches_per_lock` batches under the advisory lock; returns rows published and whether rows may
        remain. Three things overlap: the next batch is read (in the lock's transaction; no row locks, the advisory
        lock already excludes every other relay of the schema) while this one is handed to the producer, and
        `_mark_in_order` marks acknowledged batches in transactions of their own, so a failure later in the
        pipeline keeps what Kafka already acknowledged."""
        pipeline = _Pipeline(asyncio.Queue(maxsize=self.pipeline_depth))
        batches, woken = 0, False
        async with self.sessions() as claims, claims.begin():
            if not await claims.scalar(self._lock()):
                return 0, False
            driver = await _driver(claims)
            marker = asyncio.create_task(self._mark_in_order(pipeline))
            claiming: asyncio.Task[Sequence[asyncpg.Record]] | None = None
            try:
                while pipeline.failure is None and batches < self.batches_per_lock:
                    batch = (
                        await claiming
                        if claiming
                        else await self._claim(driver, skip=pipeline.claimed[pipeline.marked :])
                    )
                    claiming = None
                    if not batch:
                        if wake is not None and await _woken_before(wake, pipeline.queue.join()):
                            woken = True
                            continue
                        break
                    batches += 1
                    pipeline.claimed.extend(row["id"] for row in batch)
                    if batches < self.batches_per_lock:
                        # Only the rows not yet marked: the marked ones are published, which the claim sees.
                        unmarked = pipeline.claimed[pipeline.marked :]
                        claiming = asyncio.create_task(self._claim(driver, skip=unmarked))
                        # Lets the claim's query leave now, not at the hand-over's first yield (YIELD_EVERY sends in).
                        await asyncio.sleep(0)
                    await pipeline.queue.put(await self._hand_over(batch))
            except Exception as exc:
                pipeline.failure = pipeline.failure or exc
            except BaseException:
                marker.cancel()
                raise
            finally:
                if claiming is not None:
                    # The claims session must be idle before its transaction ends.
                    with contextlib.suppress(Exception):
                        await claiming
            await pipeline.queue.put(None)
            await marker
        if woken and wake is not None:
            # Rows committed while this drain ended its lock's transaction are drained by the next one.
            wake.set()
        if pipeline.failure is not None:
            raise _SendFailed(pipeline.claimed[pipeline.marked :], pipeline.failure)
        return pipeline.marked, batches == self.batches_per_lock

    async def _hand_over(self, batch: Sequence[asyncpg.Record]) -> _InFlight:
        """Gives the batch's records to the producer (started on first use) without waiting for Kafka. send()
        waits only while the partition's open batch is full and the one before it is still in flight."""
        # Rows staged in one transaction share their stored headers: each distinct set is decoded and built once.
        headers: dict[tuple[str, str, str | None], list[tuple[str, bytes]]] = {}
        topics = [self.topic_prefix + row["topic"] for row in batch]
        async with asyncio.timeout(self.send_timeout_s):
            if self.producer is None:
                self.producer = await self.make_producer()
            producer = self.producer
            futures = []
            for topic, (_, _, key, event_type, stored, value, version) in zip(topics, batch, strict=True):
                built = headers.get((stored, event_type, version))
                if built is None:
                    built = kafka_headers(json.loads(stored), event_type, version)
                    headers[stored, event_type, version] = built
                # The idempotent producer keeps per-partition order across retries.
                futures.append(await producer.send(topic, value, key=key, headers=built))
                if len(futures) % YIELD_EVERY == 0:
                    # send() suspends only when a partition's batch is full: without this, the producer's sender
                    # would send nothing, and no acknowledgement, claim or mark would be read, until the batch's end.
                    await asyncio.sleep(0)
        return _InFlight(
            ids=[row["id"] for row in batch],
            topics=topics,
            acked=asyncio.ensure_future(all_acknowledged(futures)),
            deadline=asyncio.get_running_loop().time() + self.send_timeout_s,
        )

    async def _mark_in_order(self, pipeline: _Pipeline) -> None:
        """Waits for each batch's acknowledgement in claim order and marks acknowledged batches published, those
        ready together in one statement. After a failure nothing more is marked, so the published rows stay a
        prefix of the claimed ones; the batches still queued are only drained. Each batch is `task_done` once
        settled, so `queue.join()` says when nothing is in flight."""
        queue = pipeline.queue
        carry: _InFlight | None = None
        ended = False
        while True:
            if carry is not None:
                head, carry = carry, None
            elif ended:
                return
            elif (got := await queue.get()) is None:
                queue.task_done()
                return
            else:
                head = got
            done = [head]
            try:
                if pipeline.failure is not None:
                    head.acked.add_done_callback(_retrieve)
                    continue
                timeout = max(head.deadline - asyncio.get_running_loop().time(), 0.0)
                await asyncio.wait_for(asyncio.shield(head.acked), timeout)
                while not queue.empty():
                    queued = queue.get_nowait()
                    if queued is None:
                        queue.task_done()
                        ended = True
                        break
                    if not queued.acked.done() or queued.acked.cancelled() or queued.acked.exception():
                        carry = queued  # waited for (or failed) on its own, after the ready ones are marked
                        break
                    done.append(queued)
                await self._mark(done)
                pipeline.marked += sum(len(sending.ids) for sending in done)
            except Exception as exc:
                pipeline.failure = exc
                for sending in done:
                    sending.acked.add_done_callback(_retrieve)
            finally:
                for _ in done:
                    queue.task_done()

    async def _mark(self, done: list[_InFlight]) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(self._published([i for sending in done for i in sending.ids]))
        for sending in done:
            self._count_published(sending)

    @staticmethod
    def _published(ids: list[int]) -> Any:
        # One array parameter, so every batch size shares one prepared statement.
        return (
            sa_update(OutboxMessage)
            .where(OutboxMessage.id == any_(literal(ids, ARRAY(BigInteger))))
            .values(published_at=utcnow(), attempts=OutboxMessage.attempts + 1, last_error=None)
            .execution_options(synchronize_session=False)
        )

    def _count_published(self, sending: _InFlight) -> None:
        OUTBOX_RELAYED.labels(self.service).inc(len(sending.ids))
        for topic, count in Counter(sending.topics).items():
            KAFKA_PRODUCED.labels(self.service, topic, "success").inc(count)
        log.debug("outbox.relayed", count=len(sending.ids), last_id=sending.ids[-1])

    async def _discard_producer(self) -> None:
        """A failed batch is re-sent whole from the table; a fresh producer makes sure the old one's
        buffered copies cannot land after the re-sent ones and break per-key order."""
        producer, self.producer = self.producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 2.0)

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            await producer.stop()

    async def _record_failure(self, ids: list[int], exc: Exception) -> None:
        OUTBOX_RELAY_FAILURES.labels(self.service).inc()
        KAFKA_PRODUCED.labels(self.service, "", "failure").inc(len(ids))
        log.warning("outbox.relay_failed", error=repr(exc), rows=len(ids))
        with contextlib.suppress(Exception):
            async with self.sessions() as session, session.begin():
                await session.execute(
                    sa_update(OutboxMessage)
                    .where(OutboxMessage.id == any_(literal(ids, ARRAY(BigInteger))))
                    .values(attempts=OutboxMessage.attempts + 1, last_error=repr(exc)[:2000])
                )

    async def backlog(self) -> int:
        async with self.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))
            )
        OUTBOX_BACKLOG.labels(self.service).set(count or 0)
        return count or 0

    async def run(self, dsn: str | None, *, poll_interval_s: float = 1.0, stop: asyncio.Event | None = None) -> None:
        """Drain, then sleep until NOTIFY or the poll interval; back off while Kafka is down.
        With no dsn the relay only polls (the benchmark's baseline)."""
        stop = stop or asyncio.Event()
        wake = asyncio.Event()
        listener = await self._listen(dsn, wake) if dsn else None
        failures = 0
        try:
            while not stop.is_set():
                wake.clear()
                try:
                    await self.drain(wake)
                    failures = 0
                    if not wake.is_set():  # measured when the relay goes idle (and by the worker's cron job)
                        await self.backlog()
                except Exception:
                    failures += 1
                delay = poll_interval_s if failures == 0 else min(0.2 * 2**failures, 5.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(wake, stop), delay)
                if dsn and (listener is None or listener.is_closed()):
                    listener = await self._listen(dsn, wake)
        finally:
            if listener is not None and not listener.is_closed():
                await listener.close()

    async def _listen(self, dsn: str, wake: asyncio.Event) -> asyncpg.Connection | None:
        try:
            conn = await asyncpg.connect(dsn)
            await conn.add_listener(notify_channel(self.schema), lambda *_: wake.set())
            return conn
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("outbox.listen_failed", error=repr(exc))
            return None

    async def cleanup(self, retention: timedelta) -> int:
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                delete(OutboxMessage).where(OutboxMessage.published_at < utcnow() - retention)
            )
        return result.rowcount or 0  # type: ignore[attr-defined]


async def _woken_before(wake: asyncio.Event, settled: Awaitable[None]) -> bool:
    """Waits until `wake` is set (then clears it and says True) or `settled` is done (False)."""
    woken = asyncio.ensure_future(wake.wait())
    other = asyncio.ensure_future(settled)
    try:
        await asyncio.wait((woken, other), return_when=asyncio.FIRST_COMPLETED)
    finally:
        other.cancel()
        woken.cancel()
    if wake.is_set():
        wake.clear()
        return True
    return False


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


async def mark_processed(session: AsyncSession, *, consumer: str, message_id: str) -> bool:
    """True the first time (consumer, message_id) is seen in this transaction's database."""
    inserted = await session.scalar(
        insert(ProcessedMessage)
        .values(consumer=consumer, message_id=message_id)
        .on_conflict_do_nothing()
        .returning(ProcessedMessage.message_id)
    )
    return inserted is not None


def asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)

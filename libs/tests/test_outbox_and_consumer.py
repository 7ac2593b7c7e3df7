"""The outbox and the consumer runner against the real Postgres and Kafka."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import ClassVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import CommitFailedError, KafkaConnectionError, KafkaTimeoutError
from prometheus_client import REGISTRY
from sqlalchemy import Integer, String, event, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.db import make_sessionmaker, transaction
from kit.dlq import read_dlq, replay
from kit.domain import AggregateRoot, IntegrationEvent
from kit.events import Envelope
from kit.kafka import PRODUCER_BATCH_BYTES, Consumer, make_producer
from kit.outbox import OutboxMessage, ProcessedMessage, Relay, notify_channel, stage_events
from kit.settings import ServiceSettings
from kit.testing import consume, consume_until


class WidgetBase(DeclarativeBase):
    pass


class WidgetChanged(IntegrationEvent):
    TYPE: ClassVar[str] = "widget.changed"
    TOPIC: ClassVar[str] = "widget-events"

    widget_id: str
    seq: int


class Widget(WidgetBase, AggregateRoot):
    """A tiny aggregate: every change records an event carrying a per-widget sequence number."""

    __tablename__ = "widgets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)

    def change(self) -> None:
        self.seq = (self.seq or 0) + 1
        self.record(WidgetChanged(widget_id=self.id, seq=self.seq))


class Hit(WidgetBase):
    """The effect of the test consumer: how many times each widget event took effect."""

    __tablename__ = "hits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


@pytest.fixture(scope="module", autouse=True)
async def tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(WidgetBase.metadata.create_all)


@pytest.fixture
async def committed(engine: AsyncEngine, settings: ServiceSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit (the relay and LISTEN/NOTIFY need committed rows); emptied after."""
    yield make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE widgets, hits, outbox, processed_messages RESTART IDENTITY"))


def new_widget() -> Widget:
    return Widget(id=uuid.uuid4().hex, seq=0)


async def change_widget(sessions: async_sessionmaker[AsyncSession], widget_id: str | None = None) -> str:
    async with transaction(sessions) as session:
        widget = await session.get(Widget, widget_id) if widget_id else None
        if widget is None:
            widget = new_widget()
            session.add(widget)
        widget.change()
    return widget.id


async def count_hit(session: AsyncSession, envelope: Envelope) -> None:
    await session.execute(
        insert(Hit)
        .values(key=envelope.payload["widget_id"], count=1)
        .on_conflict_do_update(index_elements=[Hit.key], set_={"count": Hit.count + 1})
    )


def relay_for(
    sessions: async_sessionmaker[AsyncSession],
    settings: ServiceSettings,
    bootstrap: str | None = None,
    **kwargs: object,
) -> Relay:
    target = settings.model_copy(update={"kafka_bootstrap": bootstrap or settings.kafka_bootstrap})
    return Relay(
        sessions,
        lambda: make_producer(target),
        service="kit_test",
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
        **kwargs,
    )  # type: ignore[arg-type]


async def drain(relay: Relay) -> int:
    total = 0
    while sent := await relay.relay_once():
        total += sent
    return total


async def test_a_command_that_fails_after_writing_leaves_no_outbox_rows(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(committed) as session:
            widget = new_widget()
            session.add(widget)
            widget.change()
            await session.flush()
            raise RuntimeError("the command fails after its write")

    async with committed() as session:
        assert await session.scalar(select(func.count()).select_from(Widget)) == 0
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_committed_command_stages_its_event_in_the_envelope(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    widget_id = await change_widget(committed)

    async with committed() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [(r.event_type, r.key, r.topic) for r in rows] == [("widget.changed", widget_id, "widget-events")]
    envelope = Envelope.model_validate(rows[0].payload)
    assert envelope.source == "kit_test"
    assert envelope.aggregate_id == widget_id
    assert envelope.payload == {"widget_id": widget_id, "seq": 1}
    assert rows[0].published_at is None


async def test_an_event_recorded_by_a_loaded_aggregate_that_changed_no_column_reaches_the_outbox(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    widget_id = await change_widget(committed)

    async with transaction(committed) as session:
        loaded = await session.get(Widget, widget_id)
        assert loaded is not None
        # Recorded without touching a column, then dropped by the handler: only the session can keep it alive
        # (its identity map holds clean objects weakly).
        loaded.record(WidgetChanged(widget_id=widget_id, seq=99))
        del loaded
        gc.collect()

    async with committed() as session:
        seqs = [r.payload["payload"]["seq"] for r in (await session.scalars(select(OutboxMessage))).all()]
    assert sorted(seqs) == [1, 99]


async def test_the_relay_publishes_every_event_in_order_per_key(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    widgets = [await change_widget(committed) for _ in range(8)]
    for round_ in range(24):
        await change_widget(committed, widgets[round_ % len(widgets)])
    relay = relay_for(committed, settings, batch_size=7)  # several batches, to cross batch boundaries

    published = await drain(relay)
    await relay.close()

    assert published == 32
    records = await consume(kafka_bootstrap, topic, 32)
    seqs: dict[str, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = Envelope.model_validate_json(record.value)
        assert record.key == envelope.aggregate_id.encode()
        seqs[envelope.aggregate_id].append(envelope.payload["seq"])
    assert set(seqs) == set(widgets)
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values()), seqs
    assert await relay.backlog() == 0


async def test_the_relay_wakes_on_notify_without_waiting_for_the_poll(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    relay = relay_for(committed, settings)
    stop = asyncio.Event()
    # A poll interval far longer than the test's wait: only NOTIFY can wake the relay in time.
    task = asyncio.create_task(relay.run(_dsn(settings), poll_interval_s=3600, stop=stop))
    await asyncio.sleep(0.5)
    try:
        widget_id = await change_widget(committed)
        records = await consume(kafka_bootstrap, topic, 1, timeout_s=20)
        assert Envelope.model_validate_json(records[0].value).aggregate_id == widget_id
    finally:
        stop.set()
        await task
        await relay.close()


def _dsn(settings: ServiceSettings) -> str:
    return settings.database_url.replace("+asyncpg", "")


async def test_staging_writes_the_rows_and_wakes_the_relay_in_one_statement(
    committed: async_sessionmaker[AsyncSession], engine: AsyncEngine, settings: ServiceSettings
) -> None:
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    listener = await asyncpg.connect(_dsn(settings))
    wakes: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(notify_channel(settings.schema_name), lambda *args: wakes.put_nowait(args[2]))
    try:
        async with committed() as session, session.begin():
            widgets = [new_widget(), new_widget()]
            session.add_all(widgets)
            for widget in widgets:
                widget.change()
            await session.flush()  # the widgets' own statements, not the outbox's
            event.listen(engine.sync_engine, "before_cursor_execute", record)
            try:
                assert await stage_events(session) == 2
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert await asyncio.wait_for(wakes.get(), 10) == notify_channel(settings.schema_name)
        await asyncio.sleep(0.2)
        assert wakes.empty()  # one wake-up per transaction, however many rows
    finally:
        await listener.close()

    assert len(sent) == 1 and sent[0].startswith("INSERT INTO outbox"), sent
    async with committed() as session:
        staged = (await session.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id))).all()
    assert [p["aggregateId"] for p in staged] == [w.id for w in widgets]


async def test_the_same_event_delivered_twice_takes_effect_once(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    widget_id = await change_widget(committed)
    relay = relay_for(committed, settings)
    await drain(relay)
    # The relay re-sends the same row, as it would after a crash between publish and marking it published.
    async with committed() as session, session.begin():
        await session.execute(text("UPDATE outbox SET published_at = NULL"))
    await drain(relay)
    await relay.close()
    records = await consume(kafka_bootstrap, topic, 2)
    consumer = Consumer(settings, committed, {"widget.changed": count_hit}, ["widget-events"])

    results = [await consumer.handle(r) for r in records]
    await consumer.close()

    assert results == ["ok", "duplicate"]
    async with committed() as session:
        assert await session.scalar(select(Hit.count).where(Hit.key == widget_id)) == 1


async def test_a_consumer_killed_before_its_offset_commit_does_not_apply_the_event_twice(
    committed: async_sessionmaker[AsyncSession],
    settings: ServiceSettings,
    make_topics,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_topics("widget-events")
    widget_id = await change_widget(committed)
    relay = relay_for(committed, settings)
    await drain(relay)
    await relay.close()
    group = f"kill-{uuid.uuid4().hex[:6]}"
    group_settings = settings.model_copy(update={"service_name": group})
    dying = asyncio.Event()

    async def die_before_commit(self: AIOKafkaConsumer, offsets: object = None) -> None:
        dying.set()
        await asyncio.Event().wait()  # the process is killed here, after the DB commit

    monkeypatch.setattr(AIOKafkaConsumer, "commit", die_before_commit)
    first = Consumer(group_settings, committed, {"widget.changed": count_hit}, ["widget-events"])
    run = asyncio.create_task(first.run())
    await asyncio.wait_for(dying.wait(), 30)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    monkeypatch.undo()

    second = Consumer(group_settings, committed, {"widget.changed": count_hit}, ["widget-events"])
    outcome = asyncio.create_task(second.run())
    try:
        await _wait_until(lambda: _seen(group, "duplicate"), 60)
    finally:
        second.stopping.set()
        await outcome

    async with committed() as session:
        assert await session.scalar(select(Hit.count).where(Hit.key == widget_id)) == 1


async def test_a_commit_refused_after_a_rebalance_leaves_the_loop_running_and_every_event_applied_once(
    committed: async_sessionmaker[AsyncSession],
    settings: ServiceSettings,
    make_topics,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_topics("widget-events")
    widget_id = await change_widget(committed)
    for _ in range(2):
        await change_widget(committed, widget_id)
    relay = relay_for(committed, settings)
    await drain(relay)
    await relay.close()
    group_settings = settings.model_copy(update={"service_name": f"rebalanced-{uuid.uuid4().hex[:6]}"})
    commit = AIOKafkaConsumer.commit
    refused: list[object] = []

    async def refused_once(self: AIOKafkaConsumer, offsets: object = None) -> None:
        # What a replica sees when the group rebalanced while it handled the record.
        if not refused:
            refused.append(offsets)
            raise CommitFailedError("the group has already rebalanced")
        await commit(self, offsets)  # type: ignore[arg-type]

    monkeypatch.setattr(AIOKafkaConsumer, "commit", refused_once)
    consumer = Consumer(group_settings, committed, {"widget.changed": count_hit}, ["widget-events"])
    run = asyncio.create_task(consumer.run())

    async def applied() -> bool:
        async with committed() as session:
            return await session.scalar(select(Hit.count).where(Hit.key == widget_id)) == 3

    try:
        await _wait_until(applied, 60)
        assert not run.done()
    finally:
        consumer.stopping.set()
        await run
    assert len(refused) == 1


async def _seen(consumer_name: str, result: str) -> bool:
    from kit.observability import KAFKA_MESSAGES

    return any(
        s.value > 0
        for metric in KAFKA_MESSAGES.collect()
        for s in metric.samples
        if s.name.endswith("_total") and s.labels["service"] == consumer_name and s.labels["result"] == result
    )


async def _wait_until(predicate, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout_s):
        while not await predicate():
            await asyncio.sleep(0.1)


async def test_a_poison_message_goes_to_the_dlq_with_its_error_and_the_replay_brings_it_back(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    poisoned = await change_widget(committed)
    healthy = await change_widget(committed)
    relay = relay_for(committed, settings)
    await drain(relay)
    await relay.close()
    broken = {"on": True}

    async def fragile(session: AsyncSession, envelope: Envelope) -> None:
        if broken["on"] and envelope.payload["widget_id"] == poisoned:
            raise ValueError("cannot handle this widget")
        await count_hit(session, envelope)

    consumer = Consumer(settings, committed, {"widget.changed": fragile}, ["widget-events"], max_attempts=3)
    records = sorted(await consume(kafka_bootstrap, topic, 2), key=lambda r: r.key != poisoned.encode())
    assert [await consumer.handle(r) for r in records] == ["dlq", "ok"]

    letters = await read_dlq(kafka_bootstrap, f"{topic}-dlq")
    assert len(letters) == 1
    letter = letters[0][0]
    assert (letter.original_topic, letter.error_type, letter.retry_count) == (topic, "ValueError", "3")
    assert letter.error_message == "cannot handle this widget"
    assert letter.event_type == "widget.changed"

    broken["on"] = False
    replayed = await replay(kafka_bootstrap, f"{topic}-dlq")
    assert [x.event_id for x in replayed] == [letter.event_id]
    assert await replay(kafka_bootstrap, f"{topic}-dlq") == []  # the replay group remembers
    again = await consume(kafka_bootstrap, topic, 3)
    replayed_record = next(r for r in again if dict(r.headers).get("dlq-replayed-from"))
    assert await consumer.handle(replayed_record) == "ok"
    await consumer.close()
    async with committed() as session:
        hits = dict((await session.execute(select(Hit.key, Hit.count))).all())
    assert hits == {poisoned: 1, healthy: 1}


async def test_a_record_that_is_not_an_envelope_is_dead_lettered_at_once(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    producer: AIOKafkaProducer = await make_producer(settings)
    await producer.send_and_wait(topic, b"{not json", key=b"k")
    await producer.stop()
    consumer = Consumer(settings, committed, {"widget.changed": count_hit}, ["widget-events"])

    (record,) = await consume(kafka_bootstrap, topic, 1)
    assert await consumer.handle(record) == "dlq"
    await consumer.close()

    ((letter, *_),) = await read_dlq(kafka_bootstrap, f"{topic}-dlq")
    assert letter.error_type == "PoisonMessage"
    assert letter.retry_count == "1"


async def test_the_kits_producer_fills_a_partitions_batch_to_its_size_and_the_broker_takes_it_whole(
    settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    producer: AIOKafkaProducer = await make_producer(settings)
    values = [f"{n:06d}".encode() + b"x" * 1018 for n in range(2 * PRODUCER_BATCH_BYTES // 1024)]

    # One key, so one partition: sent without yielding, the first batch fills to its size before it leaves.
    sent = [await producer.send(topic, value, key=b"one-widget") for value in values]
    acknowledged = await asyncio.gather(*sent)
    await producer.stop()

    assert len({metadata.partition for metadata in acknowledged}) == 1
    records = await consume(kafka_bootstrap, topic, len(values))
    assert [record.value for record in sorted(records, key=lambda r: r.offset)] == values


async def test_a_batch_kafka_refuses_stays_unpublished_with_its_attempt_and_error_recorded(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings
) -> None:
    await change_widget(committed)
    relay = relay_for(committed, settings, bootstrap="127.0.0.1:1", send_timeout_s=3.0)

    for _ in range(2):
        with pytest.raises(KafkaConnectionError):
            await relay.relay_once()

    async with committed() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
    assert row.published_at is None
    assert row.attempts == 2
    assert row.last_error
    assert await relay.backlog() == 1


async def test_an_event_without_a_handler_is_counted_as_skipped_and_not_marked_processed(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings
) -> None:
    envelope = Envelope(event_type="widget.unknown", source="kit", aggregate_id="w-1", payload={})
    value = envelope.model_dump_json(by_alias=True).encode()
    record = ConsumerRecord("widget-events", 0, 0, 0, 0, b"w-1", value, None, 3, len(value), [])
    consumer = Consumer(settings, committed, {"widget.changed": count_hit}, ["widget-events"])
    labels = {"service": settings.service_name, "topic": "widget-events", "result": "skipped"}
    skipped_before = REGISTRY.get_sample_value("kafka_messages_total", labels) or 0.0

    assert await consumer.handle(record) == "skipped"
    await consumer.close()

    assert REGISTRY.get_sample_value("kafka_messages_total", labels) == skipped_before + 1
    async with committed() as session:
        marked = await session.scalar(select(func.count()).where(ProcessedMessage.message_id == str(envelope.event_id)))
    assert marked == 0


def first_seen_in_order(records: list[ConsumerRecord[bytes, bytes]]) -> dict[str, list[int]]:
    """Per widget, each event's seq the first time it appears in the partition's log (re-sends dropped)."""
    seqs: dict[str, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = Envelope.model_validate_json(record.value)
        assert record.key == envelope.aggregate_id.encode()
        if envelope.payload["seq"] not in seqs[envelope.aggregate_id]:
            seqs[envelope.aggregate_id].append(envelope.payload["seq"])
    return seqs


async def stage_rounds(committed: async_sessionmaker[AsyncSession], widgets: int, rounds: int) -> list[str]:
    ids = [await change_widget(committed) for _ in range(widgets)]
    for round_ in range(rounds):
        await change_widget(committed, ids[round_ % widgets])
    return ids


async def test_a_pipelined_drain_keeps_each_keys_order_across_batches_in_flight_together(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    widgets = await stage_rounds(committed, widgets=9, rounds=81)
    # Batches of 5, four in flight at once: each widget's ten events span many batches handed over together.
    relay = relay_for(committed, settings, batch_size=5, pipeline_depth=4, batches_per_lock=7)

    published = await relay.drain()
    await relay.close()

    assert published == 90
    seqs = first_seen_in_order(await consume(kafka_bootstrap, topic, 90))
    assert seqs == {widget: list(range(1, 11)) for widget in widgets}
    assert await relay.backlog() == 0


class FailingProducer(AIOKafkaProducer):  # type: ignore[misc]
    """A real producer that stops getting records through after `fail_after` of them, as a broker that goes
    away mid-drain: the records before are really sent, every later one fails without reaching Kafka."""

    def __init__(self, fail_after: int, **options: object) -> None:
        super().__init__(**options)
        self.fail_after = fail_after
        self.sent = 0

    async def send(
        self, topic: str, value: object = None, key: object = None, **options: object
    ) -> asyncio.Future[object]:
        self.sent += 1
        if self.sent > self.fail_after:
            failed: asyncio.Future[object] = asyncio.get_running_loop().create_future()
            failed.set_exception(KafkaTimeoutError())
            return failed
        sending: asyncio.Future[object] = await super().send(topic, value, key, **options)
        return sending


async def test_a_send_failing_mid_pipeline_marks_only_what_kafka_acknowledged_and_the_retry_loses_and_reorders_nothing(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    (topic,) = await make_topics("widget-events")
    widgets = await stage_rounds(committed, widgets=6, rounds=30)
    failing = FailingProducer(
        2 * 5 + 2, bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, client_id="failing"
    )
    await failing.start()
    producers: list[AIOKafkaProducer] = [failing]

    async def make() -> AIOKafkaProducer:
        return producers.pop() if producers else await make_producer(settings)

    relay = Relay(
        committed,
        make,
        service="kit_test",
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
        batch_size=5,
        pipeline_depth=4,
        send_timeout_s=10.0,
    )

    # The third batch fails at its third record while batches before it are in flight.
    with pytest.raises(KafkaTimeoutError):
        await relay.drain()

    async with committed() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    assert [row.published_at is not None for row in rows] == [True] * 10 + [False] * 26
    # The failed batch's attempt is recorded; batches claimed after it may not have been handed over yet.
    assert all(row.attempts == 1 and row.last_error for row in rows[10:15])
    assert all(row.attempts <= 1 for row in rows[15:])

    assert await relay.drain() == 26
    await relay.close()

    staged = {row.event_id for row in rows}
    records = await consume_until(
        kafka_bootstrap, topic, lambda rs: {Envelope.model_validate_json(r.value).event_id for r in rs} >= staged
    )
    assert first_seen_in_order(records) == {widget: list(range(1, 7)) for widget in widgets}
    assert await relay.backlog() == 0


class GatedProducer(AIOKafkaProducer):  # type: ignore[misc]
    """A real producer whose acknowledgements wait for `gate`: a drain's batches stay in flight until the test
    has committed what it needs meanwhile."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.gate = asyncio.Event()
        self.sent = 0

    async def send(
        self, topic: str, value: object = None, key: object = None, **options: object
    ) -> asyncio.Future[object]:
        self.sent += 1
        sending: asyncio.Future[object] = await super().send(topic, value, key, **options)

        async def acknowledged() -> object:
            await self.gate.wait()
            return await sending

        return asyncio.ensure_future(acknowledged())


async def test_a_row_committed_late_under_a_lower_id_leaves_before_the_same_keys_later_rows(
    committed: async_sessionmaker[AsyncSession], settings: ServiceSettings, make_topics, kafka_bootstrap: str
) -> None:
    # An invitation's start takes its outbox id, other rows commit and go out, then the start commits and its
    # answers follow: a drain that claimed past the last id it sent would send the answers first.
    (topic,) = await make_topics("widget-events")
    gated = GatedProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, client_id="gated")
    await gated.start()
    producers: list[AIOKafkaProducer] = [gated]

    async def make() -> AIOKafkaProducer:
        return producers.pop() if producers else await make_producer(settings)

    relay = Relay(
        committed, make, service="kit_test", schema=settings.schema_name, topic_prefix=settings.topic_prefix,
        batch_size=5,
    )  # fmt: skip
    wake = asyncio.Event()
    async with committed() as held, held.begin():
        late = new_widget()
        held.add(late)
        late.change()
        await stage_events(held)  # the lowest outbox id, not committed yet
        others = [await change_widget(committed) for _ in range(5)]
        draining = asyncio.create_task(relay.drain(wake))
        async with asyncio.timeout(30):
            while gated.sent < 5:
                await asyncio.sleep(0.05)
    await change_widget(committed, late.id)
    wake.set()
    gated.gate.set()
    published = await asyncio.wait_for(draining, 30)
    await relay.close()

    assert published == 7
    seqs = first_seen_in_order(await consume(kafka_bootstrap, topic, 7))
    assert seqs == {late.id: [1, 2]} | {widget: [1] for widget in others}
    assert await relay.backlog() == 0

"""Kafka: the idempotent producer, and the consumer runner that makes handlers exactly-once in effect.

Per record: parse the envelope, run the handler and the processed_messages insert in one transaction; the
offset is committed only after that transaction committed (once per polled batch, `Consumer._handle_batch`).
A handler that keeps raising is retried with backoff, then the record goes to `<topic>-dlq` with its error in
headers and the consumer moves on."""

from __future__ import annotations

import asyncio
import signal
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.db import transaction
from kit.events import Envelope
from kit.liveness import gauge_total, start_metrics_server
from kit.observability import KAFKA_LAG, KAFKA_MESSAGES, KAFKA_PROCESSING, correlation_id, extract_context
from kit.outbox import mark_processed
from kit.settings import ServiceSettings

log = structlog.get_logger("kit.kafka")
tracer = trace.get_tracer("kit.kafka")

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
Handlers = Mapping[str, Handler]

DLQ_SUFFIX = "-dlq"
PRODUCER_BATCH_BYTES = 256 * 1024
# A consumer commits its offsets once per polled batch of a partition, or after this long within one.
COMMIT_INTERVAL_S = 1.0


async def make_producer(settings: ServiceSettings, **overrides: Any) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"{settings.service_name}-producer",
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=int(settings.kafka_request_timeout_s * 1000),
        # A partition's open batch holds up to 256 KiB (aiokafka's default is 16 KiB, about 50 outbox rows): a burst
        # leaves in a few produce requests, and send() far less often waits for the partition's request in flight.
        # A batch is one message to the broker, so this stays well under its message.max.bytes (1 MiB by default).
        **{"max_batch_size": PRODUCER_BATCH_BYTES, **settings.kafka_client_options(), **overrides},
    )
    try:
        await producer.start()
    except Exception:
        await producer.stop()
        raise
    return producer


def decode_headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (record.headers or ())}


class PoisonMessage(Exception):
    """A record that can never succeed (unparseable); it skips the retries."""


class Consumer:
    def __init__(
        self,
        settings: ServiceSettings,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Handlers,
        topics: list[str],
        *,
        name: str | None = None,
        max_attempts: int | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.handlers = handlers
        self.topics = [settings.topic(t) for t in topics]
        self.name = name or settings.service_name
        self.max_attempts = max_attempts or settings.consumer_max_attempts
        self.stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq: AIOKafkaProducer | None = None
        # Ticks on every poll, record and start attempt: a loop that stopped ticking is stuck (liveness).
        self.heartbeat = time.monotonic()
        self.joined = False

    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> str:
        """Process one record to the end (done, duplicate, skipped or dead-lettered); return the result."""
        headers = decode_headers(record)
        topic = record.topic
        try:
            envelope = _parse(record)
        except PoisonMessage as exc:
            await self.dead_letter(record, exc, attempts=1)
            return "dlq"
        handler = self.handlers.get(envelope.event_type)
        if handler is None:
            KAFKA_MESSAGES.labels(self.name, topic, "skipped").inc()
            return "skipped"
        token = correlation_id.set(envelope.correlation_id or headers.get("x-correlation-id"))
        try:
            with tracer.start_as_current_span(
                f"kafka.process {topic}", context=extract_context(headers), kind=SpanKind.CONSUMER
            ):
                for attempt in range(1, self.max_attempts + 1):
                    started = time.perf_counter()
                    try:
                        result = await self._apply(handler, envelope)
                    except Exception as exc:
                        if attempt == self.max_attempts:
                            await self.dead_letter(record, exc, attempts=attempt)
                            return "dlq"
                        KAFKA_MESSAGES.labels(self.name, topic, "retry").inc()
                        delay = min(
                            self.settings.consumer_backoff_base_s * 2 ** (attempt - 1),
                            self.settings.consumer_backoff_max_s,
                        )
                        log.warning(
                            "kafka.handler_failed",
                            topic=topic,
                            event_type=envelope.event_type,
                            event_id=str(envelope.event_id),
                            attempt=attempt,
                            retry_in_s=delay,
                            error=repr(exc),
                        )
                        await asyncio.sleep(delay)
                        continue
                    KAFKA_PROCESSING.labels(self.name, topic).observe(time.perf_counter() - started)
                    KAFKA_MESSAGES.labels(self.name, topic, result).inc()
                    log.info(
                        "kafka.processed" if result == "ok" else "kafka.duplicate_skipped",
                        topic=topic,
                        event_type=envelope.event_type,
                        event_id=str(envelope.event_id),
                    )
                    return result
        finally:
            correlation_id.reset(token)
        raise AssertionError("unreachable")

    async def _apply(self, handler: Handler, envelope: Envelope) -> str:
        async with transaction(self.sessions) as session:
            if not await mark_processed(session, consumer=self.name, message_id=str(envelope.event_id)):
                return "duplicate"
            await handler(session, envelope)
        return "ok"

    async def dead_letter(self, record: ConsumerRecord[bytes, bytes], exc: BaseException, *, attempts: int) -> None:
        if self._dlq is None:
            self._dlq = await make_producer(self.settings)
        dlq_headers = {
            "dlq-original-topic": record.topic,
            "dlq-original-partition": str(record.partition),
            "dlq-original-offset": str(record.offset),
            "dlq-error-type": type(exc).__name__,
            "dlq-error-message": str(exc)[:1000],
            "dlq-error-stack": "".join(traceback.format_exception(exc))[-4000:],
            "dlq-failed-at": datetime.now(UTC).isoformat(),
            "dlq-retry-count": str(attempts),
            "dlq-service": self.name,
        }
        original = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq-")]
        await self._dlq.send_and_wait(
            record.topic + DLQ_SUFFIX,
            record.value,
            key=record.key,
            headers=original + [(k, v.encode()) for k, v in dlq_headers.items()],
        )
        KAFKA_MESSAGES.labels(self.name, record.topic, "dlq").inc()
        log.error("kafka.dead_lettered", topic=record.topic, offset=record.offset, attempts=attempts, error=repr(exc))

    async def run(self) -> None:
        if not self.topics:
            log.info("kafka.consumer_idle", reason="no subscriptions")
            await self.stopping.wait()
            return
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.settings.kafka_bootstrap,
            group_id=f"{self.settings.topic_prefix}{self.name}",
            client_id=f"{self.name}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            **self.settings.kafka_client_options(),
        )
        self._consumer = consumer
        await self._start(consumer)
        log.info("kafka.consumer_started", topics=self.topics, group=self.name)
        try:
            while not self.stopping.is_set():
                batches = await self.poll(consumer, timeout_ms=500, max_records=100)
                for tp, records in batches.items():
                    if not await self._handle_batch(consumer, tp, records):
                        return
                    if tp in consumer.assignment():
                        await self._observe_lag(consumer, tp)
        finally:
            await self.close()

    async def _handle_batch(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> bool:
        """Handle a partition's records in order and commit past the last one handled: once at the end of the
        batch, or sooner when COMMIT_INTERVAL_S has passed, so a slow handler leaves little to read again. An
        offset commit is a round trip to the broker, as costly as a small handler's whole transaction; reading a
        handled record again is harmless (processed_messages). False when the consumer is stopping."""
        handled: ConsumerRecord[bytes, bytes] | None = None
        last_commit = time.monotonic()
        stopping = False
        for record in records:
            if self.stopping.is_set():
                stopping = True
                break
            if tp not in consumer.assignment():
                break  # a rebalance gave the partition to another replica: it reads on from the commit
            await self.handle(record)
            handled = record
            self.heartbeat = time.monotonic()
            if self.heartbeat - last_commit >= COMMIT_INTERVAL_S:
                committed = await self._commit(consumer, tp, record)
                handled, last_commit = None, time.monotonic()
                if not committed:
                    break
        if handled is not None:
            await self._commit(consumer, tp, handled)
        return not stopping

    async def poll(
        self, consumer: AIOKafkaConsumer, *, timeout_ms: int, max_records: int
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        """One poll, which ticks the heartbeat even when it returns nothing: an idle consumer is alive. Every
        consume loop (this one, a subclass's batched one) polls through here so none can forget the tick."""
        batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = await consumer.getmany(
            timeout_ms=timeout_ms, max_records=max_records
        )
        self.heartbeat = time.monotonic()
        return batches

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, record: ConsumerRecord[Any, Any]) -> bool:
        """Commit past record. With replicas a rebalance can move the partition while the record is handled: the
        commit is then refused, which must not end the loop. The record's effect and its id in processed_messages
        are committed already, so whoever reads it again from the last committed offset finds it done."""
        try:
            await consumer.commit({tp: record.offset + 1})
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning("kafka.commit_after_rebalance", topic=tp.topic, partition=tp.partition, error=repr(exc))
            if tp in consumer.assignment():
                # Still ours until the group settles: go on after this record rather than past the whole batch.
                consumer.seek(tp, record.offset + 1)
            return False
        return True

    async def _start(self, consumer: AIOKafkaConsumer) -> None:
        delay = 0.5
        while True:
            try:
                await consumer.start()
                self.joined = True
                return
            except Exception as exc:
                if self.stopping.is_set():
                    raise
                self.heartbeat = time.monotonic()
                log.warning("kafka.consumer_start_failed", error=repr(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _observe_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        highwater = consumer.highwater(tp)
        if highwater is None:
            return
        position = await consumer.position(tp)
        KAFKA_LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(highwater - position, 0))

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
        dlq, self._dlq = self._dlq, None
        if dlq is not None:
            await dlq.stop()

    def liveness(self, task: asyncio.Task[None] | None, *, stall_s: float) -> tuple[bool, dict[str, Any]]:
        """Alive while the loop task runs and ticked within stall_s; with the lag summed over partitions."""
        details: dict[str, Any] = {
            "role": "consumer",
            "service": self.name,
            "joined": self.joined,
            "consumerLag": int(gauge_total("kafka_consumer_lag", self.name)),
        }
        if task is not None and task.done():
            return False, {**details, "reason": "the consume loop has ended"}
        if not self.topics:
            return True, details  # nothing subscribed: it only waits to be stopped
        idle = time.monotonic() - self.heartbeat
        if idle > stall_s:
            return False, {**details, "reason": f"no poll or record for {idle:.0f}s"}
        return True, details

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)


def _parse(record: ConsumerRecord[bytes, bytes]) -> Envelope:
    if record.value is None:
        raise PoisonMessage("record has no value")
    try:
        return Envelope.model_validate_json(record.value)
    except ValidationError as exc:
        raise PoisonMessage(f"not an event envelope: {exc.error_count()} error(s): {exc.errors()[0]['msg']}") from exc


async def _first_of(task: asyncio.Task[None], event: asyncio.Event) -> None:
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


# A handler can legitimately take this long on one record (a retry's backoff included) before it counts as stuck.
CONSUMER_STALL_S = 300.0


def run_consumer(settings: ServiceSettings, handlers: Handlers, topics: list[str]) -> None:
    """Entry point of a service's consumer process (`python -m <svc>.consumers`).

    With METRICS_PORT set it serves /metrics and a /health liveness probe there (kit.liveness).
    """
    from kit.db import make_engine, make_sessionmaker
    from kit.observability import configure_logging, configure_tracing

    async def main() -> None:
        configure_logging(settings.service_name, settings.log_level)
        configure_tracing(settings.service_name, settings.otlp_endpoint)
        engine = make_engine(settings.database_url, settings.schema_name, pool_size=5)
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        consumer = Consumer(settings, sessions, handlers, topics)
        consumer.install_signal_handlers()
        running = asyncio.create_task(consumer.run())
        if settings.metrics_port:
            start_metrics_server(
                settings.metrics_port,
                settings.host,
                lambda: consumer.liveness(running, stall_s=CONSUMER_STALL_S),
            )
        try:
            await _first_of(running, consumer.stopping)
            # A record in flight finishes within the grace period; past it the process stops anyway.
            await asyncio.wait_for(running, 15)
        except TimeoutError:
            log.warning("kafka.consumer_forced_stop")
        finally:
            await engine.dispose()

    asyncio.run(main())

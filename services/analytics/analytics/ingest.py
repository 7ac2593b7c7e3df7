"""Events into ClickHouse: the batch consumer and what each event becomes.

The kit's consumer applies one record per Postgres transaction; here a poll's records become one insert (at
most `ingest_batch_size` rows, or what arrived within `ingest_flush_ms`), and offsets are committed only
after the insert, so a crash re-reads the batch. Ingestion is idempotent by event id (the events table is a
ReplacingMergeTree keyed by it, read with FINAL), which is what makes that re-read harmless. A record that is
not an event envelope goes to the DLQ like in every consumer; an insert that fails is retried with backoff
until it succeeds or the process stops, because ClickHouse being down is not the record's fault."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.settings import Settings
from analytics.warehouse import Warehouse, as_datetime
from kit.contracts import users
from kit.events import Envelope
from kit.kafka import Consumer, PoisonMessage
from kit.observability import KAFKA_MESSAGES

log = structlog.get_logger("analytics.ingest")

Row = list[Any]

# The range of ClickHouse's DateTime.
MIN_TIME = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(2106, 1, 1, tzinfo=UTC)

# Who an event is about, for erasure: the candidate of an invitation, the user of a user event, the recipient
# of a notification.
_PERSON_FIELDS = ("candidateId", "userId", "recipientId")


def _text(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    return "" if value is None else str(value)


def row_of(envelope: Envelope) -> Row:
    """The events row of one envelope: the ids every question filters by, pulled out of the payload."""
    if not MIN_TIME <= envelope.occurred_at < MAX_TIME:
        # Outside ClickHouse's DateTime: the insert would fail for the whole batch on every retry.
        raise PoisonMessage(f"occurredAt {envelope.occurred_at.isoformat()} is outside 1970..2105")
    payload = envelope.payload
    person = next((_text(payload, f) for f in _PERSON_FIELDS if payload.get(f)), "")
    return [
        envelope.event_id,
        envelope.event_type,
        as_datetime(envelope.occurred_at),
        _text(payload, "companyId"),
        _text(payload, "templateId"),
        _text(payload, "invitationId"),
        person,
        json.dumps(payload, separators=(",", ":"), default=str),
    ]


async def erase(warehouse: Warehouse, person_id: str) -> None:
    """Anonymise what analytics holds about a person: their id and every payload that named them. The
    counts stay (an erased candidate still was invited and completed), nothing identifies them any more."""
    params = {"person": person_id}
    await warehouse.command(
        "ALTER TABLE events UPDATE candidate_id = '', payload = '{}' WHERE candidate_id = {person:String}",
        params,
        sync=True,
    )
    await warehouse.command(
        "ALTER TABLE invitation_facts UPDATE candidate_id = '' WHERE candidate_id = {person:String}",
        params,
        sync=True,
    )
    log.info("analytics.person_erased", person_id=person_id)


def _parse(record: ConsumerRecord[bytes, bytes]) -> Envelope:
    if record.value is None:
        raise PoisonMessage("record has no value")
    try:
        return Envelope.model_validate_json(record.value)
    except ValidationError as exc:
        raise PoisonMessage(f"not an event envelope: {exc.error_count()} error(s): {exc.errors()[0]['msg']}") from exc


class Ingest(Consumer):
    """The kit's consumer (group, DLQ, lag metric, signals) with a batched loop into ClickHouse."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        warehouse: Warehouse,
        topics: list[str],
    ) -> None:
        super().__init__(settings, sessions, {}, topics)
        self.warehouse = warehouse
        self.batch_size = settings.ingest_batch_size
        self.flush_ms = settings.ingest_flush_ms

    async def ingest(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Insert a batch (dead-lettering what is not an event), then apply its erasures."""
        rows: list[Row] = []
        erased: list[str] = []
        written: list[str] = []
        for record in records:
            try:
                envelope = _parse(record)
                rows.append(row_of(envelope))
            except PoisonMessage as exc:
                await self.dead_letter(record, exc, attempts=1)
                continue
            written.append(record.topic)
            if envelope.event_type == users.UserDeleted.TYPE:
                erased.append(_text(envelope.payload, "userId"))
        if rows:
            await self._retrying(partial(self.warehouse.insert_events, rows))
        # After the insert, so the erased person's rows of this very batch are anonymised too.
        for person in erased:
            await self._retrying(partial(erase, self.warehouse, person))
        # Counted once applied, so the metric says what ClickHouse holds.
        for topic, n in Counter(written).items():
            KAFKA_MESSAGES.labels(self.name, topic, "ok").inc(n)

    async def _retrying(self, call: Callable[[], Awaitable[None]]) -> None:
        attempt = 0
        while True:
            try:
                await call()
                return
            except Exception as exc:
                if self.stopping.is_set():
                    raise
                attempt += 1
                settings = self.settings
                delay = min(settings.consumer_backoff_base_s * 2 ** (attempt - 1), settings.consumer_backoff_max_s)
                log.warning("analytics.insert_failed", attempt=attempt, retry_in_s=delay, error=repr(exc))
                # Waiting for ClickHouse is not a stuck loop (a restart would not bring it back): each retry
                # is a sign of life, and the growing lag is what tells an operator.
                self.heartbeat = time.monotonic()
                await asyncio.sleep(delay)

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.settings.kafka_bootstrap,
            group_id=f"{self.settings.topic_prefix}{self.name}",
            client_id=f"{self.name}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.batch_size,
            **self.settings.kafka_client_options(),
        )
        self._consumer = consumer
        await self._start(consumer)
        log.info("kafka.consumer_started", topics=self.topics, group=self.name)
        try:
            while not self.stopping.is_set():
                # Through the kit's poll, which ticks the liveness heartbeat: an idle poll is a sign of life too.
                batches = await self.poll(consumer, timeout_ms=self.flush_ms, max_records=self.batch_size)
                records = [record for part in batches.values() for record in part]
                if not records:
                    continue
                await self.ingest(records)
                # Per partition, as the kit's loop: a commit refused after a rebalance is logged and the loop reads
                # on; the new owner inserts those records again, which the dedup by event id makes harmless.
                for tp, part in batches.items():
                    if await self._commit(consumer, tp, part[-1]) and tp in consumer.assignment():
                        await self._observe_lag(consumer, tp)
                self.heartbeat = time.monotonic()
        finally:
            await self.close()

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
import uuid
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
from kit.contracts.privacy import ERASURE_REQUESTED, INVITATION_ERASED, SUBJECT_ERASED, ErasureReportReady
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
# The erasure's own events are counted (an erasure happened) but none of their ids or payload is kept: they name
# what they erase, and the services' reports and the report's mail arrive after the erasure was applied here.
_ERASURE_EVENTS = frozenset(
    {ERASURE_REQUESTED, INVITATION_ERASED, SUBJECT_ERASED, ErasureReportReady.TYPE, users.UserDeleted.TYPE}
)
# Seeds an erased invitation's new key from the erasure event's id: a redelivery re-keys to the same one.
_ERASED_KEYS = uuid.UUID("8f0b7c1e-5a4d-4c39-9d6e-2b1f0e7a9c55")


def _text(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    return "" if value is None else str(value)


def row_of(envelope: Envelope) -> Row:
    """The events row of one envelope: the ids every question filters by, pulled out of the payload."""
    if not MIN_TIME <= envelope.occurred_at < MAX_TIME:
        # Outside ClickHouse's DateTime: the insert would fail for the whole batch on every retry.
        raise PoisonMessage(f"occurredAt {envelope.occurred_at.isoformat()} is outside 1970..2105")
    payload = envelope.payload
    if envelope.event_type in _ERASURE_EVENTS:
        return [envelope.event_id, envelope.event_type, as_datetime(envelope.occurred_at), "", "", "", "", "{}"]
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


async def erase(warehouse: Warehouse, person_id: str, email: str = "") -> None:
    """Anonymise what analytics holds about a person: their id and every payload that named them (by id, or by
    address when the erasure gave it), whoever the event was about. The counts stay (an erased candidate still was
    invited and completed), nothing identifies them any more. A user's own events (`user.created`) carry their id
    as the company id too (the reference keys billing on the user), so that column is cleared where it names them:
    the rows still count, under no company."""
    params = {"person": person_id, "email": email or person_id}
    await warehouse.command(
        "ALTER TABLE events UPDATE candidate_id = '', payload = '{}', "
        "company_id = if(company_id = {person:String}, '', company_id) "
        "WHERE candidate_id = {person:String} OR company_id = {person:String} "
        "OR positionCaseInsensitive(payload, {person:String}) > 0 "
        "OR positionCaseInsensitive(payload, {email:String}) > 0",
        params,
        sync=True,
    )
    await warehouse.command(
        "ALTER TABLE invitation_facts UPDATE candidate_id = '' WHERE candidate_id = {person:String}",
        params,
        sync=True,
    )
    log.info("analytics.person_erased", person_id=person_id)


async def forget_invitation(warehouse: Warehouse, invitation_id: str, new_key: str) -> None:
    """An erased invitation (its candidate's erasure, or the company's retention): its events and funnel row
    move to a new key that names nothing, and its events' payloads go, so its counts stay in every chart and
    nothing leads back to it. `invitation_facts` is keyed by the invitation, which ClickHouse cannot update:
    the row is copied under the new key, then deleted (a repeated copy repeats idempotent aggregates)."""
    params = {"old": invitation_id, "new": new_key}
    await warehouse.command(
        "ALTER TABLE events UPDATE invitation_id = if(invitation_id = {old:String}, {new:String}, invitation_id), "
        "candidate_id = '', payload = '{}' "
        "WHERE invitation_id = {old:String} OR positionCaseInsensitive(payload, {old:String}) > 0",
        params,
        sync=True,
    )
    await warehouse.command(
        "INSERT INTO invitation_facts SELECT {new:String}, company_id, template_id, template_title, '', invited_at, "
        "opened_at, started_at, completed_at, analysed_at, decided_at, decision, reviewer_id, recommendation, "
        "overall_score FROM invitation_facts WHERE invitation_id = {old:String}",
        params,
    )
    await warehouse.command("ALTER TABLE invitation_facts DELETE WHERE invitation_id = {old:String}", params, sync=True)


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
        erased: list[tuple[str, str]] = []
        forgotten: list[tuple[str, str]] = []
        written: list[str] = []
        for record in records:
            try:
                envelope = _parse(record)
                rows.append(row_of(envelope))
            except PoisonMessage as exc:
                await self.dead_letter(record, exc, attempts=1)
                continue
            written.append(record.topic)
            # An erasure without its id names no one to erase (an empty needle would match every row).
            if envelope.event_type in (users.UserDeleted.TYPE, ERASURE_REQUESTED) and envelope.payload.get("userId"):
                erased.append((_text(envelope.payload, "userId"), _text(envelope.payload, "email")))
            elif envelope.event_type == INVITATION_ERASED and envelope.payload.get("invitationId"):
                new_key = str(uuid.uuid5(_ERASED_KEYS, str(envelope.event_id)))
                forgotten.append((_text(envelope.payload, "invitationId"), new_key))
        if rows:
            await self._retrying(partial(self.warehouse.insert_events, rows))
        # After the insert, so the erased person's rows of this very batch are anonymised too.
        for person, email in erased:
            await self._retrying(partial(erase, self.warehouse, person, email))
        for invitation, new_key in forgotten:
            await self._retrying(partial(forget_invitation, self.warehouse, invitation, new_key))
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

"""`kit-dlq`: list dead-lettered messages and replay them to their original topic.

Replay keeps the message's value, key and original headers (so the same eventId reaches the
consumer's processed_messages check) and remembers what it replayed in a consumer group of its own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from kit.settings import ServiceSettings

Options = Mapping[str, Any]

app = typer.Typer(help="Inspect and replay Kafka dead-letter topics.", no_args_is_help=True)

Bootstrap = Annotated[str, typer.Option(envvar="KAFKA_BOOTSTRAP", help="Kafka bootstrap servers")]
REPLAY_GROUP = "kit-dlq-replay"


@dataclass
class DeadLetter:
    partition: int
    offset: int
    original_topic: str
    event_type: str | None
    event_id: str | None
    error_type: str
    error_message: str
    failed_at: str
    retry_count: str
    service: str

    @classmethod
    def from_record(cls, partition: int, offset: int, value: bytes | None, headers: dict[str, str]) -> DeadLetter:
        event: dict[str, object] = {}
        try:
            event = json.loads(value or b"{}")
        except ValueError:
            pass
        if not isinstance(event, dict):
            event = {}
        return cls(
            partition=partition,
            offset=offset,
            original_topic=headers.get("dlq-original-topic", ""),
            event_type=str(event.get("eventType")) if event.get("eventType") else None,
            event_id=str(event.get("eventId")) if event.get("eventId") else None,
            error_type=headers.get("dlq-error-type", ""),
            error_message=headers.get("dlq-error-message", ""),
            failed_at=headers.get("dlq-failed-at", ""),
            retry_count=headers.get("dlq-retry-count", ""),
            service=headers.get("dlq-service", ""),
        )


Letter = tuple[DeadLetter, bytes | None, bytes | None, list[tuple[str, bytes]]]


async def read_dlq(
    bootstrap: str, topic: str, *, group: str | None = None, limit: int = 1000, options: Options | None = None
) -> list[Letter]:
    """Everything in the topic (or, with a group, everything after the group's committed offsets). `options`: the
    connection's (SASL) options, as `ServiceSettings.kafka_client_options` gives them."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **(options or {}),
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        out: list[Letter] = []
        for tp in partitions:
            committed = await consumer.committed(tp) if group else None
            if committed is not None:
                consumer.seek(tp, committed)
            else:
                await consumer.seek_to_beginning(tp)
        remaining = {tp for tp in partitions if await consumer.position(tp) < end[tp]}
        while remaining and len(out) < limit:
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batches.items():
                for r in records:
                    headers = {k: v.decode(errors="replace") for k, v in r.headers}
                    out.append(
                        (
                            DeadLetter.from_record(r.partition, r.offset, r.value, headers),
                            r.key,
                            r.value,
                            list(r.headers),
                        )
                    )
                if await consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
            if not batches:
                remaining = {tp for tp in remaining if await consumer.position(tp) < end[tp]}
        return out[:limit]
    finally:
        await consumer.stop()


async def replay(
    bootstrap: str, topic: str, *, offsets: set[tuple[int, int]] | None = None, options: Options | None = None
) -> list[DeadLetter]:
    """Re-publish dead letters to their original topic; with no offsets, all not yet replayed."""
    letters = await read_dlq(bootstrap, topic, group=None if offsets else REPLAY_GROUP, options=options)
    chosen = [x for x in letters if offsets is None or (x[0].partition, x[0].offset) in offsets]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **(options or {}))
    await producer.start()
    try:
        for letter, key, value, headers in chosen:
            original = [(k, v) for k, v in headers if not k.startswith("dlq-")]
            original.append(("dlq-replayed-from", f"{topic}:{letter.partition}:{letter.offset}".encode()))
            await producer.send_and_wait(letter.original_topic, value, key=key, headers=original)
    finally:
        await producer.stop()
    if chosen and offsets is None:
        await _commit_replayed(bootstrap, topic, chosen, options or {})
    return [x[0] for x in chosen]


async def _commit_replayed(bootstrap: str, topic: str, chosen: list[Letter], options: Options) -> None:
    last: dict[int, int] = {}
    for letter, *_ in chosen:
        last[letter.partition] = max(last.get(letter.partition, -1), letter.offset)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=REPLAY_GROUP, enable_auto_commit=False, **options)
    await consumer.start()
    try:
        tps = {TopicPartition(topic, p): o + 1 for p, o in last.items()}
        consumer.assign(list(tps))
        await consumer.commit(tps)
    finally:
        await consumer.stop()


def _connection() -> Options:
    # The same KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_MECHANISM / KAFKA_USERNAME / KAFKA_PASSWORD a service reads,
    # so the tool reaches a SASL broker (compose) with the operator's credentials.
    return ServiceSettings(service_name="dlq").kafka_client_options()


@app.command("list")
def list_cmd(
    topic: str,
    bootstrap: Bootstrap = "127.0.0.1:9092",
    limit: int = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the messages in a dead-letter topic."""
    letters = [x[0] for x in asyncio.run(read_dlq(bootstrap, topic, limit=limit, options=_connection()))]
    if as_json:
        typer.echo(json.dumps([asdict(x) for x in letters], indent=2))
        return
    for x in letters:
        typer.echo(
            f"{x.partition}:{x.offset}  {x.original_topic}  {x.event_type}  {x.event_id}  "
            f"{x.error_type}: {x.error_message}  (attempts {x.retry_count}, {x.failed_at})"
        )
    typer.echo(f"{len(letters)} message(s)")


@app.command("replay")
def replay_cmd(
    topic: str,
    bootstrap: Bootstrap = "127.0.0.1:9092",
    offset: Annotated[list[str] | None, typer.Option(help="PARTITION:OFFSET, repeatable")] = None,
) -> None:
    """Replay dead letters to their original topic (all not yet replayed, or the given offsets)."""
    chosen = {(int(p), int(o)) for p, o in (x.split(":", 1) for x in offset)} if offset else None
    done = asyncio.run(replay(bootstrap, topic, offsets=chosen, options=_connection()))
    for x in done:
        typer.echo(f"replayed {x.partition}:{x.offset} -> {x.original_topic} ({x.event_type} {x.event_id})")
    typer.echo(f"{len(done)} message(s) replayed")


def main() -> None:
    app()

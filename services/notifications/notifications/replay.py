"""`python -m notifications.replay --topic interview-events --since 2026-12-01T00:00:00Z`: read a topic again
from a point in time, by moving this service's consumer group back to the first offset at or after it.

The events are handled again by the consumer when it next starts: an event it already handled is a duplicate
(its id is in `processed_messages`) and does nothing; one the service read before it had a handler is handled
now, and a notification it would send about something long past is stored `skipped` with the reason instead
(`max_event_age_h`, or an invitation already finished), so a replay never sends stale e-mails. The group must
have no active member: stop the consumer first, or the move would be overwritten by its next commit."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from notifications.consumers import TOPICS
from notifications.settings import Settings


class GroupActive(Exception):
    """The consumer group has members; moving its offsets now would race their commits."""


@dataclass(frozen=True)
class Moved:
    partition: int
    offset: int


def group_of(settings: Settings) -> str:
    # The group the consumer process joins (kit.kafka.Consumer names it so).
    return f"{settings.topic_prefix}{settings.service_name}"


async def rewind(settings: Settings, topic: str, since: datetime, *, group: str | None = None) -> list[Moved]:
    """Move the group's committed offsets on `topic` to the first record at or after `since` (the end of a
    partition with none). Refuses with `GroupActive` while the group has members."""
    group = group or group_of(settings)
    physical = settings.topic(topic)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **settings.kafka_client_options())
    await admin.start()
    try:
        [described] = await admin.describe_consumer_groups([group])
        members = [m for g in described.to_object()["groups"] for m in g["members"]]
        if members:
            raise GroupActive(f"consumer group {group!r} has {len(members)} active member(s): stop the consumer first")
        [described_topic] = await admin.describe_topics([physical])
        partitions = sorted(p["partition"] for p in described_topic["partitions"])
    finally:
        await admin.close()
    if not partitions:
        raise LookupError(f"topic {physical!r} does not exist")
    tps = [TopicPartition(physical, p) for p in partitions]
    # Assigned, not subscribed: committing for the group this way does not join it.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        **settings.kafka_client_options(),
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
        ends = await consumer.end_offsets(tps)
        targets = {tp: (found[tp].offset if found.get(tp) is not None else ends[tp]) for tp in tps}
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in targets.items()})
    finally:
        await consumer.stop()
    return [Moved(tp.partition, offset) for tp, offset in targets.items()]


def _since(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notifications.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--topic", required=True, choices=TOPICS, help="the topic to read again")
    parser.add_argument("--since", required=True, type=_since, help="ISO 8601 time, e.g. 2026-12-01T00:00:00Z")
    args = parser.parse_args(argv)
    try:
        moved = asyncio.run(rewind(Settings(), args.topic, args.since))
    except (GroupActive, LookupError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    for item in moved:
        print(f"{args.topic}[{item.partition}] -> offset {item.offset}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Replaying a topic: the command moves the service's consumer group back to a point in time on real Kafka,
refuses while the group has a member, and the events read again notify only what is still current: the
events the scaffold once committed past are handled now, the old ones recorded `skipped`."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select

from kit.contracts import interviews
from kit.kafka import Consumer
from notifications.commands import Notifier
from notifications.consumers import TOPICS, handlers
from notifications.domain import Notification, NotificationStatus
from notifications.replay import GroupActive, rewind

from .conftest import invitation_created


async def run_until(consumer: Consumer, done: Any) -> None:
    running = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(30):
            while not await done():
                await asyncio.sleep(0.2)
    finally:
        consumer.stopping.set()
        await running


async def test_a_replay_rewinds_the_group_and_old_events_are_recorded_skipped_instead_of_sent(
    make_topics: Any, settings: Any, sessions: Any, outlets: Any, make_user: Any, wrap: Any
) -> None:
    await make_topics(*TOPICS)
    topic = settings.topic(interviews.TOPIC)
    name = f"replay-{uuid.uuid4().hex[:8]}"
    group = f"{settings.topic_prefix}{name}"
    now = datetime.now(UTC)
    old, recent = make_user("candidate"), make_user("candidate")
    hr = make_user("hr")
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for who, age in ((old, timedelta(days=3)), (recent, timedelta(minutes=5))):
            event = wrap(
                invitation_created(who, hr, expires_at=datetime.now(UTC) + timedelta(days=30)), occurred_at=now - age
            )
            await producer.send_and_wait(
                topic, event.to_json(), key=b"k", timestamp_ms=int((now - age).timestamp() * 1000)
            )
    finally:
        await producer.stop()

    # The scaffold's group read the topic without a handler and committed past every record.
    scaffold = Consumer(settings, sessions, {}, TOPICS, name=name)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()

    async def committed() -> int:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(o.offset for tp, o in offsets.items() if tp.topic == topic)

    try:
        await run_until(scaffold, lambda: _at_least(committed, 2))
        busy = Consumer(settings, sessions, {}, TOPICS, name=name)
        busy_task = asyncio.create_task(busy.run())
        try:
            async with asyncio.timeout(30):
                while not (await admin.describe_consumer_groups([group]))[0].to_object()["groups"][0]["members"]:
                    await asyncio.sleep(0.2)
            with pytest.raises(GroupActive):
                await rewind(settings, interviews.TOPIC, now - timedelta(days=7), group=group)
        finally:
            busy.stopping.set()
            await busy_task
        moved = await rewind(settings, interviews.TOPIC, now - timedelta(days=7), group=group)
        rewound = await committed()
    finally:
        await admin.close()

    async def emails() -> list[Notification]:
        async with sessions() as session:
            return list(
                await session.scalars(select(Notification).where(Notification.recipient_id.in_([old.id, recent.id])))
            )

    # Counted by the handlers, not read from the database meanwhile: the test's sessions share one connection,
    # which a read must not use while the consumer's transaction is open on it.
    handled: list[str] = []
    notifier = Notifier(settings, outlets)
    counted = {kind: _counted(handler, handled) for kind, handler in handlers(notifier).items()}
    replaying = Consumer(settings, sessions, counted, TOPICS, name=name)
    await run_until(replaying, lambda: _at_least(lambda: _length(handled), 2))
    by_recipient = {n.recipient_id: n for n in await emails()}

    assert sum(m.offset for m in moved) == rewound == 0
    assert by_recipient[recent.id].status == NotificationStatus.PENDING
    assert by_recipient[old.id].status == NotificationStatus.SKIPPED
    assert "72 h old" in (by_recipient[old.id].error or "")


async def _at_least(read: Any, value: int) -> bool:
    return bool(await read() >= value)


async def _length(items: list[str]) -> int:
    return len(items)


def _counted(handler: Any, handled: list[str]) -> Any:
    async def handle(session: Any, envelope: Any) -> None:
        await handler(session, envelope)
        handled.append(envelope.event_type)

    return handle

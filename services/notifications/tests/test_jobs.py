"""The scheduled jobs on the test's clock: invitation reminders 24 h and 2 h before expiry (once each, only
while the interview is not done), and the weekly digest for HR from the projections. And the consumer reading
real Kafka topics: an event published twice notifies once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select

from kit.contracts import interviews
from kit.kafka import Consumer
from notifications import worker
from notifications.commands import Notifier
from notifications.consumers import TOPICS, handlers
from notifications.domain import Channel, Notification

from .conftest import invitation_completed, invitation_created


async def notifications_of(sessions: Any, recipient_id: str, template: str) -> list[Notification]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Notification)
                .where(Notification.recipient_id == recipient_id, Notification.template == template)
                .order_by(Notification.seq)
            )
        )


async def test_a_candidate_is_reminded_24_and_2_hours_before_expiry_once_each(
    apply: Any, worker_ctx: Any, sessions: Any, mailpit: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    expires = clock.now + timedelta(days=3)
    await apply(invitation_created(candidate, hr, expires_at=expires))

    too_early = await worker.send_invitation_reminders(worker_ctx)
    clock.now = expires - timedelta(hours=23)
    first = await worker.send_invitation_reminders(worker_ctx)
    again = await worker.send_invitation_reminders(worker_ctx)
    clock.now = expires - timedelta(hours=1, minutes=30)
    second = await worker.send_invitation_reminders(worker_ctx)
    clock.now = expires - timedelta(hours=1)
    after = await worker.send_invitation_reminders(worker_ctx)
    reminders = await notifications_of(sessions, candidate.id, "invitation_reminder")
    await worker.sweep_emails(worker_ctx)
    delivered = await mailpit.wait_for(candidate.email, 3)

    assert (too_early, first, again, second, after) == (0, 1, 0, 1, 0)
    assert [r.data["hoursLeft"] for r in reminders] == [24, 2]
    assert sorted(m["Subject"] for m in delivered).count("Interview Reminder - Don't forget!") == 2


async def test_a_completed_interview_gets_no_reminder(
    apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    expires = clock.now + timedelta(days=3)
    created = invitation_created(candidate, hr, expires_at=expires)
    await apply(created)
    await apply(invitation_completed(created, at=clock.now))

    clock.now = expires - timedelta(hours=1)

    assert await worker.send_invitation_reminders(worker_ctx) == 0
    assert await notifications_of(sessions, candidate.id, "invitation_reminder") == []


async def test_an_invitation_sent_inside_the_last_day_gets_only_the_two_hour_reminder(
    apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    expires = clock.now + timedelta(hours=10)
    await apply(invitation_created(candidate, hr, expires_at=expires))

    early = await worker.send_invitation_reminders(worker_ctx)
    clock.now = expires - timedelta(hours=2)
    late = await worker.send_invitation_reminders(worker_ctx)

    assert (early, late) == (0, 1)
    assert [r.data["hoursLeft"] for r in await notifications_of(sessions, candidate.id, "invitation_reminder")] == [2]


async def test_the_weekly_digest_counts_each_hr_users_last_seven_days(
    apply: Any, worker_ctx: Any, sessions: Any, mailpit: Any, make_user: Any, hr: Any, clock: Any
) -> None:
    candidates = [make_user("candidate") for _ in range(3)]
    invitations = [invitation_created(c, hr, expires_at=clock.now + timedelta(days=10)) for c in candidates]
    for created in invitations:
        await apply(created)
    await apply(invitation_completed(invitations[0], at=clock.now))
    await apply(invitation_completed(invitations[1], at=clock.now))
    await apply(
        interviews.CandidateApproved(
            invitation_id=invitations[1].invitation_id,
            candidate_id=candidates[1].id,
            template_id=invitations[1].template_id,
            template_title="Backend Engineer",
            company_name="Acme",
            hr_user_id=hr.id,
            decided_at=clock.now,
        )
    )

    clock.advance(days=2)
    sent = await worker.send_weekly_digest(worker_ctx)
    twice = await worker.send_weekly_digest(worker_ctx)
    [digest] = await notifications_of(sessions, hr.id, "weekly_digest")
    await worker.sweep_emails(worker_ctx)
    [message] = [m for m in await mailpit.wait_for(hr.email, 3) if m["Subject"] == "Your weekly interview summary"]
    text = (await mailpit.message(message["ID"]))["Text"]

    assert sent >= 1 and twice == 0
    assert (digest.data["completedInterviews"], digest.data["newCandidates"], digest.data["pendingReviews"]) == (
        2,
        3,
        1,
    )
    assert "Hello Grace Hopper," in text
    assert "Pending reviews: 1" in text


async def test_an_event_published_twice_on_kafka_notifies_once(
    make_topics: Any, settings: Any, sessions: Any, outlets: Any, candidate: Any, hr: Any, wrap: Any
) -> None:
    await make_topics(*TOPICS)
    event = wrap(invitation_created(candidate, hr, expires_at=datetime.now(UTC) + timedelta(days=7)))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(settings.topic(interviews.TOPIC), event.to_json(), key=b"k")
    finally:
        await producer.stop()
    name = f"n-{uuid.uuid4()}"
    group = f"{settings.topic_prefix}{name}"
    consumer = Consumer(settings, sessions, handlers(Notifier(settings, outlets)), TOPICS, name=name)
    running = asyncio.create_task(consumer.run())
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        # Progress is read from the group's committed offsets, not the database: the consumer's sessions share
        # the test's one rolled-back connection, which two tasks must not use at once.
        async with asyncio.timeout(60):
            while sum(o.offset for o in (await admin.list_consumer_group_offsets(group)).values()) < 2:
                await asyncio.sleep(0.2)
    finally:
        consumer.stopping.set()
        await running
        await admin.close()

    [email] = await notifications_of(sessions, candidate.id, "invitation")
    assert email.channel == Channel.EMAIL

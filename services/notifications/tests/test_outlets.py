"""In-app notifications reach the recipient's Redis channel after COMMIT as the view the API lists, and a
transaction that rolls back publishes nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis

from kit.contracts import interviews
from kit.db import transaction
from notifications import commands
from notifications.commands import Notifier, Source
from notifications.domain import Channel, Template
from notifications.outlets import channel_of


async def next_message(pubsub: Any, timeout_s: float = 5) -> dict[str, Any] | None:
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout_s)
                if message is not None:
                    return dict(json.loads(message["data"]))
    except TimeoutError:
        return None


@pytest.fixture
async def subscribe(settings: Any) -> Any:
    redis = Redis.from_url(settings.redis_url)
    pubsubs = []

    async def make(user_id: str) -> Any:
        pubsub = redis.pubsub()
        await pubsub.subscribe(channel_of(user_id))
        pubsubs.append(pubsub)
        return pubsub

    yield make
    for pubsub in pubsubs:
        await pubsub.aclose()
    await redis.aclose()


async def test_an_in_app_notification_is_published_to_its_recipients_channel_after_commit(
    client: Any, apply: Any, subscribe: Any, candidate: Any
) -> None:
    pubsub = await subscribe(candidate.id)
    await apply(
        interviews.CandidateRejected(
            invitation_id=str(uuid.uuid4()),
            candidate_id=candidate.id,
            template_id=str(uuid.uuid4()),
            template_title="Backend",
            company_name="Acme",
            hr_user_id=str(uuid.uuid4()),
            decided_at=datetime.now(UTC),
        )
    )

    published = await next_message(pubsub)
    [listed] = (await client.get("/api/notifications?channel=in_app", headers=candidate.headers)).json()["items"]

    assert published == listed
    assert (published["template"], published["readAt"]) == ("candidate_rejected", None)


async def test_a_rolled_back_notification_is_never_published(
    settings: Any, sessions: Any, outlets: Any, subscribe: Any, candidate: Any, clock: Any
) -> None:
    pubsub = await subscribe(candidate.id)

    with pytest.raises(RuntimeError):
        async with transaction(sessions) as session:
            await commands.notify(
                session,
                candidate.id,
                Template.CANDIDATE_APPROVED,
                (Channel.IN_APP,),
                {"candidateName": "Ada", "templateTitle": "Backend", "companyName": "Acme", "note": None},
                link=None,
                source=Source(key=str(uuid.uuid4()), event_type="test", occurred_at=clock.now),
                notifier=Notifier(settings, outlets),
                now=clock.now,
            )
            raise RuntimeError("the handler failed after the notification was stored")
    await outlets.drain()

    assert await next_message(pubsub, timeout_s=1) is None

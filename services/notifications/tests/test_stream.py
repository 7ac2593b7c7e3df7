"""The live stream served for real (uvicorn on 127.0.0.1 in front of Postgres and Redis): an in-app
notification stored and published after its commit reaches a connected client; a client resuming with
`Last-Event-ID` gets exactly what it missed, in order, then the live ones, each once; a quiet stream sends
heartbeats; a client that leaves releases its subscription; a lost Redis connection ends the open streams
(their clients resume) and the next stream subscribes afresh; nobody unauthenticated gets a stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit.db import make_sessionmaker, transaction
from kit.testing import INTERNAL_TOKEN, AppServer
from notifications.domain import Channel, Notification, Template
from notifications.main import create_app
from notifications.outlets import Outlets
from notifications.schemas import NotificationView
from notifications.settings import Settings
from notifications.stream import Hub

STREAM = "/api/notifications/stream"
HEARTBEAT_S = 0.2


class Served:
    def __init__(self, url: str, app: FastAPI) -> None:
        self.url = url
        self.app = app

    @property
    def hub(self) -> Hub:
        hub: Hub = self.app.state.notification_hub
        return hub


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Served]:
    app = create_app(settings.model_copy(update={"stream_heartbeat_s": HEARTBEAT_S}))
    async with AppServer(app) as server:
        yield Served(server.url, app)


@pytest.fixture
async def served(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Served]:
    async with serve(settings) as served:
        yield served


@pytest.fixture
async def another_replica(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Served]:
    """A second api process of the service, as with replicas: its own app, hub and Redis subscription."""
    async with serve(settings) as served:
        yield served


@pytest.fixture
async def outlets(settings: Settings) -> AsyncIterator[Outlets]:
    outlets = Outlets(settings)
    yield outlets
    await outlets.aclose()


Notify = Callable[[str, str], Awaitable[NotificationView]]


@pytest.fixture
async def notify(settings: Settings, engine: AsyncEngine, outlets: Outlets) -> AsyncIterator[Notify]:
    """Stores an in-app notification for a recipient, committed, and publishes it as the service does: after
    COMMIT. Rows are deleted afterwards (they were really committed, as the stream reads them from another
    connection)."""
    sessions: async_sessionmaker[AsyncSession] = make_sessionmaker(
        engine, service=settings.service_name, schema=settings.schema_name
    )
    recipients: set[str] = set()

    async def make(recipient_id: str, title: str) -> NotificationView:
        recipients.add(recipient_id)
        async with transaction(sessions) as session:
            notification = Notification.create(
                recipient_id=recipient_id,
                recipient_email=None,
                channel=Channel.IN_APP,
                template=Template.INTERVIEW_COMPLETED,
                data={"title": title},
                title=title,
                body=f"{title}: the candidate finished",
                link="/hr/interviews",
                locale="en",
                event_id=None,
                event_type=None,
                now=datetime.now(UTC),
            )
            session.add(notification)
            await session.flush()
            await session.refresh(notification)
            view = NotificationView.of(notification)
            outlets.published(session, view)
        await outlets.drain()
        return view

    yield make
    async with transaction(sessions) as session:
        await session.execute(delete(Notification).where(Notification.recipient_id.in_(recipients)))


def caller(user_id: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": "hr"}


class Reader:
    """Reads a response's server-sent events (and comments) as they arrive, with bounded waits."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self) -> dict[str, Any]:
        """The next event or comment: `{"comment": ...}` or `{"id", "event", "data"}`."""
        fields: dict[str, Any] = {}
        async with asyncio.timeout(30):
            async for line in self.lines:
                if line == "":
                    if fields:
                        return fields
                    continue
                if line.startswith(":"):
                    return {"comment": line[1:].strip()}
                name, _, value = line.partition(": ")
                fields[name] = json.loads(value) if name == "data" else value
        raise AssertionError(f"the stream ended after {fields}")

    async def event(self) -> dict[str, Any]:
        """The next event, skipping heartbeats."""
        while "comment" in (message := await self.next()):
            pass
        return message


async def subscribed(hub: Hub, count: int) -> None:
    async with asyncio.timeout(30):
        while hub.channels != count:
            await asyncio.sleep(0.02)


async def test_a_connected_client_receives_a_notification_published_after_it_connected(
    served: Served, notify: Notify
) -> None:
    hr = str(uuid.uuid4())
    async with (
        httpx.AsyncClient(base_url=served.url) as http,
        http.stream("GET", STREAM, headers=caller(hr)) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        stream = Reader(response)
        someone_else = await notify(str(uuid.uuid4()), "Not for this caller")
        sent = await notify(hr, "Ada completed the interview")

        event = await stream.event()
    assert event["event"] == "notification"
    assert event["id"] == str(sent.seq) != str(someone_else.seq)
    assert event["data"] == json.loads(sent.model_dump_json(by_alias=True))
    assert event["data"]["recipientId"] == hr
    assert event["data"]["title"] == "Ada completed the interview"


async def test_streams_on_two_replicas_each_receive_the_one_publication(
    served: Served, another_replica: Served, notify: Notify
) -> None:
    """The fan-out is Redis pub/sub: whichever replica a user's tabs reached, one publication reaches each."""
    hr = str(uuid.uuid4())
    async with (
        httpx.AsyncClient(base_url=served.url) as first_http,
        httpx.AsyncClient(base_url=another_replica.url) as second_http,
        first_http.stream("GET", STREAM, headers=caller(hr)) as first,
        second_http.stream("GET", STREAM, headers=caller(hr)) as second,
    ):
        await subscribed(served.hub, 1)
        await subscribed(another_replica.hub, 1)
        sent = await notify(hr, "Ada completed the interview")

        events = [await Reader(first).event(), await Reader(second).event()]
    assert [e["id"] for e in events] == [str(sent.seq)] * 2


async def test_a_resuming_client_gets_exactly_what_it_missed_in_order_then_the_live_ones(
    served: Served, notify: Notify
) -> None:
    hr = str(uuid.uuid4())
    seen = await notify(hr, "Seen before the disconnect")
    missed = [await notify(hr, f"Missed {n}") for n in range(3)]

    async with httpx.AsyncClient(base_url=served.url) as http:
        headers = {**caller(hr), "last-event-id": str(seen.seq)}
        async with http.stream("GET", STREAM, headers=headers) as response:
            stream = Reader(response)
            replayed = [await stream.event() for _ in missed]
            live = await notify(hr, "After the resume")
            after = await stream.event()
        assert [e["id"] for e in replayed] == [str(n.seq) for n in missed]
        assert [e["data"]["title"] for e in replayed] == ["Missed 0", "Missed 1", "Missed 2"]
        assert after["id"] == str(live.seq)

        # An EventSource reconnecting through a proxy that drops the header names its position in the query.
        async with http.stream("GET", STREAM, params={"lastEventId": missed[1].seq}, headers=caller(hr)) as response:
            stream = Reader(response)
            assert [(await stream.event())["id"] for _ in range(2)] == [str(missed[2].seq), str(live.seq)]


async def test_notifications_committed_around_the_replay_are_each_sent_once(
    served: Served, notify: Notify, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The channel is subscribed before the replay is read: a notification committed just before the read is
    # both replayed and published live, and must be sent once; one committed just after the read is only
    # published live, and must not be lost.
    from notifications import queries

    hr = str(uuid.uuid4())
    seen = await notify(hr, "Seen")
    read_missed = queries.in_app_after
    around: list[NotificationView] = []

    async def replay_with_commits_around_the_read(session: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        if around:
            return await read_missed(session, *args, **kwargs)
        around.append(await notify(hr, "Committed before the read"))
        missed = await read_missed(session, *args, **kwargs)
        around.append(await notify(hr, "Committed after the read"))
        return missed

    monkeypatch.setattr(queries, "in_app_after", replay_with_commits_around_the_read)
    async with (
        httpx.AsyncClient(base_url=served.url) as http,
        http.stream("GET", STREAM, headers={**caller(hr), "last-event-id": str(seen.seq)}) as response,
    ):
        stream = Reader(response)
        received = [await stream.event(), await stream.event()]
        later = await notify(hr, "Later")
        received.append(await stream.event())
    assert [e["id"] for e in received] == [str(n.seq) for n in (*around, later)]


async def test_a_quiet_stream_sends_heartbeats(served: Served) -> None:
    async with (
        httpx.AsyncClient(base_url=served.url) as http,
        http.stream("GET", STREAM, headers=caller(str(uuid.uuid4()))) as response,
    ):
        stream = Reader(response)
        assert await stream.next() == {"comment": "ping"}
        assert await stream.next() == {"comment": "ping"}


async def test_a_client_that_leaves_releases_its_subscription(served: Served) -> None:
    hr = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=served.url) as http:
        async with http.stream("GET", STREAM, headers=caller(hr)) as first:
            async with http.stream("GET", STREAM, headers=caller(hr)) as second:
                assert (first.status_code, second.status_code) == (200, 200)
                # Two streams of one user share one subscription.
                await subscribed(served.hub, 1)
            await Reader(first).next()
            await subscribed(served.hub, 1)
        await subscribed(served.hub, 0)


async def test_a_stream_needs_a_signed_in_caller_and_a_numeric_last_event_id(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as http:
        anonymous = await http.get(STREAM)
        assert anonymous.status_code == 401
        forged = await http.get(STREAM, headers={**caller("u-1"), "x-internal-token": "forged"})
        assert forged.status_code == 401

        bad = await http.get(STREAM, headers={**caller("u-1"), "last-event-id": "yesterday"})
        assert bad.status_code == 422
        assert bad.json()["details"]
        negative = await http.get(STREAM, params={"lastEventId": "-1"}, headers=caller("u-1"))
        assert negative.status_code == 422
    assert served.hub.channels == 0


async def test_a_lost_redis_connection_ends_the_open_streams_and_the_next_one_subscribes_afresh(
    served: Served, notify: Notify, settings: Settings
) -> None:
    hr = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=served.url) as http:
        async with http.stream("GET", STREAM, headers=caller(hr)) as response:
            await subscribed(served.hub, 1)
            await kill_the_hubs_redis_connection(served.hub, settings)
            # The stream ends, and its client reconnects with its last event id (a resume is tested above).
            async with asyncio.timeout(30):
                async for line in response.aiter_lines():
                    assert line == "" or line.startswith(":")
        assert served.hub.channels == 0

        async with http.stream("GET", STREAM, headers=caller(hr)) as response:
            sent = await notify(hr, "After the reconnect")
            assert (await Reader(response).event())["id"] == str(sent.seq)


async def kill_the_hubs_redis_connection(hub: Hub, settings: Settings) -> None:
    """Kills, on the Redis server, only the hub's connection (found by its local address), not the
    subscribers of other processes sharing this Redis."""
    assert hub._pubsub is not None and hub._pubsub.connection is not None
    writer = hub._pubsub.connection._writer
    assert writer is not None
    host, port = writer.get_extra_info("sockname")[:2]
    admin = Redis.from_url(settings.redis_url)
    try:
        clients = await admin.client_list()
        (client,) = [c for c in clients if c["addr"] == f"{host}:{port}"]
        assert await admin.client_kill_filter(_id=client["id"]) == 1
    finally:
        await admin.aclose()

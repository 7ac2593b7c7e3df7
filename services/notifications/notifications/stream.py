"""The live stream of the caller's in-app notifications, as server-sent events.

Any API replica can serve any user: whoever stores an in-app notification publishes its view, after COMMIT,
on the Redis channel `notifications:{recipientId}`, and every replica relays what its connected clients'
channels carry. One Redis connection per process carries every channel its clients need (a `Hub`),
subscribed while at least one of that user's streams is open: a thousand open streams cost a thousand
small queues, not a thousand Redis connections.

A client resuming with `Last-Event-ID` (or `lastEventId`, for reconnects through proxies that drop the
header) first gets its in-app notifications after that position, then the live ones. Its channel is
subscribed before that replay is read, so a notification committed in between arrives on both paths and is
sent once. Each event's id is the notification's `seq`."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from starlette.types import Receive, Scope, Send

from kit.auth import CurrentUser
from kit.db import Sessions
from kit.errors import ServiceUnavailable
from notifications import queries
from notifications.outlets import channel_of
from notifications.schemas import NotificationView

log = structlog.get_logger("notifications.stream")

# Events held for one connection whose client reads slower than they come; past that it is dropped and
# resumes from its last event id, instead of the process buffering without bound.
BACKLOG = 64
# Rows per query while replaying what a resuming client missed.
REPLAY_PAGE = 100
# How long a new stream waits for Redis to confirm its channel's subscription.
SUBSCRIBE_TIMEOUT_S = 5.0
# The largest stream position (`seq` is a bigint).
MAX_SEQ = 2**63 - 1
PING = b": ping\n\n"
EVENT_STREAM = "text/event-stream"


class StreamUnavailable(ServiceUnavailable):
    code = "NOTIFICATION_STREAM_UNAVAILABLE"


def frame(seq: int, data: str) -> bytes:
    # A JSON document is one line (newlines inside strings are escaped), so it fits one `data:` field.
    return f"id: {seq}\nevent: notification\ndata: {data}\n\n".encode()


class Subscription:
    """One open stream's feed: the raw messages of its recipient's channel, in arrival order. `None` in the
    queue wakes a reader whose feed has ended."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(BACKLOG)
        self.ended = False

    def deliver(self, data: bytes) -> None:
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            log.info("stream.client_too_slow", channel=self.channel)
            self.end()

    def end(self) -> None:
        self.ended = True
        with suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class Hub:
    """The process's one Redis subscriber: a channel is subscribed while at least one stream needs it.

    Redis answers the commands of one connection in order, so the n-th subscription confirmation of a
    channel belongs to its n-th SUBSCRIBE. If the connection fails, every open stream ends (its client
    reconnects with its last event id and is replayed what it missed) and the next stream connects afresh."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # Serialises SUBSCRIBE and UNSUBSCRIBE, so Redis sees them in the order the bookkeeping assumes.
        self._lock = asyncio.Lock()
        self._listeners: dict[str, set[Subscription]] = {}
        self._ready: dict[str, asyncio.Future[None]] = {}
        self._confirmations: dict[str, deque[asyncio.Future[None]]] = {}

    @property
    def channels(self) -> int:
        return len(self._listeners)

    async def subscribe(self, recipient_id: str) -> Subscription:
        """A feed of the recipient's channel, returned once Redis confirmed the subscription."""
        subscription = Subscription(channel_of(recipient_id))
        channel = subscription.channel
        try:
            async with self._lock:
                pubsub = await self._connection()
                listeners = self._listeners.setdefault(channel, set())
                listeners.add(subscription)
                ready = self._ready.get(channel)
                if ready is None:
                    ready = asyncio.get_running_loop().create_future()
                    self._ready[channel] = ready
                    self._confirmations.setdefault(channel, deque()).append(ready)
                    try:
                        await pubsub.subscribe(channel)
                    except (RedisError, OSError) as exc:
                        await self._disconnect(exc)
                        raise
                    if self._reader is None:
                        self._reader = asyncio.create_task(self._read(pubsub), name="notifications-stream-hub")
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
                await asyncio.shield(ready)
        except (RedisError, OSError, TimeoutError) as exc:
            await self.leave(subscription)
            raise StreamUnavailable("Live notifications are unavailable; retry shortly") from exc
        except BaseException:
            await self.leave(subscription)
            raise
        return subscription

    async def leave(self, subscription: Subscription) -> None:
        subscription.end()
        listeners = self._listeners.get(subscription.channel)
        if listeners is None or subscription not in listeners:
            return
        listeners.discard(subscription)
        if listeners:
            return
        channel = subscription.channel
        del self._listeners[channel]
        self._ready.pop(channel, None)
        async with self._lock:
            # A stream of the same user may have subscribed again while this one waited for the lock.
            if channel in self._listeners or self._pubsub is None:
                return
            try:
                await self._pubsub.unsubscribe(channel)
            except (RedisError, OSError) as exc:
                log.warning("stream.unsubscribe_failed", channel=channel, error=repr(exc))

    async def close(self) -> None:
        await self._disconnect(StreamUnavailable("The service is shutting down"))

    async def _disconnect(self, reason: BaseException) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with suppress(asyncio.CancelledError):
                await reader
        self._reset(reason)

    async def _connection(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.redis.pubsub()
        return self._pubsub

    async def _read(self, pubsub: PubSub) -> None:
        """Started after the connection's first SUBSCRIBE; it owns the connection, closed when it ends."""
        async with pubsub:
            try:
                while True:
                    message: dict[str, Any] | None = await pubsub.get_message(timeout=None)
                    if message is not None:
                        self._dispatch(message)
            except Exception as exc:
                # Forgotten before the connection closes, so no new stream subscribes on a closing connection.
                log.warning("stream.redis_connection_lost", error=repr(exc), exc_info=not isinstance(exc, RedisError))
                self._reader = None
                self._reset(exc)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode() if isinstance(message["channel"], bytes) else str(message["channel"])
        if message["type"] == "message":
            for subscription in tuple(self._listeners.get(channel, ())):
                subscription.deliver(message["data"])
        elif message["type"] == "subscribe":
            pending = self._confirmations.get(channel)
            if pending:
                confirmed = pending.popleft()
                if not confirmed.done():
                    confirmed.set_result(None)
                if not pending:
                    del self._confirmations[channel]

    def _reset(self, reason: BaseException) -> None:
        for listeners in self._listeners.values():
            for subscription in listeners:
                subscription.end()
        for pending in self._confirmations.values():
            for confirmed in pending:
                if not confirmed.done():
                    confirmed.set_exception(reason)
                # Retrieved here so a future nobody awaits any more is not reported as never retrieved.
                confirmed.exception()
        self._listeners.clear()
        self._ready.clear()
        self._confirmations.clear()
        self._pubsub = None


class EventStream(StreamingResponse):
    """The stream's response: its subscription is left however the response ends (the client went away,
    which cancels the body before it may even have started, or the feed ended)."""

    media_type = EVENT_STREAM

    def __init__(self, content: AsyncIterator[bytes], *, hub: Hub, subscription: Subscription) -> None:
        # No cache may keep it, and no proxy (nginx, or one honouring the same header) may buffer it.
        super().__init__(content, headers={"cache-control": "no-cache", "x-accel-buffering": "no"})
        self.hub = hub
        self.subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.hub.leave(self.subscription)


async def events(
    subscription: Subscription, missed: list[NotificationView], *, heartbeat_s: float
) -> AsyncIterator[bytes]:
    replayed = {view.seq for view in missed}
    for view in missed:
        yield frame(view.seq, view.model_dump_json(by_alias=True))
    while not subscription.ended:
        try:
            async with asyncio.timeout(heartbeat_s):
                data = await subscription.queue.get()
        except TimeoutError:
            yield PING
            continue
        if data is None:
            return
        seq = _seq_of(data)
        if seq is None or seq in replayed:
            continue
        yield frame(seq, data.decode())


def _seq_of(data: bytes) -> int | None:
    try:
        seq = json.loads(data)["seq"]
    except (ValueError, KeyError, TypeError):
        seq = None
    if not isinstance(seq, int):
        log.warning("stream.unreadable_message", data=data[:200])
        return None
    return seq


async def _missed(sessions: Any, recipient_id: str, after_seq: int) -> list[NotificationView]:
    missed: list[NotificationView] = []
    async with sessions() as session:
        while True:
            page = await queries.in_app_after(session, recipient_id, after_seq, limit=REPLAY_PAGE)
            missed.extend(page)
            if len(page) < REPLAY_PAGE:
                return missed
            after_seq = page[-1].seq


@asynccontextmanager
async def hub_lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.notification_hub = Hub(app.state.redis)
    try:
        yield
    finally:
        await app.state.notification_hub.close()


router = APIRouter(prefix="/api/notifications", tags=["notifications"], lifespan=hub_lifespan)

LastEventIdHeader = Annotated[
    int | None,
    Header(alias="last-event-id", ge=0, le=MAX_SEQ, description="The id of the last event the client received"),
]
LastEventIdQuery = Annotated[
    int | None,
    Query(alias="lastEventId", ge=0, le=MAX_SEQ, description="The same, for clients that cannot set the header"),
]


@router.get(
    "/stream",
    status_code=200,
    response_class=EventStream,
    responses={200: {"description": "Server-sent events", "content": {EVENT_STREAM: {"schema": {"type": "string"}}}}},
)
async def stream(
    request: Request,
    sessions: Sessions,
    caller: CurrentUser,
    last_event_id: LastEventIdHeader = None,
    last_event_id_query: LastEventIdQuery = None,
) -> EventStream:
    """The caller's new in-app notifications as they happen; after `Last-Event-ID`, first those missed."""
    hub: Hub = request.app.state.notification_hub
    subscription = await hub.subscribe(caller.user_id)
    after = last_event_id if last_event_id is not None else last_event_id_query
    try:
        missed = [] if after is None else await _missed(sessions, caller.user_id, after)
    except BaseException:
        await hub.leave(subscription)
        raise
    heartbeat_s = request.app.state.settings.stream_heartbeat_s
    return EventStream(events(subscription, missed, heartbeat_s=heartbeat_s), hub=hub, subscription=subscription)

"""Per-caller request limits at the edge: a signed-in caller is counted by their Keycloak id (an internal-token
caller by the user it names), anyone else by client address. Counts live in Redis (a sliding window counter), so
every gateway replica shares them. Over the limit is a 429 with the error envelope and `Retry-After`.

A caller seen lately is admitted without a Redis round trip, as Kong's `sync_rate` and Envoy's local limits do:
each replica keeps the caller's window as Redis last answered it plus the hits it admitted since, and every
`sync_interval_s` adds those hits to the same Redis keys (the `limits` library's own scripts, so its
`get_window_stats`, Retry-After and the other replicas see them) and reads the windows back, in one pipelined
round trip for all its callers. A caller is counted in Redis first when this replica has no fresh window for them
(new, idle, or not synced for `STALE_SYNCS` intervals, e.g. Redis down) or when the local count reaches the
limit. One replica therefore admits exactly the limit; N replicas together admit at most the limit plus what each
of the others admitted in one interval before it saw it: (N - 1) * the caller's rate * `sync_interval_s` above
it, bounded by N * the limit."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import structlog
from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.identity import bearer_token
from gateway.outages import OutageLog
from gateway.revocation import DenyList, DenyListRead, revocation_keys
from gateway.tokens import InvalidToken
from kit.auth import verify_internal_token
from kit.errors import error_response

log = structlog.get_logger("gateway.limits")

# Probes and scrapes are never throttled: a monitor that polls must not lock itself out.
UNLIMITED_PATHS = frozenset({"/health", "/health/live", "/health/ready", "/health/circuits", "/ready", "/metrics"})


# The sliding window counter of `limits` (its own scripts, so the counts and `get_window_stats` agree), run
# here through the kit's Redis client: they go in one pipeline with the caller's deny-list read. The read answers
# the window's two counts and their TTLs, which the local count starts from.
SCRIPTS = files("limits.resources.redis.lua_scripts")
ACQUIRE_SCRIPT = (SCRIPTS / "acquire_sliding_window.lua").read_text()
READ_SCRIPT = (SCRIPTS / "sliding_window.lua").read_text()
# Hits already admitted here are added with the acquire script under a limit no count reaches: counted as
# `limits` counts them (the window shifted the same way), never refused.
NO_LIMIT = str(2**53)
KEY_PREFIX = "gateway:api-ratelimit"
ENCODED_KEPT = 10_000
IDLE_KEPT = 32
# A caller's local window is trusted for this many sync intervals after Redis answered it.
STALE_SYNCS = 3
# How long a stopping gateway waits for its last sync.
FINAL_SYNC_S = 1.0


async def _reply(connection: Any) -> Any:
    try:
        return await connection.read_response()
    except ResponseError as exc:  # an error reply (NOSCRIPT): the connection is still in step
        return exc


@dataclass(frozen=True)
class Admission:
    """The rate limit's answer: `wait` None when the caller may go on (the hit is counted), else the seconds to
    wait; `reads`, the values of the keys read in the same round trip (None when they could not be read)."""

    wait: int | None
    reads: list[Any] | None = None


@dataclass
class _Window:
    """A caller's sliding window as Redis answered it at `read_at` (monotonic), and the hits admitted here since."""

    previous: int
    previous_ttl_s: float
    current: int
    current_ttl_s: float
    read_at: float
    pending: int = 0
    used_at: float = 0.0

    @classmethod
    def from_reply(cls, reply: list[Any], read_at: float, pending: int) -> _Window:
        previous, previous_ttl, current, current_ttl = reply
        return cls(
            int(previous or 0),
            max(int(previous_ttl), 0) / 1000,
            int(current or 0),
            max(int(current_ttl), 0) / 1000,
            read_at,
            pending,
            read_at,
        )

    def count(self, now: float, expiry: int) -> int:
        """The count the acquire script would weigh now: the previous window's share still inside the sliding
        window, the current one's, and the hits not synced yet."""
        elapsed = now - self.read_at
        previous, previous_ttl = self.previous, self.previous_ttl_s - elapsed
        current, current_ttl = self.current, self.current_ttl_s - elapsed
        if 0 < current_ttl < expiry:  # the current window has ended since: Redis shifts it at the next hit
            previous, previous_ttl, current = current, current_ttl, 0
        elif current_ttl <= 0:
            current = 0
        return math.floor(previous * max(previous_ttl, 0) / expiry) + current + self.pending


class ApiLimiter:
    def __init__(
        self, redis: Redis, redis_url: str, *, signed_in: str, anonymous: str, sync_interval_s: float = 0.0
    ) -> None:
        self.redis = redis
        self.signed_in = parse(signed_in)
        self.anonymous = parse(anonymous)
        # Only on the way to a 429: how long until the window lets the caller in again.
        self.limiter = SlidingWindowCounterRateLimiter(RedisStorage(f"async+{redis_url}", key_prefix=KEY_PREFIX))
        self._sha = hashlib.sha1(ACQUIRE_SCRIPT.encode()).hexdigest()
        self._read_sha = hashlib.sha1(READ_SCRIPT.encode()).hexdigest()
        # 0: every hit is counted in Redis before the request goes on.
        self.sync_interval_s = sync_interval_s
        self._windows: dict[str, _Window] = {}
        self._syncing: asyncio.Task[None] | None = None
        pool = redis.connection_pool
        # Encodes commands only (never connected): the bytes a connection of the pool would send.
        self._packer: Any = pool.connection_class(**pool.connection_kwargs)
        # (limit, caller, keys read) → the request's bytes, for the callers seen lately.
        self._encoded: dict[tuple[int, int, str, tuple[str, ...]], tuple[list[bytes], list[tuple[Any, ...]]]] = {}
        # The limiter's own connections between requests (made as the client's pool makes them, at most
        # IDLE_KEPT kept): not the pool's checkout, which polls a connection for unread data each time with a
        # zero timeout, an extra turn of the event loop and a cancelled read (~15 µs a request). A connection
        # goes back here only with both answers read; one that failed or was interrupted is dropped.
        self._idle: list[Any] = []

    def window_keys(self, item: RateLimitItem, key: str) -> tuple[str, str]:
        """The previous and current window of `key`, named as `limits`' Redis storage names them."""
        current = f"{KEY_PREFIX}:{{{item.key_for(key)}}}"
        return f"{current}/-1", current

    def _item(self, key: str) -> RateLimitItem:
        return self.signed_in if key.startswith("user:") else self.anonymous

    def start(self) -> None:
        """Starts the syncs, when hits are counted locally."""
        if self.sync_interval_s > 0:
            self._syncing = asyncio.create_task(self._sync_forever())

    def admit_locally(self, key: str) -> bool:
        """Counts a hit against the caller keyed `key` in this process, True when it is admitted: only while their
        window is fresh and below the limit (else `admit` counts it in Redis)."""
        window = self._windows.get(key)
        if window is None:
            return False
        now = time.monotonic()
        item = self._item(key)
        if now - window.read_at > STALE_SYNCS * self.sync_interval_s or window.count(now, item.get_expiry()) >= (
            item.amount
        ):
            return False
        window.pending += 1
        window.used_at = now
        return True

    async def admit(self, key: str, *, read: Sequence[str] = ()) -> Admission:
        """Counts a hit against the caller keyed `key` in Redis (after the hits admitted here and not synced yet)
        and, in the same round trip, reads the keys `read` (a failed read is None, for the caller to read again; a
        failed hit raises) and, when hits are counted locally, the caller's window for the next ones."""
        item = self._item(key)
        window = self._windows.get(key)
        pending = 0
        if window is not None:
            pending, window.pending = window.pending, 0
        read_at = time.monotonic()
        try:
            replies = await self._call(*self._packed_admit(item, key, tuple(read), pending))
        except BaseException:
            self._windows.pop(key, None)  # not trusted until Redis answers for it again
            raise
        if pending:
            replies.pop(0)
        hit = replies[0]
        if isinstance(hit, Exception):
            self._windows.pop(key, None)
            raise hit
        if self.sync_interval_s > 0 and isinstance(replies[1], list):
            self._keep(key, replies[1], read_at)
        reads = replies[-1] if read else None
        reads = reads if isinstance(reads, list) else None
        if hit:
            return Admission(None, reads)
        stats = await self.limiter.get_window_stats(item, key)
        return Admission(max(1, math.ceil(stats.reset_time - time.time())), reads)

    def _keep(self, key: str, reply: list[Any], read_at: float) -> None:
        held = self._windows.get(key)
        if held is not None and held.read_at > read_at:  # a later answer arrived first
            return
        # Hits admitted here while the round trip was on its way are not in its answer.
        self._windows[key] = _Window.from_reply(reply, read_at, held.pending if held is not None else 0)

    async def sync(self) -> bool:
        """Adds the hits admitted here since the last sync to the callers' windows in Redis and reads the windows
        back, one pipelined round trip for every caller seen in the last `STALE_SYNCS` intervals; False when there
        was none to sync (no round trip)."""
        now = time.monotonic()
        for key in [k for k, w in self._windows.items() if not w.pending and now - w.used_at > self._stale_s]:
            del self._windows[key]
        if not self._windows:
            return False
        commands: list[tuple[Any, ...]] = []
        synced: list[tuple[str, int]] = []
        for key, window in self._windows.items():
            item = self._item(key)
            keys = self.window_keys(item, key)
            if window.pending:
                commands.append(("EVALSHA", self._sha, 2, *keys, NO_LIMIT, str(item.get_expiry()), str(window.pending)))
            commands.append(("EVALSHA", self._read_sha, 2, *keys, str(item.get_expiry())))
            synced.append((key, window.pending))
            window.pending = 0
        read_at = time.monotonic()
        try:
            replies = await self._call(self._packer.pack_commands(commands), commands)
            for key, added in synced:
                if added:
                    replies.pop(0)
                reply = replies.pop(0)
                if not isinstance(reply, list):
                    raise reply if isinstance(reply, Exception) else ValueError(f"unexpected window {reply!r}")
                self._keep(key, reply, read_at)
        except BaseException:
            # Stale counts are not trusted: every caller is counted in Redis again, which fails as before.
            self._windows.clear()
            raise
        return True

    @property
    def _stale_s(self) -> float:
        return STALE_SYNCS * self.sync_interval_s

    async def _sync_forever(self) -> None:
        # As the deny-list's subscription: the loss is logged once and the recovery (the first sync that reached
        # Redis after it) once.
        outage = OutageLog(log, "ratelimit.sync_failed", "ratelimit.sync_recovered")
        while True:
            await asyncio.sleep(self.sync_interval_s)
            try:
                synced = await self.sync()
            except Exception as exc:
                outage.failed(error=repr(exc))
            else:
                if synced:
                    outage.succeeded()

    async def _call(self, packed: list[bytes], commands: Sequence[tuple[Any, ...]]) -> list[Any]:
        """`commands` (as `packed`) in one round trip, their replies in order."""
        replies = await self._execute(packed, len(commands))
        unknown = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if unknown:  # Redis restarted or was flushed: those scripts did not run, the others did
            await self.redis.script_load(ACQUIRE_SCRIPT)
            await self.redis.script_load(READ_SCRIPT)
            again = [commands[i] for i in unknown]
            for i, reply in zip(
                unknown, await self._execute(self._packer.pack_commands(again), len(again)), strict=True
            ):
                replies[i] = reply
        return replies

    async def _execute(self, packed: list[bytes], count: int) -> list[Any]:
        """Pipelined commands on one of the limiter's connections: what redis-py's pipeline sends, without building
        a pipeline object and encoding the same arguments again on every request (a caller's commands are the
        same from one request to the next, so their encoding is kept). An error reply is returned in place of its
        answer."""
        kept = bool(self._idle)
        connection = self._idle.pop() if kept else await self._connect()
        try:
            return await self._round_trip(connection, packed, count)
        except (RedisConnectionError, OSError):
            if not kept:
                raise
            # A kept connection Redis closed meanwhile (a restart): once more on a new one, as the pool's checkout
            # would have reconnected it.
            return await self._round_trip(await self._connect(), packed, count)

    async def _round_trip(self, connection: Any, packed: list[bytes], count: int) -> list[Any]:
        try:
            await connection.send_packed_command(packed, check_health=False)
            replies = [await _reply(connection) for _ in range(count)]
        except BaseException:
            await connection.disconnect()
            raise
        if len(self._idle) < IDLE_KEPT:
            self._idle.append(connection)
        else:
            await connection.disconnect()
        return replies

    async def _connect(self) -> Any:
        pool = self.redis.connection_pool
        connection: Any = pool.connection_class(**pool.connection_kwargs)
        await connection.connect()
        return connection

    async def aclose(self) -> None:
        """Stops the syncs, sends the hits admitted since the last one (a replica that stops, e.g. in a rolling
        deploy, would otherwise take them with it), and closes the connections kept between requests."""
        if self._syncing is not None:
            self._syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncing
            try:
                # Bounded: a Redis that does not answer must not hold the shutdown up.
                await asyncio.wait_for(self.sync(), timeout=FINAL_SYNC_S)
            except Exception as exc:
                log.warning("ratelimit.final_sync_failed", error=repr(exc))
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.disconnect()

    def _packed_admit(
        self, item: RateLimitItem, key: str, read: tuple[str, ...], pending: int
    ) -> tuple[list[bytes], list[tuple[Any, ...]]]:
        """The hit, the window read when hits are counted locally, and the keys `read`: their bytes and the
        commands."""
        cache_key = (item.amount, item.get_expiry(), key, read)
        cached = self._encoded.get(cache_key)
        keys = self.window_keys(item, key)
        expiry = str(item.get_expiry())
        if cached is None:
            commands: list[tuple[Any, ...]] = [("EVALSHA", self._sha, 2, *keys, str(item.amount), expiry, "1")]
            if self.sync_interval_s > 0:
                commands.append(("EVALSHA", self._read_sha, 2, *keys, expiry))
            if read:
                commands.append(("MGET", *read))
            cached = self._packer.pack_commands(commands), commands
            if len(self._encoded) >= ENCODED_KEPT:  # callers come and go: start afresh rather than grow
                self._encoded.clear()
            self._encoded[cache_key] = cached
        if pending:
            # The hits admitted here first, so that the count the hit is weighed against includes them.
            flush = ("EVALSHA", self._sha, 2, *keys, NO_LIMIT, expiry, str(pending))
            return self._packer.pack_commands([flush]) + cached[0], [flush, *cached[1]]
        return cached


async def caller(request: Request) -> tuple[str, dict[str, Any] | None]:
    """Who the request counts against, and their verified claims when a token names them. A token that does not
    verify counts against the client's address, so sending made-up tokens gives no fresh allowance, and nobody
    can spend another user's."""
    state = request.app.state
    settings = state.settings
    presented = request.headers.get("x-internal-token")
    if (
        presented is not None
        and settings.internal_auth_enabled
        and verify_internal_token(presented, settings.internal_token.get_secret_value())
        and request.headers.get("x-user-id")
    ):
        return f"user:{request.headers['x-user-id']}", None
    token = bearer_token(request)
    if token is not None:
        try:
            claims: dict[str, Any] = await state.tokens.verify(token)
            return f"user:{claims['sub']}", claims
        except InvalidToken:
            pass
    return f"ip:{request.client.host if request.client else 'unknown'}", None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.unavailable = OutageLog(log, "ratelimit.unavailable", "ratelimit.available", check="rate_limit")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = request.app.state
        limiter: ApiLimiter = state.api_limiter
        deny_list: DenyList = state.deny_list
        claims = None
        try:
            key, claims = await caller(request)
            # Without a round trip only when the deny-list can be checked without one too.
            if (claims is None or deny_list.healthy) and limiter.admit_locally(key):
                admission = Admission(None)
            else:
                # A signed-in caller's deny-list entries are read in the rate limit's round trip: authenticating
                # them then needs no second one (the entries are this request's, read before it is answered).
                admission = await limiter.admit(key, read=revocation_keys(claims) if claims is not None else ())
                self.unavailable.succeeded()
        except Exception as exc:
            # Redis down must not take the API down with it: the request goes through unlimited, and is counted
            # (the outage is logged once; the deny-list is then read, and fails closed, where the caller is
            # authenticated).
            self.unavailable.failed(error=type(exc).__name__)
            admission = Admission(None)
        if claims is not None:
            # Set on every request, read or not: a server may hand each request the same state (asgi-lifespan's
            # does), and an earlier request's read of the same token must not stand for this one's.
            request.state.deny_list = DenyListRead(claims, admission.reads) if admission.reads is not None else None
        wait = admission.wait
        if wait is None:
            await self.app(scope, receive, send)
            return
        response = error_response(
            request,
            429,
            "TOO_MANY_REQUESTS",
            f"Too many requests; try again in {wait} seconds",
            headers={"Retry-After": str(wait)},
        )
        await response(scope, receive, send)

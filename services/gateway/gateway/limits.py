"""Per-caller request limits at the edge: a signed-in caller is counted by their Keycloak id (an internal-token
caller by the user it names), anyone else by client address. Counts live in Redis (a sliding window counter), so
every gateway replica shares them. Over the limit is a 429 with the error envelope and `Retry-After`."""

from __future__ import annotations

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
from gateway.revocation import DenyListRead, revocation_keys
from gateway.tokens import InvalidToken
from kit.auth import verify_internal_token
from kit.errors import error_response

log = structlog.get_logger("gateway.limits")

# Probes and scrapes are never throttled: a monitor that polls must not lock itself out.
UNLIMITED_PATHS = frozenset({"/health", "/health/live", "/health/ready", "/health/circuits", "/ready", "/metrics"})


# The sliding window counter of `limits` (its own script, so the counts and `get_window_stats` agree), run
# here through the kit's Redis client: it goes in one pipeline with the caller's deny-list read.
ACQUIRE_SCRIPT = (files("limits.resources.redis.lua_scripts") / "acquire_sliding_window.lua").read_text()
KEY_PREFIX = "gateway:api-ratelimit"
ENCODED_KEPT = 10_000
IDLE_KEPT = 32


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


class ApiLimiter:
    def __init__(self, redis: Redis, redis_url: str, *, signed_in: str, anonymous: str) -> None:
        self.redis = redis
        self.signed_in = parse(signed_in)
        self.anonymous = parse(anonymous)
        # Only on the way to a 429: how long until the window lets the caller in again.
        self.limiter = SlidingWindowCounterRateLimiter(RedisStorage(f"async+{redis_url}", key_prefix=KEY_PREFIX))
        self._sha = hashlib.sha1(ACQUIRE_SCRIPT.encode()).hexdigest()
        # (limit, caller, keys read) → the request's bytes, for the callers seen lately.
        self._encoded: dict[tuple[int, int, str, tuple[str, ...]], list[bytes]] = {}
        # The limiter's own connections between requests (made as the client's pool makes them, at most
        # IDLE_KEPT kept): not the pool's checkout, which polls a connection for unread data each time with a
        # zero timeout, an extra turn of the event loop and a cancelled read (~15 µs a request). A connection
        # goes back here only with both answers read; one that failed or was interrupted is dropped.
        self._idle: list[Any] = []

    def window_keys(self, item: RateLimitItem, key: str) -> tuple[str, str]:
        """The previous and current window of `key`, named as `limits`' Redis storage names them."""
        current = f"{KEY_PREFIX}:{{{item.key_for(key)}}}"
        return f"{current}/-1", current

    async def admit(self, key: str, *, read: Sequence[str] = ()) -> Admission:
        """Counts a hit against the caller keyed `key` and, in the same round trip, reads the keys `read` (a
        failed read is None, for the caller to read again; a failed hit raises)."""
        item = self.signed_in if key.startswith("user:") else self.anonymous
        hit, reads = await self._execute(item, key, read)
        if isinstance(hit, NoScriptError):  # Redis restarted or was flushed since the script was loaded
            await self.redis.script_load(ACQUIRE_SCRIPT)
            hit, reads = await self._execute(item, key, read)
        if isinstance(hit, Exception):
            raise hit
        if hit:
            return Admission(None, reads)
        stats = await self.limiter.get_window_stats(item, key)
        return Admission(max(1, math.ceil(stats.reset_time - time.time())), reads)

    async def _execute(self, item: RateLimitItem, key: str, read: Sequence[str]) -> tuple[Any, list[Any] | None]:
        """The hit and the read as one pipelined request on one of the limiter's connections: what redis-py's
        pipeline sends, without building a pipeline object and encoding the same arguments again on every request
        (a caller's commands are the same from one request to the next, so their encoding is kept). An error reply
        is returned in place of its answer."""
        kept = bool(self._idle)
        connection = self._idle.pop() if kept else await self._connect()
        try:
            return await self._round_trip(connection, item, key, tuple(read))
        except (RedisConnectionError, OSError):
            if not kept:
                raise
            # A kept connection Redis closed meanwhile (a restart): once more on a new one, as the pool's checkout
            # would have reconnected it.
            return await self._round_trip(await self._connect(), item, key, tuple(read))

    async def _round_trip(
        self, connection: Any, item: RateLimitItem, key: str, read: tuple[str, ...]
    ) -> tuple[Any, list[Any] | None]:
        try:
            await connection.send_packed_command(self._packed(connection, item, key, read), check_health=False)
            hit = await _reply(connection)
            reads = await _reply(connection) if read else None
        except BaseException:
            await connection.disconnect()
            raise
        if len(self._idle) < IDLE_KEPT:
            self._idle.append(connection)
        else:
            await connection.disconnect()
        return hit, reads if isinstance(reads, list) else None

    async def _connect(self) -> Any:
        pool = self.redis.connection_pool
        connection: Any = pool.connection_class(**pool.connection_kwargs)
        await connection.connect()
        return connection

    async def aclose(self) -> None:
        """Closes the connections kept between requests."""
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.disconnect()

    def _packed(self, connection: Any, item: RateLimitItem, key: str, read: tuple[str, ...]) -> list[bytes]:
        cache_key = (item.amount, item.get_expiry(), key, read)
        packed = self._encoded.get(cache_key)
        if packed is None:
            hit = ("EVALSHA", self._sha, 2, *self.window_keys(item, key), str(item.amount), str(item.get_expiry()), "1")
            packed = connection.pack_commands([hit, ("MGET", *read)] if read else [hit])
            if len(self._encoded) >= ENCODED_KEPT:  # callers come and go: start afresh rather than grow
                self._encoded.clear()
            self._encoded[cache_key] = packed
        return packed


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limiter: ApiLimiter = request.app.state.api_limiter
        claims = None
        try:
            key, claims = await caller(request)
            # A signed-in caller's deny-list entries are read in the rate limit's round trip: authenticating them
            # then needs no second one (the entries are this request's, read before it is answered).
            admission = await limiter.admit(key, read=revocation_keys(claims) if claims is not None else ())
        except Exception as exc:
            # Redis down must not take the API down with it: the request goes through unlimited, and is logged
            # (the deny-list is then read, and fails closed, where the caller is authenticated).
            log.warning("ratelimit.unavailable", error=type(exc).__name__)
            admission = Admission(None)
        if admission.reads is not None and claims is not None:
            request.state.deny_list = DenyListRead(claims, admission.reads)
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

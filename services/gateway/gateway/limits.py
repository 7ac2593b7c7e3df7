"""Per-caller request limits at the edge: a signed-in caller is counted by their Keycloak id (an internal-token
caller by the user it names), anyone else by client address. Counts live in Redis (a sliding window counter), so
every gateway replica shares them. Over the limit is a 429 with the error envelope and `Retry-After`."""

from __future__ import annotations

import math
import time

import structlog
from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.identity import bearer_token
from gateway.tokens import InvalidToken
from kit.auth import verify_internal_token
from kit.errors import error_response

log = structlog.get_logger("gateway.limits")

# Probes and scrapes are never throttled: a monitor that polls must not lock itself out.
UNLIMITED_PATHS = frozenset({"/health", "/health/live", "/health/ready", "/health/circuits", "/ready", "/metrics"})


class ApiLimiter:
    def __init__(self, redis_url: str, *, signed_in: str, anonymous: str) -> None:
        self.limiter = SlidingWindowCounterRateLimiter(
            RedisStorage(f"async+{redis_url}", key_prefix="gateway:api-ratelimit")
        )
        self.signed_in = parse(signed_in)
        self.anonymous = parse(anonymous)

    async def retry_after(self, key: str) -> int | None:
        """None when the caller keyed `key` may go on (the hit is counted); else the seconds to wait."""
        item = self.signed_in if key.startswith("user:") else self.anonymous
        if await self.limiter.hit(item, key):
            return None
        return await self._wait(item, key)

    async def _wait(self, item: RateLimitItem, key: str) -> int:
        stats = await self.limiter.get_window_stats(item, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


async def caller_key(request: Request) -> str:
    """Who the request counts against. A token that does not verify counts against the client's address, so
    sending made-up tokens gives no fresh allowance, and nobody can spend another user's."""
    state = request.app.state
    settings = state.settings
    presented = request.headers.get("x-internal-token")
    if (
        presented is not None
        and settings.internal_auth_enabled
        and verify_internal_token(presented, settings.internal_token.get_secret_value())
        and request.headers.get("x-user-id")
    ):
        return f"user:{request.headers['x-user-id']}"
    token = bearer_token(request)
    if token is not None:
        try:
            claims = await state.tokens.verify(token)
            return f"user:{claims['sub']}"
        except InvalidToken:
            pass
    return f"ip:{request.client.host if request.client else 'unknown'}"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limiter: ApiLimiter = request.app.state.api_limiter
        try:
            wait = await limiter.retry_after(await caller_key(request))
        except Exception as exc:
            # Redis down must not take the API down with it: the request goes through unlimited, and is logged.
            log.warning("ratelimit.unavailable", error=type(exc).__name__)
            wait = None
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

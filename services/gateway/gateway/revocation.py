"""The gateway's deny-list of access tokens that Keycloak still signs as valid: a signed-out session
(`sid`), one token (`jti`), or every token of a user issued up to a moment (`sub`: suspended or deleted).
Access tokens are verified locally until they expire (900 s in the shipped realms), so without this list a
token would outlive its logout or its user's suspension by that long. Entries live in Redis, shared by
every gateway replica, and expire with the longest-lived token they can concern.

Each replica keeps a copy of the list in memory (`DenyList`), so a request is checked without a Redis round
trip: a revocation is SET in Redis and then published on `CHANNEL`; a replica subscribes first and then loads
every entry (so none falls between the two), applies each message as it comes, and applies its own revocations
at once. Another replica refuses a revoked token once the message reaches it (pub/sub delivery: about a
millisecond on one network). Until the subscription is confirmed and loaded, and from the moment it fails, a
request reads its entries from Redis as before, and fails closed when it cannot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

from gateway.outages import OutageLog
from gateway.tokens import InvalidToken
from kit.errors import ServiceUnavailable

log = structlog.get_logger("gateway.revocation")

PREFIX = "gateway:revoked:"
CHANNEL = "gateway:revoked"
# A subscription that stays silent this long is pinged; one that does not answer by the next turn is dropped
# (a connection can die without Redis closing it) and the list is read from Redis until it is back.
PING_S = 5.0
# After a failed subscription the next try waits this long, doubled after each failure up to the cap: a replica
# whose Redis is down tries (and logs at debug) a few times a minute, and subscribes within the cap of its return.
RECONNECT_S = 0.5
RECONNECT_MAX_S = 4.0


class TokenRevoked(InvalidToken):
    code = "ACCESS_TOKEN_REVOKED"


class RevocationUnavailable(ServiceUnavailable):
    code = "SESSION_CHECK_UNAVAILABLE"


def _key(kind: str, value: str) -> str:
    return f"{PREFIX}{kind}:{value}"


@dataclass(frozen=True)
class DenyListRead:
    """The deny-list entries of `revocation_keys(claims)`, read earlier in this request (by the rate limit)."""

    claims: dict[str, Any]
    entries: Sequence[bytes | None]


def revocation_keys(claims: dict[str, Any]) -> list[str]:
    """The deny-list entries that concern a verified token: its session, its id and its user."""
    return [
        _key("sid", str(claims.get("sid") or "-")),
        _key("jti", str(claims.get("jti") or "-")),
        _key("sub", str(claims["sub"])),
    ]


class DenyList:
    """This replica's copy of the deny-list, and the revocations made here."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        # True only while the subscription is confirmed and the entries were loaded after it.
        self.healthy = False
        # key → (value, monotonic time it expires)
        self._entries: dict[str, tuple[bytes, float]] = {}
        # The subscription's own connection, named so that an operator (or a test) can tell it in CLIENT LIST.
        self.client_name = f"gateway-deny-list-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        pool = redis.connection_pool
        self._pool = ConnectionPool(
            connection_class=pool.connection_class, **{**pool.connection_kwargs, "client_name": self.client_name}
        )
        self._task: asyncio.Task[None] | None = None
        # The reads of requests that found neither the local copy nor the rate limit's read to answer them.
        self.checks = OutageLog(
            log, "revocation.check_failed", "revocation.check_recovered", level="error", check="deny_list"
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._mirror_forever())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._pool.disconnect()

    def entries(self, claims: dict[str, Any]) -> list[bytes | None]:
        """The local copy's values of `revocation_keys(claims)`, as MGET would answer them."""
        now = time.monotonic()
        values: list[bytes | None] = []
        for key in revocation_keys(claims):
            entry = self._entries.get(key)
            values.append(entry[0] if entry is not None and entry[1] > now else None)
        return values

    async def revoke_session(self, claims: dict[str, Any], *, ttl_s: int) -> None:
        """Ends, at the gateway, the session of a verified access token and that token itself."""
        entries = {_key("jti", str(claims["jti"])): "1"} if claims.get("jti") else {}
        if claims.get("sid"):
            entries[_key("sid", str(claims["sid"]))] = "1"
        await self._revoke(entries, ttl_s)

    async def revoke_subject(self, subject: str, *, ttl_s: int, now: float | None = None) -> None:
        """Refuses every token of the Keycloak user `subject` issued up to now; later sign-ins (after an
        activation) are not affected."""
        revoked_at = time.time() if now is None else now
        await self._revoke({_key("sub", subject): str(revoked_at)}, ttl_s)

    async def _revoke(self, entries: dict[str, str], ttl_s: int) -> None:
        # Here first: this replica refuses the token from now on, even if Redis fails below.
        for key, value in entries.items():
            self._apply(key, value.encode(), ttl_s)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key, value in entries.items():
                pipe.set(key, value, ex=ttl_s)
                # After the SET: a replica that loads the list on subscribing sees the entry or gets the message.
                pipe.publish(CHANNEL, json.dumps({"key": key, "value": value, "ttl_s": ttl_s}))
            await pipe.execute()

    def _apply(self, key: str, value: bytes, ttl_s: float) -> None:
        expires = time.monotonic() + ttl_s
        held = self._entries.get(key)
        if held is not None:
            # The message and the load may bring the same entry in either order: keep the later revocation.
            value = max(held[0], value, key=float)
            expires = max(held[1], expires)
        self._entries[key] = (value, expires)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [key for key, (_, expires) in self._entries.items() if expires <= now]:
            del self._entries[key]

    async def _mirror_forever(self) -> None:
        # The loss is logged once, as a warning, and the recovery once ("revocation.subscribed"); the tries
        # between them only at debug.
        failures = 0
        delay = RECONNECT_S
        while True:
            try:
                await self._mirror(failures)
            except (RedisError, OSError, TimeoutError) as exc:
                if self.healthy:  # it had subscribed: a new outage, retried promptly at first
                    failures, delay = 0, RECONNECT_S
                failures += 1
                if failures == 1:
                    log.warning("revocation.subscription_lost", error=repr(exc))
                else:
                    log.debug("revocation.subscription_retry_failed", failures=failures, error=repr(exc))
            finally:
                self.healthy = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    async def _mirror(self, failures: int) -> None:
        """Subscribes, loads the list and applies the messages until the subscription fails (it never returns);
        `failures`: the tries that failed since the last subscription."""
        async with Redis(connection_pool=self._pool).pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            confirmed = await pubsub.get_message(timeout=PING_S)
            if confirmed is None or confirmed["type"] != "subscribe":
                raise TimeoutError("the subscription was not confirmed")
            await self._load()
            self.healthy = True
            log.info("revocation.subscribed", entries=len(self._entries), failed_tries=failures)
            pinged = False
            while True:
                message = await pubsub.get_message(timeout=PING_S)
                if message is None:
                    if pinged:
                        raise TimeoutError("the subscription did not answer a ping")
                    self._forget_expired()
                    await pubsub.ping()
                    pinged = True
                    continue
                pinged = False
                if message["type"] == "message":
                    sent = json.loads(message["data"])
                    self._apply(sent["key"], str(sent["value"]).encode(), float(sent["ttl_s"]))

    async def _load(self) -> None:
        keys = [key async for key in self.redis.scan_iter(match=f"{PREFIX}*", count=1000)]
        if not keys:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(key)
                pipe.pttl(key)
            replies = await pipe.execute()
        for key, value, ttl_ms in zip(keys, replies[::2], replies[1::2], strict=True):
            if value is not None and ttl_ms > 0:
                self._apply(key.decode(), value, ttl_ms / 1000)


async def ensure_not_revoked(
    deny_list: DenyList, claims: dict[str, Any], *, entries: Sequence[bytes | None] | None = None
) -> None:
    """Refuses a verified token whose session, id or user was revoked. `entries`: the values of
    `revocation_keys(claims)` when this request already read them (the rate limit reads them in its own round
    trip); else the local copy's while it is healthy, else one Redis round trip. Fails closed: when the list
    cannot be read, a token that may be revoked is not let through."""
    if entries is None and deny_list.healthy:
        entries = deny_list.entries(claims)
    if entries is None:
        try:
            entries = await deny_list.redis.mget(revocation_keys(claims))
        except RedisError as exc:
            deny_list.checks.failed(error=repr(exc))
            raise RevocationUnavailable("Sign-in checks are unavailable; try again in a moment") from exc
    # Read by any of the three ways: the outage, if there was one, is over.
    deny_list.checks.succeeded()
    sid, jti, sub = entries
    if sid is not None or jti is not None:
        raise TokenRevoked("This session has ended; sign in again")
    # Token times are whole seconds: a token issued in the second of the revocation is refused too.
    if sub is not None and int(claims.get("iat") or 0) <= int(float(sub)):
        raise TokenRevoked("This account's sessions were ended; sign in again")


async def end_user_sessions(request: Request, subject: str) -> None:
    """For the admin routes that suspend or delete the Keycloak user `subject`."""
    state = request.app.state
    await state.deny_list.revoke_subject(subject, ttl_s=state.settings.revocation_ttl_s)

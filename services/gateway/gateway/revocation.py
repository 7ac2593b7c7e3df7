"""The gateway's deny-list of access tokens that Keycloak still signs as valid: a signed-out session
(`sid`), one token (`jti`), or every token of a user issued up to a moment (`sub`: suspended or deleted).
Access tokens are verified locally until they expire (900 s in the shipped realms), so without this list a
token would outlive its logout or its user's suspension by that long. Entries live in Redis, shared by
every gateway replica, and expire with the longest-lived token they can concern."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Request
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.tokens import InvalidToken
from kit.errors import ServiceUnavailable

log = structlog.get_logger("gateway.revocation")

PREFIX = "gateway:revoked:"


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


async def ensure_not_revoked(
    redis: Redis, claims: dict[str, Any], *, entries: Sequence[bytes | None] | None = None
) -> None:
    """Refuses a verified token whose session, id or user was revoked. `entries`: the values of
    `revocation_keys(claims)` when this request already read them (the rate limit reads them in its own round
    trip); else one Redis round trip. Fails closed: when the list cannot be read, a token that may be revoked
    is not let through."""
    if entries is None:
        try:
            entries = await redis.mget(revocation_keys(claims))
        except RedisError as exc:
            log.error("revocation.check_failed", error=repr(exc))
            raise RevocationUnavailable("Sign-in checks are unavailable; try again in a moment") from exc
    sid, jti, sub = entries
    if sid is not None or jti is not None:
        raise TokenRevoked("This session has ended; sign in again")
    # Token times are whole seconds: a token issued in the second of the revocation is refused too.
    if sub is not None and int(claims.get("iat") or 0) <= int(float(sub)):
        raise TokenRevoked("This account's sessions were ended; sign in again")


async def revoke_session(redis: Redis, claims: dict[str, Any], *, ttl_s: int) -> None:
    """Ends, at the gateway, the session of a verified access token and that token itself."""
    entries = {_key("jti", str(claims["jti"])): "1"} if claims.get("jti") else {}
    if claims.get("sid"):
        entries[_key("sid", str(claims["sid"]))] = "1"
    async with redis.pipeline(transaction=False) as pipe:
        for key, value in entries.items():
            pipe.set(key, value, ex=ttl_s)
        await pipe.execute()


async def revoke_subject(redis: Redis, subject: str, *, ttl_s: int, now: float | None = None) -> None:
    """Refuses every token of the Keycloak user `subject` issued up to now; later sign-ins (after an
    activation) are not affected."""
    revoked_at = time.time() if now is None else now
    await redis.set(_key("sub", subject), str(revoked_at), ex=ttl_s)


async def end_user_sessions(request: Request, subject: str) -> None:
    """For the admin routes that suspend or delete the Keycloak user `subject`."""
    state = request.app.state
    await revoke_subject(state.redis, subject, ttl_s=state.settings.revocation_ttl_s)

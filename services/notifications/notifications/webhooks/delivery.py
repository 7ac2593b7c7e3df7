"""Talking to receivers: the destination rules, the signature, and one HTTP attempt.

Destinations must be https on a public address. A name is resolved when a message is sent (not only when the
endpoint is saved), every address it resolves to is checked, and the connection goes to the checked address
with the name kept in the Host header and TLS server name: a name that later resolves to a private address
(DNS rebinding) is refused instead of reached. Plain-http loopback receivers are admitted only when
`webhooks_allow_insecure_loopback` is on. Redirects are not followed, so a receiver cannot bounce a message
to an address that was never checked."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from notifications.webhooks.domain import SECRET_PREFIX, InvalidWebhookUrl

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) → the addresses the name resolves to; tests replace it with a stub.
Resolver = Callable[[str, int], Awaitable[list[str]]]
TransportFactory = Callable[[], httpx.AsyncBaseTransport]

USER_AGENT = "aivi-webhooks/1"


class RefusedDestination(Exception):
    """The destination fails the rules at send time; no connection was opened."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def check_url(url: str, *, allow_insecure_loopback: bool) -> Target:
    """The rules that need no DNS: scheme, no credentials, a host, and an address literal's range. Raises
    `InvalidWebhookUrl` (a 422 naming the field)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidWebhookUrl(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InvalidWebhookUrl("only https URLs are accepted")
    if scheme == "http" and not allow_insecure_loopback:
        raise InvalidWebhookUrl("only https URLs are accepted")
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrl("credentials in the URL are not accepted")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidWebhookUrl("the URL has no host")
    if parts.fragment:
        raise InvalidWebhookUrl("a fragment is never sent; remove it")
    literal = address_literal(host)
    if literal is not None:
        refusal = refused_because(literal, allow_loopback=allow_insecure_loopback)
        if refusal is not None:
            raise InvalidWebhookUrl(refusal)
        if scheme == "http" and not literal.is_loopback:
            raise InvalidWebhookUrl("plain http is accepted only for loopback receivers")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path)


def address_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def refused_because(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why a receiver at this address is refused, or None when it may be reached."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else f"{address} is a loopback address"
    if address.is_unspecified:
        return f"{address} is the unspecified address"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address in ipaddress.IPv6Network("fc00::/7"):
        return f"{address} is a unique-local address"
    if address.is_private:
        return f"{address} is a private address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


async def resolve(host: str, port: int) -> list[str]:
    """The system resolver: every address of a name (A and AAAA)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` over `id.timestamp.body`, keyed with the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None


@dataclass(frozen=True)
class Sender:
    """One signed attempt at a receiver. `resolver` and `transport` are where tests stub DNS and the network."""

    timeout_s: float
    allow_insecure_loopback: bool
    resolver: Resolver = resolve
    transport: TransportFactory = field(default=lambda: httpx.AsyncHTTPTransport(retries=0))

    async def pinned_address(self, target: Target) -> IPAddress:
        """The first address of the host, once every one of them passed the rules."""
        literal = address_literal(target.host)
        if literal is not None:
            candidates: list[IPAddress] = [literal]
        else:
            try:
                async with asyncio.timeout(self.timeout_s):
                    resolved = await self.resolver(target.host, target.port)
            except (OSError, TimeoutError) as exc:
                raise RefusedDestination(f"{target.host} does not resolve ({exc or 'timed out'})") from None
            candidates = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolved]
        if not candidates:
            raise RefusedDestination(f"{target.host} does not resolve")
        for address in candidates:
            refusal = refused_because(address, allow_loopback=self.allow_insecure_loopback)
            if refusal is not None:
                raise RefusedDestination(f"{target.host} resolves to a refused address: {refusal}")
        if target.scheme == "http" and not all(a.is_loopback for a in candidates):
            raise RefusedDestination("plain http is accepted only for loopback receivers")
        return candidates[0]

    async def send(self, url: str, *, secret: str, message_id: str, payload: dict[str, Any]) -> Outcome:
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            target = check_url(url, allow_insecure_loopback=self.allow_insecure_loopback)
            address = await self.pinned_address(target)
        except (InvalidWebhookUrl, RefusedDestination) as exc:
            return Outcome(ok=False, status_code=None, duration_ms=elapsed(), error=str(exc))
        body = body_of(payload)
        timestamp = int(time.time())
        host = f"[{address}]" if address.version == 6 else str(address)
        default_port = 443 if target.scheme == "https" else 80
        authority = target.host if target.port == default_port else f"{target.host}:{target.port}"
        request = httpx.Request(
            "POST",
            f"{target.scheme}://{host}:{target.port}{target.path}",
            content=body,
            headers={
                "host": authority,
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "webhook-id": message_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": sign(secret, message_id, timestamp, body),
            },
            # TLS is negotiated and the certificate checked for the name, not for the pinned address.
            extensions={"sni_hostname": target.host},
        )
        try:
            # A total bound: httpx's own timeout is per read, which a receiver dripping bytes would never hit.
            async with (
                asyncio.timeout(self.timeout_s),
                httpx.AsyncClient(
                    transport=self.transport(), timeout=self.timeout_s, follow_redirects=False, trust_env=False
                ) as client,
            ):
                response = await client.send(request, stream=True)
                await response.aclose()
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(
                ok=False, status_code=None, duration_ms=elapsed(), error=f"No answer in {self.timeout_s:g} s"
            )
        except httpx.HTTPError as exc:
            return Outcome(ok=False, status_code=None, duration_ms=elapsed(), error=f"{type(exc).__name__}: {exc}")
        ok = 200 <= response.status_code < 300
        error = None if ok else f"The receiver answered {response.status_code}"
        return Outcome(ok=ok, status_code=response.status_code, duration_ms=elapsed(), error=error)

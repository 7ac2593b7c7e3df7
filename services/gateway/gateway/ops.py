"""Gateway-only infrastructure routes, security headers, and the public API docs."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth_api import set_session_cookies
from gateway.identity import Caller, GatedRouter, authenticate, session_cookie
from gateway.keycloak import KeycloakRejected
from gateway.schemas import CircuitOverview, CircuitStates, GatewayHealth, Liveness, ProtectedProbe
from gateway.tokens import InvalidToken
from kit.errors import error_response

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

STARTED = time.monotonic()

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-site"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """helmet's defaults that matter for a JSON API; HSTS only when cookies are Secure (HTTPS)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


# What these answer (upstream states, circuits, dependency checks, metrics) is for the operator, not the public:
# they answer only clients of `Settings.ops_allowed_clients`, anyone else gets the 404 of a route that is not there.
# /health/live (alive or not, nothing more) stays open for any load balancer.
OPS_PATHS = frozenset({"/health", "/health/ready", "/health/circuits", "/ready", "/metrics"})
RESOLVED_TTL_S = 30.0


class OpsAllowlist:
    """Entries are addresses, networks (`10.0.0.0/8`) or host names, resolved at most every 30 s (a scraper
    named by its compose service, whose address changes when it is recreated)."""

    def __init__(self, app: ASGIApp, *, clients: list[str]) -> None:
        self.app = app
        self.networks: list[IPNetwork] = []
        self.names: list[str] = []
        for entry in clients:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.append(entry)
        self.resolved: list[IPNetwork] = []
        self.resolved_at = -RESOLVED_TTL_S

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in OPS_PATHS or await self.allows(scope.get("client")):
            await self.app(scope, receive, send)
            return
        response = error_response(Request(scope), 404, "NOT_FOUND", "Not Found")
        await response(scope, receive, send)

    async def allows(self, client: tuple[str, int] | None) -> bool:
        try:
            address = ipaddress.ip_address(client[0]) if client else None
        except ValueError:
            return False
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d
        return any(address in network for network in [*self.networks, *await self._named()])

    async def _named(self) -> list[IPNetwork]:
        if self.names and time.monotonic() - self.resolved_at > RESOLVED_TTL_S:
            loop = asyncio.get_running_loop()
            resolved: list[IPNetwork] = []
            for name in self.names:
                try:
                    infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
                except OSError:
                    continue  # not resolvable now (the scraper is not up): allowed once it is
                resolved += [ipaddress.ip_network(info[4][0]) for info in infos]
            self.resolved, self.resolved_at = resolved, time.monotonic()
        return self.resolved


router = GatedRouter()


@router.get("/", response_class=PlainTextResponse, tags=["ops"], summary="Hello")
async def hello() -> str:
    """Hello."""
    return "Hello from API Gateway!"


def _circuits(request: Request) -> dict[str, Any]:
    return {name: {"state": client.state()} for name, client in request.app.state.upstreams.items()}


HEALTH_PROBES = {
    "user-service": "users_url",
    "interview-service": "interviews_url",
    "ai-analysis-service": "analysis_url",
}


async def _probe(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = await client.get(f"{url.rstrip('/')}/health")
        elapsed = round((time.perf_counter() - started) * 1000)
        if response.status_code == 200:
            return {"status": "up", "responseTime": elapsed}
        return {"status": "down", "responseTime": elapsed, "error": f"HTTP {response.status_code}"}
    except httpx.HTTPError:
        # The exception's text names internal addresses: the answer says only what happened.
        return {"status": "down", "responseTime": round((time.perf_counter() - started) * 1000), "error": "unreachable"}


async def _probe_process(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """A consumer's or worker's /health: up on 200; its lag or backlog whenever the body carries them."""
    started = time.perf_counter()
    try:
        response = await client.get(f"{url.rstrip('/')}/health")
    except httpx.HTTPError:
        return {"status": "down", "responseTime": round((time.perf_counter() - started) * 1000), "error": "unreachable"}
    result: dict[str, Any] = {
        "status": "up" if response.status_code == 200 else "down",
        "responseTime": round((time.perf_counter() - started) * 1000),
    }
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    for key in ("consumerLag", "outboxBacklog"):
        if isinstance(body.get(key), int):
            result[key] = body[key]
    if response.status_code != 200:
        reason = body.get("reason")
        result["error"] = reason if isinstance(reason, str) else f"HTTP {response.status_code}"
    return result


async def _replicas(client: httpx.AsyncClient, urls: list[str]) -> dict[str, Any]:
    """Every replica of one role, each asked apart: up only while every replica is. The lag is the group's (each
    member reports the partitions it holds), the backlog the largest seen (every worker reads one outbox)."""
    results = await asyncio.gather(*(_probe_process(client, url) for url in urls))
    down = sum(r["status"] != "up" for r in results)
    combined: dict[str, Any] = {
        "status": "down" if down else "up",
        "responseTime": max(r["responseTime"] for r in results),
    }
    lags = [r["consumerLag"] for r in results if "consumerLag" in r]
    if lags:
        combined["consumerLag"] = sum(lags)
    backlogs = [r["outboxBacklog"] for r in results if "outboxBacklog" in r]
    if backlogs:
        combined["outboxBacklog"] = max(backlogs)
    if down:
        combined["error"] = f"{down} of {len(results)} replicas down"
    combined["replicas"] = results
    return combined


async def _processes(client: httpx.AsyncClient, urls: dict[str, str | list[str]]) -> dict[str, dict[str, Any]]:
    results = await asyncio.gather(
        *(_probe_process(client, url) if isinstance(url, str) else _replicas(client, url) for url in urls.values())
    )
    grouped: dict[str, dict[str, Any]] = {}
    for name, result in zip(urls, results, strict=True):
        service, _, role = name.rpartition("-")
        grouped.setdefault(service or name, {})[role] = result
    return grouped


# These routes build their JSON themselves (timestamps as `isoformat` writes them, absent keys left out);
# the models document it.
@router.get(
    "/health",
    response_model=GatewayHealth,
    tags=["ops"],
    summary="Health of the gateway and the services it probes (always 200)",
)
async def health(*, request: Request) -> JSONResponse:
    """Health of the gateway and the services it probes."""
    settings = request.app.state.settings
    async with httpx.AsyncClient(timeout=2.0) as client:
        results, processes = await asyncio.gather(
            asyncio.gather(*(_probe(client, getattr(settings, a)) for a in HEALTH_PROBES.values())),
            _processes(client, settings.process_health_urls),
        )
    services = dict(zip(HEALTH_PROBES, results, strict=True))
    # A consumer that is down means events silently wait: that is as degraded as an API that is down.
    probes = [*services.values(), *(p for roles in processes.values() for p in roles.values())]
    return JSONResponse(
        {
            "status": "healthy" if all(p["status"] == "up" for p in probes) else "degraded",
            "service": settings.service_name,
            "timestamp": datetime.now(UTC).isoformat(),
            "uptime": round(time.monotonic() - STARTED, 1),
            "services": services,
            "processes": processes,
            "circuits": _circuits(request),
        }
    )


@router.get("/health/live", response_model=Liveness, tags=["ops"], summary="Liveness")
async def live() -> JSONResponse:
    """Liveness."""
    return JSONResponse({"alive": True, "timestamp": datetime.now(UTC).isoformat()})


@router.get("/health/ready", response_model=CircuitOverview, tags=["ops"], summary="Circuit overview")
async def ready(*, request: Request) -> JSONResponse:
    """Circuit overview."""
    circuits = _circuits(request)
    opened = sorted(n for n, c in circuits.items() if c["state"] != "closed")
    note = f"circuits not closed: {', '.join(opened)}" if opened else "all circuits closed"
    return JSONResponse({"ready": True, "circuits": circuits, "note": note})


@router.get("/health/circuits", response_model=CircuitStates, tags=["ops"], summary="Circuit breaker states")
async def circuits(*, request: Request) -> JSONResponse:
    """Circuit breaker states."""
    return JSONResponse({"timestamp": datetime.now(UTC).isoformat(), "circuits": _circuits(request)})


@router.get(
    "/protected",
    response_model=ProtectedProbe,
    tags=["auth"],
    summary="Auth probe; refreshes an expired session from the cookie",
)
async def protected(*, caller: Caller) -> JSONResponse:
    """Auth probe."""
    return JSONResponse(
        {
            "message": "This is a protected route",
            "timestamp": datetime.now(UTC).isoformat(),
            "user": {
                "userId": caller.user_id,
                "keycloakId": caller.subject,
                "email": caller.email,
                "role": caller.role,
                "roles": sorted(caller.roles),
            },
        }
    )


class RefreshingAuth:
    """For /protected (`JwtRefreshGuard`): when the access cookie is missing or expired but a refresh
    cookie is present, refresh first, then let the request through with the new token and cookies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/protected":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refresh_token = session_cookie(request, "refresh_token")
        access = session_cookie(request, "access_token")
        if refresh_token and not request.headers.get("authorization") and not await _valid(request, access):
            try:
                tokens = await request.app.state.oidc.refresh(refresh_token)
            except KeycloakRejected:
                tokens = None
            if tokens is not None:
                cookie_carrier = Response()
                set_session_cookies(cookie_carrier, request.app.state.settings, tokens)
                scope = dict(scope)
                scope["headers"] = [
                    *(h for h in scope["headers"] if h[0] != b"authorization"),
                    (b"authorization", f"Bearer {tokens['access_token']}".encode()),
                ]
                cookies = [(k.encode(), v.encode()) for k, v in cookie_carrier.headers.items() if k == "set-cookie"]

                async def with_cookies(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        message["headers"] = [*message.get("headers", []), *cookies]
                    await send(message)

                await self.app(scope, receive, with_cookies)
                return
        await self.app(scope, receive, send)


async def _valid(request: Request, token: str | None) -> bool:
    if not token:
        return False
    try:
        await request.app.state.tokens.verify(token)
    except InvalidToken:
        return False
    return True


def docs_router() -> APIRouter:
    docs = GatedRouter(include_in_schema=False)

    @docs.get("/api/docs-json")
    async def openapi_json(request: Request) -> JSONResponse:
        return JSONResponse(await request.app.state.docs.document(request.app.openapi()))

    @docs.get("/api/docs")
    async def swagger(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/docs-json", title="AI video interview platform API")

    return docs


__all__ = ["OpsAllowlist", "RefreshingAuth", "SecurityHeadersMiddleware", "authenticate", "docs_router", "router"]

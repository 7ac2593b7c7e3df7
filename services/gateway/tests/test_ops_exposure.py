"""What the gateway shows the public: /metrics and the detailed health routes only to the operator's clients,
health without exception text, and error envelopes naming the path the client called, not a service's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway.main import create_app
from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN, AppServer

OPS_PATHS = ("/metrics", "/health", "/health/ready", "/health/circuits", "/ready")
OUTSIDER = "203.0.113.7"
Client = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_from(
    migrated: Settings, stub: tuple[Any, Any], settings_with_upstreams_down: Callable[..., Settings]
) -> AsyncIterator[Client]:
    """A gateway reached from a given client address (upstreams down unless overridden)."""
    async with AsyncExitStack() as stack:

        async def make(address: str, **overrides: Any) -> httpx.AsyncClient:
            settings = settings_with_upstreams_down(**{"users_url": stub[0].url, **overrides})
            manager = await stack.enter_async_context(LifespanManager(create_app(settings)))
            transport = httpx.ASGITransport(app=manager.app, client=(address, 40000))
            return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://gw"))

        yield make


async def test_metrics_and_detailed_health_answer_only_the_operators_clients(client_from: Client) -> None:
    outsider, local = await client_from(OUTSIDER), await client_from("127.0.0.1")
    for path in OPS_PATHS:
        refused = await outsider.get(path)
        assert refused.status_code == 404, path
        assert (refused.json()["code"], refused.json()["path"]) == ("NOT_FOUND", path)
        assert (await local.get(path)).status_code in (200, 503), path
    # Liveness says nothing but "alive", for any load balancer.
    assert (await outsider.get("/health/live")).json()["alive"] is True


async def test_the_allowlist_takes_networks_and_host_names(client_from: Client) -> None:
    by_network = await client_from(OUTSIDER, ops_allowed_clients=["203.0.113.0/24"])
    assert (await by_network.get("/metrics")).status_code == 200
    by_name = await client_from("127.0.0.1", ops_allowed_clients=["localhost"])
    assert (await by_name.get("/metrics")).status_code == 200
    dual_stack = await client_from("::ffff:127.0.0.1")
    assert (await dual_stack.get("/metrics")).status_code == 200
    elsewhere = await client_from("198.51.100.1", ops_allowed_clients=["localhost", "10.0.0.0/8"])
    assert (await elsewhere.get("/metrics")).status_code == 404


async def test_health_says_a_service_is_unreachable_without_the_exceptions_text(client_from: Client) -> None:
    health = await (await client_from("127.0.0.1", users_url="http://127.0.0.1:9")).get("/health")
    services = health.json()["services"]
    assert {s["status"] for s in services.values()} == {"down"}
    assert {s["error"] for s in services.values()} == {"unreachable"}
    assert "127.0.0.1" not in health.text
    assert "Error" not in health.text


@pytest.fixture
async def enveloping_upstream() -> AsyncIterator[str]:
    """An upstream answering every request with a 404 envelope naming its own path, as the services do."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def missing(path: str) -> JSONResponse:
        envelope = {"success": False, "statusCode": 404, "code": "NOT_FOUND", "error": "Not found", "path": f"/{path}"}
        return JSONResponse(envelope, 404)

    async with AppServer(app) as server:
        yield server.url


def as_hr(user_id: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": "hr"}


async def test_an_upstreams_error_envelope_names_the_path_called_at_the_gateway(
    client_from: Client, enveloping_upstream: str
) -> None:
    gateway = await client_from(
        "127.0.0.1", users_url=enveloping_upstream, analysis_url=enveloping_upstream, internal_auth_enabled=True
    )
    user_id, invitation_id = str(uuid.uuid4()), str(uuid.uuid4())
    calls = (
        ("GET", "/api/users/me"),  # relayed to /users/<the caller's internal id>
        ("GET", f"/api/analysis/{invitation_id}"),  # proxied to /api/v1/analysis/<id>
        ("DELETE", f"/api/hr/companies/{uuid.uuid4()}"),  # a step whose refusal stops the operation
        ("GET", "/api/hr/candidates/search"),
    )
    for method, path in calls:
        response = await gateway.request(method, path, headers=as_hr(user_id))
        assert response.status_code == 404, path
        body = response.json()
        assert body["path"] == path
        assert user_id not in response.text
        assert "/api/v1/" not in response.text

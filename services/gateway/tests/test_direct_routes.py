"""The routes the index serves without FastAPI's request handling (the proxy table, the relayed profile routes):
each passes its gate first and once, and answers a request exactly as FastAPI's own path answers it."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from gateway import dispatch, identity
from gateway.identity import Caller, GatedRouter, Identity, authorize, current_caller
from gateway.main import create_app
from gateway.proxy import TABLE
from gateway.rbac import RULES
from gateway.settings import Settings
from gateway.upstream import UpstreamClient
from kit.routing import Candidate, RouteIndex
from kit.testing import INTERNAL_TOKEN, threaded_calls

from .conftest import AppServer, GatewayFactory, StubState, gateway_settings

APP = create_app()
STREAMS = {("GET", "/api/notifications/stream")}


def served_directly() -> dict[tuple[str, str], Candidate]:
    index = APP.router.middleware_stack
    assert isinstance(index, RouteIndex)
    index.build()
    return {
        (method, candidate.context.path_format): candidate
        for bucket in index.buckets.values()
        for candidate in bucket
        if candidate.direct is not None
        for method in candidate.context.methods
    }


def caller_for(method: str, path: str) -> dict[str, str]:
    """An internal-token caller the route's rule lets in."""
    rule = RULES[(method, path)]
    role = sorted(rule.roles)[0] if rule.roles else "admin"
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": role}


def test_every_proxied_route_and_my_profile_are_served_directly_behind_their_gate() -> None:
    served = served_directly()
    for forward in TABLE:
        candidate = served.get((forward.method, forward.path))
        assert candidate is not None and candidate.direct is not None, (forward.method, forward.path)
        assert candidate.direct.gate is authorize
    profile = served[("GET", "/api/users/me")].direct
    assert profile is not None and (profile.gate, profile.caller_name) == (current_caller, "caller")


class Body(BaseModel):
    name: str


def test_a_route_with_anything_more_to_solve_or_render_is_left_to_fastapi() -> None:
    router = GatedRouter()

    async def with_query(request: Request, page: int = 1) -> Response:
        return Response()

    async def with_body(body: Body, caller: Caller) -> Response:
        return Response()

    async def with_model(caller: Caller) -> Body:
        return Body(name="x")

    async def plain(request: Request, caller: Caller) -> Response:
        return Response()

    for endpoint in (with_query, with_body, with_model, plain):
        router.add_api_route(f"/{endpoint.__name__}", endpoint, methods=["GET"])
    routes = {route.path: route for route in router.routes if isinstance(route, APIRoute)}
    assert [path for path, route in routes.items() if dispatch.direct(route) is not None] == ["/plain"]


async def test_a_direct_route_passes_its_gate_once_before_it_calls_the_upstream(
    gateway: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    origin_check, upstream_request = identity.check_origin, UpstreamClient.request

    def gate(request: Request) -> None:  # the first step of `authorize`, for every route
        events.append("gate")
        origin_check(request)

    async def upstream(self: UpstreamClient, *args: Any, **kwargs: Any) -> Any:
        events.append("upstream")
        return await upstream_request(self, *args, **kwargs)

    monkeypatch.setattr(identity, "check_origin", gate)
    monkeypatch.setattr(UpstreamClient, "request", upstream)
    checked = 0
    for forward in TABLE:
        if (forward.method, forward.path) in STREAMS:
            continue
        events.clear()
        url = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), forward.path)
        response = await gateway.request(forward.method, url, headers=caller_for(forward.method, forward.path))
        # Some upstreams are down in these tests (503): the call was still made.
        assert response.status_code < 500 or response.status_code in (502, 503), (forward, response.text)
        assert events[0] == "gate" and events.count("gate") == 1 and events[-1] == "upstream", (forward, events)
        checked += 1
    assert checked > 100


def comparable(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    """An answer without what differs on every request (its time, correlation id, the upstream's echo of them)."""
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "x-correlation-id", "content-length")}
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.status_code, headers, response.text
    if isinstance(body, dict):
        for volatile in ("timestamp", "correlationId", "clientPort"):
            body.pop(volatile, None)
        for volatile in ("x-correlation-id", "traceparent", "tracestate", "x-user-id"):
            (body.get("headers") or {}).pop(volatile, None)
    return response.status_code, headers, body


async def test_the_direct_path_answers_as_fastapis_path_answers(
    make_gateway: GatewayFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = await make_gateway()
    await direct.get("/health")  # its index is built now, with the direct paths
    monkeypatch.setattr(dispatch, "direct", lambda context: None)
    through_fastapi = await make_gateway()
    user = caller_for("GET", "/api/users/me")
    hr = caller_for("GET", "/api/templates/{template_id}")
    template = f"/api/templates/{uuid.uuid4()}"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/templates", {}),  # no credentials: 401
        ("GET", "/api/invitations/hr", {"headers": {**user, "x-user-role": "candidate"}}),  # the wrong role: 403
        ("GET", "/api/media/not-a-uuid", {"headers": user}),  # a path id checked by the proxy: 422
        ("POST", "/api/templates", {"headers": {**hr, "content-type": "text/plain"}, "content": b"x"}),  # 415
        ("GET", "/api/users/me", {"headers": user}),  # the users service's 404, named at the gateway's path
        ("GET", template, {"headers": hr, "params": {"status": "409"}}),  # an upstream's refusal passed on
        ("GET", template, {"headers": hr, "params": {"status": "500"}}),  # an upstream failure: 502
        ("GET", template, {"headers": hr, "params": {"page": "2"}}),  # forwarded, answered 200
        ("GET", "/api/media", {"headers": user}),  # an upstream that is down: 503 with Retry-After
        ("POST", "/api/invitations/hr", {"headers": hr}),  # another method only: FastAPI's 405 on both
    ]
    served: list[str] = []
    serve = dispatch.Direct.__call__

    async def counted(self: dispatch.Direct, scope: Any, receive: Any, send: Any) -> None:
        served.append(scope["path"])
        await serve(self, scope, receive, send)

    monkeypatch.setattr(dispatch.Direct, "__call__", counted)
    for method, path, kwargs in requests:
        answers = [comparable(await client.request(method, path, **kwargs)) for client in (direct, through_fastapi)]
        assert answers[0] == answers[1], (method, path)
    # Each request but the 405 took the direct path once: on the first gateway, never on the second.
    assert served == [path for method, path, _ in requests if method != "POST" or path != "/api/invitations/hr"]


async def test_an_app_with_a_dependency_override_is_served_by_fastapi_with_the_override(
    migrated: Any, stub: tuple[AppServer, StubState], down_url: str
) -> None:
    app = create_app(gateway_settings(stub[0].url, down_url))
    user_id = str(uuid.uuid4())
    app.dependency_overrides[current_caller] = lambda: Identity(user_id, "candidate", frozenset({"candidate"}))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1") as client,
    ):
        response = await client.get("/api/users/me")  # no credentials: the override is the caller
    # The stand-in users service was asked for the override's user (and knows no such user).
    assert (response.status_code, response.json()["code"]) == (404, "USER_NOT_FOUND")


def test_no_route_hands_its_endpoint_or_a_dependency_to_the_thread_pool(settings: Settings) -> None:
    # A class or a plain `def` dependency (the audit trail's filters was one) costs a thread hand-off on every request.
    assert threaded_calls(create_app(settings)) == []

"""The RBAC matrix: every route of the gateway app x every kind of caller, checked against the
declarative table, so a route added without a rule (or with the wrong one) fails here."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from gateway.identity import Caller, GatedRouter, authorize, current_caller
from gateway.main import create_app
from gateway.rbac import RULES, Rule
from kit.testing import INTERNAL_TOKEN

COMPANY_A, COMPANY_B = str(uuid.uuid4()), str(uuid.uuid4())
CALLERS: dict[str, dict[str, str] | None] = {
    "anonymous": None,
    "pending": {"x-user-id": str(uuid.uuid4()), "x-user-role": "pending"},
    "candidate": {"x-user-id": str(uuid.uuid4()), "x-user-role": "candidate"},
    "hr": {"x-user-id": str(uuid.uuid4()), "x-user-role": "hr", "x-company-id": COMPANY_A},
    "hr of another company": {"x-user-id": str(uuid.uuid4()), "x-user-role": "hr", "x-company-id": COMPANY_B},
    "admin": {"x-user-id": str(uuid.uuid4()), "x-user-role": "admin"},
}
# Routes whose requests the matrix must not really send (a stream that would stay open).
STREAMS = {("GET", "/api/notifications/stream")}


def gateway_routes() -> set[tuple[str, str]]:
    app = create_app()
    return {
        (method, str(context.path))
        for context in iter_route_contexts(app.routes)
        for method in (context.methods or ())
        if method != "HEAD"
    }


def expected(rule: Rule, caller: str) -> str:
    if rule.public:
        return "allow"
    if caller == "anonymous":
        return "401"
    role = CALLERS[caller]["x-user-role"]  # type: ignore[index]
    return "allow" if rule.allows(frozenset({role})) else "403"


def observed(status: int) -> str:
    return {401: "401", 403: "403"}.get(status, "allow")


def test_every_gateway_route_has_exactly_one_rule() -> None:
    routes = gateway_routes()
    assert routes - RULES.keys() == set(), "routes without an access rule"
    assert RULES.keys() - routes == set(), "rules for routes that do not exist"


async def test_every_route_answers_every_caller_as_the_table_says(gateway: httpx.AsyncClient) -> None:
    mismatches: list[str] = []
    checked = 0
    for method, path in sorted(gateway_routes()):
        rule = RULES[(method, path)]
        url = re.sub(r"{\w+}", lambda _: str(uuid.uuid4()), path)
        for caller, identity in CALLERS.items():
            if (method, path) in STREAMS and expected(rule, caller) == "allow":
                continue
            headers = {"x-internal-token": INTERNAL_TOKEN, **identity} if identity else {}
            kwargs: dict[str, Any] = {"headers": headers}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            response = await gateway.request(method, url, **kwargs)
            checked += 1
            want, got = expected(rule, caller), observed(response.status_code)
            if want != got:
                mismatches.append(f"{method} {path} as {caller}: want {want}, got {response.status_code}")
            assert response.status_code < 500 or response.status_code in (502, 503, 504), (
                f"{method} {path} as {caller}: {response.status_code} {response.text[:300]}"
            )
    assert mismatches == []
    assert checked > 600


async def test_real_tokens_get_the_same_answers(gateway: httpx.AsyncClient, dev_tokens: dict[str, str]) -> None:
    def bearer(role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {dev_tokens[role]}"}

    assert (await gateway.get("/api/admin/roles", headers=bearer("candidate"))).status_code == 403
    assert (await gateway.get("/api/admin/roles", headers=bearer("hr"))).status_code == 403
    roles = await gateway.get("/api/admin/roles", headers=bearer("admin"))
    assert roles.status_code == 200
    assert {"admin", "hr", "candidate", "pending"} <= {r["name"] for r in roles.json()["data"]}
    assert (await gateway.get("/api/templates", headers=bearer("candidate"))).status_code == 403
    assert (await gateway.get("/api/templates", headers=bearer("hr"))).status_code == 200
    assert (await gateway.get("/api/invitations/candidate", headers=bearer("candidate"))).status_code == 200
    assert (await gateway.get("/api/invitations/candidate", headers=bearer("hr"))).status_code == 403


def dependency_calls(dependant: Dependant) -> list[Any]:
    """Every dependency a route's requests solve, in the order FastAPI solves them."""
    calls: list[Any] = []
    for sub in dependant.dependencies:
        calls += [*dependency_calls(sub), sub.call]
    return calls


def test_every_gateway_route_is_authorized_once_before_anything_else_it_depends_on() -> None:
    gates = (authorize, current_caller)
    checked = 0
    for context in iter_route_contexts(create_app().routes):
        route = context.route
        if not isinstance(route, APIRoute) or not route.endpoint.__module__.startswith("gateway."):
            continue  # the kit's /ready and /metrics: the ops allow-list guards them
        calls = dependency_calls(route.dependant)
        assert calls[0] in gates and sum(call in gates for call in calls) == 1, f"{route.methods} {route.path}"
        checked += 1
    assert checked > 150


async def another_dependency() -> None:
    return None


Other = Annotated[None, Depends(another_dependency)]


def test_a_route_whose_caller_is_not_its_first_dependency_is_refused_when_it_is_declared() -> None:
    router = GatedRouter()

    async def caller_second(other: Other, caller: Caller) -> None:
        return None

    with pytest.raises(TypeError, match="first dependency"):
        router.add_api_route("/caller-second", caller_second)

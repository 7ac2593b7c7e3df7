"""The public API description at /api/docs(-json) lists every route and declares what each answers, and
schemathesis over it finds no request that makes the gateway fail and no answer that differs from its
declared schema: a 5xx may only be an honest answer of an upstream that is down (502/503/504 with the
error envelope), never a 500 of the gateway itself."""

from __future__ import annotations

import itertools
import os
import uuid
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from gateway.main import create_app
from gateway.proxy import TABLE
from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN, settings_for_tests

IDENTITIES = {
    "pending": {"x-user-id": str(uuid.uuid4()), "x-user-role": "pending"},
    "candidate": {"x-user-id": str(uuid.uuid4()), "x-user-role": "candidate"},
    "hr": {"x-user-id": str(uuid.uuid4()), "x-user-role": "hr"},
}
# What the gateway answers when the services behind it are down (none runs here). The data export gathers every
# service's part and refuses the whole file then (EXPORT_INCOMPLETE), never a partial one.
UPSTREAM_CODES = {
    "BAD_GATEWAY",
    "SERVICE_UNAVAILABLE",
    "GATEWAY_TIMEOUT",
    "USER_SERVICE_UNAVAILABLE",
    "EXPORT_INCOMPLETE",
}


async def test_the_public_docs_describe_every_gateway_route(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/api/docs")
    assert page.status_code == 200
    assert "/api/docs-json" in page.text
    document = (await gateway.get("/api/docs-json")).json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in ("/auth/login", "/api/users/me", "/api/templates/{template_id}", "/api/billing/webhooks/stripe"):
        assert path in paths
    assert paths["/api/media/{media_id}"]["get"]["parameters"][0]["name"] == "media_id"
    # Aggregated: the billing upstream's own request schema, renamed under its service.
    body = paths["/api/billing/checkout"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/billing_CheckoutBody"}
    assert "planType" in document["components"]["schemas"]["billing_CheckoutBody"]["properties"]


def test_every_operation_declares_its_success_answer_and_errors_as_the_envelope(gateway_schema: Any) -> None:
    # Pass-through routes take their success answers from their upstream's description, so only those of
    # the running users service and the gateway's own routes can be checked here.
    document = gateway_schema.raw_schema
    undeclared = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if (method.upper(), path) in WITHOUT_UPSTREAM_DOCUMENT | REACHES_DOWN_UPSTREAM:
                continue
            responses = operation["responses"]
            success = [s for s, r in responses.items() if s.startswith("2") and (s == "204" or r.get("content"))]
            if not success:
                undeclared.append(f"{method.upper()} {path}")
            for status, response in responses.items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == {"$ref": ENVELOPE}, (path, status)
    assert undeclared == []
    # Ids in paths are uuids, on hand-written and relayed routes alike.
    for path in ("/api/hr/companies/{company_id}", "/api/admin/users/{user_id}", "/api/templates/{template_id}"):
        parameter = document["paths"][path]["get"]["parameters"][0]
        assert parameter["schema"]["format"] == "uuid", path
    # A relayed route answers with the users service's view, unwrapped from `{success, data}` where it is.
    permissions = document["paths"]["/api/users/me/permissions"]["get"]["responses"]["200"]
    assert permissions["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/users_Permissions"}


# The real users service behind the gateway (started by the `users_process` fixture on this address);
# the other upstreams are down and answer 503. Schemathesis runs the app, lifespan included, on its own
# event loop.
SETTINGS = settings_for_tests(
    Settings,
    "gateway",
    keycloak_realm="ai-video-interview-test",
    internal_auth_enabled=True,
    users_url=os.environ["GATEWAY_TEST_USERS_URL"],
    **{
        f"{name}_url": "http://127.0.0.1:9"
        for name in ("interviews", "media", "analysis", "notifications", "billing", "analytics")
    },
    auth_rate_limit="100000/minute",
    auth_login_rate_limit="100000/minute",
    auth_register_rate_limit="100000/minute",
    api_rate_limit="100000/minute",
    api_anonymous_rate_limit="100000/minute",
)
ENVELOPE = "#/components/schemas/ErrorEnvelope"
# Upstreams that are not running here: their routes answer 503 and are described without an upstream's
# document.
DOWN = {"interviews", "media", "analysis", "notifications", "billing", "analytics"}
WITHOUT_UPSTREAM_DOCUMENT = {(f.method, f.path) for f in TABLE if f.upstream in ("billing", "notifications")} | {
    ("GET", "/ready")  # the kit's readiness route, which declares no model
}
REACHES_DOWN_UPSTREAM = {(f.method, f.path) for f in TABLE if f.upstream in DOWN} | {
    ("GET", "/api/users/me/data-export"),  # the gateway's own route, gathering every service's part
    ("GET", "/api/analysis/{invitation_id}"),  # the gateway's own relay, asking interviews first
    ("GET", "/api/invitations/{invitation_id}/explanation"),  # likewise
}


@pytest.fixture(scope="session")
def gateway_schema(users_process: str, migrations: None) -> Any:
    """The aggregated description as the gateway serves it once the users service runs, so the routes that
    relay users' answers are described with users' own schemas."""
    return schemathesis.openapi.from_asgi("/api/docs-json", create_app(SETTINGS))


@pytest.fixture(scope="session")
def callers(users_process: str) -> dict[str, dict[str, str]]:
    """The identities of IDENTITIES as real users of the users service, each with its role, so the routes
    about the caller answer with data (and are checked against their success schemas), not only 404s."""
    system = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "system", "x-user-role": "admin"}
    for name, identity in IDENTITIES.items():
        user_id = identity["x-user-id"]
        created = httpx.post(
            f"{users_process}/users",
            headers=system,
            json={
                "userId": user_id,
                "externalAuthId": str(uuid.uuid4()),
                "email": f"fuzz-{name}-{user_id[:8]}@example.com",
                "firstName": "Fuzz",
                "lastName": name.title(),
            },
        )
        assert created.status_code == 201, created.text
        if name != "pending":
            chosen = httpx.post(f"{users_process}/users/{user_id}/roles", headers=system, json={"role": name})
            assert chosen.status_code == 200, chosen.text
    return IDENTITIES


def no_gateway_failure(response: Any) -> None:
    if response.status_code < 500:
        return
    body = response.json()
    assert response.status_code in (502, 503, 504), f"{response.status_code}: {response.text[:300]}"
    assert body["code"] in UPSTREAM_CODES, body
    assert body["correlationId"]


# Every operation of the gateway, listed at import so each is a test of its own; the description the
# cases are drawn from is the one served once the users service runs (`gateway_schema`).
OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in create_app(SETTINGS).openapi()["paths"].items()
    for method in operations
)
# Each generated request goes out as the next of the identities in turn.
CALLERS = itertools.cycle(IDENTITIES)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_makes_the_gateway_fail_and_every_answer_matches_its_schema(
    method: str, path: str, gateway_schema: Any, callers: dict[str, dict[str, str]]
) -> None:
    checks = [response_schema_conformance]
    if (method, path) not in REACHES_DOWN_UPSTREAM:
        checks.append(not_a_server_error)

    @given(case=gateway_schema[path][method].as_strategy())
    @hypothesis_settings(
        max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
    )
    def answers_as_declared(case: Any) -> None:
        headers = {"x-internal-token": INTERNAL_TOKEN, **callers[next(CALLERS)]}
        response = case.call(headers=headers)
        no_gateway_failure(response)
        case.validate_response(response, checks=checks)

    answers_as_declared()

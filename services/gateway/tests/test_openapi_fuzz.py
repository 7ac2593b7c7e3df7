"""The public API description at /api/docs(-json) lists every route, and schemathesis over it finds no
request that makes the gateway fail: a 5xx may only be an honest upstream answer (502/503/504 with the
error envelope), never a 500 of the gateway itself."""

from __future__ import annotations

import itertools
import os
import uuid
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gateway.main import create_app
from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN, settings_for_tests

IDENTITIES = {
    "pending": {"x-user-id": str(uuid.uuid4()), "x-user-role": "pending"},
    "candidate": {"x-user-id": str(uuid.uuid4()), "x-user-role": "candidate"},
    "hr": {"x-user-id": str(uuid.uuid4()), "x-user-role": "hr"},
}
UPSTREAM_CODES = {"BAD_GATEWAY", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT", "USER_SERVICE_UNAVAILABLE"}


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


# The real users service behind the gateway (started by the `users_process` fixture on this address);
# the other upstreams are down and answer 503. Schemathesis runs the app, lifespan included, on its own
# event loop.
SETTINGS = settings_for_tests(
    Settings,
    "gateway",
    keycloak_realm="ai-video-interview-test",
    internal_auth_enabled=True,
    users_url=os.environ["GATEWAY_TEST_USERS_URL"],
    **{f"{name}_url": "http://127.0.0.1:9" for name in ("interviews", "media", "analysis", "notifications", "billing")},
    auth_rate_limit="100000/minute",
    auth_login_rate_limit="100000/minute",
    auth_register_rate_limit="100000/minute",
)
schema = schemathesis.openapi.from_asgi("/api/docs-json", create_app(SETTINGS))


def no_gateway_failure(ctx: Any, response: Any, case: Any) -> bool:
    if response.status_code < 500:
        return True
    body = response.json()
    assert response.status_code in (502, 503, 504), f"{response.status_code}: {response.text[:300]}"
    assert body["code"] in UPSTREAM_CODES, body
    assert body["correlationId"]
    return True


# Each generated request goes out as the next of the identities in turn.
CALLERS = itertools.cycle(IDENTITIES.values())


@schema.parametrize()
@hypothesis_settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_input_makes_the_gateway_fail(case: Any, users_process: str, migrations: None) -> None:
    headers = {"x-internal-token": INTERNAL_TOKEN, **next(CALLERS)}
    response = case.call(headers=headers)
    no_gateway_failure(None, response, case)

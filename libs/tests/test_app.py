"""The app factory: correlation ids, the error envelope, health, readiness and metrics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from kit.app import create_service_app
from kit.auth import CurrentUser, require_roles
from kit.errors import Conflict
from kit.schemas import Command, ErrorEnvelope, QueryModel
from kit.settings import ServiceSettings

router = APIRouter()


class CreateThing(Command):
    display_name: str
    size: int


@router.post("/things/{thing_id}", status_code=201)
async def create_thing(thing_id: int, body: CreateThing) -> dict[str, object]:
    if body.display_name == "taken":
        raise Conflict("That name is taken", details={"field": "displayName"})
    return {"id": thing_id, "displayName": body.display_name}


@router.get("/me")
async def me(user: CurrentUser) -> dict[str, object]:
    return {"id": user.user_id, "role": user.role}


@router.get("/admin-only", dependencies=[require_roles("admin")])
async def admin_only() -> dict[str, bool]:
    return {"ok": True}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture(scope="module")
async def client(settings: ServiceSettings, engine: object) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_service_app(settings, routers=[router])
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_given_correlation_id_is_echoed_and_a_missing_one_is_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"x-correlation-id": "abc-123"})
    generated = await client.get("/health")

    assert echoed.headers["x-correlation-id"] == "abc-123"
    assert uuid.UUID(generated.headers["x-correlation-id"])


async def test_validation_errors_name_each_field_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/things/x", json={"displayName": 5, "extra": 1}, headers={"x-correlation-id": "cid-1"}
    )

    body = response.json()
    assert response.status_code == 422
    assert body["success"] is False
    assert body["code"] == "VALIDATION_ERROR"
    assert body["correlationId"] == "cid-1"
    assert body["path"] == "/things/x"
    fields = {(d["location"], d["field"], d["type"]) for d in body["details"]}
    assert fields == {
        ("path", "thing_id", "int_parsing"),
        ("body", "displayName", "string_type"),
        ("body", "size", "missing"),
        ("body", "extra", "extra_forbidden"),
    }


async def test_the_api_document_describes_a_validation_error_as_the_envelope_it_is(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    refused = document["paths"]["/things/{thing_id}"]["post"]["responses"]["422"]
    schemas = document["components"]["schemas"]

    assert refused["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorEnvelope"]["required"]) >= {"success", "statusCode", "code", "error", "path"}
    sent = (await client.post("/things/1", json={})).json()
    assert set(schemas["ErrorEnvelope"]["properties"]) >= set(sent)


class Filters(BaseModel):
    model_config = ConfigDict(frozen=True)

    page: int = Field(default=1, ge=1)


FILTERS = QueryModel(Filters)


def test_the_envelope_is_documented_when_only_a_query_model_route_refers_to_it(settings: ServiceSettings) -> None:
    listing = APIRouter()

    @listing.get("/listing", openapi_extra=FILTERS.openapi)
    async def listing_route(request: Request) -> dict[str, int]:
        return {"page": FILTERS(request).page}

    document = create_service_app(settings, routers=[listing], database=False).openapi()
    schemas = document["components"]["schemas"]
    refused = document["paths"]["/listing"]["get"]["responses"]["422"]

    assert refused["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorEnvelope"] == ErrorEnvelope.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )


async def test_a_domain_error_renders_its_status_code_and_details(client: httpx.AsyncClient) -> None:
    response = await client.post("/things/1", json={"displayName": "taken", "size": 1})

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["details"] == {"field": "displayName"}
    assert response.json()["statusCode"] == 409


async def test_unknown_routes_and_bugs_use_the_same_envelope(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nowhere")
    bug = await client.get("/boom")

    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    assert (bug.status_code, bug.json()["code"]) == (500, "INTERNAL_ERROR")
    assert "a bug" not in bug.text


async def test_identity_headers_count_only_with_the_internal_token(client: httpx.AsyncClient) -> None:
    identity = {"x-user-id": "u1", "x-user-role": "hr"}

    forged = await client.get("/me", headers=identity)
    wrong = await client.get("/me", headers={**identity, "x-internal-token": "guess"})
    trusted = await client.get("/me", headers={**identity, "x-internal-token": "test-internal-token"})

    assert (forged.status_code, wrong.status_code) == (401, 401)
    assert trusted.json() == {"id": "u1", "role": "hr"}


async def test_the_service_checks_roles_again(client: httpx.AsyncClient) -> None:
    token = {"x-internal-token": "test-internal-token", "x-user-id": "u1"}

    hr = await client.get("/admin-only", headers={**token, "x-user-role": "hr"})
    admin = await client.get("/admin-only", headers={**token, "x-user-role": "admin"})

    assert (hr.status_code, hr.json()["code"]) == (403, "FORBIDDEN")
    assert admin.status_code == 200


async def test_ready_reports_the_database_kafka_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")

    assert response.json() == {"status": "ready", "checks": {"database": "up", "kafka": "up", "redis": "up"}}


async def test_ready_fails_when_kafka_is_unreachable(settings: ServiceSettings) -> None:
    broken = settings.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})
    app = create_service_app(broken)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test") as client,
    ):
        response = await client.get("/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["kafka"].startswith("down")
    assert response.json()["checks"]["database"] == "up"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.post("/things/7", json={"displayName": "a", "size": 1})

    text = (await client.get("/metrics")).text

    assert 'http_requests_total{method="POST",route="/things/{thing_id}",service="kit_test",status_code="201"}' in text
    assert 'outbox_backlog{service="kit_test"}' in text


async def test_a_nul_character_in_a_body_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/things/1", json={"displayName": "a\u0000b", "size": 1})

    (detail,) = response.json()["details"]
    assert response.status_code == 422
    assert (detail["field"], detail["message"]) == ("displayName", "Value error, contains a NUL character")


async def test_an_oversized_identity_header_is_refused_even_with_the_token(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/me", headers={"x-internal-token": "test-internal-token", "x-user-id": "u" * 65, "x-user-role": "hr"}
    )

    assert response.status_code == 401

"""A request that finds every pooled database connection busy for the pool's whole timeout is answered 503 with
Retry-After and the envelope: the service is overloaded, not broken, and the caller may try again (bench/journey
found the gateway answering 500 when 200 first sign-ins at once held its pool)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kit.app import create_service_app
from kit.db import make_engine
from kit.settings import ServiceSettings
from kit.testing import in_process_client


@pytest.fixture
async def small_pool(settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    # One pooled connection and one overflow, each given up for after a fifth of a second.
    engine = make_engine(settings.database_url, settings.schema_name, pool_size=1, pool_timeout=0.2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(settings: ServiceSettings, small_pool: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter()

    @router.get("/reads")
    async def reads() -> dict[str, int]:
        async with small_pool.connect() as conn:
            return {"one": int(await conn.scalar(text("SELECT 1")))}

    async with in_process_client(create_service_app(settings, routers=[router]), raise_app_exceptions=False) as client:
        yield client


async def test_a_request_that_finds_the_pool_exhausted_is_answered_503_with_retry_after(
    client: httpx.AsyncClient, small_pool: AsyncEngine
) -> None:
    async with small_pool.connect(), small_pool.connect():  # every connection the pool may open, held
        response = await client.get("/reads", headers={"x-correlation-id": "busy-1"})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert (body["code"], body["path"], body["correlationId"]) == ("SERVICE_UNAVAILABLE", "/reads", "busy-1")
    assert body["error"] == "The service is busy; try again shortly"


async def test_the_same_request_is_answered_once_a_connection_is_free_again(
    client: httpx.AsyncClient, small_pool: AsyncEngine
) -> None:
    async with small_pool.connect(), small_pool.connect():
        assert (await client.get("/reads")).status_code == 503

    response = await client.get("/reads")

    assert (response.status_code, response.json()) == (200, {"one": 1})

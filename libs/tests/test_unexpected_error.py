"""A bug answers 500 with the envelope like every other error: its correlation id in the body and the header, so
the one log line with the stack can be found, and nothing of the exception's text in the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from kit.app import create_service_app
from kit.settings import ServiceSettings
from kit.testing import in_process_client

router = APIRouter()


@router.get("/bug")
async def bug() -> None:
    raise RuntimeError("jane@example.com broke it")


@pytest.fixture(scope="module")
async def client(settings: ServiceSettings, engine: object) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process_client(create_service_app(settings, routers=[router]), raise_app_exceptions=False) as client:
        yield client


async def test_a_500_carries_the_requests_correlation_id_in_body_and_header(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await client.get("/bug", headers={"x-correlation-id": "trace-me-42"})
    assert response.status_code == 500
    body = response.json()
    assert (body["code"], body["correlationId"], body["path"]) == ("INTERNAL_ERROR", "trace-me-42", "/bug")
    assert response.headers["x-correlation-id"] == "trace-me-42"
    assert "jane@example.com" not in response.text
    logged = [line for line in capsys.readouterr().out.splitlines() if "http.unhandled_error" in line]
    assert len(logged) == 1
    assert "trace-me-42" in logged[0]

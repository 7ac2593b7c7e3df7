"""A bug answers 500 with the envelope like every other error: its correlation id in the body and the header, so
the one log line with the stack can be found, and nothing of the exception's text in the answer. A client that
left mid-request is not a bug."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Request

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


@router.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}


async def test_a_client_that_leaves_while_its_body_is_read_is_logged_as_gone_not_as_an_error(
    settings: ServiceSettings, engine: object, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_service_app(settings, routers=[router])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/upload",
        "raw_path": b"/upload",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/octet-stream"), (b"content-length", b"9")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async with LifespanManager(app) as manager:
        capsys.readouterr()
        await manager.app(scope, receive, send)

    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]
    out = capsys.readouterr().out
    assert "http.unhandled_error" not in out
    assert "http.client_disconnected" in out

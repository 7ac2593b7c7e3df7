"""Request bodies are bounded in every service: over the limit is a 413 with the envelope, by the declared
length before the app runs, and for a streamed body as soon as it passes the limit, without reading the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request

from kit.app import create_service_app
from kit.schemas import Command
from kit.settings import ServiceSettings

LIMIT = 64 * 1024
UPLOAD_LIMIT = 4 * LIMIT
CHUNK = 8 * 1024

router = APIRouter()


class Note(Command):
    text: str


@router.post("/notes")
async def add_note(body: Note) -> dict[str, int]:
    return {"length": len(body.text)}


@router.post("/raw")
async def raw(request: Request) -> dict[str, int]:
    return {"length": len(await request.body())}


@router.post("/things/{thing_id}/upload")
async def upload(thing_id: str, request: Request) -> dict[str, int]:
    return {"length": len(await request.body())}


@pytest.fixture(scope="module")
async def client(settings: ServiceSettings, engine: object) -> AsyncIterator[httpx.AsyncClient]:
    limited = settings.model_copy(update={"max_body_bytes": LIMIT})
    app: FastAPI = create_service_app(
        limited, routers=[router], body_limits={"/things/{thing_id}/upload": UPLOAD_LIMIT}
    )
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


class Chunks:
    """A streamed request body of `total` bytes (no Content-Length), counting how much of it was taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken < self.total:
            self.taken += CHUNK
            yield b"x" * CHUNK


def assert_refused(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    body = response.json()
    assert (body["success"], body["code"]) == (False, "PAYLOAD_TOO_LARGE")
    assert body["error"] == f"The request body may be at most {limit} bytes"
    assert body["correlationId"] == response.headers["x-correlation-id"]


async def test_a_body_within_the_limit_is_read_whole(client: httpx.AsyncClient) -> None:
    assert (await client.post("/raw", content=b"x" * LIMIT)).json() == {"length": LIMIT}
    assert (await client.post("/notes", json={"text": "hello"})).json() == {"length": 5}


@pytest.mark.parametrize("path", ["/raw", "/notes"])
async def test_a_declared_length_over_the_limit_is_refused_with_413(client: httpx.AsyncClient, path: str) -> None:
    assert_refused(await client.post(path, content=b"x" * (LIMIT + 1)), LIMIT)


@pytest.mark.parametrize("path", ["/raw", "/notes"])
async def test_a_streamed_body_is_refused_once_past_the_limit_and_the_rest_is_never_read(
    client: httpx.AsyncClient, path: str
) -> None:
    body = Chunks(total=100 * LIMIT)
    response = await client.post(path, content=body, headers={"content-type": "application/json"})
    assert_refused(response, LIMIT)
    # The transport hands over a chunk only when the app asks for one: reading stopped just past the limit.
    assert body.taken <= LIMIT + CHUNK


async def test_a_route_declared_with_a_larger_limit_takes_more_and_is_bounded_by_it(
    client: httpx.AsyncClient,
) -> None:
    url = f"/things/{'a' * 8}/upload"
    assert (await client.post(url, content=b"x" * UPLOAD_LIMIT)).json() == {"length": UPLOAD_LIMIT}
    streamed = Chunks(total=100 * UPLOAD_LIMIT)
    assert_refused(await client.post(url, content=streamed), UPLOAD_LIMIT)
    assert streamed.taken <= UPLOAD_LIMIT + CHUNK
    assert_refused(await client.post("/things/a/b/upload", content=b"x" * (LIMIT + 1)), LIMIT)

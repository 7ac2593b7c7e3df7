"""The notification stream through the gateway, over real sockets on both sides (a uvicorn-served gateway in
front of a uvicorn-served upstream): each event reaches the client while the upstream's stream is still
open, a quiet stream is not cut by the upstream timeout, and a client that leaves ends the stream at the
upstream too; and the real notifications service's stream, fed by Redis, reaches a client of the gateway."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from redis.asyncio import Redis

from kit.testing import INTERNAL_TOKEN, settings_for_tests
from notifications.main import create_app as notifications_app
from notifications.settings import Settings as NotificationsSettings

from .conftest import AppServer

STREAM = "/api/notifications/stream"


def frame(seq: int) -> bytes:
    return f'id: {seq}\nevent: notification\ndata: {{"seq": {seq}}}\n\n'.encode()


@dataclass
class Upstream:
    """A stream that sends one event, then the next only when the test releases it."""

    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    seen_headers: dict[str, str] = field(default_factory=dict)


def upstream_app(state: Upstream) -> FastAPI:
    app = FastAPI()

    @app.get(STREAM)
    async def stream(request: Request) -> StreamingResponse:
        state.seen_headers.update(request.headers)

        async def frames() -> AsyncIterator[bytes]:
            try:
                yield frame(1)
                await state.release.wait()
                yield frame(2)
            finally:
                state.closed.set()

        return StreamingResponse(
            frames(), media_type="text/event-stream", headers={"cache-control": "no-cache", "x-accel-buffering": "no"}
        )

    return app


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    state = Upstream()
    server = AppServer(upstream_app(state), lifespan="off")
    await server.start()
    state.url = server.url
    yield state
    state.release.set()
    await server.stop()


def candidate() -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u-stream", "x-user-role": "candidate"}


async def read_until(chunks: AsyncIterator[bytes], received: bytearray, wanted: bytes) -> None:
    async with asyncio.timeout(30):
        while wanted not in received:
            received.extend(await anext(chunks))


async def test_an_event_reaches_the_client_while_the_upstream_stream_is_still_open(
    serve_gateway: Callable[..., Any], upstream: Upstream
) -> None:
    gateway = await serve_gateway(notifications_url=upstream.url)
    async with (
        httpx.AsyncClient(base_url=gateway) as http,
        http.stream("GET", STREAM, headers=candidate()) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        chunks, received = response.aiter_raw(), bytearray()
        await read_until(chunks, received, frame(1))
        assert not upstream.closed.is_set()

        upstream.release.set()
        await read_until(chunks, received, frame(2))
    assert bytes(received) == frame(1) + frame(2)
    assert upstream.seen_headers["x-user-id"] == "u-stream"


async def test_a_quiet_stream_outlives_the_upstream_timeout(
    serve_gateway: Callable[..., Any], upstream: Upstream
) -> None:
    gateway = await serve_gateway(notifications_url=upstream.url, upstream_timeout_s=0.3)
    async with (
        httpx.AsyncClient(base_url=gateway) as http,
        http.stream("GET", STREAM, headers=candidate()) as response,
    ):
        chunks, received = response.aiter_raw(), bytearray()
        await read_until(chunks, received, frame(1))
        # Quiet for several times the timeout every other upstream call is held to.
        await asyncio.sleep(1.5)
        upstream.release.set()
        await read_until(chunks, received, frame(2))


async def test_a_client_that_leaves_ends_the_stream_at_the_upstream(
    serve_gateway: Callable[..., Any], upstream: Upstream
) -> None:
    gateway = await serve_gateway(notifications_url=upstream.url)
    async with httpx.AsyncClient(base_url=gateway) as http:
        async with http.stream("GET", STREAM, headers=candidate()) as response:
            await read_until(response.aiter_raw(), bytearray(), frame(1))
        # The client hung up while the upstream waits to send its next event.
        async with asyncio.timeout(30):
            await upstream.closed.wait()
    assert not upstream.release.is_set()


async def test_the_stream_takes_the_access_cookie_and_refuses_a_caller_without_one(
    serve_gateway: Callable[..., Any], upstream: Upstream, dev_tokens: dict[str, str]
) -> None:
    gateway = await serve_gateway(notifications_url=upstream.url)
    async with httpx.AsyncClient(base_url=gateway) as http:
        anonymous = await http.get(STREAM)
        assert anonymous.status_code == 401
        assert anonymous.json()["code"] == "MISSING_ACCESS_TOKEN"
        assert upstream.seen_headers == {}

        http.cookies.set("access_token", dev_tokens["candidate"])
        async with http.stream("GET", STREAM) as response:
            assert response.status_code == 200
            await read_until(response.aiter_raw(), bytearray(), frame(1))
    assert upstream.seen_headers["x-user-role"] == "candidate"
    assert "cookie" not in upstream.seen_headers


@pytest.fixture
async def notifications_service() -> AsyncIterator[tuple[str, NotificationsSettings]]:
    settings = settings_for_tests(NotificationsSettings, "notifications")
    async with AppServer(notifications_app(settings)) as server:
        yield server.url, settings


async def test_the_notification_services_stream_reaches_a_gateway_client_as_each_event_is_published(
    serve_gateway: Callable[..., Any], notifications_service: tuple[str, NotificationsSettings]
) -> None:
    url, settings = notifications_service
    gateway = await serve_gateway(notifications_url=url)
    user = str(uuid.uuid4())
    redis = Redis.from_url(settings.redis_url)
    try:
        async with (
            httpx.AsyncClient(base_url=gateway) as http,
            http.stream("GET", STREAM, headers={**candidate(), "x-user-id": user}) as response,
        ):
            assert response.status_code == 200
            chunks, received = response.aiter_raw(), bytearray()
            for seq in (41, 42):
                message = json.dumps({"seq": seq, "recipientId": user, "title": f"Event {seq}"})
                # The service subscribed before it answered, so the stream is listening once its head arrived.
                assert await redis.publish(f"notifications:{user}", message) == 1
                await read_until(chunks, received, f"id: {seq}\nevent: notification\ndata: {message}\n\n".encode())
    finally:
        await redis.aclose()

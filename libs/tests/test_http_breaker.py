"""The circuit breaker around a real local HTTP upstream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kit.http import KEEPALIVE_S, Breakers, ServiceClient, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from kit.observability import CIRCUIT_STATE
from kit.testing import AppServer, free_port


@dataclass
class Upstream:
    url: str
    hits: int = 0
    failing: bool = True
    delay_s: float = 0.0


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    port = free_port()
    state = Upstream(url=f"http://127.0.0.1:{port}")
    app = FastAPI()

    @app.get("/thing")
    async def thing(request: Request) -> JSONResponse:
        state.hits += 1
        await asyncio.sleep(state.delay_s)
        if state.failing:
            return JSONResponse({"error": "down"}, 500)
        return JSONResponse({"ok": True, "token": request.headers.get("x-internal-token")})

    async with AppServer(app, port=port, lifespan="off"):
        yield state


def _state(circuit: str) -> float:
    return CIRCUIT_STATE.labels("kit_test", circuit)._value.get()


async def test_a_breaker_opens_after_n_failures_probes_once_half_open_and_closes_on_success(upstream: Upstream) -> None:
    breakers = Breakers("kit_test", threshold=3, ttl_s=0.5)
    client = ServiceClient("thing-a", upstream.url, breakers, internal_token="tok")

    for _ in range(3):
        with pytest.raises(UpstreamError):
            await client.request("GET", "/thing")
    assert breakers.state("thing-a") == "opened"
    assert _state("thing-a") == 1

    with pytest.raises(UpstreamUnavailable) as refused:
        await client.request("GET", "/thing")
    assert upstream.hits == 3  # fail-fast: the open breaker did not call the upstream
    assert refused.value.headers is not None and int(refused.value.headers["Retry-After"]) >= 1

    await asyncio.sleep(0.6)
    upstream.failing = False
    upstream.delay_s = 0.3
    probe, concurrent = await asyncio.gather(
        client.request("GET", "/thing"), client.request("GET", "/thing"), return_exceptions=True
    )
    assert not isinstance(probe, BaseException) and probe.json() == {"ok": True, "token": "tok"}
    assert isinstance(concurrent, UpstreamUnavailable)  # half-open lets exactly one probe through
    assert upstream.hits == 4
    assert breakers.state("thing-a") == "closed"
    assert _state("thing-a") == 0
    await client.aclose()


async def test_a_failed_probe_opens_the_breaker_again(upstream: Upstream) -> None:
    breakers = Breakers("kit_test", threshold=2, ttl_s=0.3)
    client = ServiceClient("thing-b", upstream.url, breakers)
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await client.request("GET", "/thing")

    await asyncio.sleep(0.4)
    with pytest.raises(UpstreamError):
        await client.request("GET", "/thing")

    assert breakers.state("thing-b") == "opened"
    with pytest.raises(UpstreamUnavailable):
        await client.request("GET", "/thing")
    assert upstream.hits == 3
    await client.aclose()


async def test_timeouts_and_refused_connections_map_to_504_and_503(upstream: Upstream) -> None:
    breakers = Breakers("kit_test", threshold=5, ttl_s=5)
    upstream.failing, upstream.delay_s = False, 1.0
    slow = ServiceClient("thing-c", upstream.url, breakers, timeout_s=0.2)
    gone = ServiceClient("thing-d", f"http://127.0.0.1:{free_port()}", breakers)

    with pytest.raises(UpstreamTimeout) as timeout:
        await slow.request("GET", "/thing")
    with pytest.raises(UpstreamUnavailable) as refused:
        await gone.request("GET", "/thing")

    assert (timeout.value.status, refused.value.status) == (504, 503)
    await slow.aclose()
    await gone.aclose()


def test_a_service_client_drops_an_idle_connection_before_uvicorn_closes_it() -> None:
    """Otherwise a call can go down a connection the service is closing at that instant and fail for nothing."""
    assert uvicorn.Config(app=FastAPI()).timeout_keep_alive > KEEPALIVE_S

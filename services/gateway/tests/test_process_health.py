"""The gateway's aggregated /health also asks every consumer and worker (kit.liveness on their metrics port):
per service, up or down with the reason, the consumer's lag and the worker's outbox backlog."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gateway.main import create_app
from gateway.settings import Settings
from kit.liveness import Probe, start_metrics_server
from kit.testing import free_port


@pytest.fixture
def liveness() -> Iterator[Callable[[Probe], str]]:
    """A real liveness server (the one consumers and workers run) answering what the probe says."""
    servers = []

    def start(probe: Probe) -> str:
        port = free_port()
        servers.append(start_metrics_server(port, "127.0.0.1", probe))
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
async def health_of(
    migrated: Settings, stub: tuple[Any, Any], settings_with_upstreams_down: Callable[..., Settings]
) -> AsyncIterator[Callable[[dict[str, str | list[str]]], Any]]:
    managers: list[LifespanManager] = []

    async def fetch(urls: dict[str, str | list[str]]) -> dict[str, Any]:
        settings = settings_with_upstreams_down(
            users_url=stub[0].url, interviews_url=stub[0].url, analysis_url=stub[0].url, process_health_urls=urls
        )
        manager = LifespanManager(create_app(settings))
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            response = await client.get("/health")
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    yield fetch
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def test_health_shows_each_consumers_lag_and_each_workers_outbox_backlog(
    liveness: Callable[[Probe], str], health_of: Callable[[dict[str, str | list[str]]], Any]
) -> None:
    consumer = liveness(lambda: (True, {"role": "consumer", "consumerLag": 42}))
    worker = liveness(lambda: (True, {"role": "worker", "outboxBacklog": 5}))

    health = await health_of({"analysis-consumer": consumer, "analysis-worker": worker})

    processes = health["processes"]
    assert processes["analysis"]["consumer"]["status"] == "up"
    assert processes["analysis"]["consumer"]["consumerLag"] == 42
    assert processes["analysis"]["worker"]["outboxBacklog"] == 5
    assert health["status"] == "healthy"


async def test_a_stuck_or_missing_consumer_makes_health_degraded_with_the_reason(
    liveness: Callable[[Probe], str], health_of: Callable[[dict[str, str | list[str]]], Any]
) -> None:
    stuck = liveness(lambda: (False, {"consumerLag": 900, "reason": "no poll or record for 400s"}))
    gone = f"http://127.0.0.1:{free_port()}"

    health = await health_of({"analysis-consumer": stuck, "billing-consumer": gone})

    assert health["status"] == "degraded"
    assert health["processes"]["analysis"]["consumer"] == {
        "status": "down",
        "responseTime": health["processes"]["analysis"]["consumer"]["responseTime"],
        "consumerLag": 900,
        "error": "no poll or record for 400s",
    }
    # The address of a process that does not answer stays out of the answer.
    assert health["processes"]["billing"]["consumer"]["error"] == "unreachable"
    assert "127.0.0.1" not in str(health["processes"])


async def test_health_asks_every_replica_of_a_role_and_names_the_one_that_is_down(
    liveness: Callable[[Probe], str], health_of: Callable[[dict[str, str | list[str]]], Any]
) -> None:
    first = liveness(lambda: (True, {"role": "consumer", "consumerLag": 4}))
    second = liveness(lambda: (True, {"role": "consumer", "consumerLag": 3}))
    killed = f"http://127.0.0.1:{free_port()}"
    workers = [liveness(lambda n=n: (True, {"role": "worker", "outboxBacklog": n})) for n in (7, 0)]

    health = await health_of({"analysis-consumer": [first, second, killed], "analysis-worker": workers})

    consumer = health["processes"]["analysis"]["consumer"]
    assert [r["status"] for r in consumer["replicas"]] == ["up", "up", "down"]
    assert consumer["replicas"][2]["error"] == "unreachable"
    assert (consumer["status"], consumer["error"]) == ("down", "1 of 3 replicas down")
    # The group's lag is what its members hold between them.
    assert consumer["consumerLag"] == 7
    worker = health["processes"]["analysis"]["worker"]
    assert (worker["status"], worker["outboxBacklog"]) == ("up", 7)
    assert [r["outboxBacklog"] for r in worker["replicas"]] == [7, 0]
    assert health["status"] == "degraded"
    assert "127.0.0.1" not in str(health["processes"])


async def test_health_with_every_replica_up_is_healthy(
    liveness: Callable[[Probe], str], health_of: Callable[[dict[str, str | list[str]]], Any]
) -> None:
    replicas = [liveness(lambda: (True, {"role": "api"})) for _ in range(2)]

    health = await health_of({"gateway-api": replicas})

    api = health["processes"]["gateway"]["api"]
    assert api["status"] == "up" and "error" not in api
    assert [r["status"] for r in api["replicas"]] == ["up", "up"]
    assert health["status"] == "healthy"

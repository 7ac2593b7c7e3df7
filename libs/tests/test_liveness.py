"""The metrics port of consumers and workers: /health asks the process, every other path serves the metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from kit.kafka import Consumer
from kit.liveness import Probe, start_metrics_server
from kit.observability import KAFKA_LAG, OUTBOX_BACKLOG
from kit.settings import ServiceSettings
from kit.testing import free_port
from kit.worker import worker_liveness

# A short stall threshold, many times the consumer's poll interval (half a second).
STALL_S = 3.0


@pytest.fixture
def serve() -> Iterator[Any]:
    servers = []

    def start(probe: Probe) -> str:
        port = free_port()
        servers.append(start_metrics_server(port, "127.0.0.1", probe))
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_health_answers_the_probe_and_every_other_path_the_metrics(serve: Any) -> None:
    state = {"alive": True}
    url = serve(lambda: (state["alive"], {"consumerLag": 4} if state["alive"] else {"reason": "stuck"}))

    assert httpx.get(f"{url}/health").json() == {"alive": True, "consumerLag": 4}
    assert "python_info" in httpx.get(f"{url}/metrics").text
    state["alive"] = False
    down = httpx.get(f"{url}/health")
    assert down.status_code == 503
    assert down.json() == {"alive": False, "reason": "stuck"}


def test_a_probe_that_raises_reports_the_process_down_and_the_server_keeps_answering(serve: Any) -> None:
    def broken() -> tuple[bool, dict[str, Any]]:
        raise RuntimeError("boom")

    url = serve(broken)

    down = httpx.get(f"{url}/health")
    assert (down.status_code, down.json()) == (503, {"alive": False, "reason": "probe failed: RuntimeError"})
    assert httpx.get(f"{url}/metrics").status_code == 200


def consumer(settings: ServiceSettings, name: str, topics: list[str]) -> Consumer:
    return Consumer(settings, async_sessionmaker(), {}, topics, name=name)


async def test_a_consumer_is_alive_while_its_loop_ticks_with_its_lag_summed_over_partitions(
    settings: ServiceSettings,
) -> None:
    subject = consumer(settings, "liveness-a", ["orders"])
    KAFKA_LAG.labels("liveness-a", "orders", "0").set(3)
    KAFKA_LAG.labels("liveness-a", "orders", "1").set(4)
    KAFKA_LAG.labels("someone-else", "orders", "0").set(100)
    loop = asyncio.create_task(asyncio.sleep(60))
    try:
        alive, details = subject.liveness(loop, stall_s=60)
        assert (alive, details["consumerLag"]) == (True, 7)

        subject.heartbeat -= 120
        alive, details = subject.liveness(loop, stall_s=60)
        assert not alive
        assert details["reason"].startswith("no poll or record for")
    finally:
        loop.cancel()
    await asyncio.gather(loop, return_exceptions=True)
    subject.heartbeat += 120
    alive, details = subject.liveness(loop, stall_s=60)
    assert (alive, details["reason"]) == (False, "the consume loop has ended")


async def stays_alive(probe: Probe, joined: Callable[[], bool], *, for_s: float) -> None:
    """Once the consumer joined its group (which takes its own time on a busy machine), every probe over for_s
    says alive."""
    async with asyncio.timeout(120):
        while not joined():
            await asyncio.sleep(0.1)
    watched = time.monotonic()
    while time.monotonic() - watched < for_s:
        alive, details = probe()
        assert alive, details
        await asyncio.sleep(0.1)


async def test_a_consumer_on_a_quiet_topic_stays_alive_past_the_stall_threshold(
    settings: ServiceSettings, make_topics: Any
) -> None:
    await make_topics("quiet-events")
    subject = consumer(settings, f"liveness-quiet-{uuid.uuid4().hex[:8]}", ["quiet-events"])
    loop = asyncio.create_task(subject.run())
    try:
        # Empty polls are its only sign of life: each must count, or a quiet service is restarted for nothing.
        await stays_alive(lambda: subject.liveness(loop, stall_s=STALL_S), lambda: subject.joined, for_s=2 * STALL_S)
    finally:
        subject.stopping.set()
        await loop


async def test_a_consumer_without_subscriptions_stays_alive_while_it_waits(settings: ServiceSettings) -> None:
    subject = consumer(settings, "liveness-idle", [])
    subject.heartbeat -= 10_000
    loop = asyncio.create_task(asyncio.sleep(60))
    try:
        assert subject.liveness(loop, stall_s=60)[0]
    finally:
        loop.cancel()


async def test_a_worker_is_alive_while_its_outbox_relay_runs_and_shows_the_backlog(settings: ServiceSettings) -> None:
    OUTBOX_BACKLOG.labels(settings.service_name).set(12)
    ctx: dict[str, Any] = {}

    alive, details = worker_liveness(settings, ctx)
    assert (alive, details["outboxBacklog"]) == (False, 12)
    assert details["reason"].startswith("starting")

    ctx["relay_task"] = asyncio.create_task(asyncio.sleep(60))
    assert worker_liveness(settings, ctx) == (
        True,
        {"role": "worker", "service": settings.service_name, "outboxBacklog": 12},
    )
    ctx["relay_task"].cancel()
    await asyncio.gather(ctx["relay_task"], return_exceptions=True)
    alive, details = worker_liveness(settings, ctx)
    assert (alive, details["reason"]) == (False, "the outbox relay has stopped")

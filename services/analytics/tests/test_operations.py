"""Readiness and liveness of the analytics service: `/ready` waits for migrated ClickHouse, and the consumer
embedded in the api reports its liveness like every consumer."""

from __future__ import annotations

import asyncio
import time

import pytest

from analytics.main import create_app
from analytics.settings import Settings
from analytics.warehouse import Warehouse
from kit.testing import threaded_calls

from .conftest import Stack


async def test_ready_reports_clickhouse_up_once_it_is_migrated_and_answers(stack: Stack) -> None:
    answer = await stack.client.get("/ready")

    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"]["clickhouse"] == "up"


async def test_ready_is_not_ready_while_clickhouse_is_not_migrated(stack: Stack) -> None:
    opened = stack.app.state.warehouse
    stack.app.state.warehouse = Warehouse(stack.settings.warehouse_dsn)  # created, never opened nor migrated
    try:
        answer = await stack.client.get("/ready")
    finally:
        stack.app.state.warehouse = opened

    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert answer.json()["checks"]["clickhouse"] == "down: WarehouseUnavailable"


async def test_the_embedded_consumer_reports_itself_alive_with_its_lag(stack: Stack) -> None:
    alive, details = stack.app.state.consumer_liveness()

    assert alive, details
    assert details["role"] == "consumer" and details["service"] == "analytics"
    assert details["consumerLag"] >= 0


# A short stall threshold for the test, many times the poll interval (the tests' flush interval, 100 ms).
STALL_S = 3.0


@pytest.mark.parametrize("stack", [{"consumer_stall_s": STALL_S}], indirect=True)
async def test_an_idle_embedded_consumer_stays_alive_past_the_stall_threshold(stack: Stack) -> None:
    """Nothing is published, so empty polls are the consumer's only sign of life; when they did not count, the
    local stack restarted an idle analytics every five minutes."""
    probe = stack.app.state.consumer_liveness
    async with asyncio.timeout(120):  # joining the group takes its own time on a busy machine
        while not probe()[1].get("joined"):
            await asyncio.sleep(0.1)
    watched = time.monotonic()
    while time.monotonic() - watched < 2 * STALL_S:
        alive, details = probe()
        assert alive, details
        await asyncio.sleep(0.1)

    assert await stack.applied() == 0


def test_no_route_hands_its_endpoint_or_a_dependency_to_the_thread_pool(settings: Settings) -> None:
    # A plain `def` dependency (the reports' today was one) costs a thread hand-off on every request.
    assert threaded_calls(create_app(settings)) == []

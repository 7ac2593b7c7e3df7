"""Readiness and liveness of the analytics service: `/ready` waits for migrated ClickHouse, and the consumer
embedded in the api reports its liveness like every consumer."""

from __future__ import annotations

from analytics.warehouse import Warehouse

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

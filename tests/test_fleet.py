"""Every service of the registry (deploy/services.toml): migrations, operational endpoints and the three
processes, for real."""

from __future__ import annotations

import asyncio
import importlib
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from devstack.registry import REGISTRY, load
from kit.events import Envelope
from kit.settings import ServiceSettings
from kit.testing import (
    alembic_upgrade,
    consume,
    create_topics,
    delete_topics,
    process_env,
    retire_stale_outbox_rows,
    settings_for_tests,
)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = load(ROOT / REGISTRY)


def service_settings(service: str) -> ServiceSettings:
    settings_cls = importlib.import_module(f"{service}.settings").Settings
    return settings_for_tests(settings_cls, service)


@pytest.fixture(scope="session")
def migrated() -> dict[str, ServiceSettings]:
    """Every service's migrations applied once to the test database, as the service's own role."""
    settings = {name: service_settings(name) for name in SERVICES}
    for name, s in settings.items():
        alembic_upgrade(ROOT / "services" / name, s)
    for s in settings.values():
        asyncio.run(retire_stale_outbox_rows(s))
    return settings


pytestmark = pytest.mark.parametrize("service", list(SERVICES))


def _dsn(settings: ServiceSettings) -> str:
    return settings.database_url.replace("+asyncpg", "")


async def test_the_first_migration_creates_the_messaging_tables_in_the_service_schema(
    service: str, migrated: dict[str, ServiceSettings]
) -> None:
    conn = await asyncpg.connect(_dsn(migrated[service]))
    try:
        tables = {
            r["table_name"]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", service
            )
        }
    finally:
        await conn.close()
    assert {"outbox", "processed_messages", "alembic_version"} <= tables


async def test_a_service_role_cannot_read_another_service_schema(
    service: str, migrated: dict[str, ServiceSettings]
) -> None:
    other = next(s for s in SERVICES if s != service)
    conn = await asyncpg.connect(_dsn(migrated[service]))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"SELECT * FROM {other}.outbox")
    finally:
        await conn.close()


@pytest.fixture
async def client(service: str, migrated: dict[str, ServiceSettings]) -> AsyncIterator[httpx.AsyncClient]:
    app = importlib.import_module(f"{service}.main").create_app(migrated[service])
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


# Readiness checks a service adds to the kit's (database, Kafka, Redis).
OWN_READY_CHECKS = {"analytics": ("clickhouse",)}


async def test_health_ready_metrics_and_swagger_answer(service: str, client: httpx.AsyncClient) -> None:
    health = await client.get("/health")
    ready = await client.get("/ready")
    # Analytics opens its ClickHouse in the background (seconds on a busy machine) and is not ready until then.
    async with asyncio.timeout(120):
        while ready.status_code == 503 and service in OWN_READY_CHECKS:
            await asyncio.sleep(0.5)
            ready = await client.get("/ready")
    metrics = await client.get("/metrics")
    docs = await client.get("/docs")
    spec = await client.get("/openapi.json")

    # The gateway answers in the reference's shape (it probes the services behind it); the others the kit's.
    if service == "gateway":
        assert health.json()["status"] in ("healthy", "degraded")
        assert set(health.json()["services"]) == {"user-service", "interview-service", "ai-analysis-service"}
    else:
        assert health.json() == {"status": "ok", "service": service}
    checks = {"database": "up", "kafka": "up", "redis": "up", **dict.fromkeys(OWN_READY_CHECKS.get(service, ()), "up")}
    assert ready.json() == {"status": "ready", "checks": checks}
    assert f'outbox_backlog{{service="{service}"}} 0.0' in metrics.text
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert spec.json()["openapi"].startswith("3.")


def test_the_settings_default_to_the_registered_port_and_the_consumer_reads_the_registered_topics(
    service: str,
) -> None:
    settings_cls = importlib.import_module(f"{service}.settings").Settings
    consumers = importlib.import_module(f"{service}.consumers")
    assert settings_cls.model_fields["port"].default == SERVICES[service].port
    assert sorted(consumers.TOPICS) == sorted(SERVICES[service].consumes)


async def _stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.terminate()
    return await asyncio.wait_for(process.wait(), 30)


async def test_the_worker_process_relays_a_committed_outbox_row_to_kafka(
    service: str, migrated: dict[str, ServiceSettings], kafka_bootstrap: str
) -> None:
    settings = migrated[service]
    topic = f"{settings.topic_prefix}{service}-fleet-{uuid.uuid4().hex[:6]}"
    await create_topics(kafka_bootstrap, [topic])
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arq",
        f"{service}.worker.WorkerSettings",
        env=process_env(settings),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    envelope = Envelope(event_type="fleet.checked", source=service, aggregate_id="agg-1", payload={"ok": True})
    conn = await asyncpg.connect(_dsn(settings))
    try:
        await conn.execute(
            "INSERT INTO outbox (event_id, topic, key, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5, '{}')",
            envelope.event_id,
            topic.removeprefix(settings.topic_prefix),
            "agg-1",
            envelope.event_type,
            envelope.model_dump_json(by_alias=True),
        )
        (record,) = await consume(kafka_bootstrap, topic, 1, timeout_s=60)
    finally:
        await conn.close()
        assert await _stop(worker) == 0, (await worker.stdout.read()).decode()[-2000:]  # type: ignore[union-attr]
        await delete_topics(kafka_bootstrap, [topic])
    assert Envelope.model_validate_json(record.value).event_id == envelope.event_id


async def test_the_consumer_process_starts_and_stops_cleanly(
    service: str, migrated: dict[str, ServiceSettings], kafka_bootstrap: str
) -> None:
    settings = migrated[service]
    topics = [settings.topic(t) for t in importlib.import_module(f"{service}.consumers").TOPICS]
    if topics:
        await create_topics(kafka_bootstrap, topics)
    consumer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"{service}.consumers",
        env=process_env(migrated[service]),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert consumer.stdout is not None
    started = await asyncio.wait_for(consumer.stdout.readline(), 60)
    code = await _stop(consumer)
    rest = await consumer.stdout.read()

    if topics:
        await delete_topics(kafka_bootstrap, topics)
    assert code == 0, rest.decode()[-2000:]
    assert b'"kafka.consumer_' in started, started

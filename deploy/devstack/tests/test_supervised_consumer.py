"""A consumer of the local stack killed in the middle of an event (SIGKILL, no clean shutdown) is brought back
by the supervisor and the event is processed: real Kafka and Postgres, the kit's consumer process and its
liveness endpoint, the supervisor of `devstack up` with a quick restart policy."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from devstack.config import Config
from devstack.supervisor import AppSpec, RestartPolicy, Supervisor
from kit.db import make_engine
from kit.events import Envelope
from kit.outbox import ProcessedMessage
from kit.settings import ServiceSettings
from kit.testing import (
    KAFKA_BOOTSTRAP,
    create_topics,
    delete_topics,
    free_port,
    process_env,
    settings_for_tests,
    superuser_url,
)

# The handler blocks on the first delivery (the marker file does not exist yet) until the test kills the
# process; the redelivery after the restart finds the marker and records the event.
CONSUMER = """
import asyncio, os, pathlib
from sqlalchemy import text
from kit.kafka import run_consumer
from kit.settings import ServiceSettings

MARK = pathlib.Path(os.environ["MARK_FILE"])


async def handle(session, envelope):
    if not MARK.exists():
        MARK.write_text("in flight")
        await asyncio.sleep(3600)
    await session.execute(text("INSERT INTO hits (event_id) VALUES (:id)"), {"id": str(envelope.event_id)})


run_consumer(ServiceSettings(), {"supervised.checked": handle}, [os.environ["TOPIC"]])
"""


def _dsn(settings: ServiceSettings) -> str:
    return settings.database_url.replace("+asyncpg", "")


@pytest.fixture
async def consumer_settings() -> AsyncIterator[ServiceSettings]:
    """A service of its own: schema with the consumer's table and a hits table, dropped afterwards."""
    name = f"supervised_{uuid.uuid4().hex[:8]}"
    settings = settings_for_tests(ServiceSettings, name, database_url=superuser_url(), db_schema=name)
    engine = make_engine(settings.database_url, name, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA {name}"))
            await conn.run_sync(ProcessedMessage.__table__.create)  # type: ignore[attr-defined]
            await conn.execute(text(f"CREATE TABLE {name}.hits (event_id text PRIMARY KEY)"))
        yield settings
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        await engine.dispose()


async def _hits(settings: ServiceSettings) -> list[str]:
    conn = await asyncpg.connect(_dsn(settings))
    try:
        rows = await conn.fetch(f"SELECT event_id FROM {settings.schema_name}.hits")
    finally:
        await conn.close()
    return [r["event_id"] for r in rows]


async def _until(predicate, what: str, timeout_s: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    try:
        async with asyncio.timeout(timeout_s):
            while not await predicate():
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def test_a_consumer_killed_mid_event_is_restarted_and_the_event_is_processed(
    tmp_path: Path, consumer_settings: ServiceSettings
) -> None:
    settings = consumer_settings
    topic = f"supervised-{uuid.uuid4().hex[:8]}"
    topics = [settings.topic(topic), settings.topic(topic) + "-dlq"]
    await create_topics(KAFKA_BOOTSTRAP, topics, partitions=1)
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    mark = tmp_path / "in-flight"
    metrics_port = free_port()
    env = process_env(
        settings,
        SERVICE_NAME=settings.service_name,
        TOPIC=topic,
        MARK_FILE=str(mark),
        METRICS_PORT=str(metrics_port),
    )
    sup = Supervisor(
        Config(root=tmp_path),
        set(),
        0.0,
        policy=RestartPolicy(first_delay_s=0.05, max_delay_s=0.1, stable_after_s=3600.0, give_up_after=5),
    )
    name = "supervised-consumer"
    running = asyncio.create_task(sup.supervise(AppSpec(name, [sys.executable, str(script)], env)))
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP)
    await producer.start()
    try:
        envelope = Envelope(event_type="supervised.checked", source="test", aggregate_id="a-1", payload={})
        await producer.send_and_wait(
            settings.topic(topic), envelope.model_dump_json(by_alias=True).encode(), key=b"a-1"
        )

        async def in_flight() -> bool:
            return mark.exists()

        await _until(in_flight, "the handler to start on the event")
        first_pid = sup.procs[name].pid
        os.killpg(first_pid, signal.SIGKILL)

        async def processed() -> bool:
            return await _hits(settings) == [str(envelope.event_id)]

        await _until(processed, "the restarted consumer to process the event")
        state = sup.states[name]
        assert (state.state, state.restarts, state.last_exit) == ("running", 1, -signal.SIGKILL)
        assert sup.procs[name].pid != first_pid
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{metrics_port}/health")
        assert health.status_code == 200
        assert health.json()["alive"] is True
    finally:
        await producer.stop()
        sup.stopping.set()
        await sup.stop_apps()
        await running
        await delete_topics(KAFKA_BOOTSTRAP, topics)
    assert sup.states[name].state == "stopped"

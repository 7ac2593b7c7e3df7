"""One process per service in the local stack (`python -m kit.roles <svc>`): the api, the consumer and the arq
worker share an event loop, and the supervisor watches the process's liveness. Real Kafka, Postgres and Redis;
the service is a small package written for the test with the layout of every service (settings, main,
consumers, worker)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import text

from devstack.config import Config
from devstack.supervisor import AppSpec, RestartPolicy, Supervisor, app_status
from kit.db import make_engine
from kit.events import Envelope
from kit.outbox import OutboxMessage, ProcessedMessage
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
from kit.worker import queue_name

SETTINGS = """
from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    pass
"""

MAIN = """
from fastapi import APIRouter, Request
from sqlalchemy import text

from kit.app import create_service_app
from roles_probe.settings import Settings

router = APIRouter()


@router.get("/hits")
async def hits(request: Request) -> list[str]:
    async with request.app.state.sessions() as session:
        return list((await session.execute(text("SELECT event_id FROM hits ORDER BY event_id"))).scalars())


app = create_service_app(Settings(), routers=[router])
"""

# A payload with `crash` ends the consume loop itself (a BaseException is no handler failure to retry): the
# loop is dead while the process, its api and its worker still run. Once: the record is read again after the
# restart (its offset was never committed) and then goes through.
CONSUMERS = """
import os
import pathlib

from sqlalchemy import text

CRASHED = pathlib.Path(os.environ["CRASHED_FILE"])


class LoopCrash(BaseException):
    pass


async def handle(session, envelope):
    if envelope.payload.get("crash") and not CRASHED.exists():
        CRASHED.write_text("crashed")
        raise LoopCrash("the consume loop crashed")
    await session.execute(text("INSERT INTO hits (event_id) VALUES (:id)"), {"id": str(envelope.event_id)})


HANDLERS = {"roles.checked": handle}
TOPICS = [os.environ["TOPIC"]]
"""

WORKER = """
from sqlalchemy import text

from kit.db import transaction
from kit.worker import worker_settings
from roles_probe.settings import Settings


async def record_job(ctx, value):
    async with transaction(ctx["sessions"]) as session:
        await session.execute(text("INSERT INTO jobs (value) VALUES (:v)"), {"v": value})


WorkerSettings = worker_settings(Settings(), functions=[record_job])
"""


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[ServiceSettings, Path]]:
    """A schema with the kit's tables, `hits` and `jobs`, and the package on a path of its own; dropped after."""
    name = f"roles_{uuid.uuid4().hex[:8]}"
    settings = settings_for_tests(ServiceSettings, name, database_url=superuser_url(), db_schema=name)
    package = tmp_path / "src" / "roles_probe"
    package.mkdir(parents=True)
    for module, source in {
        "__init__": "",
        "settings": SETTINGS,
        "main": MAIN,
        "consumers": CONSUMERS,
        "worker": WORKER,
    }.items():
        (package / f"{module}.py").write_text(source)
    engine = make_engine(settings.database_url, name, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA {name}"))
            for table in (OutboxMessage.__table__, ProcessedMessage.__table__):
                await conn.run_sync(table.create)  # type: ignore[attr-defined]
            await conn.execute(text(f"CREATE TABLE {name}.hits (event_id text PRIMARY KEY)"))
            await conn.execute(text(f"CREATE TABLE {name}.jobs (value text PRIMARY KEY)"))
        yield settings, tmp_path / "src"
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        await engine.dispose()


async def _until(predicate: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 120.0) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            while not await predicate():
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def _rows(settings: ServiceSettings, table: str) -> list[str]:
    conn = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        return [r[0] for r in await conn.fetch(f"SELECT * FROM {settings.schema_name}.{table}")]
    finally:
        await conn.close()


class Combined:
    """The combined process of the test package under a supervisor with a quick restart and liveness policy."""

    def __init__(self, tmp_path: Path, settings: ServiceSettings, src: Path) -> None:
        self.settings = settings
        self.topic = f"roles-{uuid.uuid4().hex[:8]}"
        self.api_port, self.metrics_port = free_port(), free_port()
        env = process_env(
            settings,
            SERVICE_NAME=settings.service_name,
            TOPIC=self.topic,
            PORT=str(self.api_port),
            METRICS_PORT=str(self.metrics_port),
            SERVICE_ROLES="api,consumer,worker",
            PYTHONPATH=str(src),
            CRASHED_FILE=str(tmp_path / "crashed"),
        )
        self.cfg = Config(root=tmp_path)
        self.sup = Supervisor(
            self.cfg,
            set(),
            0.0,
            policy=RestartPolicy(
                first_delay_s=0.05,
                max_delay_s=0.1,
                stable_after_s=3600.0,
                give_up_after=5,
                probe_every_s=0.2,
                probe_failures=3,
            ),
        )
        self.spec = AppSpec(
            "roles_probe",
            [sys.executable, "-m", "kit.roles", "roles_probe"],
            env,
            self.api_port,
            health_path="/health",
            health_port=self.metrics_port,
            roles=("api", "consumer", "worker"),
        )
        self.topics = [settings.topic(self.topic), settings.topic(self.topic) + "-dlq"]

    async def __aenter__(self) -> Combined:
        await create_topics(KAFKA_BOOTSTRAP, self.topics, partitions=1)
        self.running = asyncio.create_task(self.sup.supervise(self.spec))
        self.producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP)
        await self.producer.start()
        self.client = httpx.AsyncClient(timeout=5.0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.producer.stop()
        self.sup.stopping.set()
        await self.sup.stop_apps()
        await self.running
        await delete_topics(KAFKA_BOOTSTRAP, self.topics)

    async def health(self, path: str = "/health") -> httpx.Response | None:
        try:
            return await self.client.get(f"http://127.0.0.1:{self.metrics_port}{path}")
        except httpx.HTTPError:
            return None

    async def alive(self) -> bool:
        answer = await self.health()
        return answer is not None and answer.status_code == 200

    async def send(self, payload: dict[str, Any]) -> Envelope:
        envelope = Envelope(event_type="roles.checked", source="test", aggregate_id="a-1", payload=payload)
        value = envelope.model_dump_json(by_alias=True).encode()
        await self.producer.send_and_wait(self.settings.topic(self.topic), value, key=b"a-1")
        return envelope


async def test_one_process_serves_http_consumes_an_event_and_runs_a_job_and_reports_each_role(
    tmp_path: Path, service: tuple[ServiceSettings, Path]
) -> None:
    settings, src = service
    async with Combined(tmp_path, settings, src) as combined:
        await _until(combined.alive, "every role of the process to be alive")
        envelope = await combined.send({})

        async def consumed() -> bool:
            return await _rows(settings, "hits") == [str(envelope.event_id)]

        await _until(consumed, "the consumer role to record the event")
        pool = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=queue_name(settings))
        try:
            await pool.enqueue_job("record_job", "job-1")
        finally:
            await pool.aclose()

        async def ran() -> bool:
            return await _rows(settings, "jobs") == ["job-1"]

        await _until(ran, "the worker role to run the job")
        served = await combined.client.get(f"http://127.0.0.1:{combined.api_port}/hits")
        assert (served.status_code, served.json()) == (200, [str(envelope.event_id)])

        health = await combined.health()
        assert health is not None and health.status_code == 200
        roles = health.json()["roles"]
        assert {name: answer["alive"] for name, answer in roles.items()} == {
            "api": True,
            "consumer": True,
            "worker": True,
        }
        # The gateway's aggregated health asks each role at its own path, with the role's figures.
        consumer = await combined.health("/consumer/health")
        worker = await combined.health("/worker/health")
        assert consumer is not None and worker is not None
        assert (consumer.json()["role"], "consumerLag" in consumer.json()) == ("consumer", True)
        assert (worker.json()["role"], "outboxBacklog" in worker.json()) == ("worker", True)
        # One registry per process: the metrics port carries the consumer's and the api's series alike.
        metrics = (await combined.client.get(f"http://127.0.0.1:{combined.metrics_port}/metrics")).text
        counted = [line for line in metrics.splitlines() if line.startswith("kafka_messages_total{")]
        assert any(f'service="{settings.service_name}"' in line and 'result="ok"' in line for line in counted)
        assert any(line.startswith("http_requests_total{") and 'route="/hits"' in line for line in metrics.splitlines())

        rows = {row.name: row for row in app_status(combined.cfg)}
        assert {name for name in rows} == {
            "roles_probe",
            "  roles_probe/api",
            "  roles_probe/consumer",
            "  roles_probe/worker",
        }
        assert all(row.healthy for row in rows.values())


async def test_a_crashed_consume_loop_fails_liveness_and_the_supervisor_restarts_the_process(
    tmp_path: Path, service: tuple[ServiceSettings, Path]
) -> None:
    settings, src = service
    async with Combined(tmp_path, settings, src) as combined:
        await _until(combined.alive, "every role of the process to be alive")

        async def watched_alive() -> bool:
            # Failed probes count only after the supervisor's own probe saw the process alive; a crash before
            # that would be a process that never came up, which the supervisor leaves to its exit.
            return combined.sup.states["roles_probe"].live_since is not None

        await _until(watched_alive, "the supervisor's liveness probe to see the process alive")
        first_pid = combined.sup.procs["roles_probe"].pid
        envelope = await combined.send({"crash": True})

        async def consumer_dead() -> bool:
            answer = await combined.health()
            return answer is not None and answer.status_code == 503

        await _until(consumer_dead, "liveness to report the dead consume loop")
        answer = await combined.health()
        assert answer is not None
        body = answer.json()
        assert body["alive"] is False
        assert body["roles"]["consumer"]["alive"] is False
        assert body["roles"]["consumer"]["reason"] == "the consume loop has ended"
        assert body["roles"]["api"]["alive"] is True and body["roles"]["worker"]["alive"] is True

        async def restarted() -> bool:
            proc = combined.sup.procs["roles_probe"]
            return proc.pid != first_pid and combined.sup.states["roles_probe"].restarts == 1 and await combined.alive()

        await _until(restarted, "the supervisor to restart the process")
        assert combined.sup.states["roles_probe"].state == "running"

        async def redelivered() -> bool:
            return await _rows(settings, "hits") == [str(envelope.event_id)]

        await _until(redelivered, "the restarted consumer to process the record it crashed on")
    assert combined.sup.states["roles_probe"].state == "stopped"

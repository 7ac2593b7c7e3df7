"""pytest plugin (loaded with `-p kit.testing`): the test database and migrations, per-test rollback,
Kafka topic helpers. Tests use their own database (`aivi_test`), topic prefix, Redis db and buckets,
so a running `make up` is never touched."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import inspect
import json
import os
import random
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, TypeVar

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from kit.db import make_engine
from kit.outbox import OutboxMessage
from kit.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("PG_PORT", "5432")
TEST_DB = os.environ.get("TEST_DB", "aivi_test")
KAFKA_BOOTSTRAP = os.environ.get("TEST_KAFKA_BOOTSTRAP", f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '6379')}/15")
RUN_ID = uuid.uuid4().hex[:8]
TOPIC_PREFIX = f"test-{RUN_ID}."


def load_script(name: str, path: Path) -> ModuleType:
    """A Python file that is not in a package (a bench's fleet, the demo script, another root test) as module
    `name`, loaded once per process: whoever loads it again gets the same module, so its classes stay one."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


INTERNAL_TOKEN = "test-internal-token"


def role_url(role: str, password: str | None = None) -> str:
    return f"postgresql+asyncpg://{role}:{password or role + '-dev'}@{PG_HOST}:{PG_PORT}/{TEST_DB}"


def superuser_url() -> str:
    return f"postgresql+asyncpg://postgres:postgres@{PG_HOST}:{PG_PORT}/{TEST_DB}"


async def terminate_backend(pid: int) -> None:
    """Has the server end one connection, as a restart or a network fault would, from a connection of its own."""
    conn = await asyncpg.connect(superuser_url().replace("+asyncpg", ""))
    try:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


def settings_for_tests(cls: type[S], service: str, **overrides: Any) -> S:
    """Settings of `service` pointed at the test database, topics, Redis db and buckets."""
    values: dict[str, Any] = {
        "service_name": service,
        "service_env": "test",
        "database_url": role_url(service),
        "db_schema": service,
        "kafka_bootstrap": KAFKA_BOOTSTRAP,
        "topic_prefix": TOPIC_PREFIX,
        "redis_url": REDIS_URL,
        "internal_token": INTERNAL_TOKEN,
        "consumer_backoff_base_s": 0.05,
        "consumer_backoff_max_s": 0.2,
        "outbox_poll_interval_s": 0.5,
    }
    values.update(overrides)
    return cls(**values)


def threaded_calls(app: FastAPI) -> list[str]:
    """The endpoints and dependencies of `app`'s routes that FastAPI hands to its thread pool (a plain `def` or a
    generator): a thread hand-off and a wake-up per request, for what in these services is a lookup."""

    def awaited(call: Callable[..., Any]) -> bool:
        target = call if inspect.isroutine(call) else type(call).__call__
        return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)

    found: set[str] = set()

    def walk(dependant: Dependant) -> None:
        if dependant.call is not None and not awaited(dependant.call):
            found.add(getattr(dependant.call, "__qualname__", repr(dependant.call)))
        for sub in dependant.dependencies:
            walk(sub)

    def visit(routes: Sequence[Any]) -> None:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # an included router: its routes with its dependencies
                visit(route.effective_candidates())
            elif isinstance(getattr(route, "dependant", None), Dependant):
                walk(route.dependant)

    visit(app.routes)
    return sorted(found)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far, all its threads (Linux `/proc/<pid>/stat`), for benches
    that measure a server's CPU per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port nobody listens on right now, for a server a test starts. Taken below the kernel's
    ephemeral range: a port the kernel handed out (bind to 0) could be given again, before the server binds it,
    as the local port of one of the many connections a starting fleet opens (a replica then failed with
    "Address already in use"). Never the same port twice in one process, and never one of devstack's (< 20000)."""
    low = _ephemeral_low()
    for _ in range(200):
        port = random.randrange(20000, low) if low > 21000 else 0
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")


class AppServer:
    """An ASGI app served by uvicorn on 127.0.0.1 inside the test's own event loop, for what an in-process
    transport cannot show (a real socket, a stream's chunks as they are written, a client's connection pool). It
    keeps its port across `stop` and `start`, so a test can take an upstream down and bring it back."""

    def __init__(
        self,
        app: Any,
        *,
        port: int | None = None,
        lifespan: Literal["auto", "on", "off"] = "auto",
        start_timeout_s: float = 30,
    ) -> None:
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lifespan = lifespan
        self.start_timeout_s = start_timeout_s
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        import uvicorn

        from kit.server import OneWriteHttpProtocol

        # The protocol the services' apis run with (an answer in one write), so a stream's chunks arrive as deployed.
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan=self.lifespan,
            http=OneWriteHttpProtocol,
        )
        server = uvicorn.Server(config)

        async def serve() -> None:
            # uvicorn leaves with sys.exit when it cannot bind or the app's start-up fails: inside the test's own
            # loop that would end the whole test run, not the test.
            try:
                await server.serve()
            except SystemExit as exit_:
                reason = f"stopped while starting (exit {exit_.code})"
                raise RuntimeError(f"the test server on port {self.port} {reason}") from None

        task = asyncio.create_task(serve())
        self._server, self._task = server, task
        async with asyncio.timeout(self.start_timeout_s):
            while not server.started:
                if task.done():
                    self._server = self._task = None
                    await task
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None

    async def __aenter__(self) -> AppServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def process_env(settings: ServiceSettings, **extra: str) -> dict[str, str]:
    """The environment of a service process (consumer, worker) started by a test with these settings."""
    return {
        **os.environ,
        "SERVICE_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "DB_SCHEMA": settings.schema_name,
        "KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "TOPIC_PREFIX": settings.topic_prefix,
        "REDIS_URL": settings.redis_url,
        "INTERNAL_TOKEN": settings.internal_token.get_secret_value(),
        "OUTBOX_POLL_INTERVAL_S": "0.5",
        **extra,
    }


@dataclass
class LoggedProcess:
    """A process a test or bench started in a session of its own, its output (stdout and stderr) in `log`."""

    name: str
    process: asyncio.subprocess.Process
    log: Path


async def start_logged(name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> LoggedProcess:
    """`argv` in a new session (its children, e.g. npm's, leave with it), writing to `log` (made afresh)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # The child keeps its own copy of the descriptor: this process's copy is closed once it started.
    with log.open("wb") as file:
        process = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL, stdout=file, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    return LoggedProcess(name, process, log)


async def stop_logged(procs: Sequence[LoggedProcess], *, grace_s: float) -> None:
    """SIGTERM to every process's session, then SIGKILL to those still running after `grace_s`."""
    for proc in procs:
        if proc.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.process.pid, signal.SIGTERM)

    async def wait(proc: LoggedProcess) -> None:
        try:
            await asyncio.wait_for(proc.process.wait(), grace_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.process.pid, signal.SIGKILL)
            await proc.process.wait()

    await asyncio.gather(*(wait(p) for p in procs))


def log_tails(procs: Sequence[LoggedProcess], lines: int) -> str:
    """The last `lines` of each process's log under its name and exit status: what a failing test prints."""
    out = []
    for proc in procs:
        text = proc.log.read_text(errors="replace").splitlines()[-lines:] if proc.log.exists() else []
        out.append(f"----- {proc.name} (exit {proc.process.returncode}) {proc.log}\n" + "\n".join(text))
    return "\n".join(out)


def alembic_upgrade_apart(service_dir: Path, settings: ServiceSettings) -> None:
    """A service's migrations in a process of their own, as a deployment runs them: every service's models share
    the kit's metadata, so loading several services' into one interpreter would make one service's table names
    constrain every other's (a fleet of services on one database migrates each this way)."""
    argv = [sys.executable, "-m", "alembic", "-c", str(service_dir / "alembic.ini"), "upgrade", "heads"]
    result = subprocess.run(
        argv, cwd=service_dir, env=process_env(settings), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        name = service_dir.name
        raise RuntimeError(f"{name} migrations failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


async def retire_stale_outbox_rows(settings: ServiceSettings) -> None:
    """Rows left unpublished by earlier runs belong to topics of another run's prefix; a relay of this run
    would fail on them (topic auto-creation is off), so a test that runs a real relay marks them handled."""
    conn = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        await conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
    finally:
        await conn.close()


def alembic_upgrade(service_dir: Path, settings: ServiceSettings) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = settings.database_url
    command.upgrade(config, "heads")


def database_fixtures(service_dir: Path) -> tuple[Any, Any]:
    """A service conftest's `migrated` (its migrations applied once per run) and `engine` (as the service's own
    role) fixtures: `migrated, engine = database_fixtures(SERVICE_DIR)`. Made per conftest, because a session
    fixture shared by every service would be cached with the first service's settings."""

    @pytest.fixture(scope="session")
    def migrated(settings: ServiceSettings) -> ServiceSettings:
        # Synchronous on purpose: Alembic's async env runs its own event loop.
        alembic_upgrade(service_dir, settings)
        return settings

    @pytest.fixture(scope="session")
    async def engine(migrated: ServiceSettings) -> AsyncIterator[AsyncEngine]:
        engine = make_service_engine(migrated)
        yield engine
        await engine.dispose()

    return migrated, engine


@dataclass
class Clock:
    """The time an app or a job sees, moved by the test (`app.state.clock = clock`, `now=clock()`)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Caller:
    """A signed-in user as the gateway forwards them to a service: identity headers with the internal token."""

    role: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def email(self) -> str:
        return f"{self.role}-{self.id}@example.test"

    @property
    def headers(self) -> dict[str, str]:
        return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": self.id, "x-user-role": self.role}


class DatabaseProbe:
    """For a test's stack of a service's roles running in process (a dataclass with `sessions`): a value read with
    SQL, and a wait until it is what the test expects, since the consumer and the worker get there in their own
    time."""

    sessions: async_sessionmaker[AsyncSession]

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.sessions() as session:
            return await session.scalar(text(sql), params)

    async def wait_for(self, sql: str, expected: Any, *, timeout_s: float = 90.0, **params: Any) -> None:
        value: Any = None
        try:
            async with asyncio.timeout(timeout_s):
                while (value := await self.scalar(sql, **params)) != expected:
                    await asyncio.sleep(0.1)
        except TimeoutError:
            pytest.fail(f"{sql} {params}: {value!r} after {timeout_s}s, expected {expected!r}")


@asynccontextmanager
async def in_process_client(
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    *,
    raise_app_exceptions: bool = True,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app running in this process (its lifespan run), its requests on the test's
    rolled-back connection when `sessions` is given, else on the app's own engine. `raise_app_exceptions=False`
    answers a bug as the server would (a 500), for tests of that answer, instead of raising it in the test."""
    from asgi_lifespan import LifespanManager

    async with LifespanManager(app) as manager:
        if sessions is not None:
            app.state.sessions = sessions
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return KAFKA_BOOTSTRAP


@pytest.fixture(scope="session")
def topic_prefix() -> str:
    return TOPIC_PREFIX


async def create_topics(bootstrap: str, names: list[str], *, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for name in names:
            try:
                await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
    await _wait_for_metadata(bootstrap, names)


async def _wait_for_metadata(bootstrap: str, names: list[str]) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        for _ in range(100):
            topics = await consumer.topics()
            if set(names) <= topics:
                return
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(names)
    except Exception:
        pass
    finally:
        await admin.close()


@pytest.fixture
async def make_topics(kafka_bootstrap: str) -> AsyncIterator[Callable[..., Awaitable[list[str]]]]:
    """Create topics (and their -dlq twins) under this run's prefix; deleted after the test."""
    created: list[str] = []

    async def make(*logical: str, partitions: int = 3, bootstrap: str | None = None) -> list[str]:
        names = [f"{TOPIC_PREFIX}{t}" for t in logical]
        names += [f"{n}-dlq" for n in names]
        await create_topics(bootstrap or kafka_bootstrap, names, partitions=partitions)
        if bootstrap is None:
            created.extend(names)
        return names[: len(logical)]

    yield make
    if created:
        await delete_topics(kafka_bootstrap, created)


async def consume(
    bootstrap: str, topic: str, count: int, *, timeout_s: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read `count` records of a topic from the beginning (no group), or fail after `timeout_s`."""
    return await consume_until(bootstrap, topic, lambda records: len(records) >= count, timeout_s=timeout_s)


async def consume_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    *,
    timeout_s: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning (no group) until `done(records)`, or fail after `timeout_s`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        async with asyncio.timeout(timeout_s):
            while not done(records):
                batches = await consumer.getmany(timeout_ms=500)
                for batch in batches.values():
                    records.extend(batch)
    except TimeoutError:
        pytest.fail(f"{topic}: condition not met after {len(records)} records in {timeout_s}s")
    finally:
        await consumer.stop()
    return records


@pytest.fixture
async def rollback_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """An outer transaction the test's own commits become savepoints of; rolled back afterwards."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessions(rollback_connection: AsyncConnection, settings: ServiceSettings) -> async_sessionmaker[AsyncSession]:
    """The service's sessionmaker, bound to the rolled-back connection (needs `settings` and `engine`
    fixtures from the service's conftest)."""
    return async_sessionmaker(
        bind=rollback_connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info={"service": settings.service_name, "schema": settings.schema_name},
    )


def make_service_engine(settings: ServiceSettings) -> AsyncEngine:
    return make_engine(settings.database_url, settings.schema_name, pool_size=5)


async def outbox_events(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def comparable(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    """An answer without what differs on every request (its time and correlation id): for comparing two ways of
    serving the same request."""
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "x-correlation-id")}
    try:
        body = response.json()
    except json.JSONDecodeError:
        return response.status_code, headers, response.text
    if isinstance(body, dict):
        body.pop("timestamp", None)
        body.pop("correlationId", None)
    return response.status_code, headers, body

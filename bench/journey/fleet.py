"""The fleet behind the gateway, with replicas, on the test database, test realm and a topic prefix of this run.

The same shape as `REPLICAS=n make up` (deploy/devstack): per service one `python -m kit.roles <svc>` process
runs its api, consumer and outbox worker, and each further replica is a process running the consumer and the
worker only (a member of the service's consumer group; the relay's advisory lock lets one publish at a time).
The gateway's api runs `gateways` times on ports of its own. Analytics is left out: its consumer lives in its
api beside the embedded ClickHouse, which one process at a time may open, so it does not replicate.

Used by `bench/journey/run.py` and `tests/test_replicas.py`. Logs go to `.local/logs/<label>/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from devstack.config import ALL_TOPICS, KEYCLOAK_TEST_REALM, Ports
from devstack.postgres import provisioning_sql
from kit.settings import ServiceSettings
from kit.testing import (
    LoggedProcess,
    alembic_upgrade_apart,
    create_topics,
    delete_topics,
    free_port,
    log_tails,
    process_env,
    retire_stale_outbox_rows,
    role_url,
    settings_for_tests,
    start_logged,
    stop_logged,
    superuser_url,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "users", "interviews", "media", "analysis", "notifications", "billing")
KEYCLOAK = os.environ.get("KEYCLOAK_URL", f"http://127.0.0.1:{os.environ.get('KEYCLOAK_PORT', '8090')}")
S3 = f"http://127.0.0.1:{os.environ.get('S3_PORT', '9000')}"
MAIL_PORTS = Ports()
MAILPIT = f"http://127.0.0.1:{MAIL_PORTS.mailpit_http}"
STARTUP_TIMEOUT_S = 300.0


@dataclass
class Proc(LoggedProcess):
    """A `kit.roles` process of a service: the roles it runs, its liveness/metrics port and api port if any."""

    service: str
    roles: tuple[str, ...]
    metrics_port: int
    api_port: int | None = None


@dataclass
class Options:
    """What the fleet runs with: consumer/worker replicas per service, gateway apis, the LLM it scores with."""

    replicas: dict[str, int] = field(default_factory=dict)
    gateways: int = 1
    llm_url: str = ""
    llm_requests_per_minute: int = 600
    llm_tokens_per_minute: int = 10_000_000
    # Lower than the service's 30 min so a job whose worker was killed is taken again within minutes (arq holds
    # a job in progress for its timeout before another worker may run it).
    analysis_timeout_s: float = 60.0
    stripe_webhook_secret: str = "whsec_bench_journey"
    label: str = "bench-journey"
    # A database of the fleet's own (created and provisioned when missing) instead of the shared test database,
    # where any other run's relay (a test's, another fleet's) may publish this fleet's outbox rows to its own
    # topics: the event is then marked published yet never reaches this fleet's consumers.
    database: str = ""
    # More environment per service, over the fleet's own (e.g. media's transcription stand-in).
    env: dict[str, dict[str, str]] = field(default_factory=dict)

    def count(self, service: str) -> int:
        return max(1, self.replicas.get(service, 1))


@dataclass
class Fleet:
    options: Options
    procs: list[Proc] = field(default_factory=list)
    settings: dict[str, ServiceSettings] = field(default_factory=dict)
    gateway_urls: list[str] = field(default_factory=list)

    @property
    def logs(self) -> Path:
        return ROOT / ".local" / "logs" / self.options.label

    async def spawn(
        self,
        name: str,
        service: str,
        roles: tuple[str, ...],
        env: dict[str, str],
        api_port: int | None,
        metrics_port: int | None = None,
    ) -> Proc:
        metrics = metrics_port or free_port()
        env = {**env, "SERVICE_ROLES": ",".join(roles), "METRICS_PORT": str(metrics)}
        if api_port is not None:
            env["PORT"] = str(api_port)
        argv = [sys.executable, "-m", "kit.roles", service]
        started = await start_logged(name, argv, env=env, cwd=ROOT, log=self.logs / f"{name}.log")
        proc = Proc(name, started.process, started.log, service, roles, metrics, api_port)
        self.procs.append(proc)
        return proc

    def replicas(self, service: str) -> list[Proc]:
        return [p for p in self.procs if p.service == service]

    def kill(self, proc: Proc) -> None:
        """SIGKILL: no shutdown, no commit of offsets, no release of locks but what the server notices."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        await stop_logged(self.procs, grace_s=30.0)

    def tails(self, lines: int = 30) -> str:
        return log_tails(self.procs, lines)


def service_settings(service: str, database: str = "") -> ServiceSettings:
    settings_cls = importlib.import_module(f"{service}.settings").Settings
    if not database:
        return settings_for_tests(settings_cls, service)
    return settings_for_tests(settings_cls, service, database_url=f"{role_url(service).rsplit('/', 1)[0]}/{database}")


async def provision_database(database: str) -> None:
    """The database with every service's schema and role grants, as devstack provisions the test database."""
    conn = await asyncpg.connect(superuser_url().replace("+asyncpg", ""))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(f"{superuser_url().replace('+asyncpg', '').rsplit('/', 1)[0]}/{database}")
    try:
        await conn.execute(provisioning_sql(database))
    finally:
        await conn.close()


def migrate(service: str, settings: ServiceSettings) -> None:
    alembic_upgrade_apart(ROOT / "services" / service, settings)


def _extra(options: Options, urls: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "gateway": {
            "KEYCLOAK_REALM": KEYCLOAK_TEST_REALM,
            "KEYCLOAK_URL": KEYCLOAK,
            "INTERNAL_AUTH_ENABLED": "false",
            # The edge limits are per caller and shared by the replicas (Redis); the load is many callers.
            "API_RATE_LIMIT": "100000/minute",
            "API_ANONYMOUS_RATE_LIMIT": "100000/minute",
            "AUTH_RATE_LIMIT": "10000/minute",
            **urls,
        },
        "users": {"S3_ENDPOINT": S3, "S3_BUCKET_PREFIX": "test-"},
        # Every invitation is reserved against the HR's plan at billing, as shipped.
        "interviews": {"BILLING_URL": urls["BILLING_URL"], "QUOTA_ENFORCEMENT": "true"},
        "media": {"S3_ENDPOINT": S3, "S3_BUCKET_PREFIX": "test-"},
        "analysis": {
            "LLM_API_KEY": "stand-in-key" if options.llm_url else "",
            "LLM_BASE_URL": options.llm_url,
            "LLM_REQUESTS_PER_MINUTE": str(options.llm_requests_per_minute),
            "LLM_TOKENS_PER_MINUTE": str(options.llm_tokens_per_minute),
            "ANALYSIS_TIMEOUT_S": str(options.analysis_timeout_s),
        },
        "notifications": {"EMAIL_PROVIDER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(MAIL_PORTS.smtp)},
        "billing": {
            "STRIPE_SECRET_KEY": "",
            "STRIPE_WEBHOOK_SECRETS": options.stripe_webhook_secret,
            # Nothing listens here: should anything call Stripe, it fails on loopback.
            "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}",
        },
    }


def _process_count(options: Options, service: str) -> int:
    """Processes of a service: one per replica, at least one per api (every process runs a consumer and worker)."""
    return max(options.count(service), options.gateways if service == "gateway" else 1)


def _process_health_urls(options: Options, metrics: dict[str, list[int]]) -> dict[str, str | list[str]]:
    """The gateway's PROCESS_HEALTH_URLS: every process's consumer and worker, and each gateway api, by role."""
    urls: dict[str, str | list[str]] = {}
    for service, ports in metrics.items():
        roles = {"consumer": ports, "worker": ports}
        if service == "gateway" and options.gateways > 1:
            roles["api"] = ports[: options.gateways]
        for role, role_ports in roles.items():
            replicas = [f"http://127.0.0.1:{port}/{role}" for port in role_ports]
            urls[f"{service}-{role}"] = replicas[0] if len(replicas) == 1 else replicas
    return urls


async def _wait_until_up(fleet: Fleet, proc: Proc) -> None:
    """The process's liveness (every role it runs) answers 200, and its api if it has one."""
    urls = [f"http://127.0.0.1:{proc.metrics_port}/health"]
    if proc.api_port is not None:
        urls.append(f"http://127.0.0.1:{proc.api_port}/health")
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(timeout=5.0) as http:
        while time.monotonic() < deadline:
            if proc.process.returncode is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.process.returncode} while starting\n{fleet.tails()}")
            answers = []
            for url in urls:
                try:
                    answers.append((await http.get(url)).status_code == 200)
                except httpx.HTTPError:
                    answers.append(False)
            if all(answers):
                return
            await asyncio.sleep(0.5)
    raise RuntimeError(f"{proc.name} did not come up in {STARTUP_TIMEOUT_S:.0f}s\n{fleet.tails()}")


@contextlib.asynccontextmanager
async def run_fleet(kafka_bootstrap: str, options: Options) -> AsyncIterator[Fleet]:
    """Every service up (every replica live) behind `options.gateways` gateway apis; all stopped on exit."""
    fleet = Fleet(options)
    if options.database:
        await provision_database(options.database)
    fleet.settings = {name: service_settings(name, options.database) for name in SERVICES}
    for name, s in fleet.settings.items():
        await asyncio.to_thread(migrate, name, s)
        await retire_stale_outbox_rows(s)
    prefix = fleet.settings["gateway"].topic_prefix
    topics = [f"{prefix}{t}" for t in ALL_TOPICS]
    await create_topics(kafka_bootstrap, topics)
    ports = {name: free_port() for name in SERVICES}
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    extra = _extra(options, urls)
    # Each process's liveness port, known before any starts: the gateway's /health asks every replica's.
    metrics = {name: [free_port() for _ in range(_process_count(options, name))] for name in SERVICES}
    extra["gateway"]["PROCESS_HEALTH_URLS"] = json.dumps(_process_health_urls(options, metrics))
    try:
        for name in SERVICES:
            env = process_env(
                fleet.settings[name], LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", INTERNAL_AUTH_ENABLED="false"
            )
            env.update(extra[name])
            env.update(options.env.get(name, {}))
            apis = options.gateways if name == "gateway" else 1
            for index in range(_process_count(options, name)):
                roles: tuple[str, ...] = ("consumer", "worker")
                port = None
                if index < apis:
                    roles = ("api", *roles)
                    port = ports[name] if index == 0 else free_port()
                    if name == "gateway":
                        fleet.gateway_urls.append(f"http://127.0.0.1:{port}")
                await fleet.spawn(f"{name}-{index + 1}", name, roles, env, port, metrics[name][index])
        for proc in fleet.procs:
            await _wait_until_up(fleet, proc)
        yield fleet
    except BaseException:
        print(fleet.tails())
        raise
    finally:
        await fleet.stop()
        await delete_topics(kafka_bootstrap, topics)

"""One process, several roles: a service's api, consumer and outbox worker in one event loop.

`python -m kit.roles <service>` runs the roles SERVICE_ROLES names (default `api,consumer,worker`). The local
stack runs every service this way: one interpreter per service instead of three saves most of the memory and
start-up time (each interpreter imports the same kit, SQLAlchemy, aiokafka and FastAPI). Compose and Kubernetes
run each role as its own process (`uvicorn <svc>.main:app`, `python -m <svc>.consumers`, `arq
<svc>.worker.WorkerSettings`); the roles here are those same objects: the service's app, a `kit.kafka.Consumer`
over its `consumers.HANDLERS`, an arq `Worker` built from its `worker.WorkerSettings`.

With METRICS_PORT set, the process serves on that port: `/metrics` (all roles: one registry per process),
`/health` (alive only while every role is; each role's details under `roles`) and `/<role>/health` (that role
alone, the URL the gateway's aggregated health asks). A role that ends while the process is meant to run is
reported dead there, and the process keeps running so the reason can be read: the probe is what restarts it
(the devstack supervisor, or a Kubernetes liveness probe).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import make_server

import structlog
from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from kit.liveness import HEALTH_PATH, Probe, StartResponse, _QuietHandler
from kit.settings import ServiceSettings

log = structlog.get_logger("kit.roles")

ROLES = ("api", "consumer", "worker")
# As `uvicorn --timeout-graceful-shutdown 10`: a live notification stream never ends by itself.
API_GRACEFUL_S = 10
# A record in flight or a running job finishes within this; past it the process stops anyway.
STOP_GRACE_S = 15.0


def parse_roles(value: str) -> tuple[str, ...]:
    """`api,consumer` → ("api", "consumer"); an unknown or empty list is refused with the known names."""
    roles = tuple(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise ValueError(f"SERVICE_ROLES must name some of {', '.join(ROLES)}; got {value!r}")
    return roles


@dataclass
class Role:
    """One running role: its task and its liveness probe (which sees the task)."""

    name: str
    task: asyncio.Task[None]
    probe: Probe
    stop: Callable[[], Any]
    # Tasks the stop started that must end before the process does (the worker's close).
    closing: list[asyncio.Task[None]] = field(default_factory=list)


class _EmbeddedServer:
    """uvicorn's server without its signal capture: the process's signals belong to `run_roles`, which stops
    every role, not only the api (uvicorn would also re-raise the signal after its own shutdown)."""

    def __init__(self, app_path: str, settings: ServiceSettings) -> None:
        import uvicorn

        from kit.server import OneWriteHttpProtocol

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Generator[None]:
                yield

        self.server = Server(
            uvicorn.Config(
                app_path,
                host=settings.host,
                port=settings.port,
                http=OneWriteHttpProtocol,
                timeout_graceful_shutdown=API_GRACEFUL_S,
            )
        )

    def liveness(self, task: asyncio.Task[None], service: str) -> tuple[bool, dict[str, Any]]:
        details: dict[str, Any] = {"role": "api", "service": service}
        if task.done():
            return False, {**details, "reason": "the api server has stopped"}
        if not self.server.started:
            return False, {**details, "reason": "starting: the api does not answer yet"}
        return True, details


async def _start_api(package: str, settings: ServiceSettings) -> Role:
    server = _EmbeddedServer(f"{package}.main:app", settings)
    task = asyncio.create_task(server.server.serve(), name="api")
    # The api answers before the other roles import their modules and connect: on a busy machine the first
    # request then waits for the api's own start-up only.
    while not (server.server.started or task.done()):
        await asyncio.sleep(0.05)

    def stop() -> None:
        server.server.should_exit = True

    return Role("api", task, lambda: server.liveness(task, settings.service_name), stop)


async def _start_consumer(package: str, settings: ServiceSettings) -> Role:
    from kit.db import make_engine, make_sessionmaker
    from kit.kafka import CONSUMER_STALL_S, Consumer

    module = importlib.import_module(f"{package}.consumers")
    # HANDLERS, or `make_handlers(settings)` where the handlers need resources built from the settings.
    handlers = getattr(module, "HANDLERS", None)
    if handlers is None and hasattr(module, "make_handlers"):
        handlers = module.make_handlers(settings)
    if handlers is None:
        # The service consumes in its api (analytics with its embedded engine: one process may open the data
        # directory): its app publishes the probe as `app.state.consumer_liveness` once it runs.
        app = importlib.import_module(f"{package}.main").app

        async def wait() -> None:
            await asyncio.Event().wait()

        idle = asyncio.create_task(wait(), name="consumer")

        def embedded() -> tuple[bool, dict[str, Any]]:
            probe: Probe | None = getattr(app.state, "consumer_liveness", None)
            if probe is None:
                return False, {"role": "consumer", "service": settings.service_name, "reason": "starting"}
            return probe()

        return Role("consumer", idle, embedded, idle.cancel)
    engine = make_engine(settings.database_url, settings.schema_name, pool_size=5)
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    consumer = Consumer(settings, sessions, handlers, list(module.TOPICS))

    async def run() -> None:
        try:
            await consumer.run()
        finally:
            await engine.dispose()

    task = asyncio.create_task(run(), name="consumer")
    return Role("consumer", task, lambda: consumer.liveness(task, stall_s=CONSUMER_STALL_S), consumer.stopping.set)


async def _start_worker(package: str, settings: ServiceSettings) -> Role:
    from arq.worker import create_worker

    from kit.worker import worker_liveness

    worker_settings = importlib.import_module(f"{package}.worker").WorkerSettings
    # `embedded`: the process serves the metrics port for all roles (kit.worker would open its own).
    worker = create_worker(worker_settings, handle_signals=False, ctx={"embedded": True})
    task = asyncio.create_task(worker.main(), name="worker")
    worker.main_task = task

    def stop() -> None:
        # arq's close cancels the poll loop, waits for running jobs and runs on_shutdown (the relay's stop).
        role.closing.append(asyncio.create_task(worker.close()))

    role = Role("worker", task, lambda: worker_liveness(settings, worker.ctx), stop)
    return role


STARTERS = {"api": _start_api, "consumer": _start_consumer, "worker": _start_worker}


def combined_liveness(roles: Iterable[Role]) -> tuple[bool, dict[str, Any]]:
    """Alive while every role is; each role's answer under `roles` (a failed probe counts as dead)."""
    answers: dict[str, dict[str, Any]] = {}
    for role in roles:
        answers[role.name] = role_answer(role)
    dead = [name for name, answer in answers.items() if not answer["alive"]]
    details: dict[str, Any] = {"roles": answers}
    if dead:
        details["reason"] = "; ".join(f"{name}: {answers[name].get('reason', 'down')}" for name in dead)
    return not dead, details


def role_answer(role: Role) -> dict[str, Any]:
    try:
        alive, details = role.probe()
    except Exception as exc:  # a probe that fails says so instead of failing the whole answer
        alive, details = False, {"role": role.name, "reason": f"probe failed: {type(exc).__name__}"}
    return {"alive": alive, **details}


def roles_metrics_app(roles: list[Role]) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """`/health`: every role; `/<role>/health`: one role; any other path: the process's metrics."""
    metrics = make_wsgi_app()
    by_path = {f"/{role.name}{HEALTH_PATH}": role for role in roles}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == HEALTH_PATH:
            alive, details = combined_liveness(roles)
            body: dict[str, Any] = {"alive": alive, **details}
        elif path in by_path:
            body = role_answer(by_path[path])
        else:
            return metrics(environ, start_response)  # type: ignore[no-any-return]
        encoded = json.dumps(body).encode()
        status = "200 OK" if body["alive"] else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(encoded)))])
        return [encoded]

    return app


async def run_roles(package: str, settings: ServiceSettings, roles: tuple[str, ...]) -> None:
    """Start the roles (the api first), serve their liveness, and stop them all on SIGINT/SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    running = [await STARTERS[name](package, settings) for name in sorted(roles, key=ROLES.index)]
    server = None
    if settings.metrics_port:
        server = make_server(
            settings.host,
            settings.metrics_port,
            roles_metrics_app(running),
            ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    log.info("roles.started", service=settings.service_name, roles=list(roles))
    for role in running:
        role.task.add_done_callback(_report_end(role, stopping))
    await stopping.wait()
    for role in running:
        role.stop()
    tasks = [role.task for role in running] + [t for role in running for t in role.closing]
    _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S + API_GRACEFUL_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        log.warning("roles.forced_stop", roles=[t.get_name() for t in pending])
    if server is not None:
        server.shutdown()


def _report_end(role: Role, stopping: asyncio.Event) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        if stopping.is_set() or task.cancelled():
            return
        # The liveness probe reports it from now on; the process stays up so the reason can be read.
        exc = task.exception()
        log.error("roles.role_ended", role=role.name, error=repr(exc) if exc else None, exc_info=exc)

    return done


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m kit.roles <service package>  (roles from SERVICE_ROLES)")
    package = args[0]
    try:
        roles = parse_roles(os.environ.get("SERVICE_ROLES", ",".join(ROLES)))
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    settings = importlib.import_module(f"{package}.settings").Settings()
    asyncio.run(run_roles(package, settings, roles))


if __name__ == "__main__":
    main()

"""`devstack up`: infrastructure plus every application process under one asyncio supervisor.

Each process runs in its own process group (so Ctrl-C reaches only the supervisor, which then stops
things in order), its output is prefixed `name │ ` in a stable colour and copied to .local/logs/.
A long-running process that exits is restarted with exponential backoff (`RestartPolicy`); after too many
quick crashes in a row it is left down and reported loudly. Every process's state, restarts and last exit
are kept in `.local/run/app-<name>.json`, which `devstack status` reads, so a process that is down still
has its row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import httpx

from devstack import migrations, web
from devstack.component import Origin, Status
from devstack.config import (
    KEYCLOAK_CLIENT_ID,
    KEYCLOAK_REALM,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    SERVICES,
    WEB_PORT,
    Config,
    metrics_port,
)
from devstack.keycloak import dev_users
from devstack.proc import DevstackError, log, pid_alive, port_open, read_pid, rss_bytes, signal_group, stop_pid
from devstack.prometheus import Prometheus
from devstack.stack import components, start_infra, stop_infra
from devstack.stripe_mock import LOCAL_STRIPE_WEBHOOK_SECRET, STRIPE_MOCK_KEY

APP_PREFIX = "app-"
_COLOURS = (31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96)
_NAME_WIDTH = 22
# Time for every HTTP process to answer after spawn (first imports and migrations included).
HEALTH_TIMEOUT = 180.0
ROLES = ("api", "consumer", "worker")
# The kit's uvicorn protocol (an answer's head and body in one write), as the images and the chart run the apis.
API_HTTP_PROTOCOL = "kit.server:OneWriteHttpProtocol"


def split_roles() -> bool:
    """DEVSTACK_SPLIT=1 runs each role of a service as its own process, as compose and Kubernetes do; by default
    one process per service runs all three (kit.roles): a third of the interpreters, memory and start-up."""
    return os.environ.get("DEVSTACK_SPLIT", "") not in ("", "0")


# Replicas (REPLICAS=3 make up): every consumer and outbox worker runs that many processes, each a member of
# its service's consumer group (the relay's advisory lock lets one publish at a time, the others wait on it);
# the gateway's api runs GATEWAY_API_REPLICAS of them when replicated, its second on its own port (the web app
# keeps the first: a round-robin in front would be a proxy of our own). Other apis stay single unless asked.
GATEWAY_API_REPLICAS = 2
# Replica i > 0 of an api answers on its port + API_REPLICA_STEP * i (8101, 8201, ...), of a metrics/liveness
# port on that port + METRICS_REPLICA_STEP * i (10101, 11101, ...): clear of every port CONVENTIONS.md fixes.
API_REPLICA_STEP = 100
METRICS_REPLICA_STEP = 1000


def _count(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise DevstackError(f"{name} must be a whole number of at least 1; got {value!r}")
    return int(value)


def replica_count(svc: str, role: str) -> int:
    """How many processes run svc's role: REPLICAS_<SVC>_<ROLE>, else REPLICAS_<SVC>, else REPLICAS (apis: only
    the gateway's, at most GATEWAY_API_REPLICAS), else 1."""
    key = svc.upper()
    for name in (f"REPLICAS_{key}_{role.upper()}", f"REPLICAS_{key}"):
        if (count := _count(name)) is not None:
            return count
    fleet = _count("REPLICAS") or 1
    if role == "api":
        return min(fleet, GATEWAY_API_REPLICAS) if svc == "gateway" else 1
    return fleet


def replica_port(port: int, index: int, *, api: bool) -> int:
    """The port replica `index` (0 = the first, on the conventional port) of a process answers on."""
    return port + index * (API_REPLICA_STEP if api else METRICS_REPLICA_STEP)


def replica_name(name: str, index: int) -> str:
    return name if index == 0 else f"{name}-{index + 1}"


def process_health_urls() -> dict[str, str | list[str]]:
    """Where the gateway's /health asks each role of each service: one URL, or one per replica."""
    urls: dict[str, str | list[str]] = {}
    for svc in SERVICES:
        for role in ("consumer", "worker"):
            replicas = [
                f"http://127.0.0.1:{replica_port(metrics_port(svc, role), i, api=False)}"
                if split_roles()
                else f"http://127.0.0.1:{replica_port(metrics_port(svc, 'consumer'), i, api=False)}/{role}"
                for i in range(replica_count(svc, role))
            ]
            urls[f"{svc}-{role}"] = replicas[0] if len(replicas) == 1 else replicas
        # An api replica answers liveness on its metrics port only as part of a combined process (split, an api is
        # a bare uvicorn whose /health is the aggregated one: asking it would ask every gateway in turn).
        apis = replica_count(svc, "api")
        if apis > 1 and not split_roles():
            urls[f"{svc}-api"] = [
                f"http://127.0.0.1:{replica_port(metrics_port(svc, 'consumer'), i, api=False)}/api" for i in range(apis)
            ]
    return urls


def service_env(cfg: Config, svc: str) -> dict[str, str]:
    """The environment CONVENTIONS.md gives every process of svc in `make up`."""
    p = cfg.ports
    env = {
        "SERVICE_ENV": "dev",
        "PORT": str(SERVICES[svc]),
        "DATABASE_URL": f"postgresql+asyncpg://{svc}:{svc}-dev@127.0.0.1:{p.postgres}/aivi",
        "DB_SCHEMA": svc,
        "KAFKA_BOOTSTRAP": f"127.0.0.1:{p.kafka}",
        "TOPIC_PREFIX": "",
        "REDIS_URL": f"redis://127.0.0.1:{p.redis}/0",
        "INTERNAL_TOKEN": cfg.internal_token(),
        "INTERNAL_AUTH_ENABLED": "true" if svc == "gateway" else "false",
        "KEYCLOAK_URL": f"http://127.0.0.1:{p.keycloak}",
        "KEYCLOAK_REALM": KEYCLOAK_REALM,
        "KEYCLOAK_CLIENT_ID": KEYCLOAK_CLIENT_ID,
        "S3_ENDPOINT": f"http://127.0.0.1:{p.s3}",
        "S3_ACCESS_KEY": S3_ACCESS_KEY,
        "S3_SECRET_KEY": S3_SECRET_KEY,
        "S3_BUCKET_PREFIX": "",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(p.smtp),
        "OTLP_ENDPOINT": "",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Output reaches the supervisor line by line rather than in 8 KiB blocks.
        "PYTHONUNBUFFERED": "1",
    }
    env.update({f"{other.upper()}_URL": f"http://127.0.0.1:{port}" for other, port in SERVICES.items()})
    if svc == "gateway":
        # Keycloak sends the browser back to the web app, which is also the only origin CORS admits.
        env["WEB_ORIGIN"] = f"http://127.0.0.1:{WEB_PORT}"
        # The aggregated /health asks every consumer and worker for its liveness, lag and outbox backlog: a
        # process of its own answers on its metrics port, a role of a combined process under /<role> there.
        # With replicas it asks each one (a list of URLs per role), and each replica of a replicated gateway api.
        env["PROCESS_HEALTH_URLS"] = json.dumps(process_health_urls())
    if svc == "notifications":
        # Webhook receivers run on this machine in the local stack, over plain http.
        env["WEBHOOKS_ALLOW_INSECURE_LOOPBACK"] = "true"
    if svc == "billing":
        # The real Stripe SDK path against the local stripe-mock: checkout and portal work, and webhooks
        # signed with this local secret (as the tests and bench sign them) are accepted.
        env["WEB_URL"] = f"http://127.0.0.1:{WEB_PORT}"
        env["STRIPE_SECRET_KEY"] = STRIPE_MOCK_KEY
        env["STRIPE_API_BASE"] = f"http://127.0.0.1:{p.stripe_mock}"
        env["STRIPE_WEBHOOK_SECRETS"] = LOCAL_STRIPE_WEBHOOK_SECRET
    return env


@dataclass
class AppSpec:
    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    # Where the process runs; the repository root when None.
    cwd: Path | None = None
    # Asked by `devstack status` (200 = healthy) instead of only checking that the port is open, and watched
    # by the supervisor while the process runs (a process whose liveness fails is restarted).
    health_path: str = ""
    # Where health_path answers when it is not `port` (a combined process answers on its metrics port).
    health_port: int | None = None
    # The roles the process runs (api, consumer, worker); more than one for a combined process.
    roles: tuple[str, ...] = ()


def _venv_bin(tool: str) -> str:
    """A console script of the workspace venv that runs this supervisor."""
    return str(Path(sys.executable).parent / tool)


def _has_module(package_dir: Path, module: str) -> bool:
    return (package_dir / f"{module}.py").is_file() or (package_dir / module / "__init__.py").is_file()


def plan_service(cfg: Config, svc: str) -> tuple[list[str] | None, list[AppSpec]]:
    """The migration command (if the service has alembic.ini) and the processes that exist for svc."""
    service_dir = cfg.root / "services" / svc
    package = service_dir / svc
    env = service_env(cfg, svc)
    migrate = None
    if (service_dir / "alembic.ini").is_file():
        migrate = [sys.executable, "-m", "alembic", "-c", str(service_dir / "alembic.ini"), "upgrade", "heads"]
    specs = []
    roles = tuple(
        r for r, module in zip(ROLES, ("main", "consumers", "worker"), strict=True) if _has_module(package, module)
    )
    counts = {role: replica_count(svc, role) for role in roles}
    if not split_roles() and roles:
        # One process per service: its metrics port (the consumer's 91xx) serves /health for every role. With
        # replicas, process i runs the roles that have more than i replicas (the first runs them all).
        for index in range(max(counts.values())):
            mine = tuple(role for role in roles if counts[role] > index)
            port = replica_port(metrics_port(svc, "consumer"), index, api=False)
            role_env = {**env, "METRICS_PORT": str(port), "SERVICE_ROLES": ",".join(mine)}
            api_port = port
            if "api" in mine:
                api_port = replica_port(SERVICES[svc], index, api=True)
                role_env["PORT"] = str(api_port)
            cmd = [sys.executable, "-m", "kit.roles", svc]
            specs.append(
                AppSpec(
                    replica_name(svc, index),
                    cmd,
                    role_env,
                    api_port,
                    health_path="/health",
                    health_port=port,
                    roles=mine,
                )
            )
        return migrate, specs
    for index in range(counts.get("api", 0)):
        port = replica_port(SERVICES[svc], index, api=True)
        specs.append(
            AppSpec(
                replica_name(f"{svc}-api", index),
                # A stop waits at most 10 s for open requests: a live notification stream never ends by itself.
                [
                    _venv_bin("uvicorn"),
                    f"{svc}.main:app",
                    *("--host", "127.0.0.1", "--port", str(port)),
                    *("--http", API_HTTP_PROTOCOL),
                    *("--timeout-graceful-shutdown", "10"),
                ],
                {**env, "PORT": str(port)},
                port,
                roles=("api",),
            )
        )
    for role, cmd in (
        ("consumer", [sys.executable, "-m", f"{svc}.consumers"]),
        ("worker", [_venv_bin("arq"), f"{svc}.worker.WorkerSettings"]),
    ):
        for index in range(counts.get(role, 0)):
            port = replica_port(metrics_port(svc, role), index, api=False)
            specs.append(
                AppSpec(
                    replica_name(f"{svc}-{role}", index),
                    cmd,
                    {**env, "METRICS_PORT": str(port)},
                    port,
                    health_path="/health",
                    roles=(role,),
                )
            )
    return migrate, specs


def web_env(cfg: Config) -> dict[str, str]:
    """The web app's environment: the gateway it calls (read at request time) and its production build dir."""
    p = cfg.ports
    gateway = f"http://127.0.0.1:{SERVICES['gateway']}"
    return {
        "PORT": str(WEB_PORT),
        "HOSTNAME": "127.0.0.1",
        "GATEWAY_URL": gateway,
        "API_URL": gateway,
        "NEXT_TELEMETRY_DISABLED": "1",
        "NEXT_DIST_DIR": web.DIST_DIR,
        "NEXT_PUBLIC_API_URL": gateway,
        "NEXT_PUBLIC_KEYCLOAK_URL": f"http://127.0.0.1:{p.keycloak}",
        "NEXT_PUBLIC_KEYCLOAK_REALM": KEYCLOAK_REALM,
        "NEXT_PUBLIC_KEYCLOAK_CLIENT_ID": KEYCLOAK_CLIENT_ID,
    }


def plan_web(cfg: Config) -> tuple[list[AppSpec], AppSpec | None]:
    """The steps to run to the end first (install, build) and the production server of web/, if it exists.

    `npm ci` when node_modules is missing or older than package-lock.json; `npm run build` when there is no
    complete build or a source/config file changed since; then `npm run start` on 127.0.0.1:3000.
    """
    root = cfg.root / "web"
    if not (root / "package.json").is_file():
        return [], None
    npm = shutil.which("npm")
    if npm is None:
        raise DevstackError("web/package.json exists but npm is missing: apt-get install -y nodejs npm")
    env = web_env(cfg)
    steps = []
    if web.install_needed(root):
        install = "ci" if (root / "package-lock.json").is_file() else "install"
        steps.append(AppSpec("web-install", [npm, install, "--no-audit", "--no-fund"], env, cwd=root))
    if steps or web.build_needed(root):
        steps.append(AppSpec("web-build", [npm, "run", "build"], env, cwd=root))
    serve = [npm, "run", "start", "--", "--hostname", "127.0.0.1", "--port", str(WEB_PORT)]
    return steps, AppSpec("web", serve, env, WEB_PORT, cwd=root)


def _app_pid_file(cfg: Config, name: str) -> Path:
    return cfg.pid_file(APP_PREFIX + name)


def _state_file(cfg: Config, name: str) -> Path:
    return cfg.run / f"{APP_PREFIX}{name}.json"


# A process's life under the supervisor. `given-up` and `failed` stay down until the next `up`.
STARTING, RUNNING, BACKOFF, GIVEN_UP, FAILED, DONE, STOPPED = (
    "starting",
    "running",
    "backoff",
    "given-up",
    "failed",
    "done",
    "stopped",
)


@dataclass
class AppState:
    """What `devstack status` shows of one process, written on every change of state."""

    name: str
    port: int = 0
    state: str = STARTING
    pid: int | None = None
    restarts: int = 0
    # Exits in a row that came before the run counted as stable (RestartPolicy.stable_after_s).
    quick_exits: int = 0
    last_exit: int | None = None
    last_exit_at: float | None = None
    supervisor: int = field(default_factory=os.getpid)
    health_path: str = ""
    health_port: int = 0
    roles: list[str] = field(default_factory=list)
    # When the liveness watcher first saw the current process answer 200: only from then on do failed probes
    # count towards a restart (a process that dies while starting is told by its exit instead).
    live_since: float | None = None

    def save(self, cfg: Config) -> None:
        path = _state_file(cfg, self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> AppState | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def _reason(response: httpx.Response) -> str:
    """The `reason` of a kit liveness answer, else its status."""
    try:
        reason = response.json().get("reason")
    except (ValueError, AttributeError):
        reason = None
    return reason if isinstance(reason, str) else f"HTTP {response.status_code}"


def _last_exit(state: AppState) -> str:
    if state.last_exit is None or state.last_exit_at is None:
        return ""
    at = time.strftime("%H:%M:%S", time.localtime(state.last_exit_at))
    return f"code {state.last_exit} at {at}"


def _answers(state: AppState, path: str | None = None) -> bool:
    if not state.port:
        return True
    if not state.health_path:
        return port_open(state.port)
    port = state.health_port or state.port
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path or state.health_path}", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def app_status(cfg: Config) -> list[Status]:
    """One row per process the last `up` ran, down or given up included."""
    rows = []
    for path in sorted(cfg.run.glob(f"{APP_PREFIX}*.json")):
        state = AppState.load(path)
        if state is None:
            continue
        pid = state.pid if state.pid is not None and pid_alive(state.pid) else None
        label = state.state
        if label in (STARTING, RUNNING, BACKOFF) and not pid_alive(state.supervisor):
            # The supervisor was killed: nothing will restart or stop this process any more.
            label = "orphaned" if pid is not None else "lost"
        elif label in (STARTING, RUNNING) and pid is None:
            label = "exited"
        rows.append(
            Status(
                name=state.name,
                running=pid is not None,
                pid=pid,
                port=state.port,
                healthy=pid is not None and _answers(state),
                url=f"http://127.0.0.1:{state.port}" if state.port else "",
                rss=rss_bytes(pid) if pid else 0,
                state=label,
                restarts=state.restarts,
                last_exit=_last_exit(state),
            )
        )
        if len(state.roles) > 1:
            # A combined process: one row per role, its health from the role's own probe (memory is the process's).
            for role in state.roles:
                port = state.port if role == "api" else state.health_port
                rows.append(
                    Status(
                        name=f"  {state.name}/{role}",
                        running=pid is not None,
                        pid=pid,
                        port=port,
                        healthy=pid is not None and _answers(state, f"/{role}/health"),
                        url=f"http://127.0.0.1:{port}" if role == "api" else f"http://127.0.0.1:{port}/{role}/health",
                        rss=0,
                        state="role",
                    )
                )
    return rows


def forget_stale_states(cfg: Config) -> None:
    """Drop the rows of an earlier `up` whose supervisor is gone (a new `up` starts a fresh table)."""
    for path in cfg.run.glob(f"{APP_PREFIX}*.json"):
        state = AppState.load(path)
        if state is None or not pid_alive(state.supervisor):
            path.unlink(missing_ok=True)


def stop_recorded_apps(cfg: Config) -> None:
    """Stop app processes recorded in pid files (an `up` that died without cleaning up)."""
    for pid_file in sorted(cfg.run.glob(f"{APP_PREFIX}*.pid")):
        pid = read_pid(pid_file)
        if pid is not None:
            stop_pid(pid, timeout=10.0)
            log(f"{pid_file.stem.removeprefix(APP_PREFIX)}: stopped")
        pid_file.unlink(missing_ok=True)
    for path in cfg.run.glob(f"{APP_PREFIX}*.json"):
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class RestartPolicy:
    """How a long-running process that exited comes back.

    The n-th quick exit in a row waits first_delay_s * 2**(n-1), at most max_delay_s, then restarts; a run
    that lasted stable_after_s starts the count again; the give_up_after-th quick exit in a row leaves the
    process down (a crash loop that backoff cannot cure needs a person, not a restart every 30 s forever).
    """

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    stable_after_s: float = 60.0
    give_up_after: int = 8
    # Liveness (a process with a health_path): asked every probe_every_s once it first answered 200; after
    # probe_failures failed answers in a row the process is stopped, and restarted as after any exit.
    probe_every_s: float = 5.0
    probe_failures: int = 3

    def delay(self, quick_exits: int) -> float:
        return float(min(self.first_delay_s * 2 ** max(quick_exits - 1, 0), self.max_delay_s))


class Supervisor:
    def __init__(
        self,
        cfg: Config,
        started_infra: set[str],
        t0: float,
        *,
        policy: RestartPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cfg = cfg
        self.started_infra = started_infra
        self.t0 = t0
        self.policy = policy or RestartPolicy()
        self.clock = clock
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.specs: dict[str, AppSpec] = {}
        # Seconds from `up` until every service's api answered (the web app may still be building).
        self.apis_ready_s: float | None = None
        self.states: dict[str, AppState] = {}
        self.stopping = asyncio.Event()
        self.signals = 0
        self.colour = sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))
        self.failed: list[str] = []

    def _prefix(self, name: str) -> str:
        label = f"{name:<{_NAME_WIDTH}}│ "
        if not self.colour:
            return label
        code = _COLOURS[zlib.crc32(name.encode()) % len(_COLOURS)]
        return f"\x1b[{code}m{label}\x1b[0m"

    def say(self, name: str, line: str) -> None:
        print(self._prefix(name) + line, flush=True)

    def _on_signal(self) -> None:
        self.signals += 1
        if self.signals == 1:
            self.say("devstack", "stopping (Ctrl-C again to kill)")
            self.stopping.set()
        else:
            # No waiting here: signal everything at once, forget the pid files, leave.
            self.say("devstack", "killing")
            for name, proc in self.procs.items():
                if proc.returncode is None:
                    signal_group(proc.pid, signal.SIGKILL)
                _app_pid_file(self.cfg, name).unlink(missing_ok=True)
            for comp in components(self.cfg):
                if comp.name in self.started_infra and (pid := comp.pid()) is not None:
                    signal_group(pid, signal.SIGKILL)
                    comp.pid_file.unlink(missing_ok=True)
            os._exit(130)

    async def _pump(self, name: str, proc: asyncio.subprocess.Process, log_file: IO[bytes]) -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            log_file.write(raw)
            log_file.flush()
            self.say(name, raw.decode(errors="replace").rstrip())

    def _state(self, spec: AppSpec) -> AppState:
        if spec.name not in self.states:
            self.states[spec.name] = AppState(
                spec.name,
                port=spec.port or 0,
                health_path=spec.health_path,
                health_port=spec.health_port or 0,
                roles=list(spec.roles),
            )
        return self.states[spec.name]

    async def _spawn(self, spec: AppSpec) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            *spec.cmd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **spec.env},
            cwd=spec.cwd or self.cfg.root,
            start_new_session=True,
        )
        self.procs[spec.name] = proc
        self.specs[spec.name] = spec
        _app_pid_file(self.cfg, spec.name).write_text(f"{proc.pid} {spec.port or 0}\n")
        return proc

    async def _run_once(self, spec: AppSpec, state: AppState) -> int:
        """Run spec until it exits, streaming its output and keeping its state file; returns its exit code."""
        self.cfg.ensure_dirs()
        with self.cfg.log_file(spec.name).open("ab") as log_file:
            proc = await self._spawn(spec)
            state.pid, state.state, state.live_since = proc.pid, RUNNING, None
            state.save(self.cfg)
            watch = asyncio.create_task(self._watch_liveness(spec, proc)) if spec.health_path else None
            try:
                await self._pump(spec.name, proc, log_file)
                code = await proc.wait()
            finally:
                if watch is not None:
                    watch.cancel()
                    await asyncio.gather(watch, return_exceptions=True)
        _app_pid_file(self.cfg, spec.name).unlink(missing_ok=True)
        state.pid, state.last_exit, state.last_exit_at = None, code, time.time()
        return code

    async def _watch_liveness(self, spec: AppSpec, proc: asyncio.subprocess.Process) -> None:
        """Stop proc once its liveness probe, after answering 200 once, fails `probe_failures` times in a row (a
        dead consume loop or relay in a process that still runs); the exit then restarts it by the policy."""
        url = f"http://127.0.0.1:{spec.health_port or spec.port}{spec.health_path}"
        alive_once, failures = False, 0
        async with httpx.AsyncClient(timeout=2.0) as client:
            while proc.returncode is None:
                await asyncio.sleep(self.policy.probe_every_s)
                reason = ""
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        reason = _reason(response)
                except httpx.HTTPError as exc:
                    reason = f"no answer ({type(exc).__name__})"
                if not reason:
                    if not alive_once:
                        self.states[spec.name].live_since = time.time()
                    alive_once, failures = True, 0
                    continue
                if not alive_once:
                    continue  # still starting: the exit, not the probe, tells a process that never came up
                failures += 1
                if failures >= self.policy.probe_failures:
                    self.say(spec.name, f"liveness failed {failures} times in a row ({reason}); stopping it to restart")
                    await self._stop(spec.name, proc)
                    return

    async def run_to_end(self, spec: AppSpec) -> int:
        """Run a one-shot step (migrations, npm install or build); returns its exit code."""
        state = self._state(spec)
        code = await self._run_once(spec, state)
        if self.stopping.is_set():
            state.state = STOPPED
        elif code != 0:
            state.state = FAILED
            self.failed.append(spec.name)
            self.say(spec.name, f"exited with code {code} (failed)")
        else:
            state.state = DONE
        state.save(self.cfg)
        return code

    async def supervise(self, spec: AppSpec) -> int:
        """Run a long-running process, restarting it after every exit by `self.policy` until the stack stops or
        the policy gives up; returns the last exit code."""
        state = self._state(spec)
        code = 0
        while not self.stopping.is_set():
            started = self.clock()
            code = await self._run_once(spec, state)
            if self.stopping.is_set():
                break
            # Any exit of a server is a crash, 0 included: nothing here is meant to end while the stack runs.
            state.quick_exits = 1 if self.clock() - started >= self.policy.stable_after_s else state.quick_exits + 1
            if state.quick_exits >= self.policy.give_up_after:
                state.state = GIVEN_UP
                state.save(self.cfg)
                self.failed.append(spec.name)
                self.say(
                    spec.name,
                    f"GAVE UP: exited with code {code}, {state.quick_exits} quick exits in a row; left down "
                    f"(see {self.cfg.log_file(spec.name)}; `make status` lists it)",
                )
                return code
            delay = self.policy.delay(state.quick_exits)
            state.state = BACKOFF
            state.save(self.cfg)
            self.say(
                spec.name,
                f"exited with code {code}; restarting in {delay:g}s "
                f"(exit {state.quick_exits} of {self.policy.give_up_after} before giving up)",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
            if not self.stopping.is_set():
                state.restarts += 1
        state.state = STOPPED
        state.save(self.cfg)
        return code

    async def launch_service(self, svc: str) -> list[asyncio.Task[int]]:
        """Migrate, then spawn svc's processes; returns the tasks that run them."""
        migrate, specs = plan_service(self.cfg, svc)
        if migrate is None and not specs:
            self.say(svc, f"skipped: services/{svc} has no alembic.ini, main, consumers or worker yet")
            return []
        env = service_env(self.cfg, svc)
        if migrate is not None and await migrations.is_current(
            self.cfg.root / "services" / svc, env["DATABASE_URL"].replace("+asyncpg", ""), env["DB_SCHEMA"]
        ):
            migrate = None
        if migrate is not None:
            code = await self.run_to_end(AppSpec(f"{svc}-migrate", migrate, env))
            if code != 0:
                self.say(svc, "migrations failed: its processes are not started")
                return []
        return [asyncio.create_task(self.supervise(spec)) for spec in specs if not self.stopping.is_set()]

    async def launch_web(self) -> list[asyncio.Task[int]]:
        steps, spec = plan_web(self.cfg)
        if spec is None:
            self.say("web", "skipped: web/package.json does not exist yet")
            return []
        for step in steps:
            if self.stopping.is_set() or await self.run_to_end(step) != 0:
                return []
        return [] if self.stopping.is_set() else [asyncio.create_task(self.supervise(spec))]

    async def launch_all(self) -> list[asyncio.Task[int]]:
        launches = {svc: self.launch_service(svc) for svc in SERVICES} | {"web": self.launch_web()}
        results = await asyncio.gather(*launches.values(), return_exceptions=True)
        running: list[asyncio.Task[int]] = []
        for name, result in zip(launches, results, strict=True):
            # One service that cannot start (missing tool, bad command) must not take the others down.
            if isinstance(result, BaseException):
                self.say(name, f"not started: {result}")
            else:
                running += result
        return running

    async def wait_healthy(self) -> None:
        """Wait for every HTTP process to answer, then print the URLs, start time and memory."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), httpx.AsyncClient(timeout=2.0) as client:
                while not self.stopping.is_set():
                    pending = [
                        name
                        for name, port in self._http_ports().items()
                        if self.procs[name].returncode is None and not await self._answers(client, port)
                    ]
                    if self.apis_ready_s is None and not any(name != "web" for name in pending):
                        self.apis_ready_s = time.monotonic() - self.t0
                        self.say("devstack", f"APIs healthy in {self.apis_ready_s:.1f}s; {self._service_memory()}")
                    if not pending:
                        break
                    await asyncio.sleep(0.5)
        except TimeoutError:
            self.say("devstack", "some processes did not answer in time; see their logs")
        if not self.stopping.is_set():
            await self.print_summary()

    def _http_ports(self) -> dict[str, int]:
        """The processes that serve an api (the web app included) and their ports."""
        return {
            name: spec.port
            for name, spec in self.specs.items()
            if spec.port is not None and ("api" in spec.roles or name == "web")
        }

    def _service_memory(self) -> str:
        """The services' processes (the web app and infrastructure aside): how many and their RSS together."""
        pids = [proc.pid for name, proc in self.procs.items() if proc.returncode is None and self.specs[name].roles]
        return f"{len(pids)} service processes, {sum(rss_bytes(pid) for pid in pids) / 2**20:.0f} MiB RSS"

    @staticmethod
    async def _answers(client: httpx.AsyncClient, port: int) -> bool:
        try:
            await client.get(f"http://127.0.0.1:{port}/")
        except httpx.HTTPError:
            return False
        return True

    @staticmethod
    async def _docs_url(client: httpx.AsyncClient, svc: str, port: int) -> str:
        """The gateway serves its docs under /api (its public prefix) once it has one; else /docs."""
        candidates = ["/api/docs", "/docs"] if svc == "gateway" else ["/docs"]
        for path in candidates:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}{path}")).status_code == 200:
                    return f"http://127.0.0.1:{port}{path}"
        return f"http://127.0.0.1:{port}{candidates[0]}"

    async def print_summary(self) -> None:
        p = self.cfg.ports
        rows = []
        async with httpx.AsyncClient(timeout=2.0) as client:
            # A combined process is named after its service, an api of its own `<service>-api`.
            serving = set(self._http_ports())
            for svc, port in SERVICES.items():
                if svc in serving or f"{svc}-api" in serving:
                    rows.append((f"{svc} API docs", await self._docs_url(client, svc, port)))
        # Replicas of an api (the second gateway, REPLICAS=3) on their own ports, for load drivers and tests.
        conventional = set(SERVICES.values())
        for name, port in self._http_ports().items():
            if name != "web" and port not in conventional:
                rows.append((f"{name} (api replica)", f"http://127.0.0.1:{port}"))
        if "web" in self.procs:
            rows.append(("web app", f"http://127.0.0.1:{WEB_PORT}"))
        rows += [
            ("Keycloak admin (admin/admin)", f"http://127.0.0.1:{p.keycloak}/admin/"),
            ("Mailpit inbox", f"http://127.0.0.1:{p.mailpit_http}"),
            ("Prometheus (metrics, alerts)", Prometheus(self.cfg).url),
            ("Stripe API (stripe-mock)", f"http://127.0.0.1:{p.stripe_mock}"),
            ("S3 endpoint (aivi/aivi-dev-secret)", f"http://127.0.0.1:{p.s3}"),
            ("PostgreSQL", f"postgresql://127.0.0.1:{p.postgres}/aivi"),
            ("Kafka", f"127.0.0.1:{p.kafka}"),
            ("Redis", f"redis://127.0.0.1:{p.redis}/0"),
        ]
        width = max(len(r[0]) for r in rows)
        for label, url in rows:
            self.say("devstack", f"{label:<{width}}  {url}")
        users = dev_users(self.cfg)
        if users:
            self.say("devstack", "dev users (sign in at the web app; from deploy/keycloak's realm file):")
            for user in users:
                self.say("devstack", f"  {user.role:<10} {user.username} / {user.password}")
        infra_rss = sum(rss_bytes(pid) for c in components(self.cfg) if (pid := c.pid()) is not None)
        app_rss = sum(rss_bytes(proc.pid) for proc in self.procs.values() if proc.returncode is None)
        running = sum(1 for proc in self.procs.values() if proc.returncode is None)
        if self.apis_ready_s is not None:
            self.say("devstack", f"APIs healthy in {self.apis_ready_s:.1f}s; {self._service_memory()} now")
        self.say(
            "devstack",
            f"ready in {time.monotonic() - self.t0:.1f}s; memory (RSS): infrastructure "
            f"{infra_rss / 2**20:.0f} MiB + {running} app processes {app_rss / 2**20:.0f} MiB "
            f"= {(infra_rss + app_rss) / 2**20:.0f} MiB. Ctrl-C stops it all.",
        )

    async def _stop(self, name: str, proc: asyncio.subprocess.Process) -> None:
        """SIGTERM to the process group; SIGKILL if it has not exited 10 s later."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 10.0)
        except TimeoutError:
            self.say(name, "did not stop in 10s, killed")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()

    async def stop_apps(self) -> None:
        alive = [(name, proc) for name, proc in self.procs.items() if proc.returncode is None]
        await asyncio.gather(*(self._stop(n, p) for n, p in alive))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        launch = asyncio.create_task(self.launch_all())
        stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({launch, stop}, return_when=asyncio.FIRST_COMPLETED)
        running: list[asyncio.Task[int]] = []
        health = None
        if launch.done():
            running = launch.result()
            health = asyncio.create_task(self.wait_healthy())
        await stop
        launch.cancel()
        if health is not None:
            health.cancel()
        await asyncio.gather(launch, *([health] if health else []), return_exceptions=True)
        await self.stop_apps()
        await asyncio.gather(*running, return_exceptions=True)
        if self.started_infra:
            await asyncio.to_thread(stop_infra, self.cfg, self.started_infra)
        else:
            self.say("devstack", "infrastructure was running before `up`: left running")
        return 0


def run_up(cfg: Config) -> int:
    t0 = time.monotonic()
    before = {c.name for c in components(cfg) if c.pid() is not None}
    try:
        origins = start_infra(cfg)
    except (KeyboardInterrupt, DevstackError):
        # Leave the machine as we found it: stop what this call started.
        stop_infra(cfg, {c.name for c in components(cfg)} - before)
        raise
    started = {name for name, origin in origins.items() if origin is Origin.STARTED}
    forget_stale_states(cfg)
    return asyncio.run(Supervisor(cfg, started, t0).run())

"""The web app in a real browser, end to end: the production build of web/ (`next start`) in front of the
real gateway, users, interviews, media, analysis, notifications, billing and analytics services (each API under uvicorn
plus its consumer and arq worker as processes) on the test database, test Keycloak realm, test buckets and this
run's topics; e-mail goes to the running Mailpit, whose HTTP API the journey reads. Interviews enforces the plans'
quotas at billing, as shipped (the users service's team seats excepted: see its settings below); billing runs with
online payment disabled (no Stripe key), since a checkout would send the browser off this machine. The LLM and the
transcription API are local stand-ins speaking their real HTTP APIs. Playwright drives Debian's Chromium (fake camera
and microphone) through web/e2e/; it signs in on Keycloak's own page with users created for the run, and registers
there the person HR invites by e-mail. Screenshots of the key screens land in web/test-results/screens/."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from devstack import web
from devstack.config import ALL_TOPICS, KEYCLOAK_CLIENT_ID, KEYCLOAK_TEST_REALM, Ports
from kit.server import HTTP_PROTOCOL
from kit.settings import ServiceSettings
from kit.testing import (
    RUN_ID,
    LoggedProcess,
    alembic_upgrade_apart,
    create_topics,
    delete_topics,
    free_port,
    log_tails,
    process_env,
    retire_stale_outbox_rows,
    settings_for_tests,
    start_logged,
    stop_logged,
)
from standins.llm import LlmStandIn
from standins.transcription import WhisperStandIn

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
LOGS = ROOT / ".local" / "logs" / "test-web"
KEYCLOAK = os.environ.get("KEYCLOAK_URL", f"http://127.0.0.1:{os.environ.get('KEYCLOAK_PORT', '8090')}")
S3 = f"http://127.0.0.1:{os.environ.get('S3_PORT', '9000')}"
# The local stack's Mailpit: SMTP for the notifications service, its HTTP API for the journey.
MAIL_PORTS = Ports()
MAILPIT = f"http://127.0.0.1:{MAIL_PORTS.mailpit_http}"
SERVICES = ("gateway", "users", "interviews", "media", "analysis", "notifications", "billing", "analytics")
STARTUP_TIMEOUT_S = 180.0
PLAYWRIGHT_TIMEOUT_S = 1500.0

pytestmark = [
    pytest.mark.skipif(
        shutil.which("npm") is None or not Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists(),
        reason="the browser journey needs npm and Chromium (.ci/run installs both)",
    ),
    # A production build (minutes on a busy machine) plus the journey: beyond the suite's 900 s default.
    pytest.mark.timeout(2700),
]


@dataclass
class Fleet:
    """Every process this test started, with its log, stopped together."""

    procs: list[LoggedProcess] = field(default_factory=list)

    async def spawn(self, name: str, argv: list[str], env: dict[str, str], cwd: Path = ROOT) -> LoggedProcess:
        proc = await start_logged(name, argv, env=env, cwd=cwd, log=LOGS / f"{name}.log")
        self.procs.append(proc)
        return proc

    async def spawn_service(self, name: str, port: int, env: dict[str, str], prefix: str = "") -> LoggedProcess:
        """A service as deployed: its API under uvicorn with the kit's protocol, and its consumer and worker when it
        has them. Returns the API's process, to wait for."""
        argv = [sys.executable, "-m", "uvicorn", f"{name}.main:app", "--http", HTTP_PROTOCOL]
        api = await self.spawn(f"{prefix}{name}-api", [*argv, "--host", "127.0.0.1", "--port", str(port)], env)
        if has_module(name, "consumers"):
            await self.spawn(f"{prefix}{name}-consumer", [sys.executable, "-m", f"{name}.consumers"], env)
        if has_module(name, "worker"):
            await self.spawn(
                f"{prefix}{name}-worker", [sys.executable, "-m", "arq", f"{name}.worker.WorkerSettings"], env
            )
        return api

    async def stop(self) -> None:
        await stop_logged(self.procs, grace_s=20.0)

    def tails(self, lines: int = 40) -> str:
        return log_tails(self.procs, lines)


async def wait_until_up(fleet: Fleet, proc: LoggedProcess, url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if proc.process.returncode is not None:
                pytest.fail(f"{proc.name} exited with {proc.process.returncode} while starting\n{fleet.tails()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.3)
    pytest.fail(f"{proc.name} did not answer {url} in {STARTUP_TIMEOUT_S:.0f}s\n{fleet.tails()}")


# The production build of web/ (in its own directory, apart from make up's), made once and reused while nothing
# it depends on changed.


def ensure_web_build() -> None:
    env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", "NEXT_DIST_DIR": web.TEST_DIST_DIR}
    LOGS.mkdir(parents=True, exist_ok=True)
    # Two runs must not build into the same directory at once.
    with (ROOT / ".local" / f"web-build{web.TEST_DIST_DIR}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        steps = []
        if web.install_needed(WEB):
            steps.append(["npm", "ci", "--no-audit", "--no-fund"])
        if steps or web.build_needed(WEB, web.TEST_DIST_DIR):
            steps.append(["npm", "run", "build"])
        for argv in steps:
            started = time.monotonic()
            result = subprocess.run(argv, cwd=WEB, env=env, capture_output=True, text=True, check=False)
            (LOGS / "web-build.log").write_text(result.stdout + result.stderr)
            assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
            print(f"web: {' '.join(argv)} took {time.monotonic() - started:.0f}s")


# Keycloak: the web origin of this run on the test realm's client, and users created for the run.


def keycloak_admin() -> KeycloakAdmin:
    connection = KeycloakOpenIDConnection(
        server_url=KEYCLOAK,
        username="admin",
        password="admin",
        realm_name=KEYCLOAK_TEST_REALM,
        user_realm_name="master",
    )
    return KeycloakAdmin(connection=connection)


@contextlib.contextmanager
def web_origin_on_client(admin: KeycloakAdmin, origin: str) -> Iterator[None]:
    """Keycloak sends the browser back to `origin`/auth/callback only if the client lists it."""
    client_id = admin.get_client_id(KEYCLOAK_CLIENT_ID)
    assert client_id is not None, f"client {KEYCLOAK_CLIENT_ID} missing from realm {KEYCLOAK_TEST_REALM}"

    def update(change: Any) -> None:
        client = admin.get_client(client_id)
        redirects, origins = change(set(client.get("redirectUris", [])), set(client.get("webOrigins", [])))
        admin.update_client(client_id, {**client, "redirectUris": sorted(redirects), "webOrigins": sorted(origins)})

    redirect = f"{origin}/auth/callback"
    update(lambda r, o: (r | {redirect, f"{origin}/*"}, o | {origin}))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            update(lambda r, o: (r - {redirect, f"{origin}/*"}, o - {origin}))


@contextlib.contextmanager
def run_users(admin: KeycloakAdmin) -> Iterator[dict[str, dict[str, str]]]:
    """A Keycloak user per app role (known password, verified email), and the address of someone invited by e-mail
    who registers during the journey; every one deleted afterwards."""
    created: list[str] = []
    # Unique names: the test database keeps the users of earlier runs, and HR finds the candidate by name.
    names = {
        "hr": ("Hanna", f"Recruiter-{RUN_ID}"),
        "candidate": ("Carl", f"Candidate-{RUN_ID}"),
        "admin": ("Ada", f"Admin-{RUN_ID}"),
        # HR's teammate, whom HR adds to its company and @-mentions in a review note.
        "teammate": ("Tess", f"Teammate-{RUN_ID}"),
    }
    users: dict[str, dict[str, str]] = {}
    try:
        for role, (first, last) in names.items():
            email = f"web-{role}-{RUN_ID}-{uuid.uuid4().hex[:4]}@example.com"
            password = f"Web-{uuid.uuid4().hex[:10]}!"
            user_id = admin.create_user(
                {
                    "email": email,
                    "username": email,
                    "firstName": first,
                    "lastName": last,
                    "enabled": True,
                    "emailVerified": True,
                    "credentials": [{"type": "password", "value": password, "temporary": False}],
                }
            )
            created.append(user_id)
            admin.assign_realm_roles(user_id, [admin.get_realm_role("hr" if role == "teammate" else role)])
            users[role] = {"email": email, "password": password, "name": f"{first} {last}"}
        # Someone HR invites by e-mail: no account yet, the journey registers it on Keycloak's page.
        invitee = f"web-invitee-{RUN_ID}-{uuid.uuid4().hex[:4]}@example.com"
        users["invitee"] = {"email": invitee, "password": f"Web-{uuid.uuid4().hex[:10]}!", "name": "Ivy Invitee"}
        yield users
    finally:
        if "invitee" in users:
            with contextlib.suppress(Exception):
                created.extend(u["id"] for u in admin.get_users({"email": users["invitee"]["email"], "exact": True}))
        for user_id in created:
            with contextlib.suppress(Exception):
                admin.delete_user(user_id)


# The services, on the test database, this run's topics and free ports.


def service_settings(service: str) -> ServiceSettings:
    settings_cls = importlib.import_module(f"{service}.settings").Settings
    return settings_for_tests(settings_cls, service)


def migrate(service: str, settings: ServiceSettings) -> None:
    alembic_upgrade_apart(ROOT / "services" / service, settings)


def has_module(service: str, module: str) -> bool:
    package = ROOT / "services" / service / service
    return (package / f"{module}.py").is_file() or (package / module / "__init__.py").is_file()


@pytest.fixture
async def stand_ins() -> AsyncIterator[tuple[LlmStandIn, WhisperStandIn]]:
    llm, whisper = LlmStandIn(), WhisperStandIn()
    await llm.start()
    await whisper.start()
    yield llm, whisper
    await whisper.stop()
    await llm.stop()


@dataclass
class Platform:
    web_url: str
    gateway_url: str
    users: dict[str, dict[str, str]]
    fleet: Fleet


@contextlib.asynccontextmanager
async def run_platform(
    llm: LlmStandIn, whisper: WhisperStandIn, kafka_bootstrap: str, *, build_web: bool = True
) -> AsyncIterator[Platform]:
    """Everything the journey needs, up and answering; stopped (topics, users, client origin removed) on exit."""
    build = asyncio.create_task(asyncio.to_thread(ensure_web_build if build_web else lambda: None))
    settings = {name: service_settings(name) for name in SERVICES}
    for name, s in settings.items():
        await asyncio.to_thread(migrate, name, s)
        await retire_stale_outbox_rows(s)
    prefix = settings["gateway"].topic_prefix
    topics = [f"{prefix}{t}" for t in ALL_TOPICS]
    await create_topics(kafka_bootstrap, topics)

    ports = {name: free_port() for name in SERVICES}
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    extra = {
        "gateway": {
            "KEYCLOAK_REALM": KEYCLOAK_TEST_REALM,
            "KEYCLOAK_URL": KEYCLOAK,
            "INTERNAL_AUTH_ENABLED": "false",
            "WEB_ORIGIN": web_url,
            "AUTH_RATE_LIMIT": "1000/minute",
            "AUTH_LOGIN_RATE_LIMIT": "1000/minute",
            "AUTH_REGISTER_RATE_LIMIT": "1000/minute",
            "API_RATE_LIMIT": "100000/minute",
            "API_ANONYMOUS_RATE_LIMIT": "100000/minute",
            **urls,
        },
        "users": {
            "S3_ENDPOINT": S3,
            "S3_BUCKET_PREFIX": "test-",
            "BILLING_URL": urls["BILLING_URL"],
            # The Free plan has one team seat (its creator's) and online payment is off here, so no upgrade could
            # make room for the teammate the journey adds: seats alone go unchecked.
            "QUOTA_ENFORCEMENT": "false",
        },
        # Every template and invitation is reserved against the HR's plan at billing, as shipped.
        "interviews": {"BILLING_URL": urls["BILLING_URL"], "QUOTA_ENFORCEMENT": "true"},
        "media": {
            "S3_ENDPOINT": S3,
            "S3_BUCKET_PREFIX": "test-",
            "TRANSCRIPTION_API_KEY": "stand-in-key",
            "TRANSCRIPTION_BASE_URL": whisper.base_url,
        },
        "analysis": {
            "LLM_API_KEY": "stand-in-key",
            "LLM_BASE_URL": llm.base_url,
            "LLM_REQUESTS_PER_MINUTE": "600",
            "LLM_TOKENS_PER_MINUTE": "1000000",
        },
        "notifications": {
            "EMAIL_PROVIDER": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(MAIL_PORTS.smtp),
            # Links in e-mails and in-app items lead to this run's web app; unsubscribe links to its gateway.
            "WEB_URL": web_url,
            "PUBLIC_API_URL": urls["GATEWAY_URL"],
            # The journey's webhook receiver listens on plain-http loopback, inside the Playwright process.
            "WEBHOOKS_ALLOW_INSECURE_LOOPBACK": "true",
        },
        "billing": {
            # Payments disabled: plans, usage and quotas work, and checkout is refused instead of leading the
            # browser to Stripe (an empty key overrides one the caller's environment may carry).
            "STRIPE_SECRET_KEY": "",
            "STRIPE_WEBHOOK_SECRETS": "",
            # Nothing listens here: should anything still call Stripe, it fails on loopback, not at stripe.com.
            "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}",
            # Checkout's return addresses, were it enabled, are this run's web app.
            "WEB_URL": web_url,
        },
        # ClickHouse in the API process, in memory (the test default): it consumes every topic itself.
        "analytics": {},
    }
    fleet = Fleet()
    admin = keycloak_admin()
    try:
        apis = []
        for name in SERVICES:
            common = {"PORT": str(ports[name]), "INTERNAL_AUTH_ENABLED": "false", "LOG_LEVEL": "WARNING"}
            env = process_env(settings[name], **{**common, "PYTHONUNBUFFERED": "1", **extra[name]})
            api = await fleet.spawn_service(name, ports[name], env)
            apis.append((api, f"http://127.0.0.1:{ports[name]}/health"))
        await build
        web_env = {
            **os.environ,
            "API_URL": urls["GATEWAY_URL"],
            # The page's Content-Security-Policy lets the browser reach the object store presigned URLs name.
            "MEDIA_ORIGINS": S3,
            "NEXT_TELEMETRY_DISABLED": "1",
            "NEXT_DIST_DIR": web.TEST_DIST_DIR,
        }
        server = await fleet.spawn(
            "web", ["npm", "run", "start", "--", "--hostname", "127.0.0.1", "--port", str(web_port)], web_env, WEB
        )
        for proc, url in [*apis, (server, f"{web_url}/")]:
            await wait_until_up(fleet, proc, url)
        with web_origin_on_client(admin, web_url), run_users(admin) as users:
            yield Platform(web_url, urls["GATEWAY_URL"], users, fleet)
    finally:
        if not build.done():
            build.cancel()
        await fleet.stop()
        await delete_topics(kafka_bootstrap, topics)


@pytest.fixture
async def platform(stand_ins: tuple[LlmStandIn, WhisperStandIn], kafka_bootstrap: str) -> AsyncIterator[Platform]:
    async with run_platform(*stand_ins, kafka_bootstrap) as running:
        yield running


async def test_the_web_journey_passes_in_a_real_browser(platform: Platform) -> None:
    env = {
        **os.environ,
        "BASE_URL": platform.web_url,
        "API_URL": platform.gateway_url,
        "RUN_ID": RUN_ID,
        "MAILPIT_URL": MAILPIT,
        "CI": "1",
        **{f"{role.upper()}_{key.upper()}": value for role, u in platform.users.items() for key, value in u.items()},
    }
    started = time.monotonic()
    playwright = await asyncio.create_subprocess_exec(
        "npx", "playwright", "test", cwd=WEB, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(playwright.communicate(), PLAYWRIGHT_TIMEOUT_S)
    except TimeoutError:
        os.killpg(playwright.pid, signal.SIGKILL)
        output, _ = await playwright.communicate()
    text = output.decode(errors="replace")
    (LOGS / "playwright.log").write_text(text)
    print(text)
    print(f"playwright took {time.monotonic() - started:.0f}s; screenshots in {WEB / 'test-results' / 'screens'}")
    assert playwright.returncode == 0, f"{text}\n\nserver logs (tails):\n{platform.fleet.tails()}"

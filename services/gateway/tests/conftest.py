from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from gateway.main import create_app
from gateway.settings import Settings
from kit.testing import (
    INTERNAL_TOKEN,
    KAFKA_BOOTSTRAP,
    REDIS_URL,
    TOPIC_PREFIX,
    AppServer,
    alembic_upgrade,
    free_port,
    make_service_engine,
    role_url,
    settings_for_tests,
)
from users.settings import Settings as UsersSettings

SERVICE_DIR = Path(__file__).resolve().parents[1]
USERS_DIR = SERVICE_DIR.parent / "users"
KEYCLOAK = "http://127.0.0.1:8090"
REALM = "ai-video-interview-test"
CLIENT_ID = "ai-video-interview-app"
WEB_ORIGIN = "http://localhost:3000"
# Chosen at import so a test module can build an app for it at import time (the fuzzing test).
USERS_URL = os.environ.setdefault("GATEWAY_TEST_USERS_URL", f"http://127.0.0.1:{free_port()}")
DEV_USERS = {
    "admin": ("admin@test.com", "Admin123!"),
    "hr": ("hr@test.com", "Hr123456!"),
    "candidate": ("candidate@test.com", "Candidate123!"),
}


# A small real upstream: a users-service stand-in (the saga's endpoints) and an echo of what the gateway
# forwards, served by uvicorn on 127.0.0.1.


class CheckoutBody(BaseModel):
    """A typed upstream route, so the aggregated docs have an upstream schema to pick up."""

    plan_type: Literal["plus", "pro"] = Field(alias="planType")


class StubState:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.creates = 0
        self.lookups = 0
        self.create_delay_s = 0.0
        # Create calls the stand-in is answering right now.
        self.creating = 0


def stub_app(state: StubState) -> FastAPI:
    app = FastAPI()

    @app.get("/users/by-external-auth/{external_id}")
    async def by_external(external_id: str) -> Response:
        state.lookups += 1
        user = next((u for u in state.users.values() if u["externalAuthId"] == external_id), None)
        return JSONResponse(user) if user else JSONResponse({"code": "USER_NOT_FOUND"}, 404)

    @app.post("/users")
    async def create(request: Request) -> Response:
        body = await request.json()
        state.creating += 1
        try:
            await asyncio.sleep(state.create_delay_s)
        finally:
            state.creating -= 1
        if "reject" in body["email"]:
            return JSONResponse({"code": "INVALID_EMAIL", "error": "rejected"}, 400)
        existing = next((u for u in state.users.values() if u["externalAuthId"] == body["externalAuthId"]), None)
        if existing is not None:
            # As users answers: the conflict names the user of this identity.
            details = {"userId": existing["id"], "externalAuthId": existing["externalAuthId"]}
            return JSONResponse({"code": "USER_ALREADY_EXISTS", "details": details}, 409)
        state.creates += 1
        user = {
            "id": body["userId"],
            "externalAuthId": body["externalAuthId"],
            "email": body["email"],
            "role": "pending",
        }
        state.users[body["userId"]] = user
        return JSONResponse({"success": True, "data": {"userId": body["userId"], "email": body["email"]}}, 201)

    @app.get("/users/{user_id}")
    async def get_user(user_id: str, request: Request) -> Response:
        user = state.users.get(user_id)
        if user is None:
            return JSONResponse({"code": "USER_NOT_FOUND"}, 404)
        return JSONResponse({**user, "seenUserId": request.headers.get("x-user-id")})

    @app.post("/api/billing/checkout")
    async def checkout(body: CheckoutBody) -> dict[str, str]:
        return {"sessionId": "cs_test", "checkoutUrl": f"https://checkout.example/{body.plan_type}"}

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def echo(path: str, request: Request) -> Response:
        if request.query_params.get("sleep"):
            await asyncio.sleep(float(request.query_params["sleep"]))
        if request.query_params.get("status"):
            code = int(request.query_params["status"])
            retry = request.query_params.get("retryAfter")
            headers = {"retry-after": retry} if retry else None
            return JSONResponse({"code": "STUB", "error": f"stub answered {code}"}, code, headers=headers)
        body = await request.body()
        return JSONResponse(
            {
                "method": request.method,
                "path": "/" + path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": base64.b64encode(body).decode(),
                "clientPort": request.client.port if request.client else None,
            }
        )

    return app


@pytest.fixture(scope="session")
async def stub() -> AsyncIterator[tuple[AppServer, StubState]]:
    state = StubState()
    server = AppServer(stub_app(state), lifespan="off")
    await server.start()
    yield server, state
    await server.stop()


@pytest.fixture
async def own_upstream() -> AsyncIterator[Callable[[], Awaitable[AppServer]]]:
    """A separate echo upstream a test may stop and start again (same port)."""
    servers: list[AppServer] = []

    async def make() -> AppServer:
        server = AppServer(stub_app(StubState()), lifespan="off")
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """A test module's own stand-in upstream, served on 127.0.0.1 while the block runs: its URL."""
    async with AppServer(app, lifespan="off") as server:
        yield server.url


@pytest.fixture(scope="session")
def down_url() -> str:
    """An address where nothing listens: the upstreams that do not run yet."""
    return f"http://127.0.0.1:{free_port()}"


def gateway_settings(stub_url: str, down_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "keycloak_realm": REALM,
        "internal_auth_enabled": True,
        "web_origin": WEB_ORIGIN,
        "users_url": stub_url,
        "interviews_url": stub_url,
        "analysis_url": stub_url,
        "billing_url": stub_url,
        "analytics_url": stub_url,
        "media_url": down_url,
        "notifications_url": down_url,
        "upstream_reset_timeout_s": 2.0,
        "upstream_timeout_s": 3.0,
        "jwks_min_refresh_interval_s": 0.0,
        "auth_rate_limit": "1000/minute",
        "auth_login_rate_limit": "1000/minute",
        "auth_register_rate_limit": "1000/minute",
        # The suite sends far more per user than a person would; test_rate_limits sets its own limits.
        "api_rate_limit": "100000/minute",
        "api_anonymous_rate_limit": "100000/minute",
    }
    values.update(overrides)
    return settings_for_tests(Settings, "gateway", **values)


@pytest.fixture(scope="session")
def migrations() -> None:
    """Applied once as the gateway's role (sync: alembic runs its own loop)."""
    alembic_upgrade(SERVICE_DIR, settings_for_tests(Settings, "gateway"))


@pytest.fixture(scope="session")
async def migrated(migrations: None, stub: tuple[AppServer, StubState], down_url: str) -> Settings:
    settings = gateway_settings(stub[0].url, down_url)
    # Registrations point at users of earlier runs' stubs: start from none.
    engine = make_service_engine(settings)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM registrations"))
    await engine.dispose()
    return settings


@pytest.fixture(scope="session")
def settings_with_upstreams_down(down_url: str) -> Callable[..., Settings]:
    """Gateway settings where every upstream is down unless overridden."""

    def make(**overrides: Any) -> Settings:
        return gateway_settings(down_url, down_url, **overrides)

    return make


GatewayFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_gateway(
    migrated: Settings, stub: tuple[AppServer, StubState], down_url: str
) -> AsyncIterator[GatewayFactory]:
    """A gateway app in process (its own breakers and caches), reached through httpx's ASGI transport."""
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        app = create_app(gateway_settings(stub[0].url, down_url, **overrides))
        manager = LifespanManager(app)
        await manager.__aenter__()
        managers.append(manager)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8001")
        # Tests reach into the app's resources (breakers, verifier) through this.
        client.app_state = app.state  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    for manager in managers:
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def gateway(make_gateway: GatewayFactory) -> httpx.AsyncClient:
    return await make_gateway()


# The gateway's own tables (the audit trail) per test on a rolled-back connection: kit.testing's `sessions`
# needs `settings` and `engine`.


@pytest.fixture
def settings(migrated: Settings) -> Settings:
    return migrated


@pytest.fixture(scope="session")
async def engine(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_service_engine(migrated)
    yield engine
    await engine.dispose()


@pytest.fixture
def make_audited_gateway(make_gateway: GatewayFactory, sessions: async_sessionmaker[Any]) -> GatewayFactory:
    """Like `make_gateway`, with the gateway's audit rows on the test's rolled-back connection (the table
    refuses deletes, so rows a test committed could not be cleared)."""

    async def make(**overrides: Any) -> httpx.AsyncClient:
        client = await make_gateway(**overrides)
        client.app_state.sessions = sessions  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
async def serve_gateway(
    migrated: Settings, stub: tuple[AppServer, StubState], down_url: str
) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """A gateway served by uvicorn on 127.0.0.1 (lifespan included), for what the in-process transport cannot
    show: httpx's ASGI transport hands over a response only once the app has finished it."""
    servers: list[AppServer] = []

    async def serve(**overrides: Any) -> str:
        server = AppServer(create_app(gateway_settings(stub[0].url, down_url, **overrides)))
        servers.append(server)
        await server.start()
        return server.url

    yield serve
    await asyncio.gather(*(server.stop() for server in servers))


async def password_token(username: str, password: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{KEYCLOAK}/realms/{REALM}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": CLIENT_ID, "username": username, "password": password},
        )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def dev_tokens() -> dict[str, str]:
    return {role: (await password_token(*cred))["access_token"] for role, cred in DEV_USERS.items()}


class RedisLink:
    """A TCP relay to the test Redis that a test can cut, as an outage cuts a gateway off from it."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.target = urlsplit(REDIS_URL)

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{self.port}{self.target.path}"

    async def restore(self) -> None:
        """Relays again, on the same address, after a cut."""
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(self.target.hostname, self.target.port)
        self.writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer), return_exceptions=True)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.writers:
            writer.close()


@pytest.fixture
async def redis_link() -> AsyncIterator[RedisLink]:
    link = RedisLink()
    yield link
    await link.cut()


@pytest.fixture(scope="session")
def keycloak_admin() -> KeycloakAdmin:
    connection = KeycloakOpenIDConnection(
        server_url=KEYCLOAK, username="admin", password="admin", realm_name=REALM, user_realm_name="master"
    )
    return KeycloakAdmin(connection=connection)


@pytest.fixture
async def fresh_user(keycloak_admin: KeycloakAdmin) -> AsyncIterator[Callable[..., Awaitable[dict[str, Any]]]]:
    """Create throwaway Keycloak users (deleted afterwards): {id, email, password}; at `domain`, with the
    address verified or not."""
    created: list[str] = []

    async def make(
        prefix: str = "gw", roles: tuple[str, ...] = (), *, domain: str = "example.com", verified: bool = True
    ) -> dict[str, Any]:
        email = f"{prefix}-{uuid.uuid4().hex[:10]}@{domain}"
        password = "Passw0rd!" + uuid.uuid4().hex[:6]
        user_id = await keycloak_admin.a_create_user(
            {
                "email": email,
                "username": email,
                "firstName": "Test",
                "lastName": "User",
                "enabled": True,
                "emailVerified": verified,
                "credentials": [{"type": "password", "value": password, "temporary": False}],
            }
        )
        created.append(user_id)
        for role in roles:
            await keycloak_admin.a_assign_realm_roles(user_id, [await keycloak_admin.a_get_realm_role(role)])
        return {"id": user_id, "email": email, "password": password}

    yield make
    for user_id in created:
        try:
            await keycloak_admin.a_delete_user(user_id)
        except Exception:
            pass


# The real users service, as a process (the end-to-end and fuzzing tests).


@pytest.fixture(scope="session")
def users_migrated() -> None:
    alembic_upgrade(USERS_DIR, settings_for_tests(UsersSettings, "users", s3_bucket_prefix="test-"))


@pytest.fixture(scope="session")
def users_process(users_migrated: None) -> Iterator[str]:
    port = int(USERS_URL.rsplit(":", 1)[1])
    env = {
        **os.environ,
        "SERVICE_ENV": "test",
        "DATABASE_URL": role_url("users"),
        "DB_SCHEMA": "users",
        "KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
        "TOPIC_PREFIX": TOPIC_PREFIX,
        "REDIS_URL": REDIS_URL,
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "S3_BUCKET_PREFIX": "test-",
        # Verified addresses at this domain may take hr without an admin (test_hr_access).
        "HR_EMAIL_DOMAINS": '["verified-hr.example"]',
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "users.main:app", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = USERS_URL
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                pytest.fail("the users service exited during start-up")
            time.sleep(0.1)
        else:
            pytest.fail("the users service did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)

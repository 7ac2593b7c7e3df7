from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit.db import make_sessionmaker
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN, database_fixtures, settings_for_tests
from users.domain import User
from users.main import create_app
from users.settings import Settings

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    # Team seats are reserved at billing (its side: services/billing/tests/test_team_seats.py).
    return settings_for_tests(Settings, "users", s3_bucket_prefix="test-", quota_enforcement=False)


migrated, engine = database_fixtures(SERVICE_DIR)


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    """The API on the per-test rolled-back connection: nothing a test writes outlives it."""
    real = app.state.sessions
    app.state.sessions = sessions
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://users") as http:
        yield http
    app.state.sessions = real


@pytest.fixture
def committed(settings: Settings, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that really commit (concurrency, relay); what the test registers in `cleanup` is removed."""
    return make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)


@pytest.fixture
async def live_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The API with its own connection pool: requests really commit and can race each other."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://users") as http:
        yield http


@pytest.fixture
async def cleanup(committed: async_sessionmaker[AsyncSession]) -> AsyncIterator[dict[str, list[Any]]]:
    """Rows a committing test registers here are deleted afterwards, with their outbox rows: an
    unpublished row left behind would be some later relay's to send, to a topic it may not have."""
    created: dict[str, list[Any]] = {"users": [], "external": []}
    yield created
    async with committed() as session, session.begin():
        users = (
            await session.scalars(
                select(User.id).where(User.id.in_(created["users"]) | User.external_auth_id.in_(created["external"]))
            )
        ).all()
        await session.execute(delete(OutboxMessage).where(OutboxMessage.key.in_([str(u) for u in users])))
        await session.execute(delete(User).where(User.id.in_(users)))


def identity(user_id: uuid.UUID | str, role: str = "candidate", **extra: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(user_id), "x-user-role": role, **extra}


INTERNAL = {"x-internal-token": INTERNAL_TOKEN}
ADMIN = identity(uuid.UUID(int=1), "admin")


@pytest.fixture
def as_user() -> Callable[..., dict[str, str]]:
    return identity


@pytest.fixture
def admin() -> dict[str, str]:
    return ADMIN


@pytest.fixture
def internal() -> dict[str, str]:
    return INTERNAL


def _new_user_body(**overrides: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:10]
    body = {
        "userId": str(uuid.uuid4()),
        "externalAuthId": f"kc-{tag}",
        "email": f"user-{tag}@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
    }
    body.update(overrides)
    return body


@pytest.fixture
def new_user_body() -> Callable[..., dict[str, Any]]:
    return _new_user_body


@pytest.fixture
def make_user(client: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Create a user through the API (and give it a role when asked); returns its UserResponseDto."""

    async def make(role: str | None = None, **overrides: Any) -> dict[str, Any]:
        body = _new_user_body(**overrides)
        created = await client.post("/users", json=body, headers=INTERNAL)
        assert created.status_code == 201, created.text
        user_id = body["userId"]
        if role is not None:
            chosen = await client.post(f"/users/{user_id}/roles", json={"role": role}, headers=ADMIN)
            assert chosen.status_code == 200, chosen.text
        got = await client.get(f"/users/{user_id}", headers=ADMIN)
        return got.json()  # type: ignore[no-any-return]

    return make

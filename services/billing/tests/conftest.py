"""Fixtures: the migrated test schema, per-test rollback sessions shared by the in-process app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from billing.main import create_app
from billing.settings import Settings
from kit.testing import alembic_upgrade, make_service_engine, settings_for_tests

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(Settings, "billing")


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    # Synchronous on purpose: Alembic's async env runs its own event loop.
    alembic_upgrade(SERVICE_DIR, settings)
    return settings


@pytest.fixture(scope="session")
async def engine(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_service_engine(migrated)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        # The app's requests run on the test's rolled-back connection.
        app.state.sessions = sessions
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client

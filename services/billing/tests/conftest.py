"""Fixtures: the service's test settings and its directory (the kit makes the migrated schema's fixtures from
them, and its `sessions` the per-test rollback sessions), and the in-process app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.main import create_app
from billing.settings import Settings
from kit.testing import database_fixtures, in_process_client, settings_for_tests


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(Settings, "billing")


migrated, engine = database_fixtures(Path(__file__).resolve().parents[1])


@pytest.fixture
async def client(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process_client(create_app(settings), sessions) as client:
        yield client

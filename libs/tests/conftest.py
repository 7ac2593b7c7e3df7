from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kit.db import make_engine
from kit.outbox import OutboxMessage, ProcessedMessage
from kit.settings import ServiceSettings
from kit.testing import RUN_ID, settings_for_tests, superuser_url

# One schema per run, so two runs on one machine never drop each other's tables.
SCHEMA = f"kit_test_{RUN_ID}"


@pytest.fixture(scope="session")
def settings() -> ServiceSettings:
    return settings_for_tests(ServiceSettings, "kit_test", database_url=superuser_url(), db_schema=SCHEMA)


@pytest.fixture(scope="session")
async def engine(settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url, SCHEMA, pool_size=5)
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        for table in (OutboxMessage.__table__, ProcessedMessage.__table__):
            await conn.run_sync(table.create)  # type: ignore[attr-defined]
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    await engine.dispose()

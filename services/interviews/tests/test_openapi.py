"""Schemathesis over the service's own OpenAPI, in process, with a valid internal identity: no input is a 5xx.

The app commits to the test database here (schemathesis drives it on its own event loop), so what the fuzzing
user created is deleted afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from interviews.main import create_app
from interviews.settings import Settings
from kit.testing import INTERNAL_TOKEN, settings_for_tests

FUZZER = str(uuid.uuid4())
HEADERS = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": FUZZER, "x-user-role": "hr"}


async def _cleanup(settings: Settings, baseline: int) -> None:
    conn = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        async with conn.transaction():
            keys = [
                str(r[0])
                for r in await conn.fetch(
                    "SELECT id FROM invitations WHERE invited_by = $1 UNION ALL "
                    "SELECT id FROM interview_templates WHERE created_by = $1",
                    FUZZER,
                )
            ]
            await conn.execute("DELETE FROM outbox WHERE id > $1 AND key = ANY($2::text[])", baseline, keys)
            await conn.execute("DELETE FROM invitations WHERE invited_by = $1", FUZZER)
            await conn.execute("DELETE FROM interview_templates WHERE created_by = $1", FUZZER)
    finally:
        await conn.close()


async def _max_outbox_id(settings: Settings) -> int:
    conn = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox"))
    finally:
        await conn.close()


SETTINGS = settings_for_tests(Settings, "interviews")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS))


@pytest.fixture(scope="module", autouse=True)
def fuzzing_leaves_nothing_behind(migrated: Settings) -> Iterator[None]:
    baseline = asyncio.run(_max_outbox_id(migrated))
    yield
    asyncio.run(_cleanup(migrated, baseline))


@schema.parametrize()
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_request_makes_the_service_fail(case: schemathesis.Case) -> None:
    response = case.call(headers=HEADERS)

    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"

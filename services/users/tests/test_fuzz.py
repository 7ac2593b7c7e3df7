"""Schemathesis over the users OpenAPI, in-process: whatever it sends, no route answers with a 5xx.

The app here is its own instance: schemathesis runs it (lifespan included) on its own event loop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from kit.testing import INTERNAL_TOKEN, settings_for_tests
from users.main import create_app
from users.settings import Settings

SETTINGS = settings_for_tests(Settings, "users", s3_bucket_prefix="test-")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS))
IDENTITIES = {
    "admin": {"x-user-id": str(uuid.uuid4()), "x-user-role": "admin"},
    "candidate": {"x-user-id": str(uuid.uuid4()), "x-user-role": "candidate"},
}


@pytest.fixture(scope="module")
def fuzzed_rows_removed(migrated: Settings) -> Iterator[None]:
    """What the fuzzer managed to create is deleted afterwards (the seeded taxonomy is older)."""
    started = datetime.now(UTC)
    yield

    async def remove() -> None:
        conn = await asyncpg.connect(migrated.database_url.replace("+asyncpg", ""))
        try:
            for table in ("companies", "skills", "users"):
                await conn.execute(f"DELETE FROM users.{table} WHERE created_at >= $1", started)
        finally:
            await conn.close()

    asyncio.run(remove())


@pytest.mark.parametrize("who", list(IDENTITIES))
@schema.parametrize()
@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_input_makes_a_route_answer_with_a_server_error(case, who: str, fuzzed_rows_removed: None) -> None:
    headers = {"x-internal-token": INTERNAL_TOKEN, **IDENTITIES[who]}
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error], headers=headers)

"""Schemathesis over the service's own OpenAPI, in process, with internal-token identities: no 5xx."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kit.testing import INTERNAL_TOKEN, alembic_upgrade, settings_for_tests
from media.main import create_app
from media.settings import Settings
from media.storage import Storage

SERVICE_DIR = Path(__file__).resolve().parents[1]
SETTINGS = settings_for_tests(Settings, "media", s3_bucket_prefix="test-")
# The ops routes are the kit's, fuzzed by the fleet tests; these are the service's own.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS)).include(path_regex="^/api/")


@pytest.fixture(scope="module", autouse=True)
def migrated() -> None:
    alembic_upgrade(SERVICE_DIR, SETTINGS)
    asyncio.run(Storage(SETTINGS).ensure_bucket())


@pytest.mark.parametrize("role", ["admin", "hr", "candidate"])
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_service_fail(case: schemathesis.Case, role: str) -> None:
    case.call_and_validate(
        headers={"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": role},
        checks=[not_a_server_error],
    )

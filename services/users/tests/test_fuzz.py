"""Schemathesis over the users OpenAPI, in-process: whatever it sends, no route answers with a 5xx.

The app here is its own instance: schemathesis runs it (lifespan included) on its own event loop. Path
ids that parse as UUIDs are pointed at rows this module creates (the caller, a company, a skill), so
the fuzzer reaches the handlers' logic and not only their 404s; malformed ids are sent as generated."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

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
ROWS = {role: uuid.uuid4() for role in ("admin", "hr", "candidate", "company", "skill")}
ROLES = ("admin", "hr", "candidate")
# Users and skills the fuzzer creates carry this prefix (see _aim), so clean-up finds exactly them.
MARK = f"fuzz-{uuid.uuid4().hex[:6]}-"


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for role in ROLES:
            tag = ROWS[role].hex[:12]
            await conn.execute(
                "INSERT INTO users.users (id, external_auth_id, email, first_name, last_name, role, version)"
                " VALUES ($1, $2, $3, 'Fuzz', $4, $4, 1)",
                ROWS[role],
                f"{MARK}{tag}",
                f"fuzz-{tag}@example.com",
                role,
            )
        await conn.execute("INSERT INTO users.candidate_profiles (user_id, version) VALUES ($1, 1)", ROWS["candidate"])
        await conn.execute(
            "INSERT INTO users.companies (id, name, created_by, version) VALUES ($1, $2, $3, 1)",
            ROWS["company"],
            f"Fuzz {ROWS['company'].hex[:8]}",
            ROWS["hr"],
        )
        await conn.execute(
            "INSERT INTO users.user_companies (id, user_id, company_id, is_primary) VALUES ($1, $2, $3, true)",
            uuid.uuid4(),
            ROWS["hr"],
            ROWS["company"],
        )
        await conn.execute(
            "INSERT INTO users.skills (id, name, slug) VALUES ($1, 'Fuzz', $2)",
            ROWS["skill"],
            f"{MARK}{ROWS['skill'].hex}",
        )
    finally:
        await conn.close()


async def _remove(dsn: str) -> None:
    """Only what this module made: other suites may share the database while it runs."""
    conn = await asyncpg.connect(dsn)
    try:
        made = await conn.fetch(
            "SELECT id FROM users.users WHERE external_auth_id LIKE $1"
            " UNION SELECT id FROM users.companies WHERE created_by = ANY($2::uuid[])",
            f"{MARK}%",
            list(ROWS.values()),
        )
        keys = [str(k) for k in [*ROWS.values(), *(r["id"] for r in made)]]
        # Unpublished rows left behind would be a later relay's to send, to topics it may not have.
        await conn.execute("DELETE FROM users.outbox WHERE key = ANY($1::text[])", keys)
        await conn.execute("DELETE FROM users.companies WHERE created_by = ANY($1::uuid[])", list(ROWS.values()))
        await conn.execute("DELETE FROM users.skills WHERE slug LIKE $1", f"{MARK}%")
        await conn.execute("DELETE FROM users.users WHERE external_auth_id LIKE $1", f"{MARK}%")
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def fuzz_rows(migrated: Settings) -> Iterator[None]:
    """The rows the fuzzer aims at; they and whatever it created are deleted afterwards."""
    dsn = migrated.database_url.replace("+asyncpg", "")
    asyncio.run(_seed(dsn))
    yield
    asyncio.run(_remove(dsn))


TARGETS = {"userId": "self", "id": None, "skillId": "skill"}


def _aim(case: schemathesis.Case, who: str) -> None:
    if isinstance(case.body, dict):
        for field in ("externalAuthId", "slug"):
            if isinstance(case.body.get(field), str):
                case.body[field] = MARK + case.body[field]
    for name, value in (case.path_parameters or {}).items():
        try:
            uuid.UUID(str(value))
        except ValueError:
            continue
        target = TARGETS.get(name, "skill")
        if name == "id":
            target = "skill" if case.path.startswith("/skills") else "company"
        case.path_parameters[name] = str(ROWS[who if target == "self" else target])


@pytest.mark.parametrize("who", ROLES)
@schema.parametrize()
@hypothesis_settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_input_makes_a_route_answer_with_a_server_error(case, who: str, fuzz_rows: None) -> None:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(ROWS[who]), "x-user-role": who}
    _aim(case, who)
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error], headers=headers)

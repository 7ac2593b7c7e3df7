"""Schemathesis over the service's own OpenAPI, in process, with a valid internal identity: no input is a 5xx.

Ids in paths point at a real draft template of the fuzzing HR user and a real started invitation of the fuzzing
candidate, so bodies reach the domain rules and not only the 404s. The app commits to the test database here
(schemathesis drives it on its own event loop), so what the fuzzing users created is deleted afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
import schemathesis
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from interviews.main import create_app
from interviews.settings import Settings
from kit.testing import INTERNAL_TOKEN, settings_for_tests

FUZZER = str(uuid.uuid4())
CANDIDATE = str(uuid.uuid4())
HR = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": FUZZER, "x-user-role": "hr"}
AS_CANDIDATE = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": CANDIDATE, "x-user-role": "candidate"}
QUESTION = {"text": "Tell us about a hard bug.", "type": "text", "order": 1, "timeLimit": 60, "required": True}


async def _targets(settings: Settings) -> dict[str, str]:
    """A draft template and a started invitation (on a published template) for the fuzzer to aim at."""
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=HR) as client:
            ids = []
            for _ in range(2):
                template_id = (await client.post("/api/templates", json={"title": "T", "description": "D"})).json()[
                    "id"
                ]
                await client.post(f"/api/templates/{template_id}/questions", json=QUESTION)
                ids.append(template_id)
            await client.put(f"/api/templates/{ids[1]}/publish")
            invitation = {
                "templateId": ids[1],
                "candidateId": CANDIDATE,
                "companyName": "Acme",
                "expiresAt": "2100-01-01",
            }
            invitation_id = (await client.post("/api/invitations", json=invitation)).json()["id"]
            briefing = f"/api/invitations/{invitation_id}/briefing"
            notice = (await client.post(briefing, headers=AS_CANDIDATE)).json()["notice"]
            consent = {"accepted": True, "noticeVersion": notice["version"]}
            await client.post(briefing, json={"consent": consent}, headers=AS_CANDIDATE)
            started = await client.post(f"/api/invitations/{invitation_id}/start", headers=AS_CANDIDATE)
            assert started.status_code == 200, started.text
    return {"template_id": ids[0], "invitation_id": invitation_id}


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


SETTINGS = settings_for_tests(Settings, "interviews", quota_enforcement=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS))


@pytest.fixture(scope="module")
def targets(migrated: Settings) -> Iterator[dict[str, str]]:
    baseline = asyncio.run(_max_outbox_id(migrated))
    yield asyncio.run(_targets(migrated))
    asyncio.run(_cleanup(migrated, baseline))


@schema.parametrize()
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
def test_no_request_makes_the_service_fail(case: schemathesis.Case, targets: dict[str, str]) -> None:
    for name, value in targets.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value
    headers = AS_CANDIDATE if "invitation_id" in (case.path_parameters or {}) else HR
    response = case.call(headers=headers)

    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"

"""Schemathesis over the service's own OpenAPI, in process, with internal-token identities: no 5xx.

Strangers send whatever the fuzzer generates; the owners (the inviting HR user, the candidate, an admin)
have the path's invitation id aimed at a real, completed analysis so the views are fuzzed with data. The
app runs on schemathesis's own event loop, so the analysis is committed, and deleted afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from analysis import commands
from analysis.domain import AnalysisResult, InterviewSnapshot
from analysis.main import create_app
from analysis.offline import OfflineEngine
from analysis.scoring import score_interview
from analysis.settings import Settings
from kit.db import make_sessionmaker, transaction
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN, alembic_upgrade, make_service_engine, settings_for_tests

SERVICE_DIR = Path(__file__).resolve().parents[1]
SETTINGS = settings_for_tests(Settings, "analysis")
HR, CANDIDATE = str(uuid.uuid4()), str(uuid.uuid4())
# The ops routes are the kit's (covered by the fleet tests); these are the service's own.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(SETTINGS)).include(path_regex="^/api/")


async def _seed(payload: dict[str, object]) -> None:
    engine = make_service_engine(SETTINGS)
    sessions = make_sessionmaker(engine, service="analysis", schema="analysis")
    try:
        async with transaction(sessions) as session:
            requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
        assert requested is not None
        analysis_id = requested.id
        async with transaction(sessions) as session:
            analysis = await session.scalar(
                select(AnalysisResult)
                .where(AnalysisResult.id == analysis_id)
                .options(selectinload(AnalysisResult.questions))
            )
            assert analysis is not None
            analysis.claim("fuzz", engine="offline", model=None, prompt_version=None)
            analysis.complete(await score_interview(OfflineEngine(), analysis.snapshot))
    finally:
        await engine.dispose()


async def _forget(invitation_id: str) -> None:
    engine = make_service_engine(SETTINGS)
    sessions = make_sessionmaker(engine, service="analysis", schema="analysis")
    try:
        async with transaction(sessions) as session:
            analysis = await session.scalar(
                select(AnalysisResult).where(AnalysisResult.invitation_id == uuid.UUID(invitation_id))
            )
            if analysis is not None:
                await session.execute(delete(OutboxMessage).where(OutboxMessage.key == str(analysis.id)))
                await session.delete(analysis)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def invitation_id() -> Iterator[str]:
    alembic_upgrade(SERVICE_DIR, SETTINGS)
    payload = {
        "invitationId": str(uuid.uuid4()),
        "candidateId": CANDIDATE,
        "hrUserId": HR,
        "templateTitle": "Fuzzed",
        "questions": [{"id": "q1", "text": "Why would you cache reads?", "type": "text", "order": 1}],
        "responses": [{"questionId": "q1", "textAnswer": "Because most reads repeat, so a cache saves time."}],
    }
    asyncio.run(_seed(payload))
    yield str(payload["invitationId"])
    asyncio.run(_forget(str(payload["invitationId"])))


@pytest.mark.parametrize(
    ("user_id", "role"),
    [(HR, "hr"), (CANDIDATE, "candidate"), ("an-admin", "admin"), ("a-stranger", "hr"), ("a-stranger", "candidate")],
)
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_service_fail(
    case: schemathesis.Case, invitation_id: str, user_id: str, role: str
) -> None:
    if not user_id.startswith("a-stranger") and "invitation_id" in (case.path_parameters or {}):
        case.path_parameters["invitation_id"] = invitation_id
    case.call_and_validate(
        headers={"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role},
        checks=[not_a_server_error],
    )

"""The HTTP routes against every role, forged identities and malformed input (per-test rollback)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from arq.connections import RedisSettings, create_pool
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from analysis import commands
from analysis.domain import AnalysisResult, InterviewSnapshot
from analysis.main import create_app
from analysis.offline import OfflineEngine
from analysis.schemas import CriterionView
from analysis.scoring import score_interview
from analysis.settings import Settings
from kit.db import transaction
from kit.testing import INTERNAL_TOKEN
from kit.worker import queue_name

Seed = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def client(
    settings: Settings, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        app.state.sessions = sessions  # every request inside the test's rolled-back transaction
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://analysis") as client:
            yield client


@pytest.fixture
def seed(sessions: async_sessionmaker[AsyncSession], make_snapshot: Callable[..., dict[str, Any]]) -> Seed:
    """An analysis of a fresh snapshot, taken to `status` by the real domain code and offline engine."""

    async def make(status: str = "completed", **snapshot_fields: Any) -> dict[str, Any]:
        payload = make_snapshot(**snapshot_fields)
        async with transaction(sessions) as session:
            requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
        assert requested is not None
        analysis_id = requested.id
        if status == "pending":
            return payload
        engine = OfflineEngine()
        async with transaction(sessions) as session:
            analysis = await session.scalar(
                select(AnalysisResult)
                .where(AnalysisResult.id == analysis_id)
                .options(selectinload(AnalysisResult.questions))
            )
            assert analysis is not None
            analysis.claim("seed", engine=engine.name, model=None, prompt_version=None)
            if status == "failed":
                analysis.fail("The AI scoring service was too busy to answer. Retry the analysis in a few minutes.")
            else:
                analysis.complete(await score_interview(engine, analysis.snapshot))
        return payload

    return make


async def test_hr_reads_only_the_analyses_of_their_own_invitations_and_admin_reads_all(
    client: httpx.AsyncClient, seed: Seed, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    payload = await seed()
    path = f"/api/v1/analysis/{payload['invitationId']}"

    owner = await client.get(path, headers=as_user(payload["hrUserId"], "hr"))
    admin = await client.get(path, headers=as_user(str(uuid.uuid4()), "admin"))
    others = [
        await client.get(path, headers=as_user(str(uuid.uuid4()), "hr")),
        await client.get(path, headers=as_user(payload["candidateId"], "candidate")),
        await client.get(path, headers=as_user(str(uuid.uuid4()), "pending")),
    ]

    assert owner.status_code == admin.status_code == 200
    view = owner.json()
    assert view["summary"] and view["engine"] == "offline"
    assert len(view["questionAnalyses"]) == 3
    assert view["questionAnalyses"][0]["criteriaScores"][0]["evidence"]
    assert [r.status_code for r in others] == [403, 403, 403]
    assert others[0].json()["code"] == "FORBIDDEN"


async def test_the_hr_view_shows_each_question_analysis_as_stored_in_the_interviews_order(
    client: httpx.AsyncClient,
    seed: Seed,
    sessions: async_sessionmaker[AsyncSession],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    payload = await seed()

    path = f"/api/v1/analysis/{payload['invitationId']}"
    response = await client.get(path, headers=as_user(payload["hrUserId"], "hr"))

    async with sessions() as session:
        analysis = await session.scalar(
            select(AnalysisResult)
            .where(AnalysisResult.invitation_id == uuid.UUID(payload["invitationId"]))
            .options(selectinload(AnalysisResult.questions))
        )
    assert analysis is not None
    stored = sorted(analysis.questions, key=lambda q: q.position)
    shown = response.json()["questionAnalyses"]
    assert [(q["id"], q["questionId"], q["questionText"], q["questionType"]) for q in shown] == [
        (str(q.id), q.question_id, q.question_text, q.question_type) for q in stored
    ]
    assert [(q["responseText"], q["score"], q["feedback"]) for q in shown] == [
        (q.response_text, q.score, q.feedback) for q in stored
    ]
    assert [(q["isCorrect"], q["tokensUsed"], q["analysable"]) for q in shown] == [
        (q.is_correct, q.tokens_used, q.score is not None) for q in stored
    ]
    assert [q["criteriaScores"] for q in shown] == [
        [CriterionView.model_validate(c).model_dump(mode="json", by_alias=True) for c in q.criteria_scores]
        for q in stored
    ]
    assert any(q["isCorrect"] is not None for q in shown) and all(q["criteriaScores"] for q in shown[:2])


async def test_the_hiring_team_of_the_invitations_company_reads_its_analysis_and_another_company_does_not(
    client: httpx.AsyncClient, seed: Seed, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    company = str(uuid.uuid4())
    payload = await seed(companyId=company)
    path = f"/api/v1/analysis/{payload['invitationId']}"

    # The gateway forwards the caller's company, resolved from membership.
    teammate = await client.get(path, headers={**as_user(str(uuid.uuid4()), "hr"), "x-company-id": company})
    outsider = await client.get(path, headers={**as_user(str(uuid.uuid4()), "hr"), "x-company-id": str(uuid.uuid4())})
    candidate = await client.get(path, headers={**as_user(str(uuid.uuid4()), "candidate"), "x-company-id": company})

    assert (teammate.status_code, outsider.status_code, candidate.status_code) == (200, 403, 403)


async def test_status_says_not_found_for_unknown_invitations_and_refuses_other_users(
    client: httpx.AsyncClient, seed: Seed, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    payload = await seed("pending")
    unknown = uuid.uuid4()

    missing = await client.get(f"/api/v1/analysis/status/{unknown}", headers=as_user(str(uuid.uuid4()), "admin"))
    own = await client.get(
        f"/api/v1/analysis/status/{payload['invitationId']}", headers=as_user(payload["candidateId"], "candidate")
    )
    foreign = await client.get(
        f"/api/v1/analysis/status/{payload['invitationId']}", headers=as_user(str(uuid.uuid4()), "candidate")
    )

    assert missing.json() == {
        "found": False,
        "id": None,
        "invitationId": str(unknown),
        "status": "not_found",
        "createdAt": None,
        "updatedAt": None,
    }
    assert own.status_code == 200 and own.json()["status"] == "pending" and own.json()["found"] is True
    assert foreign.status_code == 403


async def test_only_a_failed_analysis_can_be_retried_by_its_hr_user_or_an_admin(
    client: httpx.AsyncClient, seed: Seed, settings: Settings, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    completed = await seed()
    failed = await seed("failed")
    retry = "/api/v1/analysis/{}/retry"

    not_failed = await client.post(
        retry.format(completed["invitationId"]), headers=as_user(completed["hrUserId"], "hr")
    )
    other_hr = await client.post(retry.format(failed["invitationId"]), headers=as_user(str(uuid.uuid4()), "hr"))
    candidate = await client.post(
        retry.format(failed["invitationId"]), headers=as_user(failed["candidateId"], "candidate")
    )
    unknown = await client.post(retry.format(uuid.uuid4()), headers=as_user(str(uuid.uuid4()), "admin"))
    accepted = await client.post(retry.format(failed["invitationId"]), headers=as_user(str(uuid.uuid4()), "admin"))

    assert (not_failed.status_code, not_failed.json()["code"]) == (409, "INVALID_ANALYSIS_STATE")
    assert [other_hr.status_code, candidate.status_code, unknown.status_code] == [403, 403, 404]
    assert accepted.status_code == 202 and accepted.json()["status"] == "pending"
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=queue_name(settings))
    try:
        queued = {job.job_id for job in await pool.queued_jobs()}
        assert commands.job_id(uuid.UUID(accepted.json()["id"]), 2) in queued
        await pool.delete(queue_name(settings))
    finally:
        await pool.aclose()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no internal token"),
        ({"x-internal-token": "forged", "x-user-id": "u1", "x-user-role": "admin"}, "wrong internal token"),
        ({"x-internal-token": INTERNAL_TOKEN, "x-user-role": "admin"}, "no user id"),
        ({"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u1", "x-user-role": "root"}, "unknown role"),
    ],
)
async def test_forged_or_missing_identity_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str], reason: str
) -> None:
    response = await client.get(f"/api/v1/analysis/{uuid.uuid4()}", headers=headers)

    assert response.status_code == 401, reason
    assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("GET", "/api/v1/analysis/not-a-uuid", {}, "invitation_id"),
        ("GET", "/api/v1/analysis/status/42", {}, "invitation_id"),
        ("POST", "/api/v1/analysis/not-a-uuid/retry", {}, "invitation_id"),
    ],
)
async def test_malformed_ids_and_query_values_are_refused_with_the_field_named(
    client: httpx.AsyncClient,
    as_user: Callable[[str, str], dict[str, str]],
    method: str,
    path: str,
    params: dict[str, Any],
    field: str,
) -> None:
    response = await client.request(method, path, params=params, headers=as_user(str(uuid.uuid4()), "admin"))

    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == [field]

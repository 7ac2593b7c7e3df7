"""The candidate's explanation: per scored open answer, each rubric criterion as a plain band with what the team
looked for and a quote verified in the answer; never a number, the verdict or a multiple-choice answer. Only the
analysis's own candidate reads it, once the analysis is complete. The reference's candidate view and list are gone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from analysis import commands
from analysis.domain import AnalysisResult, InterviewSnapshot, band_of
from analysis.main import create_app
from analysis.offline import OfflineEngine
from analysis.scoring import score_interview
from analysis.settings import Settings
from kit.db import transaction

RUBRIC = [
    {"name": "Measurement", "weight": 2, "good": "Measures before choosing a design", "poor": "Guesses"},
    {"name": "Trade-offs", "weight": 1, "good": "Names what the cache costs", "poor": "Caches everything"},
]


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
def scored(
    sessions: async_sessionmaker[AsyncSession], make_snapshot: Callable[..., dict[str, Any]]
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """An interview whose first question has the team's rubric, scored by the offline engine (or left pending)."""

    async def make(*, complete: bool = True) -> dict[str, Any]:
        payload = make_snapshot()
        payload["questions"][0]["rubric"] = RUBRIC
        async with transaction(sessions) as session:
            requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
        assert requested is not None
        if not complete:
            return payload
        engine = OfflineEngine()
        async with transaction(sessions) as session:
            analysis = await session.scalar(
                select(AnalysisResult)
                .where(AnalysisResult.id == requested.id)
                .options(selectinload(AnalysisResult.questions))
            )
            assert analysis is not None
            analysis.claim("seed", engine=engine.name, model=None, prompt_version=None)
            analysis.complete(await score_interview(engine, analysis.snapshot))
        return payload

    return make


def numbers_in(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


async def test_a_candidate_reads_each_answer_on_the_rubric_as_bands_and_quotes_without_a_number_or_verdict(
    client: httpx.AsyncClient, scored, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    payload = await scored()
    response = await client.get(
        f"/api/v1/analysis/{payload['invitationId']}/explanation", headers=as_user(payload["candidateId"], "candidate")
    )
    assert response.status_code == 200, response.text
    body = response.json()

    assert [a["questionId"] for a in body["answers"]] == ["q1", "q2"]  # the multiple-choice answer is left out
    first = body["answers"][0]
    assert [(c["criterion"], c["lookedFor"]) for c in first["criteria"]] == [
        ("Measurement", "Measures before choosing a design"),
        ("Trade-offs", "Names what the cache costs"),
    ]
    answers = {r["questionId"]: r["textAnswer"].lower() for r in payload["responses"]}
    criteria = [(a["questionId"], c) for a in body["answers"] for c in a["criteria"]]
    assert {c["band"] for _, c in criteria} <= {"strong", "adequate", "needs_work"}
    quoted = [(q, c["evidence"]) for q, c in criteria if c.get("evidence")]
    assert quoted and all(quote.lower().strip("\"'") in answers[q] for q, quote in quoted)
    assert numbers_in(body) == []
    assert not {"score", "overallScore", "recommendation", "isCorrect"} & set(response.text.split('"'))
    for verdict in ("hire", "consider", "reject"):
        assert f'"{verdict}"' not in response.text


async def test_only_the_analysis_own_candidate_reads_it_and_only_once_complete(
    client: httpx.AsyncClient, scored, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    payload = await scored()
    path = f"/api/v1/analysis/{payload['invitationId']}/explanation"
    other = await client.get(path, headers=as_user(str(uuid.uuid4()), "candidate"))
    hr = await client.get(path, headers=as_user(payload["hrUserId"], "hr"))
    assert (other.status_code, hr.status_code) == (403, 403)

    waiting = await scored(complete=False)
    pending = await client.get(
        f"/api/v1/analysis/{waiting['invitationId']}/explanation", headers=as_user(waiting["candidateId"], "candidate")
    )
    assert (pending.status_code, pending.json()["code"]) == (404, "EXPLANATION_NOT_READY")
    unknown = await client.get(f"/api/v1/analysis/{uuid.uuid4()}/explanation", headers=as_user("c", "candidate"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "ANALYSIS_NOT_FOUND")
    malformed = await client.get("/api/v1/analysis/42/explanation", headers=as_user("c", "candidate"))
    assert malformed.status_code == 422


async def test_the_candidate_view_and_the_list_of_analyses_are_gone(
    client: httpx.AsyncClient, scored, as_user: Callable[[str, str], dict[str, str]]
) -> None:
    payload = await scored()
    candidate = as_user(payload["candidateId"], "candidate")
    assert (
        await client.get(f"/api/v1/analysis/candidate/{payload['invitationId']}", headers=candidate)
    ).status_code == 404
    assert (await client.get("/api/v1/analysis", headers=as_user(payload["hrUserId"], "hr"))).status_code == 404


def test_a_band_follows_the_score_where_consider_and_hire_begin() -> None:
    assert [band_of(s) for s in (0, 49, 50, 74, 75, 100)] == [
        "needs_work",
        "needs_work",
        "adequate",
        "adequate",
        "strong",
        "strong",
    ]

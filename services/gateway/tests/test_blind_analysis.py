"""The AI's analysis through the gateway under blind review: interviews is asked first, a reviewer who has not rated
gets a plain 403 with the reason (and nothing is recorded as viewed), one who has gets the analysis (recorded);
interviews' own refusal and a missing analysis are passed on, and an answer that is neither never lets it through.
The candidate's explanation likewise: relayed only once interviews says it is shared with them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.audit import AuditEvent
from kit.testing import INTERNAL_TOKEN

from .conftest import GatewayFactory, serving


class Interviews:
    """What the stand-in interviews answers per invitation, and who asked."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, Any]] = {}
        self.asked: list[dict[str, str]] = []
        self.explained: list[str] = []


def upstream_app(interviews: Interviews) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/analysis/{invitation_id}")
    async def analysis(invitation_id: str) -> JSONResponse:
        if invitation_id == MISSING:
            return JSONResponse({"code": "ANALYSIS_NOT_FOUND", "error": "No analysis", "path": "/x"}, 404)
        return JSONResponse({"invitationId": invitation_id, "overallScore": 83, "recommendation": "hire"})

    @app.get("/api/v1/analysis/{invitation_id}/explanation")
    async def explanation(invitation_id: str) -> dict[str, Any]:
        interviews.explained.append(invitation_id)
        return {"invitationId": invitation_id, "answers": [{"questionId": "q1", "criteria": []}]}

    @app.get("/api/invitations/{invitation_id}")
    async def invitation(invitation_id: str) -> JSONResponse:
        status, body = interviews.answers[invitation_id]
        return JSONResponse(body, status)

    @app.get("/api/reviews/{invitation_id}/ai-visibility")
    async def visibility(invitation_id: str, request: Request) -> JSONResponse:
        interviews.asked.append({k: v for k, v in request.headers.items() if k.startswith("x-")})
        status, body = interviews.answers[invitation_id]
        return JSONResponse(body, status)

    return app


MISSING = str(uuid.uuid4())


@pytest.fixture(scope="module")
def interviews() -> Interviews:
    return Interviews()


@pytest.fixture(scope="module")
async def services(interviews: Interviews) -> AsyncIterator[str]:
    async with serving(upstream_app(interviews)) as url:
        yield url


@pytest.fixture
async def gateway(make_audited_gateway: GatewayFactory, services: str) -> httpx.AsyncClient:
    return await make_audited_gateway(interviews_url=services, analysis_url=services)


def hr(user: str, company: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user, "x-user-role": "hr", "x-company-id": company}


async def viewed(sessions: async_sessionmaker[Any], actor: str) -> list[str]:
    """The audit rows of what `actor` was handed (each test's caller is new)."""
    async with sessions() as session:
        return list(await session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == actor)))


async def test_a_reviewer_who_has_not_rated_gets_the_reason_instead_of_the_analysis_and_it_after_rating(
    gateway: httpx.AsyncClient, interviews: Interviews, sessions: async_sessionmaker[Any]
) -> None:
    user, company, invitation = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    interviews.answers[invitation] = (200, {"hidden": True, "reason": "human_review_requested"})

    hidden = await gateway.get(f"/api/analysis/{invitation}", headers=hr(user, company))
    assert hidden.status_code == 403, hidden.text
    body = hidden.json()
    assert (body["code"], body["details"], body["path"]) == (
        "AI_HIDDEN_UNTIL_RATED",
        {"reason": "human_review_requested"},
        f"/api/analysis/{invitation}",
    )
    assert "overallScore" not in hidden.text and "recommendation" not in hidden.text
    # Interviews decides for the caller as the gateway verified them, with their company from membership.
    asked = interviews.asked[-1]
    assert (asked["x-user-id"], asked["x-company-id"], asked["x-internal-token"]) == (user, company, INTERNAL_TOKEN)
    assert await viewed(sessions, user) == []

    interviews.answers[invitation] = (200, {"hidden": False})
    shown = await gateway.get(f"/api/analysis/{invitation}", headers=hr(user, company))
    assert shown.status_code == 200, shown.text
    assert shown.json()["overallScore"] == 83
    assert await viewed(sessions, user) == ["ai_scores.viewed"]


async def test_interviews_refusal_is_passed_on_and_a_missing_analysis_is_answered_without_asking(
    gateway: httpx.AsyncClient, interviews: Interviews
) -> None:
    user, company, stranger = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    refusal = {"code": "INVITATION_FORBIDDEN", "error": "Only the hiring team can review it", "path": "/api/x"}
    interviews.answers[stranger] = (403, refusal)
    refused = await gateway.get(f"/api/analysis/{stranger}", headers=hr(user, company))
    assert (refused.status_code, refused.json()["code"]) == (403, "INVITATION_FORBIDDEN")
    assert refused.json()["path"] == f"/api/analysis/{stranger}" and "overallScore" not in refused.text

    asked_before = len(interviews.asked)
    missing = await gateway.get(f"/api/analysis/{MISSING}", headers=hr(user, company))
    assert (missing.status_code, missing.json()["code"]) == (404, "ANALYSIS_NOT_FOUND")
    assert len(interviews.asked) == asked_before


async def test_an_answer_that_is_neither_hidden_nor_shown_keeps_the_analysis_back(
    gateway: httpx.AsyncClient, interviews: Interviews
) -> None:
    user, company = str(uuid.uuid4()), str(uuid.uuid4())
    for answer in ({}, {"hidden": "no"}, ["hidden", False]):
        invitation = str(uuid.uuid4())
        interviews.answers[invitation] = (200, answer)
        response = await gateway.get(f"/api/analysis/{invitation}", headers=hr(user, company))
        assert (response.status_code, response.json()["code"]) == (502, "BAD_GATEWAY"), answer
        assert "overallScore" not in response.text


async def test_a_path_id_that_is_not_a_uuid_is_refused_with_the_field_named(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/analysis/not-a-uuid", headers=hr(str(uuid.uuid4()), str(uuid.uuid4())))
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == ["invitation_id"]


def candidate(user: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user, "x-user-role": "candidate"}


async def test_a_candidate_gets_the_explanation_only_once_interviews_says_it_is_shared_with_them(
    gateway: httpx.AsyncClient, interviews: Interviews
) -> None:
    user, shared, held = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    interviews.answers[shared] = (200, {"id": shared, "explanationsReleased": True})
    interviews.answers[held] = (200, {"id": held, "explanationsReleased": False})

    got = await gateway.get(f"/api/invitations/{shared}/explanation", headers=candidate(user))
    assert got.status_code == 200, got.text
    assert got.json()["answers"][0]["questionId"] == "q1"

    refused = await gateway.get(f"/api/invitations/{held}/explanation", headers=candidate(user))
    assert (refused.status_code, refused.json()["code"]) == (403, "EXPLANATION_NOT_SHARED")
    assert interviews.explained == [shared]


async def test_the_explanation_passes_on_interviews_refusal_and_never_relays_on_an_unclear_answer(
    gateway: httpx.AsyncClient, interviews: Interviews
) -> None:
    user, theirs, unclear = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    interviews.explained.clear()
    interviews.answers[theirs] = (403, {"code": "INVITATION_FORBIDDEN", "error": "This is another candidate's"})
    interviews.answers[unclear] = (200, {"id": unclear})

    refused = await gateway.get(f"/api/invitations/{theirs}/explanation", headers=candidate(user))
    assert (refused.status_code, refused.json()["code"]) == (403, "INVITATION_FORBIDDEN")
    broken = await gateway.get(f"/api/invitations/{unclear}/explanation", headers=candidate(user))
    assert (broken.status_code, broken.json()["code"]) == (502, "BAD_GATEWAY")
    hr_caller = await gateway.get(
        f"/api/invitations/{theirs}/explanation", headers=hr(str(uuid.uuid4()), str(uuid.uuid4()))
    )
    assert hr_caller.status_code == 403
    assert interviews.explained == []

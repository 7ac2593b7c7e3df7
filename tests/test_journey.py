"""The core loop across services, through real Kafka and Postgres: HR builds and publishes a template and
invites a candidate; the candidate answers and completes; the analysis service scores the interview with the
real `groq` SDK against a local stand-in of the chat-completions API; the result lands on the invitation;
HR approves and the candidate sees the decision. The consumers and workers run as real processes."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from analysis.main import create_app as analysis_app
from analysis.settings import Settings as AnalysisSettings
from interviews.main import create_app as interviews_app
from interviews.settings import Settings as InterviewsSettings
from kit.testing import (
    INTERNAL_TOKEN,
    alembic_upgrade,
    create_topics,
    delete_topics,
    process_env,
    retire_stale_outbox_rows,
    settings_for_tests,
)
from standins.llm import LlmStandIn

ROOT = Path(__file__).resolve().parents[1]
# Every topic a started consumer subscribes to (interviews also reads user-events, for company names).
TOPICS = ("interview-events", "analysis-events", "media-events", "user-events")


def identity(role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": role}


@pytest.fixture
async def llm() -> AsyncIterator[LlmStandIn]:
    stand_in = LlmStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
async def platform(llm: LlmStandIn, kafka_bootstrap: str) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    # Quota enforcement asks billing, which this journey does not run (tests/test_quota_enforcement.py does).
    interviews = settings_for_tests(InterviewsSettings, "interviews", quota_enforcement=False)
    analysis = settings_for_tests(AnalysisSettings, "analysis")
    for name, settings in (("interviews", interviews), ("analysis", analysis)):
        await asyncio.to_thread(alembic_upgrade, ROOT / "services" / name, settings)
        await retire_stale_outbox_rows(settings)
    topics = [interviews.topic(t) for t in TOPICS]
    await create_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
    llm_env = {
        "LLM_API_KEY": "stand-in-key",
        "LLM_BASE_URL": llm.base_url,
        "LLM_REQUESTS_PER_MINUTE": "600",
        "LLM_TOKENS_PER_MINUTE": "1000000",
    }
    commands = [
        (interviews, [sys.executable, "-m", "interviews.consumers"], {}),
        (interviews, [sys.executable, "-m", "arq", "interviews.worker.WorkerSettings"], {}),
        (analysis, [sys.executable, "-m", "analysis.consumers"], llm_env),
        (analysis, [sys.executable, "-m", "arq", "analysis.worker.WorkerSettings"], llm_env),
    ]
    processes = [
        await asyncio.create_subprocess_exec(
            *argv, env=process_env(settings, **extra), cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        for settings, argv, extra in commands
    ]  # fmt: skip
    try:
        async with AsyncExitStack() as stack:
            clients = {}
            for name, app in (("interviews", interviews_app(interviews)), ("analysis", analysis_app(analysis))):
                manager = await stack.enter_async_context(LifespanManager(app))
                clients[name] = await stack.enter_async_context(
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test")
                )
            yield clients
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        await asyncio.gather(*(asyncio.wait_for(p.wait(), 30) for p in processes))
        await delete_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def eventually(fetch: Any, done: Any, timeout_s: float = 120.0) -> Any:
    async with asyncio.timeout(timeout_s):
        while True:
            value = await fetch()
            if done(value):
                return value
            await asyncio.sleep(0.5)


async def test_an_interview_goes_from_invitation_through_llm_analysis_to_the_candidates_decision(
    platform: dict[str, httpx.AsyncClient], llm: LlmStandIn
) -> None:
    interviews, analysis = platform["interviews"], platform["analysis"]
    hr, candidate = identity("hr"), identity("candidate")

    template = await ok(
        await interviews.post(
            "/api/templates", json={"title": "Backend engineer", "description": "Async Python role"}, headers=hr
        ),
        201,
    )
    text_question = await ok(
        await interviews.post(
            f"/api/templates/{template['id']}/questions",
            json={"text": "Describe a production incident you handled.", "type": "text", "order": 1,
                  "timeLimit": 120, "required": True},
            headers=hr,
        ),
        201,
    )  # fmt: skip
    choice_question = await ok(
        await interviews.post(
            f"/api/templates/{template['id']}/questions",
            json={"text": "Which HTTP method is idempotent?", "type": "multiple_choice", "order": 2,
                  "timeLimit": 60, "required": True,
                  "options": [{"text": "POST", "isCorrect": False}, {"text": "PUT", "isCorrect": True}]},
            headers=hr,
        ),
        201,
    )  # fmt: skip
    await ok(await interviews.put(f"/api/templates/{template['id']}/publish", headers=hr))
    invitation = await ok(
        await interviews.post(
            "/api/invitations",
            json={"templateId": template["id"], "candidateId": candidate["x-user-id"], "companyName": "Acme",
                  "expiresAt": (datetime.now(UTC) + timedelta(days=7)).isoformat()},
            headers=hr,
        ),
        201,
    )  # fmt: skip
    base = f"/api/invitations/{invitation['id']}"

    # The clock starts only after the candidate has seen the briefing and accepted its AI-use notice.
    notice = (await ok(await interviews.post(f"{base}/briefing", headers=candidate)))["notice"]
    consent = {"accepted": True, "noticeVersion": notice["version"], "noticeHash": notice["hash"]}
    await ok(await interviews.post(f"{base}/briefing", json={"consent": consent}, headers=candidate))
    await ok(await interviews.post(f"{base}/start", headers=candidate))
    answer = "We rolled back the release, then added a canary stage and an alert on error rate."
    for index, (question, text) in enumerate(((text_question, answer), (choice_question, "PUT"))):
        await ok(
            await interviews.post(
                f"{base}/responses",
                json={"questionId": question["id"], "questionIndex": index, "questionText": "q",
                      "responseType": "text", "textAnswer": text, "duration": 30},
                headers=candidate,
            ),
            201,
        )  # fmt: skip
    await ok(await interviews.post(f"{base}/complete", json={"reason": "manual"}, headers=candidate))

    seen_by_hr = await eventually(
        lambda: interviews.get(base, headers=hr),
        lambda r: r.status_code == 200 and (r.json().get("analysis") or {}).get("status") == "completed",
    )
    attached = seen_by_hr.json()["analysis"]
    report = await ok(await analysis.get(f"/api/v1/analysis/{invitation['id']}", headers=hr))
    assert report["engine"] == "llm"
    assert report["status"] == "completed"
    assert attached["score"] == report["overallScore"]
    assert attached["recommendation"] == report["recommendation"]
    by_type = {q["questionType"]: q for q in report["questionAnalyses"]}
    assert by_type["multiple_choice"]["isCorrect"] is True
    criteria = {c["criterion"]: c for c in by_type["text"]["criteriaScores"]}
    assert set(criteria) == {"relevance", "completeness", "clarity", "depth"}
    for criterion in criteria.values():
        if criterion["evidenceStatus"] == "verified":
            assert criterion["evidence"].lower() in answer.lower()
    assert any(c["evidenceStatus"] == "verified" for c in criteria.values())
    assert {r.kind for r in llm.requests} == {"question", "summary"}  # the SDK really called the stand-in

    await ok(await interviews.post(f"{base}/approve", json={"note": "Strong answers"}, headers=hr))
    seen_by_candidate = await ok(await interviews.get(base, headers=candidate))
    # The template's default feedback policy shows the decision; HR's note stays internal, and so does the AI's score.
    assert seen_by_candidate["decision"] == "approved"
    assert "decisionNote" not in seen_by_candidate and "analysis" not in seen_by_candidate
    # Candidates get no analysis: at most, where the template explains outcomes, their answers in bands and quotes
    # (the gateway relays it once interviews says it is released); this template does not.
    assert seen_by_candidate["explanationsReleased"] is False
    explained = await ok(await analysis.get(f"/api/v1/analysis/{invitation['id']}/explanation", headers=candidate))
    assert explained["answers"]
    assert all(
        set(c) <= {"criterion", "band", "lookedFor", "evidence"} for a in explained["answers"] for c in a["criteria"]
    )
    stranger = await analysis.get(f"/api/v1/analysis/{invitation['id']}", headers=identity("hr"))
    assert stranger.status_code in (403, 404)

"""The analysis pipeline end to end: `invitation.completed` on real Kafka → consumer → arq worker → the
LLM stand-in through the real groq SDK → Postgres → outbox → `analysis-events` on real Kafka."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from analysis.llm import TOO_BUSY, UNREADABLE
from analysis.settings import Settings
from kit.events import Envelope
from kit.testing import consume
from standins.llm import INVENTED_QUOTE, LlmStandIn

StackFactory = Callable[[Settings], Awaitable[Any]]
STATUS = "SELECT status FROM analysis_results WHERE invitation_id = :id"
COUNT = "SELECT count(*) FROM analysis_results WHERE invitation_id = :id"


async def outcome_events(stack: Any, count: int) -> list[Envelope]:
    """The first `count` events on analysis-events (the outbox relay of the worker sends them)."""
    records = await consume(
        stack.settings.kafka_bootstrap, stack.settings.topic("analysis-events"), count, timeout_s=120
    )
    events = sorted((Envelope.model_validate_json(r.value) for r in records), key=lambda e: e.occurred_at)
    return events


async def test_a_completed_interview_is_scored_per_criterion_with_verified_evidence_and_published(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    stack = await run_stack(llm_settings)
    payload = make_snapshot(open_questions=2)
    invitation = payload["invitationId"]

    await stack.publish(payload)
    started, completed = await outcome_events(stack, 2)

    assert [started.event_type, completed.event_type] == ["analysis.started", "analysis.completed"]
    assert (
        completed.payload
        | {
            "status": "completed",
            "invitationId": invitation,
            "candidateId": payload["candidateId"],
            "companyId": payload["companyId"],
            "hrUserId": payload["hrUserId"],
            "hrEmail": "hr@example.com",
            "questionsAnalyzed": 3,
            "engine": "llm",
            "recommendation": "hire",
            "totalTokensUsed": 3 * 160,
        }
        == completed.payload
    )
    hr = await stack.client.get(f"/api/v1/analysis/{invitation}", headers=as_user(payload["hrUserId"], "hr"))
    view = hr.json()
    assert hr.status_code == 200
    assert (view["status"], view["engine"], view["modelUsed"], view["promptVersion"]) == (
        "completed",
        "llm",
        llm_settings.llm_model,
        "v1",
    )
    assert view["summary"] and view["strengths"] == ["Structured reasoning"]
    first, _, choice = view["questionAnalyses"]
    criteria = {c["criterion"]: c for c in first["criteriaScores"]}
    assert list(criteria) == ["relevance", "completeness", "clarity", "depth"]
    assert first["score"] == round((85 + 75 + 80 + 70) / 4)
    assert criteria["relevance"]["evidenceStatus"] == "verified"
    assert criteria["relevance"]["evidence"] in first["responseText"]
    assert criteria["completeness"]["evidenceStatus"] == "verified"  # case aside, the quote is in the answer
    assert criteria["clarity"] | {"evidence": None, "evidenceStatus": "none"} == criteria["clarity"]
    assert criteria["depth"]["evidence"] is None and criteria["depth"]["evidenceStatus"] == "not_found"
    assert INVENTED_QUOTE not in hr.text
    assert (choice["isCorrect"], choice["score"], choice["criteriaScores"]) == (True, 100, [])
    assert [r.kind for r in llm.requests].count("question") == 2  # the multiple-choice answer needs no LLM
    # The event carries each criterion's mean over the answers scored on it (the review CSV's columns).
    scored: dict[str, list[float]] = {}
    for answer in view["questionAnalyses"]:
        for c in answer["criteriaScores"]:
            scored.setdefault(c["criterion"], []).append(c["score"])
    assert set(scored) == {"relevance", "completeness", "clarity", "depth"}
    assert completed.payload["criteriaScores"] == {k: round(sum(v) / len(v), 2) for k, v in scored.items()}


async def test_a_duplicate_invitation_completed_yields_one_analysis(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    stack = await run_stack(llm_settings)
    payload = make_snapshot(open_questions=1)
    first = await stack.publish(payload)
    await stack.publish(payload, event_id=first.event_id)  # redelivery of the same event
    republished = await stack.publish(payload)  # the same completion under a new event id

    await stack.wait_for(
        "SELECT count(*) FROM processed_messages WHERE message_id = :id", 1, id=str(republished.event_id)
    )
    await stack.wait_for(STATUS, "completed", id=payload["invitationId"])

    assert await stack.scalar(COUNT, id=payload["invitationId"]) == 1
    completions = await stack.scalar(
        "SELECT count(*) FROM outbox WHERE event_type = 'analysis.completed' "
        "AND payload->'payload'->>'invitationId' = :id",
        id=payload["invitationId"],
    )
    assert completions == 1
    assert sorted(r.kind for r in llm.requests) == ["question", "summary"]


async def test_invalid_json_is_retried_then_fails_with_a_reason_and_a_retry_completes_it(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    stack = await run_stack(llm_settings)
    llm.reset(default="invalid_json")
    payload = make_snapshot(open_questions=1)
    invitation = payload["invitationId"]

    await stack.publish(payload)
    _, failed = await outcome_events(stack, 2)

    assert failed.event_type == "analysis.failed"
    assert failed.payload["status"] == "failed" and failed.payload["overallScore"] is None
    assert failed.payload["errorMessage"] == UNREADABLE
    assert [r.kind for r in llm.requests] == ["question"] * llm_settings.llm_max_attempts
    hr = as_user(payload["hrUserId"], "hr")
    view = (await stack.client.get(f"/api/v1/analysis/{invitation}", headers=hr)).json()
    assert view["status"] == "failed" and view["errorMessage"] == UNREADABLE

    llm.reset(default="valid")
    retried = await stack.client.post(f"/api/v1/analysis/{invitation}/retry", headers=hr)
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    *_, completed = await outcome_events(stack, 4)

    assert completed.event_type == "analysis.completed"
    view = (await stack.client.get(f"/api/v1/analysis/{invitation}", headers=hr)).json()
    assert (view["status"], view["errorMessage"], view["attempts"]) == ("completed", None, 2)
    metrics = (await stack.client.get("/metrics")).text
    assert 'analysis_service_llm_requests_total{status="invalid_json",type="question"}' in metrics
    assert 'analysis_service_analysis_total{engine="llm",model="llama-3.3-70b-versatile",status="failed"}' in metrics
    assert 'analysis_service_llm_request_duration_seconds_count{type="question"}' in metrics


async def test_a_rate_limited_call_waits_for_the_retry_after_the_provider_sent(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    stack = await run_stack(llm_settings)
    llm.reset(script=("rate_limited",), retry_after_s=1.0)
    payload = make_snapshot(open_questions=1)

    await stack.publish(payload)
    await stack.wait_for(STATUS, "completed", id=payload["invitationId"])

    limited, retried, summary = llm.requests
    assert (limited.status, retried.status, summary.kind) == (429, 200, "summary")
    assert retried.user == limited.user
    # Measured on the stand-in's clock: the retry arrived no sooner than the 429 answer plus its retry-after.
    assert retried.arrived - limited.answered >= llm.retry_after_s


async def test_without_an_api_key_the_offline_engine_scores_and_every_view_says_so(
    run_stack: StackFactory,
    settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    llm.reset()
    stack = await run_stack(settings)
    payload = make_snapshot(open_questions=2)
    invitation = payload["invitationId"]

    await stack.publish(payload)
    started, completed = await outcome_events(stack, 2)

    assert (started.payload["engine"], completed.payload["engine"]) == ("offline", "offline")
    assert completed.payload["totalTokensUsed"] == 0 and completed.payload["modelUsed"] is None
    hr = (await stack.client.get(f"/api/v1/analysis/{invitation}", headers=as_user(payload["hrUserId"], "hr"))).json()
    assert hr["engine"] == "offline"
    assert all(q["feedback"].startswith("Offline heuristic") for q in hr["questionAnalyses"][:2])
    assert all(c["evidenceStatus"] == "verified" for q in hr["questionAnalyses"][:2] for c in q["criteriaScores"])
    assert "not from a language model" in hr["summary"]
    assert llm.requests == []


async def test_an_invitation_completed_without_an_invitation_id_is_dead_lettered_and_records_nothing(
    run_stack: StackFactory,
    settings: Settings,
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    stack = await run_stack(settings)
    broken = make_snapshot()
    aggregate_id = broken.pop("invitationId")
    envelope = Envelope(
        event_type="invitation.completed", source="interviews", aggregate_id=aggregate_id, payload=broken
    )
    await stack.producer.send_and_wait(stack.settings.topic("interview-events"), envelope.to_json())

    (dead,) = await consume(stack.settings.kafka_bootstrap, stack.settings.topic("interview-events") + "-dlq", 1)

    headers = {k: v.decode() for k, v in dead.headers}
    assert "invitationId" in headers["dlq-error-message"]
    assert (
        await stack.scalar("SELECT count(*) FROM analysis_results WHERE candidate_id = :id", id=broken["candidateId"])
        == 0
    )


async def test_a_provider_that_keeps_rate_limiting_fails_the_analysis_with_the_reason(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    stack = await run_stack(llm_settings.model_copy(update={"llm_max_rate_limit_retries": 2}))
    llm.reset(default="rate_limited", retry_after_s=0.05)
    payload = make_snapshot(open_questions=1)

    await stack.publish(payload)
    await stack.wait_for(STATUS, "failed", id=payload["invitationId"])

    reason = await stack.scalar(
        "SELECT error_message FROM analysis_results WHERE invitation_id = :id", id=payload["invitationId"]
    )
    assert reason == TOO_BUSY
    assert [r.status for r in llm.requests] == [429, 429, 429]
    assert all(
        later.arrived - earlier.answered >= llm.retry_after_s for earlier, later in itertools.pairwise(llm.requests)
    )

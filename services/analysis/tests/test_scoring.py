"""Scoring rules, the offline engine and the rate limiter, without servers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from analysis.domain import InterviewSnapshot, SnapshotQuestion, SnapshotResponse, TimedSegment
from analysis.llm import RateLimiter
from analysis.offline import OfflineEngine
from analysis.scoring import (
    NO_TRANSCRIPT,
    NOT_ANSWERED,
    locate,
    reconcile,
    score_choice,
    score_interview,
    verify_quote,
)
from kit.contracts.interviews import InvitationCompleted, OptionSnapshot, QuestionSnapshot, ResponseSnapshot

ANSWER = "First I would measure the read patterns.\nThen I  would add a write-through cache."
CHOICE = SnapshotQuestion.model_validate(
    {
        "id": "mc",
        "text": "Pick the O(1) structure",
        "type": "multiple_choice",
        "options": [{"id": "a", "text": "Linked list"}, {"id": "b", "text": "Hash map", "isCorrect": True}],
    }
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("Then I would add a write-through cache", ("Then I would add a write-through cache", "verified")),
        ("“FIRST I WOULD MEASURE”", ("FIRST I WOULD MEASURE", "verified")),
        ("I would shard the database", (None, "not_found")),
        ("", (None, "none")),
        (None, (None, "none")),
    ],
)
def test_a_quote_counts_as_evidence_only_when_it_occurs_in_the_answer(
    quote: str | None, expected: tuple[str | None, str]
) -> None:
    assert verify_quote(quote, ANSWER) == expected


@pytest.mark.parametrize(
    ("proposed", "score", "expected"),
    [("hire", 60, "consider"), ("reject", 90, "reject"), ("consider", 80, "consider"), (None, 49, "reject")],
)
def test_the_more_cautious_of_the_engine_and_the_score_thresholds_wins(
    proposed: Any, score: int, expected: str
) -> None:
    assert reconcile(proposed, score) == expected


@pytest.mark.parametrize(
    ("response", "correct", "score"),
    [
        ({"questionId": "mc", "selectedOptionId": "b"}, True, 100),
        ({"questionId": "mc", "textAnswer": " hash MAP "}, True, 100),
        ({"questionId": "mc", "textAnswer": "b"}, True, 100),
        ({"questionId": "mc", "selectedOptionId": "a"}, False, 0),
        ({"questionId": "mc", "textAnswer": "a tree"}, False, 0),
    ],
)
def test_multiple_choice_is_scored_by_correctness_by_option_id_or_text(
    response: dict[str, Any], correct: bool, score: int
) -> None:
    outcome = score_choice(CHOICE, SnapshotResponse.model_validate(response))

    assert (outcome.is_correct, outcome.score, outcome.criteria_scores) == (correct, score, [])


async def test_unanswered_questions_score_zero_and_recordings_without_transcript_are_not_scored(
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    payload = make_snapshot(open_questions=1)
    payload["questions"] += [
        {"id": "skipped", "text": "Tell us about a failure you learned from.", "type": "text", "order": 10},
        {"id": "video", "text": "Introduce yourself on camera.", "type": "video", "order": 11},
    ]
    payload["responses"].append({"questionId": "video", "responseType": "video", "textAnswer": None})

    outcome = await score_interview(OfflineEngine(), InterviewSnapshot.model_validate(payload))

    by_id = {q.question_id: q for q in outcome.questions}
    assert (by_id["skipped"].score, by_id["skipped"].feedback) == (0, NOT_ANSWERED)
    assert (by_id["video"].score, by_id["video"].feedback) == (None, NO_TRANSCRIPT)
    scored = [q.score for q in outcome.questions if q.score is not None]
    assert outcome.overall_score == round(sum(scored) / len(scored))
    assert "1 question(s) left unanswered" in outcome.weaknesses


async def test_the_offline_engine_rewards_an_on_topic_reasoned_answer_over_an_evasive_one() -> None:
    question = SnapshotQuestion(id="q", text="How would you design a scalable caching layer for a product catalogue?")
    reasoned = (
        "First I would measure which catalogue pages are read most, because caching only pays off for hot keys. "
        "Then I would design a write-through caching layer in front of the product database, for example with "
        "Redis, so the catalogue stays consistent. Finally I would watch the hit ratio and scale the layer out."
    )
    evasive = "I like working in teams and I am very motivated."

    good = await OfflineEngine().judge(question, reasoned, language="en")
    poor = await OfflineEngine().judge(question, evasive, language="en")

    assert all(good.criteria[c] > poor.criteria[c] for c in ("relevance", "completeness", "clarity", "depth"))
    assert all(verify_quote(q, reasoned)[1] == "verified" for q in good.evidence.values())
    assert good.feedback.startswith("Offline heuristic scoring (no language model)")


async def test_the_limiter_lets_a_tenth_of_a_minute_through_at_once_then_paces_by_the_rest() -> None:
    now = 0.0
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        nonlocal now
        waits.append(seconds)
        now += seconds

    # 6 a minute: a bucket of one request, refilled at the other five a minute (one per 12 s).
    limiter = RateLimiter(requests_per_minute=6, tokens_per_minute=1_000_000, clock=lambda: now, sleep=sleep)
    for _ in range(8):
        await limiter.acquire(10)

    assert waits == [pytest.approx(12.0)] * 7


@pytest.mark.parametrize(("smallest", "spread"), [(20, 80), (50, 400)], ids=["requests-bind", "tokens-bind"])
async def test_no_sixty_seconds_carry_more_requests_or_tokens_than_the_limits(smallest: int, spread: int) -> None:
    now = 0.0

    async def sleep(seconds: float) -> None:
        nonlocal now
        now += seconds

    limiter = RateLimiter(requests_per_minute=600, tokens_per_minute=60_000, clock=lambda: now, sleep=sleep)
    calls: list[tuple[float, int]] = []
    for i in range(3_000):
        tokens = smallest + (i * 37) % spread
        await limiter.acquire(tokens)
        calls.append((now, tokens))
        if i % 500 == 0:
            now += 90.0  # a quiet spell: the buckets fill up again
    for first, (start, _) in enumerate(calls):
        window = [tokens for at, tokens in calls[first:] if at < start + 60.0]
        assert len(window) <= 600 and sum(window) <= 60_000, f"{len(window)} calls, {sum(window)} tokens at {start}"
    # The limits are used, not just kept: a busy stretch goes at nine tenths of the binding limit.
    elapsed = calls[499][0] - calls[1][0]
    used = max(498 / 600, sum(tokens for _, tokens in calls[2:500]) / 60_000) * 60.0
    assert elapsed <= used / 0.9


async def test_the_limiter_waits_for_tokens_and_for_a_provider_pause() -> None:
    now = 0.0

    async def sleep(seconds: float) -> None:
        nonlocal now
        now += seconds

    # 600 tokens a minute: a bucket of 60, refilled at 9 a second.
    limiter = RateLimiter(requests_per_minute=1000, tokens_per_minute=600, clock=lambda: now, sleep=sleep)
    await limiter.acquire(600)  # larger than the bucket: goes when it is full and leaves a debt of 540
    await limiter.acquire(100)  # waits for the debt and a full bucket: (540 + 60) / 9 s
    assert now == pytest.approx(600 / 9)

    limiter.settle(100, 400)  # the call really used 300 more than estimated: a debt later callers wait for
    limiter.pause(45.0)
    await asyncio.wait_for(limiter.acquire(1), 1)
    # The pause (45 s) is longer than the debt's (40 + 300 + 1) / 9 = 37.9 s.
    assert now == pytest.approx(600 / 9 + 45.0)


async def test_the_limiter_records_how_long_each_call_waited_for_it() -> None:
    now = 0.0

    async def sleep(seconds: float) -> None:
        nonlocal now
        now += seconds

    def observed() -> tuple[float, float]:
        count = REGISTRY.get_sample_value("analysis_service_llm_limiter_wait_seconds_count") or 0.0
        return count, REGISTRY.get_sample_value("analysis_service_llm_limiter_wait_seconds_sum") or 0.0

    limiter = RateLimiter(requests_per_minute=6, tokens_per_minute=1_000_000, clock=lambda: now, sleep=sleep)
    before = observed()
    for _ in range(3):
        await limiter.acquire(10)
    after = observed()

    # The first call went straight through the bucket of one; the other two waited the 12 s a request refills in.
    assert after[0] - before[0] == 3
    assert after[1] - before[1] == pytest.approx(24.0)


async def test_the_interviews_services_own_invitation_completed_contract_is_read_and_scored() -> None:
    event = InvitationCompleted(
        invitation_id=str(uuid.uuid4()),
        candidate_id=str(uuid.uuid4()),
        company_id=str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend engineer",
        company_name="Acme",
        completed_at=datetime.now(UTC),
        completed_reason="manual",
        language="en",
        questions=[
            QuestionSnapshot(
                id="q1", text="Why cache?", type="text", order=1, order_index=0, time_limit=60, required=True
            ),
            QuestionSnapshot(
                id="q2",
                text="Pick the O(1) structure",
                type="multiple_choice",
                order=2,
                order_index=1,
                time_limit=60,
                required=True,
                options=[
                    OptionSnapshot(id="a", text="List", is_correct=False),
                    OptionSnapshot(id="b", text="Hash map", is_correct=True),
                ],
            ),
            QuestionSnapshot(
                id="q3", text="Introduce yourself", type="video", order=3, order_index=2, time_limit=60, required=False
            ),
        ],
        responses=[
            ResponseSnapshot(
                id="r1", question_id="q1", response_type="text", text_answer="Because reads repeat.", duration=30
            ),
            ResponseSnapshot(
                id="r2",
                question_id="q2",
                response_type="multiple_choice",
                text_answer="Hash map",
                selected_option_id="b",
                duration=5,
            ),
            ResponseSnapshot(id="r3", question_id="q3", response_type="video", media_id="m1", duration=40),
        ],
        hr_user_id=str(uuid.uuid4()),
        hr_email="hr@example.com",
        response_count=3,
    )

    snapshot = InterviewSnapshot.model_validate(event.payload())
    outcome = await score_interview(OfflineEngine(), snapshot)

    assert snapshot.owner == event.hr_user_id
    assert [(q.question_id, q.is_correct, q.score is None) for q in outcome.questions] == [
        ("q1", None, False),
        ("q2", True, False),
        ("q3", None, True),
    ]


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("first i would", (0.0, 2.0)),
        ("measure  the READ patterns", (0.0, 4.5)),
        ("patterns. Then", (2.0, 7.25)),
        ("write-through cache.", (5.0, 7.25)),
        ("a cache the interviewer never heard", None),
        ("", None),
    ],
)
def test_a_quote_is_placed_from_the_first_to_the_last_transcript_segment_it_spans(
    quote: str, expected: tuple[float, float] | None
) -> None:
    segments = [
        TimedSegment(start=0.0, end=2.0, text=" First I would measure"),
        TimedSegment(start=2.0, end=4.5, text=" the read patterns."),
        TimedSegment(start=4.5, end=5.0, text="   "),
        TimedSegment(start=5.0, end=7.25, text=" Then I would add a write-through cache."),
    ]

    assert locate(quote, segments) == expected

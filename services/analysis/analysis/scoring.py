"""How an interview is scored, whatever engine judges the open answers (the reference's scoring,
with its defects fixed as noted below).

- Multiple-choice answers are scored by correctness, never by the model.
- An open answer gets four criteria (relevance, completeness, clarity, depth; clarity is the structure
  of the reasoning, not accent or fluency), each with a short quote from the answer as evidence. A quote
  that does not occur in the answer is dropped and flagged, never shown as evidence.
- A question with a rubric (the hiring team's criteria, weights and anchors) is scored on those criteria
  instead, under their names and weights, with the same evidence rule.
- A question's score is the weighted mean of its criteria; the overall score is the mean of the question scores,
  and the score-based recommendation uses that same overall score (the reference mixed two averages).
  The engine's proposed recommendation is reconciled with it: the more conservative one wins.
- Unanswered questions score 0 and say so (the reference skipped them silently). An answer that has no
  text (a recording without transcript) is not scored rather than given an invented score, and the overall
  score says how many answers it rests on.
- A recorded answer is judged on its transcript; each verified quote carries the start of the first and the
  end of the last transcript segment it spans, so HR can play the moment back.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, Field

from analysis.domain import (
    Engine,
    InterviewOutcome,
    InterviewSnapshot,
    QuestionOutcome,
    Recommendation,
    SnapshotQuestion,
    SnapshotResponse,
    TimedSegment,
    TranscriptText,
    Usage,
)

CRITERIA = ("relevance", "completeness", "clarity", "depth")
CRITERION_WEIGHT = 0.25
GENERIC = tuple((c, CRITERION_WEIGHT) for c in CRITERIA)
HIRE_AT, CONSIDER_AT = 75, 50
MAX_QUOTE_CHARS = 200
NOT_ANSWERED = "The candidate did not answer this question."
NO_TRANSCRIPT = "No transcript is available for this recorded answer, so it was not scored."
QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019"
_CAUTION = {"reject": 0, "consider": 1, "hire": 2}


class Judgement(BaseModel):
    """What an engine says about one open answer, before evidence is checked."""

    score: int | None = None
    feedback: str = ""
    criteria: dict[str, int] = Field(default_factory=dict)
    evidence: dict[str, str | None] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)


class Summary(BaseModel):
    summary: str
    strengths: list[str]
    weaknesses: list[str]
    recommendation: Recommendation | None
    usage: Usage = Field(default_factory=Usage)


class ScoringEngine(Protocol):
    name: ClassVar[Engine]
    model: str | None
    prompt_version: str | None

    async def judge(self, question: SnapshotQuestion, answer: str, *, language: str) -> Judgement: ...

    async def summarise(self, snapshot: InterviewSnapshot, questions: Sequence[QuestionOutcome]) -> Summary: ...


def clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def score_recommendation(score: int) -> Recommendation:
    return "hire" if score >= HIRE_AT else "consider" if score >= CONSIDER_AT else "reject"


def reconcile(proposed: Recommendation | None, score: int) -> Recommendation:
    by_score = score_recommendation(score)
    if proposed is None:
        return by_score
    return min(proposed, by_score, key=_CAUTION.__getitem__)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def verify_quote(quote: str | None, answer: str) -> tuple[str | None, str]:
    """The quote if it really occurs in the answer (whitespace and case aside), and its status."""
    if not quote or not quote.strip():
        return None, "none"
    cleaned = quote.strip().strip(QUOTE_MARKS).strip()
    if cleaned and len(cleaned) <= MAX_QUOTE_CHARS * 2 and _normalise(cleaned) in _normalise(answer):
        return cleaned, "verified"
    return None, "not_found"


def locate(quote: str, segments: Sequence[TimedSegment]) -> tuple[float, float] | None:
    """Start and end (seconds) of the transcript segments a quote spans, if the segments contain it."""
    needle = _normalise(quote)
    spans: list[tuple[int, TimedSegment]] = []  # where each segment ends in the joined text
    joined = ""
    for segment in segments:
        words = _normalise(segment.text)
        if words:
            joined = f"{joined} {words}" if joined else words
            spans.append((len(joined), segment))
    at = joined.find(needle) if needle else -1
    if at < 0:
        return None
    first = next(segment for end, segment in spans if at < end)
    last = next(segment for end, segment in spans if at + len(needle) <= end)
    return first.start, last.end


def criteria_of(question: SnapshotQuestion) -> list[tuple[str, float]]:
    """The criteria an open answer is scored on, with their weights: its rubric's, else the generic four."""
    if question.rubric:
        return [(c.name, c.weight) for c in question.rubric]
    return list(GENERIC)


def criteria_rows(
    judgement: Judgement,
    answer: str,
    segments: Sequence[TimedSegment] = (),
    criteria: Sequence[tuple[str, float]] = GENERIC,
) -> list[dict[str, Any]]:
    rows = []
    for criterion, weight in criteria:
        score = judgement.criteria.get(criterion)
        if score is None:
            score = judgement.score if judgement.score is not None else 0
        evidence, status = verify_quote(judgement.evidence.get(criterion), answer)
        row: dict[str, Any] = {
            "criterion": criterion,
            "score": clamp(score),
            "weight": weight,
            "evidence": evidence,
            "evidenceStatus": status,
        }
        timed = locate(evidence, segments) if evidence and segments else None
        if timed is not None:
            row["evidenceStartS"], row["evidenceEndS"] = timed
        rows.append(row)
    return rows


def score_choice(question: SnapshotQuestion, response: SnapshotResponse) -> QuestionOutcome:
    """Correctness of a multiple-choice answer, matched by option id or (as the web sends it) option text."""
    by_id = {o.id: o for o in question.options if o.id}
    by_text = {_normalise(o.text): o for o in question.options}
    chosen_ids = [
        *response.selected_option_ids,
        *([response.selected_option_id] if response.selected_option_id else []),
    ]
    chosen = [by_id[i] for i in chosen_ids if i in by_id]
    if not chosen and response.text:
        option = by_id.get(response.text) or by_text.get(_normalise(response.text))
        chosen = [option] if option else []
    correct = {id(o) for o in question.options if o.is_correct}
    is_correct = bool(chosen) and {id(o) for o in chosen} == correct
    answer_text = ", ".join(o.text for o in chosen) or response.text or None
    feedback = (
        "Correct answer."
        if is_correct
        else "Incorrect answer."
        if chosen
        else "The answer does not match any of the options."
    )
    return QuestionOutcome(
        question_id=question.id,
        question_text=question.text,
        question_type=question.type,
        response_text=answer_text,
        score=100 if is_correct else 0,
        feedback=feedback,
        is_correct=is_correct,
    )


def _unscored(
    question: SnapshotQuestion, response_text: str | None, feedback: str, score: int | None
) -> QuestionOutcome:
    return QuestionOutcome(
        question_id=question.id,
        question_text=question.text,
        question_type=question.type,
        response_text=response_text,
        score=score,
        feedback=feedback,
        is_correct=False if question.type == "multiple_choice" else None,
    )


async def _score_question(
    engine: ScoringEngine,
    snapshot: InterviewSnapshot,
    question: SnapshotQuestion,
    transcripts: Mapping[str, TranscriptText],
) -> QuestionOutcome:
    response = snapshot.response_to(question.id)
    if response is None:
        return _unscored(question, None, NOT_ANSWERED, 0)
    if question.type == "multiple_choice" and question.options:
        return score_choice(question, response)
    answer, segments = response.text, list[TimedSegment]()
    if response.media_id:
        transcript = transcripts.get(response.media_id)
        if transcript is None:
            return _unscored(question, None, NO_TRANSCRIPT, None)
        answer, segments = transcript.text.strip(), transcript.segments
    if not answer:
        recorded = (response.response_type or question.type) in ("video", "audio")
        return _unscored(question, None, NO_TRANSCRIPT if recorded else NOT_ANSWERED, None if recorded else 0)
    judgement = await engine.judge(question, answer, language=snapshot.language)
    criteria = criteria_rows(judgement, answer, segments, criteria_of(question))
    return QuestionOutcome(
        question_id=question.id,
        question_text=question.text,
        question_type=question.type,
        response_text=answer,
        score=clamp(sum(c["score"] * c["weight"] for c in criteria) / sum(c["weight"] for c in criteria)),
        feedback=judgement.feedback.strip() or "No feedback provided.",
        criteria_scores=criteria,
        usage=judgement.usage,
    )


async def score_interview(
    engine: ScoringEngine, snapshot: InterviewSnapshot, transcripts: Mapping[str, TranscriptText] | None = None
) -> InterviewOutcome:
    """Every question concurrently (the engine's limiter paces the calls), then the summary; recorded
    answers are read from `transcripts` (by media id) and are not analysable without one."""
    started = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(_score_question(engine, snapshot, q, transcripts or {}))
                for q in snapshot.ordered_questions()
            ]
    except ExceptionGroup as errors:
        # One question that cannot be scored fails the analysis; the group cancelled the other calls.
        failed = errors.subgroup(ScoringFailed)
        if failed is None:
            raise
        raise failed.exceptions[0] from None
    questions = [task.result() for task in tasks]
    scored = [q.score for q in questions if q.score is not None]
    if not scored:
        raise NothingToScore("No question of this interview could be scored")
    overall = clamp(sum(scored) / len(scored))
    summary = await engine.summarise(snapshot, questions)
    usage = sum((q.usage for q in questions), Usage()) + summary.usage
    return InterviewOutcome(
        questions=questions,
        overall_score=overall,
        summary=summary.summary,
        strengths=summary.strengths,
        weaknesses=summary.weaknesses,
        recommendation=reconcile(summary.recommendation, overall),
        usage=usage,
        processing_time_ms=round((time.perf_counter() - started) * 1000),
    )


class ScoringFailed(Exception):
    """The analysis cannot finish; the message is the reason stored and published."""


class NothingToScore(ScoringFailed):
    pass

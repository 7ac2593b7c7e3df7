"""Read side: the HR view, the candidate's explanation (bands and quotes per answer, never a score or the
verdict) and the status."""

from __future__ import annotations

import uuid
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from analysis import access
from analysis.domain import (
    AnalysisNotFound,
    AnalysisResult,
    AnalysisRow,
    AnalysisStatus,
    AnalysisStatusRow,
    ExplanationNotReady,
    QuestionAnalysis,
    band_of,
)
from analysis.schemas import (
    AnalysisStatusView,
    AnalysisView,
    CandidateExplanation,
    CriterionView,
    ExplainedAnswer,
    ExplainedCriterion,
    QuestionAnalysisView,
)
from kit import db
from kit.auth import Principal

# The statements are built once: one built per call is cache-keyed again on every call.
_WITH_QUESTIONS = (
    select(AnalysisResult)
    .where(AnalysisResult.invitation_id == bindparam("invitation_id"))
    .options(joinedload(AnalysisResult.questions))
)

_QUESTION = QuestionAnalysis.__table__.c
# A question's columns that its view shows, as one JSON object; the keys are fixed, so written into the SQL.
_QUESTION_JSON = func.jsonb_build_object(
    *chain.from_iterable(
        (literal_column(f"'{name}'"), _QUESTION[name])
        for name in QuestionAnalysisView.model_fields
        if name != "analysable"
    )
)
# An analysis's questions as one JSON array in the analysis's own row, in their order: the HR view is one
# statement (`selectinload` was a second), compiled once and run on the driver (~100 µs of CPU where a
# SQLAlchemy statement costs ~600, a read's largest part).
_QUESTIONS_JSON = (
    select(
        func.coalesce(
            func.jsonb_agg(aggregate_order_by(_QUESTION_JSON, _QUESTION.position)),
            literal_column("'[]'::jsonb"),
            type_=JSONB,
        )
    )
    .where(_QUESTION.analysis_id == AnalysisResult.id)
    .scalar_subquery()
)
_FOR_REVIEW = db.Query(
    select(
        *(AnalysisResult.__table__.c[name] for name in AnalysisRow._fields[:-1]), _QUESTIONS_JSON.label("questions")
    ).where(AnalysisResult.invitation_id == bindparam("invitation_id")),
    AnalysisRow,
)
_STATUS = db.Query(
    select(*(AnalysisResult.__table__.c[name] for name in AnalysisStatusRow._fields)).where(
        AnalysisResult.invitation_id == bindparam("invitation_id")
    ),
    AnalysisStatusRow,
)


async def _load(session: AsyncSession, invitation_id: uuid.UUID) -> AnalysisResult:
    result = await session.scalars(_WITH_QUESTIONS, {"invitation_id": invitation_id})
    analysis = result.unique().one_or_none()
    if analysis is None:
        raise AnalysisNotFound(f"No analysis for invitation {invitation_id}")
    return analysis


def _question(q: dict[str, Any]) -> QuestionAnalysisView:
    return QuestionAnalysisView.model_validate(
        {
            **q,
            "criteria_scores": [CriterionView.model_validate(c) for c in q["criteria_scores"]],
            "analysable": q["score"] is not None,
        }
    )


async def analysis_view(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AnalysisView:
    analysis = await _FOR_REVIEW.one(session, invitation_id=invitation_id)
    if analysis is None:
        raise AnalysisNotFound(f"No analysis for invitation {invitation_id}")
    access.ensure_may_review(caller, analysis)
    fields = {k: getattr(analysis, k) for k in AnalysisView.model_fields if k != "question_analyses"}
    return AnalysisView.model_validate({**fields, "question_analyses": [_question(q) for q in analysis.questions]})


async def explanation(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> CandidateExplanation:
    """The candidate's own answers explained on the rubric: per criterion a band, the "good" anchor and a quote the
    scoring verified in the answer. A multiple-choice answer is left out (its verdict would tell the right option
    of a template that may still be inviting others), and so is an answer that was not scored."""
    analysis = await _load(session, invitation_id)
    access.ensure_candidate_of(caller, analysis)
    if analysis.status != AnalysisStatus.COMPLETED:
        raise ExplanationNotReady("The explanation of this interview is not ready yet")
    anchors = {
        question.id: {criterion.name: criterion.good for criterion in question.rubric}
        for question in analysis.snapshot.questions
    }
    answers = [
        ExplainedAnswer(
            question_id=q.question_id,
            question_text=q.question_text,
            criteria=[
                ExplainedCriterion(
                    criterion=c["criterion"],
                    band=band_of(int(c["score"])),
                    looked_for=anchors.get(q.question_id, {}).get(c["criterion"]) or None,
                    evidence=c.get("evidence") if c.get("evidenceStatus") == "verified" else None,
                )
                for c in q.criteria_scores
            ],
        )
        for q in analysis.questions
        if q.question_type != "multiple_choice" and q.score is not None and q.response_text and q.criteria_scores
    ]
    return CandidateExplanation(invitation_id=analysis.invitation_id, answers=answers)


async def analysis_status(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AnalysisStatusView:
    analysis = await _STATUS.one(session, invitation_id=invitation_id)
    if analysis is None:
        return AnalysisStatusView(found=False, invitation_id=invitation_id, status="not_found")
    access.ensure_may_follow(caller, analysis)
    return AnalysisStatusView.of(analysis)

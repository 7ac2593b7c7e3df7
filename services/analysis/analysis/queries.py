"""Read side: the HR view, the candidate's explanation (bands and quotes per answer, never a score or the
verdict) and the status."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from analysis import access
from analysis.domain import (
    AnalysisNotFound,
    AnalysisResult,
    AnalysisStatus,
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
from kit.auth import Principal

# Built once (a statement built per call is cache-keyed again on every call). The questions come in the same
# statement, joined: `selectinload` was a second statement, and each costs a round trip and ~600 µs of CPU.
_BY_INVITATION = select(AnalysisResult).where(AnalysisResult.invitation_id == bindparam("invitation_id"))
_WITH_QUESTIONS = _BY_INVITATION.options(joinedload(AnalysisResult.questions))


async def _load(session: AsyncSession, invitation_id: uuid.UUID) -> AnalysisResult:
    result = await session.scalars(_WITH_QUESTIONS, {"invitation_id": invitation_id})
    analysis = result.unique().one_or_none()
    if analysis is None:
        raise AnalysisNotFound(f"No analysis for invitation {invitation_id}")
    return analysis


def _question(q: QuestionAnalysis) -> QuestionAnalysisView:
    return QuestionAnalysisView.model_validate(
        {
            **{
                k: getattr(q, k)
                for k in QuestionAnalysisView.model_fields
                if k not in ("criteria_scores", "analysable")
            },
            "criteria_scores": [CriterionView.model_validate(c) for c in q.criteria_scores],
            "analysable": q.score is not None,
        }
    )


async def analysis_view(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AnalysisView:
    analysis = await _load(session, invitation_id)
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
    analysis = await session.scalar(_BY_INVITATION, {"invitation_id": invitation_id})
    if analysis is None:
        return AnalysisStatusView(found=False, invitation_id=invitation_id, status="not_found")
    access.ensure_may_follow(caller, analysis)
    return AnalysisStatusView.of(analysis)

"""Read side: the HR view, the candidate's view (scores and feedback, without the criteria, evidence and
provenance HR sees), the status, and the list."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from analysis import access
from analysis.domain import AnalysisNotFound, AnalysisResult, QuestionAnalysis
from analysis.schemas import (
    AnalysisListItem,
    AnalysisStatusView,
    AnalysisView,
    CandidateAnalysisView,
    CandidateQuestionView,
    CriterionView,
    QuestionAnalysisView,
)
from kit.auth import Principal
from kit.schemas import Page, paginate


async def _load(session: AsyncSession, invitation_id: uuid.UUID, *, questions: bool) -> AnalysisResult:
    query = select(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id)
    if questions:
        query = query.options(selectinload(AnalysisResult.questions))
    analysis = await session.scalar(query)
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
    analysis = await _load(session, invitation_id, questions=True)
    access.ensure_may_review(caller, analysis)
    fields = {k: getattr(analysis, k) for k in AnalysisView.model_fields if k != "question_analyses"}
    return AnalysisView.model_validate({**fields, "question_analyses": [_question(q) for q in analysis.questions]})


async def candidate_view(
    session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal
) -> CandidateAnalysisView:
    analysis = await _load(session, invitation_id, questions=True)
    access.ensure_candidate_of(caller, analysis)
    fields = {k: getattr(analysis, k) for k in CandidateAnalysisView.model_fields if k != "question_analyses"}
    questions = [_candidate_question(q) for q in analysis.questions]
    return CandidateAnalysisView.model_validate({**fields, "question_analyses": questions})


# A multiple-choice answer's score (100 or 0) and feedback ("Correct answer.") would tell the candidate, and
# whoever they pass it on to, the right option of a template that may still be inviting others: candidates see
# their choice, never its verdict. HR's review keeps both.
CHOICE_FEEDBACK = "Your choice is recorded; whether it was right is for the interviewer's review."


def _candidate_question(q: QuestionAnalysis) -> CandidateQuestionView:
    choice = q.question_type == "multiple_choice"
    score = None if choice else q.score
    return CandidateQuestionView(
        question_id=q.question_id,
        question_text=q.question_text,
        question_type=q.question_type,
        response_text=q.response_text,
        score=score,
        feedback=CHOICE_FEEDBACK if choice else q.feedback,
        analysable=score is not None,
    )


async def analysis_status(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AnalysisStatusView:
    analysis = await session.scalar(select(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id))
    if analysis is None:
        return AnalysisStatusView(found=False, invitation_id=invitation_id, status="not_found")
    access.ensure_may_follow(caller, analysis)
    return AnalysisStatusView.of(analysis)


async def list_analyses(
    session: AsyncSession,
    *,
    caller: Principal,
    status: str | None,
    candidate_id: uuid.UUID | None,
    page: int,
    limit: int,
) -> Page[AnalysisListItem]:
    """Admins list every analysis, HR the ones of invitations they sent; newest first."""
    query = select(AnalysisResult)
    if not caller.has("admin"):
        query = query.where(AnalysisResult.hr_user_id == caller.user_id.lower())
    if status is not None:
        query = query.where(AnalysisResult.status == status)
    if candidate_id is not None:
        query = query.where(AnalysisResult.candidate_id == str(candidate_id))
    rows, total = await paginate(
        session, query.order_by(AnalysisResult.created_at.desc(), AnalysisResult.id), page=page, limit=limit
    )
    return Page[AnalysisListItem].of(
        [AnalysisListItem.model_validate(row) for (row,) in rows], total=total, page=page, limit=limit
    )

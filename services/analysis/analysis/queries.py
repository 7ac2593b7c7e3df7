"""Read side: the HR view, the candidate's view (only what the contract shows a candidate), status, list."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from analysis.commands import can_review
from analysis.domain import AnalysisNotFound, AnalysisResult, QuestionAnalysis
from kit.auth import Principal
from kit.errors import Forbidden
from kit.schemas import Page, View


class CriterionView(View):
    criterion: str
    score: int
    weight: float
    evidence: str | None = None
    evidence_status: str = "none"
    # Where the quote is in the recording (seconds), for an answer judged on its transcript.
    evidence_start_s: float | None = None
    evidence_end_s: float | None = None


class QuestionAnalysisView(View):
    id: uuid.UUID
    question_id: str
    question_text: str
    question_type: str
    response_text: str | None
    score: int | None
    feedback: str
    criteria_scores: list[CriterionView]
    is_correct: bool | None
    tokens_used: int
    # False for a recorded answer without transcript: it has no score and the overall score leaves it out.
    analysable: bool


class AnalysisView(View):
    """What HR and admins see (the reference's shape, plus the summary it left out and the provenance)."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    candidate_id: str | None
    template_id: str | None
    template_title: str
    company_name: str
    status: str
    overall_score: int | None
    scored_answers: int | None
    total_answers: int | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    recommendation: str | None
    language: str
    engine: str | None
    model_used: str | None
    prompt_version: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens_used: int
    processing_time_ms: int
    error_message: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    question_analyses: list[QuestionAnalysisView]


class CandidateQuestionView(View):
    question_id: str
    question_text: str
    question_type: str
    response_text: str | None
    score: int | None
    feedback: str
    analysable: bool


class CandidateAnalysisView(View):
    id: uuid.UUID
    invitation_id: uuid.UUID
    template_title: str
    company_name: str
    status: str
    overall_score: int | None
    scored_answers: int | None
    total_answers: int | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    recommendation: str | None
    language: str
    engine: str | None
    completed_at: datetime | None
    question_analyses: list[CandidateQuestionView]


class AnalysisStatusView(View):
    found: bool
    id: uuid.UUID | None = None
    invitation_id: uuid.UUID
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AnalysisListItem(View):
    id: uuid.UUID
    invitation_id: uuid.UUID
    candidate_id: str | None
    template_id: str | None
    template_title: str
    company_name: str
    status: str
    overall_score: int | None
    scored_answers: int | None
    total_answers: int | None
    recommendation: str | None
    engine: str | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None


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


async def analysis_view(session: AsyncSession, invitation_id: uuid.UUID, user: Principal) -> AnalysisView:
    user.require("admin", "hr")
    analysis = await _load(session, invitation_id, questions=True)
    if not can_review(user, analysis):
        raise Forbidden("Only the HR user who sent the invitation, or an admin, can read its analysis")
    fields = {k: getattr(analysis, k) for k in AnalysisView.model_fields if k != "question_analyses"}
    return AnalysisView.model_validate({**fields, "question_analyses": [_question(q) for q in analysis.questions]})


async def candidate_view(session: AsyncSession, invitation_id: uuid.UUID, user: Principal) -> CandidateAnalysisView:
    user.require("candidate")
    analysis = await _load(session, invitation_id, questions=True)
    if analysis.candidate_id != user.user_id.lower():
        raise Forbidden("This analysis belongs to another candidate")
    fields = {k: getattr(analysis, k) for k in CandidateAnalysisView.model_fields if k != "question_analyses"}
    questions = [
        CandidateQuestionView(
            question_id=q.question_id,
            question_text=q.question_text,
            question_type=q.question_type,
            response_text=q.response_text,
            score=q.score,
            feedback=q.feedback,
            analysable=q.score is not None,
        )
        for q in analysis.questions
    ]
    return CandidateAnalysisView.model_validate({**fields, "question_analyses": questions})


async def analysis_status(session: AsyncSession, invitation_id: uuid.UUID, user: Principal) -> AnalysisStatusView:
    user.require("admin", "hr", "candidate")
    analysis = await session.scalar(select(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id))
    if analysis is None:
        return AnalysisStatusView(found=False, invitation_id=invitation_id, status="not_found")
    own_candidate = user.has("candidate") and analysis.candidate_id == user.user_id.lower()
    if not (own_candidate or can_review(user, analysis)):
        raise Forbidden("This analysis belongs to another user")
    return AnalysisStatusView(
        found=True,
        id=analysis.id,
        invitation_id=analysis.invitation_id,
        status=analysis.status,
        created_at=analysis.created_at,
        updated_at=analysis.updated_at,
    )


async def list_analyses(
    session: AsyncSession,
    user: Principal,
    *,
    status: str | None,
    candidate_id: uuid.UUID | None,
    page: int,
    limit: int,
) -> Page[AnalysisListItem]:
    user.require("admin", "hr")
    query = select(AnalysisResult)
    if not user.has("admin"):
        query = query.where(AnalysisResult.hr_user_id == user.user_id.lower())
    if status is not None:
        query = query.where(AnalysisResult.status == status)
    if candidate_id is not None:
        query = query.where(AnalysisResult.candidate_id == str(candidate_id))
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(AnalysisResult.created_at.desc(), AnalysisResult.id).offset((page - 1) * limit).limit(limit)
    )
    return Page[AnalysisListItem](
        items=[AnalysisListItem.model_validate(r) for r in rows],
        total=total,
        page=page,
        limit=limit,
        total_pages=math.ceil(total / limit) if total else 0,
    )

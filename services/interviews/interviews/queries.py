"""The read side: the reference's response shapes (§5.1) built from rows, with the access rules of
design.md §5 (HR their own, candidates their own, admin everything)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from interviews.domain import (
    Invitation,
    InvitationAccessDenied,
    InvitationNotFound,
    Question,
    Response,
    Template,
    TemplateNotFound,
    TemplateUnauthorized,
)
from kit.auth import Principal
from kit.schemas import Page, View

# -- views ------------------------------------------------------------------------------------------------


class OptionView(View):
    id: str
    text: str
    # Absent for candidates: the correct answer is not theirs to see (reference §3.9 ⚠).
    is_correct: bool | None = None


class QuestionView(View):
    id: uuid.UUID
    text: str
    type: str
    order: int
    time_limit: int
    required: bool
    hints: str | None = None
    options: list[OptionView] | None = None
    created_at: datetime

    @classmethod
    def of(cls, question: Question, *, reveal_answers: bool = True) -> QuestionView:
        options = None
        if question.options is not None:
            options = [
                OptionView(id=o["id"], text=o["text"], is_correct=o["isCorrect"] if reveal_answers else None)
                for o in question.options
            ]
        return cls(
            id=question.id,
            text=question.text,
            type=question.type,
            order=question.order,
            time_limit=question.time_limit,
            required=question.required,
            hints=question.hints,
            options=options,
            created_at=question.created_at,
        )


class QuestionList(View):
    questions: list[QuestionView]


class TemplateListItem(View):
    id: uuid.UUID
    title: str
    description: str
    status: str
    created_by: str
    questions_count: int
    created_at: datetime
    updated_at: datetime


class TemplateView(TemplateListItem):
    settings: dict[str, Any]
    questions: list[QuestionView]
    version: int

    @classmethod
    def of(cls, template: Template) -> TemplateView:
        return cls(
            id=template.id,
            title=template.title,
            description=template.description,
            status=template.status,
            created_by=template.created_by,
            settings=template.settings,
            questions=[QuestionView.of(q) for q in template.questions],
            questions_count=len(template.questions),
            version=template.version,
            created_at=template.created_at,
            updated_at=template.updated_at,
        )


class Progress(View):
    answered: int
    total: int
    percentage: int

    @classmethod
    def of(cls, answered: int, total: int) -> Progress:
        return cls(answered=answered, total=total, percentage=round(answered / total * 100) if total else 0)


class ResponseView(View):
    id: uuid.UUID
    question_id: uuid.UUID
    question_index: int
    question_text: str
    response_type: str
    text_answer: str | None = None
    code_answer: str | None = None
    video_url: str | None = None
    selected_option_id: str | None = None
    media_id: uuid.UUID | None = None
    duration: int
    submitted_at: datetime
    # 1, or more after retakes (each replaced the answer).
    attempts: int


class AnalysisView(View):
    analysis_id: str | None = None
    status: str | None = None
    score: int | None = None
    recommendation: str | None = None
    completed_at: datetime | None = None
    error_message: str | None = None


class InvitationView(View):
    id: uuid.UUID
    template_id: uuid.UUID
    candidate_id: str
    company_name: str
    invited_by: str
    status: str
    allow_pause: bool
    show_timer: bool
    expires_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    completed_reason: str | None = None
    progress: Progress
    responses: list[ResponseView]
    analysis: AnalysisView | None = None
    # The reference kept the decision out of this shape (§5.1 ⚠); the candidate's page needs it.
    decision: str | None = None
    decision_at: datetime | None = None
    decision_note: str | None = None
    created_at: datetime
    updated_at: datetime
    # Only with ?includeTemplate=true.
    template_title: str | None = None
    template_description: str | None = None
    questions: list[QuestionView] | None = None
    # The template's settings as stored, and the retakes each question allows (0 without `allowRetakes`): the
    # interview page needs them and a candidate may not read the template itself.
    template_settings: dict[str, Any] | None = None
    retakes_allowed: int | None = None


class InvitationListItem(View):
    id: uuid.UUID
    template_id: uuid.UUID
    template_title: str
    candidate_id: str
    candidate_name: str | None = None
    candidate_email: str | None = None
    company_name: str
    status: str
    allow_pause: bool
    expires_at: datetime
    progress: Progress
    analysis_status: str | None = None
    analysis_score: int | None = None
    analysis_recommendation: str | None = None
    decision: str | None = None
    decision_at: datetime | None = None
    decision_note: str | None = None
    created_at: datetime


# -- templates ----------------------------------------------------------------------------------------------


def _check_reader(user: Principal) -> None:
    # Candidates and pending users have no business with templates (reference §15.2 #4).
    user.require("hr", "admin")


async def template_view(session: AsyncSession, template_id: uuid.UUID, user: Principal) -> TemplateView:
    _check_reader(user)
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound(f"Template {template_id} not found")
    if not user.has("admin") and template.created_by != user.user_id:
        raise TemplateUnauthorized("You can only access your own templates")
    return TemplateView.of(template)


async def template_questions(session: AsyncSession, template_id: uuid.UUID, user: Principal) -> QuestionList:
    return QuestionList(questions=(await template_view(session, template_id, user)).questions)


async def _page(session: AsyncSession, query: Select[Any], page: int, limit: int) -> tuple[list[Any], int]:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = (await session.execute(query.offset((page - 1) * limit).limit(limit))).all()
    return list(rows), total


def _page_of(items: list[Any], total: int, page: int, limit: int) -> Page[Any]:
    return Page(items=items, total=total, page=page, limit=limit, total_pages=math.ceil(total / limit))


async def list_templates(
    session: AsyncSession, user: Principal, *, status: str | None, page: int, limit: int
) -> Page[TemplateListItem]:
    _check_reader(user)
    questions_count = (
        select(func.count(Question.id)).where(Question.template_id == Template.id).correlate(Template).scalar_subquery()
    )
    query = (
        select(Template, questions_count)
        .options(noload(Template.questions))
        .order_by(Template.created_at.desc(), Template.id)
    )
    if not user.has("admin"):
        query = query.where(Template.created_by == user.user_id)
    if status is not None:
        query = query.where(Template.status == status)
    rows, total = await _page(session, query, page, limit)
    items = [
        TemplateListItem(
            id=t.id,
            title=t.title,
            description=t.description,
            status=t.status,
            created_by=t.created_by,
            questions_count=count,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )
        for t, count in rows
    ]
    return _page_of(items, total, page, limit)


# -- invitations ------------------------------------------------------------------------------------------


def _analysis(invitation: Invitation) -> AnalysisView | None:
    if invitation.analysis_status is None and invitation.analysis_id is None:
        return None
    return AnalysisView(
        analysis_id=invitation.analysis_id,
        status=invitation.analysis_status,
        score=invitation.analysis_score,
        recommendation=invitation.analysis_recommendation,
        completed_at=invitation.analysis_completed_at,
        error_message=invitation.analysis_error_message,
    )


async def invitation_view(
    session: AsyncSession, invitation_id: uuid.UUID, user: Principal, *, include_template: bool = False
) -> InvitationView:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationNotFound(f"Invitation {invitation_id} not found")
    is_candidate = invitation.candidate_id == user.user_id
    if not (is_candidate or invitation.invited_by == user.user_id or user.has("admin")):
        raise InvitationAccessDenied("You can only access your own invitations")
    view = InvitationView(
        id=invitation.id,
        template_id=invitation.template_id,
        candidate_id=invitation.candidate_id,
        company_name=invitation.company_name,
        invited_by=invitation.invited_by,
        status=invitation.status,
        allow_pause=invitation.allow_pause,
        show_timer=invitation.show_timer,
        expires_at=invitation.expires_at,
        started_at=invitation.started_at,
        completed_at=invitation.completed_at,
        completed_reason=invitation.completed_reason,
        progress=Progress.of(len(invitation.responses), invitation.total_questions),
        responses=[ResponseView.model_validate(r) for r in invitation.responses],
        analysis=_analysis(invitation),
        decision=invitation.decision,
        decision_at=invitation.decision_at,
        decision_note=invitation.decision_note,
        created_at=invitation.created_at,
        updated_at=invitation.updated_at,
    )
    if include_template:
        template = invitation.template
        reveal = not is_candidate or user.has("admin")
        view.template_title = template.title
        view.template_description = template.description
        view.questions = [QuestionView.of(q, reveal_answers=reveal) for q in template.questions]
        view.template_settings = dict(template.settings)
        view.retakes_allowed = invitation.retakes_allowed()
    return view


async def list_invitations(
    session: AsyncSession,
    *,
    candidate_id: str | None = None,
    invited_by: str | None = None,
    status: str | None,
    template_id: uuid.UUID | None,
    page: int,
    limit: int,
) -> Page[InvitationListItem]:
    answered = (
        select(func.count(Response.id))
        .where(Response.invitation_id == Invitation.id)
        .correlate(Invitation)
        .scalar_subquery()
    )
    query = (
        select(Invitation, Template.title, answered)
        .join(Template, Template.id == Invitation.template_id)
        .options(noload(Invitation.template), noload(Invitation.responses))
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )
    if candidate_id is not None:
        query = query.where(Invitation.candidate_id == candidate_id)
    if invited_by is not None:
        query = query.where(Invitation.invited_by == invited_by)
    if status is not None:
        query = query.where(Invitation.status == status)
    if template_id is not None:
        query = query.where(Invitation.template_id == template_id)
    rows, total = await _page(session, query, page, limit)
    items = [
        InvitationListItem(
            id=i.id,
            template_id=i.template_id,
            template_title=title,
            candidate_id=i.candidate_id,
            candidate_name=i.candidate_name,
            candidate_email=i.candidate_email,
            company_name=i.company_name,
            status=i.status,
            allow_pause=i.allow_pause,
            expires_at=i.expires_at,
            progress=Progress.of(count, i.total_questions),
            analysis_status=i.analysis_status,
            analysis_score=i.analysis_score,
            analysis_recommendation=i.analysis_recommendation,
            decision=i.decision,
            decision_at=i.decision_at,
            decision_note=i.decision_note,
            created_at=i.created_at,
        )
        for i, title, count in rows
    ]
    return _page_of(items, total, page, limit)

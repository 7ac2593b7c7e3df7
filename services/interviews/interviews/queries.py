"""The read side: views built from rows, each checked or scoped by `access` (HR their own, candidates their
own, admins everything)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import bindparam, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from interviews import access
from interviews.consent_schemas import ConsentRecord, NoticeView
from interviews.domain import (
    DEFAULT_CANDIDATE_FEEDBACK,
    Allowances,
    CandidateFeedback,
    Decision,
    Invitation,
    InvitationNotFound,
    InvitationStatus,
    Question,
    QuestionOpening,
    QuestionType,
    Response,
    Review,
    Template,
    TemplateNotFound,
    TemplateStatus,
    TemplateVersion,
    released_outcome,
)
from interviews.domain.consent import notice_for
from interviews.rubrics import blind_to_ai
from interviews.schemas import (
    AnalysisView,
    Briefing,
    BriefingQuestion,
    InvitationListItem,
    InvitationView,
    Progress,
    QuestionClock,
    QuestionList,
    QuestionView,
    ResponseView,
    TemplateListItem,
    TemplateVersionList,
    TemplateVersionView,
    TemplateView,
)
from kit.auth import Principal
from kit.db import Query
from kit.schemas import Page, paginate, total_of_page

# -- templates ----------------------------------------------------------------------------------------------


async def template_view(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> TemplateView:
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_template_owner(caller, template)
    return TemplateView.of(template)


async def template_questions(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> QuestionList:
    return QuestionList(questions=(await template_view(session, template_id, caller=caller)).questions)


async def template_versions(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> TemplateVersionList:
    """The template's published versions, newest first, each with the invitations sent with it."""
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_template_owner(caller, template)
    counts = await session.execute(
        select(Invitation.template_version_id, func.count(Invitation.id))
        .where(Invitation.template_id == template_id)
        .group_by(Invitation.template_version_id)
    )
    sent: dict[uuid.UUID | None, int] = {version_id: count for version_id, count in counts}
    return TemplateVersionList(
        versions=[
            TemplateVersionView(
                number=v.number,
                title=v.title,
                published_by=v.published_by,
                published_at=v.published_at,
                questions_count=len(v.frozen_questions),
                questions_added=v.questions_added,
                questions_removed=v.questions_removed,
                questions_edited=v.questions_edited,
                details_changed=v.details_changed,
                invitations=sent.get(v.id, 0),
            )
            for v in reversed(template.versions)
        ]
    )


async def list_templates(
    session: AsyncSession,
    *,
    caller: Principal,
    status: TemplateStatus | None,
    page: int,
    limit: int,
    search: str | None = None,
) -> Page[TemplateListItem]:
    questions_count = (
        select(func.count(Question.id)).where(Question.template_id == Template.id).correlate(Template).scalar_subquery()
    )
    query = (
        select(Template, questions_count)
        .options(noload(Template.questions))
        .order_by(Template.created_at.desc(), Template.id)
    )
    owner = access.owner_scope(caller)
    if owner is not None:
        query = query.where(Template.created_by == owner)
    if status is not None:
        query = query.where(Template.status == status)
    if search:
        # HR finds a template by their own name for it as well as by the job title.
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Template.title.ilike(pattern) | Template.internal_name.ilike(pattern))
    rows, total = await paginate(session, query, page=page, limit=limit)
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
            internal_name=t.internal_name,
            current_version=t.current_version.number if t.current_version else None,
        )
        for t, count in rows
    ]
    return Page[TemplateListItem].of(items, total=total, page=page, limit=limit)


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


async def _analysis_for(session: AsyncSession, invitation: Invitation, caller: Principal) -> AnalysisView | None:
    """Under blind review (`rubrics.blind_to_ai`) a reviewer sees the analysis's status, and its score and verdict
    only once they submitted their own ratings."""
    analysis = _analysis(invitation)
    if analysis is None or caller.user_id == invitation.candidate_id or not blind_to_ai(invitation):
        return analysis
    mine = await session.get(Review, (invitation.id, caller.user_id))
    if mine is not None and mine.submitted_at is not None:
        return analysis
    return analysis.model_copy(update={"score": None, "recommendation": None})


def explains(invitation: Invitation) -> bool:
    """Whether the template explains outcomes to candidates (`candidateExplanations`), once the decision is theirs."""
    return bool(invitation.pinned.settings.get("candidateExplanations"))


def _policy(settings: dict[str, Any]) -> CandidateFeedback:
    return CandidateFeedback(settings.get("candidateFeedback") or DEFAULT_CANDIDATE_FEEDBACK)


def _outcome_for_candidate(
    invitation: Invitation, settings: dict[str, Any], now: datetime
) -> tuple[Decision | None, datetime | None, str | None]:
    return released_outcome(
        _policy(settings),
        invitation.decision,
        invitation.decision_at,
        invitation.candidate_feedback,
        invitation.feedback_release_at,
        now,
    )


async def invitation_view(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    *,
    caller: Principal,
    now: datetime,
    include_template: bool = False,
) -> InvitationView:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationNotFound("This invitation was not found; it may have been deleted")
    access.check_invitation_reader(caller, invitation)
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
        cancelled_at=invitation.cancelled_at,
        progress=Progress.of(len(invitation.responses), invitation.total_questions),
        responses=[ResponseView.model_validate(r) for r in invitation.responses],
        analysis=await _analysis_for(session, invitation, caller),
        decision=invitation.decision,
        decision_at=invitation.decision_at,
        decision_note=invitation.decision_note,
        candidate_feedback=invitation.candidate_feedback,
        feedback_release_at=invitation.feedback_release_at,
        opened_at=invitation.opened_at,
        created_at=invitation.created_at,
        updated_at=invitation.updated_at,
        template_version=invitation.template_version.number if invitation.template_version else None,
    )
    if access.sees_candidate_view(caller, invitation):
        # The AI's score and verdict are for the people deciding; the candidate hears a human's decision, as the
        # template allows and once released, and never the internal note.
        view.analysis = None
        view.decision, view.decision_at, view.candidate_feedback = _outcome_for_candidate(
            invitation, invitation.pinned.settings, now
        )
        view.decision_note = None
        view.feedback_release_at = None
        view.explanations_released = explains(invitation) and view.decision is not None
        if view.explanations_released and view.decision == Decision.REJECTED:
            view.rejection_reason = invitation.decision_note
    if include_template:
        template = invitation.pinned
        reveal = access.reveals_answers(caller, invitation)
        view.template_title = template.title
        view.template_description = template.description
        view.questions = [QuestionView.of(q, reveal_answers=reveal) for q in template.questions]
        view.template_settings = dict(template.settings)
        view.retakes_allowed = invitation.retakes_allowed()
    return view


def briefing(invitation: Invitation, *, allowances: Allowances) -> Briefing:
    template = invitation.pinned
    questions = template.questions
    types = {q.type for q in questions}
    return Briefing(
        invitation_id=invitation.id,
        status=invitation.status,
        company_name=invitation.company_name,
        template_title=template.title,
        template_description=template.description,
        expires_at=invitation.expires_at,
        questions=[
            BriefingQuestion(order=q.order, type=q.type, time_limit=q.time_limit, think_time=q.think_time)
            for q in questions
        ],
        expected_duration=sum(q.time_limit + q.think_time for q in questions),
        total_time_limit=None if invitation.allow_pause else template.settings.get("totalTimeLimit") or None,
        allow_pause=invitation.allow_pause,
        retakes_allowed=invitation.retakes_allowed(),
        needs_camera=QuestionType.VIDEO in types,
        needs_microphone=bool(types & {QuestionType.VIDEO, QuestionType.AUDIO}),
        candidate_feedback=_policy(template.settings),
        expected_reply_time=template.settings.get("expectedReplyTime"),
        grace_seconds=int(allowances.grace.total_seconds()),
        notice=NoticeView.of(notice_for(invitation)),
        consent=ConsentRecord.of(invitation),
    )


def question_clock(invitation: Invitation, opening: QuestionOpening) -> QuestionClock:
    question = next(q for q in invitation.pinned.questions if q.id == opening.question_id)
    answer_from = opening.opened_at + timedelta(seconds=question.think_time)
    return QuestionClock(
        question_id=question.id,
        opened_at=opening.opened_at,
        think_time=question.think_time,
        time_limit=question.time_limit,
        answer_from=answer_from,
        answer_by=answer_from + timedelta(seconds=question.time_limit),
        total_deadline=invitation.total_deadline(),
    )


async def candidate_invitations(
    session: AsyncSession,
    *,
    caller: Principal,
    status: InvitationStatus | None,
    page: int,
    limit: int,
    now: datetime,
) -> Page[InvitationListItem]:
    """The invitations addressed to the caller, as a candidate sees them (no analysis, the released outcome)."""
    return await _list_invitations(
        session,
        candidate_id=caller.user_id,
        invited_by=None,
        status=status,
        template_id=None,
        page=page,
        limit=limit,
        as_candidate_at=now,
    )


async def hr_invitations(
    session: AsyncSession,
    *,
    caller: Principal,
    status: InvitationStatus | None,
    template_id: uuid.UUID | None,
    page: int,
    limit: int,
) -> Page[InvitationListItem]:
    """The invitations the caller sent (every invitation for an admin)."""
    return await _list_invitations(
        session,
        candidate_id=None,
        invited_by=access.owner_scope(caller),
        reviewer=caller,
        status=status,
        template_id=template_id,
        page=page,
        limit=limit,
    )


class _ListRow(NamedTuple):
    """One row of an invitation list's page (`_list_queries`)."""

    id: uuid.UUID
    template_id: uuid.UUID
    candidate_id: str
    candidate_name: str | None
    candidate_email: str | None
    company_name: str
    status: InvitationStatus
    allow_pause: bool
    expires_at: datetime
    total_questions: int
    analysis_status: str | None
    analysis_score: int | None
    analysis_recommendation: str | None
    decision: Decision | None
    decision_at: datetime | None
    decision_note: str | None
    candidate_feedback: str | None
    feedback_release_at: datetime | None
    human_review_requested: bool
    created_at: datetime
    template_title: str
    settings: dict[str, Any]
    answered: int
    template_internal_name: str | None
    template_version: int | None
    total: int
    rated: bool


# An invitation list's queries, compiled once per shape (which filters, whose view): building and running a
# statement through the ORM cost several times the database's work, and one statement answers the page, its
# total and the caller's own ratings together.
_LISTS: dict[tuple[bool, ...], tuple[Query[_ListRow], Query[Any]]] = {}
_LIST_ITEMS = TypeAdapter(list[InvitationListItem])


def _list_queries(
    *, by_candidate: bool, by_inviter: bool, by_status: bool, by_template: bool, reviewer: bool
) -> tuple[Query[_ListRow], Query[Any]]:
    """(a page, the count of all) of invitations, newest first, with parameters `candidate_id`, `invited_by`,
    `status`, `template_id` for the filters asked for, `reviewer` for a reviewer's view, and `offset`, `limit`.
    Each page row carries the count of all rows (`total`: a window over the filtered rows, which the sort reads
    anyway) and whether the reviewer submitted their own ratings (`rated`)."""
    shape = (by_candidate, by_inviter, by_status, by_template, reviewer)
    if (cached := _LISTS.get(shape)) is not None:
        return cached
    filters = []
    if by_candidate:
        filters.append(Invitation.candidate_id == bindparam("candidate_id"))
    if by_inviter:
        filters.append(Invitation.invited_by == bindparam("invited_by"))
    if by_status:
        filters.append(Invitation.status == bindparam("status", type_=Invitation.status.type))
    if by_template:
        filters.append(Invitation.template_id == bindparam("template_id", type_=Invitation.template_id.type))
    answered = (
        select(func.count(Response.id))
        .where(Response.invitation_id == Invitation.id)
        .correlate(Invitation)
        .scalar_subquery()
    )
    rated = (
        exists().where(
            Review.invitation_id == Invitation.id,
            Review.reviewer_id == bindparam("reviewer"),
            Review.submitted_at.is_not(None),
        )
        if reviewer
        else false()
    )
    page = (
        select(
            Invitation.id,
            Invitation.template_id,
            Invitation.candidate_id,
            Invitation.candidate_name,
            Invitation.candidate_email,
            Invitation.company_name,
            Invitation.status,
            Invitation.allow_pause,
            Invitation.expires_at,
            Invitation.total_questions,
            Invitation.analysis_status,
            Invitation.analysis_score,
            Invitation.analysis_recommendation,
            Invitation.decision,
            Invitation.decision_at,
            Invitation.decision_note,
            Invitation.candidate_feedback,
            Invitation.feedback_release_at,
            Invitation.human_review_requested,
            Invitation.created_at,
            # The title and settings the candidate was sent (the pinned version's), beside HR's own name for it.
            func.coalesce(TemplateVersion.title, Template.title).label("template_title"),
            func.coalesce(TemplateVersion.settings, Template.settings).label("settings"),
            answered.label("answered"),
            Template.internal_name.label("template_internal_name"),
            TemplateVersion.number.label("template_version"),
            func.count().over().label("total"),
            rated.label("rated"),
        )
        .join(Template, Template.id == Invitation.template_id)
        .outerjoin(TemplateVersion, TemplateVersion.id == Invitation.template_version_id)
        .where(*filters)
        .order_by(Invitation.created_at.desc(), Invitation.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    count = select(func.count()).select_from(Invitation).where(*filters)
    queries = _LISTS[shape] = Query(page, _ListRow), Query(count)
    return queries


async def _list_invitations(
    session: AsyncSession,
    *,
    candidate_id: str | None,
    invited_by: str | None,
    status: InvitationStatus | None,
    template_id: uuid.UUID | None,
    page: int,
    limit: int,
    as_candidate_at: datetime | None = None,
    reviewer: Principal | None = None,
) -> Page[InvitationListItem]:
    """A page of invitations; `as_candidate_at` lists them as their candidate sees them at that time, `reviewer`
    as an HR user or admin does: without the AI's score and verdict of an interview they must rate blind first."""
    page_query, count_query = _list_queries(
        by_candidate=candidate_id is not None,
        by_inviter=invited_by is not None,
        by_status=status is not None,
        by_template=template_id is not None,
        reviewer=reviewer is not None,
    )
    filters: dict[str, Any] = {
        "candidate_id": candidate_id,
        "invited_by": invited_by,
        "status": status,
        "template_id": template_id,
    }
    filters = {name: value for name, value in filters.items() if value is not None}
    offset = (page - 1) * limit
    whose = {"reviewer": reviewer.user_id} if reviewer is not None else {}
    rows = await page_query.all(session, **filters, **whose, offset=offset, limit=limit)
    # A page past the end has no row to carry the count.
    total = rows[0].total if rows else total_of_page(offset, 0, limit)
    if total is None:
        total = await count_query.scalar(session, **filters) or 0
    items = []
    for i in rows:
        item: dict[str, Any] = {
            "id": i.id,
            "template_id": i.template_id,
            "template_title": i.template_title,
            "candidate_id": i.candidate_id,
            "candidate_name": i.candidate_name,
            "candidate_email": i.candidate_email,
            "company_name": i.company_name,
            "status": i.status,
            "allow_pause": i.allow_pause,
            "expires_at": i.expires_at,
            "progress": Progress.fields_of(i.answered, i.total_questions),
            "analysis_status": i.analysis_status,
            "analysis_score": i.analysis_score,
            "analysis_recommendation": i.analysis_recommendation,
            "decision": i.decision,
            "decision_at": i.decision_at,
            "decision_note": i.decision_note,
            "candidate_feedback": i.candidate_feedback,
            "created_at": i.created_at,
            "template_internal_name": i.template_internal_name,
            "template_version": i.template_version,
        }
        # Blind review (`rubrics.blind_to_ai`, from the settings the interview was sent with): the score and verdict
        # wait until the caller submitted their own ratings, as on the review board and list.
        blind = bool((i.settings or {}).get("blindToAi")) or i.human_review_requested
        if reviewer is not None and blind and not i.rated:
            item["analysis_score"] = item["analysis_recommendation"] = None
        if as_candidate_at is not None:
            item["template_internal_name"] = item["template_version"] = None
            item["analysis_status"] = item["analysis_score"] = item["analysis_recommendation"] = None
            item["decision_note"] = None
            item["decision"], item["decision_at"], item["candidate_feedback"] = released_outcome(
                _policy(i.settings),
                i.decision,
                i.decision_at,
                i.candidate_feedback,
                i.feedback_release_at,
                as_candidate_at,
            )
        items.append(item)
    # The page's items validated in one call, not a model per item and per progress: a quarter of their CPU.
    # The page as its route declares it (`Page[...]`): FastAPI takes it as it is instead of validating it again.
    return Page[InvitationListItem].of(_LIST_ITEMS.validate_python(items), total=total, page=page, limit=limit)

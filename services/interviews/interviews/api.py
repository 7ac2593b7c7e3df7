"""HTTP routes: each declares the roles it needs, opens the transaction, calls one handler and answers with a
view built after COMMIT."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from interviews import commands, metrics, privacy, queries
from interviews.consent_schemas import NoticeView, OpenBriefing
from interviews.domain import Allowances, Decision, InvitationStatus, TemplateStatus
from interviews.domain.consent import notice_for
from interviews.quota import Quota
from interviews.schemas import (
    AddQuestion,
    ApproveCandidate,
    Briefing,
    CompleteInvitation,
    Created,
    CreateInvitation,
    CreateTemplate,
    InvitationListItem,
    InvitationView,
    Published,
    QuestionClock,
    QuestionList,
    QuestionView,
    RejectCandidate,
    ReorderQuestions,
    SubmitResponse,
    Success,
    TemplateListItem,
    TemplateVersionList,
    TemplateView,
    UpdateQuestion,
    UpdateTemplate,
)
from interviews.settings import Settings
from kit.auth import CurrentUser, Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Page, PageNumber, PageSize, QueryModel

router = APIRouter(prefix="/api")


async def current_time(request: Request) -> datetime:
    # The app's clock: utcnow in production, replaceable in tests that move time.
    return request.app.state.clock()  # type: ignore[no-any-return]


async def current_quota(request: Request) -> Quota:
    return request.app.state.quota  # type: ignore[no-any-return]


# Async: FastAPI runs a plain `def` dependency in its thread pool, a thread hand-off on every answer.
async def answer_allowances(request: Request) -> Allowances:
    settings: Settings = request.app.state.settings
    return Allowances(
        grace=timedelta(seconds=settings.answer_grace_seconds),
        upload=timedelta(seconds=settings.media_upload_allowance_seconds),
    )


Now = Annotated[datetime, Depends(current_time)]
Late = Annotated[Allowances, Depends(answer_allowances)]
QuotaCheck = Annotated[Quota, Depends(current_quota)]
# Templates and sending invitations are HR work; candidates and pending users are refused before any lookup.
HrCaller = Annotated[Principal, require_roles("hr", "admin")]


# -- templates ----------------------------------------------------------------------------------------------

templates = APIRouter(prefix="/templates", tags=["templates"])


@templates.post("", status_code=201)
async def create_template(cmd: CreateTemplate, caller: HrCaller, db: Sessions, now: Now, quota: QuotaCheck) -> Created:
    """Create a draft template (HR or admin; plan quota permitting)."""
    async with transaction(db) as session:
        template_id = await commands.create_template(session, cmd, caller=caller, now=now, quota=quota)
    return Created(id=template_id)


@templates.get("", response_model_exclude_none=True)
async def list_templates(
    caller: HrCaller,
    session: ReadSession,
    status: TemplateStatus | None = None,
    page: PageNumber = 1,
    limit: PageSize = 10,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[TemplateListItem]:
    """The caller's templates (all of them for an admin), newest first; `search` matches title or internal name."""
    return await queries.list_templates(
        session, caller=caller, status=status, page=page, limit=limit, search=search and search.strip()
    )


@templates.get("/{template_id}", response_model_exclude_none=True)
async def get_template(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> TemplateView:
    """A template with its settings and questions."""
    return await queries.template_view(session, template_id, caller=caller)


@templates.put("/{template_id}", response_model_exclude_none=True)
async def update_template(
    template_id: uuid.UUID, cmd: UpdateTemplate, caller: HrCaller, db: Sessions, now: Now
) -> TemplateView:
    """Change title, description or settings of a draft; the settings object is replaced as sent."""
    async with transaction(db) as session:
        template = await commands.update_template(session, template_id, cmd, caller=caller, now=now)
    return TemplateView.of(template)


@templates.delete("/{template_id}", status_code=204)
async def archive_template(template_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> None:
    """Archive a template (there is no hard delete)."""
    async with transaction(db) as session:
        await commands.archive_template(session, template_id, caller=caller, now=now)


@templates.put("/{template_id}/publish")
async def publish_template(template_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> Published:
    """Publish a draft that has at least one question."""
    async with transaction(db) as session:
        await commands.publish_template(session, template_id, caller=caller, now=now)
    return Published(status=TemplateStatus.ACTIVE)


@templates.post("/{template_id}/revise", response_model_exclude_none=True)
async def revise_template(template_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> TemplateView:
    """Reopen a published template as the draft of its next version; sent invitations keep theirs."""
    async with transaction(db) as session:
        template = await commands.revise_template(session, template_id, caller=caller, now=now)
    return TemplateView.of(template)


@templates.get("/{template_id}/versions")
async def template_versions(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> TemplateVersionList:
    """The template's published versions, newest first: who, when, what changed and the invitations sent."""
    return await queries.template_versions(session, template_id, caller=caller)


@templates.post("/{template_id}/questions", status_code=201)
async def add_question(template_id: uuid.UUID, cmd: AddQuestion, caller: HrCaller, db: Sessions, now: Now) -> Created:
    """Add a question to a draft."""
    async with transaction(db) as session:
        question_id = await commands.add_question(session, template_id, cmd, caller=caller, now=now)
    return Created(id=question_id)


@templates.get("/{template_id}/questions", response_model_exclude_none=True)
async def list_questions(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> QuestionList:
    """A template's questions in order."""
    return await queries.template_questions(session, template_id, caller=caller)


@templates.patch("/{template_id}/questions/reorder", status_code=204)
async def reorder_questions(
    template_id: uuid.UUID, cmd: ReorderQuestions, caller: HrCaller, db: Sessions, now: Now
) -> None:
    """Set the order of every question of a draft (each id exactly once)."""
    async with transaction(db) as session:
        await commands.reorder_questions(session, template_id, cmd, caller=caller, now=now)


@templates.patch("/{template_id}/questions/{question_id}", response_model_exclude_none=True)
async def update_question(
    template_id: uuid.UUID, question_id: uuid.UUID, cmd: UpdateQuestion, caller: HrCaller, db: Sessions, now: Now
) -> QuestionView:
    """Change some fields of a question of a draft."""
    async with transaction(db) as session:
        question = await commands.update_question(session, template_id, question_id, cmd, caller=caller, now=now)
    return QuestionView.of(question)


@templates.delete("/{template_id}/questions/{question_id}", status_code=204)
async def remove_question(
    template_id: uuid.UUID, question_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now
) -> None:
    """Remove a question of a draft; the rest are renumbered 1..n."""
    async with transaction(db) as session:
        await commands.remove_question(session, template_id, question_id, caller=caller, now=now)


# -- invitations --------------------------------------------------------------------------------------------

invitations = APIRouter(prefix="/invitations", tags=["invitations"])


@invitations.post("", status_code=201)
async def create_invitation(
    cmd: CreateInvitation, caller: HrCaller, db: Sessions, now: Now, quota: QuotaCheck
) -> Created:
    """Invite a candidate to an active template (quota permitting)."""
    invitation_id = uuid.uuid4()
    # Reserved at billing before the transaction opens, so no connection of the pool waits on billing (one HR
    # inviting many at once would otherwise hold them all); an invitation refused after it gives the slot back.
    async with quota.held(caller.account_id, "interviews", invitation_id), transaction(db) as session:
        await commands.create_invitation(session, cmd, caller=caller, now=now, invitation_id=invitation_id)
    metrics.INVITATIONS_SENT.inc()
    return Created(id=invitation_id)


@invitations.get("/candidate", response_model_exclude_none=True)
async def candidate_invitations(
    caller: CurrentUser,
    session: ReadSession,
    now: Now,
    status: InvitationStatus | None = None,
    page: PageNumber = 1,
    limit: PageSize = 10,
) -> Page[InvitationListItem]:
    """The caller's own invitations, newest first (no AI analysis; the decision only as the template allows)."""
    return await queries.candidate_invitations(session, caller=caller, status=status, page=page, limit=limit, now=now)


class HrInvitationsQuery(BaseModel):
    """HR's list's query parameters, read in one validation (`kit.schemas.QueryModel`): HR's most frequent read."""

    model_config = ConfigDict(frozen=True)

    status: InvitationStatus | None = None
    template_id: uuid.UUID | None = Field(default=None, alias="templateId")
    page: int = Field(default=1, ge=1, le=1_000_000)
    limit: int = Field(default=10, ge=1, le=1000)


HR_INVITATIONS_QUERY = QueryModel(HrInvitationsQuery)


@invitations.get("/hr", response_model_exclude_none=True, openapi_extra=HR_INVITATIONS_QUERY.openapi)
async def hr_invitations(caller: HrCaller, session: ReadSession, request: Request) -> Page[InvitationListItem]:
    """Invitations the caller created (every invitation for an admin), newest first."""
    query = HR_INVITATIONS_QUERY(request)
    return await queries.hr_invitations(
        session, caller=caller, status=query.status, template_id=query.template_id, page=query.page, limit=query.limit
    )


@invitations.get("/{invitation_id}", response_model_exclude_none=True)
async def get_invitation(
    invitation_id: uuid.UUID,
    caller: CurrentUser,
    session: ReadSession,
    now: Now,
    include_template: Annotated[bool, Query(alias="includeTemplate")] = False,
) -> InvitationView:
    """One invitation (its candidate, its inviter or an admin), optionally with the template's questions; the
    candidate never sees the AI's analysis, and the decision only as the template allows."""
    return await queries.invitation_view(
        session, invitation_id, caller=caller, include_template=include_template, now=now
    )


@invitations.post("/{invitation_id}/briefing")
async def open_briefing(
    invitation_id: uuid.UUID,
    caller: CurrentUser,
    db: Sessions,
    now: Now,
    late: Late,
    cmd: Annotated[OpenBriefing | None, Body()] = None,
) -> Briefing:
    """The invited candidate opens the briefing (the first time is announced as `invitation.opened`) and, with
    `consent`, accepts its AI-use notice, which starting requires (409 `NOTICE_OUTDATED` for an older notice)."""
    async with transaction(db) as session:
        invitation = await commands.open_briefing(session, invitation_id, cmd, caller=caller, now=now)
        retention = await privacy.retention_of(session, invitation.company_id)
    shown = queries.briefing(invitation, allowances=late)
    # The company's retention period, in the view and in the notice's wording (and so in its hash).
    notice = NoticeView.of(notice_for(invitation, retention_days=retention))
    return shown.model_copy(update={"retention_days": retention, "notice": notice})


@invitations.post("/{invitation_id}/questions/{question_id}/open")
async def open_question(
    invitation_id: uuid.UUID, question_id: uuid.UUID, caller: CurrentUser, db: Sessions, now: Now, late: Late
) -> QuestionClock:
    """The candidate is shown a question: its think time and time limit run from now (a retake restarts them)."""
    async with transaction(db) as session:
        invitation, opening = await commands.open_question(
            session, invitation_id, question_id, caller=caller, now=now, allowances=late
        )
    return queries.question_clock(invitation, opening)


@invitations.post("/{invitation_id}/start")
async def start_invitation(invitation_id: uuid.UUID, caller: CurrentUser, db: Sessions, now: Now) -> Success:
    """The invited candidate starts the interview (410 once past its expiry)."""
    async with transaction(db) as session:
        await commands.start_invitation(session, invitation_id, caller=caller, now=now)
    return Success()


@invitations.post("/{invitation_id}/cancel")
async def cancel_invitation(invitation_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> Success:
    """The inviter (or an admin) withdraws an invitation the candidate has not started (409 otherwise)."""
    async with transaction(db) as session:
        await commands.cancel_invitation(session, invitation_id, caller=caller, now=now)
    return Success()


@invitations.post("/{invitation_id}/responses", status_code=201)
async def submit_response(
    invitation_id: uuid.UUID, cmd: SubmitResponse, caller: CurrentUser, db: Sessions, now: Now, late: Late
) -> Created:
    """The candidate answers one question (once, or again within the template's retakes), in its time (409)."""
    async with transaction(db) as session:
        response_id = await commands.submit_response(
            session, invitation_id, cmd, caller=caller, now=now, allowances=late
        )
    return Created(id=response_id)


@invitations.post("/{invitation_id}/complete")
async def complete_invitation(
    invitation_id: uuid.UUID,
    caller: CurrentUser,
    db: Sessions,
    now: Now,
    cmd: Annotated[CompleteInvitation | None, Body()] = None,
) -> Success:
    """The candidate finishes: `manual` needs every question answered, `early_finish` does not."""
    cmd = cmd or CompleteInvitation()
    async with transaction(db) as session:
        await commands.complete_invitation(session, invitation_id, cmd, caller=caller, now=now)
    metrics.INTERVIEWS_COMPLETED.labels(cmd.reason).inc()
    return Success()


@invitations.post("/{invitation_id}/heartbeat")
async def heartbeat(invitation_id: uuid.UUID, caller: CurrentUser, db: Sessions, now: Now) -> Success:
    """The candidate's page is still open: keeps a non-pausable interview from being auto-completed."""
    async with transaction(db) as session:
        await commands.heartbeat(session, invitation_id, caller=caller, now=now)
    return Success()


@invitations.post("/{invitation_id}/approve")
async def approve(
    invitation_id: uuid.UUID,
    caller: CurrentUser,
    db: Sessions,
    now: Now,
    cmd: Annotated[ApproveCandidate | None, Body()] = None,
) -> Success:
    """The inviter (or an admin) approves a completed interview, once."""
    async with transaction(db) as session:
        completed_at = await commands.decide(session, invitation_id, Decision.APPROVED, cmd, caller=caller, now=now)
    metrics.TIME_TO_DECISION.labels(Decision.APPROVED).observe((now - completed_at).total_seconds())
    return Success()


@invitations.post("/{invitation_id}/reject")
async def reject(
    invitation_id: uuid.UUID, cmd: RejectCandidate, caller: CurrentUser, db: Sessions, now: Now
) -> Success:
    """The inviter (or an admin) rejects a completed interview with a note, once."""
    async with transaction(db) as session:
        completed_at = await commands.decide(session, invitation_id, Decision.REJECTED, cmd, caller=caller, now=now)
    metrics.TIME_TO_DECISION.labels(Decision.REJECTED).observe((now - completed_at).total_seconds())
    return Success()


router.include_router(templates)
router.include_router(invitations)

"""The write side: each handler loads an aggregate, checks who may act (`access`), changes it through the
domain and leaves the commit to the boundary (a route, the consumer loop or a worker job)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, bindparam, inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from interviews import access, privacy
from interviews.consent_schemas import OpenBriefing
from interviews.domain import (
    Allowances,
    CompletionReason,
    Decision,
    DuplicateInvitation,
    Invitation,
    InvitationNotFound,
    InvitationStatus,
    KnownCompany,
    MediaObject,
    MediaStatus,
    Question,
    QuestionOpening,
    Response,
    Template,
    TemplateNotFound,
    invitation_company_name,
)
from interviews.domain.consent import notice_for
from interviews.domain.invites import audit as invite_audit
from interviews.quota import Quota
from interviews.schemas import (
    AddQuestion,
    AnalysisOutcome,
    ApproveCandidate,
    CompanyRef,
    CompleteInvitation,
    CreateInvitation,
    CreateTemplate,
    MediaRef,
    OptionIn,
    RejectCandidate,
    ReorderQuestions,
    SubmitResponse,
    UpdateQuestion,
    UpdateTemplate,
)
from kit.auth import Principal

log = structlog.get_logger("interviews.commands")


# -- templates ------------------------------------------------------------------------------------------


async def load_template(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> Template:
    """The template, if the caller may change it."""
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_template_owner(caller, template)
    return template


async def create_template(
    session: AsyncSession, cmd: CreateTemplate, *, caller: Principal, now: datetime, quota: Quota
) -> uuid.UUID:
    template = Template.create(
        title=cmd.title,
        description=cmd.description,
        settings=cmd.settings.stored() if cmd.settings is not None else None,
        created_by=caller.user_id,
        company_id=caller.account_id,
        now=now,
        internal_name=cmd.internal_name or None,
    )
    # Reserved before the row exists: a refusal leaves nothing behind, and the key is the template's own id.
    await quota.reserve(template.company_id, "templates", template.id)
    session.add(template)
    return template.id


async def update_template(
    session: AsyncSession, template_id: uuid.UUID, cmd: UpdateTemplate, *, caller: Principal, now: datetime
) -> Template:
    template = await load_template(session, template_id, caller=caller)
    if cmd.model_fields_set - {"internal_name"} or not cmd.model_fields_set:
        template.update(
            title=cmd.title,
            description=cmd.description,
            settings=cmd.settings.stored() if cmd.settings is not None else None,
            now=now,
        )
    if "internal_name" in cmd.model_fields_set:
        template.rename_internally(cmd.internal_name or None, now)
    return template


async def publish_template(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal, now: datetime) -> None:
    (await load_template(session, template_id, caller=caller)).publish(now, by=caller.user_id)


async def revise_template(
    session: AsyncSession, template_id: uuid.UUID, *, caller: Principal, now: datetime
) -> Template:
    template = await load_template(session, template_id, caller=caller)
    template.revise(now)
    return template


async def archive_template(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal, now: datetime) -> None:
    (await load_template(session, template_id, caller=caller)).archive(now)


def _options(options: list[OptionIn] | None) -> list[tuple[str, bool]] | None:
    return None if options is None else [(o.text, o.is_correct) for o in options]


async def add_question(
    session: AsyncSession, template_id: uuid.UUID, cmd: AddQuestion, *, caller: Principal, now: datetime
) -> uuid.UUID:
    template = await load_template(session, template_id, caller=caller)
    question = template.add_question(
        text=cmd.text,
        type=cmd.type,
        order=cmd.order,
        time_limit=cmd.time_limit,
        think_time=cmd.think_time,
        required=cmd.required,
        hints=cmd.hints,
        options=_options(cmd.options),
        now=now,
    )
    return question.id


async def update_question(
    session: AsyncSession,
    template_id: uuid.UUID,
    question_id: uuid.UUID,
    cmd: UpdateQuestion,
    *,
    caller: Principal,
    now: datetime,
) -> Question:
    template = await load_template(session, template_id, caller=caller)
    # An explicit null clears the hints; for the other fields it means "unchanged".
    changes = {
        k: v
        for k, v in cmd.model_dump(exclude_unset=True, exclude={"options"}).items()
        if v is not None or k == "hints"
    }
    if "options" in cmd.model_fields_set:
        changes["options"] = _options(cmd.options)
    return template.update_question(question_id, changes, now)


async def remove_question(
    session: AsyncSession, template_id: uuid.UUID, question_id: uuid.UUID, *, caller: Principal, now: datetime
) -> None:
    (await load_template(session, template_id, caller=caller)).remove_question(question_id, now)


async def reorder_questions(
    session: AsyncSession, template_id: uuid.UUID, cmd: ReorderQuestions, *, caller: Principal, now: datetime
) -> None:
    (await load_template(session, template_id, caller=caller)).reorder(cmd.question_ids, now)


# -- invitations ----------------------------------------------------------------------------------------


# How a step loads its invitation: the template and the pinned version in the invitation's own statement (three
# statements were one each); the responses and the openings, if the step reads them, in one more
# (`ANSWERS_AND_OPENINGS`: their `selectin` loads were two). The template's versions (every published snapshot of
# its questions) are not a step's business: it works on the version it pinned. Nor are the template's own
# questions, but for the briefing's notice and an invitation sent before versions existed (`load_invitation`). A
# step before the first answer (the briefing, the notice, the start) reads neither the answers nor the openings;
# raised on, not left empty, should such a step ever come to need them.
INVITATION_LOADED = (
    joinedload(Invitation.template).options(raiseload(Template.versions), raiseload(Template.questions)),
    joinedload(Invitation.template_version),
    raiseload(Invitation.responses),
    raiseload(Invitation.openings),
)

# The statement `session.get` sends (its column labels too), built once: `get` builds it with its options and
# computes their cache key on every call, 0.25 ms of CPU on every step (the compiled form was a cache hit anyway).
LOCKED_INVITATION = (
    select(Invitation)
    .where(Invitation.id == bindparam("invitation_id"))
    .options(*INVITATION_LOADED)
    .with_for_update(of=Invitation)
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)


async def load_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, *, template_questions: bool = False, answers: bool = True
) -> Invitation:
    """The invitation, locked; `template_questions` also loads its template's current questions, `answers=False`
    leaves out its responses and question openings."""
    # Locked: the candidate's calls, HR's decision and the jobs all move the same state machine. Only its own row:
    # the template's is shared by every candidate invited to it.
    if session.identity_key(Invitation, invitation_id) in session.identity_map:
        # Already read in this transaction: `get` checks the locked row's version against the one held.
        invitation = await session.get(
            Invitation, invitation_id, with_for_update={"of": Invitation}, options=INVITATION_LOADED
        )
    else:
        invitation = await session.scalar(LOCKED_INVITATION, {"invitation_id": invitation_id})
    if invitation is None:
        raise InvitationNotFound("This invitation was not found; it may have been deleted")
    if template_questions or invitation.template_version is None:
        await _load_questions(session, invitation.template)
    if answers:
        await _load_answers(session, invitation)
    return invitation


# The invitation's responses and question openings in one statement: a full join on the question, as each is
# unique per invitation and question (a question answered, opened, or both is one row). Built once: building a
# statement of aliased subqueries per call cost as much CPU as the statement it saved.
_ANSWERED = select(Response).where(Response.invitation_id == bindparam("invitation_id")).subquery()
_OPENED = select(QuestionOpening).where(QuestionOpening.invitation_id == bindparam("invitation_id")).subquery()
ANSWERS_AND_OPENINGS = (
    select(aliased(Response, _ANSWERED), aliased(QuestionOpening, _OPENED))
    .select_from(_ANSWERED)
    .join(_OPENED, _ANSWERED.c.question_id == _OPENED.c.question_id, full=True)
)


async def _load_answers(session: AsyncSession, invitation: Invitation) -> None:
    unloaded = inspect(invitation).unloaded
    if "responses" not in unloaded and "openings" not in unloaded:
        return  # loaded with the invitation elsewhere in this transaction
    rows = (await session.execute(ANSWERS_AND_OPENINGS, {"invitation_id": invitation.id})).all()
    if "responses" in unloaded:
        responses = sorted((r for r, _ in rows if r is not None), key=lambda r: r.question_index)
        set_committed_value(invitation, "responses", responses)
    if "openings" in unloaded:
        set_committed_value(invitation, "openings", [o for _, o in rows if o is not None])


async def _load_questions(session: AsyncSession, template: Template) -> None:
    if "questions" not in inspect(template).unloaded:
        return  # loaded with the template elsewhere in this transaction
    questions = await session.scalars(
        select(Question).where(Question.template_id == template.id).order_by(Question.order)
    )
    set_committed_value(template, "questions", list(questions))


def _setting(given: bool | None, template: Template, key: str) -> bool:
    return given if given is not None else bool(template.settings.get(key, True))


async def create_invitation(
    session: AsyncSession, cmd: CreateInvitation, *, caller: Principal, now: datetime, invitation_id: uuid.UUID
) -> uuid.UUID:
    """The invitation's slot is reserved under `invitation_id` by the route, before this transaction opened."""
    template = await session.get(Template, cmd.template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_may_invite_to(caller, template)
    candidate_id = str(cmd.candidate_id)
    existing = await session.scalar(
        select(Invitation.id).where(Invitation.candidate_id == candidate_id, Invitation.template_id == template.id)
    )
    if existing is not None:
        raise DuplicateInvitation("This candidate is already invited to this template")
    company = await session.get(KnownCompany, caller.company_id) if caller.company_id is not None else None
    invitation = Invitation.create(
        template=template,
        candidate_id=candidate_id,
        invited_by=caller.user_id,
        company_id=caller.account_id,
        company_name=invitation_company_name(caller.company_id, company, cmd.company_name),
        expires_at=cmd.expires_at,
        allow_pause=_setting(cmd.allow_pause, template, "allowPause"),
        show_timer=_setting(cmd.show_timer, template, "showTimer"),
        contacts={
            "candidate_email": cmd.candidate_email,
            "candidate_name": cmd.candidate_name,
            "hr_email": cmd.hr_email,
            "hr_name": cmd.hr_name,
        },
        now=now,
        invitation_id=invitation_id,
    )
    session.add(invitation)
    return invitation.id


async def cancel_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal, now: datetime
) -> None:
    """Billing frees the invitation's quota slot when it reads `invitation.cancelled`."""
    invitation = await load_invitation(session, invitation_id)
    access.check_inviter(caller, invitation)
    invitation.cancel(now)
    # Audited like HR's other steps on a sent invitation (resend, extend, reset).
    session.add(invite_audit(invitation, "cancelled", caller.user_id, now))


async def open_briefing(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    cmd: OpenBriefing | None = None,
    *,
    caller: Principal,
    now: datetime,
) -> Invitation:
    """Open the briefing and, with `cmd.consent`, accept its AI-use notice (starting requires that)."""
    # The notice names the criteria of the template's questions.
    invitation = await load_invitation(session, invitation_id, template_questions=True, answers=False)
    access.check_candidate(caller, invitation)
    invitation.open_briefing(now)
    if cmd is not None and cmd.consent is not None:
        consent = cmd.consent
        invitation.accept_notice(
            # The notice as the briefing shows it, with the company's retention period.
            notice_for(invitation, retention_days=await privacy.retention_of(session, invitation.company_id)),
            consent.notice_version,
            consent.notice_hash,
            human_review=consent.human_review_requested,
            now=now,
        )
    return invitation


async def open_question(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    question_id: uuid.UUID,
    *,
    caller: Principal,
    now: datetime,
    allowances: Allowances,
) -> tuple[Invitation, QuestionOpening]:
    invitation = await load_invitation(session, invitation_id)
    access.check_candidate(caller, invitation)
    return invitation, invitation.open_question(question_id, now, allowances)


async def start_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal, now: datetime
) -> None:
    invitation = await load_invitation(session, invitation_id, answers=False)
    access.check_candidate(caller, invitation)
    invitation.start(now)


async def submit_response(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    cmd: SubmitResponse,
    *,
    caller: Principal,
    now: datetime,
    allowances: Allowances,
) -> uuid.UUID:
    invitation = await load_invitation(session, invitation_id)
    access.check_candidate(caller, invitation)
    media = await session.get(MediaObject, cmd.media_id) if cmd.media_id is not None else None
    response = invitation.submit_response(
        question_id=cmd.question_id,
        question_index=cmd.question_index,
        response_type=cmd.response_type,
        text_answer=cmd.text_answer,
        code_answer=cmd.code_answer,
        video_url=cmd.video_url,
        selected_option_id=cmd.selected_option_id,
        media_id=cmd.media_id,
        media=media,
        duration=round(cmd.duration),
        now=now,
        allowances=allowances,
    )
    return response.id


async def heartbeat(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal, now: datetime) -> None:
    invitation = await load_invitation(session, invitation_id, answers=False)
    access.check_candidate(caller, invitation)
    invitation.heartbeat(now)


async def complete_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, cmd: CompleteInvitation, *, caller: Principal, now: datetime
) -> None:
    invitation = await load_invitation(session, invitation_id)
    access.check_candidate(caller, invitation)
    invitation.complete(cmd.reason, now)


async def decide(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    decision: Decision,
    cmd: ApproveCandidate | RejectCandidate | None,
    *,
    caller: Principal,
    now: datetime,
) -> datetime:
    """Record HR's decision; returns when the interview was completed (the start of the time to decision). The
    hiring team decides, as it moves candidates between stages (selected and rejected are this decision)."""
    invitation = await load_invitation(session, invitation_id)
    access.check_team_reviewer(caller, invitation)
    invitation.decide(
        decision,
        note=cmd.note if cmd else None,
        by=caller.user_id,
        now=now,
        candidate_feedback=cmd.candidate_feedback if cmd else None,
        release_at=cmd.release_at if cmd else None,
    )
    # decide() accepts only a completed invitation, which always has its completion time.
    assert invitation.completed_at is not None
    return invitation.completed_at


# -- time-based jobs (run by the worker; `now` is passed in so tests control time) ---------------------


async def expire_due_invitations(session: AsyncSession, *, now: datetime, limit: int = 500) -> int:
    due = (
        await session.scalars(
            select(Invitation)
            .where(
                Invitation.status.in_([InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS]),
                Invitation.expires_at < now,
            )
            .order_by(Invitation.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for invitation in due:
        invitation.expire(now)
    if due:
        log.info("invitations.expired", count=len(due))
    return len(due)


async def complete_inactive_invitations(
    session: AsyncSession, *, now: datetime, idle_for: timedelta, limit: int = 500
) -> int:
    stale = (
        await session.scalars(
            select(Invitation)
            .where(
                Invitation.status == InvitationStatus.IN_PROGRESS,
                Invitation.allow_pause.is_(False),
                Invitation.last_activity_at < now - idle_for,
                # An interview past its expiry is the expiry job's, not an auto-completion.
                Invitation.expires_at >= now,
            )
            .order_by(Invitation.last_activity_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for invitation in stale:
        invitation.complete(CompletionReason.AUTO_TIMEOUT, now)
    if stale:
        log.info("invitations.auto_completed", count=len(stale))
    return len(stale)


# -- other services' events (run by the consumer loop, which commits with the inbox row) -------------------


async def record_analysis(
    session: AsyncSession, outcome: AnalysisOutcome, *, failed: bool, occurred_at: datetime
) -> None:
    """Put an analysis outcome on its invitation, unless a newer one is already there."""
    invitation = await session.get(Invitation, outcome.invitation_id, with_for_update=True)
    if invitation is None:
        # Not ours (or not yet ours to know): retrying cannot make it appear, so it is logged, not dead-lettered.
        log.warning("analysis.unknown_invitation", invitation_id=str(outcome.invitation_id))
        return
    applied = invitation.attach_analysis(
        analysis_id=outcome.analysis_id,
        status="failed" if failed else (outcome.status or "completed"),
        score=outcome.overall_score,
        recommendation=outcome.recommendation,
        error_message=outcome.error_message or ("Analysis failed" if failed else None),
        occurred_at=occurred_at,
        criteria=outcome.criteria_scores,
    )
    if not applied:
        log.info("analysis.stale_outcome_ignored", invitation_id=str(invitation.id), occurred_at=occurred_at)


async def record_company(session: AsyncSession, ref: CompanyRef, *, deleted: bool, occurred_at: datetime) -> None:
    """Project a users service company event: its current name, or that it was deleted."""
    # A deletion names no company; its row keeps the last name it had (an empty one if it was never known).
    row = insert(KnownCompany).values(
        id=str(ref.company_id), name=ref.name or "", deleted=deleted, event_at=occurred_at
    )
    changes = {"deleted": row.excluded.deleted, "event_at": row.excluded.event_at}
    if ref.name is not None:
        changes["name"] = row.excluded.name
    # A deletion is final, and an event older than the one applied (a late redelivery) changes nothing.
    await session.execute(
        row.on_conflict_do_update(
            index_elements=[KnownCompany.id],
            set_=changes,
            where=KnownCompany.deleted.is_(False) & (KnownCompany.event_at <= row.excluded.event_at),
        )
    )


async def record_media(session: AsyncSession, ref: MediaRef, status: MediaStatus, *, occurred_at: datetime) -> None:
    """Project a media service event onto the recording it is about."""
    row = insert(MediaObject).values(
        id=ref.media_id,
        owner_id=ref.owner_id,
        invitation_id=ref.invitation_id,
        question_id=ref.question_id,
        status=status,
        event_at=occurred_at,
    )
    # A deletion is final, and an event older than the one applied (a late redelivery) changes nothing.
    await session.execute(
        row.on_conflict_do_update(
            index_elements=[MediaObject.id],
            set_={"status": row.excluded.status, "event_at": row.excluded.event_at},
            where=(MediaObject.status != MediaStatus.DELETED) & (MediaObject.event_at <= row.excluded.event_at),
        )
    )

"""The write side: request bodies (camelCase, unknown fields refused) and the handlers that load an aggregate,
check who may act, change it and leave the commit to the boundary."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import structlog
from pydantic import AfterValidator, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain import (
    CompletionReason,
    Decision,
    DuplicateInvitation,
    Invitation,
    InvitationNotFound,
    InvitationStatus,
    MediaObject,
    QuestionType,
    ResponseType,
    Template,
    TemplateNotFound,
    TemplateUnauthorized,
)
from interviews.quota import Quota
from kit.auth import Principal
from kit.schemas import Command

log = structlog.get_logger("interviews.commands")

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text1000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


def _as_utc(value: datetime) -> datetime:
    # A date without an offset is read as UTC rather than refused: the reference accepted any ISO date.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class Body(Command):
    """Postgres cannot store NUL in text: refused here as a 422 rather than failing at INSERT."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class TemplateSettings(Body):
    total_time_limit: Annotated[int, Field(ge=1, le=480)] | None = None
    allow_retakes: bool | None = None
    # Retakes per question when `allowRetakes` is true (1 when omitted); each replaces the previous answer.
    max_retakes: Annotated[int, Field(ge=1, le=10)] | None = None
    show_timer: bool | None = None
    randomize_questions: bool | None = None
    allow_pause: bool | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class CreateTemplate(Body):
    title: Text200
    description: Text1000
    settings: TemplateSettings | None = None


class UpdateTemplate(Body):
    title: Text200 | None = None
    description: Text1000 | None = None
    settings: TemplateSettings | None = None


class OptionIn(Body):
    text: Text200
    is_correct: bool


class AddQuestion(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]
    type: QuestionType
    order: Annotated[int, Field(ge=1, le=10_000)]
    time_limit: Annotated[int, Field(ge=30, le=600)]
    required: bool = True
    hints: Annotated[str, StringConstraints(max_length=200)] | None = None
    options: Annotated[list[OptionIn], Field(min_length=2, max_length=10)] | None = None


class UpdateQuestion(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)] | None = None
    type: QuestionType | None = None
    order: Annotated[int, Field(ge=1, le=10_000)] | None = None
    time_limit: Annotated[int, Field(ge=30, le=600)] | None = None
    required: bool | None = None
    hints: Annotated[str, StringConstraints(max_length=200)] | None = None
    options: Annotated[list[OptionIn], Field(min_length=2, max_length=10)] | None = None


class ReorderQuestions(Body):
    question_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]


class CreateInvitation(Body):
    template_id: uuid.UUID
    candidate_id: uuid.UUID
    company_name: Text200
    expires_at: UtcDatetime
    # Omitted: the template's `allowPause` / `showTimer` settings, else true as in the reference.
    allow_pause: bool | None = None
    show_timer: bool | None = None
    candidate_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    candidate_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    hr_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    hr_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class SubmitResponse(Body):
    question_id: uuid.UUID
    # Both are taken from the template when omitted; the stored question text is always the template's.
    question_index: Annotated[int, Field(ge=0, le=10_000)] | None = None
    question_text: Annotated[str, StringConstraints(max_length=5000)] | None = None
    response_type: ResponseType = ResponseType.TEXT
    duration: Annotated[float, Field(ge=0, le=86_400)] = 0
    text_answer: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    code_answer: Annotated[str, StringConstraints(max_length=50_000)] | None = None
    video_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    selected_option_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    # The recording of a video or audio response: a ready media object of this candidate, invitation and question.
    media_id: uuid.UUID | None = None


class CompleteInvitation(Body):
    reason: CompletionReason = CompletionReason.MANUAL


class ApproveCandidate(Body):
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class RejectCandidate(Body):
    note: Annotated[str, StringConstraints(max_length=2000)]

    @field_validator("note")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("A rejection needs a note")
        return value


# -- templates ------------------------------------------------------------------------------------------


def _can_manage_templates(user: Principal) -> None:
    user.require("hr", "admin")


async def load_template(session: AsyncSession, template_id: uuid.UUID, user: Principal) -> Template:
    """The template if the caller owns it (admins own everything)."""
    _can_manage_templates(user)
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound(f"Template {template_id} not found")
    if not user.has("admin") and template.created_by != user.user_id:
        raise TemplateUnauthorized("You can only access your own templates")
    return template


async def create_template(session: AsyncSession, cmd: CreateTemplate, user: Principal, now: datetime) -> uuid.UUID:
    _can_manage_templates(user)
    template = Template.create(
        title=cmd.title,
        description=cmd.description,
        settings=cmd.settings.stored() if cmd.settings is not None else None,
        created_by=user.user_id,
        now=now,
    )
    session.add(template)
    return template.id


async def update_template(
    session: AsyncSession, template_id: uuid.UUID, cmd: UpdateTemplate, user: Principal, now: datetime
) -> Template:
    template = await load_template(session, template_id, user)
    template.update(
        title=cmd.title,
        description=cmd.description,
        settings=cmd.settings.stored() if cmd.settings is not None else None,
        now=now,
    )
    return template


async def publish_template(session: AsyncSession, template_id: uuid.UUID, user: Principal, now: datetime) -> None:
    (await load_template(session, template_id, user)).publish(now)


async def archive_template(session: AsyncSession, template_id: uuid.UUID, user: Principal, now: datetime) -> None:
    (await load_template(session, template_id, user)).archive(now)


def _options(options: list[OptionIn] | None) -> list[tuple[str, bool]] | None:
    return None if options is None else [(o.text, o.is_correct) for o in options]


async def add_question(
    session: AsyncSession, template_id: uuid.UUID, cmd: AddQuestion, user: Principal, now: datetime
) -> uuid.UUID:
    template = await load_template(session, template_id, user)
    question = template.add_question(
        text=cmd.text,
        type=cmd.type,
        order=cmd.order,
        time_limit=cmd.time_limit,
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
    user: Principal,
    now: datetime,
) -> Template:
    template = await load_template(session, template_id, user)
    # An explicit null clears the hints; for the other fields it means "unchanged".
    changes = {
        k: v
        for k, v in cmd.model_dump(exclude_unset=True, exclude={"options"}).items()
        if v is not None or k == "hints"
    }
    if "options" in cmd.model_fields_set:
        changes["options"] = _options(cmd.options)
    template.update_question(question_id, changes, now)
    return template


async def remove_question(
    session: AsyncSession, template_id: uuid.UUID, question_id: uuid.UUID, user: Principal, now: datetime
) -> None:
    (await load_template(session, template_id, user)).remove_question(question_id, now)


async def reorder_questions(
    session: AsyncSession, template_id: uuid.UUID, cmd: ReorderQuestions, user: Principal, now: datetime
) -> None:
    (await load_template(session, template_id, user)).reorder(cmd.question_ids, now)


# -- invitations ----------------------------------------------------------------------------------------


async def load_invitation(session: AsyncSession, invitation_id: uuid.UUID) -> Invitation:
    # Locked: the candidate's calls, HR's decision and the jobs all move the same state machine.
    invitation = await session.get(Invitation, invitation_id, with_for_update=True)
    if invitation is None:
        raise InvitationNotFound(f"Invitation {invitation_id} not found")
    return invitation


def _setting(given: bool | None, template: Template, key: str) -> bool:
    return given if given is not None else bool(template.settings.get(key, True))


async def create_invitation(
    session: AsyncSession, cmd: CreateInvitation, user: Principal, now: datetime, quota: Quota
) -> uuid.UUID:
    user.require("hr", "admin")
    template = await session.get(Template, cmd.template_id)
    if template is None:
        raise TemplateNotFound(f"Template {cmd.template_id} not found")
    if not user.has("admin") and template.created_by != user.user_id:
        raise TemplateUnauthorized("You can only invite to your own templates")
    candidate_id = str(cmd.candidate_id)
    existing = await session.scalar(
        select(Invitation.id).where(Invitation.candidate_id == candidate_id, Invitation.template_id == template.id)
    )
    if existing is not None:
        raise DuplicateInvitation("This candidate is already invited to this template")
    invitation = Invitation.create(
        template=template,
        candidate_id=candidate_id,
        invited_by=user.user_id,
        company_name=cmd.company_name,
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
    )
    await quota.ensure_can_invite(invitation.company_id)
    session.add(invitation)
    return invitation.id


async def start_invitation(session: AsyncSession, invitation_id: uuid.UUID, user: Principal, now: datetime) -> None:
    invitation = await load_invitation(session, invitation_id)
    invitation.ensure_candidate(user.user_id)
    invitation.start(now)


async def submit_response(
    session: AsyncSession, invitation_id: uuid.UUID, cmd: SubmitResponse, user: Principal, now: datetime
) -> uuid.UUID:
    invitation = await load_invitation(session, invitation_id)
    invitation.ensure_candidate(user.user_id)
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
    )
    return response.id


async def heartbeat(session: AsyncSession, invitation_id: uuid.UUID, user: Principal, now: datetime) -> None:
    invitation = await load_invitation(session, invitation_id)
    invitation.ensure_candidate(user.user_id)
    invitation.heartbeat(now)


async def complete_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, cmd: CompleteInvitation, user: Principal, now: datetime
) -> None:
    # Every reason needs the candidate: the reference let anyone force `auto_timeout` (§5.4 ⚠).
    invitation = await load_invitation(session, invitation_id)
    invitation.ensure_candidate(user.user_id)
    invitation.complete(cmd.reason, now)


async def decide(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    decision: Decision,
    note: str | None,
    user: Principal,
    now: datetime,
) -> None:
    invitation = await load_invitation(session, invitation_id)
    invitation.ensure_inviter(user.user_id, admin=user.has("admin"))
    invitation.decide(decision, note=note, by=user.user_id, now=now)


# -- time-based jobs (run by the worker; `now` is passed in so tests control time) ---------------------


async def expire_due_invitations(session: AsyncSession, now: datetime, *, limit: int = 500) -> int:
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
    session: AsyncSession, now: datetime, *, idle_for: timedelta, limit: int = 500
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

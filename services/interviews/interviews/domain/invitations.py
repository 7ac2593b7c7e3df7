"""The invitation aggregate: one candidate's interview on a published template, with the responses given.
Its state machine: pending → in_progress → completed, pending or in_progress → expired once past its expiry, and
pending → cancelled when HR withdraws it; a completed interview takes one decision (approved, or rejected with a
note)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.domain.consent import ConsentRequired, Notice, check_acceptance
from interviews.domain.media import MediaObject, MediaStatus
from interviews.domain.templates import (
    Question,
    QuestionNotFound,
    QuestionType,
    Template,
    TemplateStatus,
    TemplateVersion,
)
from interviews.domain.timing import (
    DEFAULT_CANDIDATE_FEEDBACK,
    Allowances,
    BriefingRequired,
    CandidateFeedback,
    FeedbackNotOffered,
    QuestionOpening,
    TimeLimitExceeded,
    TotalTimeLimitExceeded,
)
from kit.contracts import interviews as events
from kit.db import Base, stored_enum
from kit.domain import AggregateRoot
from kit.errors import Conflict, DomainError, Gone, Invalid, NotFound


class InvitationStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class CompletionReason(StrEnum):
    MANUAL = "manual"
    EARLY_FINISH = "early_finish"
    AUTO_TIMEOUT = "auto_timeout"


class ResponseType(StrEnum):
    TEXT = "text"
    CODE = "code"
    VIDEO = "video"
    AUDIO = "audio"


MEDIA_RESPONSES = (ResponseType.VIDEO, ResponseType.AUDIO)


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


# `allowRetakes` without `maxRetakes`: one retake per question, as the product research asks.
DEFAULT_MAX_RETAKES = 1


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("invitation_id", "question_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[uuid.UUID] = mapped_column()
    question_index: Mapped[int] = mapped_column(Integer)
    question_text: Mapped[str] = mapped_column(Text)
    response_type: Mapped[ResponseType] = mapped_column(stored_enum(ResponseType, length=20))
    text_answer: Mapped[str | None] = mapped_column(Text)
    code_answer: Mapped[str | None] = mapped_column(Text)
    video_url: Mapped[str | None] = mapped_column(Text)
    selected_option_id: Mapped[str | None] = mapped_column(String(64))
    media_id: Mapped[uuid.UUID | None] = mapped_column()
    duration: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # 1 + the retakes taken.
    attempts: Mapped[int] = mapped_column(Integer, default=1)

    def snapshot(self) -> events.ResponseSnapshot:
        return events.ResponseSnapshot(
            id=str(self.id),
            question_id=str(self.question_id),
            response_type=self.response_type,
            text_answer=self.text_answer or self.code_answer or self.video_url,
            selected_option_id=self.selected_option_id,
            media_id=str(self.media_id) if self.media_id else None,
            duration=self.duration,
        )


class Invitation(Base, AggregateRoot):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("candidate_id", "template_id"),
        Index("ix_invitations_created_at", "created_at"),
        Index("ix_invitations_due", "status", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview_templates.id"), index=True)
    candidate_id: Mapped[str] = mapped_column(String(64), index=True)
    company_id: Mapped[str] = mapped_column(String(64))
    company_name: Mapped[str] = mapped_column(String(200))
    invited_by: Mapped[str] = mapped_column(String(64), index=True)
    candidate_email: Mapped[str | None] = mapped_column(String(255))
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    hr_email: Mapped[str | None] = mapped_column(String(255))
    hr_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[InvitationStatus] = mapped_column(stored_enum(InvitationStatus, length=20), index=True)
    allow_pause: Mapped[bool] = mapped_column(Boolean)
    show_timer: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_reason: Mapped[CompletionReason | None] = mapped_column(stored_enum(CompletionReason, length=20))
    total_questions: Mapped[int] = mapped_column(Integer)
    analysis_id: Mapped[str | None] = mapped_column(String(64))
    analysis_status: Mapped[str | None] = mapped_column(String(20), index=True)
    analysis_score: Mapped[int | None] = mapped_column(Integer)
    analysis_recommendation: Mapped[str | None] = mapped_column(String(20))
    analysis_completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    analysis_error_message: Mapped[str | None] = mapped_column(Text)
    # Each scoring criterion's mean score from `analysis.completed` (the review CSV's per-criterion columns).
    analysis_criteria: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    # When the analysis event we applied occurred: an older event delivered late must not overwrite a newer one.
    analysis_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[Decision | None] = mapped_column(stored_enum(Decision, length=20), index=True)
    decision_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(Text)
    # When the candidate first opened the briefing; the interview cannot start before.
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # HR's words for the candidate (the note stays internal), shown from `feedback_release_at` if set.
    candidate_feedback: Mapped[str | None] = mapped_column(Text)
    feedback_release_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A person invited by e-mail: the current link's nonce (a resend may rotate it) and when their account
    # claimed the invitation (see `interviews.domain.invites`).
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The AI-use notice the candidate accepted before starting (`interviews.domain.consent`), and whether they
    # asked for a human-only review (reviewers then score before they see the AI's analysis).
    consent_notice_version: Mapped[str | None] = mapped_column(String(40))
    consent_notice_hash: Mapped[str | None] = mapped_column(String(64))
    consent_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    human_review_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    template: Mapped[Template] = relationship(lazy="selectin")
    # The template version the candidate was sent (null only for a template never published through `publish`).
    template_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("template_versions.id"), index=True)
    template_version: Mapped[TemplateVersion | None] = relationship(lazy="selectin")
    responses: Mapped[list[Response]] = relationship(
        order_by=Response.question_index, lazy="selectin", cascade="all, delete-orphan"
    )
    openings: Mapped[list[QuestionOpening]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def create(
        cls,
        *,
        template: Template,
        candidate_id: str,
        invited_by: str,
        company_id: str,
        company_name: str,
        expires_at: datetime,
        allow_pause: bool,
        show_timer: bool,
        contacts: dict[str, str | None],
        now: datetime,
        invitation_id: uuid.UUID | None = None,
        join_link: str | None = None,
    ) -> Invitation:
        cls.check_invitable(template, expires_at, now)
        invitation = cls(
            id=invitation_id or uuid.uuid4(),
            template_id=template.id,
            template=template,
            template_version=template.current_version,
            candidate_id=candidate_id,
            # The billed account (the inviter's company, else the inviter): the same id reaches billing and analysis.
            company_id=company_id,
            company_name=company_name,
            invited_by=invited_by,
            status=InvitationStatus.PENDING,
            allow_pause=allow_pause,
            show_timer=show_timer,
            expires_at=expires_at,
            total_questions=len(template.questions),
            created_at=now,
            updated_at=now,
            responses=[],
            **contacts,
        )
        invitation.record(
            events.InvitationCreated(
                invitation_id=str(invitation.id),
                template_id=str(template.id),
                template_title=template.title,
                candidate_id=candidate_id,
                company_id=invitation.company_id,
                company_name=company_name,
                invited_by=invited_by,
                expires_at=expires_at,
                join_link=join_link,
                **contacts,
            )
        )
        return invitation

    @staticmethod
    def check_invitable(template: Template, expires_at: datetime, now: datetime) -> None:
        """What every invitation to `template` needs, asked before any is made (a bulk invitation's preview)."""
        if template.status != TemplateStatus.ACTIVE:
            raise InvalidInvitationData(f"Cannot invite to a template in {template.status} state")
        if not template.questions:
            raise InvalidInvitationData("Cannot invite to a template without questions")
        if expires_at <= now:
            raise InvalidInvitationData("expiresAt must be in the future")

    @property
    def pinned(self) -> TemplateVersion | Template:
        """What this candidate was sent: the pinned version's title, description, settings and questions; later
        edits of the template are the next invitations' business."""
        return self.template_version or self.template

    def is_past_expiry(self, now: datetime) -> bool:
        return now > self.expires_at

    def expire(self, now: datetime) -> None:
        """Only open invitations expire: a completed one keeps its answers, analysis and decision."""
        if self.status not in (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS):
            raise InvalidInvitationState(f"Cannot expire an invitation in {self.status} state")
        previous = self.status
        self.status = InvitationStatus.EXPIRED
        self.updated_at = now
        self.record(
            events.InvitationExpired(
                invitation_id=str(self.id),
                candidate_id=self.candidate_id,
                template_id=str(self.template_id),
                hr_user_id=self.invited_by,
                company_id=self.company_id,
                previous_status=previous,
                expired_at=now,
                candidate_email=self.candidate_email,
                hr_email=self.hr_email,
            )
        )

    def _expire_if_due(self, now: datetime) -> None:
        if self.status in (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS) and self.is_past_expiry(now):
            self.expire(now)
            raise InvitationHasExpired(f"Invitation expired at {self.expires_at.isoformat()}")

    def _require(self, status: InvitationStatus, operation: str) -> None:
        if self.status == InvitationStatus.CANCELLED:
            raise InvitationNotPending(f"Cannot {operation} invitation: it was cancelled")
        if self.status != status:
            raise InvalidInvitationState(f"Cannot {operation} invitation in {self.status} state")

    def cancel(self, now: datetime) -> None:
        """HR withdraws an invitation the candidate has not started; once started it runs its course."""
        if self.status != InvitationStatus.PENDING:
            raise InvitationNotPending(f"Only a pending invitation can be cancelled; this one is {self.status}")
        self.status = InvitationStatus.CANCELLED
        self.cancelled_at = now
        self.updated_at = now
        self.record(
            events.InvitationCancelled(
                invitation_id=str(self.id),
                company_id=self.company_id,
                candidate_id=self.candidate_id,
                cancelled_at=now,
                candidate_email=self.candidate_email,
                candidate_name=self.candidate_name,
                template_title=self.pinned.title,
            )
        )

    def open_briefing(self, now: datetime) -> bool:
        """The candidate opens the briefing; the first time is recorded (the funnel's "opened"). True then."""
        self._expire_if_due(now)
        if self.status == InvitationStatus.CANCELLED:
            raise InvitationNotPending("This invitation was withdrawn")
        if self.opened_at is not None:
            return False
        self.opened_at = now
        self.updated_at = now
        self.record(
            events.InvitationOpened(
                invitation_id=str(self.id),
                template_id=str(self.template_id),
                candidate_id=self.candidate_id,
                company_id=self.company_id,
                opened_at=now,
            )
        )
        return True

    def accept_notice(
        self, notice: Notice, version: str, text_hash: str | None, *, human_review: bool, now: datetime
    ) -> None:
        """The candidate accepts the notice shown on the briefing (again, to change their human-only choice) before
        the interview starts; afterwards what they agreed to stays as it was."""
        self._require(InvitationStatus.PENDING, "accept the notice of")
        check_acceptance(notice, version, text_hash)
        self.consent_notice_version = notice.version
        self.consent_notice_hash = notice.text_hash
        self.consent_accepted_at = now
        self.human_review_requested = human_review
        self.updated_at = now

    def start(self, now: datetime) -> None:
        self._expire_if_due(now)
        self._require(InvitationStatus.PENDING, "start")
        if self.opened_at is None:
            raise BriefingRequired("Open the briefing first: the interview is timed only after it")
        if self.consent_accepted_at is None:
            raise ConsentRequired("Read and accept the notice on the briefing first: it says how your answers are used")
        self.status = InvitationStatus.IN_PROGRESS
        self.started_at = now
        self.last_activity_at = now
        self.updated_at = now
        self.record(
            events.InvitationStarted(
                invitation_id=str(self.id),
                candidate_id=self.candidate_id,
                started_at=now,
                candidate_name=self.candidate_name,
                hr_user_id=self.invited_by,
                hr_email=self.hr_email,
            )
        )

    def submit_response(
        self,
        *,
        question_id: uuid.UUID,
        question_index: int | None,
        response_type: ResponseType,
        text_answer: str | None,
        code_answer: str | None,
        video_url: str | None,
        selected_option_id: str | None,
        media_id: uuid.UUID | None,
        media: MediaObject | None,
        duration: int,
        now: datetime,
        allowances: Allowances | None = None,
    ) -> Response:
        """Answer a question, or retake it within the template's allowance (the answer is replaced).

        `media` is the projection of `media_id` (None when unknown): a video or audio response must name a ready
        recording the candidate made for this very invitation and question. An answer after the question's time
        (or the interview's total time) plus `allowances` is refused and changes nothing."""
        allowances = allowances or Allowances()
        self._expire_if_due(now)
        self._require(InvitationStatus.IN_PROGRESS, "answer")
        question = next((q for q in self.pinned.questions if q.id == question_id), None)
        if question is None:
            raise QuestionNotFound("This question is not part of this interview")
        previous = next((r for r in self.responses if r.question_id == question_id), None)
        if previous is not None:
            self._ensure_retake_left(previous)
        self._check_total_time(now, allowances)
        self._check_answer_time(question, previous, response_type, now, allowances)
        answer = _validate_answer(question, response_type, text_answer, code_answer, selected_option_id, media_id)
        if response_type in MEDIA_RESPONSES:
            self._check_media(question_id, media_id, media)
        response = previous or Response(id=uuid.uuid4(), invitation_id=self.id, question_id=question_id, attempts=0)
        response.question_index = question.order - 1 if question_index is None else question_index
        response.question_text = question.text
        response.response_type = response_type
        response.text_answer = answer.text
        response.code_answer = code_answer
        response.video_url = video_url
        response.selected_option_id = answer.option_id
        response.media_id = media_id
        response.duration = duration
        response.submitted_at = now
        response.attempts += 1
        if previous is None:
            self.responses.append(response)
        self.last_activity_at = now
        self.updated_at = now
        self.record(
            events.InvitationResponseSubmitted(
                invitation_id=str(self.id), question_id=str(question_id), response_type=response_type
            )
        )
        return response

    def open_question(self, question_id: uuid.UUID, now: datetime, allowances: Allowances) -> QuestionOpening:
        """Show the candidate a question: its think time and time limit count from now. Opening it again keeps
        the running clock (a reload does not reset it); a retake opens a fresh one, if a retake is left."""
        self._expire_if_due(now)
        self._require(InvitationStatus.IN_PROGRESS, "answer")
        question = next((q for q in self.pinned.questions if q.id == question_id), None)
        if question is None:
            raise QuestionNotFound("This question is not part of this interview")
        self._check_total_time(now, allowances)
        previous = next((r for r in self.responses if r.question_id == question_id), None)
        opening = next((o for o in self.openings if o.question_id == question_id), None)
        if opening is None:
            if previous is not None:
                self._ensure_retake_left(previous)
            opening = QuestionOpening(invitation_id=self.id, question_id=question_id, opened_at=now)
            self.openings.append(opening)
        elif previous is not None and previous.submitted_at >= opening.opened_at:
            self._ensure_retake_left(previous)
            opening.opened_at = now
        self.last_activity_at = now
        self.updated_at = now
        return opening

    def total_deadline(self) -> datetime | None:
        """When the whole interview's time is up: `totalTimeLimit` minutes from the start. A pausable interview
        has none (a pause would spend it), only its per-question limits."""
        limit = self.pinned.settings.get("totalTimeLimit")
        if not limit or self.allow_pause or self.started_at is None:
            return None
        return self.started_at + timedelta(minutes=int(limit))

    def _check_total_time(self, now: datetime, allowances: Allowances) -> None:
        deadline = self.total_deadline()
        if deadline is not None and now > deadline + allowances.grace:
            raise TotalTimeLimitExceeded("The time for this interview is up; no more answers can be saved")

    def answer_clock_start(self, question_id: uuid.UUID) -> datetime | None:
        """When the question's clock started: its latest opening, else (a client that does not open questions)
        when the previous answer was saved or the interview started."""
        opening = next((o for o in self.openings if o.question_id == question_id), None)
        previous = next((r for r in self.responses if r.question_id == question_id), None)
        if opening is not None:
            return max(opening.opened_at, previous.submitted_at) if previous is not None else opening.opened_at
        if previous is not None:
            return previous.submitted_at
        return max([r.submitted_at for r in self.responses], default=self.started_at)

    def _check_answer_time(
        self,
        question: Question,
        previous: Response | None,
        response_type: ResponseType,
        now: datetime,
        allowances: Allowances,
    ) -> None:
        started = self.answer_clock_start(question.id)
        if started is None:
            return
        allowed = timedelta(seconds=question.think_time + question.time_limit) + allowances.grace
        if response_type in MEDIA_RESPONSES:
            allowed += allowances.upload
        if now > started + allowed:
            raise TimeLimitExceeded("The time for this question is up; this answer arrived too late to count")

    def retakes_allowed(self) -> int:
        settings = self.pinned.settings
        if not settings.get("allowRetakes"):
            return 0
        return int(settings.get("maxRetakes") or DEFAULT_MAX_RETAKES)

    def _ensure_retake_left(self, previous: Response) -> None:
        allowed = self.retakes_allowed()
        if allowed == 0:
            raise DuplicateResponse("This question has already been answered")
        if previous.attempts > allowed:
            raise RetakesExhausted(f"No retake left: {allowed} allowed per question, all taken")

    def _check_media(self, question_id: uuid.UUID, media_id: uuid.UUID | None, media: MediaObject | None) -> None:
        if media_id is None:
            raise MediaRequired("A video or audio response needs the mediaId of its recording")
        if media is None:
            raise MediaNotFound("This recording was not found: it was not uploaded, or is still being processed")
        if media.owner_id != self.candidate_id or media.invitation_id != self.id:
            raise MediaNotOwned("This recording was not made by this candidate for this interview")
        if media.question_id != question_id:
            raise MediaWrongQuestion("This recording was made for another question")
        if media.status != MediaStatus.READY:
            raise MediaNotReady("This recording cannot be used: it is still being processed, or it was rejected")

    @property
    def blind_to_ai(self) -> bool:
        """Reviewers rate before they see the AI's analysis when the template says so or the candidate asked for a
        human-only review."""
        return bool(self.pinned.settings.get("blindToAi")) or self.human_review_requested

    def heartbeat(self, now: datetime) -> None:
        self._require(InvitationStatus.IN_PROGRESS, "record activity on")
        self.last_activity_at = now
        self.updated_at = now

    def complete(self, reason: CompletionReason, now: datetime) -> None:
        self._require(InvitationStatus.IN_PROGRESS, "complete")
        answered = len(self.responses)
        if reason == CompletionReason.MANUAL and answered < self.total_questions:
            raise InvitationIncomplete(f"Cannot complete: {answered}/{self.total_questions} questions answered")
        self.status = InvitationStatus.COMPLETED
        self.completed_at = now
        self.completed_reason = reason
        self.updated_at = now
        template = self.pinned
        self.record(
            events.InvitationCompleted(
                invitation_id=str(self.id),
                candidate_id=self.candidate_id,
                company_id=self.company_id,
                template_id=str(self.template_id),
                template_title=template.title,
                company_name=self.company_name,
                completed_at=now,
                completed_reason=reason,
                language=str(template.settings.get("language") or "en"),
                questions=[q.snapshot(template.rubric) for q in template.questions],
                responses=[r.snapshot() for r in self.responses],
                hr_user_id=self.invited_by,
                hr_email=self.hr_email,
                hr_name=self.hr_name,
                candidate_name=self.candidate_name,
                candidate_email=self.candidate_email,
                response_count=answered,
                ai_blind=self.blind_to_ai,
            )
        )

    def feedback_policy(self) -> CandidateFeedback:
        return CandidateFeedback(self.pinned.settings.get("candidateFeedback") or DEFAULT_CANDIDATE_FEEDBACK)

    def decide(
        self,
        decision: Decision,
        *,
        note: str | None,
        by: str,
        now: datetime,
        candidate_feedback: str | None = None,
        release_at: datetime | None = None,
    ) -> None:
        self._require(InvitationStatus.COMPLETED, "decide on")
        if self.decision is not None:
            raise DecisionAlreadyMade(f"A decision was already made: {self.decision}")
        if decision == Decision.REJECTED and not (note and note.strip()):
            raise InvalidInvitationData("A rejection needs a note")
        feedback = (candidate_feedback or "").strip() or None
        if feedback is not None and self.feedback_policy() != CandidateFeedback.DECISION_AND_FEEDBACK:
            raise FeedbackNotOffered("This interview's template does not give candidates written feedback")
        self.candidate_feedback = feedback
        # A release time already past releases at once, as none would.
        self.feedback_release_at = release_at if release_at is not None and release_at > now else None
        self.decision = decision
        self.decision_at = now
        self.decision_by = by
        self.decision_note = note.strip() if note is not None and decision == Decision.REJECTED else note
        self.updated_at = now
        event_type = events.CandidateApproved if decision == Decision.APPROVED else events.CandidateRejected
        self.record(
            event_type(
                invitation_id=str(self.id),
                candidate_id=self.candidate_id,
                candidate_email=self.candidate_email,
                candidate_name=self.candidate_name,
                template_id=str(self.template_id),
                template_title=self.pinned.title,
                company_name=self.company_name,
                hr_user_id=by,
                # Contacts are known for the inviting HR user only; an admin deciding has none here.
                hr_email=self.hr_email if by == self.invited_by else None,
                hr_name=self.hr_name if by == self.invited_by else None,
                note=note,
                decided_at=now,
            )
        )

    def attach_analysis(
        self,
        *,
        analysis_id: str | None,
        status: str,
        score: float | None,
        recommendation: str | None,
        error_message: str | None,
        occurred_at: datetime,
        criteria: dict[str, float] | None = None,
    ) -> bool:
        """Apply an analysis outcome unless a newer one is already applied; True when applied."""
        if self.analysis_event_at is not None and occurred_at < self.analysis_event_at:
            return False
        self.analysis_event_at = occurred_at
        self.analysis_id = analysis_id or self.analysis_id
        self.analysis_status = status
        if status == "failed":
            self.analysis_error_message = error_message
            self.analysis_score = None
            self.analysis_recommendation = None
            self.analysis_completed_at = None
            self.analysis_criteria = None
        else:
            self.analysis_score = None if score is None else round(score)
            self.analysis_recommendation = recommendation
            self.analysis_completed_at = occurred_at
            self.analysis_criteria = criteria
            self.analysis_error_message = None
        return True


def released_outcome(
    policy: CandidateFeedback,
    decision: Decision | None,
    decision_at: datetime | None,
    feedback: str | None,
    release_at: datetime | None,
    now: datetime,
) -> tuple[Decision | None, datetime | None, str | None]:
    """What the candidate may see of the human decision now: (decision, when, feedback), each None when the
    template withholds it or its release time has not come."""
    if decision is None or policy == CandidateFeedback.NONE or (release_at is not None and now < release_at):
        return None, None, None
    shown_at = max(decision_at, release_at) if decision_at is not None and release_at is not None else decision_at
    return decision, shown_at, feedback if policy == CandidateFeedback.DECISION_AND_FEEDBACK else None


class _Answer:
    __slots__ = ("option_id", "text")

    def __init__(self, text: str | None, option_id: str | None) -> None:
        self.text = text
        self.option_id = option_id


def _validate_answer(
    question: Question,
    response_type: ResponseType,
    text_answer: str | None,
    code_answer: str | None,
    selected_option_id: str | None,
    media_id: uuid.UUID | None,
) -> _Answer:
    if response_type in MEDIA_RESPONSES and question.type not in (QuestionType.VIDEO, QuestionType.AUDIO):
        raise InvalidAnswer(f"A {question.type} question takes no {response_type} response")
    if media_id is not None and response_type not in MEDIA_RESPONSES:
        raise InvalidAnswer("Only a video or audio response carries a mediaId")
    if question.type == QuestionType.MULTIPLE_CHOICE:
        # The reference's web sends the chosen option's text as textAnswer; an option id is also accepted.
        if selected_option_id is not None:
            option = question.option(selected_option_id)
        else:
            option = question.option_by_text((text_answer or "").strip())
        if option is None:
            raise InvalidAnswer("The answer must be one of the question's options")
        return _Answer(option["text"], option["id"])
    if selected_option_id is not None:
        raise InvalidAnswer("Only multiple_choice questions take an option")
    if response_type == ResponseType.TEXT and not (text_answer and text_answer.strip()):
        raise InvalidAnswer("A text response needs a textAnswer")
    if response_type == ResponseType.CODE and not (code_answer and code_answer.strip()):
        raise InvalidAnswer("A code response needs a codeAnswer")
    # A text answer to a video or audio question stays accepted: the reference's web sends every answer as text.
    return _Answer(text_answer, None)


# A missing invitation is a 404; an answer twice or a second decision 409; an illegal transition, an
# incomplete interview or an unfit answer 422; an interview past its expiry 410.


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"


class DuplicateInvitation(Conflict):
    code = "DUPLICATE_INVITATION"


class DuplicateResponse(Conflict):
    code = "DUPLICATE_RESPONSE"


class RetakesExhausted(Conflict):
    code = "RETAKES_EXHAUSTED"


class DecisionAlreadyMade(Conflict):
    code = "DECISION_ALREADY_MADE"


class InvalidInvitationState(Invalid):
    code = "INVALID_INVITATION_STATE"


class InvitationNotPending(Conflict):
    """A cancellation of an invitation already under way or over, or any step on a cancelled one: the state
    changed under the caller (409), with the invalid-state code clients already handle."""

    code = "INVALID_INVITATION_STATE"


class InvitationIncomplete(Invalid):
    code = "INVITATION_INCOMPLETE"


class InvalidAnswer(Invalid):
    code = "INVALID_ANSWER"


class MediaRequired(Invalid):
    code = "MEDIA_REQUIRED"


class MediaNotFound(Invalid):
    code = "MEDIA_NOT_FOUND"


class MediaNotOwned(Invalid):
    code = "MEDIA_NOT_OWNED"


class MediaWrongQuestion(Invalid):
    code = "MEDIA_WRONG_QUESTION"


class MediaNotReady(Invalid):
    code = "MEDIA_NOT_READY"


class InvitationHasExpired(Gone):
    """Raised after the expiry itself has been recorded: the transaction commits it, then the caller gets 410."""

    code = "INVITATION_EXPIRED"
    commits = True


class InvalidInvitationData(DomainError):
    code = "INVALID_INVITATION_DATA"

"""Every wire model of the service: request bodies (camelCase, unknown fields and NUL characters refused with
a 422 naming the field), the views the routes answer with, and the parts of other services' events the
consumers read."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from interviews.consent_schemas import ConsentRecord, NoticeView
from interviews.domain import (
    CandidateFeedback,
    CompletionReason,
    Decision,
    InvitationStatus,
    Question,
    QuestionType,
    ResponseType,
    Template,
    TemplateStatus,
)
from kit.schemas import Command, View

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text1000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# HR's own name for a template; an empty one clears it.
InternalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]
QuestionOrder = Annotated[int, Field(ge=1, le=10_000)]
TimeLimit = Annotated[int, Field(ge=30, le=600)]
ThinkTime = Annotated[int, Field(ge=0, le=300)]
Hints = Annotated[str, StringConstraints(max_length=200)]


def _as_utc(value: datetime) -> datetime:
    # A date without an offset is read as UTC rather than refused: the reference accepted any ISO date.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


# -- request bodies: templates ------------------------------------------------------------------------------


class TemplateSettings(Command):
    total_time_limit: Annotated[int, Field(ge=1, le=480)] | None = None
    allow_retakes: bool | None = None
    # Retakes per question when `allowRetakes` is true (1 when omitted); each replaces the previous answer.
    max_retakes: Annotated[int, Field(ge=1, le=10)] | None = None
    show_timer: bool | None = None
    randomize_questions: bool | None = None
    allow_pause: bool | None = None
    # What candidates are told once a human decided (the decision by default); never the AI's score or verdict.
    candidate_feedback: CandidateFeedback | None = None
    # Shown on the candidate's "What happens next" screen, in the company's words ("within 5 working days").
    expected_reply_time: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None
    ) = None

    # Reviewers see the AI's scores and summary only after submitting their own ratings.
    blind_to_ai: bool | None = None
    # Once the decision reaches the candidate, explain it: per answer the rubric's criteria, each with a plain band
    # and a quote from their answer (never a score or the AI's verdict), and for a rejection the reviewer's reason.
    candidate_explanations: bool | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class CreateTemplate(Command):
    title: Text200
    description: Text1000
    settings: TemplateSettings | None = None
    internal_name: InternalName | None = None


class UpdateTemplate(Command):
    title: Text200 | None = None
    description: Text1000 | None = None
    settings: TemplateSettings | None = None
    # Alone, it may change in any state (candidates never see it); with the rest, only a draft changes.
    internal_name: InternalName | None = None


class OptionIn(Command):
    text: Text200
    is_correct: bool


Options = Annotated[list[OptionIn], Field(min_length=2, max_length=10)]


class AddQuestion(Command):
    text: QuestionText
    type: QuestionType
    order: QuestionOrder
    time_limit: TimeLimit
    # Seconds to think before recording (video and audio questions only).
    think_time: ThinkTime = 0
    required: bool = True
    hints: Hints | None = None
    options: Options | None = None


class UpdateQuestion(Command):
    text: QuestionText | None = None
    type: QuestionType | None = None
    order: QuestionOrder | None = None
    time_limit: TimeLimit | None = None
    think_time: ThinkTime | None = None
    required: bool | None = None
    hints: Hints | None = None
    options: Options | None = None


class ReorderQuestions(Command):
    question_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=1000)]


# -- request bodies: invitations ----------------------------------------------------------------------------


class CreateInvitation(Command):
    template_id: uuid.UUID
    candidate_id: uuid.UUID
    # A member of a company invites in its name (omit it, or send exactly that name); without a company it is
    # required and kept as given.
    company_name: Text200 | None = None
    expires_at: UtcDatetime
    # Omitted: the template's `allowPause` / `showTimer` settings, else true as in the reference.
    allow_pause: bool | None = None
    show_timer: bool | None = None
    candidate_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    candidate_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    hr_email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None = None
    hr_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class SubmitResponse(Command):
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


class CompleteInvitation(Command):
    reason: CompletionReason = CompletionReason.MANUAL


CandidateFeedbackText = Annotated[str, StringConstraints(max_length=2000)]


class ApproveCandidate(Command):
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    # For the candidate (the note is internal); only where the template gives written feedback.
    candidate_feedback: CandidateFeedbackText | None = None
    # The decision reaches the candidate from then on (at once when omitted).
    release_at: UtcDatetime | None = None


class RejectCandidate(Command):
    note: Annotated[str, StringConstraints(max_length=2000)]
    candidate_feedback: CandidateFeedbackText | None = None
    release_at: UtcDatetime | None = None

    @field_validator("note")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("A rejection needs a note")
        return value


# -- responses ----------------------------------------------------------------------------------------------


class Created(View):
    id: uuid.UUID


class Success(View):
    success: Literal[True] = True


class Published(View):
    status: TemplateStatus


class OptionView(View):
    id: str
    text: str
    # Absent for candidates: which option is correct is not theirs to see.
    is_correct: bool | None = None


class QuestionView(View):
    id: uuid.UUID
    text: str
    type: QuestionType
    order: int
    time_limit: int
    think_time: int = 0
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
            think_time=question.think_time,
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
    status: TemplateStatus
    created_by: str
    questions_count: int
    created_at: datetime
    updated_at: datetime
    internal_name: str | None = None
    # The number of the version new invitations get (the last published); none before the first publish.
    current_version: int | None = None


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
            internal_name=template.internal_name,
            current_version=template.current_version.number if template.current_version else None,
        )


class TemplateVersionView(View):
    """One published version: who published it and when, what changed since the one before, and how many
    invitations were sent with it."""

    number: int
    title: str
    published_by: str
    published_at: datetime
    questions_count: int
    questions_added: int
    questions_removed: int
    questions_edited: int
    details_changed: bool
    invitations: int


class TemplateVersionList(View):
    versions: list[TemplateVersionView]


class Progress(View):
    answered: int
    total: int
    percentage: int

    @classmethod
    def of(cls, answered: int, total: int) -> Progress:
        return cls(**cls.fields_of(answered, total))

    @staticmethod
    def fields_of(answered: int, total: int) -> dict[str, int]:
        """The fields, for a list that validates its items' fields in one call."""
        return {"answered": answered, "total": total, "percentage": round(answered / total * 100) if total else 0}


class ResponseView(View):
    id: uuid.UUID
    question_id: uuid.UUID
    question_index: int
    question_text: str
    response_type: ResponseType
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
    status: InvitationStatus
    allow_pause: bool
    show_timer: bool
    expires_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    completed_reason: CompletionReason | None = None
    cancelled_at: datetime | None = None
    progress: Progress
    responses: list[ResponseView]
    analysis: AnalysisView | None = None
    # The reference kept the decision out of this shape; the candidate's page needs it.
    decision: Decision | None = None
    decision_at: datetime | None = None
    decision_note: str | None = None
    # HR's words for the candidate, and when the decision reaches the candidate (HR's view); a candidate sees
    # the decision and feedback only as the template allows, once released, and never the AI's analysis.
    candidate_feedback: str | None = None
    feedback_release_at: datetime | None = None
    # The candidate's only, where the template explains outcomes (`candidateExplanations`) and the decision has
    # reached them: the reason the reviewer recorded for a rejection, and whether the per-answer explanation is
    # theirs to read (the gateway asks this before it relays it).
    rejection_reason: str | None = None
    explanations_released: bool = False
    opened_at: datetime | None = None
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
    # The number of the template version the candidate was sent.
    template_version: int | None = None


class InvitationListItem(View):
    id: uuid.UUID
    template_id: uuid.UUID
    template_title: str
    candidate_id: str
    candidate_name: str | None = None
    candidate_email: str | None = None
    company_name: str
    status: InvitationStatus
    allow_pause: bool
    expires_at: datetime
    progress: Progress
    analysis_status: str | None = None
    analysis_score: int | None = None
    analysis_recommendation: str | None = None
    decision: Decision | None = None
    decision_at: datetime | None = None
    decision_note: str | None = None
    candidate_feedback: str | None = None
    created_at: datetime
    # For HR only: their own name for the template and the version this invitation was sent.
    template_internal_name: str | None = None
    template_version: int | None = None


class BriefingQuestion(View):
    order: int
    type: QuestionType
    time_limit: int
    think_time: int


class Briefing(View):
    """Everything a candidate should know before anything is timed."""

    invitation_id: uuid.UUID
    status: InvitationStatus
    company_name: str
    # The role: the template's title and description.
    template_title: str
    template_description: str
    expires_at: datetime
    questions: list[BriefingQuestion]
    # Seconds: every question's think time and time limit added up.
    expected_duration: int
    # Minutes from the start, enforced; null when the interview has none (a pausable one has only per-question
    # limits).
    total_time_limit: int | None = None
    allow_pause: bool
    retakes_allowed: int
    # A recording is made for video (camera and microphone) and audio (microphone) questions.
    needs_camera: bool
    needs_microphone: bool
    candidate_feedback: CandidateFeedback
    expected_reply_time: str | None = None
    # Seconds an answer may arrive after its time limit and still count (the network's delay).
    grace_seconds: int
    # The AI-use notice to accept before starting, and what the candidate accepted (null until they have).
    notice: NoticeView
    consent: ConsentRecord | None = None
    # Days after the decision the company erases candidates' data; null when it keeps it.
    retention_days: int | None = None


class QuestionClock(View):
    """A question's clock on the server: the client counts down to these instants."""

    question_id: uuid.UUID
    opened_at: datetime
    think_time: int
    time_limit: int
    # Recording (or answering) may begin at `answerFrom`; the answer is due by `answerBy`.
    answer_from: datetime
    answer_by: datetime
    total_deadline: datetime | None = None


# -- other services' events, as far as this service reads them ----------------------------------------------


class AnalysisOutcome(BaseModel):
    """The fields of `analysis.completed` / `analysis.failed` this service keeps; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    invitation_id: uuid.UUID = Field(alias="invitationId")
    analysis_id: str | None = Field(default=None, alias="analysisId")
    status: str | None = None
    overall_score: float | None = Field(default=None, alias="overallScore")
    recommendation: str | None = None
    error_message: str | None = Field(default=None, alias="errorMessage")
    criteria_scores: dict[str, float] | None = Field(default=None, alias="criteriaScores")


class CompanyRef(BaseModel):
    """The fields of the users service's `company.created|updated|deleted` this service keeps."""

    model_config = ConfigDict(extra="ignore")

    company_id: uuid.UUID = Field(alias="companyId")
    # Absent from `company.deleted`.
    name: Annotated[str, StringConstraints(max_length=200)] | None = None


class MediaRef(BaseModel):
    """The identity fields every media event carries; the rest is the media service's own."""

    model_config = ConfigDict(extra="ignore")

    media_id: uuid.UUID = Field(alias="mediaId")
    owner_id: str = Field(alias="ownerId", min_length=1, max_length=64)
    invitation_id: uuid.UUID = Field(alias="invitationId")
    question_id: uuid.UUID = Field(alias="questionId")

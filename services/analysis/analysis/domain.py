"""The analysis aggregate, its per-question rows, and the interview snapshot it is computed from."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kit.contracts.analysis import AnalysisCompleted, AnalysisFailed, AnalysisStarted
from kit.db import Base
from kit.domain import AggregateRoot, utcnow
from kit.errors import Conflict, NotFound

Engine = Literal["llm", "offline"]
Recommendation = Literal["hire", "consider", "reject"]


# --- the snapshot carried by `invitation.completed` ---------------------------------------------------
# Parsed tolerantly: unknown fields are ignored and most fields are optional, because the producer
# evolves additively and the reference's shape (`order`, no options) must keep working.


class _Snapshot(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class SnapshotOption(_Snapshot):
    id: str | None = None
    text: str = ""
    is_correct: bool = False


class SnapshotCriterion(_Snapshot):
    """One criterion of the hiring team's rubric: its weight and what a good and a poor answer are."""

    name: str
    weight: float = 1.0
    good: str = ""
    poor: str = ""


class SnapshotQuestion(_Snapshot):
    id: str
    text: str = ""
    type: str = "text"
    order: int = Field(default=0, validation_alias=AliasChoices("order", "orderIndex"))
    options: list[SnapshotOption] = Field(default_factory=list)
    # The rubric the question is scored on; empty: the generic criteria (events before rubrics carry none).
    rubric: list[SnapshotCriterion] = Field(default_factory=list)

    @field_validator("options", "rubric", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or []


class SnapshotResponse(_Snapshot):
    id: str | None = None
    question_id: str
    response_type: str | None = None
    text_answer: str | None = None
    code_answer: str | None = None
    selected_option_id: str | None = None
    selected_option_ids: list[str] = Field(default_factory=list)
    media_id: str | None = None

    @field_validator("selected_option_ids", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return value or []

    @property
    def text(self) -> str:
        return (self.text_answer or self.code_answer or "").strip()


class InterviewSnapshot(_Snapshot):
    invitation_id: uuid.UUID
    candidate_id: str | None = None
    company_id: str | None = None
    template_id: str | None = None
    template_title: str = ""
    company_name: str = ""
    language: str = "en"
    questions: list[SnapshotQuestion] = Field(default_factory=list)
    responses: list[SnapshotResponse] = Field(default_factory=list)
    hr_user_id: str | None = Field(default=None, validation_alias=AliasChoices("hrUserId", "invitedBy"))
    hr_email: str | None = None
    hr_name: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None

    @field_validator("candidate_id", "company_id", "template_id", "hr_user_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        return None if value is None else str(value).lower()

    @field_validator("language", mode="before")
    @classmethod
    def _default_language(cls, value: Any) -> Any:
        return value or "en"

    def ordered_questions(self) -> list[SnapshotQuestion]:
        return sorted(self.questions, key=lambda q: q.order)

    def response_to(self, question_id: str) -> SnapshotResponse | None:
        return next((r for r in self.responses if r.question_id == question_id), None)

    @property
    def media_ids(self) -> set[str]:
        """The recordings whose transcripts the analysis waits for."""
        return {r.media_id for r in self.responses if r.media_id}

    @property
    def owner(self) -> str | None:
        """The HR user who owns the invitation (the reference's companyId is the inviter's id)."""
        return self.hr_user_id or self.company_id


# --- the aggregate -------------------------------------------------------------------------------


class AnalysisStatus(StrEnum):
    # A recorded answer has neither a transcript nor a definitive "none" yet.
    WAITING_FOR_TRANSCRIPTS = "waiting_for_transcripts"
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class QuestionAnalysis(Base):
    __tablename__ = "question_analyses"

    id: Mapped[uuid.UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    analysis_id: Mapped[uuid.UUID] = mapped_column(
        PG_UUID(as_uuid=True), ForeignKey("analysis_results.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(255))
    question_text: Mapped[str] = mapped_column(Text)
    question_type: Mapped[str] = mapped_column(String(30))
    response_text: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text)
    criteria_scores: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    tokens_used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AnalysisResult(Base, AggregateRoot):
    __tablename__ = "analysis_results"

    id: Mapped[uuid.UUID] = mapped_column(PG_UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    invitation_id: Mapped[uuid.UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    candidate_id: Mapped[str | None] = mapped_column(String(255), index=True)
    template_id: Mapped[str | None] = mapped_column(String(255))
    template_title: Mapped[str] = mapped_column(String(500), default="")
    company_name: Mapped[str] = mapped_column(String(255), default="")
    company_id: Mapped[str | None] = mapped_column(String(255))
    hr_user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True, default=AnalysisStatus.PENDING)
    overall_score: Mapped[int | None] = mapped_column(Integer)
    # The answers the overall score rests on, of all questions (recordings without transcript are not scored).
    scored_answers: Mapped[int | None] = mapped_column(Integer)
    total_answers: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[list[str]] = mapped_column(JSONB, default=list)
    weaknesses: Mapped[list[str]] = mapped_column(JSONB, default=list)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(20))
    model_used: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(20))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    total_tokens_used: Mapped[int] = mapped_column(Integer, default=0)
    processing_time_ms: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(10), default="en")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # The worker job that runs this attempt: a re-run of that job resumes, any other job leaves it alone.
    job_id: Mapped[str | None] = mapped_column(String(200))
    source_event_data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    # Set in Python, not by the server, so a written row's views need no refresh.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, onupdate=utcnow
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    questions: Mapped[list[QuestionAnalysis]] = relationship(
        order_by=QuestionAnalysis.position, cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def snapshot(self) -> InterviewSnapshot:
        return InterviewSnapshot.model_validate(self.source_event_data)

    def claim(self, job_id: str, *, engine: Engine, model: str | None, prompt_version: str | None) -> bool:
        """Whether this job runs the analysis: it starts a pending one, or resumes the one it started."""
        if self.status == AnalysisStatus.IN_PROGRESS:
            return self.job_id == job_id
        if self.status != AnalysisStatus.PENDING:
            return False
        self.status = AnalysisStatus.IN_PROGRESS
        self.job_id = job_id
        self.engine, self.model_used, self.prompt_version = engine, model, prompt_version
        self.started_at = utcnow()
        self.record(AnalysisStarted(analysis_id=self.id, aggregate_id=self.id, engine=engine, **self._event_ids()))
        return True

    def complete(self, outcome: InterviewOutcome) -> None:
        self._require_running()
        if not outcome.questions:
            raise IllegalTransition("an analysis needs at least one analysed question")
        self.status = AnalysisStatus.COMPLETED
        self.overall_score = outcome.overall_score
        self.scored_answers = sum(1 for q in outcome.questions if q.score is not None)
        self.total_answers = len(outcome.questions)
        self.summary = outcome.summary
        self.strengths, self.weaknesses = outcome.strengths, outcome.weaknesses
        self.recommendation = outcome.recommendation
        self.error_message = None
        self._account(outcome.usage, outcome.processing_time_ms)
        self.questions = [q.to_row(self.id, position) for position, q in enumerate(outcome.questions)]
        self.completed_at = utcnow()
        self.record(
            AnalysisCompleted(
                overall_score=outcome.overall_score,
                recommendation=outcome.recommendation,
                questions_analyzed=len(outcome.questions),
                scored_answers=self.scored_answers,
                total_answers=self.total_answers,
                criteria_scores=outcome.criteria_means(),
                **self._outcome_fields(),
            )
        )

    def fail(self, reason: str, *, processing_time_ms: int = 0) -> None:
        self._require_running()
        self.status = AnalysisStatus.FAILED
        self.error_message = reason[:2000]
        self._account(Usage(), processing_time_ms)
        self.completed_at = None
        self.record(AnalysisFailed(error_message=self.error_message, questions_analyzed=0, **self._outcome_fields()))

    def release(self) -> bool:
        """Whether this waiting analysis may now run: every recording is transcribed or definitively not."""
        if self.status != AnalysisStatus.WAITING_FOR_TRANSCRIPTS:
            return False
        self.status = AnalysisStatus.PENDING
        return True

    def retry(self) -> None:
        if self.status != AnalysisStatus.FAILED:
            raise IllegalTransition(f"only a failed analysis can be retried; this one is {self.status}")
        self.status = AnalysisStatus.PENDING
        self.attempts += 1
        self.error_message = None
        self.started_at = None

    def _require_running(self) -> None:
        if self.status != AnalysisStatus.IN_PROGRESS:
            raise IllegalTransition(f"analysis {self.id} is {self.status}, not in_progress")

    def _account(self, usage: Usage, processing_time_ms: int) -> None:
        self.prompt_tokens, self.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        self.total_tokens_used = usage.total_tokens
        self.processing_time_ms = processing_time_ms

    def _event_ids(self) -> dict[str, Any]:
        return {
            "invitation_id": self.invitation_id,
            "candidate_id": self.candidate_id,
            "template_id": self.template_id,
            "company_id": self.company_id,
            "hr_user_id": self.hr_user_id,
        }

    def _outcome_fields(self) -> dict[str, Any]:
        snapshot = self.snapshot
        return {
            **self._event_ids(),
            "analysis_id": self.id,
            "template_title": self.template_title,
            "company_name": self.company_name,
            "hr_email": snapshot.hr_email,
            "hr_name": snapshot.hr_name,
            "candidate_name": snapshot.candidate_name,
            "candidate_email": snapshot.candidate_email,
            "processing_time_ms": self.processing_time_ms,
            "total_tokens_used": self.total_tokens_used,
            "engine": self.engine or "offline",
            "model_used": self.model_used,
            "occurred_at": utcnow(),
        }


# --- scoring results (computed outside any transaction, then applied by `complete`) --------------


class AnalysisRow(NamedTuple):
    """An analysis as HR reads it, with whom it belongs to and its questions in order as JSON objects (the
    columns of `QuestionAnalysisView`): a read loads one row, not the aggregate and its collection, as one
    statement on the driver costs a sixth of an ORM load."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    candidate_id: str | None
    template_id: str | None
    template_title: str
    company_name: str
    company_id: str | None
    hr_user_id: str | None
    status: str
    overall_score: int | None
    scored_answers: int | None
    total_answers: int | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    recommendation: str | None
    error_message: str | None
    engine: str | None
    model_used: str | None
    prompt_version: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens_used: int
    processing_time_ms: int
    language: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    questions: list[dict[str, Any]]


class AnalysisStatusRow(NamedTuple):
    """Where an analysis stands, and whom it belongs to."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    candidate_id: str | None
    company_id: str | None
    hr_user_id: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class QuestionOutcome(BaseModel):
    question_id: str
    question_text: str
    question_type: str
    response_text: str | None
    score: int | None
    feedback: str
    criteria_scores: list[dict[str, Any]] = Field(default_factory=list)
    is_correct: bool | None = None
    usage: Usage = Field(default_factory=Usage)

    def to_row(self, analysis_id: uuid.UUID, position: int) -> QuestionAnalysis:
        return QuestionAnalysis(
            id=uuid.uuid4(),
            analysis_id=analysis_id,
            position=position,
            question_id=self.question_id,
            question_text=self.question_text,
            question_type=self.question_type,
            response_text=self.response_text,
            score=self.score,
            feedback=self.feedback,
            criteria_scores=self.criteria_scores,
            is_correct=self.is_correct,
            tokens_used=self.usage.total_tokens,
        )


class InterviewOutcome(BaseModel):
    questions: list[QuestionOutcome]
    overall_score: int
    summary: str
    strengths: list[str]
    weaknesses: list[str]
    recommendation: Recommendation
    usage: Usage
    processing_time_ms: int

    def criteria_means(self) -> dict[str, float]:
        """Each criterion's mean score over the answers scored on it (a choice question has none)."""
        scores: dict[str, list[float]] = {}
        for question in self.questions:
            for row in question.criteria_scores:
                scores.setdefault(str(row["criterion"]), []).append(float(row["score"]))
        return {criterion: round(sum(values) / len(values), 2) for criterion, values in scores.items()}


class TranscriptStatus(StrEnum):
    COMPLETED = "completed"
    UNAVAILABLE = "unavailable"


class Transcript(Base):
    """What the media service said about one recording: its transcript, or definitively none."""

    __tablename__ = "transcripts"

    media_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    invitation_id: Mapped[str] = mapped_column(String(255), index=True)
    question_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(20))
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TimedSegment(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str


class TranscriptText(BaseModel):
    """A usable transcript, as the scorer reads it."""

    model_config = ConfigDict(frozen=True)

    text: str
    segments: list[TimedSegment] = Field(default_factory=list)


class AnalysisNotFound(NotFound):
    code = "ANALYSIS_NOT_FOUND"


class ExplanationNotReady(NotFound):
    code = "EXPLANATION_NOT_READY"


Band = Literal["strong", "adequate", "needs_work"]


def band_of(score: int) -> Band:
    """A criterion's 0-100 score as the plain band a candidate reads instead of the number: from the rubric's
    "good" anchor at the top (75 and up, where a hire begins) through adequate (50 and up) to its "poor" one."""
    return "strong" if score >= 75 else "adequate" if score >= 50 else "needs_work"


class IllegalTransition(Conflict):
    code = "INVALID_ANALYSIS_STATE"

"""The template aggregate: a draft of ordered questions that HR edits, publishes (then it is frozen) and
archives, and the events each change records. Each publish freezes what candidates get into a numbered, immutable
`TemplateVersion`; an invitation pins the version it was sent, so a published template reopened for editing
(`revise`) never changes what invited candidates see."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, TypedDict

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.domain.rubrics import Criterion, build_rubric, effective_rubric
from kit.contracts import interviews as events
from kit.db import Base, stored_enum
from kit.domain import AggregateRoot
from kit.errors import Conflict, DomainError, Invalid, NotFound

MAX_OPTIONS = 10
MIN_OPTIONS = 2


class TemplateStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class QuestionType(StrEnum):
    TEXT = "text"
    MULTIPLE_CHOICE = "multiple_choice"
    VIDEO = "video"
    AUDIO = "audio"


DEFAULT_SETTINGS: dict[str, Any] = {
    "totalTimeLimit": 60,
    "allowRetakes": False,
    "showTimer": True,
    "randomizeQuestions": False,
}


class Option(TypedDict):
    """One option of a multiple-choice question, as stored in the question's JSONB `options` list (camelCase
    keys, the shape the reference stored)."""

    id: str
    text: str
    isCorrect: bool


class Question(Base):
    __tablename__ = "questions"
    # Deferred, so renumbering (remove, reorder) may pass through transient duplicates before COMMIT.
    __table_args__ = (UniqueConstraint("template_id", "order_number", deferrable=True, initially="DEFERRED"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview_templates.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[QuestionType] = mapped_column(stored_enum(QuestionType, length=30))
    order: Mapped[int] = mapped_column("order_number", Integer)
    time_limit: Mapped[int] = mapped_column(Integer)
    # Seconds to read and think before a video or audio answer's time limit starts (0: none).
    think_time: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    hints: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list[Option] | None] = mapped_column(JSONB)
    # The question's own rubric, replacing the template's for this question (None: the template's).
    rubric: Mapped[list[Criterion] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options or () if o["id"] == option_id), None)

    def option_by_text(self, text: str) -> Option | None:
        return next((o for o in self.options or () if o["text"] == text), None)

    def snapshot(self, template_rubric: list[Criterion] | None = None) -> events.QuestionSnapshot:
        rubric = effective_rubric(template_rubric, self.rubric)
        return events.QuestionSnapshot(
            id=str(self.id),
            text=self.text,
            type=self.type,
            order=self.order,
            order_index=self.order - 1,
            time_limit=self.time_limit,
            required=self.required,
            hints=self.hints,
            options=[events.OptionSnapshot(id=o["id"], text=o["text"], is_correct=o["isCorrect"]) for o in self.options]
            if self.options is not None
            else None,
            rubric=[events.CriterionSnapshot(**c) for c in rubric] if rubric else None,
        )


MEDIA_QUESTIONS = (QuestionType.VIDEO, QuestionType.AUDIO)


def check_think_time(question_type: QuestionType, think_time: int) -> int:
    """Think time is a pause before recording: a written or multiple-choice answer has no recording to wait for."""
    if think_time and question_type not in MEDIA_QUESTIONS:
        raise InvalidQuestion("Think time is only for video and audio questions")
    return think_time


def build_options(question_type: QuestionType, options: list[tuple[str, bool]] | None) -> list[Option] | None:
    """Validate a question's options (text, correct) against its type; option ids are generated here."""
    if question_type != QuestionType.MULTIPLE_CHOICE:
        if options:
            raise InvalidQuestion("Options are only allowed for multiple_choice questions")
        return None
    if options is None or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise InvalidQuestion(f"A multiple_choice question needs {MIN_OPTIONS} to {MAX_OPTIONS} options")
    if not any(correct for _, correct in options):
        raise InvalidQuestion("A multiple_choice question needs at least one correct option")
    return [Option(id=str(uuid.uuid4()), text=text, isCorrect=correct) for text, correct in options]


def _frozen(question: Question, template_rubric: list[Criterion] | None = None) -> dict[str, Any]:
    return {
        # The rubric it is scored and rated on, frozen with it (its own, else the template's).
        "rubric": effective_rubric(template_rubric, question.rubric),
        "id": str(question.id),
        "text": question.text,
        "type": str(question.type),
        "order": question.order,
        "time_limit": question.time_limit,
        "think_time": question.think_time,
        "required": question.required,
        "hints": question.hints,
        "options": question.options,
        "created_at": question.created_at.isoformat(),
    }


def _thawed(template_id: uuid.UUID, frozen: dict[str, Any]) -> Question:
    # A transient row, never added to a session: it only carries a version's question to the code that reads one.
    return Question(
        id=uuid.UUID(frozen["id"]),
        template_id=template_id,
        text=frozen["text"],
        type=QuestionType(frozen["type"]),
        order=frozen["order"],
        time_limit=frozen["time_limit"],
        think_time=frozen["think_time"],
        required=frozen["required"],
        hints=frozen["hints"],
        options=frozen["options"],
        rubric=frozen.get("rubric"),
        created_at=datetime.fromisoformat(frozen["created_at"]),
    )


class TemplateVersion(Base):
    """What candidates invited while this version was current are asked: the title, description, settings and
    questions as published, never changed afterwards. Question ids carry over between versions, so the
    counts of added, removed and edited questions compare a version with the one before."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview_templates.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    frozen_questions: Mapped[list[dict[str, Any]]] = mapped_column("questions", JSONB)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    questions_added: Mapped[int] = mapped_column(Integer)
    questions_removed: Mapped[int] = mapped_column(Integer)
    questions_edited: Mapped[int] = mapped_column(Integer)
    # The title, description or settings differ from the version before.
    details_changed: Mapped[bool] = mapped_column(Boolean)

    @classmethod
    def of(cls, template: Template, *, previous: TemplateVersion | None, by: str, now: datetime) -> TemplateVersion:
        frozen = [_frozen(q, template.rubric) for q in sorted(template.questions, key=lambda q: q.order)]
        before = {q["id"]: q for q in previous.frozen_questions} if previous else {}
        after = {q["id"]: q for q in frozen}
        return cls(
            id=uuid.uuid4(),
            template_id=template.id,
            number=previous.number + 1 if previous else 1,
            title=template.title,
            description=template.description,
            settings=dict(template.settings),
            frozen_questions=frozen,
            published_by=by,
            published_at=now,
            questions_added=len(after.keys() - before.keys()),
            questions_removed=len(before.keys() - after.keys()),
            # A question is edited when anything a candidate sees of it changed (its position included).
            questions_edited=sum(1 for i in after.keys() & before.keys() if _visible(after[i]) != _visible(before[i])),
            details_changed=previous is not None
            and (
                previous.settings != template.settings
                or (previous.title, previous.description) != (template.title, template.description)
            ),
        )

    @property
    def rubric(self) -> list[Criterion] | None:
        """None: a version's questions carry the rubric they are scored on themselves (see `_frozen`)."""
        return None

    @cached_property
    def questions(self) -> list[Question]:
        return [_thawed(self.template_id, q) for q in self.frozen_questions]


def _visible(frozen: dict[str, Any]) -> dict[str, Any]:
    # Candidates see neither when a question was written nor its rubric.
    return {k: v for k, v in frozen.items() if k not in ("created_at", "rubric")}


class Template(Base, AggregateRoot):
    __tablename__ = "interview_templates"
    __table_args__ = (Index("ix_interview_templates_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # HR's own name for it in lists ("SWE Berlin Q1, batch 2"); candidates only ever see the title.
    internal_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    # The billed account (the creator's company, else the creator); ownership stays the creator's.
    company_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[TemplateStatus] = mapped_column(stored_enum(TemplateStatus, length=20), index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The criteria every question is scored and rated on, unless a question has its own (None: generic scoring).
    rubric: Mapped[list[Criterion] | None] = mapped_column(JSONB)

    questions: Mapped[list[Question]] = relationship(
        order_by=Question.order, lazy="selectin", cascade="all, delete-orphan"
    )
    versions: Mapped[list[TemplateVersion]] = relationship(
        order_by=TemplateVersion.number, lazy="selectin", cascade="all, delete-orphan"
    )

    # Every change touches the row (updated_at), so two concurrent edits of one template conflict.
    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def create(
        cls,
        *,
        title: str,
        description: str,
        settings: dict[str, Any] | None,
        created_by: str,
        company_id: str,
        now: datetime,
        internal_name: str | None = None,
    ) -> Template:
        template = cls(
            id=uuid.uuid4(),
            title=title,
            internal_name=internal_name,
            description=description,
            created_by=created_by,
            company_id=company_id,
            status=TemplateStatus.DRAFT,
            settings=dict(DEFAULT_SETTINGS) if settings is None else settings,
            created_at=now,
            updated_at=now,
            questions=[],
            versions=[],
        )
        template.record(
            events.TemplateCreated(
                template_id=str(template.id),
                title=title,
                description=description,
                created_by=created_by,
                company_id=company_id,
            )
        )
        return template

    def _editable(self, operation: str, now: datetime) -> None:
        if self.status != TemplateStatus.DRAFT:
            raise InvalidTemplateState(f"Cannot {operation} template in {self.status} state")
        self.updated_at = now

    @property
    def current_version(self) -> TemplateVersion | None:
        """The version new invitations get: the last one published."""
        return self.versions[-1] if self.versions else None

    def rename_internally(self, internal_name: str | None, now: datetime) -> None:
        """HR's own name is theirs to change in any state: candidates never see it."""
        self.internal_name = internal_name
        self.updated_at = now
        self.record(events.TemplateUpdated(template_id=str(self.id), updated_at=now))

    def update(
        self, *, title: str | None, description: str | None, settings: dict[str, Any] | None, now: datetime
    ) -> None:
        self._editable("update", now)
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        if settings is not None:
            # The settings object is replaced as sent, not merged: the reference does the same.
            self.settings = settings
        self.record(events.TemplateUpdated(template_id=str(self.id), updated_at=now))

    def question(self, question_id: uuid.UUID) -> Question:
        found = next((q for q in self.questions if q.id == question_id), None)
        if found is None:
            raise QuestionNotFound("This question is not in the template; it may have been removed")
        return found

    def _check_order_free(self, order: int, *, besides: uuid.UUID | None = None) -> None:
        if any(q.order == order and q.id != besides for q in self.questions):
            raise DuplicateQuestionOrder(f"Question order {order} is already used in this template")

    def add_question(
        self,
        *,
        text: str,
        type: QuestionType,
        order: int,
        time_limit: int,
        required: bool,
        hints: str | None,
        options: list[tuple[str, bool]] | None,
        now: datetime,
        think_time: int = 0,
    ) -> Question:
        self._editable("add questions to", now)
        self._check_order_free(order)
        question = Question(
            id=uuid.uuid4(),
            template_id=self.id,
            text=text,
            type=type,
            order=order,
            time_limit=time_limit,
            think_time=check_think_time(type, think_time),
            required=required,
            hints=hints,
            options=build_options(type, options),
            created_at=now,
        )
        self.questions.append(question)
        self.record(
            events.TemplateQuestionAdded(
                template_id=str(self.id),
                question_id=str(question.id),
                question_text=text,
                question_type=type,
                order=order,
            )
        )
        return question

    def update_question(self, question_id: uuid.UUID, changes: dict[str, Any], now: datetime) -> Question:
        self._editable("update questions of", now)
        question = self.question(question_id)
        if "order" in changes:
            self._check_order_free(changes["order"], besides=question.id)
        new_type = QuestionType(changes.get("type", question.type))
        if "options" in changes:
            question.options = build_options(new_type, changes["options"])
        elif new_type != question.type:
            # Another type keeps no options; a multiple-choice one must be given its own.
            question.options = build_options(new_type, None)
        for field in ("text", "type", "order", "time_limit", "think_time", "required", "hints"):
            if field in changes:
                setattr(question, field, changes[field])
        if new_type not in MEDIA_QUESTIONS and "think_time" not in changes:
            # A question turned into a written one keeps no think time.
            question.think_time = 0
        check_think_time(new_type, question.think_time)
        self.record(events.TemplateQuestionUpdated(template_id=str(self.id), question_id=str(question.id)))
        return question

    def remove_question(self, question_id: uuid.UUID, now: datetime) -> None:
        self._editable("remove questions from", now)
        question = self.question(question_id)
        self.questions.remove(question)
        for position, remaining in enumerate(sorted(self.questions, key=lambda q: q.order), start=1):
            remaining.order = position
        self.record(events.TemplateQuestionRemoved(template_id=str(self.id), question_id=str(question_id)))

    def reorder(self, question_ids: list[uuid.UUID], now: datetime) -> None:
        self._editable("reorder questions of", now)
        known = {q.id: q for q in self.questions}
        unknown = [str(i) for i in question_ids if i not in known]
        if unknown:
            raise QuestionNotFound(f"Unknown question ids: {', '.join(unknown)}")
        if len(set(question_ids)) != len(question_ids) or set(question_ids) != set(known):
            raise InvalidQuestion("Reorder must list every question of the template exactly once")
        for position, question_id in enumerate(question_ids, start=1):
            known[question_id].order = position
        self.questions.sort(key=lambda q: q.order)
        self.record(
            events.TemplateQuestionsReordered(template_id=str(self.id), question_ids=[str(i) for i in question_ids])
        )

    def publish(self, now: datetime, *, by: str) -> None:
        if self.status != TemplateStatus.DRAFT:
            raise InvalidTemplateState(f"Cannot publish template in {self.status} state")
        if not self.questions:
            raise TemplateCannotBePublished("Template cannot be published: no questions")
        self.status = TemplateStatus.ACTIVE
        self.published_at = now
        self.updated_at = now
        self.versions.append(TemplateVersion.of(self, previous=self.current_version, by=by, now=now))
        self.record(
            events.TemplatePublished(
                template_id=str(self.id), title=self.title, questions_count=len(self.questions), published_at=now
            )
        )

    def revise(self, now: datetime) -> None:
        """Reopen a published template for editing, as the draft of its next version. Invitations already sent
        keep the version they pinned; new ones wait until the next publish."""
        if self.status != TemplateStatus.ACTIVE:
            raise InvalidTemplateState(f"Cannot revise template in {self.status} state")
        self.status = TemplateStatus.DRAFT
        self.updated_at = now
        self.record(events.TemplateUpdated(template_id=str(self.id), updated_at=now))

    def set_rubric(self, criteria: list[Criterion] | None, now: datetime) -> None:
        # Edited with the questions (a draft only): candidates of one version are all scored on the same rubric.
        self._editable("change the rubric of", now)
        self.rubric = build_rubric(criteria)
        self.record(events.TemplateUpdated(template_id=str(self.id), updated_at=now))

    def set_question_rubric(self, question_id: uuid.UUID, criteria: list[Criterion] | None, now: datetime) -> Question:
        self._editable("change the rubric of", now)
        question = self.question(question_id)
        question.rubric = build_rubric(criteria)
        self.record(events.TemplateQuestionUpdated(template_id=str(self.id), question_id=str(question.id)))
        return question

    def archive(self, now: datetime) -> None:
        if self.status == TemplateStatus.ARCHIVED:
            raise InvalidTemplateState("Cannot archive template in archived state")
        self.status = TemplateStatus.ARCHIVED
        self.updated_at = now
        self.record(events.TemplateDeleted(template_id=str(self.id)))


# A missing template or question is a 404, a taken order 409, an edit of a non-draft 422.


class TemplateNotFound(NotFound):
    code = "TEMPLATE_NOT_FOUND"


class QuestionNotFound(NotFound):
    code = "QUESTION_NOT_FOUND"


class DuplicateQuestionOrder(Conflict):
    code = "DUPLICATE_QUESTION_ORDER"


class InvalidTemplateState(Invalid):
    code = "INVALID_TEMPLATE_STATE"


class TemplateCannotBePublished(DomainError):
    code = "TEMPLATE_CANNOT_BE_PUBLISHED"


class InvalidQuestion(DomainError):
    code = "INVALID_QUESTION"

"""Wire models of team review: ratings and notes, stages, share links, the review list and the shared view."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from interviews.consent_schemas import ConsentRecord
from interviews.domain import QuestionType, ResponseType, Stage
from interviews.schemas import CandidateFeedbackText
from kit.schemas import Command, View

Note = Annotated[str, StringConstraints(max_length=5000)]
Rating = Annotated[int, Field(ge=1, le=5)]


class SaveReview(Command):
    # {question id: 1..5}; a question left out is not rated yet.
    ratings: dict[str, Rating] = Field(default_factory=dict, max_length=200)
    note: Note | None = None
    # The teammates the note @-mentions (user ids, from the company's members); others stay plain text.
    mentions: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list, max_length=20)


class ChangeStage(Command):
    """Move 1 to 100 completed interviews to a stage at once; all of them or none."""

    invitation_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=100)]
    stage: Literal[Stage.SHORTLISTED, Stage.NEXT_ROUND, Stage.SELECTED, Stage.REJECTED]
    # For the final stages, as approve/reject take them: the internal note (a rejection needs one) and the
    # candidate's words.
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    candidate_feedback: CandidateFeedbackText | None = None
    # A saved message of the company, filled in for each candidate as their written feedback.
    message_template_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def a_message_goes_with_a_decision(self) -> ChangeStage:
        if self.message_template_id is not None and self.stage not in (Stage.SELECTED, Stage.REJECTED):
            raise PydanticCustomError("invalid", "A saved message goes with a decision: selected or rejected")
        if self.message_template_id is not None and self.candidate_feedback:
            raise PydanticCustomError("invalid", "Give either written feedback or a saved message, not both")
        return self

    @model_validator(mode="after")
    def rejection_has_a_note(self) -> ChangeStage:
        # As the reject route requires: the reason stays on record for the team.
        if self.stage == Stage.REJECTED and not (self.note and self.note.strip()):
            raise PydanticCustomError("missing", "A rejection needs a note")
        return self


class CreateShareLink(Command):
    expires_in_days: Annotated[int, Field(ge=1, le=30)] = 7


class ReviewView(View):
    reviewer_id: str
    ratings: dict[str, int]
    note: str | None = None
    submitted_at: datetime | None = None
    updated_at: datetime


class ReviewBoard(View):
    """The caller's own review, the team's once the caller submitted theirs, the stage and the neighbours in
    the same template's completed interviews (by completion time)."""

    invitation_id: uuid.UUID
    candidate_name: str | None = None
    candidate_email: str | None = None
    stage: Stage
    mine: ReviewView | None = None
    others: list[ReviewView]
    others_hidden: int
    previous_id: uuid.UUID | None = None
    next_id: uuid.UUID | None = None
    # What the candidate accepted before starting, and whether they asked for a human-only review.
    consent: ConsentRecord | None = None
    human_review_requested: bool = False


class StageChanged(View):
    stage: Stage
    changed: int


class ShareLinkCreated(View):
    id: uuid.UUID
    token: str
    expires_at: datetime


class ShareViewItem(View):
    viewed_at: datetime
    ip_hash: str


class ShareLinkItem(View):
    id: uuid.UUID
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    views: list[ShareViewItem]


class ReviewListItem(View):
    id: uuid.UUID
    template_id: uuid.UUID
    template_title: str
    candidate_name: str | None = None
    candidate_email: str | None = None
    completed_at: datetime | None = None
    score: int | None = None
    recommendation: str | None = None
    stage: Stage
    # The mean of the submitted reviews' ratings (None before any), and how many were submitted.
    team_rating: float | None = None
    reviews: int
    consent: ConsentRecord | None = None
    human_review_requested: bool = False


class SharedAnswer(View):
    question_id: uuid.UUID
    order: int
    question: str
    type: QuestionType
    response_type: ResponseType | None = None
    answer: str | None = None
    duration: int | None = None


class SharedInterview(View):
    """What a share link shows: the interview's answers and outcome so far, read-only, without anyone's notes."""

    candidate_name: str | None = None
    template_title: str
    company_name: str
    completed_at: datetime | None = None
    score: int | None = None
    stage: Stage
    answers: list[SharedAnswer]
    expires_at: datetime

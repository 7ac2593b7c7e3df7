"""Wire models of team review: ratings and notes, stages, share links, the review list and the shared view."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from interviews.consent_schemas import ConsentRecord
from interviews.domain import Invitation, QuestionType, ResponseType, Stage
from interviews.rubric_schemas import CriterionView
from interviews.schemas import CandidateFeedbackText
from kit.schemas import Command, View

Note = Annotated[str, StringConstraints(max_length=5000)]
Rating = Annotated[int, Field(ge=1, le=5)]


class SaveReview(Command):
    # {question id: 1..5}; a question left out is not rated yet.
    ratings: dict[str, Rating] = Field(default_factory=dict, max_length=200)
    # {question id: {criterion name: 1..5}} for the questions with a rubric, which are rated per criterion.
    criteria_ratings: dict[str, Annotated[dict[str, Rating], Field(max_length=20)]] = Field(
        default_factory=dict, max_length=200
    )
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
    criteria_ratings: dict[str, dict[str, int]] = Field(default_factory=dict)
    note: str | None = None
    submitted_at: datetime | None = None
    updated_at: datetime


class QuestionCriteria(View):
    """The criteria a question is rated on (its rubric as the interview was sent)."""

    question_id: str
    criteria: list[CriterionView]


class AiScores(View):
    """The AI's outcome as this service knows it: overall score, recommendation and mean per criterion."""

    score: int | None = None
    recommendation: str | None = None
    criteria: dict[str, float] | None = None

    @classmethod
    def of(cls, invitation: Invitation) -> AiScores:
        return cls(
            score=invitation.analysis_score,
            recommendation=invitation.analysis_recommendation,
            criteria=invitation.analysis_criteria,
        )


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
    # What each question with a rubric is rated on; the AI's outcome unless the caller must rate first
    # (`aiHidden`: the template is blind to the AI or the candidate asked for a human-only review).
    rubric: list[QuestionCriteria] = Field(default_factory=list)
    ai: AiScores | None = None
    ai_hidden: bool = False
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
    # The score and recommendation are left out until the caller rated this interview (see `ReviewBoard`).
    ai_hidden: bool = False
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
    # Never the AI's score of an interview rated blind: whoever holds the link is not known to have rated it.
    score: int | None = None
    ai_hidden: bool = False
    stage: Stage
    answers: list[SharedAnswer]
    expires_at: datetime


class AiVisibility(View):
    """Whether the caller may see an interview's AI analysis yet, and if not why: `blind_review` (the template
    asks reviewers to rate first) or `human_review_requested` (the candidate asked for a human-only review)."""

    hidden: bool
    reason: Literal["blind_review", "human_review_requested"] | None = None

"""Wire models of rubrics (a template's criteria and a question's own) and of a template's calibration view:
how far its reviewers agree with each other and with the AI."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field, StringConstraints

from interviews.calibration import Reading
from interviews.domain.rubrics import MAX_ANCHOR_CHARS, MAX_CRITERIA, MAX_NAME_CHARS, MAX_WEIGHT, Criterion
from kit.schemas import Command, View

CriterionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)]
Anchor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANCHOR_CHARS)]


class CriterionIn(Command):
    name: CriterionName
    # Relative: 2 counts twice as much as 1 in the question's weighted mean.
    weight: Annotated[float, Field(gt=0, le=MAX_WEIGHT)]
    # What a good and a poor answer look like on this criterion, in a sentence or two.
    good: Anchor
    poor: Anchor

    def stored(self) -> Criterion:
        return Criterion(name=self.name, weight=self.weight, good=self.good, poor=self.poor)


class SetRubric(Command):
    """The whole rubric, replaced as sent; an empty list removes it (a question then follows its template's, a
    template the generic criteria)."""

    criteria: Annotated[list[CriterionIn], Field(max_length=MAX_CRITERIA)]

    def stored(self) -> list[Criterion]:
        return [c.stored() for c in self.criteria]


class CriterionView(View):
    name: str
    weight: float
    good: str
    poor: str


class QuestionRubric(View):
    question_id: uuid.UUID
    order: int
    text: str
    # The question's own criteria (None: it follows the template's) and what it is scored on.
    own: list[CriterionView] | None = None
    effective: list[CriterionView] | None = None


class RubricView(View):
    template_id: uuid.UUID
    criteria: list[CriterionView] | None = None
    questions: list[QuestionRubric]
    # Reviewers see neither the AI's scores nor its summary until they submitted their own ratings.
    blind_to_ai: bool


class Agreement(View):
    """One agreement figure (None when it cannot be computed, e.g. everybody gave the same rating), the number
    of interviews it rests on and what it means in words."""

    kappa: float | None = None
    icc: float | None = None
    interviews: int
    reading: Reading


class ReviewerPair(Agreement):
    reviewer_a: str
    reviewer_b: str


class ReviewerVsAi(Agreement):
    reviewer: str


class Calibration(View):
    template_id: uuid.UUID
    interviews_rated: int
    min_interviews: int
    # How the AI's 0-100 score is put on the reviewers' 1-5 scale, in words.
    ai_mapping: str
    team: Agreement
    pairs: list[ReviewerPair]
    ai: list[ReviewerVsAi]

"""Rubrics: the criteria an interview's answers are scored on, each with a weight and short anchors saying what a
good and a poor answer look like. A template has one rubric for all its questions; a question may have its own,
which replaces the template's for that question. Without any, the analysis scores its four generic criteria.

The rubric travels to the analysis with the questions in `invitation.completed`, and reviewers rate the same
criteria, so the AI's scores and the team's ratings can be compared criterion by criterion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from kit.errors import Invalid

MAX_CRITERIA = 8
MAX_NAME_CHARS = 60
MAX_ANCHOR_CHARS = 300
MAX_WEIGHT = 100


class Criterion(TypedDict):
    """One criterion as stored in the rubric's JSONB list (the wire's camelCase names are the same words)."""

    name: str
    weight: float
    good: str
    poor: str


def build_rubric(criteria: Sequence[Criterion] | None) -> list[Criterion] | None:
    """The rubric to store (None or an empty list clears it). Shapes and lengths are checked by the request model;
    here, what needs the whole list: names are unique, ignoring case, since ratings and scores are keyed by name."""
    if not criteria:
        return None
    seen: dict[str, int] = {}
    duplicates = []
    for index, criterion in enumerate(criteria):
        key = criterion["name"].strip().casefold()
        if key in seen:
            duplicates.append(index)
        seen.setdefault(key, index)
    if duplicates:
        raise InvalidRubric(
            "Each criterion of a rubric needs its own name",
            details=[_field(f"criteria.{i}.name", "the same name is used twice") for i in duplicates],
        )
    return [
        Criterion(name=c["name"].strip(), weight=float(c["weight"]), good=c["good"].strip(), poor=c["poor"].strip())
        for c in criteria
    ]


def effective_rubric(
    template_rubric: list[Criterion] | None, question_rubric: list[Criterion] | None
) -> list[Criterion] | None:
    """A question's own rubric overrides its template's."""
    return question_rubric or template_rubric or None


def weighted_rating(ratings: Mapping[str, int], rubric: Sequence[Criterion]) -> int:
    """A question's 1-5 rating from its criteria ratings: the weighted mean of those rated, rounded half up
    (4.5 is 5), so the review list and CSV keep one whole rating per question."""
    weights = {c["name"]: c["weight"] for c in rubric}
    rated = [(ratings[name], weight) for name, weight in weights.items() if name in ratings]
    mean = sum(r * w for r, w in rated) / sum(w for _, w in rated)
    return int(Decimal(str(mean)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _field(field: str, message: str) -> dict[str, str]:
    return {"field": field, "location": "body", "message": message, "type": "value_error"}


class InvalidRubric(Invalid):
    code = "VALIDATION_ERROR"

"""Wire models of voluntary self-identification and the adverse-impact report. The report carries counts and
rates per group only: never a candidate, an invitation or anyone's answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from interviews.domain.fairness import RaceEthnicity, Sex
from kit.schemas import Command, View


class SaveSelfIdentification(Command):
    """Each answer is optional; "prefer_not_to_say" says so explicitly, and null leaves the question unanswered."""

    sex: Sex | None = None
    race_ethnicity: RaceEthnicity | None = None


class SelfIdentificationView(View):
    """The caller's own answers; `provided` is false (and both answers null) when they gave none."""

    provided: bool
    sex: Sex | None = None
    race_ethnicity: RaceEthnicity | None = None
    updated_at: datetime | None = None


Dimension = Literal["sex", "raceEthnicity", "intersectional"]


class GroupRow(View):
    """One category's counts and rates. Rates are null when nobody in the group was decided (or scored); impact
    ratios are null for the excluded and unknown rows, and when the highest rate is zero."""

    category: str
    label: str
    applicants: int
    selected: int
    selection_rate: float | None
    selection_impact_ratio: float | None
    scored: int
    above_median: int
    scoring_rate: float | None
    scoring_impact_ratio: float | None
    # Under 2% of the sample: reported, but neither given an impact ratio nor used as the highest group.
    excluded: bool
    # An impact ratio below 0.8 (the four-fifths rule).
    flagged: bool
    # Fewer applicants than the report's group minimum: the ratio rests on too few decisions to read much into.
    small_group: bool


class GroupTable(View):
    dimension: Dimension
    rows: list[GroupRow]
    # Decided applicants who did not say (no answer or "prefer not to say"; in the intersectional table, for either
    # question): counted and reported, never compared.
    unknown: GroupRow


class ReportTemplate(View):
    id: uuid.UUID
    title: str
    decided: int


class FairnessReport(View):
    company_id: str | None
    template_id: uuid.UUID | None
    template_title: str | None
    generated_at: datetime
    decided: int
    scored: int
    median_score: float | None
    exclusion_share: float
    minimum_sample: int
    minimum_group: int
    sample_too_small: bool
    tables: list[GroupTable]
    # The scope's templates with decided interviews, for the filter.
    templates: list[ReportTemplate]

"""Voluntary self-identification (the candidate's own answers) and the adverse-impact report (LL144 style).

The report counts each decided interview in scope once (a company's, or one template's): its decision and AI
score, joined to its candidate's self-identification. Per category of sex, of race/ethnicity and of both:

- selection rate = approved / decided;
- scoring rate = share of the category's scored interviews whose AI score is above the median score of every
  scored interview in scope (the DCWP rule's "median score for the full sample", unknowns included);
- impact ratio = the category's rate / the highest rate among the compared categories;
- a category with under 2% of the decided interviews in scope is reported with its counts and rates but gets no
  impact ratio and cannot be the highest group (the DCWP rule lets an auditor exclude it);
- "not provided" (no answer, or "prefer not to say") is one row, counted and never compared;
- an impact ratio below 0.8 is flagged (the EEOC's four-fifths rule of thumb).

Below MINIMUM_SAMPLE decided interviews the report says the sample is too small to conclude anything: with fewer
than 50, one decision moves a group of ten by ten points, enough on its own to push a ratio across 0.8, so a flag
(or its absence) says more about chance than about the process. A compared group under MINIMUM_GROUP is marked for
the same reason. Both thresholds are rules of thumb stated on the report, not legal tests."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Label, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from interviews import access
from interviews.domain import Decision, Invitation, Template, TemplateNotFound
from interviews.domain.fairness import (
    RACE_LABELS,
    SEX_LABELS,
    RaceEthnicity,
    SelfIdentification,
    SelfIdentificationNotFound,
    Sex,
)
from interviews.fairness_schemas import (
    Dimension,
    FairnessReport,
    GroupRow,
    GroupTable,
    ReportTemplate,
    SaveSelfIdentification,
    SelfIdentificationView,
)
from kit.auth import Principal

EXCLUSION_SHARE = 0.02
FOUR_FIFTHS = 0.8
MINIMUM_SAMPLE = 50
MINIMUM_GROUP = 10
UNKNOWN = "unknown"
UNKNOWN_LABEL = "Unknown / not provided"

# -- the candidate's own answers ------------------------------------------------------------------------------


def _view(row: SelfIdentification | None) -> SelfIdentificationView:
    if row is None:
        return SelfIdentificationView(provided=False)
    return SelfIdentificationView(
        provided=True, sex=row.sex, race_ethnicity=row.race_ethnicity, updated_at=row.updated_at
    )


async def my_self_identification(session: AsyncSession, *, caller: Principal) -> SelfIdentificationView:
    return _view(await session.get(SelfIdentification, caller.user_id))


async def save_self_identification(
    session: AsyncSession, cmd: SaveSelfIdentification, *, caller: Principal, now: datetime
) -> SelfIdentificationView:
    """Replace the caller's answers as sent (a question left out is unanswered)."""
    row = await session.get(SelfIdentification, caller.user_id)
    if row is None:
        row = SelfIdentification(candidate_id=caller.user_id, created_at=now)
        session.add(row)
    row.sex = cmd.sex
    row.race_ethnicity = cmd.race_ethnicity
    row.updated_at = now
    return _view(row)


async def withdraw_self_identification(session: AsyncSession, *, caller: Principal) -> None:
    """Delete the caller's answers: from now on every report counts them as not provided."""
    row = await session.get(SelfIdentification, caller.user_id)
    if row is None:
        raise SelfIdentificationNotFound("You have not shared any self-identification")
    await session.delete(row)


# -- the report -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Decided interviews alike in every respect the report uses, counted: no one is named, and the report's work
    does not grow with the number of interviews (the database counts them)."""

    sex: Sex | None
    race: RaceEthnicity | None
    approved: bool
    scored: bool
    above_median: bool
    count: int


def _known_sex(cell: Cell) -> Sex | None:
    return None if cell.sex in (None, Sex.PREFER_NOT_TO_SAY) else cell.sex


def _known_race(cell: Cell) -> RaceEthnicity | None:
    return None if cell.race in (None, RaceEthnicity.PREFER_NOT_TO_SAY) else cell.race


def _both(cell: Cell) -> tuple[Sex, RaceEthnicity] | None:
    sex, race = _known_sex(cell), _known_race(cell)
    return None if sex is None or race is None else (sex, race)


@dataclass
class _Tally:
    applicants: int = 0
    selected: int = 0
    scored: int = 0
    above_median: int = 0

    def add(self, cell: Cell) -> None:
        self.applicants += cell.count
        self.selected += cell.count if cell.approved else 0
        self.scored += cell.count if cell.scored else 0
        self.above_median += cell.count if cell.above_median else 0

    @property
    def selection_rate(self) -> float | None:
        return self.selected / self.applicants if self.applicants else None

    @property
    def scoring_rate(self) -> float | None:
        return self.above_median / self.scored if self.scored else None


def _ratio(rate: float | None, highest: float | None) -> float | None:
    if rate is None or not highest:
        return None
    return rate / highest


def _table(
    dimension: Dimension,
    cells: Sequence[Cell],
    key: Callable[[Cell], Hashable | None],
    order: Sequence[tuple[Hashable, str, str]],
) -> GroupTable:
    """`order`: every category as (key, wire name, label), in the order the report lists them."""
    tallies: dict[Hashable, _Tally] = {}
    unknown = _Tally()
    for cell in cells:
        group = key(cell)
        (unknown if group is None else tallies.setdefault(group, _Tally())).add(cell)
    floor = EXCLUSION_SHARE * sum(cell.count for cell in cells)
    present = [(k, name, label, tallies[k]) for k, name, label in order if k in tallies]
    compared = [t for *_, t in present if t.applicants >= floor]
    best_selection = max((r for t in compared if (r := t.selection_rate) is not None), default=None)
    best_scoring = max((r for t in compared if (r := t.scoring_rate) is not None), default=None)

    def row(name: str, label: str, tally: _Tally, *, compare: bool) -> GroupRow:
        selection = _ratio(tally.selection_rate, best_selection) if compare else None
        scoring = _ratio(tally.scoring_rate, best_scoring) if compare else None
        return GroupRow(
            category=name,
            label=label,
            applicants=tally.applicants,
            selected=tally.selected,
            selection_rate=tally.selection_rate,
            selection_impact_ratio=selection,
            scored=tally.scored,
            above_median=tally.above_median,
            scoring_rate=tally.scoring_rate,
            scoring_impact_ratio=scoring,
            excluded=compare is False and name != UNKNOWN,
            flagged=any(r is not None and r < FOUR_FIFTHS for r in (selection, scoring)),
            small_group=compare and tally.applicants < MINIMUM_GROUP,
        )

    return GroupTable(
        dimension=dimension,
        rows=[row(name, label, t, compare=t.applicants >= floor) for _, name, label, t in present],
        unknown=row(UNKNOWN, UNKNOWN_LABEL, unknown, compare=False),
    )


SEXES = [(s, s.value, label) for s, label in SEX_LABELS.items()]
RACES = [(r, r.value, label) for r, label in RACE_LABELS.items()]
PAIRS = [((s, r), f"{s.value}:{r.value}", f"{sl} · {rl}") for s, _, sl in SEXES for r, _, rl in RACES]


def compute_tables(cells: Sequence[Cell]) -> list[GroupTable]:
    """The three tables (sex, race/ethnicity, both) from the counted cells."""
    return [
        _table("sex", cells, _known_sex, SEXES),
        _table("raceEthnicity", cells, _known_race, RACES),
        _table("intersectional", cells, _both, PAIRS),
    ]


async def _cells(session: AsyncSession, in_scope: list[ColumnElement[bool]]) -> tuple[float | None, list[Cell]]:
    """The median AI score in scope (of every scored interview, unknowns included) and the counted cells."""
    cut = await session.scalar(
        select(func.percentile_cont(0.5).within_group(Invitation.analysis_score)).where(
            *in_scope, Invitation.analysis_score.is_not(None)
        )
    )
    # The median may fall between two whole scores (60.5): compared as a float, not bound as the column's integer.
    above = Invitation.analysis_score > literal(cut, Float) if cut is not None else literal(False)
    columns: list[Label[Any]] = [
        SelfIdentification.sex.label("sex"),
        SelfIdentification.race_ethnicity.label("race"),
        (Invitation.decision == Decision.APPROVED).label("approved"),
        Invitation.analysis_score.is_not(None).label("scored"),
        func.coalesce(above, False).label("above"),
    ]
    counted = await session.execute(
        select(*columns, func.count())
        .select_from(Invitation)
        .outerjoin(SelfIdentification, SelfIdentification.candidate_id == Invitation.candidate_id)
        .where(*in_scope)
        # By the output columns' names: the median's parameter is then bound once, not once per clause.
        .group_by(*(text(c.name) for c in columns))
    )
    cells = [Cell(s, r, bool(a), bool(sc), bool(ab), n) for s, r, a, sc, ab, n in counted.all()]
    return (None if cut is None else float(cut)), cells


async def fairness_report(
    session: AsyncSession,
    *,
    caller: Principal,
    company_id: str | None,
    template_id: uuid.UUID | None,
    now: datetime,
) -> FairnessReport:
    scope = access.fairness_scope(caller, company_id)
    in_scope: list[ColumnElement[bool]] = [Invitation.decision.is_not(None)]
    if scope is not None:
        in_scope.append(Invitation.company_id == scope)
    templates = await session.execute(
        select(Template.id, Template.title, func.count())
        .join(Invitation, Invitation.template_id == Template.id)
        .where(*in_scope)
        .group_by(Template.id, Template.title)
        .order_by(Template.title, Template.id)
    )
    listed = [ReportTemplate(id=tid, title=title, decided=n) for tid, title, n in templates.all()]
    title = None
    if template_id is not None:
        template = await session.get(Template, template_id)
        # Another company's template is not found, so its existence and title stay theirs.
        theirs = scope is not None and template is not None and template.company_id != scope
        if template is None or (theirs and all(t.id != template_id for t in listed)):
            raise TemplateNotFound("This interview template was not found; it may have been deleted")
        title = template.title
        in_scope.append(Invitation.template_id == template_id)
    cut, cells = await _cells(session, in_scope)
    decided = sum(cell.count for cell in cells)
    return FairnessReport(
        company_id=scope,
        template_id=template_id,
        template_title=title,
        generated_at=now,
        decided=decided,
        scored=sum(cell.count for cell in cells if cell.scored),
        median_score=cut,
        exclusion_share=EXCLUSION_SHARE,
        minimum_sample=MINIMUM_SAMPLE,
        minimum_group=MINIMUM_GROUP,
        sample_too_small=decided < MINIMUM_SAMPLE,
        tables=compute_tables(cells),
        templates=listed,
    )


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


CSV_HEADER = [
    "table",
    "category",
    "applicants",
    "selected",
    "selection_rate",
    "selection_impact_ratio",
    "scored",
    "above_median",
    "scoring_rate",
    "scoring_impact_ratio",
    "excluded_under_2_percent",
    "below_four_fifths",
    "small_group",
]
TABLE_NAMES = {"sex": "Sex", "raceEthnicity": "Race/ethnicity", "intersectional": "Sex and race/ethnicity"}


def report_csv(report: FairnessReport) -> str:
    """The tables as one CSV, preceded by the scope and the method's figures as `#` lines an auditor can read."""
    out = io.StringIO()
    scope = report.template_title or "all templates"
    out.write(f"# Adverse-impact report: {scope}; company {report.company_id or 'all'}\n")
    out.write(f"# Generated {report.generated_at.isoformat()}; decided interviews {report.decided}; ")
    out.write(f"scored {report.scored}; median AI score {_cell(report.median_score)}\n")
    out.write(
        f"# Categories under {report.exclusion_share:.0%} of the sample are reported but excluded from impact "
        f"ratios; ratios below {FOUR_FIFTHS} are flagged\n"
    )
    if report.sample_too_small:
        out.write(f"# Warning: fewer than {report.minimum_sample} decided interviews; too few to conclude anything\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for table in report.tables:
        for row in [*table.rows, table.unknown]:
            writer.writerow(
                [
                    TABLE_NAMES[table.dimension],
                    row.label,
                    row.applicants,
                    row.selected,
                    _cell(row.selection_rate),
                    _cell(row.selection_impact_ratio),
                    row.scored,
                    row.above_median,
                    _cell(row.scoring_rate),
                    _cell(row.scoring_impact_ratio),
                    "yes" if row.excluded else "no",
                    "yes" if row.flagged else "no",
                    "yes" if row.small_group else "no",
                ]
            )
    return out.getvalue()

"""The questions, answered from ClickHouse. Every read goes through `invitation_facts` (grouped by invitation,
exact before merges) or `events FINAL` (deduplicated by event id), scoped to a company or all of them, a
template and a date range; an invitation belongs to the range its invitation was created in.

A funnel step counts the invitations that got at least that far (invited, opened, started, completed,
analysed, decided, in that order), so a candidate whose briefing view was never reported still counts as
having opened it once they started, and every conversion is between 0 and 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from analytics.schemas import (
    AgreementCell,
    AgreementView,
    Bucket,
    CriterionView,
    DecisionsView,
    FunnelStep,
    FunnelView,
    InvitationEmails,
    NotificationsView,
    OpenToStart,
    OverviewView,
    QuestionStats,
    QuestionsView,
    ReviewerView,
    ScoresView,
    TemplateFunnel,
    UsagePoint,
    UsageView,
)
from analytics.warehouse import Warehouse

STEPS = ("invited", "opened", "started", "completed", "analysed", "decided")
AI = ("hire", "consider", "reject")
HUMAN = ("approved", "rejected")
AGREES = {("hire", "approved"), ("reject", "rejected")}
INTERVALS = {"day": "toStartOfDay", "week": "toMonday", "month": "toStartOfMonth"}


@dataclass(frozen=True)
class Scope:
    """Whose invitations, of which template, created in [start, end). company None: every company."""

    company_id: str | None
    template_id: str | None
    start: datetime
    end: datetime

    def params(self) -> dict[str, Any]:
        return {
            "company": self.company_id or "",
            "template": self.template_id or "",
            "start": self.start,
            "end": self.end,
        }


# One row per invitation in scope: `<step>_raw` is when its event said it reached the step, `<step>` when it got
# there or beyond (what a funnel step counts). Durations use the raw times only: a missing event is no 0 s.
FACTS = """
facts AS (
    SELECT
        invitation_id,
        max(company_id) AS company,
        max(template_id) AS template,
        max(template_title) AS title,
        max(candidate_id) AS candidate,
        min(invited_at) AS invited,
        min(opened_at) AS opened_raw,
        min(started_at) AS started_raw,
        min(completed_at) AS completed_raw,
        min(analysed_at) AS analysed_raw,
        min(decided_at) AS decided,
        max(decision) AS verdict,
        max(reviewer_id) AS reviewer,
        max(recommendation) AS advice,
        max(overall_score) AS score,
        coalesce(analysed_raw, decided) AS analysed,
        coalesce(completed_raw, analysed) AS completed,
        coalesce(started_raw, completed) AS started,
        coalesce(opened_raw, started) AS opened
    FROM invitation_facts
    -- Narrowed before grouping: the set of one company's (or template's) invitations is small and cheap to find
    -- from its one column, and grouping only those is what keeps a company's query fast on a large table.
    WHERE ({company:String} = ''
            OR invitation_id IN (SELECT invitation_id FROM invitation_facts WHERE company_id = {company:String}))
        AND ({template:String} = ''
            OR invitation_id IN (SELECT invitation_id FROM invitation_facts WHERE template_id = {template:String}))
    GROUP BY invitation_id
    HAVING invited >= {start:DateTime} AND invited < {end:DateTime}
        AND ({company:String} = '' OR company = {company:String})
        AND ({template:String} = '' OR template = {template:String})
)
"""

STEP_COLUMNS = """
    count() AS invited_n,
    countIf(opened IS NOT NULL) AS opened_n,
    countIf(started IS NOT NULL) AS started_n,
    countIf(completed IS NOT NULL) AS completed_n,
    countIf(analysed IS NOT NULL) AS analysed_n,
    countIf(decided IS NOT NULL) AS decided_n,
    medianExact(dateDiff('second', invited, opened_raw)) AS opened_s,
    medianExact(dateDiff('second', opened_raw, started_raw)) AS started_s,
    medianExact(dateDiff('second', started_raw, completed_raw)) AS completed_s,
    medianExact(dateDiff('second', completed_raw, analysed_raw)) AS analysed_s,
    medianExact(dateDiff('second', analysed_raw, decided)) AS decided_s
"""


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _number(value: Any) -> float | None:
    """A ClickHouse aggregate of no rows (NULL, or NaN for a median of nothing) is None."""
    if value is None:
        return None
    number = float(value)
    return None if number != number else number


def _hours(seconds: Any) -> float | None:
    value = _number(seconds)
    return None if value is None else value / 3600


def _steps(row: tuple[Any, ...]) -> list[FunnelStep]:
    counts, seconds = row[:6], (None, *row[6:11])
    steps = []
    for i, step in enumerate(STEPS):
        steps.append(
            FunnelStep(
                step=step,
                count=int(counts[i]),
                conversion=_ratio(int(counts[i]), int(counts[i - 1])) if i else None,
                median_seconds_from_previous=_number(seconds[i]),
            )
        )
    return steps


async def overview(warehouse: Warehouse, scope: Scope) -> OverviewView:
    (row,) = await warehouse.rows(
        f"WITH {FACTS} SELECT {STEP_COLUMNS}, "
        "medianExact(dateDiff('second', completed_raw, decided)) AS to_decision FROM facts",
        scope.params(),
    )
    invitations, completed = int(row[0]), int(row[3])
    return OverviewView(
        invitations=invitations,
        started=int(row[2]),
        completed=completed,
        analysed=int(row[4]),
        decided=int(row[5]),
        completion_rate=_ratio(completed, invitations),
        median_hours_to_decision=_hours(row[11]),
    )


async def funnel(warehouse: Warehouse, scope: Scope, *, start_day: str, end_day: str) -> FunnelView:
    params = scope.params()
    (total,) = await warehouse.rows(f"WITH {FACTS} SELECT {STEP_COLUMNS} FROM facts", params)
    per_template = await warehouse.rows(
        f"WITH {FACTS} SELECT template, max(title), {STEP_COLUMNS} FROM facts GROUP BY template ORDER BY template",
        params,
    )
    return FunnelView(
        from_=start_day,
        to=end_day,
        steps=_steps(total),
        templates=[
            TemplateFunnel(template_id=row[0], template_title=row[1] or None, steps=_steps(row[2:]))
            for row in per_template
        ],
    )


async def questions(warehouse: Warehouse, scope: Scope) -> QuestionsView:
    params = scope.params()
    in_scope = f"invitation_id IN (WITH {FACTS} SELECT invitation_id FROM facts WHERE started IS NOT NULL)"
    started = await warehouse.rows(
        f"WITH {FACTS} SELECT invitation_id, template, completed_raw IS NOT NULL FROM facts WHERE started IS NOT NULL",
        params,
    )
    catalogue = await warehouse.rows(
        f"""
        SELECT question, template, argMax(text, at), argMax(position, at) FROM (
            SELECT JSONExtractString(payload, 'questionId') AS question, template_id AS template,
                JSONExtractString(payload, 'questionText') AS text, JSONExtractInt(payload, 'order') AS position,
                occurred_at AS at
            FROM events FINAL
            WHERE type = 'template.question.added'
                AND template_id IN (WITH {FACTS} SELECT template FROM facts WHERE started IS NOT NULL)
            UNION ALL
            SELECT JSONExtractString(q, 'id'), template_id, JSONExtractString(q, 'text'), JSONExtractInt(q, 'order'),
                occurred_at
            FROM events FINAL ARRAY JOIN JSONExtractArrayRaw(payload, 'questions') AS q
            WHERE type = 'invitation.completed' AND {in_scope}
        )
        GROUP BY question, template
        """,
        params,
    )
    submissions = await warehouse.rows(
        f"""
        SELECT invitation_id, JSONExtractString(payload, 'questionId') AS question, count()
        FROM events FINAL WHERE type = 'invitation.response.submitted' AND {in_scope}
        GROUP BY invitation_id, question
        """,
        params,
    )
    answers = await warehouse.rows(
        f"""
        SELECT invitation_id, JSONExtractString(r, 'questionId'), JSONExtractInt(r, 'duration')
        FROM events FINAL ARRAY JOIN JSONExtractArrayRaw(payload, 'responses') AS r
        WHERE type = 'invitation.completed' AND {in_scope}
        """,
        params,
    )
    return QuestionsView(questions=_drop_off(started, catalogue, submissions, answers))


def _drop_off(
    started: list[tuple[Any, ...]],
    catalogue: list[tuple[Any, ...]],
    submissions: list[tuple[Any, ...]],
    answers: list[tuple[Any, ...]],
) -> list[QuestionStats]:
    """Per question: the started invitations shown it (all questions before it answered, or completed), the
    ones that answered it, the unfinished ones whose first unanswered question it is, the median answer
    length (seconds, from completed interviews) and the answers recorded more than once."""
    by_template: dict[str, list[tuple[int, str, str]]] = {}
    for question, template, text, position in catalogue:
        by_template.setdefault(template, []).append((int(position), question, text))
    counted: dict[tuple[str, str], int] = {}
    for invitation, question, n in submissions:
        counted[(invitation, question)] = int(n)
    durations: dict[str, list[int]] = {}
    for invitation, question, seconds in answers:
        counted.setdefault((invitation, question), 1)
        durations.setdefault(question, []).append(int(seconds))
    stats: dict[str, dict[str, int]] = {}
    for invitation, template, completed in started:
        ordered = sorted(by_template.get(template, []))
        answered = [(invitation, q) in counted for _, q, _ in ordered]
        # Shown up to the first unanswered question; a completed interview showed every question.
        shown = len(ordered) if completed else next((i for i, a in enumerate(answered) if not a), len(ordered)) + 1
        for i, (_, question, _) in enumerate(ordered):
            s = stats.setdefault(question, {"reached": 0, "answered": 0, "abandoned": 0, "retakes": 0})
            s["reached"] += i < shown
            s["answered"] += answered[i]
            s["abandoned"] += not completed and i == shown - 1 and not answered[i]
            s["retakes"] += max(counted.get((invitation, question), 0) - 1, 0)
    rows = []
    for template in sorted(by_template):
        for position, question, text in sorted(by_template[template]):
            s = stats.get(question, {"reached": 0, "answered": 0, "abandoned": 0, "retakes": 0})
            lengths = durations.get(question)
            rows.append(
                QuestionStats(
                    question_id=question,
                    order=position,
                    text=text,
                    reached=s["reached"],
                    answered=s["answered"],
                    abandoned_here=s["abandoned"],
                    median_answer_length=float(median(lengths)) if lengths else None,
                    retakes=s["retakes"],
                )
            )
    return rows


async def scores(warehouse: Warehouse, scope: Scope) -> ScoresView:
    params = scope.params()
    (overall,) = await warehouse.rows(
        f"WITH {FACTS} SELECT medianExact(score), count() FROM facts WHERE score IS NOT NULL", params
    )
    buckets = dict(
        await warehouse.rows(
            f"WITH {FACTS} SELECT least(intDiv(assumeNotNull(score), 10), 9) AS b, count() FROM facts "
            "WHERE score IS NOT NULL GROUP BY b",
            params,
        )
    )
    pairs = {
        (ai, human): int(n)
        for ai, human, n in await warehouse.rows(
            f"WITH {FACTS} SELECT advice, verdict, count() FROM facts WHERE advice != '' AND verdict != '' "
            "GROUP BY advice, verdict",
            params,
        )
    }
    (timing,) = await warehouse.rows(
        f"WITH {FACTS} SELECT medianExact(dateDiff('second', completed_raw, decided)), "
        "quantileExact(0.9)(dateDiff('second', completed_raw, decided)) FROM facts WHERE decided IS NOT NULL",
        params,
    )
    reviewers = await warehouse.rows(
        f"WITH {FACTS} SELECT reviewer, count(), medianExact(dateDiff('second', completed_raw, decided)) FROM facts "
        "WHERE decided IS NOT NULL GROUP BY reviewer ORDER BY count() DESC, reviewer",
        params,
    )
    total = sum(pairs.values())
    return ScoresView(
        criteria=[
            CriterionView(
                criterion="overall",
                median=_number(overall[0]) if int(overall[1]) else None,
                buckets=[
                    Bucket(from_=b * 10, to=b * 10 + 10 if b < 9 else 100, count=int(buckets.get(b, 0)))
                    for b in range(10)
                ],
            )
        ],
        agreement=AgreementView(
            matrix=[AgreementCell(ai=ai, human=human, count=pairs.get((ai, human), 0)) for ai in AI for human in HUMAN],
            agreement_rate=_ratio(sum(n for pair, n in pairs.items() if pair in AGREES), total),
            total=total,
        ),
        decisions=DecisionsView(
            median_hours=_hours(timing[0]),
            p90_hours=_hours(timing[1]),
            reviewers=[
                ReviewerView(reviewer_id=reviewer, decisions=int(n), median_hours=_hours(seconds))
                for reviewer, n, seconds in reviewers
            ],
        ),
    )


async def notifications(warehouse: Warehouse, scope: Scope) -> NotificationsView:
    params = scope.params()
    (emails,) = await warehouse.rows(
        f"""
        SELECT countIf(type = 'notification.sent'), countIf(type = 'notification.failed')
        FROM events FINAL
        WHERE type IN ('notification.sent', 'notification.failed')
            AND JSONExtractString(payload, 'template') = 'invitation'
            AND JSONExtractString(payload, 'channel') = 'email'
            AND occurred_at >= {{start:DateTime}} AND occurred_at < {{end:DateTime}}
            AND candidate_id IN (WITH {FACTS} SELECT candidate FROM facts)
        """,
        params,
    )
    (opened,) = await warehouse.rows(
        f"WITH {FACTS} SELECT countIf(opened_raw IS NOT NULL), "
        "countIf(opened_raw IS NOT NULL AND started_raw IS NOT NULL) FROM facts",
        params,
    )
    return NotificationsView(
        invitation_emails=InvitationEmails(sent=int(emails[0]), failed=int(emails[1])),
        open_to_start=OpenToStart(
            opened=int(opened[0]), started=int(opened[1]), conversion=_ratio(int(opened[1]), int(opened[0]))
        ),
    )


async def usage(warehouse: Warehouse, scope: Scope, *, interval: str) -> UsageView:
    """Per period and company: invitations created, analyses completed, bytes of processed recordings and
    LLM tokens, with the company's current plan (Free until billing says otherwise)."""
    bucket = INTERVALS[interval]
    rows = await warehouse.rows(
        f"""
        WITH owners AS (SELECT invitation_id, max(company_id) AS owner FROM invitation_facts GROUP BY invitation_id),
        plans AS (
            SELECT company_id, argMax(if(JSONHas(payload, 'newPlan'), JSONExtractString(payload, 'newPlan'),
                JSONExtractString(payload, 'planType')), occurred_at) AS plan
            FROM events FINAL WHERE type LIKE 'subscription.%' GROUP BY company_id
        )
        SELECT period, company, if(any(p.plan) = '', 'free', any(p.plan)) AS plan_type,
            countIf(type = 'invitation.created'), countIf(type = 'analysis.completed'),
            sumIf(JSONExtractUInt(payload, 'size'), type = 'media.processed'),
            sumIf(JSONExtractUInt(payload, 'totalTokensUsed'), type IN ('analysis.completed', 'analysis.failed'))
        FROM (
            SELECT {bucket}(e.occurred_at) AS period, if(e.company_id != '', e.company_id, o.owner) AS company,
                e.type AS type, e.payload AS payload
            FROM events AS e FINAL
            LEFT JOIN owners AS o ON o.invitation_id = e.invitation_id
            WHERE e.type IN ('invitation.created', 'analysis.completed', 'analysis.failed', 'media.processed')
                AND e.occurred_at >= {{start:DateTime}} AND e.occurred_at < {{end:DateTime}}
        ) AS u
        LEFT JOIN plans AS p ON p.company_id = u.company
        WHERE company != '' AND ({{company:String}} = '' OR company = {{company:String}})
        GROUP BY period, company
        ORDER BY period, company
        """,
        scope.params(),
    )
    return UsageView(
        series=[
            UsagePoint(
                period=period.date().isoformat() if isinstance(period, datetime) else str(period),
                company_id=company,
                plan=plan,
                invitations=int(invitations),
                analyses=int(analyses),
                storage_bytes=int(storage),
                llm_tokens=int(tokens),
            )
            for period, company, plan, invitations, analyses, storage, tokens in rows
        ]
    )

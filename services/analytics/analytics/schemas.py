"""Every wire model of the analytics API: the query filters and the answers (camelCase on the wire)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from kit.schemas import View

# A year of days is what the charts show at most; a wider range is refused rather than scanned.
MAX_RANGE_DAYS = 366


class Filters(BaseModel):
    """The query of every analytics route. Unknown parameters are refused with a 422 naming them."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    from_: date | None = Field(default=None, alias="from", description="First day (ISO date, UTC), inclusive.")
    to: date | None = Field(default=None, description="Last day (ISO date, UTC), inclusive; today by default.")
    template_id: uuid.UUID | None = Field(default=None, description="Only this template's invitations.")
    company_id: uuid.UUID | None = Field(default=None, description="Admins: one company (HR: their own only).")
    format: Literal["json", "csv"] = Field(default="json", description="csv answers the rows as text/csv.")

    @model_validator(mode="after")
    def _ordered(self) -> Filters:
        if self.from_ and self.to:
            if self.from_ > self.to:
                raise ValueError("`from` must be on or before `to`")
            if (self.to - self.from_).days >= MAX_RANGE_DAYS:
                raise ValueError(f"the range may span at most {MAX_RANGE_DAYS} days")
        return self


class UsageFilters(Filters):
    interval: Literal["day", "week", "month"] = Field(default="day", description="The period of each point.")


class OverviewView(View):
    invitations: int
    started: int
    completed: int
    analysed: int
    decided: int
    completion_rate: float | None
    median_hours_to_decision: float | None


class FunnelStep(View):
    step: str
    count: int
    conversion: float | None
    median_seconds_from_previous: float | None


class TemplateFunnel(View):
    template_id: str
    template_title: str | None
    steps: list[FunnelStep]


class FunnelView(View):
    from_: str = Field(alias="from")
    to: str
    steps: list[FunnelStep]
    templates: list[TemplateFunnel]


class QuestionStats(View):
    question_id: str
    order: int
    text: str
    reached: int
    answered: int
    abandoned_here: int
    # Seconds (the recorded duration of the answer), from completed interviews.
    median_answer_length: float | None
    retakes: int


class QuestionsView(View):
    questions: list[QuestionStats]


class Bucket(View):
    from_: int = Field(alias="from")
    to: int
    count: int


class CriterionView(View):
    criterion: str
    median: float | None
    buckets: list[Bucket]


class AgreementCell(View):
    ai: str
    human: str
    count: int


class AgreementView(View):
    matrix: list[AgreementCell]
    agreement_rate: float | None
    total: int


class ReviewerView(View):
    reviewer_id: str
    decisions: int
    median_hours: float | None


class DecisionsView(View):
    median_hours: float | None
    p90_hours: float | None
    reviewers: list[ReviewerView]


class ScoresView(View):
    criteria: list[CriterionView]
    agreement: AgreementView
    decisions: DecisionsView


class InvitationEmails(View):
    sent: int
    failed: int


class OpenToStart(View):
    opened: int
    started: int
    conversion: float | None


class NotificationsView(View):
    invitation_emails: InvitationEmails
    open_to_start: OpenToStart


class UsagePoint(View):
    period: str
    company_id: str
    plan: str
    invitations: int
    analyses: int
    storage_bytes: int
    llm_tokens: int


class UsageView(View):
    series: list[UsagePoint]

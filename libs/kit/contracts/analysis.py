"""Events of the analysis service (topic `analysis-events`, key = analysis id), with the reference's event names.

Fixed defects of the reference: the payloads carry what their consumers need. Notifications e-mail HR
(`hrEmail`, `hrName`, `hrUserId`) and billing counts tokens per company (`companyId`,
`totalTokensUsed`), when the interview snapshot had them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

TOPIC = "analysis-events"


class _AnalysisEvent(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    TOPIC: ClassVar[str] = TOPIC

    analysis_id: UUID
    invitation_id: UUID
    candidate_id: str | None = None
    template_id: str | None = None
    company_id: str | None = None
    hr_user_id: str | None = None


class AnalysisStarted(_AnalysisEvent):
    TYPE: ClassVar[str] = "analysis.started"

    # The reference named the analysis id `aggregateId` in this one payload.
    aggregate_id: UUID
    engine: Literal["llm", "offline"]


class _AnalysisOutcome(_AnalysisEvent):
    template_title: str | None = None
    company_name: str | None = None
    hr_email: str | None = None
    hr_name: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None
    questions_analyzed: int
    processing_time_ms: int
    total_tokens_used: int
    engine: Literal["llm", "offline"]
    model_used: str | None = None
    occurred_at: datetime


class AnalysisCompleted(_AnalysisOutcome):
    TYPE: ClassVar[str] = "analysis.completed"

    status: Literal["completed"] = "completed"
    overall_score: int
    recommendation: Literal["hire", "consider", "reject"]
    # How many answers the overall score rests on, of how many questions (unscorable recordings excluded).
    scored_answers: int | None = None
    total_answers: int | None = None
    # Each scoring criterion's mean score (0-100) over the answers scored on it, for the review CSV's columns;
    # absent from events written before it existed.
    criteria_scores: dict[str, float] | None = None


class AnalysisFailed(_AnalysisOutcome):
    TYPE: ClassVar[str] = "analysis.failed"

    status: Literal["failed"] = "failed"
    overall_score: None = None
    recommendation: None = None
    error_message: str

"""Wire models: the response views of the analysis routes (the service takes no request bodies)."""

from __future__ import annotations

import uuid
from datetime import datetime

from analysis.domain import AnalysisResult, AnalysisStatusRow, Band
from kit.schemas import View


class CriterionView(View):
    criterion: str
    score: int
    weight: float
    evidence: str | None = None
    evidence_status: str = "none"
    # Where the quote is in the recording (seconds), for an answer judged on its transcript.
    evidence_start_s: float | None = None
    evidence_end_s: float | None = None


class QuestionAnalysisView(View):
    id: uuid.UUID
    question_id: str
    question_text: str
    question_type: str
    response_text: str | None
    score: int | None
    feedback: str
    criteria_scores: list[CriterionView]
    is_correct: bool | None
    tokens_used: int
    # False for a recorded answer without transcript: it has no score and the overall score leaves it out.
    analysable: bool


class AnalysisView(View):
    """What HR and admins see (the reference's shape, plus the summary it left out and the provenance)."""

    id: uuid.UUID
    invitation_id: uuid.UUID
    candidate_id: str | None
    template_id: str | None
    template_title: str
    company_name: str
    status: str
    overall_score: int | None
    scored_answers: int | None
    total_answers: int | None
    summary: str | None
    strengths: list[str]
    weaknesses: list[str]
    recommendation: str | None
    language: str
    engine: str | None
    model_used: str | None
    prompt_version: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens_used: int
    processing_time_ms: int
    error_message: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    question_analyses: list[QuestionAnalysisView]


class ExplainedCriterion(View):
    """One rubric criterion of an answer as the candidate reads it: a band and what the team looked for, with a
    quote from their own answer when the scoring found one in it; never the score."""

    criterion: str
    band: Band
    looked_for: str | None = None
    evidence: str | None = None


class ExplainedAnswer(View):
    question_id: str
    question_text: str
    criteria: list[ExplainedCriterion]


class CandidateExplanation(View):
    """Feedback per answer derived from the rubric and the evidence, for the candidate once their decision is
    released (the gateway asks interviews first); multiple-choice answers are left out, as their verdict would
    tell the right option."""

    invitation_id: uuid.UUID
    answers: list[ExplainedAnswer]


class AnalysisStatusView(View):
    found: bool
    id: uuid.UUID | None = None
    invitation_id: uuid.UUID
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def of(cls, analysis: AnalysisResult | AnalysisStatusRow) -> AnalysisStatusView:
        return cls(
            found=True,
            id=analysis.id,
            invitation_id=analysis.invitation_id,
            status=analysis.status,
            created_at=analysis.created_at,
            updated_at=analysis.updated_at,
        )

"""`python -m interviews.consumers`: analysis outcomes (reference §5.6, payloads §6.5) onto the invitation."""

from __future__ import annotations

import uuid

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain import Invitation
from interviews.settings import Settings
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer

log = structlog.get_logger("interviews.consumers")

TOPICS: list[str] = ["analysis-events", "media-events"]


class AnalysisOutcome(BaseModel):
    """The fields of `analysis.completed` / `analysis.failed` this service keeps; the rest is ignored."""

    model_config = ConfigDict(extra="ignore")

    invitation_id: uuid.UUID = Field(alias="invitationId")
    analysis_id: str | None = Field(default=None, alias="analysisId")
    status: str | None = None
    overall_score: float | None = Field(default=None, alias="overallScore")
    recommendation: str | None = None
    error_message: str | None = Field(default=None, alias="errorMessage")


async def _apply(session: AsyncSession, envelope: Envelope, *, failed: bool) -> None:
    outcome = AnalysisOutcome.model_validate(envelope.payload)
    invitation = await session.get(Invitation, outcome.invitation_id, with_for_update=True)
    if invitation is None:
        # Not ours (or not yet ours to know): retrying cannot make it appear, so it is logged, not dead-lettered.
        log.warning("analysis.unknown_invitation", invitation_id=str(outcome.invitation_id))
        return
    applied = invitation.attach_analysis(
        analysis_id=outcome.analysis_id,
        status="failed" if failed else (outcome.status or "completed"),
        score=outcome.overall_score,
        recommendation=outcome.recommendation,
        error_message=outcome.error_message or ("Analysis failed" if failed else None),
        occurred_at=envelope.occurred_at,
    )
    if not applied:
        log.info("analysis.stale_outcome_ignored", invitation_id=str(invitation.id), event_id=str(envelope.event_id))


async def on_analysis_completed(session: AsyncSession, envelope: Envelope) -> None:
    await _apply(session, envelope, failed=False)


async def on_analysis_failed(session: AsyncSession, envelope: Envelope) -> None:
    await _apply(session, envelope, failed=True)


HANDLERS: Handlers = {
    "analysis.completed": on_analysis_completed,
    "analysis.failed": on_analysis_failed,
}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

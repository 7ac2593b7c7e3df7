"""`python -m interviews.consumers`: analysis outcomes (reference §5.6, payloads §6.5) onto the invitation, and
the media service's objects (`libs/kit/contracts/media.py`) into the projection media answers are checked against."""

from __future__ import annotations

import uuid

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain import Invitation, MediaObject, MediaStatus
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


class MediaRef(BaseModel):
    """The identity fields every media event carries; the rest is the media service's own."""

    model_config = ConfigDict(extra="ignore")

    media_id: uuid.UUID = Field(alias="mediaId")
    owner_id: str = Field(alias="ownerId", min_length=1, max_length=64)
    invitation_id: uuid.UUID = Field(alias="invitationId")
    question_id: uuid.UUID = Field(alias="questionId")


async def _project_media(session: AsyncSession, envelope: Envelope, status: MediaStatus) -> None:
    ref = MediaRef.model_validate(envelope.payload)
    row = insert(MediaObject).values(
        id=ref.media_id,
        owner_id=ref.owner_id,
        invitation_id=ref.invitation_id,
        question_id=ref.question_id,
        status=status,
        event_at=envelope.occurred_at,
    )
    # A deletion is final, and an event older than the one applied (a late redelivery) changes nothing.
    await session.execute(
        row.on_conflict_do_update(
            index_elements=[MediaObject.id],
            set_={"status": row.excluded.status, "event_at": row.excluded.event_at},
            where=(MediaObject.status != MediaStatus.DELETED) & (MediaObject.event_at <= row.excluded.event_at),
        )
    )


async def on_media_processed(session: AsyncSession, envelope: Envelope) -> None:
    await _project_media(session, envelope, MediaStatus.READY)


async def on_media_failed(session: AsyncSession, envelope: Envelope) -> None:
    await _project_media(session, envelope, MediaStatus.REJECTED)


async def on_media_deleted(session: AsyncSession, envelope: Envelope) -> None:
    await _project_media(session, envelope, MediaStatus.DELETED)


HANDLERS: Handlers = {
    "analysis.completed": on_analysis_completed,
    "analysis.failed": on_analysis_failed,
    "media.processed": on_media_processed,
    "media.failed": on_media_failed,
    "media.deleted": on_media_deleted,
}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

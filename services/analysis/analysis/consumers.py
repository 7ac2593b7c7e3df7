"""`python -m analysis.consumers`: the service's Kafka consumer process.

It only records the analysis request and enqueues the worker's job; the LLM work runs in the worker, so a
slow provider never stalls the partition (the reference ran the whole pipeline inside the handler). From
`media-events` it stores each recording's transcript (or its definitive absence) and enqueues a waiting
analysis once the last one of its interview is in."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from analysis import commands, privacy
from analysis.commands import Jobs
from analysis.domain import InterviewSnapshot, TranscriptStatus
from analysis.settings import Settings
from kit.contracts.media import MediaFailed, TranscriptionCompleted, TranscriptionUnavailable
from kit.contracts.privacy import InvitationErased
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer

log = structlog.get_logger("analysis.consumers")

TOPICS: list[str] = ["interview-events", "media-events"]
INVITATION_COMPLETED = "invitation.completed"


def handlers(jobs: Jobs) -> Handlers:
    async def enqueue(analysis_id: uuid.UUID) -> None:
        try:
            # Enqueued before this transaction commits: the job waits for the row (arq Retry). If Redis is
            # down the worker's sweep enqueues pending analyses later, so the event is not retried for it.
            await jobs.analyse(analysis_id, 1)
        except Exception as exc:
            log.warning("analysis.enqueue_failed", analysis_id=str(analysis_id), error=repr(exc))

    async def on_invitation_completed(session: AsyncSession, envelope: Envelope) -> None:
        # A payload without an invitation id raises here: retried, then dead-lettered with the reason.
        snapshot = InterviewSnapshot.model_validate(envelope.payload)
        requested = await commands.request_analysis(session, snapshot, envelope.payload)
        if requested is None:
            log.info("analysis.already_requested", invitation_id=str(snapshot.invitation_id))
            return
        if requested.ready:
            await enqueue(requested.id)
        log.info(
            "analysis.requested",
            analysis_id=str(requested.id),
            invitation_id=str(snapshot.invitation_id),
            waiting_for_transcripts=not requested.ready,
        )

    async def on_transcription_completed(session: AsyncSession, envelope: Envelope) -> None:
        event = TranscriptionCompleted.model_validate(envelope.payload)
        released = await commands.record_transcript(
            session,
            media_id=event.media_id,
            invitation_id=event.invitation_id,
            question_id=event.question_id,
            status=TranscriptStatus.COMPLETED,
            text=event.text,
            language=event.language,
            segments=[s.model_dump() for s in event.segments],
        )
        await _released(released, event.media_id)

    async def on_no_transcript(session: AsyncSession, envelope: Envelope) -> None:
        # A refused recording (`media.failed`) will never be transcribed either: both are a definitive "none".
        event: TranscriptionUnavailable | MediaFailed = (
            MediaFailed.model_validate(envelope.payload)
            if envelope.event_type == MediaFailed.TYPE
            else TranscriptionUnavailable.model_validate(envelope.payload)
        )
        released = await commands.record_transcript(
            session,
            media_id=event.media_id,
            invitation_id=event.invitation_id,
            question_id=event.question_id,
            status=TranscriptStatus.UNAVAILABLE,
            reason=event.reason,
        )
        await _released(released, event.media_id)

    async def on_invitation_erased(session: AsyncSession, envelope: Envelope) -> None:
        await privacy.erase_invitation(session, InvitationErased.model_validate(envelope.payload), now=utcnow())

    async def _released(analysis_id: uuid.UUID | None, media_id: str) -> None:
        if analysis_id is not None:
            await enqueue(analysis_id)
            log.info("analysis.transcripts_complete", analysis_id=str(analysis_id), last_media_id=media_id)

    return {
        INVITATION_COMPLETED: on_invitation_completed,
        TranscriptionCompleted.TYPE: on_transcription_completed,
        TranscriptionUnavailable.TYPE: on_no_transcript,
        MediaFailed.TYPE: on_no_transcript,
        InvitationErased.TYPE: on_invitation_erased,
    }


def make_handlers(settings: Settings) -> Handlers:
    """The handlers with the job queue they feed: this module's process, or a process of all roles (kit.roles)."""
    return handlers(Jobs(settings))


if __name__ == "__main__":
    settings = Settings()
    run_consumer(settings, make_handlers(settings), TOPICS)

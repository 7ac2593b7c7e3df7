"""Write side: record an analysis request, retry a failed analysis, and the worker's job queue."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import structlog
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from analysis import access
from analysis.domain import (
    AnalysisNotFound,
    AnalysisResult,
    AnalysisStatus,
    InterviewSnapshot,
    TimedSegment,
    Transcript,
    TranscriptStatus,
    TranscriptText,
)
from analysis.settings import Settings
from kit.auth import Principal
from kit.worker import queue_name

log = structlog.get_logger("analysis.commands")

ANALYSE = "analyse"


def job_id(analysis_id: uuid.UUID, attempt: int) -> str:
    return f"analyse:{analysis_id}:{attempt}"


class Jobs:
    """The worker's arq queue, opened lazily inside the running event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ArqRedis | None = None

    async def analyse(self, analysis_id: uuid.UUID, attempt: int, *, suffix: str = "") -> None:
        if self._pool is None:
            self._pool = await create_pool(
                RedisSettings.from_dsn(self.settings.redis_url), default_queue_name=queue_name(self.settings)
            )
        await self._pool.enqueue_job(ANALYSE, str(analysis_id), _job_id=job_id(analysis_id, attempt) + suffix)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


class Requested(NamedTuple):
    id: uuid.UUID
    # False while a recorded answer still waits for its transcript (or a definitive "none").
    ready: bool


async def lock_invitation(session: AsyncSession, invitation_id: str) -> None:
    """Serialise an invitation's completion and its transcripts until the transaction ends.

    They arrive on two topics and may be consumed at the same moment: without the lock each transaction could
    miss the other's uncommitted row and the analysis would wait for a transcript that is already stored."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"analysis:{invitation_id.lower()}"}
    )


async def outstanding_media(session: AsyncSession, snapshot: InterviewSnapshot) -> set[str]:
    """The recordings of this interview the media service has not yet said anything definitive about."""
    media = snapshot.media_ids
    if not media:
        return set()
    known = await session.scalars(select(Transcript.media_id).where(Transcript.media_id.in_(media)))
    return media - set(known)


async def request_analysis(session: AsyncSession, snapshot: InterviewSnapshot, raw: dict[str, Any]) -> Requested | None:
    """Record the request once per invitation (its natural key); None when it was recorded before."""
    await lock_invitation(session, str(snapshot.invitation_id))
    ready = not await outstanding_media(session, snapshot)
    analysis_id = await session.scalar(
        insert(AnalysisResult)
        .values(
            id=uuid.uuid4(),
            invitation_id=snapshot.invitation_id,
            candidate_id=snapshot.candidate_id,
            template_id=snapshot.template_id,
            template_title=snapshot.template_title[:500],
            company_name=snapshot.company_name[:255],
            company_id=snapshot.company_id,
            hr_user_id=snapshot.owner,
            status=AnalysisStatus.PENDING if ready else AnalysisStatus.WAITING_FOR_TRANSCRIPTS,
            language=snapshot.language[:10],
            source_event_data=raw,
        )
        .on_conflict_do_nothing(index_elements=[AnalysisResult.invitation_id])
        .returning(AnalysisResult.id)
    )
    return None if analysis_id is None else Requested(analysis_id, ready)


async def record_transcript(
    session: AsyncSession,
    *,
    media_id: str,
    invitation_id: str,
    question_id: str,
    status: TranscriptStatus,
    text: str | None = None,
    language: str | None = None,
    segments: list[dict[str, Any]] | None = None,
    reason: str | None = None,
) -> uuid.UUID | None:
    """Store what the media service said about a recording, once (the first definitive word wins), and
    return the analysis it releases: the waiting one of its invitation once no recording is outstanding."""
    await lock_invitation(session, invitation_id)
    stored = await session.scalar(
        insert(Transcript)
        .values(
            media_id=media_id,
            invitation_id=invitation_id.lower(),
            question_id=question_id,
            status=status,
            text=text,
            language=language[:20] if language else None,
            segments=segments or [],
            reason=reason,
        )
        .on_conflict_do_nothing(index_elements=[Transcript.media_id])
        .returning(Transcript.media_id)
    )
    if stored is None:
        return None
    try:
        invitation = uuid.UUID(invitation_id)
    except ValueError:
        return None  # not an invitation this service can have analysed; the transcript is kept all the same
    analysis = await session.scalar(
        select(AnalysisResult).where(AnalysisResult.invitation_id == invitation).with_for_update()
    )
    if analysis is None or await outstanding_media(session, analysis.snapshot):
        return None
    return analysis.id if analysis.release() else None


async def load_transcripts(session: AsyncSession, snapshot: InterviewSnapshot) -> dict[str, TranscriptText]:
    """The usable transcripts of this interview's recordings, by media id."""
    if not snapshot.media_ids:
        return {}
    rows = await session.scalars(
        select(Transcript).where(
            Transcript.media_id.in_(snapshot.media_ids), Transcript.status == TranscriptStatus.COMPLETED
        )
    )
    return {
        row.media_id: TranscriptText(
            text=row.text or "", segments=[TimedSegment.model_validate(s) for s in row.segments]
        )
        for row in rows
        if (row.text or "").strip()
    }


async def retry_analysis(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AnalysisResult:
    analysis = await session.scalar(
        select(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id).with_for_update()
    )
    if analysis is None:
        raise AnalysisNotFound("This interview has no analysis yet")
    access.ensure_may_retry(caller, analysis)
    analysis.retry()
    log.info("analysis.retry_requested", analysis_id=str(analysis.id), attempt=analysis.attempts, by=caller.user_id)
    return analysis

"""Write side: record an analysis request, retry a failed analysis, and the worker's job queue."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.domain import AnalysisNotFound, AnalysisResult, AnalysisStatus, InterviewSnapshot
from analysis.settings import Settings
from kit.auth import Principal
from kit.errors import Forbidden
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


async def request_analysis(session: AsyncSession, snapshot: InterviewSnapshot, raw: dict[str, Any]) -> uuid.UUID | None:
    """Record the request once per invitation (its natural key); None when it was recorded before."""
    return await session.scalar(
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
            status=AnalysisStatus.PENDING,
            language=snapshot.language[:10],
            source_event_data=raw,
        )
        .on_conflict_do_nothing(index_elements=[AnalysisResult.invitation_id])
        .returning(AnalysisResult.id)
    )


def can_review(user: Principal, analysis: AnalysisResult) -> bool:
    """Admins see every analysis; HR only those of invitations they sent (design.md §5)."""
    return user.has("admin") or (user.has("hr") and user.user_id.lower() in (analysis.hr_user_id, analysis.company_id))


async def retry_analysis(session: AsyncSession, invitation_id: uuid.UUID, user: Principal) -> AnalysisResult:
    user.require("admin", "hr")
    analysis = await session.scalar(
        select(AnalysisResult).where(AnalysisResult.invitation_id == invitation_id).with_for_update()
    )
    if analysis is None:
        raise AnalysisNotFound(f"No analysis for invitation {invitation_id}")
    if not can_review(user, analysis):
        raise Forbidden("Only the HR user who sent the invitation, or an admin, can retry its analysis")
    analysis.retry()
    log.info("analysis.retry_requested", analysis_id=str(analysis.id), attempt=analysis.attempts, by=user.user_id)
    return analysis

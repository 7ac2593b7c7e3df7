"""The worker's own rules: who may run an analysis, and the sweep of analyses whose job was lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from arq.connections import RedisSettings, create_pool
from prometheus_client import REGISTRY
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from analysis import commands
from analysis.commands import Jobs
from analysis.domain import AnalysisResult, InterviewSnapshot
from analysis.offline import OfflineEngine
from analysis.settings import Settings
from analysis.worker import analyse, refresh_queue_depth, sweep_pending
from kit.db import transaction
from kit.domain import utcnow
from kit.testing import outbox_events
from kit.worker import queue_name


async def request(sessions: async_sessionmaker[AsyncSession], payload: dict[str, Any]) -> Any:
    async with transaction(sessions) as session:
        requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
        return requested.id if requested else None


async def test_only_the_job_that_started_an_analysis_may_resume_it(
    sessions: async_sessionmaker[AsyncSession], make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    analysis_id = await request(sessions, make_snapshot())
    async with transaction(sessions) as session:
        analysis = await session.get(AnalysisResult, analysis_id)
        assert analysis is not None
        first = analysis.claim("job-1", engine="offline", model=None, prompt_version=None)
        second = analysis.claim("job-2", engine="offline", model=None, prompt_version=None)
        again = analysis.claim("job-1", engine="offline", model=None, prompt_version=None)

    async with sessions() as session:
        staged = [m.event_type for m in await outbox_events(session) if m.key == str(analysis_id)]
    assert (first, second, again) == (True, False, True)
    assert staged == ["analysis.started"]


async def test_a_pending_analysis_whose_job_was_lost_is_enqueued_again_and_then_completed(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    stale = await request(sessions, make_snapshot())
    fresh = await request(sessions, make_snapshot())
    async with transaction(sessions) as session:
        await session.execute(
            update(AnalysisResult).where(AnalysisResult.id == stale).values(updated_at=utcnow() - timedelta(hours=1))
        )
    jobs = Jobs(settings)
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=queue_name(settings))
    try:
        swept = await sweep_pending({"settings": settings, "sessions": sessions, "jobs": jobs})
        queued = [job.args for job in await pool.queued_jobs()]
        await pool.delete(queue_name(settings))
    finally:
        await jobs.close()
        await pool.aclose()
    ctx = {"settings": settings, "sessions": sessions, "scorer": OfflineEngine(), "job_id": "swept-job"}
    result = await analyse(ctx, str(stale))

    assert swept >= 1
    assert (str(stale),) in queued and (str(fresh),) not in queued
    assert result == "completed"


def depth(status: str) -> float:
    return REGISTRY.get_sample_value("analysis_service_queue_depth", {"status": status}) or 0.0


async def test_the_queue_depth_gauge_counts_the_unfinished_analyses_by_status(
    sessions: async_sessionmaker[AsyncSession], make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    await refresh_queue_depth({"sessions": sessions})
    before = {status: depth(status) for status in ("pending", "in_progress", "waiting_for_transcripts")}
    await request(sessions, make_snapshot())
    claimed = await request(sessions, make_snapshot())
    async with transaction(sessions) as session:
        analysis = await session.get(AnalysisResult, claimed)
        assert analysis is not None
        analysis.claim("job-1", engine="offline", model=None, prompt_version=None)

    unfinished = await refresh_queue_depth({"sessions": sessions})

    assert depth("pending") == before["pending"] + 1
    assert depth("in_progress") == before["in_progress"] + 1
    assert depth("waiting_for_transcripts") == before["waiting_for_transcripts"]
    assert unfinished == sum(before.values()) + 2


async def test_an_analysis_scored_offline_is_counted_under_the_offline_engine(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    labels = {"status": "completed", "model": "offline", "engine": "offline"}
    before = REGISTRY.get_sample_value("analysis_service_analysis_total", labels) or 0.0
    analysis_id = await request(sessions, make_snapshot())

    result = await analyse(
        {"settings": settings, "sessions": sessions, "scorer": OfflineEngine(), "job_id": "offline-job"},
        str(analysis_id),
    )

    assert result == "completed"
    assert REGISTRY.get_sample_value("analysis_service_analysis_total", labels) == before + 1


async def test_the_worker_claims_and_stores_an_analysis_with_the_sql_session_get_sent(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    make_snapshot: Callable[..., dict[str, Any]],
) -> None:
    analysis_id = await request(sessions, make_snapshot())
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await analyse(
            {"settings": settings, "sessions": sessions, "scorer": OfflineEngine(), "job_id": "sql-job"},
            str(analysis_id),
        )
        by_worker = list(sent)
        sent.clear()
        async with sessions() as session:
            await session.get(AnalysisResult, analysis_id, with_for_update=True)
        claim = list(sent)
        sent.clear()
        async with sessions() as session:
            await session.get(
                AnalysisResult, analysis_id, with_for_update=True, options=[selectinload(AnalysisResult.questions)]
            )
        store = list(sent)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)

    def reads(statements: list[str]) -> list[str]:
        return [s for s in statements if s.startswith(("SELECT analysis_results.", "SELECT question_analyses."))]

    assert len(reads(store)) == 2
    assert reads(by_worker) == reads(claim) + reads(store)

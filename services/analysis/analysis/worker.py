"""`arq analysis.worker.WorkerSettings`: the outbox relay, the analysis job and the sweep of lost jobs."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any

import structlog
from arq import Retry, cron
from arq.worker import func
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, bindparam, select, update
from sqlalchemy import func as sql_func
from sqlalchemy.orm import selectinload

from analysis.commands import ANALYSE, Jobs, load_transcripts
from analysis.domain import AnalysisResult, AnalysisStatus, InterviewOutcome
from analysis.llm import LlmEngine
from analysis.offline import OfflineEngine
from analysis.scoring import ScoringEngine, ScoringFailed, score_interview
from analysis.settings import Settings
from kit.db import transaction
from kit.domain import utcnow
from kit.worker import Ctx, worker_settings

log = structlog.get_logger("analysis.worker")

# `engine` tells the offline scorer (no key configured) from the LLM, so its share of analyses can be watched.
ANALYSES = Counter("analysis_service_analysis_total", "Finished analyses", ["status", "model", "engine"])
ANALYSIS_DURATION = Histogram(
    "analysis_service_analysis_duration_seconds",
    "Wall time of an analysis",
    ["status", "model"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
QUEUE_DEPTH = Gauge(
    "analysis_service_queue_depth", "Analyses not finished yet, by status (refreshed by the worker)", ["status"]
)
UNFINISHED = (AnalysisStatus.WAITING_FOR_TRANSCRIPTS, AnalysisStatus.PENDING, AnalysisStatus.IN_PROGRESS)
# The row of a just-consumed event may not be committed when its job first runs.
NOT_YET_COMMITTED_RETRIES = 5


# The statements `session.get` sent for the claim and the store (their column labels too), built once: `get`
# builds its statement, options included, and computes its cache key on every call. Each runs first in a fresh
# session, so `get`'s identity-map lookup had nothing to find.
LOCKED_ANALYSIS = (
    select(AnalysisResult)
    .where(AnalysisResult.id == bindparam("analysis_id"))
    .with_for_update()
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)
LOCKED_ANALYSIS_WITH_QUESTIONS = LOCKED_ANALYSIS.options(selectinload(AnalysisResult.questions))


def make_engine(settings: Settings) -> ScoringEngine:
    return LlmEngine(settings) if settings.llm_enabled else OfflineEngine()


async def analyse(ctx: Ctx, analysis_id: str) -> str:
    """Score one interview: claim the analysis, call the engine outside any transaction, store the outcome."""
    settings: Settings = ctx["settings"]
    engine: ScoringEngine = ctx["scorer"]
    key = uuid.UUID(analysis_id)
    async with transaction(ctx["sessions"]) as session:
        analysis = await session.scalar(LOCKED_ANALYSIS, {"analysis_id": key})
        if analysis is None:
            if ctx.get("job_try", 1) >= NOT_YET_COMMITTED_RETRIES:
                return "missing"
            raise Retry(defer=1)
        claimed = analysis.claim(
            ctx.get("job_id") or analysis_id,
            engine=engine.name,
            model=engine.model,
            prompt_version=engine.prompt_version,
        )
        if not claimed:
            return f"skipped ({analysis.status})"
        snapshot = analysis.snapshot
        transcripts = await load_transcripts(session, snapshot)

    started = time.perf_counter()
    outcome: InterviewOutcome | None = None
    reason = ""
    try:
        outcome = await asyncio.wait_for(score_interview(engine, snapshot, transcripts), settings.analysis_timeout_s)
    except ScoringFailed as exc:
        reason = str(exc)
    except TimeoutError:
        reason = f"The analysis did not finish within {settings.analysis_timeout_s:.0f} s"
    elapsed = time.perf_counter() - started

    async with transaction(ctx["sessions"]) as session:
        analysis = await session.scalar(LOCKED_ANALYSIS_WITH_QUESTIONS, {"analysis_id": key})
        if analysis is None or analysis.status != AnalysisStatus.IN_PROGRESS:
            return "superseded"
        if outcome is not None:
            analysis.complete(outcome)
        else:
            analysis.fail(reason, processing_time_ms=round(elapsed * 1000))
        status = analysis.status
    model = engine.model or engine.name
    ANALYSES.labels(status, model, engine.name).inc()
    ANALYSIS_DURATION.labels(status, model).observe(elapsed)
    log.info("analysis.finished", analysis_id=analysis_id, status=status, engine=engine.name, reason=reason or None)
    return str(status)


async def sweep_pending(ctx: Ctx) -> int:
    """Release the analyses that waited too long for transcripts, and enqueue again the pending analyses
    whose job was lost (Redis down when the event arrived)."""
    settings: Settings = ctx["settings"]
    async with transaction(ctx["sessions"]) as session:
        waited = (
            await session.scalars(
                update(AnalysisResult)
                .where(
                    AnalysisResult.status == AnalysisStatus.WAITING_FOR_TRANSCRIPTS,
                    AnalysisResult.created_at < utcnow() - timedelta(seconds=settings.transcript_wait_s),
                )
                .values(status=AnalysisStatus.PENDING)
                .returning(AnalysisResult.id)
            )
        ).all()
    jobs: Jobs = ctx["jobs"]
    for analysis_id in waited:
        await jobs.analyse(analysis_id, 1)
    if waited:
        log.info("analysis.transcript_wait_over", count=len(waited))
    cutoff = utcnow() - timedelta(seconds=settings.stale_pending_s)
    async with ctx["sessions"]() as session:
        stale = (
            await session.execute(
                select(AnalysisResult.id, AnalysisResult.attempts)
                .where(AnalysisResult.status == AnalysisStatus.PENDING, AnalysisResult.updated_at < cutoff)
                .limit(100)
            )
        ).all()
    for analysis_id, attempt in stale:
        # A distinct job id per sweep; should the first job still run, only one of them claims the analysis.
        await jobs.analyse(analysis_id, attempt, suffix=f":sweep{int(time.time())}")
    if stale:
        log.info("analysis.swept", count=len(stale))
    return len(waited) + len(stale)


async def refresh_queue_depth(ctx: Ctx) -> int:
    """Count the unfinished analyses for the queue-depth gauge; a status with none is set to 0, not dropped."""
    async with ctx["sessions"]() as session:
        rows = (
            await session.execute(
                select(AnalysisResult.status, sql_func.count())
                .where(AnalysisResult.status.in_(UNFINISHED))
                .group_by(AnalysisResult.status)
            )
        ).all()
    counts = {AnalysisStatus(status): count for status, count in rows}
    for status in UNFINISHED:
        QUEUE_DEPTH.labels(status.value).set(counts.get(status, 0))
    return sum(counts.values())


def build_worker_settings(settings: Settings) -> type:
    async def startup(ctx: Ctx) -> None:
        ctx["scorer"] = make_engine(settings)
        ctx["jobs"] = Jobs(settings)
        log.info("analysis.engine", engine=ctx["scorer"].name, model=ctx["scorer"].model)

    async def shutdown(ctx: Ctx) -> None:
        scorer: Any = ctx.get("scorer")
        if isinstance(scorer, LlmEngine):
            await scorer.close()
        jobs: Jobs | None = ctx.get("jobs")
        if jobs is not None:
            await jobs.close()

    return worker_settings(
        settings,
        functions=[func(analyse, name=ANALYSE, timeout=settings.analysis_timeout_s + 60, max_tries=10)],
        cron_jobs=[
            cron(sweep_pending, second={30}, unique=True),
            cron(refresh_queue_depth, second={0, 15, 30, 45}, unique=True),
        ],
        on_startup=startup,
        on_shutdown=shutdown,
    )


WorkerSettings = build_worker_settings(Settings())

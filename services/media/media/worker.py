"""`arq media.worker.WorkerSettings`: the outbox relay, probing, transcription and (for videos browsers cannot
play) a web-playable rendition of confirmed uploads, and the sweep of objects whose job was lost."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import structlog
from arq import Retry, cron
from arq.worker import func
from prometheus_client import Counter, Histogram
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.db import transaction
from kit.domain import utcnow
from kit.worker import Ctx, worker_settings
from media.commands import DISCARD, PROCESS, RENDER, TRANSCRIBE, Jobs
from media.domain import MediaObject, MediaStatus, ProbeFacts, RenditionStatus, TranscriptStatus
from media.processing import ProbeFailed, probe, refusal, thumbnail, transcode
from media.settings import Settings
from media.storage import Storage
from media.transcription import EngineBusy, Transcriber, TranscriptionFailed, choose_transcriber, transcribe_file

log = structlog.get_logger("media.worker")

PROCESSED = Counter("media_processed_total", "Probed media objects", ["result"])
TRANSCRIPTS = Counter("media_transcripts_total", "Finished transcripts", ["status"])
RENDITIONS = Counter("media_renditions_total", "Finished web-playable renditions", ["status"])
# Progress is written at most this often: a row update per ffmpeg report would be one every half second.
PROGRESS_INTERVAL_S = 1.0
JOB_DURATION = Histogram(
    "media_job_duration_seconds", "Wall time of a media job", ["job"], buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
)
# The confirm's commit may not be visible yet when its job first runs.
NOT_YET_COMMITTED_RETRIES = 5
NO_AUDIO = "The recording has no audio track"
# A transcription finding the local engine busy is deferred, a little longer each time, up to a minute (less
# than the sweep's `stale_processing_s`); this many tries cover about an hour of such waits (the sweep enqueues
# it again after that).
BUSY_DEFER_STEP_S = 5
BUSY_DEFER_MAX_S = 60
TRANSCRIBE_TRIES = 100
DEFERRED = Counter("media_transcriptions_deferred_total", "Transcriptions deferred: the local engine was busy")


async def _load(sessions: async_sessionmaker[AsyncSession], media_id: uuid.UUID) -> MediaObject | None:
    async with sessions() as session:
        return await session.get(MediaObject, media_id)


async def process_media(ctx: Ctx, media_id: str) -> str:
    """Probe the stored object; accept it (`ready`, then transcription) or refuse it and delete the bytes."""
    settings: Settings = ctx["settings"]
    storage: Storage = ctx["storage"]
    key = uuid.UUID(media_id)
    media = await _load(ctx["sessions"], key)
    if media is None:
        if ctx.get("job_try", 1) >= NOT_YET_COMMITTED_RETRIES:
            return "missing"
        raise Retry(defer=1)
    if media.status != MediaStatus.PROCESSING:
        return f"skipped ({media.status})"

    started = time.perf_counter()
    thumbnail_key = None
    async with local_copy(storage, media.object_key) as path:
        try:
            probed = await probe(settings, path)
            facts = ProbeFacts(probed)
            reason = refusal(settings, media.kind, facts, media.size or 0)
        except ProbeFailed as exc:
            probed, facts = {}, None
            reason = str(exc)
        if reason is None and facts is not None and facts.video_codec is not None:
            thumbnail_key = await _thumbnail(settings, storage, media, path, facts)
    if reason is not None:
        await storage.remove(media.object_key)

    async with transaction(ctx["sessions"]) as session:
        media = await session.get(MediaObject, key, with_for_update=True)
        if media is None or media.status != MediaStatus.PROCESSING:
            return "superseded"
        if reason is None and facts is not None:
            media.thumbnail_key = thumbnail_key
            media.accept(probed, facts)
        else:
            media.reject(reason or "refused")
        result = str(media.status)
        needs_rendition = media.rendition_status == RenditionStatus.PENDING
    JOB_DURATION.labels("process").observe(time.perf_counter() - started)
    PROCESSED.labels(result).inc()
    log.info("media.processed", media_id=media_id, result=result, reason=reason)
    if reason is None:
        await ctx["jobs"].enqueue(TRANSCRIBE, key)
        if needs_rendition:
            await ctx["jobs"].enqueue(RENDER, key)
    return result


@asynccontextmanager
async def local_copy(storage: Storage, key: str) -> AsyncIterator[str]:
    """The stored object as a temporary local file, which is all ffprobe and ffmpeg may read."""
    with tempfile.TemporaryDirectory(prefix="media-") as folder:
        path = str(Path(folder) / "recording")
        await storage.download(key, path)
        yield path


async def _thumbnail(
    settings: Settings, storage: Storage, media: MediaObject, path: str, facts: ProbeFacts
) -> str | None:
    """A frame a second in (or halfway through a shorter clip); a video without one is still accepted."""
    at = min(1.0, (facts.duration_seconds or 0.0) / 2)
    try:
        image = await thumbnail(settings, path, at, input_format=facts.demuxer)
    except (ProbeFailed, TimeoutError) as exc:
        log.warning("media.thumbnail_failed", media_id=str(media.id), error=str(exc))
        return None
    key = f"thumbnails/{media.invitation_id}/{media.question_id}/{media.id}.jpg"
    await storage.put(key, image, "image/jpeg")
    return key


async def render_media(ctx: Ctx, media_id: str) -> str:
    """Transcode a ready video browsers cannot play into a small H.264/AAC MP4 stored beside the original."""
    settings: Settings = ctx["settings"]
    storage: Storage = ctx["storage"]
    sessions: async_sessionmaker[AsyncSession] = ctx["sessions"]
    key = uuid.UUID(media_id)
    media = await _load(sessions, key)
    if (
        media is None
        or media.status != MediaStatus.READY
        or media.rendition_status not in (RenditionStatus.PENDING, RenditionStatus.PROCESSING)
    ):
        return "skipped"
    rendition_key = f"renditions/{media.invitation_id}/{media.question_id}/{media.id}.mp4"
    demuxer = ProbeFacts(media.probe or {}).demuxer
    duration = media.duration_seconds
    last_write = 0.0

    async def progress(fraction: float) -> None:
        nonlocal last_write
        if time.monotonic() - last_write < PROGRESS_INTERVAL_S:
            return
        last_write = time.monotonic()
        async with transaction(sessions) as session:
            row = await session.get(MediaObject, key, with_for_update=True)
            if row is not None and row.status == MediaStatus.READY:
                row.rendering(round(fraction, 3))

    started = time.perf_counter()
    await progress(0.0)
    reason: str | None = None
    async with local_copy(storage, media.object_key) as path:
        target = Path(path).with_name("rendition.mp4")
        try:
            await transcode(settings, path, target, duration, progress, input_format=demuxer)
            await storage.put_file(rendition_key, str(target), "video/mp4")
        except (ProbeFailed, TimeoutError) as exc:
            reason = f"The web-playable rendition failed: {str(exc) or 'ffmpeg timed out'}"

    async with transaction(sessions) as session:
        media = await session.get(MediaObject, key, with_for_update=True)
        if media is None or media.status != MediaStatus.READY:
            # Deleted or purged meanwhile: the rendition must not outlive the recording.
            if reason is None:
                await storage.remove(rendition_key)
            return "superseded"
        if reason is None:
            media.rendered(rendition_key)
        else:
            media.rendition_failed(reason)
        result = str(media.rendition_status)
    JOB_DURATION.labels("render").observe(time.perf_counter() - started)
    RENDITIONS.labels(result).inc()
    log.info("media.rendered", media_id=media_id, result=result, reason=reason)
    return result


async def transcribe_media(ctx: Ctx, media_id: str) -> str:
    """Transcribe a ready object's audio, or say plainly why there is no transcript."""
    settings: Settings = ctx["settings"]
    key = uuid.UUID(media_id)
    media = await _load(ctx["sessions"], key)
    if media is None or media.status != MediaStatus.READY or media.transcript_status != TranscriptStatus.PENDING:
        return "skipped"
    facts = ProbeFacts(media.probe or {})
    transcriber: Transcriber | None = ctx["transcriber"]
    if facts.audio_codec is not None and transcriber is not None and transcriber.busy:
        await _defer(ctx, key)
    started = time.perf_counter()
    transcript = None
    if facts.audio_codec is None:
        reason: str | None = NO_AUDIO
    elif transcriber is None:
        reason = ctx["no_transcriber_reason"]
    else:
        try:
            async with local_copy(ctx["storage"], media.object_key) as path:
                transcript = await transcribe_file(transcriber, settings, path, input_format=facts.demuxer)
            reason = None
        except EngineBusy:
            await _defer(ctx, key)
        except (TranscriptionFailed, ProbeFailed) as exc:
            reason = str(exc)

    async with transaction(ctx["sessions"]) as session:
        media = await session.get(MediaObject, key, with_for_update=True)
        if media is None or media.transcript_status != TranscriptStatus.PENDING:
            return "superseded"
        if transcript is not None:
            media.transcribed(
                text=transcript.text,
                language=transcript.language,
                segments=transcript.segments,
                model=transcript.model,
            )
        else:
            media.transcript_unavailable(reason or "unknown")
        result = str(media.transcript_status)
    JOB_DURATION.labels("transcribe").observe(time.perf_counter() - started)
    TRANSCRIPTS.labels(result).inc()
    log.info("media.transcribed", media_id=media_id, result=result, reason=reason)
    return result


async def _defer(ctx: Ctx, key: uuid.UUID) -> NoReturn:
    """Give the job slot back and come again later: the local engine is decoding as much as it may. The row
    is marked as waiting, which keeps the sweep (it looks for rows untouched for `stale_processing_s`) from
    enqueueing a second job for a transcription that is only queued."""
    async with transaction(ctx["sessions"]) as session:
        media = await session.get(MediaObject, key, with_for_update=True)
        if media is not None:
            media.transcription_waiting()
    DEFERRED.inc()
    defer = min(BUSY_DEFER_STEP_S * ctx.get("job_try", 1), BUSY_DEFER_MAX_S)
    log.info("media.transcription_deferred", media_id=str(key), defer_s=defer)
    raise Retry(defer=defer)


async def discard_upload(ctx: Ctx, media_id: str) -> str:
    """Remove what a still-valid upload URL wrote after confirm copied the upload away: nobody reads it."""
    media = await _load(ctx["sessions"], uuid.UUID(media_id))
    if media is None or media.status == MediaStatus.UPLOADING or media.object_key == media.upload_key:
        return "skipped"
    await ctx["storage"].remove(media.upload_key)
    return "removed"


async def sweep_stalled(ctx: Ctx) -> int:
    """Enqueue again the jobs lost with Redis: confirmed but unprobed objects, and untranscribed ready ones."""
    settings: Settings = ctx["settings"]
    cutoff = utcnow() - timedelta(seconds=settings.stale_processing_s)
    async with ctx["sessions"]() as session:
        stale = (
            await session.execute(
                select(MediaObject.id, MediaObject.status, MediaObject.transcript_status)
                .where(
                    MediaObject.updated_at < cutoff,
                    or_(
                        MediaObject.status == MediaStatus.PROCESSING,
                        (MediaObject.status == MediaStatus.READY)
                        & (MediaObject.transcript_status == TranscriptStatus.PENDING),
                        (MediaObject.status == MediaStatus.READY)
                        & MediaObject.rendition_status.in_([RenditionStatus.PENDING, RenditionStatus.PROCESSING]),
                    ),
                )
                .limit(100)
            )
        ).all()
    jobs: Jobs = ctx["jobs"]
    for media_id, status, transcript_status in stale:
        if status == MediaStatus.PROCESSING:
            job = PROCESS
        elif transcript_status == TranscriptStatus.PENDING:
            job = TRANSCRIBE
        else:
            job = RENDER
        await jobs.enqueue(job, media_id, suffix=f":sweep{int(time.time())}")
    if stale:
        log.info("media.swept", count=len(stale))
    return len(stale)


async def purge(ctx: Ctx) -> int:
    """Abort abandoned upload sessions and, with a retention set, delete recordings past it."""
    settings: Settings = ctx["settings"]
    storage: Storage = ctx["storage"]
    now = utcnow()
    conditions = [
        (MediaObject.status == MediaStatus.UPLOADING)
        & (MediaObject.created_at < now - timedelta(seconds=settings.abandoned_upload_s))
    ]
    if settings.retention_s > 0:
        conditions.append(
            MediaObject.status.in_([MediaStatus.READY, MediaStatus.REJECTED, MediaStatus.ABORTED])
            & (MediaObject.created_at < now - timedelta(seconds=settings.retention_s))
        )
    purged = 0
    async with transaction(ctx["sessions"]) as session:
        rows = await session.scalars(
            select(MediaObject).where(or_(*conditions)).limit(200).with_for_update(skip_locked=True)
        )
        for media in rows.all():
            if media.status == MediaStatus.UPLOADING:
                if media.upload_id:
                    await storage.abort_multipart(media.object_key, media.upload_id)
                await storage.remove(media.object_key)
                media.abort()
            else:
                for key in media.stored_keys():
                    await storage.remove(key)
                media.erase()
            purged += 1
    if purged:
        log.info("media.purged", count=purged)
    return purged


def build_worker_settings(settings: Settings) -> type:
    async def startup(ctx: Ctx) -> None:
        ctx["storage"] = Storage(settings)
        ctx["jobs"] = Jobs(settings)
        ctx["transcriber"], ctx["no_transcriber_reason"] = choose_transcriber(settings)
        log.info(
            "media.transcription_engine",
            model=getattr(ctx["transcriber"], "model", None),
            reason=ctx["no_transcriber_reason"] or None,
        )

    async def shutdown(ctx: Ctx) -> None:
        if ctx.get("transcriber") is not None:
            await ctx["transcriber"].close()
        if ctx.get("jobs") is not None:
            await ctx["jobs"].close()

    return worker_settings(
        settings,
        functions=[
            func(process_media, name=PROCESS, timeout=settings.ffmpeg_timeout_s + 60, max_tries=10),
            func(discard_upload, name=DISCARD, max_tries=3),
            func(render_media, name=RENDER, timeout=settings.ffmpeg_timeout_s + 120, max_tries=3),
            func(
                transcribe_media,
                name=TRANSCRIBE,
                timeout=settings.ffmpeg_timeout_s
                + max(settings.transcription_timeout_s * 3, settings.local_transcription_timeout_s)
                + 60,
                max_tries=TRANSCRIBE_TRIES,
            ),
        ],
        cron_jobs=[
            cron(sweep_stalled, second={45}, unique=True),
            cron(purge, minute={17}, second={0}, unique=True),
        ],
        on_startup=startup,
        on_shutdown=shutdown,
    )


WorkerSettings = build_worker_settings(Settings())

"""HTTP routes (`/api/v1/media`, the paths the gateway forwards `/api/media/*` to). The bytes go straight
to S3 through presigned URLs; these routes only sign, check and record."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response

from kit.auth import CurrentUser
from kit.db import ReadSession, Sessions, transaction
from kit.domain import utcnow
from kit.errors import NotFound
from media import commands, queries
from media.commands import InitiateUpload, Jobs, MediaRef
from media.domain import MediaNotReady, MediaObject, MediaStatus, NotUploading, UploadMode
from media.queries import (
    MediaView,
    PartsView,
    PartUrl,
    PlaybackView,
    StatusView,
    StoredPartView,
    TranscriptView,
    UploadSessionView,
)
from media.settings import Settings
from media.storage import Storage

log = structlog.get_logger("media.api")
router = APIRouter(prefix="/api/v1/media", tags=["media"])


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_storage(request: Request) -> Storage:
    return request.app.state.storage  # type: ignore[no-any-return]


def get_jobs(request: Request) -> Jobs:
    return request.app.state.jobs  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]


def _part_urls(media: MediaObject, storage: Storage, numbers: list[int], ttl: timedelta) -> list[PartUrl]:
    assert media.upload_id is not None
    return [PartUrl(part_number=n, url=storage.part_url(media.object_key, media.upload_id, n, ttl)) for n in numbers]


@router.post("/upload/initiate", status_code=201)
async def initiate(
    cmd: InitiateUpload, db: Sessions, user: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> UploadSessionView:
    """Open an upload session for one answer: a presigned PUT, or presigned part URLs for a large file."""
    async with transaction(db) as session:
        media = await commands.initiate_upload(session, cmd, user, settings=settings, storage=storage)
    ttl = timedelta(seconds=settings.upload_url_ttl_s)
    view = UploadSessionView(
        media_id=media.id, status=media.status, upload_mode=media.upload_mode, expires_at=utcnow() + ttl
    )
    if media.upload_mode == UploadMode.SINGLE:
        view.upload_url = storage.put_url(media.object_key, ttl)
    else:
        assert media.part_count is not None
        view.part_size, view.part_count = media.part_size, media.part_count
        view.parts = _part_urls(media, storage, list(range(1, media.part_count + 1)), ttl)
    return view


@router.get("/{media_id}/parts")
async def parts(
    media_id: uuid.UUID, db: ReadSession, user: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PartsView:
    """Resume a multipart upload: the parts S3 already holds, and fresh URLs for the missing ones."""
    media = await db.get(MediaObject, media_id)
    if media is None or media.owner_id != user.user_id:
        raise NotFound(f"Media {media_id} not found")
    if media.status != MediaStatus.UPLOADING or media.upload_mode != UploadMode.MULTIPART:
        raise NotUploading(f"Media {media_id} is not a multipart upload in progress")
    assert media.part_size is not None and media.part_count is not None
    stored = await commands.stored_parts(media, storage)
    missing = sorted(set(range(1, media.part_count + 1)) - {p.part_number for p in stored})
    ttl = timedelta(seconds=settings.upload_url_ttl_s)
    return PartsView(
        media_id=media.id,
        part_size=media.part_size,
        part_count=media.part_count,
        uploaded_parts=[StoredPartView(part_number=p.part_number, size=p.size, etag=p.etag) for p in stored],
        missing_parts=_part_urls(media, storage, missing, ttl),
        expires_at=utcnow() + ttl,
    )


@router.post("/upload/confirm")
async def confirm(
    cmd: MediaRef, db: Sessions, user: CurrentUser, settings: SettingsDep, storage: StorageDep, jobs: JobsDep
) -> MediaView:
    """The bytes are stored: check their size, then probe and transcribe them in the worker."""
    async with transaction(db) as session:
        confirmed = await commands.confirm_upload(session, cmd, user, settings=settings, storage=storage)
    if confirmed.refused is not None:
        raise confirmed.refused
    media = confirmed.media
    if media.status == MediaStatus.PROCESSING:
        try:
            await jobs.enqueue(commands.PROCESS, media.id)
        except Exception as exc:
            # The object stays `processing`; the worker's sweep enqueues it again.
            log.warning("media.enqueue_failed", media_id=str(media.id), error=repr(exc))
    return MediaView.of(media)


@router.post("/upload/abort")
async def abort(cmd: MediaRef, db: Sessions, user: CurrentUser, storage: StorageDep) -> MediaView:
    """Give up an upload session; the stored bytes or parts are removed."""
    async with transaction(db) as session:
        media = await commands.abort_upload(session, cmd, user, storage=storage)
    return MediaView.of(media)


@router.get("")
async def list_media(
    db: ReadSession,
    user: CurrentUser,
    invitation_id: Annotated[uuid.UUID | None, Query(alias="invitationId")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[MediaView]:
    """The caller's own media objects, newest first."""
    rows = await queries.list_own(db, user, invitation_id=invitation_id, limit=limit, offset=offset)
    return [MediaView.of(m) for m in rows]


@router.get("/{media_id}")
async def get_media(media_id: uuid.UUID, db: ReadSession, user: CurrentUser) -> MediaView:
    """Metadata of a media object (uploader, the invitation's HR, admins)."""
    return MediaView.of(await queries.visible(db, media_id, user))


@router.get("/{media_id}/status")
async def status(media_id: uuid.UUID, db: ReadSession, user: CurrentUser) -> StatusView:
    """Where upload, processing and transcription stand, with the reason of a refusal."""
    media = await queries.visible(db, media_id, user)
    return StatusView(
        media_id=media.id,
        status=media.status,
        reason=media.reject_reason,
        transcript_status=media.transcript_status,
        transcript_reason=media.transcript_reason,
        rendition_status=media.rendition_status,
        rendition_progress=media.rendition_progress,
        rendition_reason=media.rendition_reason,
    )


async def _playback(
    media_id: uuid.UUID, db: ReadSession, user: CurrentUser, settings: Settings, storage: Storage, *, download: bool
) -> PlaybackView:
    media = await queries.visible(db, media_id, user)
    if media.status != MediaStatus.READY:
        raise MediaNotReady(f"Media {media_id} is {media.status}")
    ttl = timedelta(seconds=settings.playback_url_ttl_s)
    if download:
        name = media.file_name.replace('"', "").replace("\\", "")
        url = storage.get_url(media.object_key, ttl, download_name=name)
    else:
        url = storage.get_url(media.rendition_key or media.object_key, ttl)
    return PlaybackView(media_id=media.id, url=url, expires_at=utcnow() + ttl)


@router.get("/{media_id}/stream")
async def stream(
    media_id: uuid.UUID, db: ReadSession, user: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL to play the recording (S3 serves ranges): the web-playable rendition
    once there is one (see `renditionStatus`), otherwise the original."""
    return await _playback(media_id, db, user, settings, storage, download=False)


@router.get("/{media_id}/download")
async def download(
    media_id: uuid.UUID, db: ReadSession, user: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL that downloads the original recording as a file."""
    return await _playback(media_id, db, user, settings, storage, download=True)


@router.get("/{media_id}/thumbnail")
async def thumbnail(
    media_id: uuid.UUID, db: ReadSession, user: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL of the video's thumbnail (a JPEG 320 px wide)."""
    media = await queries.visible(db, media_id, user)
    if media.status != MediaStatus.READY or media.thumbnail_key is None:
        raise NotFound(f"Media {media_id} has no thumbnail")
    ttl = timedelta(seconds=settings.playback_url_ttl_s)
    return PlaybackView(media_id=media.id, url=storage.get_url(media.thumbnail_key, ttl), expires_at=utcnow() + ttl)


@router.get("/{media_id}/transcription")
async def transcription(media_id: uuid.UUID, db: ReadSession, user: CurrentUser) -> TranscriptView:
    """The transcript: text, language and timed segments, or `unavailable` with the reason."""
    media = await queries.visible(db, media_id, user)
    return TranscriptView(
        media_id=media.id,
        status=media.transcript_status,
        text=media.transcript_text,
        language=media.transcript_language,
        duration_seconds=media.duration_seconds,
        segments=media.transcript_segments or [],
        model=media.transcript_model,
        reason=media.transcript_reason,
    )


@router.delete("/{media_id}", status_code=204)
async def delete(media_id: uuid.UUID, db: Sessions, user: CurrentUser, storage: StorageDep) -> Response:
    """Delete the recording's bytes (uploader or admin); the row stays as `deleted` for the audit trail."""
    async with transaction(db) as session:
        media = await session.get(MediaObject, media_id, with_for_update=True)
        if media is None or not (media.owner_id == user.user_id or user.has("admin")):
            raise NotFound(f"Media {media_id} not found")
        if media.status == MediaStatus.UPLOADING and media.upload_id:
            await storage.abort_multipart(media.object_key, media.upload_id)
        for key in media.stored_keys():
            await storage.remove(key)
        media.erase()
    return Response(status_code=204)

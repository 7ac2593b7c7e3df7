"""HTTP routes (`/api/v1/media`, the paths the gateway forwards `/api/media/*` to). The bytes go straight
to S3 through presigned URLs; these routes only sign, check and record."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response

from kit.auth import CurrentUser, Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from media import commands, queries
from media.commands import Jobs
from media.domain import MediaStatus
from media.schemas import (
    InitiateUpload,
    MediaRef,
    MediaView,
    PartsView,
    PlaybackView,
    StatusView,
    TranscriptView,
    UploadSessionView,
)
from media.settings import Settings
from media.storage import Storage

log = structlog.get_logger("media.api")
router = APIRouter(prefix="/api/v1/media", tags=["media"])


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_storage(request: Request) -> Storage:
    return request.app.state.storage  # type: ignore[no-any-return]


async def get_jobs(request: Request) -> Jobs:
    return request.app.state.jobs  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[Storage, Depends(get_storage)]
JobsDep = Annotated[Jobs, Depends(get_jobs)]
CandidateCaller = Annotated[Principal, require_roles("candidate")]


@router.post("/upload/initiate", status_code=201)
async def initiate(
    cmd: InitiateUpload, sessions: Sessions, caller: CandidateCaller, settings: SettingsDep, storage: StorageDep
) -> UploadSessionView:
    """Open an upload session for one answer: a presigned PUT, or presigned part URLs for a large file."""
    async with transaction(sessions) as session:
        media = await commands.initiate_upload(session, cmd, caller=caller, settings=settings, storage=storage)
    return queries.upload_session(media, settings=settings, storage=storage)


@router.get("/{media_id}/parts")
async def parts(
    media_id: uuid.UUID, session: ReadSession, caller: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PartsView:
    """Resume a multipart upload: the parts S3 already holds, and fresh URLs for the missing ones."""
    return await queries.upload_parts(session, media_id, caller=caller, settings=settings, storage=storage)


@router.post("/upload/confirm")
async def confirm(
    cmd: MediaRef,
    sessions: Sessions,
    caller: CurrentUser,
    settings: SettingsDep,
    storage: StorageDep,
    jobs: JobsDep,
) -> MediaView:
    """The bytes are stored: check their size, then probe and transcribe them in the worker."""
    async with transaction(sessions) as session:
        media = await commands.confirm_upload(session, cmd, caller=caller, settings=settings, storage=storage)
    if media.status == MediaStatus.PROCESSING:
        try:
            await jobs.enqueue(commands.PROCESS, media.id)
            # Once the upload URL has expired nothing can write the upload key again: clear it then.
            expired = timedelta(seconds=settings.upload_url_ttl_s + 60)
            await jobs.enqueue(commands.DISCARD, media.id, defer=expired)
        except Exception as exc:
            # The object stays `processing`; the worker's sweep enqueues it again.
            log.warning("media.enqueue_failed", media_id=str(media.id), error=repr(exc))
    return MediaView.of(media)


@router.post("/upload/abort")
async def abort(cmd: MediaRef, sessions: Sessions, caller: CurrentUser, storage: StorageDep) -> MediaView:
    """Give up an upload session; the stored bytes or parts are removed."""
    async with transaction(sessions) as session:
        media = await commands.abort_upload(session, cmd, caller=caller, storage=storage)
    return MediaView.of(media)


@router.get("")
async def list_media(
    session: ReadSession,
    caller: CurrentUser,
    invitation_id: Annotated[uuid.UUID | None, Query(alias="invitationId")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[MediaView]:
    """The caller's own media objects, newest first."""
    rows = await queries.list_own(session, caller=caller, invitation_id=invitation_id, limit=limit, offset=offset)
    return [MediaView.of(m) for m in rows]


@router.get("/{media_id}")
async def get_media(media_id: uuid.UUID, session: ReadSession, caller: CurrentUser) -> MediaView:
    """Metadata of a media object (uploader, the invitation's HR, admins)."""
    return MediaView.of(await queries.visible(session, media_id, caller=caller))


@router.get("/{media_id}/status")
async def status(media_id: uuid.UUID, session: ReadSession, caller: CurrentUser) -> StatusView:
    """Where upload, processing and transcription stand, with the reason of a refusal."""
    return StatusView.of(await queries.visible(session, media_id, caller=caller))


@router.get("/{media_id}/stream")
async def stream(
    media_id: uuid.UUID, session: ReadSession, caller: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL to play the recording (S3 serves ranges): the web-playable rendition
    once there is one (see `renditionStatus`), otherwise the original."""
    return await queries.playback(session, media_id, caller=caller, settings=settings, storage=storage, download=False)


@router.get("/{media_id}/download")
async def download(
    media_id: uuid.UUID, session: ReadSession, caller: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL that downloads the original recording as a file."""
    return await queries.playback(session, media_id, caller=caller, settings=settings, storage=storage, download=True)


@router.get("/{media_id}/thumbnail")
async def thumbnail(
    media_id: uuid.UUID, session: ReadSession, caller: CurrentUser, settings: SettingsDep, storage: StorageDep
) -> PlaybackView:
    """A short-lived presigned GET URL of the video's thumbnail (a JPEG 320 px wide)."""
    return await queries.thumbnail(session, media_id, caller=caller, settings=settings, storage=storage)


@router.get("/{media_id}/transcription")
async def transcription(media_id: uuid.UUID, session: ReadSession, caller: CurrentUser) -> TranscriptView:
    """The transcript: text, language and timed segments, or `unavailable` with the reason."""
    return TranscriptView.of(await queries.visible(session, media_id, caller=caller))


@router.delete("/{media_id}", status_code=204)
async def delete(media_id: uuid.UUID, sessions: Sessions, caller: CurrentUser, storage: StorageDep) -> Response:
    """Delete the recording's bytes (uploader until the interview is completed, or admin); the row stays."""
    async with transaction(sessions) as session:
        await commands.delete_media(session, media_id, caller=caller, storage=storage)
    return Response(status_code=204)

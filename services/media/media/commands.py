"""Write side: upload sessions (initiate, confirm, abort), deletion, the invitation projection, and the job
queue."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

import structlog
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from minio.error import S3Error
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.errors import PayloadTooLarge, UnsupportedMediaType
from kit.worker import queue_name
from media import access
from media.domain import (
    InvitationRef,
    MediaObject,
    MediaStatus,
    NotUploading,
    StoredObjectTooLarge,
    TooManyOpenUploads,
    TranscriptStatus,
    UploadIncomplete,
    UploadMode,
)
from media.schemas import InitiateUpload, MediaRef
from media.settings import Settings
from media.storage import Storage

log = structlog.get_logger("media.commands")

PROCESS = "process_media"
TRANSCRIBE = "transcribe_media"
RENDER = "render_media"
DISCARD = "discard_upload"


def kind_of(content_type: str, settings: Settings) -> str:
    """`video` or `audio` from the declared type (parameters such as `;codecs=vp9,opus` aside): a first
    filter only, the stored bytes are probed before anything is accepted."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base not in settings.allowed_content_types:
        raise UnsupportedMediaType(
            f"Content type {base!r} is not accepted; allowed: {', '.join(settings.allowed_content_types)}"
        )
    return base.split("/", 1)[0]


async def initiate_upload(
    session: AsyncSession, cmd: InitiateUpload, *, caller: Principal, settings: Settings, storage: Storage
) -> MediaObject:
    if cmd.file_size > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file has {cmd.file_size} bytes; the maximum is {settings.max_upload_bytes}")
    kind = kind_of(cmd.content_type, settings)
    access.ensure_may_upload_to(caller, await session.get(InvitationRef, cmd.invitation_id))
    await _ensure_upload_slot(session, caller, settings)
    media = MediaObject(
        id=uuid.uuid4(),
        owner_id=caller.user_id,
        invitation_id=cmd.invitation_id,
        question_id=cmd.question_id,
        kind=kind,
        file_name=cmd.file_name,
        content_type=cmd.content_type,
        declared_size=cmd.file_size,
        upload_mode=UploadMode.SINGLE,
        status=MediaStatus.UPLOADING,
        transcript_status=TranscriptStatus.PENDING,
    )
    media.object_key = media.upload_key
    if cmd.file_size > settings.multipart_threshold_bytes:
        media.upload_mode = UploadMode.MULTIPART
        media.part_size = settings.part_size_bytes
        media.part_count = math.ceil(cmd.file_size / settings.part_size_bytes)
        media.upload_id = await storage.start_multipart(media.object_key, cmd.content_type)
    session.add(media)
    await session.flush()
    return media


async def _ensure_upload_slot(session: AsyncSession, caller: Principal, settings: Settings) -> None:
    """Each open session holds a multipart upload in S3 and URLs that write to it: a candidate keeps a few at
    once. The per-candidate lock makes concurrent initiates count one after another."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"media-uploads:{caller.user_id}"}
    )
    open_uploads = await session.scalar(
        select(func.count())
        .select_from(MediaObject)
        .where(MediaObject.owner_id == caller.user_id, MediaObject.status == MediaStatus.UPLOADING)
    )
    if (open_uploads or 0) >= settings.max_open_uploads:
        raise TooManyOpenUploads(
            f"You have {open_uploads} uploads in progress; finish or cancel one before starting another",
            details={"openUploads": open_uploads, "maximum": settings.max_open_uploads},
        )


async def confirm_upload(
    session: AsyncSession, cmd: MediaRef, *, caller: Principal, settings: Settings, storage: Storage
) -> MediaObject:
    media = await _uploaded_by(session, cmd.media_id, caller)
    if media.status == MediaStatus.PROCESSING or media.status == MediaStatus.READY:
        return media  # a repeated confirm: the first one did it
    if media.status != MediaStatus.UPLOADING:
        raise NotUploading("This recording is no longer being uploaded")
    stored = await storage.size(media.object_key)
    # A multipart upload's object exists once S3 assembled the parts: a confirm that failed after that point
    # (no single-PUT URL is signed for such a session) continues from the assembled object.
    if media.upload_mode == UploadMode.MULTIPART and stored is None:
        await _complete_multipart(media, storage)
    elif stored is None:
        raise UploadIncomplete("Nothing has been uploaded for this recording yet")
    # The upload URL stays valid for minutes: the copy is a snapshot the client cannot write to, and its own
    # size is the one checked, so a PUT racing this confirm changes nothing that is read later.
    uploaded, kept = media.object_key, media.kept_key
    try:
        await storage.copy(uploaded, kept)
    except S3Error as exc:
        # The upload vanished between the check and the copy (an abort elsewhere, a lifecycle rule).
        raise UploadIncomplete(
            "The uploaded recording is no longer in storage; upload it again", details={"s3Code": exc.code}
        ) from exc
    size = await storage.size(kept)
    if size is None:
        raise UploadIncomplete("Nothing has been uploaded for this recording yet")
    await storage.remove(uploaded)
    media.confirm(size, kept)
    if size > settings.max_upload_bytes:
        await storage.remove(media.object_key)
        reason = f"The stored object has {size} bytes, more than the maximum of {settings.max_upload_bytes}"
        media.reject(reason)
        raise StoredObjectTooLarge(reason)
    return media


async def _complete_multipart(media: MediaObject, storage: Storage) -> None:
    assert media.upload_id is not None and media.part_count is not None
    # The server reads the parts' ETags itself (ListParts), so a browser client needs no access to them.
    try:
        parts = await storage.list_parts(media.object_key, media.upload_id)
        missing = sorted(set(range(1, media.part_count + 1)) - {p.part_number for p in parts})
        if missing:
            raise UploadIncomplete(
                f"Parts {missing[:20]} of {media.part_count} are not uploaded yet", details={"missingParts": missing}
            )
        await storage.complete_multipart(
            media.object_key, media.upload_id, [p for p in parts if p.part_number <= media.part_count]
        )
    except S3Error as exc:
        # E.g. EntityTooSmall (a part other than the last under 5 MiB) or NoSuchUpload: the client's doing.
        raise UploadIncomplete(
            "The uploaded parts could not be put together; upload the recording again", details={"s3Code": exc.code}
        ) from exc


async def abort_upload(session: AsyncSession, cmd: MediaRef, *, caller: Principal, storage: Storage) -> MediaObject:
    media = await _uploaded_by(session, cmd.media_id, caller)
    media.abort()
    if media.upload_mode == UploadMode.MULTIPART and media.upload_id:
        await storage.abort_multipart(media.object_key, media.upload_id)
    else:
        await storage.remove(media.object_key)
    return media


async def delete_media(session: AsyncSession, media_id: uuid.UUID, *, caller: Principal, storage: Storage) -> None:
    """The recording's bytes go; the row stays as `deleted` for the audit trail."""
    media = await session.get(MediaObject, media_id, with_for_update=True)
    invitation = await session.get(InvitationRef, media.invitation_id) if media is not None else None
    media = access.ensure_may_delete(caller, media, invitation, media_id)
    if media.status == MediaStatus.UPLOADING and media.upload_id:
        await storage.abort_multipart(media.object_key, media.upload_id)
    for key in media.stored_keys():
        await storage.remove(key)
    media.erase()


async def _uploaded_by(session: AsyncSession, media_id: uuid.UUID, caller: Principal) -> MediaObject:
    return access.ensure_uploader(caller, await session.get(MediaObject, media_id, with_for_update=True), media_id)


async def record_invitation(
    session: AsyncSession, *, invitation_id: uuid.UUID, candidate_id: str, hr_user_id: str, company_id: str
) -> None:
    await session.execute(
        insert(InvitationRef)
        .values(invitation_id=invitation_id, candidate_id=candidate_id, hr_user_id=hr_user_id, company_id=company_id)
        .on_conflict_do_nothing(index_elements=[InvitationRef.invitation_id])
    )


async def record_claim(session: AsyncSession, *, invitation_id: uuid.UUID, candidate_id: str) -> None:
    """The account that claimed an e-mailed invitation uploads its answers from now on (the invitation named a
    stand-in candidate id until then). Interviews lets an invitation be claimed once, so the last claim stands."""
    invitation = await session.get(InvitationRef, invitation_id, with_for_update=True)
    if invitation is None:
        # `invitation.created` precedes it on the same partition; without it there is nothing to hand over.
        log.warning("media.claim_of_unknown_invitation", invitation_id=str(invitation_id))
        return
    invitation.candidate_id = candidate_id


async def record_completion(session: AsyncSession, *, invitation_id: uuid.UUID, completed_at: datetime) -> None:
    """The first completion stands (a redelivery or a late duplicate changes nothing)."""
    invitation = await session.get(InvitationRef, invitation_id, with_for_update=True)
    if invitation is None:
        # `invitation.created` precedes it on the same partition; without it media holds no upload to fix.
        log.warning("media.completion_of_unknown_invitation", invitation_id=str(invitation_id))
        return
    if invitation.completed_at is None:
        invitation.completed_at = completed_at


class Jobs:
    """The worker's arq queue, opened lazily inside the running event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ArqRedis | None = None

    async def enqueue(
        self, function: str, media_id: uuid.UUID, *, suffix: str = "", defer: timedelta | None = None
    ) -> None:
        if self._pool is None:
            self._pool = await create_pool(
                RedisSettings.from_dsn(self.settings.redis_url), default_queue_name=queue_name(self.settings)
            )
        await self._pool.enqueue_job(function, str(media_id), _job_id=f"{function}:{media_id}{suffix}", _defer_by=defer)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

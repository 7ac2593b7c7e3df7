"""Read side: the media objects a caller may see, and the presigned URLs that let them upload or play."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from minio.error import S3Error
from sqlalchemy import ColumnElement, Float, bindparam, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from kit import db
from kit.auth import Principal
from kit.domain import utcnow
from kit.errors import NotFound
from media import access
from media.domain import (
    InvitationRef,
    MediaNotReady,
    MediaObject,
    MediaRow,
    MediaStatus,
    NotUploading,
    UploadIncomplete,
    UploadMode,
)
from media.schemas import PartsView, PartUrl, PlaybackView, StoredPartView, UploadSessionView
from media.settings import Settings
from media.storage import Storage, StoredPart


def _as_driver_reads(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A float column as asyncpg decodes it, a Python float: `kit.db.Query` asks the dialect for a column's result
    processor without the result's type code, which SQLAlchemy's asyncpg dialect refuses for a float."""
    return type_coerce(column, NullType()).label(column.key) if isinstance(column.type, Float) else column


# The object and its invitation in one statement compiled once and run on the driver: each SQLAlchemy statement
# costs ~600 µs of CPU, a read's largest part, this one ~100 µs. The row's fields name the object's columns
# but for the last two, the invitation's.
_VISIBLE = db.Query(
    select(
        *(_as_driver_reads(MediaObject.__table__.c[name]) for name in MediaRow._fields[:-2]),
        InvitationRef.hr_user_id.label("invitation_hr_user_id"),
        InvitationRef.company_id.label("invitation_company_id"),
    )
    .outerjoin(InvitationRef, InvitationRef.invitation_id == MediaObject.invitation_id)
    .where(MediaObject.id == bindparam("media_id")),
    MediaRow,
)


async def visible(session: AsyncSession, media_id: uuid.UUID, *, caller: Principal) -> MediaRow:
    return access.ensure_may_see(caller, await _VISIBLE.one(session, media_id=media_id), media_id)


async def list_own(
    session: AsyncSession, *, caller: Principal, invitation_id: uuid.UUID | None, limit: int, offset: int
) -> list[MediaObject]:
    query = select(MediaObject).where(MediaObject.owner_id == caller.user_id)
    if invitation_id is not None:
        query = query.where(MediaObject.invitation_id == invitation_id)
    rows = await session.scalars(query.order_by(MediaObject.created_at.desc()).limit(limit).offset(offset))
    return list(rows.all())


def _part_urls(media: MediaObject, storage: Storage, numbers: list[int], ttl: timedelta) -> list[PartUrl]:
    assert media.upload_id is not None
    return [
        PartUrl(
            part_number=n,
            url=storage.part_url(media.object_key, media.upload_id, n, ttl, size=media.part_length(n)),
        )
        for n in numbers
    ]


def upload_session(media: MediaObject, *, settings: Settings, storage: Storage) -> UploadSessionView:
    """A new upload session's URLs: one presigned PUT, or one per part for a multipart upload."""
    ttl = timedelta(seconds=settings.upload_url_ttl_s)
    view = UploadSessionView(
        media_id=media.id, status=media.status, upload_mode=media.upload_mode, expires_at=utcnow() + ttl
    )
    if media.upload_mode == UploadMode.SINGLE:
        view.upload_url = storage.put_url(
            media.object_key, ttl, size=media.declared_size, content_type=media.content_type
        )
        view.upload_headers = {"Content-Type": media.content_type}
    else:
        assert media.part_count is not None
        view.part_size, view.part_count = media.part_size, media.part_count
        view.parts = _part_urls(media, storage, list(range(1, media.part_count + 1)), ttl)
    return view


async def upload_parts(
    session: AsyncSession, media_id: uuid.UUID, *, caller: Principal, settings: Settings, storage: Storage
) -> PartsView:
    media = access.ensure_uploader(caller, await session.get(MediaObject, media_id), media_id)
    if media.status != MediaStatus.UPLOADING or media.upload_mode != UploadMode.MULTIPART:
        raise NotUploading(f"Media {media_id} is not a multipart upload in progress")
    assert media.part_size is not None and media.part_count is not None
    stored = await _stored_parts(media, storage)
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


async def _stored_parts(media: MediaObject, storage: Storage) -> list[StoredPart]:
    assert media.upload_id is not None
    try:
        return await storage.list_parts(media.object_key, media.upload_id)
    except S3Error as exc:
        raise UploadIncomplete(f"S3 cannot list the parts: {exc.code}", details={"s3Code": exc.code}) from exc


async def playback(
    session: AsyncSession,
    media_id: uuid.UUID,
    *,
    caller: Principal,
    settings: Settings,
    storage: Storage,
    download: bool,
) -> PlaybackView:
    """Streaming serves the web-playable rendition once there is one, otherwise the original; a download is
    always the original, named after the uploaded file."""
    media = await visible(session, media_id, caller=caller)
    if media.status != MediaStatus.READY:
        raise MediaNotReady(f"Media {media_id} is {media.status}")
    ttl = timedelta(seconds=settings.playback_url_ttl_s)
    if download:
        url = storage.get_url(
            media.object_key,
            ttl,
            content_type=_served_type(media.content_type),
            disposition=content_disposition("attachment", media.file_name),
        )
    elif media.rendition_key is not None:
        url = storage.get_url(media.rendition_key, ttl, content_type="video/mp4", disposition="inline")
    else:
        url = storage.get_url(
            media.object_key, ttl, content_type=_served_type(media.content_type), disposition="inline"
        )
    return PlaybackView(media_id=media.id, url=url, expires_at=utcnow() + ttl)


def _served_type(declared: str) -> str:
    """The declared type without its parameters: one of the allowed audio and video types (initiate checked)."""
    return declared.split(";", 1)[0].strip().lower()


def content_disposition(kind: str, file_name: str) -> str:
    """`attachment` with the uploaded file's name: an ASCII fallback without quotes, backslashes or control
    characters, and the exact name percent-encoded in `filename*`."""
    fallback = "".join(c if " " <= c < "\x7f" and c not in '"\\%' else "_" for c in file_name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


async def thumbnail(
    session: AsyncSession, media_id: uuid.UUID, *, caller: Principal, settings: Settings, storage: Storage
) -> PlaybackView:
    media = await visible(session, media_id, caller=caller)
    if media.status != MediaStatus.READY or media.thumbnail_key is None:
        raise NotFound(f"Media {media_id} has no thumbnail")
    ttl = timedelta(seconds=settings.playback_url_ttl_s)
    url = storage.get_url(media.thumbnail_key, ttl, content_type="image/jpeg", disposition="inline")
    return PlaybackView(media_id=media.id, url=url, expires_at=utcnow() + ttl)

"""Read side: who may see a media object, and the response shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.errors import NotFound
from kit.schemas import View
from media.domain import InvitationRef, MediaObject, ProbeFacts


async def visible(session: AsyncSession, media_id: uuid.UUID, user: Principal) -> MediaObject:
    """The uploader, an admin, or the HR of the invitation (its inviting HR or a member of its company, as
    `invitation.created` told media). Anyone else gets the same 404 as for a missing object."""
    media = await session.get(MediaObject, media_id)
    if media is not None and await may_see(session, media, user):
        return media
    raise NotFound(f"Media {media_id} not found")


async def may_see(session: AsyncSession, media: MediaObject, user: Principal) -> bool:
    if media.owner_id == user.user_id or user.has("admin"):
        return True
    if not user.has("hr"):
        return False
    invitation = await session.get(InvitationRef, media.invitation_id)
    return invitation is not None and (
        invitation.hr_user_id == user.user_id
        or (user.company_id is not None and invitation.company_id == user.company_id)
    )


async def list_own(
    session: AsyncSession, user: Principal, *, invitation_id: uuid.UUID | None, limit: int, offset: int
) -> list[MediaObject]:
    query = select(MediaObject).where(MediaObject.owner_id == user.user_id)
    if invitation_id is not None:
        query = query.where(MediaObject.invitation_id == invitation_id)
    rows = await session.scalars(query.order_by(MediaObject.created_at.desc()).limit(limit).offset(offset))
    return list(rows.all())


class MediaView(View):
    id: uuid.UUID
    media_id: uuid.UUID
    owner_id: str
    invitation_id: uuid.UUID
    question_id: uuid.UUID
    kind: str
    file_name: str
    content_type: str
    declared_size: int
    size: int | None
    status: str
    reject_reason: str | None
    upload_mode: str
    duration_seconds: float | None
    container: str | None
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    transcript_status: str
    has_thumbnail: bool
    rendition_status: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, media: MediaObject) -> MediaView:
        facts = ProbeFacts(media.probe) if media.probe else None
        return cls(
            id=media.id,
            media_id=media.id,
            owner_id=media.owner_id,
            invitation_id=media.invitation_id,
            question_id=media.question_id,
            kind=media.kind,
            file_name=media.file_name,
            content_type=media.content_type,
            declared_size=media.declared_size,
            size=media.size,
            status=media.status,
            reject_reason=media.reject_reason,
            upload_mode=media.upload_mode,
            duration_seconds=media.duration_seconds,
            container=facts.container if facts else None,
            video_codec=facts.video_codec if facts else None,
            audio_codec=facts.audio_codec if facts else None,
            width=facts.width if facts else None,
            height=facts.height if facts else None,
            transcript_status=media.transcript_status,
            has_thumbnail=media.thumbnail_key is not None,
            rendition_status=media.rendition_status,
            created_at=media.created_at,
            updated_at=media.updated_at,
        )


class StatusView(View):
    media_id: uuid.UUID
    status: str
    reason: str | None
    transcript_status: str
    transcript_reason: str | None
    # Only for a video browsers cannot play as uploaded: `pending` → `processing` (progress 0-1) → `ready`
    # (the stream URL serves the rendition) | `failed` (with the reason); `not_needed` otherwise.
    rendition_status: str | None
    rendition_progress: float | None
    rendition_reason: str | None


class PartUrl(View):
    part_number: int
    url: str


class StoredPartView(View):
    part_number: int
    size: int
    etag: str


class UploadSessionView(View):
    media_id: uuid.UUID
    status: str
    upload_mode: str
    expires_at: datetime
    # Single mode: PUT the whole file here. Multipart: PUT each part to its URL, then confirm.
    upload_url: str | None = None
    part_size: int | None = None
    part_count: int | None = None
    parts: list[PartUrl] = []


class PartsView(View):
    """Where a multipart upload stands (S3 ListParts) and fresh URLs for the parts still missing."""

    media_id: uuid.UUID
    part_size: int
    part_count: int
    uploaded_parts: list[StoredPartView]
    missing_parts: list[PartUrl]
    expires_at: datetime


class PlaybackView(View):
    media_id: uuid.UUID
    url: str
    expires_at: datetime


class TranscriptView(View):
    media_id: uuid.UUID
    status: str
    text: str | None
    language: str | None
    duration_seconds: float | None
    segments: list[dict[str, Any]]
    model: str | None
    reason: str | None

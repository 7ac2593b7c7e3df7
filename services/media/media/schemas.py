"""Wire models: the request bodies and the response views of the media routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from kit.schemas import Command, View
from media.domain import MediaObject, MediaRow, ProbeFacts

_TOKEN = r"[A-Za-z0-9!#$&^_.+-]+"
_VALUE = r"[A-Za-z0-9!#$&^_.+,-]+"  # a token, or a codecs list as recorders write it (vp8,opus)
_WORD = r"[!#-\[\]-~]"  # printable ASCII but space, quote and backslash
_QUOTED = rf'"{_WORD}*(?: {_WORD}+)*"'
CONTENT_TYPE = rf"^{_TOKEN}/{_TOKEN}(?:; ?{_TOKEN}=(?:{_VALUE}|{_QUOTED}))*$"


class InitiateUpload(Command):
    invitation_id: uuid.UUID
    question_id: uuid.UUID
    file_name: str = Field(min_length=1, max_length=255)
    # One header value the upload URL signs as is: a type, a subtype and parameters, with no control
    # characters or runs of spaces (S3 would canonicalise those differently from the browser).
    content_type: str = Field(min_length=3, max_length=100, pattern=CONTENT_TYPE)
    file_size: int = Field(gt=0, le=2**53)


class MediaRef(Command):
    media_id: uuid.UUID


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
    def of(cls, media: MediaObject | MediaRow) -> MediaView:
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

    @classmethod
    def of(cls, media: MediaRow) -> StatusView:
        return cls(
            media_id=media.id,
            status=media.status,
            reason=media.reject_reason,
            transcript_status=media.transcript_status,
            transcript_reason=media.transcript_reason,
            rendition_status=media.rendition_status,
            rendition_progress=media.rendition_progress,
            rendition_reason=media.rendition_reason,
        )


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
    # Single mode: PUT the whole file here with `uploadHeaders` (its Content-Type is the declared one, signed
    # like the declared size: S3 refuses another type or length). Multipart: PUT each part to its URL (each
    # signed for its own length), then confirm.
    upload_url: str | None = None
    upload_headers: dict[str, str] = {}
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

    @classmethod
    def of(cls, media: MediaRow) -> TranscriptView:
        return cls(
            media_id=media.id,
            status=media.transcript_status,
            text=media.transcript_text,
            language=media.transcript_language,
            duration_seconds=media.duration_seconds,
            segments=media.transcript_segments or [],
            model=media.transcript_model,
            reason=media.transcript_reason,
        )

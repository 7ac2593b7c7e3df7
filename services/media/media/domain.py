"""Media objects (one recorded answer each) and the invitations they belong to.

A media object moves `uploading` → `processing` (bytes stored, confirmed) → `ready` (probed and accepted)
or `rejected` (object deleted, `reject_reason` says why); `uploading` → `aborted` when the client gives up.
Its transcript moves `pending` → `completed` | `unavailable` (with the reason) once it is `ready`.
A ready video that browsers cannot play gets a rendition: `pending` → `processing` (with progress) → `ready` |
`failed` (with the reason); one they can play is `not_needed`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, DateTime, Float, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kit.contracts.media import (
    MediaDeleted,
    MediaFailed,
    MediaProcessed,
    MediaUploaded,
    Segment,
    TranscriptionCompleted,
    TranscriptionUnavailable,
)
from kit.db import Base
from kit.domain import AggregateRoot, utcnow
from kit.errors import Conflict, NotFound, PayloadTooLarge


class Word(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    word: str
    probability: float | None = None


class TimedSegment(Segment):
    """A transcript segment with its words' timings, as stored and shown; the `transcription.completed` event
    carries the contract's `Segment` (start, end, text), which leaves the words out."""

    words: list[Word] = []


class MediaStatus(StrEnum):
    UPLOADING = "uploading"
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"
    ABORTED = "aborted"
    DELETED = "deleted"


class TranscriptStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    UNAVAILABLE = "unavailable"


class RenditionStatus(StrEnum):
    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class UploadMode(StrEnum):
    SINGLE = "single"
    MULTIPART = "multipart"


class InvitationRef(Base):
    """What media knows of an invitation, from `invitation.created`: whose answers it takes and which HR
    (and company) may play them back; from `invitation.completed`, since when its recordings are fixed."""

    __tablename__ = "invitation_access"

    invitation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String())
    hr_user_id: Mapped[str] = mapped_column(String())
    company_id: Mapped[str] = mapped_column(String())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MediaObject(Base, AggregateRoot):
    __tablename__ = "media_objects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(), index=True)
    invitation_id: Mapped[uuid.UUID] = mapped_column(index=True)
    question_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(8))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int | None] = mapped_column(BigInteger)
    object_key: Mapped[str] = mapped_column(String(300))
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    rendition_status: Mapped[RenditionStatus | None] = mapped_column(String(16))
    rendition_key: Mapped[str | None] = mapped_column(String(300))
    rendition_progress: Mapped[float | None] = mapped_column(Float)
    rendition_reason: Mapped[str | None] = mapped_column(Text)
    upload_mode: Mapped[UploadMode] = mapped_column(String(12))
    upload_id: Mapped[str | None] = mapped_column(String(300))
    part_size: Mapped[int | None] = mapped_column(BigInteger)
    part_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[MediaStatus] = mapped_column(String(16))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    transcript_status: Mapped[TranscriptStatus] = mapped_column(String(16))
    transcript_text: Mapped[str | None] = mapped_column(Text)
    transcript_language: Mapped[str | None] = mapped_column(String(32))
    transcript_segments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    transcript_model: Mapped[str | None] = mapped_column(String(100))
    transcript_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    def _ids(self) -> dict[str, str]:
        return {
            "media_id": str(self.id),
            "owner_id": self.owner_id,
            "invitation_id": str(self.invitation_id),
            "question_id": str(self.question_id),
        }

    @property
    def upload_key(self) -> str:
        """Where the client's presigned URLs write (`object_key` until confirm)."""
        return f"uploads/{self.invitation_id}/{self.question_id}/{self.id}"

    @property
    def kept_key(self) -> str:
        """Where confirm copies the upload: no URL that writes here is ever signed, so what is probed here is
        what every later reader gets."""
        return f"recordings/{self.invitation_id}/{self.question_id}/{self.id}"

    def part_length(self, part_number: int) -> int:
        """Every part is `part_size` long but the last, which holds the rest of the declared size."""
        assert self.part_size is not None
        return min(self.part_size, self.declared_size - (part_number - 1) * self.part_size)

    def confirm(self, size: int, kept_key: str) -> None:
        if self.status != MediaStatus.UPLOADING:
            raise NotUploading("This recording is no longer being uploaded")
        self.size = size
        self.object_key = kept_key
        self.status = MediaStatus.PROCESSING
        self.record(MediaUploaded(**self._ids(), kind=self.kind, content_type=self.content_type, size=size))

    def abort(self) -> None:
        if self.status != MediaStatus.UPLOADING:
            raise NotUploading("This recording is no longer being uploaded")
        self.status = MediaStatus.ABORTED

    def erase(self) -> None:
        """The bytes are gone (the caller removed them); so is the transcript, which is personal data too."""
        self.status = MediaStatus.DELETED
        self.transcript_text = None
        self.transcript_segments = None
        self.record(MediaDeleted(**self._ids()))

    def reject(self, reason: str) -> None:
        """The object is refused (its bytes are deleted by the caller); said once, as `media.failed`."""
        self.status = MediaStatus.REJECTED
        self.reject_reason = reason
        self.record(MediaFailed(**self._ids(), reason=reason))

    def accept(self, probe: dict[str, Any], facts: ProbeFacts) -> None:
        self.status = MediaStatus.READY
        self.probe = probe
        self.rendition_status = RenditionStatus.NOT_NEEDED if facts.web_playable else RenditionStatus.PENDING
        self.duration_seconds = facts.duration_seconds
        self.record(
            MediaProcessed(
                **self._ids(),
                kind=self.kind,
                size=self.size or 0,
                container=facts.container,
                duration_seconds=facts.duration_seconds,
                video_codec=facts.video_codec,
                audio_codec=facts.audio_codec,
                width=facts.width,
                height=facts.height,
            )
        )

    def rendering(self, progress: float) -> None:
        self.rendition_status = RenditionStatus.PROCESSING
        self.rendition_progress = progress

    def rendered(self, key: str) -> None:
        self.rendition_status = RenditionStatus.READY
        self.rendition_key = key
        self.rendition_progress = 1.0
        self.rendition_reason = None

    def rendition_failed(self, reason: str) -> None:
        """The original stays available for download; only in-browser playback is missing."""
        self.rendition_status = RenditionStatus.FAILED
        self.rendition_reason = reason

    def stored_keys(self) -> list[str]:
        """Every S3 object this recording owns, for deletion."""
        return [k for k in (self.object_key, self.thumbnail_key, self.rendition_key) if k]

    def transcribed(self, *, text: str, language: str | None, segments: list[TimedSegment], model: str) -> None:
        self.transcript_status = TranscriptStatus.COMPLETED
        self.transcript_text = text
        self.transcript_language = language
        self.transcript_segments = [s.model_dump() for s in segments]
        self.transcript_model = model
        self.record(
            TranscriptionCompleted(
                **self._ids(),
                text=text,
                language=language,
                duration_seconds=self.duration_seconds,
                segments=[Segment(start=s.start, end=s.end, text=s.text) for s in segments],
                model=model,
            )
        )

    def transcription_waiting(self) -> None:
        """Its transcription job waits for the local engine: not lost, so not one for the sweep."""
        if self.transcript_status == TranscriptStatus.PENDING:
            self.updated_at = utcnow()

    def transcript_unavailable(self, reason: str) -> None:
        self.transcript_status = TranscriptStatus.UNAVAILABLE
        self.transcript_reason = reason
        self.record(TranscriptionUnavailable(**self._ids(), reason=reason))


class MediaRow(NamedTuple):
    """A media object as the read routes show it (every column but the multipart bookkeeping and the version),
    with its invitation's HR user and company, None while `invitation.created` has not arrived: a read loads
    rows, not the aggregate, as one statement on the driver costs a sixth of an ORM load."""

    id: uuid.UUID
    owner_id: str
    invitation_id: uuid.UUID
    question_id: uuid.UUID
    kind: str
    file_name: str
    content_type: str
    declared_size: int
    size: int | None
    object_key: str
    thumbnail_key: str | None
    rendition_status: RenditionStatus | None
    rendition_key: str | None
    rendition_progress: float | None
    rendition_reason: str | None
    upload_mode: UploadMode
    status: MediaStatus
    reject_reason: str | None
    probe: dict[str, Any] | None
    duration_seconds: float | None
    transcript_status: TranscriptStatus
    transcript_text: str | None
    transcript_language: str | None
    transcript_segments: list[dict[str, Any]] | None
    transcript_model: str | None
    transcript_reason: str | None
    created_at: datetime
    updated_at: datetime
    invitation_hr_user_id: str | None
    invitation_company_id: str | None


class ProbeFacts:
    """What the checks and the events need from ffprobe's JSON."""

    def __init__(self, probe: dict[str, Any]) -> None:
        streams: list[dict[str, Any]] = probe.get("streams") or []
        fmt: dict[str, Any] = probe.get("format") or {}
        self.formats = {name for name in str(fmt.get("format_name", "")).split(",") if name}
        self.container = str(fmt.get("format_name", ""))
        # The demuxer's first name (`mov` of `mov,mp4,m4a,...`), which `ffmpeg -f` takes to read it as that.
        self.demuxer = self.container.split(",", 1)[0]
        video = next((s for s in streams if s.get("codec_type") == "video" and not _is_cover(s)), None)
        audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
        self.video_codec: str | None = video.get("codec_name") if video else None
        self.audio_codec: str | None = audio.get("codec_name") if audio else None
        self.width: int | None = video.get("width") if video else None
        self.height: int | None = video.get("height") if video else None
        self.duration_seconds = _float(fmt.get("duration")) or max(
            (d for s in streams if (d := _float(s.get("duration"))) is not None), default=None
        )

    @property
    def web_playable(self) -> bool:
        """Whether browsers play the file as it is: H.264 with AAC/MP3 in MP4/MOV, or VP8/VP9/AV1 with
        Opus/Vorbis in WebM. Audio-only answers count as playable: every allowed audio format plays."""
        if self.video_codec is None:
            return True
        if self.formats & {"mp4", "mov"}:
            return self.video_codec == "h264" and self.audio_codec in (None, "aac", "mp3")
        if "webm" in self.formats:
            return self.video_codec in ("vp8", "vp9", "av1") and self.audio_codec in (None, "opus", "vorbis")
        return False


def _is_cover(stream: dict[str, Any]) -> bool:
    return bool((stream.get("disposition") or {}).get("attached_pic"))


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"


class TooManyOpenUploads(Conflict):
    code = "TOO_MANY_OPEN_UPLOADS"


class InterviewCompleted(Conflict):
    """The interview was submitted: its answers are what HR reviews, so the candidate neither adds nor
    deletes recordings any more."""

    code = "INTERVIEW_COMPLETED"


class NotUploading(Conflict):
    code = "MEDIA_NOT_UPLOADING"


class UploadIncomplete(Conflict):
    code = "UPLOAD_INCOMPLETE"


class MediaNotReady(Conflict):
    code = "MEDIA_NOT_READY"


class StoredObjectTooLarge(PayloadTooLarge):
    """What was stored exceeds the maximum (a presigned PUT cannot bound the body). The object is marked
    rejected and its bytes deleted before the 413, so the refusal commits."""

    commits = True

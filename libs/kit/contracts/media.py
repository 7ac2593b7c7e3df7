"""Events the media service publishes on `media-events` (key = media id).

The reference never built this service and its two plans for it disagree on event names; these are the
names chosen:
`media.uploaded` (bytes stored, processing starts), then exactly one of `media.processed` (probed and
accepted: status `ready`) or `media.failed` (refused: the object was deleted, `reason` says why), then for a
processed object exactly one of `transcription.completed` or `transcription.unavailable` (no provider, no
audio track, or the provider failed: a definitive "no transcript", never an invented one).
`media.deleted` says a recording's bytes and transcript are gone (its uploader, an admin, or the retention)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

TOPIC = "media-events"


class _MediaEvent(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    TOPIC: ClassVar[str] = TOPIC

    media_id: str
    # The uploading user (a candidate answering), the invitation and the question the answer belongs to.
    owner_id: str
    invitation_id: str
    question_id: str


class MediaUploaded(_MediaEvent):
    TYPE: ClassVar[str] = "media.uploaded"

    kind: Literal["video", "audio"]
    content_type: str
    size: int


class MediaProcessed(_MediaEvent):
    TYPE: ClassVar[str] = "media.processed"

    status: Literal["ready"] = "ready"
    kind: Literal["video", "audio"]
    size: int
    container: str
    duration_seconds: float | None
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None


class MediaFailed(_MediaEvent):
    TYPE: ClassVar[str] = "media.failed"

    status: Literal["rejected"] = "rejected"
    reason: str


class Segment(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)

    start: float
    end: float
    text: str


class TranscriptionCompleted(_MediaEvent):
    TYPE: ClassVar[str] = "transcription.completed"

    status: Literal["completed"] = "completed"
    text: str
    language: str | None
    duration_seconds: float | None
    segments: list[Segment]
    model: str


class TranscriptionUnavailable(_MediaEvent):
    TYPE: ClassVar[str] = "transcription.unavailable"

    status: Literal["unavailable"] = "unavailable"
    reason: str


class MediaDeleted(_MediaEvent):
    TYPE: ClassVar[str] = "media.deleted"

    status: Literal["deleted"] = "deleted"

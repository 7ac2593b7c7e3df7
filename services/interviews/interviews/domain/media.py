"""What this service knows of the media service's recordings, projected from its events: a video or audio
answer is checked against it without a call to the media service."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base, stored_enum


class MediaStatus(StrEnum):
    """The states of a media object as the media service's events report them."""

    READY = "ready"
    REJECTED = "rejected"
    DELETED = "deleted"


class MediaObject(Base):
    """A recording of the media service: who made it, for which invitation and question, and its state."""

    __tablename__ = "known_media"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    invitation_id: Mapped[uuid.UUID] = mapped_column()
    question_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[MediaStatus] = mapped_column(stored_enum(MediaStatus, length=20))
    # When the event applied last occurred: an older one delivered late does not overwrite it.
    event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

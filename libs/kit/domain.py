"""Aggregates record domain events; the transaction turns them into outbox rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import object_session

# The session.info key under which a session keeps the aggregates that recorded events until they are staged.
RECORDERS = "_recording_aggregates"


def utcnow() -> datetime:
    return datetime.now(UTC)


class IntegrationEvent(BaseModel):
    """A versioned public event contract. Subclasses set TYPE, VERSION and TOPIC; fields are the payload."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[str] = "1.0"
    TOPIC: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class RecordedEvent(BaseModel):
    """An event an aggregate has recorded but the transaction has not staged yet."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    event: IntegrationEvent
    aggregate_id: UUID | str


class AggregateRoot:
    """Mixin for ORM-mapped aggregates. Events are kept off the mapped columns."""

    def record(self, event: IntegrationEvent, *, aggregate_id: UUID | str | None = None) -> None:
        pending: list[RecordedEvent] = self.__dict__.setdefault("_pending_events", [])
        pending.append(RecordedEvent(event=event, aggregate_id=aggregate_id or self._aggregate_id()))
        # A session's identity map holds clean objects weakly: an aggregate that recorded an event but changed
        # no column could be collected before the transaction stages its events. The session keeps it until then.
        session = object_session(self)
        if session is not None:
            session.info.setdefault(RECORDERS, []).append(self)

    def pull_events(self) -> list[RecordedEvent]:
        pending: list[RecordedEvent] = self.__dict__.pop("_pending_events", [])
        return pending

    def _aggregate_id(self) -> UUID | str:
        value = getattr(self, "id", None)
        if value is None:
            raise ValueError(f"{type(self).__name__} records an event before it has an id")
        return value  # type: ignore[no-any-return]

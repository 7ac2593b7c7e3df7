"""The one event envelope of the fleet, kept compatible with the reference's fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from kit.domain import IntegrationEvent, utcnow


class Envelope(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    event_id: UUID = Field(default_factory=uuid4, alias="eventId")
    event_type: str = Field(alias="eventType", min_length=1)
    version: str = "1.0"
    occurred_at: datetime = Field(default_factory=utcnow, alias="occurredAt")
    # The reference's consumers read an epoch-millisecond `timestamp`; kept beside occurredAt.
    timestamp: int = 0
    source: str
    aggregate_id: str = Field(alias="aggregateId")
    correlation_id: str | None = Field(default=None, alias="correlationId")
    payload: dict[str, Any] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        if not self.timestamp:
            self.timestamp = int(self.occurred_at.timestamp() * 1000)

    @classmethod
    def wrap(
        cls,
        event: IntegrationEvent,
        *,
        source: str,
        aggregate_id: UUID | str,
        correlation_id: str | None,
    ) -> Envelope:
        return cls(
            event_type=event.TYPE,
            version=event.VERSION,
            source=source,
            aggregate_id=str(aggregate_id),
            correlation_id=correlation_id,
            payload=event.payload(),
        )

    def to_json(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode()

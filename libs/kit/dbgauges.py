"""Gauges read from a service's own tables, for what no event or request counts: how long the oldest
unpublished outbox row has waited. A worker job refreshes them (the number of rows says little about a stuck
relay; their age says how stale every other service's view of this one has become)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.domain import utcnow
from kit.outbox import OutboxMessage

OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_age_seconds", "Seconds the oldest unpublished outbox row has waited (0 when none)", ["service"]
)


async def refresh_outbox_age(
    sessions: async_sessionmaker[AsyncSession], service: str, *, now: datetime | None = None
) -> float:
    """Measure and publish the age of the oldest unpublished outbox row; returns it in seconds."""
    async with sessions() as session:
        oldest = await session.scalar(
            select(func.min(OutboxMessage.created_at)).where(OutboxMessage.published_at.is_(None))
        )
    # A row stamped by a database clock slightly ahead of ours is not negative seconds old.
    age = max(0.0, ((now or utcnow()) - oldest).total_seconds()) if oldest is not None else 0.0
    OUTBOX_OLDEST_AGE.labels(service).set(age)
    return age

"""What every service's erasure handler does besides deleting its own rows: forget the events it published.

A published outbox row is kept `OUTBOX_RETENTION_DAYS` after Kafka took it (the relay's cleanup then deletes
it), and its payload is the event as sent: an invitation's events name its candidate, their address and name.
So an erasure deletes the published rows that name the person or their interviews at once. Rows not published
yet stay for the relay: among them the erasure's own events, which must name what they erase; they go with the
outbox's retention like any other."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, cast, delete, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from kit.outbox import OutboxMessage


async def forget_published(session: AsyncSession, identifiers: Iterable[str]) -> int:
    """Delete the published outbox rows whose key or payload holds any of the identifiers (ids or an address,
    matched without regard to case); returns how many went."""
    needles = [value.lower() for value in identifiers if value]
    if not needles:
        return 0
    payload = func.lower(cast(OutboxMessage.payload, String))
    mentions = [OutboxMessage.key == value for value in needles]
    mentions += [payload.contains(value, autoescape=True) for value in needles]
    result = await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.published_at.is_not(None), or_(*mentions))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

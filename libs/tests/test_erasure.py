"""An erasure forgets the published events that name the person: by key or anywhere in the payload, an address
whatever its case; rows still waiting for the relay and rows about anyone else stay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kit.erasure import forget_published
from kit.outbox import OutboxMessage

NOW = datetime.now(UTC)


def row(key: str, payload: dict[str, object], *, published: bool = True) -> OutboxMessage:
    return OutboxMessage(
        event_id=uuid.uuid4(),
        topic="test-events",
        key=key,
        event_type="thing.happened",
        payload=payload,
        headers={},
        published_at=NOW if published else None,
    )


async def test_published_events_naming_the_person_go_and_nothing_else_does(engine: AsyncEngine) -> None:
    person, invitation, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    rows = {
        "keyed by the interview": row(invitation, {"status": "completed"}),
        "naming the person": row(other, {"candidateId": person}),
        "naming the address": row(other, {"data": {"to": "Ida.Erased@Example.com"}}),
        "not published yet": row(invitation, {"candidateId": person}, published=False),
        "someone else's": row(other, {"candidateId": other, "note": "fine"}),
    }
    async with AsyncSession(engine) as session, session.begin():
        session.add_all(rows.values())
        await session.flush()
        ids = {name: r.id for name, r in rows.items()}

        gone = await forget_published(session, [invitation, person, "ida.erased@example.com", ""])
        wildcard = await forget_published(session, ["%"])
        left = set((await session.scalars(select(OutboxMessage.id).where(OutboxMessage.id.in_(ids.values())))).all())
        await session.rollback()

    assert gone == 3
    # A needle is matched as written: "%" is no wildcard.
    assert wildcard == 0
    assert {name for name, i in ids.items() if i in left} == {"not published yet", "someone else's"}

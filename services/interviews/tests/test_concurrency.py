"""Two edits of one template racing on separate connections (really committed, then removed): the template's
version makes the loser fail with a 409 instead of silently overwriting the winner."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from interviews.domain import Template
from kit.db import make_sessionmaker
from kit.outbox import OutboxMessage


@pytest.fixture
def created() -> list[uuid.UUID]:
    return []


@pytest.fixture
async def committed(engine: AsyncEngine, settings, created) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    yield sessions
    async with sessions() as session, session.begin():
        await session.execute(delete(OutboxMessage).where(OutboxMessage.key.in_([str(i) for i in created])))
        await session.execute(delete(Template).where(Template.id.in_(created)))


async def _wait_for_a_blocked_update(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with asyncio.timeout(60):
        while True:
            async with sessions() as session:
                waiting = await session.scalar(
                    select(func.count()).select_from(text("pg_locks")).where(text("NOT granted"))
                )
            if waiting:
                return
            await asyncio.sleep(0.05)


async def test_the_second_of_two_concurrent_template_edits_answers_409_and_the_first_wins(
    committed, created, make_client, hr, clock
) -> None:
    client = await make_client(on=committed)
    new = await client.post("/api/templates", json={"title": "Original", "description": "D"}, headers=hr.headers)
    template_id = uuid.UUID(new.json()["id"])
    created.append(template_id)

    async with committed() as first, first.begin():
        template = await first.get(Template, template_id)
        template.update(title="First", description=None, settings=None, now=clock.now)
        await first.flush()  # holds the row until COMMIT
        second = asyncio.create_task(
            client.put(f"/api/templates/{template_id}", json={"title": "Second"}, headers=hr.headers)
        )
        await _wait_for_a_blocked_update(committed)

    response = await second
    assert response.status_code == 409
    assert response.json()["code"] == "CONCURRENT_MODIFICATION"
    got = (await client.get(f"/api/templates/{template_id}", headers=hr.headers)).json()
    assert (got["title"], got["version"]) == ("First", 2)


async def test_reordering_and_removing_questions_pass_the_unique_order_check_at_a_real_commit(
    committed, created, make_client, hr
) -> None:
    # The per-template unique order is checked at COMMIT (deferred), which the rolled-back tests never reach.
    client = await make_client(on=committed)
    new = await client.post("/api/templates", json={"title": "T", "description": "D"}, headers=hr.headers)
    template_id = new.json()["id"]
    created.append(uuid.UUID(template_id))
    ids = []
    for order in (1, 2, 3):
        body = {"text": f"Question number {order}?", "type": "text", "order": order, "timeLimit": 60, "required": True}
        ids.append(
            (await client.post(f"/api/templates/{template_id}/questions", json=body, headers=hr.headers)).json()["id"]
        )

    reordered = await client.patch(
        f"/api/templates/{template_id}/questions/reorder", json={"questionIds": ids[::-1]}, headers=hr.headers
    )
    removed = await client.delete(f"/api/templates/{template_id}/questions/{ids[2]}", headers=hr.headers)

    assert (reordered.status_code, removed.status_code) == (204, 204)
    listed = (await client.get(f"/api/templates/{template_id}/questions", headers=hr.headers)).json()["questions"]
    assert [(q["id"], q["order"]) for q in listed] == [(ids[1], 1), (ids[0], 2)]

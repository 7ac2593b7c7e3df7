"""The one transaction boundary, the 409s rendered once by the kit, and the pagination helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kit.app import create_service_app
from kit.db import transaction
from kit.errors import Gone, NotFound
from kit.outbox import ProcessedMessage
from kit.schemas import Page, Paginated, paginate
from kit.settings import ServiceSettings


class FoundExpired(Gone):
    code = "FOUND_EXPIRED"
    commits = True


async def _mark(session: AsyncSession, message_id: str) -> None:
    session.add(ProcessedMessage(consumer="kit-test", message_id=message_id))
    await session.flush()


async def _marked(sessions: async_sessionmaker[AsyncSession], message_id: str) -> bool:
    async with sessions() as session:
        found = await session.get(ProcessedMessage, ("kit-test", message_id))
    return found is not None


async def test_a_refusal_that_commits_keeps_the_change_made_before_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(FoundExpired):
        async with transaction(sessions) as session:
            await _mark(session, "expired-on-the-way")
            raise FoundExpired("This invitation has expired")

    assert await _marked(sessions, "expired-on-the-way")


async def test_any_other_error_rolls_the_change_back(sessions: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(NotFound):
        async with transaction(sessions) as session:
            await _mark(session, "refused")
            raise NotFound("Nothing here")

    assert not await _marked(sessions, "refused")


async def test_paginate_returns_one_page_and_the_count_of_every_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessions) as session:
        for n in range(7):
            await _mark(session, f"row-{n}")
    query = (
        select(ProcessedMessage.message_id)
        .where(ProcessedMessage.consumer == "kit-test")
        .order_by(ProcessedMessage.message_id)
    )
    async with sessions() as session:
        rows, total = await paginate(session, query, page=3, limit=3)

    assert total == 7
    assert [r.message_id for r in rows] == ["row-6"]
    page = Page[str].of([r.message_id for r in rows], total=total, page=3, limit=3)
    assert page.model_dump(by_alias=True) == {
        "items": ["row-6"],
        "total": 7,
        "page": 3,
        "limit": 3,
        "totalPages": 3,
    }


@pytest.mark.parametrize(
    ("page", "limit", "expected", "statements"),
    [
        (1, 10, ["row-0", "row-1", "row-2", "row-3", "row-4"], 1),  # all on the first page: no count
        (2, 3, ["row-3", "row-4"], 1),  # a partial last page tells the total itself
        (1, 5, ["row-0", "row-1", "row-2", "row-3", "row-4"], 2),  # a full page may have more after it
        (3, 3, [], 2),  # past the end: only a count knows the total
    ],
)
async def test_paginate_counts_with_a_second_statement_only_when_the_page_cannot_tell_the_total(
    sessions: async_sessionmaker[AsyncSession], page: int, limit: int, expected: list[str], statements: int
) -> None:
    async with transaction(sessions) as session:
        for n in range(5):
            await _mark(session, f"row-{n}")
    query = (
        select(ProcessedMessage.message_id)
        .where(ProcessedMessage.consumer == "kit-test")
        .order_by(ProcessedMessage.message_id)
    )
    executed: list[object] = []
    async with sessions() as session:
        event.listen(session.sync_session, "do_orm_execute", executed.append)
        rows, total = await paginate(session, query, page=page, limit=limit)

    assert (total, [r.message_id for r in rows]) == (5, expected)
    assert len(executed) == statements


def test_both_list_shapes_count_pages_the_same_way() -> None:
    empty = Page[int].of([], total=0, page=1, limit=10)
    users_shape = Paginated[int].of([1, 2], total=11, page=1, limit=10)

    assert empty.total_pages == 0
    assert users_shape.model_dump(by_alias=True) == {
        "success": True,
        "data": [1, 2],
        "pagination": {"total": 11, "page": 1, "limit": 10, "totalPages": 2},
    }


router = APIRouter()


@router.post("/stale")
async def stale() -> None:
    raise StaleDataError("UPDATE statement on table 'things' expected to update 1 row(s); 0 were matched.")


@router.post("/duplicate")
async def duplicate() -> None:
    raise IntegrityError("INSERT INTO things", {}, _UniqueViolation())


class _UniqueViolation(Exception):
    sqlstate = "23505"


@pytest.fixture
async def app_with_code(settings: ServiceSettings) -> AsyncIterator[FastAPI]:
    app = create_service_app(settings, routers=[router], database=False, stale_version_code="STALE_THING")
    async with LifespanManager(app):
        yield app


async def test_a_lost_race_on_a_versioned_row_is_a_409_with_the_services_code(app_with_code: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_with_code), base_url="http://t") as client:
        response = await client.post("/stale")

    assert response.status_code == 409
    assert response.json()["code"] == "STALE_THING"
    assert response.json()["error"] == "Resource was modified by another request"


async def test_a_unique_violation_that_slipped_past_a_check_is_a_409(app_with_code: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app_with_code, raise_app_exceptions=False), base_url="http://t"
    ) as client:
        response = await client.post("/duplicate")

    assert (response.status_code, response.json()["code"]) == (409, "CONFLICT")

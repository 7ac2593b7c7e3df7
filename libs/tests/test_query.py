"""`kit.db.Query`: a hot read compiled once and run on the session's own driver connection reads what the ORM
reads, in the session's transaction."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import pytest
from sqlalchemy import DateTime, Integer, String, Uuid, any_, bindparam, column, func, select, table
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.util import greenlet_spawn

import kit.db
from kit.db import Query, make_engine, make_read_sessionmaker, make_sessionmaker, stored_enum
from kit.testing import superuser_url, terminate_backend


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class QueryBase(DeclarativeBase):
    pass


class Thing(QueryBase):
    __tablename__ = "query_things"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    colour: Mapped[Colour] = mapped_column(stored_enum(Colour, length=10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    refs: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))


THINGS = Thing.__table__
THING_BY_ID = Query(select(Thing).where(Thing.id == bindparam("id")))
NAMES_OF_COLOUR = Query(select(Thing.name).where(Thing.colour == bindparam("colour")).order_by(Thing.name))


class NameAndColour(NamedTuple):
    name: str
    colour: Colour


NAME_AND_COLOUR = Query(select(Thing.name, Thing.colour).where(Thing.id == bindparam("id")), NameAndColour)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with engine.begin() as conn:
        await conn.run_sync(QueryBase.metadata.create_all)
    try:
        yield make_sessionmaker(engine, service="kit_test", schema="kit_test")
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(QueryBase.metadata.drop_all)


def a_thing(name: str = "kettle", colour: Colour = Colour.RED, **changes: Any) -> Thing:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "name": name,
        "colour": colour,
        "at": datetime(2026, 12, 5, 10, 30, 15, 123456, tzinfo=UTC),
        "seen_at": None,
        "data": {"n": 1, "nested": {"list": [1, "two", None]}, "none": None},
        "tags": ["a", "b"],
        "refs": [],
    }
    return Thing(**{**values, **changes})


async def committed(sessions: async_sessionmaker[AsyncSession], *things: Thing) -> None:
    async with sessions() as session, session.begin():
        session.add_all(things)


def columns_of(thing: Thing) -> tuple[Any, ...]:
    return tuple(getattr(thing, column.key) for column in THINGS.columns)


async def test_a_row_reads_back_the_values_and_types_the_orm_reads(sessions: async_sessionmaker[AsyncSession]) -> None:
    thing = a_thing(seen_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), data=None, tags=[], refs=[uuid.uuid4()])
    other = a_thing("lamp", Colour.GREEN)
    await committed(sessions, thing, other)
    async with sessions() as session:
        loaded = [await session.get(Thing, t.id) for t in (thing, other)]
        rows = [await THING_BY_ID.one(session, id=t.id) for t in (thing, other)]
    for row, orm in zip(rows, loaded, strict=True):
        assert row is not None and orm is not None
        assert tuple(row) == columns_of(orm)
        assert [type(value) for value in row] == [type(value) for value in columns_of(orm)]
    assert rows[0] is not None and rows[1] is not None
    assert rows[0].colour is Colour.RED and rows[1].colour is Colour.GREEN
    assert rows[0].at == thing.at and rows[0].at.tzinfo is not None
    assert rows[0].seen_at == thing.seen_at and rows[1].seen_at is None
    assert rows[0].data is None and rows[1].data == {"n": 1, "nested": {"list": [1, "two", None]}, "none": None}
    assert rows[0].tags == [] and rows[1].tags == ["a", "b"]
    assert isinstance(rows[0].id, uuid.UUID) and rows[0].id == thing.id
    assert rows[0].refs == thing.refs and rows[1].refs == []


async def test_a_row_type_gets_the_columns_by_name(sessions: async_sessionmaker[AsyncSession]) -> None:
    thing = a_thing("lamp", Colour.GREEN)
    await committed(sessions, thing)
    async with sessions() as session:
        assert await NAME_AND_COLOUR.one(session, id=thing.id) == NameAndColour("lamp", Colour.GREEN)


async def test_an_enum_parameter_and_many_rows(sessions: async_sessionmaker[AsyncSession]) -> None:
    await committed(sessions, a_thing("b"), a_thing("a"), a_thing("c", Colour.GREEN))
    async with sessions() as session:
        assert [row.name for row in await NAMES_OF_COLOUR.all(session, colour=Colour.RED)] == ["a", "b"]
        assert await NAMES_OF_COLOUR.scalar(session, colour=Colour.GREEN) == "c"


async def test_an_array_parameter_selects_rows_by_any_of_their_keys(sessions: async_sessionmaker[AsyncSession]) -> None:
    things = [a_thing("a"), a_thing("b"), a_thing("c")]
    await committed(sessions, *things)
    by_ids = Query(select(Thing.name).where(Thing.id == any_(bindparam("ids", type_=ARRAY(THINGS.c.id.type)))))
    async with sessions() as session:
        rows = await by_ids.all(session, ids=[things[0].id, things[2].id, uuid.uuid4()])
    assert sorted(row.name for row in rows) == ["a", "c"]


async def test_no_row_is_none_an_empty_list_and_a_none_scalar(sessions: async_sessionmaker[AsyncSession]) -> None:
    await committed(sessions, a_thing())
    async with sessions() as session:
        assert await THING_BY_ID.one(session, id=uuid.uuid4()) is None
        assert await NAMES_OF_COLOUR.all(session, colour=Colour.GREEN) == []
        assert await NAMES_OF_COLOUR.scalar(session, colour=Colour.GREEN) is None


async def test_the_session_s_own_uncommitted_rows_are_read(sessions: async_sessionmaker[AsyncSession]) -> None:
    flushed, pending = a_thing("flushed"), a_thing("pending")
    async with sessions() as session, session.begin():
        session.add(flushed)
        await session.flush()
        assert (row := await THING_BY_ID.one(session, id=flushed.id)) is not None and row.name == "flushed"
        session.add(pending)  # not flushed: the query flushes it first, as autoflush does
        assert (row := await THING_BY_ID.one(session, id=pending.id)) is not None and row.name == "pending"
        await session.rollback()
    async with sessions() as session:
        assert await THING_BY_ID.one(session, id=flushed.id) is None


async def test_a_transaction_s_first_statement_runs_inside_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    """now() is the transaction's start: the same for both statements only if the first began the transaction."""
    started = Query(select(func.now().label("now")))
    async with sessions() as session, session.begin():
        first = await started.scalar(session)
        await asyncio.sleep(0.01)
        assert await started.scalar(session) == first
        thing = a_thing()
        session.add(thing)
        await session.flush()
        await session.rollback()
    async with sessions() as session:
        assert await THING_BY_ID.one(session, id=thing.id) is None


async def test_a_read_session_reads_committed_rows_and_leaves_no_transaction_open(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    thing = a_thing()
    await committed(sessions, thing)
    reads = make_read_sessionmaker(engine, service="kit_test", schema="kit_test")
    async with reads() as read:
        assert (row := await THING_BY_ID.one(read, id=thing.id)) is not None and row.id == thing.id
        raw = await (await read.connection()).get_raw_connection()
        assert raw.driver_connection is not None and not raw.driver_connection.is_in_transaction()


async def test_a_read_session_holding_no_connection_borrows_one_for_the_statement_and_gives_it_back(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    thing = a_thing()
    await committed(sessions, thing)
    pool = engine.sync_engine.pool
    reads = make_read_sessionmaker(engine, service="kit_test", schema="kit_test")
    async with reads() as read:
        assert await THING_BY_ID.one(read, id=thing.id) is not None
        assert not read.in_transaction() and pool.checkedout() == 0  # type: ignore[attr-defined]
        await read.connection()  # once the session holds one, queries run on it
        assert await THING_BY_ID.one(read, id=thing.id) is not None
        assert pool.checkedout() == 1  # type: ignore[attr-defined]


async def test_a_query_reads_through_the_tests_rolled_back_connection(engine: AsyncEngine) -> None:
    """As in a service's suite: `kit.testing`'s sessions join one outer transaction, rolled back at the end."""
    async with engine.begin() as conn:
        await conn.run_sync(QueryBase.metadata.create_all)
    try:
        thing = a_thing()
        async with engine.connect() as connection:
            outer = await connection.begin()
            rolled_back = async_sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            await committed(rolled_back, thing)  # a savepoint of the outer transaction
            async with rolled_back() as session:
                assert (row := await THING_BY_ID.one(session, id=thing.id)) is not None and row.name == "kettle"
            await outer.rollback()
        async with make_sessionmaker(engine, service="kit_test", schema="kit_test")() as session:
            assert await THING_BY_ID.one(session, id=thing.id) is None
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(QueryBase.metadata.drop_all)


async def test_a_missing_or_unknown_parameter_is_refused_naming_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        with pytest.raises(TypeError, match=r"missing parameter\(s\) \['id'\]"):
            await THING_BY_ID.one(session)
        with pytest.raises(TypeError, match=r"unknown parameter\(s\) \['idd'\]"):
            await THING_BY_ID.one(session, id=uuid.uuid4(), idd=1)


def test_a_row_type_whose_fields_are_not_the_columns_is_refused() -> None:
    class Swapped(NamedTuple):
        colour: Colour
        name: str

    with pytest.raises(ValueError, match="not the selected columns"):
        Query(select(Thing.name, Thing.colour), Swapped)


def test_an_expanding_in_and_unnamed_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot expand an IN list"):
        Query(select(Thing.name).where(Thing.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="need unique names"):
        Query(select(func.count().label("how many")))


async def test_a_dropped_connection_fails_the_query_and_is_not_reused() -> None:
    engine = make_engine(superuser_url(), "public", pool_size=1, pre_ping=False)
    backend = Query(select(func.pg_backend_pid().label("pid")))
    try:
        reads = make_read_sessionmaker(engine, service="kit_test", schema="public")
        async with reads() as read:
            pid = await backend.scalar(read)
        await terminate_backend(pid)
        with pytest.raises(DBAPIError) as failed:
            async with reads() as read:
                await backend.scalar(read)
        assert failed.value.connection_invalidated
        async with reads() as read:
            assert await backend.scalar(read) != pid
    finally:
        await engine.dispose()


async def test_reads_past_the_pool_s_size_close_their_extra_connections_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A borrowed connection beyond the pool's size is closed when given back, which on asyncpg needs an await:
    given back outside SQLAlchemy's greenlet, its close failed and the server connection was left open."""
    engine = make_engine(superuser_url(), "public", pool_size=1, pre_ping=False)
    slow_backend = Query(select(func.pg_backend_pid().label("pid"), func.pg_sleep(0.3).label("slept")))
    activity = table("pg_stat_activity", column("pid", Integer), schema="pg_catalog")
    backends = Query(select(func.count()).where(activity.c.pid == any_(bindparam("pids", type_=ARRAY(Integer)))))
    try:
        reads = make_read_sessionmaker(engine, service="kit_test", schema="public")

        async def backend() -> int:
            async with reads() as read:
                row = await slow_backend.one(read)
                assert row is not None
                return int(row.pid)

        with caplog.at_level(logging.ERROR, logger="sqlalchemy.pool"):
            pids = await asyncio.gather(backend(), backend())
        assert len(set(pids)) == 2 and not caplog.records
        pool = engine.sync_engine.pool
        assert pool.checkedout() == 0 and pool.overflow() == 0  # type: ignore[attr-defined]  # one kept, none over
        async with reads() as read:
            alive = await backends.scalar(read, pids=pids)
        assert alive == 1, "the extra connection is still open on the server"
    finally:
        await engine.dispose()


async def test_a_borrowed_connection_goes_back_to_a_pool_with_room_without_sqlalchemys_greenlet(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a return that may close the connection (the pool is full: it is one over its size) needs the await
    SQLAlchemy's greenlet allows; one back into a queue with room is given back directly, and is reused."""
    spawned: list[object] = []

    async def spawn(function: Any, *args: Any) -> Any:
        spawned.append(function)
        return await greenlet_spawn(function, *args)

    monkeypatch.setattr(kit.db, "greenlet_spawn", spawn)
    thing = a_thing()
    await committed(sessions, thing)
    reads = make_read_sessionmaker(engine, service="kit_test", schema="kit_test")
    pool = engine.sync_engine.pool
    for _ in range(3):
        async with reads() as read:
            assert (row := await THING_BY_ID.one(read, id=thing.id)) is not None and row.id == thing.id
    assert spawned == [] and pool.checkedout() == 0 and pool.checkedin() >= 1  # type: ignore[attr-defined]

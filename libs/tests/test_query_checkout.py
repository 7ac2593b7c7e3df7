"""A read session's `Query` takes an idle pooled connection without SQLAlchemy's greenlet when its checkout cannot
await; every other checkout (a connection to open, ping, recycle or wait for) goes through the greenlet as before,
and the pool's events, counts and returns are the same either way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Integer, bindparam, event, func, literal, select
from sqlalchemy.exc import DBAPIError, TimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from kit.db import Query, make_engine, make_read_sessionmaker
from kit.testing import superuser_url, terminate_backend

BACKEND = Query(select(func.pg_backend_pid().label("pid")))
SLEEP = Query(select(func.pg_sleep(bindparam("seconds", type_=Integer)).label("slept")))
DIVIDED = Query(select(literal(1).op("/", return_type=Integer)(bindparam("by", type_=Integer)).label("quotient")))

MakeEngine = Callable[..., AsyncEngine]


@pytest.fixture
async def engines() -> AsyncIterator[MakeEngine]:
    made: list[AsyncEngine] = []

    def make(**kwargs: Any) -> AsyncEngine:
        made.append(engine := make_engine(superuser_url(), "public", **{"pool_size": 1, **kwargs}))
        return engine

    yield make
    for engine in made:
        await engine.dispose()


@pytest.fixture
def through_greenlet(monkeypatch: pytest.MonkeyPatch) -> list[AsyncEngine]:
    """The engines of the checkouts that went through `AsyncEngine.raw_connection`, SQLAlchemy's greenlet."""
    calls: list[AsyncEngine] = []
    raw_connection = AsyncEngine.raw_connection

    async def recorded(self: AsyncEngine) -> PoolProxiedConnection:
        calls.append(self)
        return await raw_connection(self)

    monkeypatch.setattr(AsyncEngine, "raw_connection", recorded)
    return calls


async def read(engine: AsyncEngine, query: Query[Any] = BACKEND, **params: Any) -> Any:
    async with make_read_sessionmaker(engine, service="kit_test", schema="public")() as session:
        return await query.scalar(session, **params)


def counts(engine: AsyncEngine) -> tuple[int, int]:
    pool: Any = engine.sync_engine.pool
    return pool.checkedout(), pool.checkedin()


async def test_a_connection_used_recently_is_taken_without_the_greenlet_and_given_back(
    engines: MakeEngine, through_greenlet: list[AsyncEngine]
) -> None:
    engine = engines()
    pid = await read(engine)  # the pool opens its connection: that checkout awaits
    assert len(through_greenlet) == 1
    assert [await read(engine) for _ in range(3)] == [pid] * 3
    assert len(through_greenlet) == 1 and counts(engine) == (0, 1)


async def test_the_pool_s_checkout_and_checkin_events_fire_for_every_read(engines: MakeEngine) -> None:
    """The OpenTelemetry instrumentation's pool usage and the idle ping hang on these events."""
    engine = engines()
    seen: list[str] = []
    event.listen(engine.sync_engine, "checkout", lambda *_: seen.append("checkout"))
    event.listen(engine.sync_engine, "checkin", lambda *_: seen.append("checkin"))
    for _ in range(3):
        await read(engine)
    assert seen == ["checkout", "checkin"] * 3


async def test_a_failed_statement_gives_its_connection_back_still_usable(
    engines: MakeEngine, through_greenlet: list[AsyncEngine]
) -> None:
    engine = engines()
    pid = await read(engine)
    with pytest.raises(asyncpg.DivisionByZeroError):
        await read(engine, DIVIDED, by=0)
    assert counts(engine) == (0, 1)
    assert await read(engine) == pid and len(through_greenlet) == 1


async def test_a_cancelled_read_gives_its_connection_back(engines: MakeEngine) -> None:
    engine = engines()
    await read(engine)
    sleeping = asyncio.create_task(read(engine, SLEEP, seconds=30))
    while counts(engine) != (1, 0):  # the statement is running on the pool's one connection
        await asyncio.sleep(0.01)
    sleeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeping
    assert counts(engine) == (0, 1)
    assert await read(engine, DIVIDED, by=2) == 0


async def test_a_connection_idle_past_the_ping_threshold_is_pinged_and_a_dropped_one_replaced_unseen(
    engines: MakeEngine,
) -> None:
    engine = engines(ping_idle_seconds=0.05)
    pid = await read(engine)
    await terminate_backend(pid)
    await asyncio.sleep(0.2)  # idle longer than the threshold
    assert await read(engine) != pid
    assert counts(engine) == (0, 1)


async def test_a_connection_used_within_the_ping_threshold_is_not_pinged_and_a_dropped_one_replaced_after(
    engines: MakeEngine, through_greenlet: list[AsyncEngine]
) -> None:
    engine = engines(ping_idle_seconds=3600)
    pid = await read(engine)
    await terminate_backend(pid)
    with pytest.raises(DBAPIError) as failed:  # no ping: the statement finds the connection dropped
        await read(engine)
    assert failed.value.connection_invalidated and len(through_greenlet) == 1
    assert await read(engine) != pid  # the invalidated connection is opened again, through the greenlet
    assert len(through_greenlet) == 2 and counts(engine) == (0, 1)


async def test_with_a_ping_on_every_checkout_a_dropped_connection_is_replaced_unseen(engines: MakeEngine) -> None:
    engine = engines(ping_idle_seconds=0)
    pid = await read(engine)
    await terminate_backend(pid)
    assert await read(engine) != pid


async def test_a_connection_invalidated_softly_is_replaced_before_its_next_read(engines: MakeEngine) -> None:
    engine = engines()
    pid = await read(engine)
    connection = await engine.raw_connection()
    connection.invalidate(soft=True)  # closed and opened again at its next checkout
    await greenlet_spawn(connection.close)
    assert await read(engine) != pid


async def test_a_connection_due_for_recycling_is_replaced_before_its_next_read(
    engines: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engines()
    pid = await read(engine)
    monkeypatch.setattr(engine.sync_engine.pool, "_recycle", 0)  # every connection is older than that
    assert await read(engine) != pid


async def test_a_read_waits_for_a_connection_of_a_pool_at_its_limit(engines: MakeEngine) -> None:
    engine = engines(max_overflow=0)
    await read(engine)
    held = await engine.connect()
    waiting = asyncio.create_task(read(engine, DIVIDED, by=1))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await held.close()
    assert await waiting == 1 and counts(engine) == (0, 1)


async def test_a_read_gives_up_after_the_pool_s_timeout_when_every_connection_stays_busy(engines: MakeEngine) -> None:
    engine = engines(max_overflow=0, pool_timeout=0.1)
    await read(engine)
    async with engine.connect():
        with pytest.raises(TimeoutError):
            await read(engine)
    assert counts(engine) == (0, 1)


async def test_an_engine_the_kit_did_not_make_is_checked_out_through_the_greenlet(
    through_greenlet: list[AsyncEngine],
) -> None:
    """Its checkout listeners are unknown: any of them may await."""
    engine = create_async_engine(superuser_url(), pool_size=1)
    try:
        for _ in range(3):
            await read(engine)
        assert len(through_greenlet) == 3
    finally:
        await engine.dispose()

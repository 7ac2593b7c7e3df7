"""Async SQLAlchemy: one engine per service with its schema on the search_path, and the transaction
boundary that stages aggregates' recorded events as outbox rows before COMMIT."""

from __future__ import annotations

import json
import time
from collections import namedtuple
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar, overload
from weakref import WeakKeyDictionary

import asyncpg
import pydantic_core
from fastapi import Depends, Request
from sqlalchemy import Dialect, Engine, Enum, MetaData, Select, bindparam, event, inspect, select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Tables carry no schema: each service's role connects with search_path = its schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def stored_enum(enum_type: type[StrEnum], *, length: int) -> Enum:
    """An enum column stored as its members' values in a plain VARCHAR (no database enum type, no CHECK
    constraint, so adding a member needs no migration) and read back as enum members."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def _json_loads(text: str) -> Any:
    """A JSONB value read: pydantic-core's parser takes a quarter of `json.loads`'s CPU (~1.6 µs less a value, a
    page of twelve rows' worth 25 µs in process) and reads what it reads from Postgres's text; beyond 200 levels of
    nesting it refuses, and json reads it."""
    try:
        return pydantic_core.from_json(text)
    except ValueError:
        return json.loads(text)


def make_engine(
    database_url: str,
    schema: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pre_ping: bool = True,
    ping_idle_seconds: float = 10.0,
    **kwargs: Any,
) -> AsyncEngine:
    """`pool_size` connections are kept once opened; `max_overflow` more (as many again by default) are opened
    when those are all out and closed as soon as they are given back. `pre_ping`, `ping_idle_seconds`: see
    `ServiceSettings.db_pool_pre_ping` and `db_pool_ping_idle_seconds`, which the API's engine follows."""
    engine = create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping and ping_idle_seconds == 0,
        pool_recycle=3600,
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
        json_deserializer=_json_loads,
        **kwargs,
    )
    if pre_ping and ping_idle_seconds > 0:
        _ping_after_idle(engine, ping_idle_seconds)
    _PINGED_AFTER[engine.dialect] = ping_idle_seconds if pre_ping and ping_idle_seconds > 0 else float("inf")
    return engine


IDLE_SINCE = "kit_idle_since"


def _ping_after_idle(engine: AsyncEngine, seconds: float) -> None:
    """Pings a pooled connection at checkout only when it was idle longer than `seconds` (the server, a proxy
    or a restart drops idle connections); one that failed is replaced before the caller sees it, as with
    `pool_pre_ping`. Under load connections are never idle that long, so a read pays no ping."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def idle_from(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.pop(IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since <= seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool invalidates this connection and checks out another (a fresh one), as its own ping does.
            raise DisconnectionError(f"a connection idle for {seconds} s failed its ping") from exc


# Engines made by `make_engine`, whose checkout listeners are known, by their dialect (which their
# `execution_options` copies share and `dispose` keeps): the seconds of idleness after which a pooled connection is
# pinged at checkout (inf: never). `_checkout_without_io` only serves these.
_PINGED_AFTER: WeakKeyDictionary[Dialect, float] = WeakKeyDictionary()


def _checkout_without_io(engine: Engine) -> PoolProxiedConnection | None:
    """The pool's next idle connection, checked out by the pool itself (its events, counts and checks as always),
    when nothing in that checkout can await: an idle connection is in the queue, live (not invalidated, not due for
    recycling) and used recently enough to need no ping. Otherwise None, and the caller checks out through
    `AsyncEngine.raw_connection()`, whose greenlet lets the pool wait, connect or ping. That greenlet costs a read
    ~30 µs of CPU in process, most of it the 16 KiB frame stack CPython maps for each new greenlet and unmaps after."""
    ping_after = _PINGED_AFTER.get(engine.dialect)
    pool: Any = engine.pool
    if ping_after is None or not isinstance(pool, AsyncAdaptedQueuePool) or pool._pre_ping:
        return None
    # SQLAlchemy keeps no public view of its idle connections: the asyncio queue's own deque, taken from the left
    # (from the right when last in is first out), with no await between this look and the pool's take.
    queue: Any = pool._pool
    idle = queue._queue._queue
    if not idle:
        return None
    record = idle[-1] if queue.use_lifo else idle[0]
    if record._is_hard_or_soft_invalidated() or (pool._recycle > -1 and time.time() - record.starttime > pool._recycle):
        return None
    idle_since = record.info.get(IDLE_SINCE)
    if idle_since is not None:
        if time.monotonic() - idle_since > ping_after:
            return None
        # Decided here: the checkout listener must not see the idleness a few µs later as past the limit and ping.
        del record.info[IDLE_SINCE]
    return engine.raw_connection()


M = TypeVar("M")

# One statement per model, built once: a statement's cache key is computed once and kept on it, where
# `Session.get` builds, annotates and keys a new statement on every call (a fifth of a by-id load's CPU).
_BY_KEY: dict[type[Any], Select[Any]] = {}


async def get(session: AsyncSession, model: type[M], key: Any) -> M | None:
    """`session.get(model, key)` for a model with a one-column primary key, cheaper on the usual miss. An object
    the session already holds is answered by `session.get` itself (it refreshes an expired one)."""
    mapper: Mapper[M] = inspect(model, raiseerr=True)
    if mapper.identity_key_from_primary_key((key,)) in session.identity_map:
        return await session.get(model, key)
    statement = _BY_KEY.get(model)
    if statement is None:
        (column,) = mapper.primary_key
        statement = _BY_KEY[model] = select(model).where(column == bindparam("key"))
    return (await session.scalars(statement, {"key": key})).unique().one_or_none()


R = TypeVar("R")

# The dialect every service's engine uses (`postgresql+asyncpg`): a `Query` is compiled for it once.
_ASYNCPG = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


class Query(Generic[R]):
    """A hot read compiled once, at import, and run on the session's own asyncpg connection: the same
    transaction as the session's other statements (a write transaction, the tests' rolled-back connection, a
    read session's autocommit), about 100 µs of CPU a statement where SQLAlchemy's async execution costs ~600.
    The columns' result processors are applied (an enum column is read back as its members), the binds'
    processors too; rows are made by `row`, called with the selected columns positionally (a `NamedTuple`
    whose fields are the columns' keys is checked at construction), or are plain named tuples without it.
    Pending ORM changes are flushed first, as a session's autoflush does. Only for reads of columns: no ORM
    objects, no identity map, no lazy loads; an expanding `IN` is refused (use `= any(:ids)`).

    Example::

        class UserRow(NamedTuple):
            id: uuid.UUID
            email: str

        USER_BY_ID = Query(select(User.id, User.email).where(User.id == bindparam("id")), UserRow)

        row = await USER_BY_ID.one(session, id=user_id)  # UserRow | None
    """

    __slots__ = ("_binds", "_processors", "_required", "_row", "sql", "statement")

    @overload
    def __init__(self: Query[Any], statement: Select[Any]) -> None: ...

    @overload
    def __init__(self, statement: Select[Any], row: Callable[..., R]) -> None: ...

    def __init__(self, statement: Select[Any], row: Callable[..., Any] | None = None) -> None:
        compiled = statement.compile(dialect=_ASYNCPG)
        sql = str(compiled)
        if "POSTCOMPILE" in sql:
            raise ValueError(f"a Query cannot expand an IN list or render a literal at run time: {sql}")
        keys = list(statement.selected_columns.keys())
        fields: tuple[str, ...] | None = getattr(row, "_fields", None) if row is not None else None
        if fields is not None and tuple(fields) != tuple(keys):
            raise ValueError(f"the row's fields {list(fields)} are not the selected columns {keys}, in order")
        if row is None:
            if len(set(keys)) != len(keys) or not all(key.isidentifier() for key in keys):
                raise ValueError(f"selected columns {keys} need unique names: label them, or pass a row type")
            # The fields are only known here, so no NamedTuple class can be written for them.
            self._row: Callable[..., R] = namedtuple("Row", keys)  # type: ignore[misc,assignment]
        else:
            self._row = row
        self.statement = statement
        self.sql = sql
        # Per `$n`, in order: the name, the bind's processor, the value the statement holds (None if required).
        self._binds: list[tuple[str, Callable[[Any], Any] | None, Any]] = []
        self._required: set[str] = set()
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(_ASYNCPG).bind_processor(_ASYNCPG)
            self._binds.append((name, processor, None if bind.required else bind.effective_value))
            if bind.required:
                self._required.add(name)
        self._processors = [
            (index, processor)
            for index, column in enumerate(statement.selected_columns)
            if (processor := column.type.dialect_impl(_ASYNCPG).result_processor(_ASYNCPG, None)) is not None
        ]

    async def all(self, session: AsyncSession, **params: Any) -> list[R]:
        """Every row."""
        make = self._row
        return [make(*values) for values in await self._values(session, params)]

    async def one(self, session: AsyncSession, **params: Any) -> R | None:
        """The first row, or None when there is none."""
        rows = await self._values(session, params)
        return self._row(*rows[0]) if rows else None

    async def scalar(self, session: AsyncSession, **params: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        rows = await self._values(session, params)
        return rows[0][0] if rows else None

    def _arguments(self, params: Mapping[str, Any]) -> list[Any]:
        if missing := self._required - params.keys():
            raise TypeError(f"missing parameter(s) {sorted(missing)} of the query {self.sql!r}")
        if unknown := params.keys() - {name for name, _, _ in self._binds}:
            raise TypeError(f"unknown parameter(s) {sorted(unknown)} for the query {self.sql!r}")
        arguments = []
        for name, processor, held in self._binds:
            value = params.get(name, held)
            arguments.append(processor(value) if processor is not None else value)
        return arguments

    async def _values(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """The rows' values, processed."""
        arguments = self._arguments(params)
        if session.autoflush and (session.new or session.dirty or session.deleted):
            await session.flush()
        bind = session.bind
        if (
            isinstance(bind, AsyncEngine)
            and not session.in_transaction()
            and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        ):
            # A read session that holds no connection yet: the statement borrows one from the pool for itself,
            # without the session's and Connection's machinery around a checkout (half of a fast read's CPU).
            # Under autocommit nothing ties it to the session's later statements.
            borrowed = _checkout_without_io(bind.sync_engine) or await bind.raw_connection()

            async def invalidate_borrowed(exc: BaseException) -> None:
                borrowed.invalidate(exc)

            try:
                return self._processed(await self._fetch(borrowed.driver_connection, arguments, invalidate_borrowed))
            finally:
                pool = bind.sync_engine.pool
                if isinstance(pool, QueuePool) and pool.checkedin() < pool.size():
                    # Into a queue with room: the pool closes nothing and nothing awaits (a connection the
                    # statement invalidated is already closed), so SQLAlchemy's greenlet (~30 µs) is not needed.
                    borrowed.close()
                else:
                    # A connection beyond the pool's size is closed on return, an await on asyncpg that fails
                    # outside SQLAlchemy's greenlet and leaves the server connection open.
                    await greenlet_spawn(borrowed.close)
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        if not (driver.is_in_transaction() or getattr(raw.dbapi_connection, "autocommit", False)):
            # A transaction's first statement: SQLAlchemy's adapter issues its BEGIN, which a statement on the
            # driver would skip, so that one goes through SQLAlchemy (its rows come processed).
            return (await connection.execute(self.statement, dict(params))).all()
        return self._processed(await self._fetch(driver, arguments, connection.invalidate))

    async def _fetch(
        self,
        driver: asyncpg.Connection,
        arguments: list[Any],
        invalidate: Callable[[BaseException], Awaitable[None]],
    ) -> list[asyncpg.Record]:
        try:
            return await driver.fetch(self.sql, *arguments)  # type: ignore[no-any-return]
        except Exception as exc:
            if not driver.is_closed():
                raise
            # A dropped connection, as SQLAlchemy's dialect tells one: it is not returned to the pool, and the
            # caller sees the error a statement through the session would raise.
            await invalidate(exc)
            raise DBAPIError(self.sql, arguments, exc, connection_invalidated=True) from exc

    def _processed(self, records: list[asyncpg.Record]) -> Sequence[Sequence[Any]]:
        if not self._processors:
            return records
        rows = []
        for record in records:
            values = list(record)
            for index, processor in self._processors:
                values[index] = processor(values[index])
            rows.append(values)
        return rows


def make_sessionmaker(engine: AsyncEngine, *, service: str, schema: str) -> async_sessionmaker[AsyncSession]:
    """`service` names the source of staged events, `schema` the outbox's NOTIFY channel."""
    return async_sessionmaker(engine, expire_on_commit=False, info={"service": service, "schema": schema})


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The one transaction boundary: COMMIT on success, ROLLBACK on any exception, except a DomainError whose
    `commits` is set, whose state change is committed before it propagates. The outbox rows share the fate
    of the write."""
    from kit.errors import DomainError
    from kit.outbox import stage_events

    committed_refusal: DomainError | None = None
    async with sessions() as session, session.begin():
        try:
            yield session
        except DomainError as exc:
            if not exc.commits:
                raise
            committed_refusal = exc
        await stage_events(session)
    if committed_refusal is not None:
        raise committed_refusal


def make_read_sessionmaker(engine: AsyncEngine, *, service: str, schema: str) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads only, on autocommit connections: no BEGIN before the first statement and no ROLLBACK
    at the end, two round trips fewer per read. Under READ COMMITTED each statement of a transaction sees its
    own snapshot anyway, so a read sees nothing different. Never write through one: nothing would stage events."""
    return make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), service=service, schema=schema)


# Async, like every dependency of the kit: FastAPI runs a plain `def` dependency in its thread pool, a thread
# hand-off per request for a dictionary lookup.
async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions  # type: ignore[no-any-return]


# Where `get_read_session` leaves the closing of the sessions it opened: `kit.app`'s request middleware sets
# a list in the request's scope and hands it to `close_read_sessions` once the request is answered. Each entry
# is the session and the idle list of the read sessionmaker it came from (None for a test's sessions).
SESSIONS_TO_CLOSE = "kit.sessions_to_close"

# Read sessions kept between requests, per read sessionmaker: making an `AsyncSession` (and the `Session` in
# it) is ~30 µs of a read that often only runs a `Query`, which never touches the session's own state.
_IDLE: WeakKeyDictionary[async_sessionmaker[AsyncSession], list[AsyncSession]] = WeakKeyDictionary()
IDLE_READ_SESSIONS = 32


async def get_read_session(request: Request) -> AsyncSession:
    """Not a generator dependency: FastAPI runs one through an exit stack, a context manager and a shielded
    cancel scope, a tenth of a by-id read's CPU; the request middleware closes the session instead."""
    to_close: list[tuple[AsyncSession, list[AsyncSession] | None]] | None = request.scope.get(SESSIONS_TO_CLOSE)
    if to_close is None:
        raise RuntimeError("ReadSession needs the request middleware of kit.app.create_service_app")
    state = request.app.state
    sessions = state.sessions
    # The read sessions go with the sessionmaker they were made from; a test that replaced `state.sessions`
    # with its rolled-back ones reads through those (never kept: they belong to the test's transaction).
    made_from, read_sessions = getattr(state, "read_sessions", (None, sessions))
    if made_from is not sessions:
        session: AsyncSession = sessions()
        to_close.append((session, None))
        return session
    idle = _IDLE.get(read_sessions)
    if idle is None:
        idle = _IDLE[read_sessions] = []
    session = idle.pop() if idle else read_sessions()
    to_close.append((session, idle))
    return session


async def close_read_sessions(to_close: Sequence[tuple[AsyncSession, list[AsyncSession] | None]]) -> None:
    """Closes a request's read sessions; read sessions are kept for the next request. One that began nothing
    and holds no object (a `Query` borrows its own connection) has nothing to close: it is kept as it is."""
    for session, idle in to_close:
        untouched = not session.in_transaction() and not session.identity_map and not session.new
        if not untouched:
            await session.close()  # a closed session is as new: SQLAlchemy allows its reuse
        if idle is not None and len(idle) < IDLE_READ_SESSIONS:
            idle.append(session)


Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
ReadSession = Annotated[AsyncSession, Depends(get_read_session)]

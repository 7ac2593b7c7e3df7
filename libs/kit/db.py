"""Async SQLAlchemy: one engine per service with its schema on the search_path, and the transaction
boundary that stages aggregates' recorded events as outbox rows before COMMIT."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Enum, MetaData, Select, bindparam, event, inspect, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

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


def make_engine(
    database_url: str,
    schema: str,
    *,
    pool_size: int = 10,
    pre_ping: bool = True,
    ping_idle_seconds: float = 10.0,
    **kwargs: Any,
) -> AsyncEngine:
    """`pre_ping`, `ping_idle_seconds`: see `ServiceSettings.db_pool_pre_ping` and `db_pool_ping_idle_seconds`,
    which the API's engine follows."""
    engine = create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping and ping_idle_seconds == 0,
        pool_recycle=3600,
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
        **kwargs,
    )
    if pre_ping and ping_idle_seconds > 0:
        _ping_after_idle(engine, ping_idle_seconds)
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
# a list in the request's scope and closes them once the request is answered.
SESSIONS_TO_CLOSE = "kit.sessions_to_close"


async def get_read_session(request: Request) -> AsyncSession:
    """Not a generator dependency: FastAPI runs one through an exit stack, a context manager and a shielded
    cancel scope, a tenth of a by-id read's CPU; the request middleware closes the session instead."""
    to_close: list[AsyncSession] | None = request.scope.get(SESSIONS_TO_CLOSE)
    if to_close is None:
        raise RuntimeError("ReadSession needs the request middleware of kit.app.create_service_app")
    state = request.app.state
    sessions = state.sessions
    # The read sessions go with the sessionmaker they were made from; a test that replaced `state.sessions`
    # with its rolled-back ones reads through those.
    made_from, read_sessions = getattr(state, "read_sessions", (None, sessions))
    session: AsyncSession = (read_sessions if made_from is sessions else sessions)()
    to_close.append(session)
    return session


Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
ReadSession = Annotated[AsyncSession, Depends(get_read_session)]

"""What the kit does to keep a request cheap, and that each saving keeps the behaviour it replaced: reads
without BEGIN/ROLLBACK, no ping per checkout, sampled tracing, correlation ids."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit.app import create_service_app
from kit.db import ReadSession, make_engine
from kit.observability import trace_sampler
from kit.settings import ServiceSettings
from kit.testing import superuser_url, terminate_backend

router = APIRouter()

# The id of the statement's transaction: the same for two statements only inside one BEGIN block.
TRANSACTION_ID = text("SELECT pg_current_xact_id()::text")


@router.get("/own-transaction")
async def own_transaction(session: ReadSession) -> dict[str, bool]:
    first, second = await session.scalar(TRANSACTION_ID), await session.scalar(TRANSACTION_ID)
    return {"own": first != second}


@pytest.fixture
async def app(settings: ServiceSettings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_service_app(settings, routers=[router])
    async with LifespanManager(app):
        yield app


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_read_session_runs_each_statement_without_a_begin_and_rollback(app: FastAPI) -> None:
    async with client_of(app) as client:
        answer = await client.get("/own-transaction")
    assert answer.json() == {"own": True}


async def test_a_read_sessions_connection_is_back_in_the_pool_once_the_request_is_answered(app: FastAPI) -> None:
    async with client_of(app) as client:
        for _ in range(3):
            assert (await client.get("/own-transaction")).status_code == 200
    assert app.state.engine.pool.checkedout() == 0


async def test_a_test_that_replaced_the_sessions_reads_through_its_own_transaction(
    app: FastAPI, sessions: async_sessionmaker[AsyncSession]
) -> None:
    app.state.sessions = sessions
    async with client_of(app) as client:
        answer = await client.get("/own-transaction")
    assert answer.json() == {"own": False}


async def test_without_a_ping_a_dropped_connection_fails_one_statement_and_the_next_reconnects() -> None:
    engine = make_engine(superuser_url(), "public", pool_size=1, pre_ping=False)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        await terminate_backend(pid)
        with pytest.raises(DBAPIError) as failed:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def _kill_pooled_connection(engine: AsyncEngine) -> int:
    """Checks out the pool's one connection, puts it back, and has the server terminate it: its pid."""
    async with engine.connect() as conn:
        pid = int(await conn.scalar(text("SELECT pg_backend_pid()")))
    await terminate_backend(pid)
    return pid


async def test_a_connection_idle_past_the_ping_threshold_is_pinged_and_a_dropped_one_replaced_unseen() -> None:
    engine = make_engine(superuser_url(), "public", pool_size=1, ping_idle_seconds=0.05)
    try:
        pid = await _kill_pooled_connection(engine)
        await asyncio.sleep(0.2)  # idle longer than the threshold
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def test_a_connection_used_within_the_ping_threshold_is_not_pinged() -> None:
    engine = make_engine(superuser_url(), "public", pool_size=1, ping_idle_seconds=3600)
    try:
        await _kill_pooled_connection(engine)
        # No ping, so the dropped connection is only found by the statement, which fails once.
        with pytest.raises(DBAPIError) as failed:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
    finally:
        await engine.dispose()


def sampled_parent(sampled: bool) -> object:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    context = SpanContext(trace_id=uuid.uuid4().int, span_id=42, is_remote=True, trace_flags=flags)
    return set_span_in_context(NonRecordingSpan(context))


def decision(sampler_ratio: float, *, endpoint: str = "http://127.0.0.1:4318", parent: object = None) -> Decision:
    sampler = trace_sampler(endpoint, sampler_ratio)
    return sampler.should_sample(parent, uuid.uuid4().int, "GET").decision  # type: ignore[arg-type]


def test_traces_started_here_are_recorded_at_the_configured_ratio() -> None:
    assert decision(1.0) == Decision.RECORD_AND_SAMPLE
    assert decision(0.0) == Decision.DROP


def test_a_callers_sampling_decision_is_followed_whatever_the_ratio() -> None:
    assert decision(0.0, parent=sampled_parent(True)) == Decision.RECORD_AND_SAMPLE
    assert decision(1.0, parent=sampled_parent(False)) == Decision.DROP


def test_nothing_is_recorded_without_an_exporter() -> None:
    assert decision(1.0, endpoint="") == Decision.DROP
    assert decision(1.0, endpoint="", parent=sampled_parent(True)) == Decision.DROP


def test_a_sample_ratio_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="trace_sample_ratio"):
        ServiceSettings(service_name="kit_test", trace_sample_ratio=1.5)


async def test_a_request_id_is_adopted_as_the_correlation_id_and_a_generated_one_is_a_uuid4(app: FastAPI) -> None:
    async with client_of(app) as client:
        adopted = await client.get("/health", headers={"x-request-id": "req-7"})
        preferred = await client.get("/health", headers={"x-request-id": "req-7", "x-correlation-id": "corr-8"})
        generated = await client.get("/health")
    assert adopted.headers["x-correlation-id"] == "req-7"
    assert preferred.headers["x-correlation-id"] == "corr-8"
    assert uuid.UUID(generated.headers["x-correlation-id"]).version == 4

"""What the kit does to keep a request cheap, and that each saving keeps the behaviour it replaced: reads
without BEGIN/ROLLBACK, no ping per checkout, sampled tracing, correlation ids."""

from __future__ import annotations

import asyncio
import datetime
import gc
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI, Request
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags, set_span_in_context
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit import observability
from kit.app import create_service_app
from kit.auth import CurrentUser, require_roles
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


@router.get("/session-state")
async def session_state(session: ReadSession) -> dict[str, object]:
    """The read session as the route receives it, then used through the ORM (a transaction begun, a row held)."""
    received = {"id": id(session), "begun": session.in_transaction(), "held": len(session.identity_map)}
    await session.scalar(TRANSACTION_ID)
    return received


@router.get("/backend")
async def backend(session: ReadSession) -> dict[str, int]:
    """The server process behind the read's connection, held a little so that concurrent reads overlap."""
    pid = await session.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.2)"))
    return {"pid": int(pid)}


@router.get("/guarded-me", dependencies=[require_roles("hr")])
async def guarded_me(user: CurrentUser, request: Request) -> dict[str, object]:
    return {"id": user.user_id, "same": request.scope["kit.principal"] is user, "company": user.company_id}


@router.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, object]:
    """Answers 500 for item 0 (a bug), else the trace id current in the handler."""
    if item_id == 0:
        raise RuntimeError("a bug")
    return {"trace_id": format(trace.get_current_span().get_span_context().trace_id, "032x")}


@router.get("/bound")
async def bound() -> dict[str, bool]:
    """Binds a log context, and logs what structlog renders for the access line's fields, in the request."""
    structlog.contextvars.bind_contextvars(tenant="t-1")
    structlog.get_logger("kit.http_access").info(
        "http.request", method="GET", path="/bound", route="/bound", status=200, duration_ms=1.0
    )
    return {"ok": True}


@router.get("/plain/{name}")
async def plain(name: str) -> dict[str, bool]:
    """Logs what structlog renders for the access line's fields, with nothing bound to the log context."""
    structlog.get_logger("kit.http_access").info(
        "http.request", method="GET", path=f"/plain/{name}", route="/plain/{name}", status=200, duration_ms=1.0
    )
    return {"ok": True}


# A router included in a router, as the services nest theirs: its routes are served under both prefixes.
outer = APIRouter(prefix="/api")
inner = APIRouter(prefix="/invitations")


@inner.get("/{invitation_id}/responses")
async def responses(invitation_id: str) -> dict[str, str]:
    return {"id": invitation_id}


outer.include_router(inner)


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


async def test_the_api_opens_at_most_its_pool_size_of_connections_and_keeps_every_one_it_opened(
    settings: ServiceSettings, engine: AsyncEngine
) -> None:
    """Connections opened past a kept pool (SQLAlchemy's overflow) were closed on return, so a load above the
    pool's size opened a server connection for most of its reads; now the pool is the bound and keeps them."""
    app = create_service_app(settings.model_copy(update={"db_pool_size": 2}), routers=[router])
    async with LifespanManager(app), client_of(app) as client:
        first = {r.json()["pid"] for r in await asyncio.gather(*(client.get("/backend") for _ in range(3)))}
        pool = app.state.engine.pool
        assert len(first) == 2, "a third connection was opened past the pool's size"
        assert (pool.checkedin(), pool.checkedout()) == (2, 0)
        again = {r.json()["pid"] for r in await asyncio.gather(*(client.get("/backend") for _ in range(2)))}
    assert again == first, "a connection was closed after its read and another opened"


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


async def test_a_read_session_kept_for_the_next_request_begins_it_with_nothing_begun_or_held(app: FastAPI) -> None:
    async with client_of(app) as client:
        first = (await client.get("/session-state")).json()
        second = (await client.get("/session-state")).json()
    assert second["id"] == first["id"]  # the same session, kept
    assert (second["begun"], second["held"]) == (False, 0)
    assert app.state.engine.pool.checkedout() == 0


async def test_a_role_guard_and_the_current_user_read_the_identity_headers_once(app: FastAPI) -> None:
    headers = {"x-internal-token": "test-internal-token", "x-user-id": "u1"}
    async with client_of(app) as client:
        hr = await client.get("/guarded-me", headers={**headers, "x-user-role": "hr"})
        candidate = await client.get("/guarded-me", headers={**headers, "x-user-role": "candidate"})
        forged = await client.get("/guarded-me", headers={"x-user-id": "u1", "x-user-role": "hr"})
    assert hr.json() == {"id": "u1", "same": True, "company": None}
    assert (candidate.status_code, candidate.json()["code"]) == (403, "FORBIDDEN")
    assert (forged.status_code, forged.json()["code"]) == (401, "UNAUTHORIZED")


async def test_the_access_line_has_the_keys_structlog_renders_in_their_order_and_the_bound_context(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        async with client_of(app) as client:
            await client.get("/bound", headers={"x-correlation-id": "corr-9"})
    finally:
        structlog.contextvars.clear_contextvars()
    rendered, direct = (json.loads(line) for line in capsys.readouterr().out.splitlines()[-2:])
    assert list(direct) == list(rendered)
    assert (direct["event"], direct["route"], direct["status"]) == ("http.request", "/bound", 200)
    assert (direct["correlationId"], direct["tenant"]) == ("corr-9", "t-1")
    assert (direct["trace_id"], direct["service"]) == (rendered["trace_id"], rendered["service"])
    assert direct["timestamp"].endswith("Z") and isinstance(direct["duration_ms"], float)


async def test_the_access_line_with_nothing_bound_is_written_as_structlog_and_json_dumps_write_it(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_of(app) as client:
        await client.get("/plain/caf%C3%A9%22%5C", headers={"x-correlation-id": 'corr-"10"'})
    rendered_line, direct_line = capsys.readouterr().out.splitlines()[-2:]
    rendered, direct = json.loads(rendered_line), json.loads(direct_line)
    assert direct_line == json.dumps(direct)  # the same separators and escapes
    assert list(direct) == list(rendered)
    assert {k: v for k, v in direct.items() if k not in ("timestamp", "duration_ms")} == {
        k: v for k, v in rendered.items() if k not in ("timestamp", "duration_ms")
    }
    assert direct["path"] == '/plain/café"\\' and direct["correlationId"] == 'corr-"10"'
    assert direct["timestamp"].endswith("Z") and isinstance(direct["duration_ms"], float)


@pytest.mark.parametrize("now", [1_700_000_000.25, 1_700_000_000.0, 1_700_000_001.5])
def test_the_access_line_s_timestamp_is_the_iso_form_structlog_writes(
    now: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(observability.time, "time", lambda: now)
    expected = datetime.datetime.fromtimestamp(now, tz=datetime.UTC).isoformat().replace("+00:00", "Z")
    assert observability._utc_timestamp() == expected


async def test_the_identity_headers_give_the_primary_role_of_the_roles_and_the_company(app: FastAPI) -> None:
    headers = {"x-internal-token": "test-internal-token", "x-user-id": "u2", "x-company-id": "c-1"}
    async with client_of(app) as client:
        by_roles = await client.get("/guarded-me", headers={**headers, "x-user-roles": "candidate, hr"})
        only_candidate = await client.get("/guarded-me", headers={**headers, "x-user-roles": "candidate"})
        unknown = await client.get("/guarded-me", headers={**headers, "x-user-role": "root"})
        long_company = await client.get(
            "/guarded-me", headers={**headers, "x-user-role": "hr", "x-company-id": "c" * 65}
        )
    assert by_roles.json() == {"id": "u2", "same": True, "company": "c-1"}
    assert only_candidate.status_code == 403
    assert (unknown.status_code, long_company.status_code) == (401, 401)


@pytest.fixture
def recorded_spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """The spans of an app built after this, every one recorded (the process's tracer provider records none)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "get_tracer", provider.get_tracer)
    return exporter


def server_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind == SpanKind.SERVER]


async def test_a_request_has_one_server_span_continuing_the_callers_trace_named_after_its_route(
    recorded_spans: InMemorySpanExporter, app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    caller_trace, caller_span = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    async with client_of(app) as client:
        answer = await client.get("/items/7", headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"})
    (span,) = server_spans(recorded_spans)
    assert span.name == "GET /items/{item_id}"
    assert format(span.context.trace_id, "032x") == caller_trace == answer.json()["trace_id"]
    assert span.parent is not None and format(span.parent.span_id, "016x") == caller_span
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "http.request.method": "GET",
        "url.scheme": "http",
        "url.path": "/items/7",
        "http.route": "/items/{item_id}",
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    access = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if "/items/7" in line)
    assert access["trace_id"] == caller_trace


async def test_a_request_without_trace_headers_starts_a_trace_and_a_bug_marks_its_span_an_error(
    recorded_spans: InMemorySpanExporter, app: FastAPI
) -> None:
    async with client_of(app) as client:
        started = await client.get("/items/3")
        failed = await client.get("/items/0")
        unknown = await client.get("/no-such-route")
    assert (started.status_code, failed.status_code, unknown.status_code) == (200, 500, 404)
    ok, bug, unmatched = server_spans(recorded_spans)
    assert ok.parent is None and format(ok.context.trace_id, "032x") == started.json()["trace_id"]
    assert bug.status.status_code == StatusCode.ERROR
    assert bug.attributes is not None and bug.attributes["error.type"] == "500"
    assert unmatched.name == "GET" and unmatched.attributes is not None and "http.route" not in unmatched.attributes


async def test_health_ready_and_metrics_make_no_span(recorded_spans: InMemorySpanExporter, app: FastAPI) -> None:
    async with client_of(app) as client:
        await client.get("/health")
        await client.get("/metrics")
    assert recorded_spans.get_finished_spans() == ()


async def test_once_started_the_apps_objects_are_out_of_the_full_collections_reach(
    settings: ServiceSettings, engine: AsyncEngine
) -> None:
    gc.unfreeze()
    app = create_service_app(settings, routers=[router])
    async with LifespanManager(app):
        assert gc.get_freeze_count() > 0
        assert not any(tracked is app for tracked in gc.get_objects())


async def test_a_second_app_started_in_the_same_process_freezes_nothing_more(
    settings: ServiceSettings, engine: AsyncEngine
) -> None:
    async with LifespanManager(create_service_app(settings, routers=[router])):
        frozen = gc.get_freeze_count()
    async with LifespanManager(create_service_app(settings, routers=[router])):
        # Not equal: a frozen object freed by its reference count leaves the frozen set.
        assert gc.get_freeze_count() <= frozen


async def test_a_route_of_a_router_included_in_a_router_is_labelled_with_its_whole_path_template(
    recorded_spans: InMemorySpanExporter, settings: ServiceSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_service_app(settings, routers=[outer])
    async with LifespanManager(app), client_of(app) as client:
        answer = await client.get("/api/invitations/7/responses")
        metrics = (await client.get("/metrics")).text
    template = "/api/invitations/{invitation_id}/responses"
    assert answer.json() == {"id": "7"}
    (span,) = server_spans(recorded_spans)
    assert span.name == f"GET {template}"
    assert span.attributes is not None and span.attributes["http.route"] == template
    access = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if "/invitations/7" in line)
    assert access["route"] == template
    assert f'route="{template}"' in metrics
    assert 'route="/invitations/{invitation_id}/responses"' not in metrics

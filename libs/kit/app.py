"""The app factory every service uses: lifespan resources, correlation id, access log, RED metrics,
the error envelope, /health, /ready, /metrics, OpenTelemetry."""

from __future__ import annotations

import asyncio
import gc
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal

import structlog
from aiokafka import AIOKafkaClient
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.bodylimit import BodyLimitMiddleware
from kit.db import SESSIONS_TO_CLOSE, close_read_sessions, make_engine, make_read_sessionmaker, make_sessionmaker
from kit.direct import install as install_direct_routes
from kit.errors import error_response, install_error_handlers
from kit.observability import (
    HTTP_DURATION,
    HTTP_IN_FLIGHT,
    HTTP_REQUESTS,
    OUTBOX_BACKLOG,
    access_line,
    configure_logging,
    configure_tracing,
    correlation_id,
)
from kit.routing import ServeDirectly, route_template
from kit.routing import install as install_route_index
from kit.schemas import ErrorEnvelope
from kit.settings import ServiceSettings

log = structlog.get_logger("kit.http_access")

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
UNLOGGED_PATHS = frozenset({"/health", "/ready", "/metrics"})


class RequestContextMiddleware:
    """Adopts or generates the correlation id, echoes it, logs the request, records RED metrics and makes the
    request's server span (but for /health, /ready and /metrics): the caller's trace continued, current while
    the request is handled (the logs' trace ids, traceparent on outgoing calls and outbox rows), named after the
    route, an error from a 5xx on. Its attributes are only computed for a span that is recorded."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.tracer = trace.get_tracer("kit.app")
        # The headers the configured propagator reads (traceparent, tracestate, baggage by default).
        self.trace_headers = frozenset(name.encode("latin-1") for name in propagate.get_global_textmap().fields)
        self.in_flight = HTTP_IN_FLIGHT.labels(service)
        # The metric children per (method, route, status), looked up once: `labels()` takes a lock and builds
        # a key on every call. Bounded: routes are templates, and "unmatched" stands for every unknown path.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        adopted, carrier = _scan_headers(scope["headers"], self.trace_headers)
        # Unique, not secret: a random v4 UUID without uuid4()'s urandom system call on every request.
        cid = adopted or str(uuid.UUID(int=random.getrandbits(128), version=4))
        # The log lines' correlationId comes from this (`kit.observability` adds it to every line).
        token = correlation_id.set(cid[:128])
        status = 500
        answered = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [
                    *(h for h in message["headers"] if h[0].lower() != b"x-correlation-id"),
                    (b"x-correlation-id", cid[:128].encode("latin-1")),
                ]
            await send(message)

        in_flight = self.in_flight
        in_flight.inc()
        to_close: list[tuple[AsyncSession, list[AsyncSession] | None]] = []
        scope[SESSIONS_TO_CLOSE] = to_close
        span = span_token = None
        if scope["path"] not in UNLOGGED_PATHS:
            # Without trace headers the current context is the parent, as the propagator's extract would give.
            parent = propagate.extract(carrier) if carrier else None
            span = self.tracer.start_span(scope["method"], context=parent, kind=SpanKind.SERVER)
            span_token = otel_context.attach(trace.set_span_in_context(span, parent))
        failed = False
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            failed = True
            # Starlette answers a handler for `Exception` from its outermost layer, outside this one, where the
            # correlation id is gone: a bug is answered here instead, within the request's context.
            if answered:  # the answer had begun: nothing more can be sent
                raise
            log.exception("http.unhandled_error", path=scope["path"])
            await error_response(Request(scope), 500, "INTERNAL_ERROR", "Internal server error")(
                scope, receive, send_with_id
            )
        finally:
            in_flight.dec()
            elapsed = time.perf_counter() - started
            matched = route_template(scope)
            template = matched or "unmatched"
            method = scope["method"]
            children = self._children.get((method, template, status))
            if children is None:
                children = self._children[(method, template, status)] = (
                    HTTP_REQUESTS.labels(self.service, method, template, str(status)),
                    HTTP_DURATION.labels(self.service, method, template),
                )
            children[0].inc()
            children[1].observe(elapsed)
            if span is not None:
                access_line(method, scope["path"], template, status, round(elapsed * 1000, 2))
                if span.is_recording():
                    _describe(span, scope, matched, status, failed)
                span.end()
                otel_context.detach(span_token)  # type: ignore[arg-type]
            correlation_id.reset(token)
            if to_close:  # after the answer was sent: returning a connection to the pool can wait
                await close_read_sessions(to_close)


def _started(app: FastAPI) -> None:
    """Once every router is included: the routes that qualify skip FastAPI's dependency solve, and the heap is
    frozen."""
    install_direct_routes(app)
    _freeze_heap()


def _freeze_heap() -> None:
    """What the started app holds for good (modules, routes, models: ~165k objects) leaves the collector's reach:
    a full collection scanned all of it every few thousand requests, ~120 ms each, ~20 µs a read on average.
    Garbage is collected first, so none is kept for good. Once per process: a second app started in it (tests
    start hundreds) would pay a full collection each time and keep for good whatever cycles it froze."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def _scan_headers(
    headers: Sequence[tuple[bytes, bytes]], trace_headers: frozenset[bytes]
) -> tuple[str | None, dict[str, str] | None]:
    """The caller's x-correlation-id, else its x-request-id; and its trace headers, if any (one pass over the
    headers, not a dict of all of them per request)."""
    correlation = request_id = None
    carrier: dict[str, str] | None = None
    for name, value in headers:
        if name == b"x-correlation-id" and value and correlation is None:
            correlation = value.decode("latin-1")
        elif name == b"x-request-id" and value and request_id is None:
            request_id = value.decode("latin-1")
        elif name in trace_headers:
            if carrier is None:
                carrier = {}
            key = name.decode("latin-1")
            # Repeated headers are one comma-separated list, as the propagators read a list of values.
            carrier[key] = f"{carrier[key]},{value.decode('latin-1')}" if key in carrier else value.decode("latin-1")
    return correlation or request_id, carrier


def _describe(span: Span, scope: Scope, route: str | None, status: int, failed: bool) -> None:
    """The HTTP server span's name and attributes (OpenTelemetry's semantic conventions)."""
    method = scope["method"]
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.scheme": scope.get("scheme", "http"),
        "url.path": scope["path"],
        "http.response.status_code": status,
    }
    if scope.get("http_version"):
        attributes["network.protocol.version"] = scope["http_version"]
    if route is not None:
        attributes["http.route"] = route
        span.update_name(f"{method} {route}")
    if failed or status >= 500:
        attributes["error.type"] = str(status)
        span.set_status(StatusCode.ERROR)
    span.set_attributes(attributes)


async def _check_kafka(settings: ServiceSettings) -> None:
    client = AIOKafkaClient(
        bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=2000, **settings.kafka_client_options()
    )
    try:
        await client.bootstrap()
    finally:
        await client.close()


def create_service_app(
    settings: ServiceSettings,
    *,
    routers: Sequence[APIRouter] = (),
    lifespan: Lifespan | None = None,
    title: str | None = None,
    description: str = "",
    version: str = "0.1.0",
    database: bool = True,
    own_health: bool = False,
    stale_version_code: str = "VERSION_CONFLICT",
    body_limits: Mapping[str, int] | None = None,
    middleware: Sequence[Middleware] = (),
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    serve_directly: ServeDirectly | None = None,
) -> FastAPI:
    """`body_limits`: route path templates whose request bodies may be larger than `settings.max_body_bytes`.
    `middleware`: the service's own, run inside the request context (its answers carry the correlation id and
    are logged and counted), outermost first. `ready_checks`: the service's own dependencies `/ready` probes
    besides the database, Kafka and Redis (name → a check that raises while the dependency is not usable).
    `serve_directly`: the routes the service answers without FastAPI's request handling (`kit.routing`)."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio)

    @asynccontextmanager
    async def app_lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.redis = Redis.from_url(settings.redis_url)
        engine = None
        if database:
            engine = make_engine(
                settings.database_url,
                settings.schema_name,
                pool_size=settings.db_pool_size,
                max_overflow=0,
                pre_ping=settings.db_pool_pre_ping,
                ping_idle_seconds=settings.db_pool_ping_idle_seconds,
            )
            if settings.otlp_endpoint:
                # Query spans only where spans are exported: the instrumentation costs every query a span
                # even when nothing records it. Imported here: it costs every process a second at start-up.
                from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

                SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)
            app.state.engine = engine
            names = {"service": settings.service_name, "schema": settings.schema_name}
            app.state.sessions = make_sessionmaker(engine, **names)
            app.state.read_sessions = (app.state.sessions, make_read_sessionmaker(engine, **names))
        try:
            if lifespan is not None:
                async with lifespan(app):
                    _started(app)
                    yield
            else:
                _started(app)
                yield
        finally:
            await app.state.redis.aclose()
            if engine is not None:
                await engine.dispose()

    app = FastAPI(
        title=title or f"{settings.service_name} service",
        description=description,
        version=version,
        lifespan=app_lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        # The request's server span is `RequestContextMiddleware`'s: FastAPI's own cost a read 50-100 µs with no
        # span recorded (two header copies, a URL parse, its attributes, a walk of the middleware stack).
        # No OTel metrics or logs either: Prometheus and structlog have them.
        telemetry={"tracing": False, "operation_spans": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    install_error_handlers(app, stale_version_code=stale_version_code)
    # Inside the request context (a refusal carries the correlation id), outside everything that reads bodies.
    app.add_middleware(BodyLimitMiddleware, default_bytes=settings.max_body_bytes, route_limits=body_limits)
    for extra in reversed(middleware):
        app.add_middleware(extra.cls, *extra.args, **extra.kwargs)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    for router in routers:
        app.include_router(router)
    app.include_router(_ops_router(settings, database=database, health=not own_health, extra_checks=ready_checks or {}))
    _document_errors_as_the_envelope(app)
    install_route_index(app, serve_directly)
    return app


REF = "#/components/schemas/"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _document_errors_as_the_envelope(app: FastAPI) -> None:
    """FastAPI documents a 422 as its own `HTTPValidationError`, but the error handlers answer every error with
    the envelope: the document says what is really sent, so a client generated from it parses the answer."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in schemas:
            for name in FASTAPI_VALIDATION_SCHEMAS:
                schemas.pop(name, None)
            _replace_ref(document, REF + "HTTPValidationError", REF + ErrorEnvelope.__name__)
        # Also where FastAPI validated nothing itself: a route reading its query through `kit.schemas.QueryModel`
        # documents its 422 as the envelope already.
        if _refers_to(document, REF + ErrorEnvelope.__name__):
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas[ErrorEnvelope.__name__] = ErrorEnvelope.model_json_schema(
                by_alias=True, ref_template=REF + "{model}"
            )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _refers_to(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return any(value == ref if key == "$ref" else _refers_to(value, ref) for key, value in node.items())
    if isinstance(node, list):
        return any(_refers_to(value, ref) for value in node)
    return False


def _replace_ref(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and value == old:
                node[key] = new
            else:
                _replace_ref(value, old, new)
    elif isinstance(node, list):
        for value in node:
            _replace_ref(value, old, new)


# A service's own readiness check: raises while its dependency is not usable.
ReadyCheck = Callable[[Request], Awaitable[None]]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    # "up", or "down: <error class>" for each dependency probed.
    checks: dict[str, str]


def _ops_router(
    settings: ServiceSettings, *, database: bool, health: bool, extra_checks: Mapping[str, ReadyCheck]
) -> APIRouter:
    router = APIRouter(tags=["ops"])

    if health:

        @router.get("/health", summary="Liveness")
        async def live() -> dict[str, str]:
            return {"status": "ok", "service": settings.service_name}

    @router.get(
        "/ready",
        summary="Readiness: database, Kafka and Redis reachable",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency is down"}},
    )
    async def ready(request: Request) -> JSONResponse:
        checks: dict[str, Any] = {}

        async def probe(name: str, check: Any) -> None:
            try:
                await asyncio.wait_for(check, 3.0)
                checks[name] = "up"
            except Exception as exc:
                checks[name] = f"down: {type(exc).__name__}"

        probes = [
            probe("redis", request.app.state.redis.ping()),
            probe("kafka", _check_kafka(settings)),
        ]
        if database:
            probes.append(probe("database", _check_db(request)))
        probes += [probe(name, check(request)) for name, check in extra_checks.items()]
        await asyncio.gather(*probes)
        ok = all(v == "up" for v in checks.values())
        return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, 200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if database:
            try:
                await _refresh_backlog(request, settings.service_name)
            except Exception as exc:
                log.warning("metrics.backlog_unavailable", error=repr(exc))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _check_db(request: Request) -> None:
    async with request.app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _refresh_backlog(request: Request, service: str) -> None:
    async with request.app.state.engine.connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    OUTBOX_BACKLOG.labels(service).set(count or 0)

"""The analytics service's app: `uvicorn analytics.main:app`.

The lifespan opens ClickHouse and applies its schema migrations. With the embedded engine it also runs the
consumer (only one process may open the data directory); with a server the consumer is its own process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request

from analytics.api import router
from analytics.consumers import TOPICS
from analytics.ingest import Ingest
from analytics.settings import Settings
from analytics.warehouse import Warehouse
from kit.app import create_service_app
from kit.domain import utcnow

log = structlog.get_logger("analytics.main")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warehouse = app.state.warehouse = Warehouse(settings.warehouse_dsn)
        ingest = Ingest(settings, app.state.sessions, warehouse, TOPICS) if settings.embedded else None

        async def start() -> None:
            # In the background: the embedded engine takes seconds to open on a busy machine, and the app
            # answers /health meanwhile (queries wait for it, see `Warehouse.ready`).
            try:
                await warehouse.open()
                if ingest is not None:
                    await ingest.run()
            except Exception:
                # Queries answer 503 meanwhile; the reason is here (a second process on the embedded data dir
                # fails with "Error initializing EmbeddedServer").
                log.exception("analytics.start_failed")
                raise

        running = asyncio.create_task(start())
        if ingest is not None:
            # The consumer role's liveness for a process that runs several roles (kit.roles).
            app.state.consumer_liveness = lambda: ingest.liveness(running, stall_s=settings.consumer_stall_s)
        try:
            yield
        finally:
            # Cancelled rather than drained: offsets are committed only after a batch is written, and writing a
            # batch again is harmless (events are deduplicated by id), so stopping mid-batch loses nothing and
            # the app stops in a moment even while the consumer is still joining its group.
            running.cancel()
            # A failure was logged when it happened.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await running
            await warehouse.close()

    async def clickhouse_ready(request: Request) -> None:
        warehouse: Warehouse = request.app.state.warehouse
        await warehouse.check()

    app = create_service_app(
        settings,
        ready_checks={"clickhouse": clickhouse_ready},
        routers=[router],
        lifespan=lifespan,
        title="analytics service",
        description="Hiring analytics on ClickHouse: funnels, drop-off, scores, notifications and usage.",
    )
    app.state.clock = utcnow
    return app


app = create_app()

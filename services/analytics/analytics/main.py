"""The analytics service's app: `uvicorn analytics.main:app`.

The lifespan opens ClickHouse and applies its schema migrations. With the embedded engine it also runs the
consumer (only one process may open the data directory); with a server the consumer is its own process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

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
            await warehouse.open()
            if ingest is not None:
                await ingest.run()

        running = asyncio.create_task(start())
        try:
            yield
        finally:
            if ingest is not None:
                ingest.stopping.set()
            # A batch in flight finishes within the grace period; past it the task is cancelled.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(running, 15)
            if running.done() and not running.cancelled() and (error := running.exception()) is not None:
                log.error("analytics.start_failed", error=repr(error))
            await warehouse.close()

    app = create_service_app(
        settings,
        routers=[router],
        lifespan=lifespan,
        title="analytics service",
        description="Hiring analytics on ClickHouse: funnels, drop-off, scores, notifications and usage.",
    )
    app.state.clock = utcnow
    return app


app = create_app()

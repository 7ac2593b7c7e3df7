"""`python -m analytics.consumers`: every domain topic into ClickHouse (see `analytics.ingest`).

With a ClickHouse server (production) this process consumes and the API only reads. With the embedded
engine only one process may open the data directory, so the API process consumes (`analytics.main`) and
this process stays idle until it is stopped, which keeps the one layout of every service's three roles."""

from __future__ import annotations

import asyncio
import signal

import structlog

from analytics.ingest import Ingest
from analytics.settings import Settings
from analytics.warehouse import Warehouse
from kit.contracts import analysis, billing, interviews, media, notifications, users
from kit.db import make_engine, make_sessionmaker
from kit.liveness import start_metrics_server
from kit.observability import configure_logging, configure_tracing

log = structlog.get_logger("analytics.consumers")

TOPICS: list[str] = [
    users.USER_EVENTS,
    interviews.TOPIC,
    media.TOPIC,
    analysis.TOPIC,
    notifications.TOPIC,
    billing.TOPIC,
]


async def main(settings: Settings) -> None:
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    if settings.embedded:
        log.info("kafka.consumer_idle", reason="embedded ClickHouse: the API process consumes")
        if settings.metrics_port:
            idle = {"role": "consumer", "service": settings.service_name, "idle": "the api process consumes"}
            start_metrics_server(settings.metrics_port, settings.host, lambda: (True, idle))
        await stopping.wait()
        return
    warehouse = Warehouse(settings.warehouse_dsn)
    engine = make_engine(settings.database_url, settings.schema_name, pool_size=2)
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    ingest = Ingest(settings, sessions, warehouse, TOPICS)
    running: asyncio.Task[None] | None = None
    if settings.metrics_port:
        # `/health` is the consumer's liveness (as every consumer's), the other paths its metrics.
        start_metrics_server(
            settings.metrics_port, settings.host, lambda: ingest.liveness(running, stall_s=settings.consumer_stall_s)
        )
    try:
        await warehouse.open()
        running = asyncio.create_task(ingest.run())
        waiter = asyncio.create_task(stopping.wait())
        await asyncio.wait({running, waiter}, return_when=asyncio.FIRST_COMPLETED)
        ingest.stopping.set()
        waiter.cancel()
        # A batch in flight finishes within the grace period; past it the process stops anyway.
        await asyncio.wait_for(running, 15)
    finally:
        await warehouse.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(Settings()))

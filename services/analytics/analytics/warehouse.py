"""The adapter to ClickHouse: one `clickhouse-connect` client, embedded (chdb) or a server by DSN, its calls
run in a worker thread (the client is synchronous; chdb releases the GIL while it works), and the versioned
schema migrations, applied in order and recorded in `schema_migrations`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import clickhouse_connect
import structlog
from clickhouse_connect.driver.client import Client

from kit.errors import ServiceUnavailable

log = structlog.get_logger("analytics.warehouse")

SCHEMA = Path(__file__).parent / "schema"
EVENT_COLUMNS = (
    "event_id",
    "type",
    "occurred_at",
    "company_id",
    "template_id",
    "invitation_id",
    "candidate_id",
    "payload",
)
# Mutations (erasure) finish before the call returns, so an erased candidate is gone when the event commits.
_SYNC_MUTATION = {"mutations_sync": 2}


class WarehouseUnavailable(ServiceUnavailable):
    code = "ANALYTICS_UNAVAILABLE"


def _statements(sql: str) -> list[str]:
    without_comments = re.sub(r"^\s*--.*$", "", sql, flags=re.MULTILINE)
    return [s.strip() for s in without_comments.split(";") if s.strip()]


class Warehouse:
    """ClickHouse for one process. Calls are serialized on one thread: a chdb handle runs one query at a time,
    and a server answers these reads in milliseconds."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clickhouse")
        self._client: Client | None = None
        self._ready = asyncio.Event()

    async def open(self) -> None:
        """Connect (or start the embedded engine) and bring the schema up to date; then queries may run."""
        self._client = await self._run(lambda: clickhouse_connect.get_client(dsn=self.dsn))
        await self.migrate()
        self._ready.set()

    async def ready(self, timeout_s: float = 30.0) -> Warehouse:
        """This warehouse once it is open and migrated; a 503 if that takes longer than `timeout_s`."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        except TimeoutError:
            raise WarehouseUnavailable("Analytics storage is starting; try again in a moment.") from None
        return self

    async def check(self) -> None:
        """Raises unless the schema is migrated and ClickHouse answers a query (the service's readiness)."""
        if not self._ready.is_set():
            raise WarehouseUnavailable("Analytics storage is not migrated yet.")
        await self._run(lambda: self.client.query("SELECT 1"))

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await self._run(client.close)
        self._pool.shutdown(wait=True)

    @property
    def client(self) -> Client:
        if self._client is None:
            raise WarehouseUnavailable("Analytics storage is not open yet; try again in a moment.")
        return self._client

    async def _run(self, call: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def migrate(self) -> list[str]:
        """Apply the schema files not applied yet, in name order; returns the versions applied now."""

        def apply() -> list[str]:
            client = self.client
            client.command(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version String, applied_at DateTime('UTC') "
                "DEFAULT now()) ENGINE = MergeTree ORDER BY version"
            )
            done = {row[0] for row in client.query("SELECT version FROM schema_migrations").result_rows}
            applied = []
            for path in sorted(SCHEMA.glob("*.sql")):
                if path.stem in done:
                    continue
                for statement in _statements(path.read_text()):
                    client.command(statement)
                client.insert("schema_migrations", [[path.stem]], column_names=["version"])
                applied.append(path.stem)
            return applied

        applied: list[str] = await self._run(apply)
        if applied:
            log.info("analytics.schema_migrated", versions=applied)
        return applied

    async def insert_events(self, rows: Sequence[Sequence[Any]]) -> None:
        await self._run(lambda: self.client.insert("events", list(rows), column_names=EVENT_COLUMNS))

    async def rows(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        result = await self._run(lambda: self.client.query(sql, parameters=parameters or {}))
        return [tuple(row) for row in result.result_rows]

    async def command(self, sql: str, parameters: dict[str, Any] | None = None, *, sync: bool = False) -> None:
        settings = _SYNC_MUTATION if sync else None
        await self._run(lambda: self.client.command(sql, parameters=parameters or {}, settings=settings))


def as_datetime(value: datetime) -> datetime:
    """ClickHouse DateTime holds whole seconds in UTC."""
    return value.replace(microsecond=0)

"""The analytics service's settings: the kit's, with its name, port and database defaults, where ClickHouse
is and how events are batched into it."""

from __future__ import annotations

from pathlib import Path

from kit.kafka import CONSUMER_STALL_S
from kit.settings import ServiceSettings

# The local stack keeps its embedded ClickHouse data beside the other services' state, under the workspace.
LOCAL_DATA = Path(__file__).resolve().parents[3] / ".local" / "analytics" / "clickhouse"


class Settings(ServiceSettings):
    service_name: str = "analytics"
    port: int = 8008
    database_url: str = "postgresql+asyncpg://analytics:analytics-dev@127.0.0.1:5432/aivi"

    # `chdb:///<absolute data dir>` runs ClickHouse inside this process (the local stack, tests); an
    # `https://user:password@host:8443/database` DSN talks to a ClickHouse server (compose, production).
    # Empty: the local stack's data dir, except under SERVICE_ENV=test, where it is an in-memory engine so a
    # test never opens the data of a running local stack.
    clickhouse_dsn: str = ""

    # Events are inserted in batches of at most this many, or whatever arrived within the flush interval
    # (every insert writes new parts: 5,000-row inserts ran at 0.75x the rate of 20,000-row ones).
    ingest_batch_size: int = 20000
    ingest_flush_ms: int = 500
    # How long the consume loop may go without a poll or a batch before its liveness says it is stuck.
    consumer_stall_s: float = CONSUMER_STALL_S
    # Queries without `from` cover this many days up to `to` (today by default).
    default_range_days: int = 30

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.embedded:
            problems.append("CLICKHOUSE_DSN must name a ClickHouse server (https://...), not the embedded engine")
        return problems

    @property
    def warehouse_dsn(self) -> str:
        if self.clickhouse_dsn:
            return self.clickhouse_dsn
        if self.service_env == "test":
            return "chdb://memory"
        return f"chdb://{LOCAL_DATA}"

    @property
    def embedded(self) -> bool:
        """ClickHouse runs in this process: only one process may open its data, so the API also consumes."""
        return self.warehouse_dsn.startswith("chdb:")

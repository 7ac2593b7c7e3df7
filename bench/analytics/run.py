"""Why analytics sits on a column store, measured: the same 1,000,000 domain events in embedded ClickHouse
(chdb, the service's own write path and funnel query) and in Postgres (the test database, COPY and the same
funnel in SQL), printed side by side:

- ingest: rows per second through `Warehouse.insert_events` in the consumer's batch size (Kafka excluded:
  the broker's rate is the same either way), against COPY into an indexed Postgres table;
- the funnel (invited → … → decided with medians per step, the same SQL semantics on both) of every company
  and of one company: p50 and p90 over repeated runs, the Postgres/ClickHouse ratio, and the time of the
  whole `/funnel` answer (overall plus one funnel per template).

The ClickHouse data lives in a temporary directory and the Postgres table is dropped afterwards.
Usage: `uv run python bench/analytics/run.py [--events N] [--runs N]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from analytics import queries
from analytics.queries import FACTS, STEP_COLUMNS, Scope
from analytics.settings import Settings
from analytics.warehouse import EVENT_COLUMNS, Warehouse
from kit.testing import settings_for_tests

START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 60
# The share of invitations reaching each step after "created", and the step's event type.
STEPS = [
    ("invitation.opened", 0.8),
    ("invitation.started", 0.75),
    ("invitation.completed", 0.8),
    ("analysis.completed", 0.9),
    ("candidate.approved", 0.7),
]


def population(events: int, companies: int, seed: int = 7) -> list[list[Any]]:
    """Invitations of `companies` companies (10 templates each) through the funnel until `events` rows."""
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    company_ids = [str(uuid.uuid4()) for _ in range(companies)]
    templates = {c: [str(uuid.uuid4()) for _ in range(10)] for c in company_ids}
    while len(rows) < events:
        company = rng.choice(company_ids)
        template = rng.choice(templates[company])
        invitation, candidate = str(uuid.uuid4()), str(uuid.uuid4())
        at = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        step = ("invitation.created", 1.0)
        for event_type, share in [step, *STEPS]:
            if rng.random() > share or len(rows) >= events:
                break
            payload = {
                "invitationId": invitation,
                "templateId": template,
                "companyId": company,
                "candidateId": candidate,
                "templateTitle": "Backend engineer",
            }
            if event_type == "analysis.completed":
                payload |= {"overallScore": rng.randrange(101), "recommendation": rng.choice(["hire", "reject"])}
            if event_type == "candidate.approved":
                payload["hrUserId"] = "reviewer"
            rows.append([uuid.uuid4(), event_type, at, company, template, invitation, candidate, json.dumps(payload)])
            at += timedelta(seconds=rng.randrange(600, 86400))
    return rows


PG_FUNNEL = """
WITH facts AS (
    SELECT invitation_id,
        min(occurred_at) FILTER (WHERE type = 'invitation.created') AS invited,
        min(occurred_at) FILTER (WHERE type = 'invitation.opened') AS opened,
        min(occurred_at) FILTER (WHERE type = 'invitation.started') AS started,
        min(occurred_at) FILTER (WHERE type = 'invitation.completed') AS completed,
        min(occurred_at) FILTER (WHERE type = 'analysis.completed') AS analysed,
        min(occurred_at) FILTER (WHERE type IN ('candidate.approved', 'candidate.rejected')) AS decided
    FROM bench_events
    WHERE ($1 = '' OR company_id = $1)
    GROUP BY invitation_id
)
SELECT count(*) FILTER (WHERE invited >= $2 AND invited < $3),
    count(*) FILTER (WHERE coalesce(opened, started, completed, analysed, decided) IS NOT NULL),
    count(*) FILTER (WHERE coalesce(started, completed, analysed, decided) IS NOT NULL),
    count(*) FILTER (WHERE coalesce(completed, analysed, decided) IS NOT NULL),
    count(*) FILTER (WHERE coalesce(analysed, decided) IS NOT NULL),
    count(*) FILTER (WHERE decided IS NOT NULL),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM opened - invited)),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started - opened)),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed - started)),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM analysed - completed)),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided - analysed))
FROM facts WHERE invited >= $2 AND invited < $3
"""


def timing(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):7.1f} ms, p90 {ordered[int(0.9 * (len(ordered) - 1))]:7.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    settings = settings_for_tests(Settings, "analytics")
    print(f"generating {args.events:,} events of {args.companies} companies ...", flush=True)
    rows = population(args.events, args.companies)
    company = rows[0][3]
    batch = settings.ingest_batch_size

    data = Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    warehouse = Warehouse(f"chdb://{data / 'clickhouse'}")
    pg = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        await warehouse.open()
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            await warehouse.insert_events(rows[i : i + batch])
        ch_ingest = time.perf_counter() - started

        await pg.execute("DROP TABLE IF EXISTS bench_events")
        await pg.execute(
            "CREATE TABLE bench_events (event_id uuid PRIMARY KEY, type text, occurred_at timestamptz, "
            "company_id text, template_id text, invitation_id text, candidate_id text, payload jsonb)"
        )
        await pg.execute("CREATE INDEX ON bench_events (company_id, invitation_id)")
        started = time.perf_counter()
        await pg.copy_records_to_table("bench_events", records=rows, columns=list(EVENT_COLUMNS))
        await pg.execute("ANALYZE bench_events")
        pg_ingest = time.perf_counter() - started

        print(f"ingest   ClickHouse {len(rows) / ch_ingest:>12,.0f} events/s ({ch_ingest:.1f} s, batches of {batch})")
        print(f"         Postgres   {len(rows) / pg_ingest:>12,.0f} events/s ({pg_ingest:.1f} s, COPY + ANALYZE)")

        end = START + timedelta(days=DAYS + 30)
        for label, company_id in (("every company", None), ("one company", company)):
            scope = Scope(company_id=company_id, template_id=None, start=START, end=end)
            ch_times, pg_times, endpoint_times = [], [], []
            ch_counts: list[int] = []
            pg_counts: list[int] = []
            for _ in range(args.runs):
                t = time.perf_counter()
                (ch_row,) = await warehouse.rows(f"WITH {FACTS} SELECT {STEP_COLUMNS} FROM facts", scope.params())
                ch_times.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                pg_row = await pg.fetchrow(PG_FUNNEL, company_id or "", START, end)
                pg_times.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                await queries.funnel(warehouse, scope, start_day="", end_day="")
                endpoint_times.append((time.perf_counter() - t) * 1000)
                ch_counts, pg_counts = [int(n) for n in ch_row[:6]], [int(n) for n in list(pg_row or ())[:6]]
            same = "same counts" if ch_counts == pg_counts else f"COUNTS DIFFER {ch_counts} vs {pg_counts}"
            ratio = statistics.median(pg_times) / statistics.median(ch_times)
            print(f"funnel of {label} ({ch_counts[0]:,} invitations; {same}):")
            print(f"         ClickHouse {timing(ch_times)}")
            print(f"         Postgres   {timing(pg_times)}")
            print(f"         Postgres / ClickHouse p50 = {ratio:.1f}x")
            print(f"         the whole /funnel answer (overall and per template) {timing(endpoint_times)}")
    finally:
        await pg.execute("DROP TABLE IF EXISTS bench_events")
        await pg.close()
        await warehouse.close()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())

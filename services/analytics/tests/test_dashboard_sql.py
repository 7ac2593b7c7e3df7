"""The Grafana business dashboard on ClickHouse (deploy/grafana/dashboards/business-clickhouse.json, generated
by deploy/grafana/generate.py) runs its SQL on the tables this service fills: every panel's query, with Grafana's
macros substituted as the ClickHouse plugin expands them, is executed on the embedded engine after a scripted
population went through Kafka and the consumer, and answers the numbers that population implies."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kit.contracts import billing

from .conftest import DAY, Invitation, Stack, envelope, ids

BOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "dashboards" / "business-clickhouse.json"
START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)


def grafana_expands(sql: str) -> str:
    """The plugin's `$__timeFilter(column)`: the column between the dashboard's range, both ends included."""

    def time_filter(match: re.Match[str]) -> str:
        column = match[1].strip()
        bounds = (f"toDateTime('{at:%Y-%m-%d %H:%M:%S}', 'UTC')" for at in (START, END))
        return "{0} >= {1} AND {0} <= {2}".format(column, *bounds)

    expanded = re.sub(r"\$__timeFilter\(([^)]+)\)", time_filter, sql)
    assert "$" not in expanded, f"a macro the shim does not know: {expanded}"
    return expanded


def panel_sql() -> dict[str, str]:
    board = json.loads(BOARD.read_text())
    queries = {
        panel["title"]: target["rawSql"]
        for panel in board["panels"]
        for target in panel.get("targets", [])
        if target["datasource"]["type"] == "grafana-clickhouse-datasource"
    }
    assert len(queries) == sum(1 for p in board["panels"] if p["type"] != "row"), "one SQL target per panel"
    return queries


async def run(stack: Stack, sql: str) -> list[tuple[Any, ...]]:
    return await stack.warehouse.rows(grafana_expands(sql))


async def test_every_business_dashboard_query_runs_on_the_analytics_tables_and_counts_right(stack: Stack) -> None:
    company_a, company_b, template = ids(), ids(), ids()
    i1, i2, i3, i4, i5 = (Invitation(company_a, template) for _ in range(5))
    b1 = Invitation(company_b, ids(), at=DAY + timedelta(days=1))
    upgraded = billing.SubscriptionUpgraded(
        company_id=company_b,
        plan_type="plus",
        subscription_id=ids(),
        previous_plan="free",
        new_plan="plus",
        stripe_subscription_id=None,
        amount=2900,
        currency="usd",
    )
    created = [i.created() for i in (i1, i2, i3, i4, i5, b1)]
    # Completed 3 h after the invitation; decided 24 h (i2), 2 h (i3) and 11 h (i5) after completing.
    await stack.publish(
        *created,
        created[1],  # a redelivery: counted once
        *(i.opened() for i in (i2, i4, i5)),
        *(i.started() for i in (i2, i3, i5)),
        *(i.completed() for i in (i2, i3, i5)),
        i2.analysed(80, "hire"),
        i3.analysed(30, "hire"),
        i5.analysed(20, "reject"),
        i2.decided(True, "reviewer-1"),
        i3.decided(False, "reviewer-1", after=timedelta(hours=5)),
        i5.decided(False, "reviewer-2", after=timedelta(hours=14)),
        envelope(upgraded, DAY, aggregate=company_b),
    )
    await stack.ingested()
    sql = panel_sql()
    day, next_day = DAY.replace(hour=0), DAY.replace(hour=0) + timedelta(days=1)

    def at(when: datetime) -> datetime:
        # The driver answers naive or aware datetimes depending on the column; compare in UTC either way.
        return when.replace(tzinfo=None)

    def by_time(rows: list[tuple[Any, ...]]) -> dict[datetime, tuple[Any, ...]]:
        return {row[0].replace(tzinfo=None): row[1:] for row in rows}

    assert await run(stack, sql["Invitations"]) == [(6,)]
    assert await run(stack, sql["Completion rate"]) == [(0.5,)]
    assert await run(stack, sql["Median time to decision"]) == [(11 * 3600,)]
    assert await run(stack, sql["AI-human agreement"]) == [(2 / 3,)]
    funnel = by_time(await run(stack, sql["Funnel by step, per day invited"]))
    # i3 started without a reported briefing view: it counts as opened (it got at least that far).
    assert funnel == {at(day): (5, 4, 3, 3, 3, 3), at(next_day): (1, 0, 0, 0, 0, 0)}
    assert by_time(await run(stack, sql["Completion rate, per day invited"])) == {
        at(day): (3 / 5,),
        at(next_day): (0.0,),
    }
    decisions = by_time(await run(stack, sql["Time to decision, per day decided (median and p90)"]))
    assert set(decisions) == {at(day), at(next_day)}
    assert decisions[at(next_day)] == (24 * 3600, 24 * 3600)
    matrix = await run(stack, sql["AI recommendation vs human decision"])
    assert sorted(matrix) == [
        ("hire", "approved", 1, True),
        ("hire", "rejected", 1, False),
        ("reject", "rejected", 1, True),
    ]
    assert by_time(await run(stack, sql["Analyses per day"])) == {at(day): (3,)}
    invitations = await run(stack, sql["Invitations per day by plan"])
    assert [(row[0].replace(tzinfo=None), *row[1:]) for row in invitations] == [
        (at(day), "free", 5),
        (at(next_day), "plus", 1),
    ]
    tokens = await run(stack, sql["LLM tokens per day by plan"])
    assert [(row[0].replace(tzinfo=None), *row[1:]) for row in tokens] == [
        (at(day), "free", 3 * 1500),
        (at(next_day), "plus", 0),
    ]


async def test_the_dashboard_sees_nothing_outside_its_time_range(stack: Stack) -> None:
    late = Invitation(ids(), ids(), at=END + timedelta(days=2))
    await stack.publish(late.created(), late.opened())
    await stack.ingested()

    assert await run(stack, panel_sql()["Invitations"]) == [(0,)]
    assert await run(stack, panel_sql()["Funnel by step, per day invited"]) == []

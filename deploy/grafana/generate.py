"""The Grafana dashboards as code (grafanalib): `uv run python deploy/grafana/generate.py` writes every
dashboard to deploy/grafana/dashboards/<name>.json; `--check` writes nothing and exits 1 when a committed file
differs from what this code generates (deploy/tests/test_dashboards.py runs the same comparison).

Every PromQL query uses only metric names the code exports (deploy/prometheus/catalog.py, checked by the test);
the business-clickhouse dashboard's SQL runs on the analytics service's ClickHouse tables (executed by
services/analytics/tests/test_dashboard_sql.py); the datasource uids are the ones
deploy/grafana/provisioning/datasources/datasources.yml provisions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grafanalib.core import (
    Dashboard,
    GridPos,
    Logs,
    Panel,
    RowPanel,
    Stat,
    StateTimeline,
    Table,
    Target,
    Template,
    Templating,
    Time,
    TimeSeries,
)

DASHBOARDS_DIR = Path(__file__).resolve().parent / "dashboards"
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
SCHEMA_VERSION = 39
RATE = "$__rate_interval"
REF_IDS = "ABCDEFGHIJ"


def q(expr: str, legend: str = "__auto") -> Target:
    return Target(expr=expr, legendFormat=legend, datasource=PROMETHEUS)


def _targets(queries: Iterable[Target]) -> list[Target]:
    # grafanalib leaves refId empty; Grafana needs a distinct one per query of a panel.
    return [Target(**{**t.__dict__, "refId": REF_IDS[i]}) for i, t in enumerate(queries)]


def timeseries(title: str, *queries: Target, unit: str = "short", description: str | None = None) -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource=PROMETHEUS,
        targets=_targets(queries),
        unit=unit,
        fillOpacity=10,
        legendDisplayMode="list",
        tooltipMode="multi",
    )


def stat(title: str, query: Target, *, unit: str = "short", description: str | None = None) -> Stat:
    return Stat(
        title=title,
        description=description,
        dataSource=PROMETHEUS,
        targets=_targets([query]),
        format=unit,
        reduceCalc="lastNotNull",
        graphMode="area",
        color={"mode": "thresholds"},
        thresholds=[{"color": "green", "value": None}],
    )


def table(title: str, query: Target, *, description: str | None = None) -> Table:
    instant = Target(**{**query.__dict__, "instant": True, "format": "table"})
    return Table(
        title=title, description=description, dataSource=PROMETHEUS, targets=_targets([instant]), filterable=True
    )


def timeline(title: str, query: Target, *, description: str | None = None) -> StateTimeline:
    return StateTimeline(title=title, description=description, dataSource=PROMETHEUS, targets=_targets([query]))


def logs(title: str, expr: str) -> Logs:
    return Logs(
        title=title,
        dataSource=LOKI,
        targets=[Target(expr=expr, datasource=LOKI, refId="A")],
        showTime=True,
        wrapLogMessages=True,
        enableLogDetails=True,
    )


@dataclass
class Layout:
    """Places panels left to right in rows of 24 columns; a row header starts a new line."""

    panels: list[Panel] = field(default_factory=list)
    x: int = 0
    y: int = 0
    line_height: int = 0

    def _newline(self) -> None:
        self.y += self.line_height
        self.x = self.line_height = 0

    def row(self, title: str) -> Layout:
        self._newline()
        self.panels.append(RowPanel(title=title, gridPos=GridPos(h=1, w=24, x=0, y=self.y)))
        self.y += 1
        return self

    def add(self, width: int, height: int, *panels: Panel) -> Layout:
        for panel in panels:
            if self.x + width > 24:
                self._newline()
            panel.gridPos = GridPos(h=height, w=width, x=self.x, y=self.y)
            self.panels.append(panel)
            self.x += width
            self.line_height = max(self.line_height, height)
        return self


def service_variable(query: str, *, multi: bool) -> Template:
    return Template(
        name="service",
        label="Service",
        query=query,
        dataSource=PROMETHEUS,
        includeAll=multi,
        multi=multi,
        allValue=".*" if multi else None,
        default="gateway" if not multi else None,
        refresh=2,
    )


def dashboard(uid: str, title: str, tags: list[str], layout: Layout, *variables: Template) -> Dashboard:
    for i, panel in enumerate(layout.panels, start=1):
        panel.id = i
    return Dashboard(
        uid=uid,
        title=title,
        tags=["aivi", *tags],
        panels=layout.panels,
        templating=Templating(list=list(variables)),
        time=Time("now-1h", "now"),
        refresh="30s",
        timezone="browser",
        schemaVersion=SCHEMA_VERSION,
        editable=False,
    )


# -- the dashboards ---------------------------------------------------------------------------------------


def fleet_overview() -> Dashboard:
    by_service_5xx = (
        f'sum by (service) (rate(http_requests_total{{status_code=~"5.."}}[{RATE}]))'
        f" / sum by (service) (rate(http_requests_total[{RATE}]))"
    )
    layout = (
        Layout()
        .row("Fleet")
        .add(
            4,
            4,
            stat("APIs up", q('sum(up{job="aivi-api"})'), description="Service APIs Prometheus can scrape."),
            stat("Requests/s", q(f"sum(rate(http_requests_total[{RATE}]))"), unit="reqps"),
            stat(
                "5xx ratio",
                q(
                    f'sum(rate(http_requests_total{{status_code=~"5.."}}[{RATE}]))'
                    f" / sum(rate(http_requests_total[{RATE}]))"
                ),
                unit="percentunit",
            ),
            stat("Open circuits", q("count(circuit_breaker_state == 1) or vector(0)")),
            stat("Outbox backlog", q("sum(max by (service) (outbox_backlog)) or vector(0)")),
            stat(
                "Dead-lettered (range)", q('sum(increase(kafka_messages_total{result="dlq"}[$__range])) or vector(0)')
            ),
        )
        .row("HTTP (RED) by service")
        .add(
            8,
            8,
            timeseries(
                "Requests/s by service",
                q(f"sum by (service) (rate(http_requests_total[{RATE}]))", "{{service}}"),
                unit="reqps",
            ),
            timeseries("5xx ratio by service", q(by_service_5xx, "{{service}}"), unit="percentunit"),
            timeseries(
                "p95 latency by service",
                q(
                    "histogram_quantile(0.95, sum by (service, le) "
                    f"(rate(http_request_duration_seconds_bucket[{RATE}])))",
                    "{{service}}",
                ),
                unit="s",
            ),
            timeseries("Processes up", q('up{job=~"aivi-.*"}', "{{service}} {{job}}")),
            timeseries("Outbox backlog by service", q("max by (service) (outbox_backlog)", "{{service}}")),
            timeseries("Consumer lag by service", q("sum by (service) (kafka_consumer_lag)", "{{service}}")),
        )
        .row("Resilience")
        .add(
            24,
            7,
            timeline(
                "Circuit breakers (0 closed, 1 open, 2 half-open)",
                q("max by (service, circuit) (circuit_breaker_state)", "{{service}} → {{circuit}}"),
            ),
        )
        .row("Host (node exporter)")
        .add(
            8,
            7,
            timeseries(
                "CPU busy",
                q(f'1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle"}}[{RATE}]))', "{{instance}}"),
                unit="percentunit",
            ),
            timeseries(
                "Memory available",
                q("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}"),
                unit="percentunit",
            ),
            timeseries(
                "Disk space available",
                q(
                    'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}'
                    ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"}',
                    "{{instance}} {{mountpoint}}",
                ),
                unit="percentunit",
            ),
        )
    )
    return dashboard("aivi-fleet-overview", "Fleet overview", ["fleet"], layout)


def service_red() -> Dashboard:
    sel = 'service="$service"'
    latency = "histogram_quantile({q}, sum by ({by}) (rate(http_request_duration_seconds_bucket{{{sel}}}[{rate}])))"
    layout = (
        Layout()
        .row("$service: rate, errors, duration")
        .add(
            6,
            4,
            stat("Requests/s", q(f"sum(rate(http_requests_total{{{sel}}}[{RATE}]))"), unit="reqps"),
            stat(
                "5xx ratio",
                q(
                    f'sum(rate(http_requests_total{{{sel}, status_code=~"5.."}}[{RATE}]))'
                    f" / sum(rate(http_requests_total{{{sel}}}[{RATE}]))"
                ),
                unit="percentunit",
            ),
            stat("p95 latency", q(latency.format(q=0.95, by="le", sel=sel, rate=RATE)), unit="s"),
            stat("In flight", q(f"sum(http_requests_in_flight{{{sel}}})")),
        )
        .add(
            12,
            8,
            timeseries(
                "Requests/s by route",
                q(f"sum by (method, route) (rate(http_requests_total{{{sel}}}[{RATE}]))", "{{method}} {{route}}"),
                unit="reqps",
            ),
            timeseries(
                "Responses/s by status code",
                q(f"sum by (status_code) (rate(http_requests_total{{{sel}}}[{RATE}]))", "{{status_code}}"),
                unit="reqps",
            ),
            timeseries(
                "Errors/s by route (5xx)",
                q(
                    "sum by (method, route, status_code) "
                    f'(rate(http_requests_total{{{sel}, status_code=~"5.."}}[{RATE}]))',
                    "{{method}} {{route}} {{status_code}}",
                ),
                unit="reqps",
            ),
            timeseries(
                "Client errors/s by route (4xx)",
                q(
                    "sum by (method, route, status_code) "
                    f'(rate(http_requests_total{{{sel}, status_code=~"4.."}}[{RATE}]))',
                    "{{method}} {{route}} {{status_code}}",
                ),
                unit="reqps",
            ),
            timeseries(
                "Latency percentiles",
                *(q(latency.format(q=p, by="le", sel=sel, rate=RATE), f"p{round(p * 100)}") for p in (0.5, 0.95, 0.99)),
                unit="s",
            ),
            timeseries(
                "p95 latency by route",
                q(latency.format(q=0.95, by="method, route, le", sel=sel, rate=RATE), "{{method}} {{route}}"),
                unit="s",
            ),
        )
        .row("$service: upstreams and messaging")
        .add(
            12,
            8,
            timeline(
                "Circuit breakers of $service", q(f"max by (circuit) (circuit_breaker_state{{{sel}}})", "{{circuit}}")
            ),
            timeseries(
                "Outbox backlog and relay",
                q(f"max(outbox_backlog{{{sel}}})", "backlog"),
                q(f"sum(rate(outbox_relayed_total{{{sel}}}[{RATE}]))", "relayed/s"),
            ),
        )
        .row("$service: logs")
        .add(24, 10, logs("Warnings and errors", '{service="$service"} | json | level=~"warning|error|critical"'))
    )
    variable = service_variable("label_values(http_requests_total, service)", multi=False)
    return dashboard("aivi-service-red", "Service RED", ["service"], layout, variable)


def kafka_and_outbox() -> Dashboard:
    sel = 'service=~"$service"'
    dlq_size = (
        'sum by (topic) (kafka_topic_partition_current_offset{topic=~".+-dlq"}'
        ' - kafka_topic_partition_oldest_offset{topic=~".+-dlq"})'
    )
    layout = (
        Layout()
        .row("Transactional outbox")
        .add(
            8,
            8,
            timeseries(
                "Oldest unpublished outbox row (age)",
                q(f"max by (service) (outbox_oldest_age_seconds{{{sel}}})", "{{service}}"),
                unit="s",
                description="How long the oldest event has waited to be relayed; OutboxBacklogAge fires past 5 min.",
            ),
            timeseries(
                "Outbox backlog (unpublished rows)", q(f"max by (service) (outbox_backlog{{{sel}}})", "{{service}}")
            ),
            timeseries(
                "Relayed/s and failed batches/s",
                q(f"sum by (service) (rate(outbox_relayed_total{{{sel}}}[{RATE}]))", "{{service}} relayed"),
                q(f"sum by (service) (rate(outbox_relay_failures_total{{{sel}}}[{RATE}]))", "{{service}} failed"),
                unit="ops",
            ),
        )
        .add(
            24,
            8,
            timeseries(
                "Produced/s by topic",
                q(
                    f"sum by (topic, status) (rate(kafka_messages_produced_total{{{sel}}}[{RATE}]))",
                    "{{topic}} {{status}}",
                ),
                unit="ops",
            ),
        )
        .row("Consumers")
        .add(
            12,
            8,
            timeseries(
                "Consumer lag per group (Kafka exporter)",
                q("sum by (consumergroup) (kafka_consumergroup_lag_sum)", "{{consumergroup}}"),
                description="From the broker, by the Kafka exporter (compose); the services' own gauge is beside it.",
            ),
            timeseries(
                "Consumer lag by topic and partition (services)",
                q(
                    f"sum by (service, topic, partition) (kafka_consumer_lag{{{sel}}})",
                    "{{service}} {{topic}}[{{partition}}]",
                ),
            ),
            timeseries(
                "Consumed/s by result (ok, duplicate, retry, dlq, skipped)",
                q(f"sum by (result) (rate(kafka_messages_total{{{sel}}}[{RATE}]))", "{{result}}"),
                unit="ops",
            ),
            timeseries(
                "Handler p95 by topic",
                q(
                    "histogram_quantile(0.95, sum by (service, topic, le) "
                    f"(rate(kafka_message_processing_duration_seconds_bucket{{{sel}}}[{RATE}])))",
                    "{{service}} ← {{topic}}",
                ),
                unit="s",
            ),
        )
        .row("Dead letters")
        .add(
            12,
            8,
            timeseries(
                "Dead-letter topic sizes (Kafka exporter)",
                q(dlq_size, "{{topic}}"),
                description="Messages waiting in each <topic>-dlq; inspect and replay them with the kit's dlq tool.",
            ),
            table(
                "Dead-lettered in range, by consumer",
                q(f'sum by (service, topic) (increase(kafka_messages_total{{{sel}, result="dlq"}}[$__range])) > 0'),
            ),
        )
    )
    variable = service_variable('label_values(up{job="aivi-api"}, service)', multi=True)
    return dashboard("aivi-outbox-consumers", "Kafka and outbox", ["messaging", "kafka"], layout, variable)


def ai_analysis() -> Dashboard:
    llm_latency = (
        "histogram_quantile({q}, sum by (type, le) "
        "(rate(analysis_service_llm_request_duration_seconds_bucket[{rate}])))"
    )
    failed = 'status!~"success|rate_limited"'
    layout = (
        Layout()
        .row("Analyses")
        .add(
            6,
            4,
            stat(
                "Analyses pending",
                q('sum(analysis_service_queue_depth{status=~"pending|waiting_for_transcripts"})'),
                description="Completed interviews waiting for a score (refreshed by the analysis worker).",
            ),
            stat("Analyses running", q('sum(analysis_service_queue_depth{status="in_progress"})')),
            stat(
                "Offline-engine share (range)",
                q(
                    'sum(increase(analysis_service_analysis_total{engine="offline"}[$__range]))'
                    " / sum(increase(analysis_service_analysis_total[$__range]))"
                ),
                unit="percentunit",
                description="Analyses scored by the offline heuristic (no LLM key configured) rather than the LLM.",
            ),
            stat(
                "LLM failure ratio",
                q(
                    f"sum(rate(analysis_service_llm_requests_total{{{failed}}}[{RATE}]))"
                    f" / sum(rate(analysis_service_llm_requests_total[{RATE}]))"
                ),
                unit="percentunit",
            ),
        )
        .add(
            12,
            8,
            timeseries("Queue depth by status", q("sum by (status) (analysis_service_queue_depth)", "{{status}}")),
            timeseries(
                "Finished analyses/min by engine and status",
                q(
                    f"sum by (engine, status) (rate(analysis_service_analysis_total[{RATE}])) * 60",
                    "{{engine}} {{status}}",
                ),
                unit="short",
            ),
            timeseries(
                "Analysis duration p95 by engine",
                q(
                    "histogram_quantile(0.95, sum by (model, le) "
                    f"(rate(analysis_service_analysis_duration_seconds_bucket[{RATE}])))",
                    "{{model}}",
                ),
                unit="s",
            ),
            timeseries(
                "Offline-engine share",
                q(
                    f'sum(rate(analysis_service_analysis_total{{engine="offline"}}[{RATE}]))'
                    f" / sum(rate(analysis_service_analysis_total[{RATE}]))",
                    "offline",
                ),
                unit="percentunit",
            ),
        )
        .row("LLM calls")
        .add(
            12,
            8,
            timeseries(
                "LLM latency by call type",
                *(q(llm_latency.format(q=p, rate=RATE), f"{{{{type}}}} p{round(p * 100)}") for p in (0.5, 0.95)),
                unit="s",
            ),
            timeseries(
                "LLM calls/s by outcome",
                q(f"sum by (status) (rate(analysis_service_llm_requests_total[{RATE}]))", "{{status}}"),
                unit="ops",
            ),
            timeseries(
                "LLM errors/s by kind",
                q(
                    f"sum by (status, type) (rate(analysis_service_llm_requests_total{{{failed}}}[{RATE}]))",
                    "{{status}} ({{type}})",
                ),
                unit="ops",
            ),
            timeseries(
                "Tokens/min by call type",
                q(f"sum by (type) (rate(analysis_service_llm_tokens_used_total[{RATE}])) * 60", "{{type}}"),
            ),
        )
    )
    return dashboard("aivi-ai-analysis", "AI analysis", ["analysis", "llm"], layout)


def errors_explorer() -> Dashboard:
    sel = 'service=~"$service"'
    five = f'{sel}, status_code=~"5.."'
    layout = (
        Layout()
        .row("Server errors (5xx)")
        .add(
            12,
            8,
            timeseries(
                "5xx/s by service",
                q(f"sum by (service) (rate(http_requests_total{{{five}}}[{RATE}]))", "{{service}}"),
                unit="reqps",
            ),
            timeseries(
                "5xx ratio by service",
                q(
                    f"sum by (service) (rate(http_requests_total{{{five}}}[{RATE}]))"
                    f" / sum by (service) (rate(http_requests_total{{{sel}}}[{RATE}]))",
                    "{{service}}",
                ),
                unit="percentunit",
            ),
        )
        .add(
            24,
            8,
            timeseries(
                "5xx/s by service and route",
                q(
                    f"sum by (service, method, route, status_code) (rate(http_requests_total{{{five}}}[{RATE}])) > 0",
                    "{{service}} {{method}} {{route}} {{status_code}}",
                ),
                unit="reqps",
            ),
        )
        .add(
            24,
            8,
            table(
                "5xx in range by service and route",
                q(
                    "sort_desc(sum by (service, method, route, status_code) "
                    f"(increase(http_requests_total{{{five}}}[$__range])) > 0)"
                ),
            ),
        )
        .row("Client errors (4xx) and upstreams")
        .add(
            12,
            8,
            timeseries(
                "4xx/s by service and route",
                q(
                    "topk(10, sum by (service, method, route, status_code) "
                    f'(rate(http_requests_total{{{sel}, status_code=~"4.."}}[{RATE}])))',
                    "{{service}} {{method}} {{route}} {{status_code}}",
                ),
                unit="reqps",
            ),
            timeline(
                "Circuit breakers (0 closed, 1 open, 2 half-open)",
                q(f"max by (service, circuit) (circuit_breaker_state{{{sel}}})", "{{service}} → {{circuit}}"),
            ),
        )
        .row("Logs")
        .add(24, 10, logs("Errors in the logs", '{service=~"$service"} | json | level=~"error|critical"'))
    )
    variable = service_variable("label_values(http_requests_total, service)", multi=True)
    return dashboard("aivi-errors", "Errors explorer", ["errors"], layout, variable)


def business() -> Dashboard:
    decision = "histogram_quantile({q}, sum by (le) (increase(interviews_time_to_decision_seconds_bucket[$__range])))"
    layout = (
        Layout()
        .row("Hiring funnel (in the selected range)")
        .add(
            4,
            4,
            stat("Invitations sent", q("sum(increase(interviews_invitations_sent_total[$__range]))")),
            stat("Interviews completed", q("sum(increase(interviews_completed_total[$__range]))")),
            stat(
                "Completion rate",
                q(
                    "sum(increase(interviews_completed_total[$__range]))"
                    " / sum(increase(interviews_invitations_sent_total[$__range]))"
                ),
                unit="percentunit",
                description="Interviews completed per invitation sent in the same range.",
            ),
            stat("Median time to decision", q(decision.format(q=0.5)), unit="s"),
            stat("Decisions", q("sum(increase(interviews_time_to_decision_seconds_count[$__range]))")),
            stat(
                "Analyses completed",
                q('sum(increase(analysis_service_analysis_total{status="completed"}[$__range]))'),
            ),
        )
        .row("Over time")
        .add(
            12,
            8,
            timeseries(
                "Invitations sent and interviews completed per day",
                q("sum(increase(interviews_invitations_sent_total[1d]))", "invitations sent"),
                q("sum by (reason) (increase(interviews_completed_total[1d]))", "completed ({{reason}})"),
            ),
            timeseries(
                "Analyses per day by engine",
                q('sum by (engine) (increase(analysis_service_analysis_total{status="completed"}[1d]))', "{{engine}}"),
            ),
            timeseries(
                "Time to decision (median and p90, over a day)",
                q(
                    "histogram_quantile(0.5, sum by (le) (increase(interviews_time_to_decision_seconds_bucket[1d])))",
                    "median",
                ),
                q(
                    "histogram_quantile(0.9, sum by (le) (increase(interviews_time_to_decision_seconds_bucket[1d])))",
                    "p90",
                ),
                unit="s",
            ),
            timeseries(
                "Decisions per day",
                q("sum by (decision) (increase(interviews_time_to_decision_seconds_count[1d]))", "{{decision}}"),
            ),
        )
        .row("Payments")
        .add(
            24,
            8,
            timeseries(
                "Stripe webhooks/min by outcome",
                q(f"sum by (result) (rate(billing_stripe_webhooks_total[{RATE}])) * 60", "{{result}}"),
                description="failed: verified but not applied (Stripe retries; BillingWebhookFailures fires).",
            ),
        )
    )
    return dashboard("aivi-business", "Business", ["business"], layout)


# -- the business dashboard on ClickHouse (the analytics service's tables) ------------------------------------

CLICKHOUSE = {"type": "grafana-clickhouse-datasource", "uid": "clickhouse"}

# One row per invitation created in the dashboard's range, as the analytics API counts it (analytics.queries):
# `<step>_raw` is when its event said it reached the step, `<step>` when it got there or beyond (what a funnel
# step counts); durations use the raw times only, so a missing event adds no 0 s. Grouped by invitation_id,
# which is exact before ClickHouse merges duplicate rows.
FACTS = """WITH facts AS (
    SELECT
        invitation_id,
        min(invited_at) AS invited,
        min(opened_at) AS opened_raw,
        min(started_at) AS started_raw,
        min(completed_at) AS completed_raw,
        min(analysed_at) AS analysed_raw,
        min(decided_at) AS decided,
        max(decision) AS verdict,
        max(recommendation) AS advice,
        coalesce(analysed_raw, decided) AS analysed,
        coalesce(completed_raw, analysed) AS completed,
        coalesce(started_raw, completed) AS started,
        coalesce(opened_raw, started) AS opened
    FROM invitation_facts
    GROUP BY invitation_id
    HAVING $__timeFilter(invited)
)
"""
AGREES = "(advice = 'hire' AND verdict = 'approved') OR (advice = 'reject' AND verdict = 'rejected')"
TO_DECISION = "dateDiff('second', completed_raw, decided)"
# Usage is counted by the day of the event; a company's plan is its latest subscription event (free without).
USAGE = """WITH owners AS (SELECT invitation_id, max(company_id) AS owner FROM invitation_facts GROUP BY invitation_id),
plans AS (
    SELECT company_id, argMax(if(JSONHas(payload, 'newPlan'), JSONExtractString(payload, 'newPlan'),
        JSONExtractString(payload, 'planType')), occurred_at) AS plan
    FROM events FINAL WHERE type LIKE 'subscription.%' GROUP BY company_id
)
SELECT time, if(p.plan = '', 'free', p.plan) AS plan_type, {columns}
FROM (
    SELECT toStartOfDay(e.occurred_at) AS time, if(e.company_id != '', e.company_id, o.owner) AS company,
        e.type AS type, e.payload AS payload
    FROM events AS e FINAL
    LEFT JOIN owners AS o ON o.invitation_id = e.invitation_id
    WHERE e.type IN ('invitation.created', 'analysis.completed', 'analysis.failed') AND $__timeFilter(e.occurred_at)
) AS u
LEFT JOIN plans AS p ON p.company_id = u.company
WHERE company != ''
GROUP BY time, plan_type
ORDER BY time, plan_type"""


@dataclass(frozen=True)
class Sql:
    """A raw-SQL query of the ClickHouse plugin (grafanalib's targets are PromQL-shaped): `table` for stats
    and tables, otherwise a time series whose first column is `time`."""

    raw: str
    table: bool = False
    ref_id: str = "A"

    def to_json_data(self) -> dict[str, Any]:
        return {
            "datasource": CLICKHOUSE,
            "editorType": "sql",
            "format": 1 if self.table else 0,
            "queryType": "table" if self.table else "timeseries",
            "rawSql": self.raw,
            "refId": self.ref_id,
        }


def ch_stat(title: str, raw: str, *, unit: str = "short", description: str | None = None) -> Stat:
    return Stat(
        title=title,
        description=description,
        dataSource=CLICKHOUSE,
        targets=[Sql(raw, table=True)],
        format=unit,
        reduceCalc="lastNotNull",
        graphMode="none",
        color={"mode": "thresholds"},
        thresholds=[{"color": "green", "value": None}],
    )


def ch_timeseries(title: str, raw: str, *, unit: str = "short", description: str | None = None) -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource=CLICKHOUSE,
        targets=[Sql(raw)],
        unit=unit,
        fillOpacity=10,
        legendDisplayMode="list",
        tooltipMode="multi",
    )


def business_clickhouse() -> Dashboard:
    layout = (
        Layout()
        .row("Invitations created in the range (from the analytics service's ClickHouse)")
        .add(
            6,
            4,
            ch_stat("Invitations", FACTS + "SELECT count() AS invitations FROM facts"),
            ch_stat(
                "Completion rate",
                FACTS + "SELECT if(count() = 0, NULL, countIf(completed IS NOT NULL) / count()) AS rate FROM facts",
                unit="percentunit",
                description="Completed interviews per invitation (the HR dashboard's completion rate).",
            ),
            ch_stat(
                "Median time to decision",
                FACTS + f"SELECT medianExact({TO_DECISION}) AS seconds FROM facts "
                "WHERE decided IS NOT NULL AND completed_raw IS NOT NULL",
                unit="s",
                description="From the completed interview to the HR decision.",
            ),
            ch_stat(
                "AI-human agreement",
                FACTS + f"SELECT if(count() = 0, NULL, countIf({AGREES}) / count()) AS agreement FROM facts "
                "WHERE advice != '' AND verdict != ''",
                unit="percentunit",
                description="Decided invitations whose AI recommendation was hire→approved or reject→rejected.",
            ),
        )
        .add(
            12,
            8,
            ch_timeseries(
                "Funnel by step, per day invited",
                # Capitalised series names: ClickHouse would resolve a lower-case alias over the facts' columns.
                FACTS + "SELECT toStartOfDay(invited) AS time, count() AS Invited, "
                "countIf(opened IS NOT NULL) AS Opened, countIf(started IS NOT NULL) AS Started, "
                "countIf(completed IS NOT NULL) AS Completed, countIf(analysed IS NOT NULL) AS Analysed, "
                "countIf(decided IS NOT NULL) AS Decided FROM facts GROUP BY time ORDER BY time",
                description="Each step counts the invitations that got at least that far.",
            ),
            ch_timeseries(
                "Completion rate, per day invited",
                FACTS + "SELECT toStartOfDay(invited) AS time, countIf(completed IS NOT NULL) / count() AS rate "
                "FROM facts GROUP BY time ORDER BY time",
                unit="percentunit",
            ),
            ch_timeseries(
                "Time to decision, per day decided (median and p90)",
                FACTS + f"SELECT toStartOfDay(decided) AS time, medianExact({TO_DECISION}) AS median, "
                f"quantileExact(0.9)({TO_DECISION}) AS p90 FROM facts "
                "WHERE decided IS NOT NULL AND completed_raw IS NOT NULL GROUP BY time ORDER BY time",
                unit="s",
            ),
            Table(
                title="AI recommendation vs human decision",
                description="Decided invitations with an AI recommendation; `consider` never agrees.",
                dataSource=CLICKHOUSE,
                targets=[
                    Sql(
                        FACTS + f"SELECT advice AS ai, verdict AS human, count() AS invitations, "
                        f"countIf({AGREES}) > 0 AS agrees FROM facts WHERE advice != '' AND verdict != '' "
                        "GROUP BY ai, human ORDER BY ai, human",
                        table=True,
                    )
                ],
            ),
        )
        .row("Analyses and usage per plan (by the day of the event)")
        .add(
            8,
            8,
            ch_timeseries(
                "Analyses per day",
                "SELECT toStartOfDay(occurred_at) AS time, count() AS analyses FROM events FINAL "
                "WHERE type = 'analysis.completed' AND $__timeFilter(occurred_at) GROUP BY time ORDER BY time",
            ),
            ch_timeseries(
                "Invitations per day by plan",
                USAGE.format(columns="countIf(type = 'invitation.created') AS invitations"),
            ),
            ch_timeseries(
                "LLM tokens per day by plan",
                USAGE.format(
                    columns="sumIf(JSONExtractUInt(payload, 'totalTokensUsed'), "
                    "type IN ('analysis.completed', 'analysis.failed')) AS llm_tokens"
                ),
            ),
        )
    )
    board = dashboard("aivi-business-clickhouse", "Business (ClickHouse)", ["business", "clickhouse"], layout)
    board.time = Time("now-30d", "now")
    board.refresh = "5m"
    return board


GENERATORS: dict[str, Callable[[], Dashboard]] = {
    "fleet-overview": fleet_overview,
    "service-red": service_red,
    "kafka-and-outbox": kafka_and_outbox,
    "ai-analysis": ai_analysis,
    "errors-explorer": errors_explorer,
    "business": business,
    "business-clickhouse": business_clickhouse,
}


def render(board: Dashboard) -> str:
    from grafanalib._gen import DashboardEncoder

    data: dict[str, Any] = board.to_json_data()
    return json.dumps(data, cls=DashboardEncoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    return {f"{name}.json": render(build()) for name, build in GENERATORS.items()}


def stale(directory: Path = DASHBOARDS_DIR) -> list[str]:
    """The files that differ from the generated ones, are missing, or are no longer generated."""
    wanted = generate()
    present = {p.name for p in directory.glob("*.json")}
    changed = [
        name
        for name, text in wanted.items()
        if not (directory / name).is_file() or (directory / name).read_text() != text
    ]
    return sorted([*changed, *(present - wanted.keys())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed dashboards are not generated")
    args = parser.parse_args(argv)
    if args.check:
        differing = stale()
        for name in differing:
            print(f"{DASHBOARDS_DIR / name} is not what deploy/grafana/generate.py generates", file=sys.stderr)
        return 1 if differing else 0
    DASHBOARDS_DIR.mkdir(exist_ok=True)
    wanted = generate()
    for stray in {p.name for p in DASHBOARDS_DIR.glob("*.json")} - wanted.keys():
        (DASHBOARDS_DIR / stray).unlink()
    for name, text in wanted.items():
        (DASHBOARDS_DIR / name).write_text(text)
    print(f"wrote {len(wanted)} dashboards to {DASHBOARDS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The Grafana dashboards are code (deploy/grafana/generate.py): the committed JSON is exactly what the code
generates, each dashboard is well-formed Grafana JSON on the provisioned datasources, every query parses as
PromQL and reads only metrics the code or an exporter exports, and each dashboard charts what it is for."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1]
DASHBOARDS_DIR = DEPLOY / "grafana" / "dashboards"
DATASOURCES = DEPLOY / "grafana" / "provisioning" / "datasources" / "datasources.yml"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


catalog = _load("deploy_prometheus_catalog", DEPLOY / "prometheus" / "catalog.py")
NAMES = sorted(p.stem for p in DASHBOARDS_DIR.glob("*.json"))

# What each dashboard is for, as metric names its queries must read (issue 14 and the RED/fleet views).
CHARTS = {
    "ai-analysis": {
        "analysis_service_llm_request_duration_seconds_bucket",  # LLM latency
        "analysis_service_llm_tokens_used_total",  # tokens
        "analysis_service_llm_requests_total",  # errors
        "analysis_service_queue_depth",  # queue depth
        "analysis_service_analysis_total",  # offline-engine share (engine label)
    },
    "kafka-and-outbox": {
        "kafka_consumergroup_lag_sum",  # consumer lag per group
        "kafka_topic_partition_current_offset",  # DLQ sizes
        "outbox_oldest_age_seconds",  # outbox backlog age
        "kafka_consumer_lag",
        "outbox_backlog",
    },
    "errors-explorer": {"http_requests_total", "circuit_breaker_state"},
    "business": {
        "interviews_invitations_sent_total",
        "interviews_completed_total",
        "interviews_time_to_decision_seconds_bucket",
        "analysis_service_analysis_total",
        "billing_stripe_webhooks_total",
    },
    # SQL on the analytics service's ClickHouse, no metrics (its SQL runs in services/analytics/tests).
    "business-clickhouse": set(),
    "service-red": {"http_requests_total", "http_request_duration_seconds_bucket", "http_requests_in_flight"},
    "fleet-overview": {"up", "http_requests_total", "outbox_backlog", "kafka_consumer_lag", "circuit_breaker_state"},
}


def dashboard(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DASHBOARDS_DIR / f"{name}.json").read_text())
    return loaded


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows


def prometheus_queries(board: dict[str, Any]) -> list[str]:
    queries = [
        target["expr"]
        for panel in panels(board)
        for target in panel.get("targets", [])
        if (target.get("datasource") or panel.get("datasource") or {}).get("type") == "prometheus"
    ]
    for variable in board["templating"]["list"]:
        query = variable["query"]
        assert query.startswith("label_values(") and query.endswith(")"), query
        queries.append(query.removeprefix("label_values(").rsplit(",", 1)[0])
    return queries


def test_the_committed_dashboards_are_exactly_what_the_generator_writes() -> None:
    generate = _load("deploy_grafana_generate", DEPLOY / "grafana" / "generate.py")

    stale = generate.stale()

    assert stale == [], f"run `uv run python deploy/grafana/generate.py` and commit: {stale} differ"
    assert sorted(generate.GENERATORS) == NAMES


def test_every_dashboard_the_issue_asks_for_is_generated() -> None:
    assert set(NAMES) == set(CHARTS)


@pytest.mark.parametrize("name", NAMES)
def test_each_dashboard_is_grafana_json_on_the_provisioned_datasources(name: str) -> None:
    board = dashboard(name)
    provisioned = {d["uid"] for d in yaml.safe_load(DATASOURCES.read_text())["datasources"]}

    assert board["uid"].startswith("aivi-") and board["title"] and board["schemaVersion"] >= 36
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    content = [p for p in panels(board) if p["type"] != "row"]
    assert len(content) >= 6
    for panel in content:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] in provisioned, panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)) and all(refs), panel["title"]


def test_the_dashboard_uids_are_distinct() -> None:
    uids = [dashboard(name)["uid"] for name in NAMES]

    assert len(uids) == len(set(uids))


@pytest.mark.parametrize("name", NAMES)
def test_each_dashboard_reads_only_exported_metrics_and_charts_what_it_is_for(name: str) -> None:
    exported = catalog.exported_series()
    used = set().union(*(catalog.metric_names(q) for q in prometheus_queries(dashboard(name))))

    assert used <= exported, f"{name} queries {sorted(used - exported)}, which nothing exports"
    assert CHARTS[name] <= used, f"{name} no longer charts {sorted(CHARTS[name] - used)}"


def test_the_service_red_dashboard_is_templated_by_service() -> None:
    board = dashboard("service-red")
    assert [v["name"] for v in board["templating"]["list"]] == ["service"]
    for query in prometheus_queries(board)[:-1]:  # the last one is the variable's own query
        assert 'service="$service"' in query, query


def test_every_dashboard_query_parses_as_promql(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: apt-get install prometheus (Debian's package ships it)", pytrace=False)
    substitutions = {"$__rate_interval": "5m", "$__range": "1h", "$service": "users"}
    records = []
    for name in NAMES:
        for i, query in enumerate(prometheus_queries(dashboard(name))):
            for variable, value in substitutions.items():
                query = query.replace(variable, value)
            records.append({"record": f"dashboard:{name.replace('-', '_')}:{i}", "expr": query})
    (tmp_path / "queries.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}))

    checked = subprocess.run(
        [promtool, "check", "rules", str(tmp_path / "queries.yml")], capture_output=True, text=True, check=False
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_grafana_reads_clickhouse_as_a_read_only_user_that_may_only_select() -> None:
    datasource = next(d for d in yaml.safe_load(DATASOURCES.read_text())["datasources"] if d["uid"] == "clickhouse")
    users = ET.parse(DEPLOY / "clickhouse" / "users.d" / "grafana.xml").getroot()
    user = users.find("users/grafana")
    assert user is not None
    profile = users.find(f"profiles/{user.findtext('profile')}")
    assert profile is not None

    assert datasource["type"] == "grafana-clickhouse-datasource"
    assert datasource["jsonData"]["username"] == "grafana" and datasource["jsonData"]["host"] == "clickhouse"
    assert profile.findtext("readonly") in {"1", "2"}
    assert [g.text for g in user.findall("grants/query")] == ["GRANT SELECT ON aivi.*"]
    sql_targets = [t for p in panels(dashboard("business-clickhouse")) for t in p.get("targets", [])]
    assert sql_targets and all(t["datasource"]["uid"] == "clickhouse" and t["rawSql"] for t in sql_targets)

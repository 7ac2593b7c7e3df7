"""The alert rules (deploy/prometheus/rules.yml): valid for promtool, every alert the operators need is there
and unit-tested firing in rules.test.yml, and every metric a rule reads is one the code or an exporter exports."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

PROMETHEUS_DIR = Path(__file__).resolve().parents[1] / "prometheus"

# One per signal the operators asked for (issue 14): LLM failures, analysis backlog, dead letters (new and
# waiting), consumer lag, outbox backlog and its age, open breakers, 5xx rate, billing webhook failures; and
# the availability and latency alerts the fleet already had; the gateway's checks that need Redis.
REQUIRED_ALERTS = {
    "ServiceDown",
    "HighErrorRate",
    "HighLatency",
    "CircuitOpen",
    "OutboxBacklog",
    "OutboxBacklogAge",
    "KafkaConsumerLag",
    "DLQMessages",
    "DLQNotEmpty",
    "LLMFailureRate",
    "AnalysisBacklog",
    "BillingWebhookFailures",
    "GatewayRedisUnavailable",
}


def _load_catalog() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_prometheus_catalog", PROMETHEUS_DIR / "catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalog = _load_catalog()


def rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is missing: apt-get install prometheus (Debian's package ships it)", pytrace=False)
    return subprocess.run([binary, *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, check=False)


def test_every_required_alert_is_defined_once_with_a_severity_and_a_summary() -> None:
    names = [rule["alert"] for rule in rules()]

    assert sorted(names) == sorted(REQUIRED_ALERTS)
    for rule in rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_every_alert_reads_only_metrics_the_code_or_an_exporter_exports() -> None:
    exported = catalog.exported_series()
    for rule in rules():
        used = catalog.metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} reads {sorted(used - exported)}, which nothing exports"


def test_every_alert_has_a_unit_test_where_it_fires() -> None:
    tests = yaml.safe_load((PROMETHEUS_DIR / "rules.test.yml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}

    assert fired >= REQUIRED_ALERTS, f"no firing unit test for {sorted(REQUIRED_ALERTS - fired)}"


def test_promtool_accepts_the_rules() -> None:
    checked = promtool("check", "rules", "rules.yml")

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_rules_pass_their_promtool_unit_tests() -> None:
    tested = promtool("test", "rules", "rules.test.yml")

    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_metric_name_extractor_sees_through_promql_syntax() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service="$service",'
        ' route=~"/a|b"}[$__rate_interval]))) / on (service) group_left sum(up{job="x"}) or vector(0)'
    )
    assert catalog.metric_names(expr) == {"http_request_duration_seconds_bucket", "up"}
    assert catalog.metric_names("made_up_metric > 1") == {"made_up_metric"}


def test_the_catalog_reads_metric_definitions_from_the_code(tmp_path: Path) -> None:
    package = tmp_path / "services" / "demo" / "demo"
    package.mkdir(parents=True)
    (tmp_path / "libs" / "kit").mkdir(parents=True)
    (package / "metrics.py").write_text(
        'A = Counter("demo_sent_total", "x")\nB = Counter(\n    "demo_seen", "y", ["l"]\n)\n'
        'C = Histogram("demo_wait_seconds", "z")\nD = Gauge("demo_depth", "w")\n'
    )
    (tmp_path / "services" / "demo" / "tests").mkdir()
    (tmp_path / "services" / "demo" / "tests" / "test_x.py").write_text('E = Gauge("demo_only_in_tests", "t")\n')

    assert catalog.code_metrics(tmp_path) == {
        "demo_sent_total": {"demo_sent_total"},
        "demo_seen": {"demo_seen_total"},
        "demo_wait_seconds": {"demo_wait_seconds_bucket", "demo_wait_seconds_sum", "demo_wait_seconds_count"},
        "demo_depth": {"demo_depth"},
    }

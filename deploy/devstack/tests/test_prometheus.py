"""Prometheus of the local stack: scrapes the fleet's processes with the alert rules loaded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

import pytest
from prometheus_client import CollectorRegistry, Counter, make_wsgi_app

from devstack.config import FLEET, SERVICES, Config, metrics_port
from devstack.prometheus import Prometheus, Target, fleet_targets
from kit.testing import free_port

RULES = Path(__file__).resolve().parents[2] / "prometheus" / "rules.yml"


@pytest.fixture
def live_target() -> Iterator[int]:
    """A real /metrics endpoint (prometheus_client, as the services serve theirs) on a free loopback port."""
    registry = CollectorRegistry()
    Counter("http_requests_total", "HTTP requests", ["service"], registry=registry).labels("probe").inc()
    server: WSGIServer = make_server("127.0.0.1", free_port(), make_wsgi_app(registry))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def prometheus(tmp_path: Path, live_target: int) -> Iterator[Prometheus]:
    cfg = Config(root=tmp_path)
    cfg.ensure_dirs()
    server = Prometheus(
        cfg, port=free_port(), targets=[Target("aivi-api", "probe", live_target)], rules=RULES, interval_s=1
    )
    server.ensure_running()
    yield server
    server.stop()


def test_prometheus_scrapes_a_live_target_and_loads_the_alert_rules(prometheus: Prometheus) -> None:
    up: list[dict[str, Any]] = []
    # The first scrape comes within a scrape interval of the start: ask a bounded number of times.
    for _ in range(60):
        up = prometheus.query('up{job="aivi-api"}')
        if up:
            break
        time.sleep(0.5)

    assert [(r["metric"]["service"], r["value"][1]) for r in up] == [("probe", "1")]
    requests = prometheus.query('http_requests_total{service="probe"}')
    assert [r["value"][1] for r in requests] == ["1"]
    loaded = {rule["name"] for group in prometheus.rule_groups() for rule in group["rules"]}
    assert {"ServiceDown", "LLMFailureRate", "BillingWebhookFailures"} <= loaded
    assert prometheus.status().healthy and prometheus.status().url == prometheus.url


def test_prometheus_listens_on_loopback_only(prometheus: Prometheus) -> None:
    flags = prometheus.flags()

    assert flags["web.listen-address"] == f"127.0.0.1:{prometheus.port}"


def test_each_combined_process_is_scraped_once_on_its_api_port_labelled_with_its_roles() -> None:
    targets = fleet_targets(Config())

    assert {t.job for t in targets} == {"aivi-api"}
    assert sorted(t.service for t in targets) == sorted(FLEET)
    for target in targets:
        assert target.port == SERVICES[target.service]
        assert target.roles == "api,consumer,worker"


def test_the_fleet_split_by_role_is_scraped_on_the_ports_make_up_gives_each_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEVSTACK_SPLIT", "1")
    targets = fleet_targets(Config())
    by_job = {(t.job, t.service): t.port for t in targets}

    assert {svc for job, svc in by_job if job == "aivi-api"} == set(FLEET)
    for (job, svc), port in by_job.items():
        role = job.removeprefix("aivi-")
        assert port == (SERVICES[svc] if role == "api" else metrics_port(svc, role))
    assert ("aivi-consumer", "analysis") in by_job and ("aivi-worker", "analysis") in by_job


def test_a_changed_fleet_rewrites_the_configuration_and_an_unchanged_one_does_not(tmp_path: Path) -> None:
    cfg = Config(root=tmp_path)
    first = Prometheus(cfg, targets=[Target("aivi-api", "users", 8002)], rules=RULES)
    grown = Prometheus(
        cfg, targets=[Target("aivi-api", "users", 8002), Target("aivi-worker", "users", 9202)], rules=RULES
    )

    assert first.write_config() is True
    assert first.write_config() is False
    assert grown.write_config() is True
    config = json.loads(grown.config_file.read_text())
    assert config["rule_files"] == [str(RULES)]
    assert [job["job_name"] for job in config["scrape_configs"]] == ["aivi-api", "aivi-worker"]
    assert config["scrape_configs"][1]["static_configs"] == [
        {"targets": ["127.0.0.1:9202"], "labels": {"service": "users"}}
    ]

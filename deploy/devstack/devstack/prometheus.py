"""Prometheus (Debian's package), scraping every api, consumer and worker process that `make up` runs, with
the fleet's alert rules (deploy/prometheus/rules.yml) loaded. Its configuration is generated from the registry
on each start, so a new service or process is scraped without editing a file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devstack.component import Component
from devstack.config import FLEET, Config
from devstack.proc import DevstackError, log, spawn_detached

RULES = Path("deploy") / "prometheus" / "rules.yml"


@dataclass(frozen=True)
class Target:
    """One process to scrape: its job (aivi-api, aivi-consumer, aivi-worker), service and port on 127.0.0.1."""

    job: str
    service: str
    port: int
    # The roles of a process that runs several (kit.roles), as a `roles` label: "api,consumer,worker".
    roles: str = ""


def fleet_targets(cfg: Config) -> list[Target]:
    """The api, consumer and worker of every registered service, on the ports `make up` gives them."""
    # Imported here: the supervisor imports the stack, which lists this component.
    from devstack.supervisor import plan_service

    targets = []
    for svc in FLEET:
        for spec in plan_service(cfg, svc)[1]:
            if len(spec.roles) > 1:
                # One scrape per process: its api's /metrics carries every role's metrics (one registry), and
                # `up{job="aivi-api"}` keeps meaning "the api answers" for the alerts and dashboards.
                if spec.port:
                    job = "aivi-api" if "api" in spec.roles else f"aivi-{spec.roles[0]}"
                    targets.append(Target(job, svc, spec.port, ",".join(spec.roles)))
                continue
            role = spec.name.removeprefix(f"{svc}-")
            port = spec.port if role == "api" else int(spec.env.get("METRICS_PORT") or 0)
            if port:
                targets.append(Target(f"aivi-{role}", svc, port))
    return targets


def scrape_config(targets: list[Target], *, rules: Path, interval_s: int = 15) -> dict[str, Any]:
    """prometheus.yml for the targets: one job per role, each target labelled with its service (the kit's
    metrics carry that label already; honor_labels keeps theirs)."""
    jobs: dict[str, list[dict[str, Any]]] = {}
    for target in targets:
        labels = {"service": target.service} | ({"roles": target.roles} if target.roles else {})
        jobs.setdefault(target.job, []).append({"targets": [f"127.0.0.1:{target.port}"], "labels": labels})
    return {
        "global": {"scrape_interval": f"{interval_s}s", "evaluation_interval": f"{interval_s}s"},
        "rule_files": [str(rules)],
        "scrape_configs": [
            {"job_name": job, "metrics_path": "/metrics", "honor_labels": True, "static_configs": statics}
            for job, statics in jobs.items()
        ],
    }


def _binary() -> str:
    found = shutil.which("prometheus")
    if found is None:
        raise DevstackError("Prometheus is needed for local metrics: apt-get install -y prometheus")
    return found


class Prometheus(Component):
    name = "prometheus"
    start_timeout = 60.0
    stop_timeout = 20.0

    def __init__(
        self,
        cfg: Config,
        *,
        port: int | None = None,
        targets: list[Target] | None = None,
        rules: Path | None = None,
        interval_s: int = 15,
    ) -> None:
        super().__init__(cfg)
        self._port = port if port is not None else int(os.environ.get("PROMETHEUS_PORT") or 9090)
        self._targets = targets
        self.rules = rules or cfg.root / RULES
        self.interval_s = interval_s

    @property
    def port(self) -> int:
        return self._port

    @property
    def port_env(self) -> str:
        return "PROMETHEUS_PORT"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.cfg.local / "prometheus"

    @property
    def config_file(self) -> Path:
        return self.home / "prometheus.yml"

    def write_config(self) -> bool:
        """Write prometheus.yml for the current fleet; True if it changed."""
        targets = self._targets if self._targets is not None else fleet_targets(self.cfg)
        # JSON is YAML too; devstack has no YAML library of its own. Regenerated on each start: do not edit.
        text = json.dumps(scrape_config(targets, rules=self.rules, interval_s=self.interval_s), indent=2) + "\n"
        self.home.mkdir(parents=True, exist_ok=True)
        if self.config_file.is_file() and self.config_file.read_text() == text:
            return False
        self.config_file.write_text(text)
        return True

    def provision(self) -> None:
        _binary()
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        self.write_config()

    def spawn(self) -> subprocess.Popen[bytes]:
        return spawn_detached(
            [
                _binary(),
                f"--config.file={self.config_file}",
                f"--storage.tsdb.path={self.home / 'data'}",
                "--storage.tsdb.retention.time=7d",
                f"--web.listen-address=127.0.0.1:{self.port}",
                # Lets configure() apply a regenerated configuration without a restart.
                "--web.enable-lifecycle",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
        )

    def configure(self) -> None:
        # A reused Prometheus may run an older fleet's configuration: rewrite it and have it reloaded.
        if self.write_config() and self.pid() is not None:
            log("prometheus: configuration changed, reloading")
            httpx.post(f"{self.url}/-/reload", timeout=10.0).raise_for_status()

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/-/healthy", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and "Prometheus" in response.text

    def query(self, promql: str) -> list[dict[str, Any]]:
        """An instant query's result vector."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=10.0)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["data"]["result"]
        return result

    def rule_groups(self) -> list[dict[str, Any]]:
        """The rule groups Prometheus has loaded."""
        response = httpx.get(f"{self.url}/api/v1/rules", timeout=10.0)
        response.raise_for_status()
        groups: list[dict[str, Any]] = response.json()["data"]["groups"]
        return groups

    def flags(self) -> dict[str, str]:
        """The command-line flags Prometheus runs with."""
        response = httpx.get(f"{self.url}/api/v1/status/flags", timeout=10.0)
        response.raise_for_status()
        flags: dict[str, str] = response.json()["data"]
        return flags

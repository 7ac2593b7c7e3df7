"""The production-like compose stack and its configuration files are valid and agree with the registry of
services (deploy/services.toml) and with CONVENTIONS.md.

No Docker engine runs in CI: the compose file is checked with the real `docker-compose config` (Debian's
docker-compose v1, which validates without an engine) and then by reading its resolved output. The
production defaults (no default secret, production Keycloak and realm, least-privilege Kafka, S3 and
Keycloak accounts, no Docker socket) are checked in the last sections.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from devstack.registry import REGISTRY, load, topics
from kit.liveness import start_metrics_server
from kit.server import HTTP_PROTOCOL
from kit.testing import free_port

DEPLOY = Path(__file__).resolve().parents[1]
REPO = DEPLOY.parent
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
PRODUCTION_REALM = DEPLOY / "keycloak" / "production" / "realm-ai-video-interview.json"
CONVENTIONS = (DEPLOY / "CONVENTIONS.md").read_text()


def _conventions_services() -> dict[str, int]:
    line = re.search(r"Services \(package = name\):(.*?);", CONVENTIONS, re.S)
    assert line, "CONVENTIONS.md lost its 'Services (package = name): ...;' line"
    return {name: int(port) for name, port in re.findall(r"(\w+) (\d{4})", line.group(1))}


def _conventions_topics() -> list[str]:
    line = re.search(r"Topics:(.*?)\(\+", CONVENTIONS, re.S)
    assert line, "CONVENTIONS.md lost its 'Topics: ... (+ <topic>-dlq)' line"
    return [t.strip() for t in line.group(1).replace("\n", " ").split(",") if t.strip()]


FLEET = load(REPO / REGISTRY)
SERVICES = {name: svc.port for name, svc in FLEET.items()}
TOPICS = topics(FLEET)
ROLES = ("api", "consumer", "worker", "migrate")

# Containers allowed to publish a port (all on 127.0.0.1): the gateway, the web app and the operator UIs.
PUBLISHERS = {"gateway-api", "web", "keycloak", "grafana", "kafka-ui", "mailpit", "minio", "jaeger"}

# The alert rules and dashboards (their metric names, promtool checks and generated JSON) are tested in
# test_alert_rules.py and test_dashboards.py.


# --------------------------------------------------------------------------------------------- helpers


def _docker_compose(compose_file: Path, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed: `apt-get install docker-compose` (Debian's v1, which validates "
            "compose files without a Docker engine). CI installs it.",
            pytrace=False,
        )
    # A scrubbed environment and an empty env file: the test sees the defaults an operator gets with no
    # deploy/.env, whatever the developer's shell (or `make test`) exports.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [binary, "--env-file", str(env_file), "--project-directory", str(DEPLOY), "-f", str(compose_file), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _example_env() -> dict[str, str]:
    return dict(re.findall(r"^(\w+)=(.*)$", (DEPLOY / ".env.example").read_text(), re.M))


# What an operator must set: the example leaves each empty and the compose file has no default for it.
# Left empty in the example but optional: the Kafka UI (a tools profile) and payments ("payments disabled").
OPTIONAL = {"KAFKA_UI_PASSWORD", "KAFKA_UI_LOGIN_PASSWORD", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRETS",
            "STRIPE_PRICE_PLUS", "STRIPE_PRICE_PRO"}  # fmt: skip
REQUIRED = sorted(name for name, value in _example_env().items() if value == "" and name not in OPTIONAL)
WEB_ORIGIN = "https://app.example.test"
KEYCLOAK_PUBLIC_URL = "https://auth.example.test"


def _operator_env() -> dict[str, str]:
    """The example env with every required secret filled in, as an operator following it would."""
    filled = {name: secrets.token_hex(32) for name in REQUIRED}
    filled |= {"WEB_ORIGIN": WEB_ORIGIN, "KEYCLOAK_PUBLIC_URL": KEYCLOAK_PUBLIC_URL}
    return {**_example_env(), **filled}


def _write_env(path: Path, env: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return path


@pytest.fixture(scope="module")
def operator_env() -> dict[str, str]:
    return _operator_env()


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory, operator_env: dict[str, str]) -> Path:
    return _write_env(tmp_path_factory.mktemp("compose") / "operator.env", operator_env)


@pytest.fixture(scope="module")
def config(env_file: Path) -> dict[str, Any]:
    """The compose file as docker-compose resolves it (anchors merged, variables substituted)."""
    result = _docker_compose(COMPOSE_FILE, env_file, "config")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = yaml.safe_load(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    svcs: dict[str, dict[str, Any]] = config["services"]
    return svcs


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _published(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host ip, host port) of every published port, short or long syntax."""
    out = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            out.append((str(port.get("host_ip", "")), str(port.get("published", ""))))
            continue
        parts = str(port).split("/")[0].split(":")
        if len(parts) == 3:
            out.append((parts[0], parts[1]))
        elif len(parts) == 2:
            out.append(("", parts[0]))
        else:
            out.append(("", ""))
    return out


def _load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_docker_render", DEPLOY / "docker" / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------- validity of the file


def test_docker_compose_accepts_the_compose_file_once_the_example_env_is_filled_in(env_file: Path) -> None:
    result = _docker_compose(COMPOSE_FILE, env_file, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_the_example_env_as_shipped_naming_what_is_missing() -> None:
    result = _docker_compose(COMPOSE_FILE, DEPLOY / ".env.example", "config", "-q")
    assert result.returncode != 0
    assert "set " in result.stderr and "in deploy/.env" in result.stderr, result.stderr


BREAKAGES = {
    "an unknown key": (
        "  redis:\n    image: redis:7\n",
        "  redis:\n    image: redis:7\n    restart_policy_typo: always\n",
    ),
    "a dependency on a missing service": (
        "      keycloak-db:\n        condition: service_healthy\n",
        "      keycloak-db:\n        condition: service_healthy\n      no-such-service:\n"
        "        condition: service_started\n",
    ),
    "a bad depends_on condition": ("condition: service_completed_successfully", "condition: service_finished"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.replace(" ", "-"))
def test_docker_compose_rejects_a_copy_of_the_file_with(breakage: str, tmp_path: Path, env_file: Path) -> None:
    old, new = BREAKAGES[breakage]
    text = COMPOSE_FILE.read_text()
    assert old in text, f"the breakage {breakage!r} no longer applies to the compose file; update the test"
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new, 1))
    result = _docker_compose(broken, env_file, "config", "-q")
    assert result.returncode != 0, f"docker-compose accepted a file with {breakage}"


def test_every_variable_the_compose_file_reads_is_documented_in_the_env_example() -> None:
    used = set(re.findall(r"(?<!\$)\$\{(\w+)", COMPOSE_FILE.read_text()))
    example = set(re.findall(r"^(\w+)=", (DEPLOY / ".env.example").read_text(), re.M))
    assert used - example == set()


def test_the_required_variables_are_exactly_the_secrets_and_addresses_the_example_leaves_empty() -> None:
    text = COMPOSE_FILE.read_text()
    required = set(re.findall(r"(?<!\$)\$\{(\w+):\?", text))
    defaulted = set(re.findall(r"(?<!\$)\$\{(\w+):?-", text))
    assert required == set(REQUIRED)
    assert required & defaulted == set(), "a required variable has a default somewhere"
    named = {"INTERNAL_TOKEN", "KEYCLOAK_ADMIN_PASSWORD", "KEYCLOAK_ADMIN_CLIENT_SECRET", "KAFKA_ADMIN_PASSWORD",
             "MINIO_ROOT_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "WEB_ORIGIN", "KEYCLOAK_PUBLIC_URL"}  # fmt: skip
    assert named <= required


@pytest.mark.parametrize("name", ["INTERNAL_TOKEN", "KEYCLOAK_ADMIN_PASSWORD", "KEYCLOAK_PUBLIC_URL"])
def test_docker_compose_refuses_to_run_without(name: str, operator_env: dict[str, str], tmp_path: Path) -> None:
    env_file = _write_env(tmp_path / "missing.env", {k: v for k, v in operator_env.items() if k != name})
    result = _docker_compose(COMPOSE_FILE, env_file, "config", "-q")
    assert result.returncode != 0
    assert f"set {name} in deploy/.env" in result.stderr, result.stderr


# ------------------------------------------------------------------------------------ the registry and docs


def test_conventions_md_names_the_registered_services_ports_and_topics() -> None:
    assert _conventions_services() == SERVICES
    assert sorted(_conventions_topics()) == sorted(TOPICS)


def _readme_map() -> dict[str, list[str]]:
    """The README's service map: service name -> [port, schema, consumes, produces], an en dash for none."""
    readme = (REPO / "README.md").read_text()
    header = "| service | port | schema | consumes | produces |"
    assert header in readme, "README.md lost its service map table"
    rows = readme[readme.index(header) :].splitlines()[2:]
    table = {}
    for row in rows:
        if not row.startswith("|"):
            break
        name, *cells = (cell.strip() for cell in row.strip("|").split("|"))
        table[name] = cells
    return table


def _topic_cell(cell: str) -> set[str]:
    return set() if cell == "\N{EN DASH}" else {t.strip(" `") for t in cell.split(",")}


def test_every_service_directory_is_registered() -> None:
    assert {p.parent.name for p in (REPO / "services").glob("*/pyproject.toml")} == SERVICES.keys()


def test_the_readme_map_agrees_with_the_registry() -> None:
    readme = _readme_map()
    assert readme.keys() - {"web"} == SERVICES.keys()
    for name, svc in FLEET.items():
        port, schema, consumes, produces = readme[name]
        assert (int(port), schema, _topic_cell(produces)) == (svc.port, f"`{name}`", set(svc.produces)), name
        # The map also shows what a scaffold service will read once it handles events; its consumer
        # subscribes to none of it before then.
        assert set(svc.consumes) <= _topic_cell(consumes), name


# ------------------------------------------------------------------------------------------ the services


def test_the_compose_file_runs_exactly_the_registered_services(services: dict[str, dict[str, Any]]) -> None:
    roles = {name.rsplit("-", 1)[0] for name in services if name.rsplit("-", 1)[-1] in ROLES}
    assert roles == SERVICES.keys()


@pytest.mark.parametrize("svc", SERVICES)
def test_every_service_has_api_consumer_worker_and_migrate_from_one_image(
    svc: str, services: dict[str, dict[str, Any]]
) -> None:
    containers = [services.get(f"{svc}-{role}") for role in ROLES]
    assert all(containers), f"{svc}: missing one of {[f'{svc}-{r}' for r in ROLES]}"
    assert {c["image"] for c in containers if c} == {f"aivi/{svc}:latest"}
    for container in containers:
        assert container
        build = container["build"]
        assert Path(build["context"]) == REPO
        assert build["dockerfile"] == f"services/{svc}/Dockerfile"


@pytest.mark.parametrize("svc", SERVICES)
def test_the_roles_run_the_conventional_commands(svc: str, services: dict[str, dict[str, Any]]) -> None:
    assert "command" not in services[f"{svc}-api"], "the api runs the image's default CMD (uvicorn)"
    assert services[f"{svc}-consumer"]["command"] == ["python", "-m", f"{svc}.consumers"]
    assert services[f"{svc}-worker"]["command"] == ["arq", f"{svc}.worker.WorkerSettings"]
    assert services[f"{svc}-migrate"]["command"] == [
        "alembic", "-c", f"services/{svc}/alembic.ini", "upgrade", "head"
    ]  # fmt: skip
    assert services[f"{svc}-migrate"]["restart"] == "no"


@pytest.mark.parametrize("svc", SERVICES)
def test_every_role_waits_for_the_migration_to_complete(svc: str, services: dict[str, dict[str, Any]]) -> None:
    for role in ("api", "consumer", "worker"):
        depends_on = services[f"{svc}-{role}"]["depends_on"]
        assert depends_on[f"{svc}-migrate"] == {"condition": "service_completed_successfully"}
        assert depends_on["kafka-init"] == {"condition": "service_completed_successfully"}
    assert services[f"{svc}-migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("svc", SERVICES)
def test_services_reach_the_infrastructure_by_in_network_names(svc: str, services: dict[str, dict[str, Any]]) -> None:
    env = _env(services[f"{svc}-api"])
    port = SERVICES[svc]
    assert env["DATABASE_URL"] == f"postgresql+asyncpg://{svc}:{svc}-dev@postgres:5432/aivi"
    assert env["DB_SCHEMA"] == svc
    assert env["PORT"] == str(port)
    assert env["KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["OTLP_ENDPOINT"] == "http://jaeger:4318"
    assert env["KEYCLOAK_URL"] == "http://keycloak:8090"
    assert env["S3_ENDPOINT"] == "http://minio:9000"
    assert env["SMTP_HOST"] == "mailpit"
    assert env["TOPIC_PREFIX"] == ""
    assert env["INTERNAL_TOKEN"]
    for other, other_port in SERVICES.items():
        assert env[f"{other.upper()}_URL"] == f"http://{other}-api:{other_port}"
    assert not [k for k, v in env.items() if "127.0.0.1" in v or "localhost" in v]


@pytest.mark.parametrize("svc", SERVICES)
def test_the_roles_of_a_service_share_one_environment(svc: str, services: dict[str, dict[str, Any]]) -> None:
    api = _env(services[f"{svc}-api"])
    assert _env(services[f"{svc}-migrate"]) == api
    assert _env(services[f"{svc}-consumer"]) == {**api, "METRICS_PORT": "9101"}
    assert _env(services[f"{svc}-worker"]) == {**api, "METRICS_PORT": "9102"}


def test_the_gateway_disables_internal_auth_by_default(services: dict[str, dict[str, Any]]) -> None:
    for role in ROLES:
        assert _env(services[f"gateway-{role}"])["INTERNAL_AUTH_ENABLED"] == "false"


def test_the_gateway_publishes_its_conventional_port(services: dict[str, dict[str, Any]]) -> None:
    assert _published(services["gateway-api"]) == [("127.0.0.1", str(SERVICES["gateway"]))]


# ----------------------------------------------------------------------------------- ports and networking


def test_every_published_port_binds_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    exposed = {(name, ip, port) for name, svc in services.items() for ip, port in _published(svc)}
    assert exposed
    assert {e for e in exposed if e[1] != "127.0.0.1"} == set()


def test_only_the_gateway_and_the_operator_uis_publish_ports(services: dict[str, dict[str, Any]]) -> None:
    publishing = {name for name, svc in services.items() if svc.get("ports")}
    assert publishing <= PUBLISHERS
    assert PUBLISHERS - publishing <= {"web"}  # web joins with its own issue


def test_the_operator_uis_publish_their_usual_ports(services: dict[str, dict[str, Any]]) -> None:
    expected = {"keycloak": "8090", "grafana": "3002", "kafka-ui": "8080", "mailpit": "8025",
                "minio": "9001", "jaeger": "16686"}  # fmt: skip
    assert {name: _published(services[name])[0][1] for name in expected} == expected


# -------------------------------------------------------------------------------------------- infrastructure


def test_infrastructure_has_healthchecks_and_dependents_wait_for_them(services: dict[str, dict[str, Any]]) -> None:
    for name in ("postgres", "redis", "kafka", "keycloak", "keycloak-db", "minio", "mailpit", "prometheus"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in str(services["redis"]["healthcheck"]["test"])
    assert "kafka-broker-api-versions" in str(services["kafka"]["healthcheck"]["test"])
    assert "/dev/tcp/127.0.0.1/9000" in str(services["keycloak"]["healthcheck"]["test"])
    assert "/health/ready" in str(services["keycloak"]["healthcheck"]["test"])
    assert services["kafka-init"]["depends_on"]["kafka"] == {"condition": "service_healthy"}
    assert services["minio-init"]["depends_on"]["minio"] == {"condition": "service_healthy"}
    assert services["keycloak"]["depends_on"]["keycloak-db"] == {"condition": "service_healthy"}


def _broker_properties() -> dict[str, str]:
    lines = (DEPLOY / "kafka" / "server.properties").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_kafka_init_creates_every_topic_and_its_dlq_twin_with_three_partitions(
    services: dict[str, dict[str, Any]],
) -> None:
    init = services["kafka-init"]
    env = _env(init)
    assert sorted(env["TOPICS"].split()) == sorted(TOPICS)
    assert env["PARTITIONS"] == "3"
    assert init["entrypoint"] == ["/bin/bash", "/etc/kafka/aivi/init.sh"]
    assert f"{DEPLOY / 'kafka'}:/etc/kafka/aivi:ro" in init["volumes"]
    script = (DEPLOY / "kafka" / "init.sh").read_text()
    assert 'for name in "$topic" "$topic-dlq"' in script
    assert '--create --if-not-exists --topic "$name"' in script


def test_kafka_runs_kraft_without_topic_auto_creation(services: dict[str, dict[str, Any]]) -> None:
    props = _broker_properties()
    assert props["process.roles"] == "broker,controller"
    assert props["advertised.listeners"] == "SASL_PLAINTEXT://kafka:9092"
    assert props["auto.create.topics.enable"] == "false"
    assert services["kafka"]["entrypoint"] == ["/bin/bash", "/etc/kafka/aivi/start.sh"]
    assert f"{DEPLOY / 'kafka'}:/etc/kafka/aivi:ro" in services["kafka"]["volumes"]


def test_keycloak_imports_the_production_realm_directory_read_only(services: dict[str, dict[str, Any]]) -> None:
    keycloak = services["keycloak"]
    assert f"{DEPLOY / 'keycloak' / 'production'}:/opt/keycloak/data/import:ro" in keycloak["volumes"]
    assert _env(keycloak)["KC_HTTP_PORT"] == "8090"


def test_postgres_init_creates_a_role_and_an_own_schema_per_service(services: dict[str, dict[str, Any]]) -> None:
    sql = (DEPLOY / "postgres" / "init.sql").read_text()
    assert "REVOKE ALL ON SCHEMA public FROM PUBLIC;" in sql
    assert set(re.findall(r"^CREATE ROLE (\w+)", sql, re.M)) == SERVICES.keys()
    pg_env = _env(services["postgres"])
    for svc in SERVICES:
        assert f"CREATE ROLE {svc} LOGIN PASSWORD :'{svc}_password';" in sql
        assert f"CREATE SCHEMA {svc} AUTHORIZATION {svc};" in sql
        assert f"\\getenv {svc}_password {svc.upper()}_DB_PASSWORD" in sql
        assert f"\\set {svc}_password {svc}-dev" in sql
        assert pg_env[f"{svc.upper()}_DB_PASSWORD"] == f"{svc}-dev"
    assert (
        f"{DEPLOY / 'postgres' / 'init.sql'}:/docker-entrypoint-initdb.d/01-init.sql:ro"
        in (services["postgres"]["volumes"])
    )


# -------------------------------------------------------------------------------------------- observability


def test_prometheus_scrapes_every_api_consumer_and_worker_on_its_port() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    expected = {
        "aivi-api": {f"{svc}-api:{port}" for svc, port in SERVICES.items()},
        "aivi-consumer": {f"{svc}-consumer:9101" for svc in SERVICES},
        "aivi-worker": {f"{svc}-worker:9102" for svc in SERVICES},
    }
    for job_name, targets in expected.items():
        job = jobs[job_name]
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert job["honor_labels"] is True, "keep the kit's own `service` label"
        scraped = {t for sc in job["static_configs"] for t in sc["targets"]}
        assert scraped == targets
        for static in job["static_configs"]:
            (target,) = static["targets"]
            assert target.startswith(f"{static['labels']['service']}-")
    assert config["rule_files"] == ["rules.yml"]


def test_prometheus_mounts_its_config_directory(services: dict[str, dict[str, Any]]) -> None:
    assert f"{DEPLOY / 'prometheus'}:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]


def test_grafana_provisions_the_datasources_the_dashboards_use(services: dict[str, dict[str, Any]]) -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "datasources.yml").read_text())["datasources"]
    assert {(d["type"], d["uid"]) for d in datasources} == {
        ("prometheus", "prometheus"), ("loki", "loki"), ("jaeger", "jaeger"),
        ("grafana-clickhouse-datasource", "clickhouse"),
    }  # fmt: skip
    # The ClickHouse plugin takes host and port (and its plugin is installed by GF_INSTALL_PLUGINS).
    clickhouse = next(d for d in datasources if d["uid"] == "clickhouse")
    assert (clickhouse["jsonData"]["host"], clickhouse["jsonData"]["port"]) == ("clickhouse", 8123)
    assert services["grafana"]["environment"]["GF_INSTALL_PLUGINS"].startswith("grafana-clickhouse-datasource ")
    assert "/etc/clickhouse-server/users.d/grafana.xml" in str(services["clickhouse"]["volumes"])
    urls = {d["uid"]: d["url"] for d in datasources if "url" in d}
    assert urls == {"prometheus": "http://prometheus:9090", "loki": "http://loki:3100",
                    "jaeger": "http://jaeger:16686"}  # fmt: skip
    providers = yaml.safe_load((provisioning / "dashboards" / "dashboards.yml").read_text())["providers"]
    assert [p["options"]["path"] for p in providers] == ["/var/lib/grafana/dashboards"]
    volumes = services["grafana"]["volumes"]
    assert f"{DEPLOY / 'grafana' / 'provisioning'}:/etc/grafana/provisioning:ro" in volumes
    assert f"{DEPLOY / 'grafana' / 'dashboards'}:/var/lib/grafana/dashboards:ro" in volumes


def test_promtail_ships_container_logs_and_parses_the_service_json_fields() -> None:
    config = yaml.safe_load((DEPLOY / "loki" / "promtail.yml").read_text())
    assert config["clients"] == [{"url": "http://loki:3100/loki/api/v1/push"}]
    (job,) = config["scrape_configs"]
    stages = {next(iter(stage)): next(iter(stage.values())) for stage in job["pipeline_stages"]}
    assert "docker" in stages, "the json-file wrapper is unpacked first"
    assert set(stages["json"]["expressions"]) >= {"service", "level", "correlationId", "trace_id"}
    assert set(stages["labels"]) == {"service", "level"}
    assert set(stages["structured_metadata"]) == {"correlationId", "trace_id"}


def test_jaeger_accepts_otlp_over_http(services: dict[str, dict[str, Any]]) -> None:
    assert _env(services["jaeger"])["COLLECTOR_OTLP_ENABLED"] == "true"


def test_the_kafka_and_node_exporters_run_unpublished_and_prometheus_scrapes_them(
    services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    kafka = services["kafka-exporter"]
    assert kafka["depends_on"]["kafka-init"] == {"condition": "service_completed_successfully"}
    assert {"--kafka.server=kafka:9092", "--sasl.enabled", "--sasl.mechanism=scram-sha512",
            "--sasl.username=kafka-exporter"} <= set(kafka["command"])  # fmt: skip
    password = operator_env["KAFKA_EXPORTER_PASSWORD"]
    assert f"--sasl.password={password}" in kafka["command"]
    assert _env(services["kafka-init"])["KAFKA_EXPORTER_PASSWORD"] == password
    node = services["node-exporter"]
    assert node["pid"] == "host" and "--path.rootfs=/host" in node["command"]
    assert all(volume.endswith(":ro,rslave") for volume in node["volumes"])
    assert "ports" not in kafka and "ports" not in node
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {
        job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]] for job in config["scrape_configs"]
    }
    assert jobs["kafka-exporter"] == ["kafka-exporter:9308"]
    assert jobs["node-exporter"] == ["node-exporter:9100"]


def test_the_exporter_kafka_user_may_only_describe() -> None:
    grants = [line for line in (DEPLOY / "kafka" / "init.sh").read_text().splitlines() if "User:kafka-exporter" in line]
    assert len(grants) == 3
    assert all("--operation Describe" in g and "Read" not in g and "Write" not in g for g in grants)


def test_promtool_accepts_the_compose_prometheus_config() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: apt-get install prometheus (Debian's package ships it)", pytrace=False)
    result = subprocess.run([promtool, "check", "config", "prometheus.yml"], cwd=DEPLOY / "prometheus",
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------------------------- dockerfiles


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_dockerfile_is_rendered_from_the_one_template(svc: str) -> None:
    for path, content in _load_renderer().render(svc).items():
        assert path.exists(), f"{path} missing: run `python deploy/docker/render.py`"
        assert path.read_text() == content, f"{path} is stale: run `python deploy/docker/render.py`"


def test_the_postgres_init_script_is_rendered_from_the_registry() -> None:
    for path, content in _load_renderer().render_postgres().items():
        assert path.read_text() == content, f"{path} is stale: run `python deploy/docker/render.py`"


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_image_syncs_dependencies_before_code_and_runs_the_api_as_non_root(svc: str) -> None:
    dockerfile = (REPO / "services" / svc / "Dockerfile").read_text()
    port = SERVICES[svc]
    assert "FROM python:3.11-slim" in dockerfile
    assert "COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /uvx /bin/" in dockerfile
    deps = dockerfile.index(f"uv sync --frozen --no-install-workspace --package {svc} --no-dev")
    code = dockerfile.index(f"COPY services/{svc}/ services/{svc}/")
    final = dockerfile.index(f"uv sync --frozen --package {svc} --no-dev")
    assert deps < code < final
    assert "--mount=type=cache,target=/root/.cache/uv" in dockerfile
    assert "ENV PATH=/app/.venv/bin:$PATH" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.M)
    assert dockerfile.rstrip().endswith(
        f'CMD ["uvicorn", "{svc}.main:app", "--host", "0.0.0.0", "--port", "{port}", '
        f'"--http", "{HTTP_PROTOCOL}", "--timeout-graceful-shutdown", "10"]'
    )
    assert ("ffmpeg" in dockerfile) == (svc == "media")


def _locked_dependencies(package: str) -> set[str]:
    """Every package uv.lock installs for `package` (without dev groups), itself included."""
    locked = {p["name"]: p for p in tomllib.loads((REPO / "uv.lock").read_text())["package"]}
    seen: set[str] = set()
    todo = [package]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        entry = locked[name]
        extras = entry.get("optional-dependencies", {}).values()
        todo += [dep["name"] for deps in (entry.get("dependencies", []), *extras) for dep in deps]
    return seen


@pytest.mark.parametrize("svc", SERVICES)
def test_no_service_image_copies_or_installs_the_stand_ins(svc: str) -> None:
    dockerfile = (REPO / "services" / svc / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (\S+)", dockerfile, re.M)
    assert "--from=ghcr.io/astral-sh/uv:0.13" in copied
    assert {c for c in copied if not c.startswith("--from=")} == {"pyproject.toml", "libs/", f"services/{svc}/"}
    assert "--no-dev" in dockerfile
    installed = _locked_dependencies(svc)
    assert "kit" in installed
    assert "standins" not in installed


# ------------------------------------------------------------------------------ production-safe defaults


def _service_containers(services: dict[str, dict[str, Any]]) -> list[str]:
    return [f"{svc}-{role}" for svc in SERVICES for role in ROLES]


def _render_realm(keycloak_env: dict[str, str]) -> dict[str, Any]:
    """The production realm as Keycloak imports it: its `${NAME}` placeholders from Keycloak's environment."""
    text = PRODUCTION_REALM.read_text()
    placeholders = set(re.findall(r"\$\{(\w+)\}", text))
    assert placeholders - keycloak_env.keys() == set(), "the realm uses variables Keycloak is not given"
    rendered: dict[str, Any] = json.loads(re.sub(r"\$\{(\w+)\}", lambda m: keycloak_env[m.group(1)], text))
    return rendered


@pytest.fixture(scope="module")
def realm(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return _render_realm(_env(services["keycloak"]))


def test_every_service_process_runs_in_production_without_header_identities(
    services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    for name in _service_containers(services):
        env = _env(services[name])
        assert env["SERVICE_ENV"] == "prod", name
        assert env["INTERNAL_AUTH_ENABLED"] == "false", name
        assert env["INTERNAL_TOKEN"] == operator_env["INTERNAL_TOKEN"], name
    assert re.search(r"^  INTERNAL_TOKEN: \$\{INTERNAL_TOKEN:\?", COMPOSE_FILE.read_text(), re.M)


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_starts_on_the_compose_environment_and_refuses_a_development_token(
    svc: str, services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = importlib.import_module(f"{svc}.settings").Settings
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in _env(services[f"{svc}-api"]).items():
        monkeypatch.setenv(key, value)
    settings = settings_class()
    assert settings.service_env == "prod"
    monkeypatch.setenv("INTERNAL_TOKEN", "dev-only-internal-token-change-me")
    with pytest.raises(ValueError, match="INTERNAL_TOKEN"):
        settings_class()


def test_keycloak_runs_in_production_mode_with_its_hostname_and_no_default_admin_password(
    services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    keycloak = services["keycloak"]
    env = _env(keycloak)
    assert keycloak["command"] == ["start", "--import-realm"]
    assert env["KC_HOSTNAME"] == KEYCLOAK_PUBLIC_URL
    assert env["KC_BOOTSTRAP_ADMIN_PASSWORD"] == operator_env["KEYCLOAK_ADMIN_PASSWORD"]
    assert re.search(r"KC_BOOTSTRAP_ADMIN_PASSWORD: \$\{KEYCLOAK_ADMIN_PASSWORD:\?", COMPOSE_FILE.read_text())
    gateway = _env(services["gateway-api"])
    assert gateway["KEYCLOAK_PUBLIC_URL"] == KEYCLOAK_PUBLIC_URL
    assert gateway["KEYCLOAK_URL"] == "http://keycloak:8090"


def test_the_production_realm_seeds_no_user_but_the_gateway_service_account(realm: dict[str, Any]) -> None:
    assert [u["username"] for u in realm["users"]] == ["service-account-gateway-admin"]
    (account,) = realm["users"]
    assert account["serviceAccountClientId"] == "gateway-admin"
    assert "credentials" not in account
    development = json.loads((DEPLOY / "keycloak" / "realm-ai-video-interview.json").read_text())
    assert {u["username"] for u in development["users"]} >= {"admin@test.com", "hr@test.com", "candidate@test.com"}


def test_the_production_realm_locks_out_guessing_verifies_email_and_has_a_password_policy(
    realm: dict[str, Any],
) -> None:
    assert realm["bruteForceProtected"] is True
    assert realm["failureFactor"] <= 10
    assert realm["verifyEmail"] is True
    policy = dict(re.findall(r"(\w+)\(([^)]*)\)", realm["passwordPolicy"]))
    assert int(policy["length"]) >= 12
    assert {"notUsername", "notEmail"} <= policy.keys()
    assert realm["sslRequired"] in {"external", "all"}
    assert realm["smtpServer"]["host"] == "mailpit"


def test_the_app_client_allows_only_the_code_flow_back_to_the_web_origin(realm: dict[str, Any]) -> None:
    app = next(c for c in realm["clients"] if c["clientId"] == "ai-video-interview-app")
    assert app["publicClient"] is True
    assert app["directAccessGrantsEnabled"] is False
    assert app["implicitFlowEnabled"] is False
    assert app["redirectUris"] == [f"{WEB_ORIGIN}/auth/callback"]
    assert app["webOrigins"] == [WEB_ORIGIN]
    assert app["attributes"]["post.logout.redirect.uris"] == f"{WEB_ORIGIN}/"
    assert app["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "*" not in json.dumps(app)


def test_the_gateway_manages_users_through_a_service_account_with_user_management_roles_only(
    realm: dict[str, Any], services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    client = next(c for c in realm["clients"] if c["clientId"] == "gateway-admin")
    assert client["serviceAccountsEnabled"] is True
    assert client["publicClient"] is False
    assert not (client["standardFlowEnabled"] or client["directAccessGrantsEnabled"] or client["implicitFlowEnabled"])
    assert client["secret"] == operator_env["KEYCLOAK_ADMIN_CLIENT_SECRET"]
    (account,) = realm["users"]
    assert account.get("realmRoles", []) == []
    assert account["clientRoles"] == {"realm-management": ["manage-users", "view-users", "query-users", "view-realm"]}
    for role in ROLES:
        env = _env(services[f"gateway-{role}"])
        assert env["KEYCLOAK_ADMIN_CLIENT_ID"] == "gateway-admin"
        assert env["KEYCLOAK_ADMIN_CLIENT_SECRET"] == client["secret"]
        assert "KEYCLOAK_ADMIN_USER" not in env and "KEYCLOAK_ADMIN_PASSWORD" not in env


S3_USERS = {"users": "avatars", "media": "media"}


def test_each_service_has_its_own_s3_user_limited_to_its_bucket(
    services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    root = _env(services["minio"])
    for svc in SERVICES:
        env = _env(services[f"{svc}-api"])
        if svc in S3_USERS:
            assert env["S3_ACCESS_KEY"] == svc
            assert env["S3_SECRET_KEY"] == operator_env[f"{svc.upper()}_S3_SECRET_KEY"]
            assert env["S3_SECRET_KEY"] != root["MINIO_ROOT_PASSWORD"]
        else:
            assert "S3_ACCESS_KEY" not in env and "S3_SECRET_KEY" not in env, svc
    script = services["minio-init"]["command"][0].replace("$$", "$")
    for svc, bucket in S3_USERS.items():
        assert f'grant {svc} {bucket} "${svc.upper()}_S3_SECRET_KEY"' in script
    policy = json.loads(re.search(r"printf '(\{.*\})'", script).group(1).replace("%s", "BUCKET"))  # type: ignore[union-attr]
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"}
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])
    assert not any("*" in action for statement in policy["Statement"] for action in statement["Action"])


def test_no_container_mounts_the_docker_socket_and_promtail_reads_log_files(
    services: dict[str, dict[str, Any]],
) -> None:
    assert [n for n, svc in services.items() if "docker.sock" in json.dumps(svc.get("volumes", []))] == []
    assert "/var/lib/docker/containers:/var/lib/docker/containers:ro" in services["promtail"]["volumes"]
    config = yaml.safe_load((DEPLOY / "loki" / "promtail.yml").read_text())
    (job,) = config["scrape_configs"]
    assert "docker_sd_configs" not in job
    (static,) = job["static_configs"]
    assert static["labels"]["__path__"] == "/var/lib/docker/containers/*/*-json.log"


def test_kafka_requires_scram_and_denies_whatever_no_acl_allows() -> None:
    props = _broker_properties()
    protocols = dict(p.split(":") for p in props["listener.security.protocol.map"].split(","))
    listeners = dict(re.match(r"(\w+)://(.*)", li).groups() for li in props["listeners"].split(","))  # type: ignore[union-attr]
    for name, address in listeners.items():
        # A plaintext listener exists only on the container's loopback (the controller's).
        assert protocols[name] == "SASL_PLAINTEXT" or address.startswith("127.0.0.1:"), name
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert set(props["super.users"].split(";")) == {"User:admin", "User:ANONYMOUS"}


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_signs_in_to_kafka_as_itself(
    svc: str, services: dict[str, dict[str, Any]], operator_env: dict[str, str]
) -> None:
    env = _env(services[f"{svc}-api"])
    assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert env["KAFKA_USERNAME"] == svc
    assert env["KAFKA_PASSWORD"] == operator_env[f"{svc.upper()}_KAFKA_PASSWORD"]
    assert _env(services["kafka-init"])[f"{svc.upper()}_KAFKA_PASSWORD"] == env["KAFKA_PASSWORD"]


def test_the_kafka_acls_let_each_service_write_its_own_topics_and_only_the_gateway_user_commands(
    services: dict[str, dict[str, Any]],
) -> None:
    env = _env(services["kafka-init"])
    assert env["SERVICES"].split() == list(SERVICES)
    writes = {svc: set(env[f"{svc.upper()}_WRITES"].split()) for svc in SERVICES}
    reads = {svc: set(env[f"{svc.upper()}_READS"].split()) for svc in SERVICES}
    for svc, entry in FLEET.items():
        assert reads[svc] == set(entry.consumes), svc
        assert writes[svc] - {"user-commands"} == set(entry.produces), svc
    assert [svc for svc, topics in writes.items() if "user-commands" in topics] == ["gateway"]
    owners = [topic for topics in writes.values() for topic in topics]
    assert len(owners) == len(set(owners)), "a topic has more than one writer"


def test_kafka_ui_is_out_of_the_default_profile_read_only_and_behind_a_login(
    services: dict[str, dict[str, Any]],
) -> None:
    ui = services["kafka-ui"]
    assert ui["profiles"] == ["tools"]
    env = _env(ui)
    assert env["AUTH_TYPE"] == "LOGIN_FORM"
    assert env["KAFKA_CLUSTERS_0_READONLY"] == "true"
    assert 'username="kafka-ui"' in env["KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG"]


def test_hr_needs_an_admins_approval_unless_the_operator_names_trusted_domains(
    services: dict[str, dict[str, Any]],
) -> None:
    assert json.loads(_env(services["users-api"])["HR_EMAIL_DOMAINS"]) == []


def test_the_gateway_serves_metrics_and_detailed_health_to_prometheus_only(
    services: dict[str, dict[str, Any]],
) -> None:
    allowed = json.loads(_env(services["gateway-api"])["OPS_ALLOWED_CLIENTS"])
    assert allowed == ["prometheus"]
    assert "prometheus" in services
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    api = next(job for job in config["scrape_configs"] if job["job_name"] == "aivi-api")
    assert "gateway-api:8001" in {t for sc in api["static_configs"] for t in sc["targets"]}


# --- consumers and workers: restarted when they crash, healthy only while their liveness endpoint answers ---


@pytest.mark.parametrize("svc", SERVICES)
def test_consumers_and_workers_restart_and_check_their_liveness_on_the_metrics_port(
    svc: str, services: dict[str, dict[str, Any]]
) -> None:
    for role in ("consumer", "worker"):
        container = services[f"{svc}-{role}"]
        assert container["restart"] == "unless-stopped"
        check = container["healthcheck"]
        assert check["test"][0] == "CMD"
        assert "METRICS_PORT" in check["test"][-1]
        assert "/health" in check["test"][-1]


def _process_probe(services: dict[str, dict[str, Any]]) -> list[str]:
    """The consumer's healthcheck command, run here with this venv's python instead of the image's."""
    command = list(services[f"{next(iter(SERVICES))}-consumer"]["healthcheck"]["test"][1:])
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


def test_the_healthcheck_passes_while_the_process_is_alive_and_fails_when_it_is_not(
    services: dict[str, dict[str, Any]],
) -> None:
    state = {"alive": True}
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1", lambda: (state["alive"], {}))
    env = {**os.environ, "METRICS_PORT": str(port)}
    try:
        assert subprocess.run(_process_probe(services), env=env, check=False, timeout=30).returncode == 0
        state["alive"] = False
        refused = subprocess.run(_process_probe(services), env=env, check=False, capture_output=True, timeout=30)
        assert refused.returncode != 0
    finally:
        server.shutdown()
        server.server_close()


def test_the_gateways_health_asks_every_consumer_and_worker_by_its_in_network_name(
    services: dict[str, dict[str, Any]],
) -> None:
    urls = json.loads(_env(services["gateway-api"])["PROCESS_HEALTH_URLS"])
    expected = {}
    for svc in SERVICES:
        for role in ("consumer", "worker"):
            port = _env(services[f"{svc}-{role}"])["METRICS_PORT"]
            expected[f"{svc}-{role}"] = f"http://{svc}-{role}:{port}"
    assert urls == expected

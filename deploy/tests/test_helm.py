"""The Helm chart (deploy/helm/aivi) passes `helm lint` and `kubeconform -strict` for its default values and the
production example on several Kubernetes versions, a broken chart fails that check, and what it renders keeps the
rules the chart promises: every service and role from deploy/services.toml, only the gateway and the web app
behind the Ingress, non-root read-only pods with resources, secrets only by reference, consumers scaled no
further than the partition count, services reachable only from the gateway and their callers.

helm and kubeconform are built from the Go module proxy into .local/bin on first use (deploy/helm/check.py)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from devstack.registry import load
from kit.server import HTTP_PROTOCOL

DEPLOY = Path(__file__).resolve().parents[1]
CHART = DEPLOY / "helm" / "aivi"
PRODUCTION = DEPLOY / "helm" / "examples" / "production.yaml"
SERVICES = load(DEPLOY / "services.toml")
ROLES = ("api", "consumer", "worker")


def _check_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("helm_check", DEPLOY / "helm" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _check_module()


def _render(values: Path | None = None, chart: Path = CHART) -> list[dict[str, Any]]:
    manifests = check.render(check.tool("helm"), chart, values, check.KUBERNETES_VERSIONS[-1])
    return [doc for doc in yaml.safe_load_all(manifests) if doc]


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


@pytest.fixture(scope="module")
def default_docs() -> list[dict[str, Any]]:
    return _render()


@pytest.fixture(scope="module")
def production_docs() -> list[dict[str, Any]]:
    return _render(PRODUCTION)


def test_the_chart_passes_lint_and_strict_schema_validation_for_default_and_production_values() -> None:
    assert check.check(CHART, [None, PRODUCTION]) == []


@pytest.mark.parametrize(
    ("template", "before", "after", "expected"),
    [
        # An unknown field in a Deployment's container: only a strict schema catches it.
        ("services.yaml", "imagePullPolicy:", "imagePullPolicyy:", "imagePullPolicyy"),
        # A wrong type in a core field.
        ("autoscaling.yaml", "minReplicas: {{ $rv.autoscaling.minReplicas }}", 'minReplicas: "two"', "minReplicas"),
        # The KEDA objects are validated too, against deploy/helm/schemas, not skipped.
        ("keda.yaml", "lagThreshold: {{", "lagThresold: {{", "lagThresold"),
    ],
)
def test_a_broken_chart_fails_the_check(tmp_path: Path, template: str, before: str, after: str, expected: str) -> None:
    chart = tmp_path / "aivi"
    shutil.copytree(CHART, chart)
    path = chart / "templates" / template
    source = path.read_text()
    assert before in source
    path.write_text(source.replace(before, after, 1))

    failures = check.check(chart, [None])

    assert failures
    assert any(expected in failure for failure in failures)


def test_a_kind_without_a_schema_fails_instead_of_being_skipped(tmp_path: Path) -> None:
    chart = tmp_path / "aivi"
    shutil.copytree(CHART, chart)
    (chart / "templates" / "unknown.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: gadget\nspec: {}\n"
    )

    failures = check.check(chart, [None])

    assert any("Gadget" in failure for failure in failures)


def test_every_service_of_the_registry_runs_each_role_with_its_port_topics_and_migration(
    default_docs: list[dict[str, Any]],
) -> None:
    deployments = _by_kind(default_docs, "Deployment")
    jobs = _by_kind(default_docs, "Job")
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert set(values["services"]) == set(SERVICES)
    for name, svc in SERVICES.items():
        assert values["services"][name]["port"] == svc.port
        assert values["services"][name]["consumes"] == list(svc.consumes)
        for role in ROLES:
            container = deployments[f"aivi-{name}-{role}"]["spec"]["template"]["spec"]["containers"][0]
            assert container["image"] == f"ghcr.io/aivi/{name}:0.1.0"
        api = deployments[f"aivi-{name}-api"]["spec"]["template"]["spec"]["containers"][0]
        assert api["args"][:2] == ["uvicorn", f"{name}.main:app"]
        assert api["args"][api["args"].index("--http") + 1] == HTTP_PROTOCOL
        assert api["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert api["livenessProbe"]["httpGet"]["path"] == "/health"
        consumer = deployments[f"aivi-{name}-consumer"]["spec"]["template"]["spec"]["containers"][0]
        assert consumer["args"] == ["python", "-m", f"{name}.consumers"]
        assert consumer["livenessProbe"]["httpGet"] == {"path": "/health", "port": "metrics"}
        assert {"name": "METRICS_PORT", "value": "9101"} in consumer["env"]
        job = jobs[f"aivi-{name}-migrate"]
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        migrate = job["spec"]["template"]["spec"]["containers"][0]
        assert migrate["args"] == ["alembic", "-c", f"services/{name}/alembic.ini", "upgrade", "head"]
    assert "aivi-web" in deployments


def test_only_the_gateway_and_the_web_app_are_behind_the_ingress(production_docs: list[dict[str, Any]]) -> None:
    (ingress,) = _by_kind(production_docs, "Ingress").values()
    backends = {
        (rule["host"], path["backend"]["service"]["name"])
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {("api.hire.example.com", "aivi-gateway"), ("hire.example.com", "aivi-web")}
    services = _by_kind(production_docs, "Service")
    assert all(service["spec"]["type"] == "ClusterIP" for service in services.values())


def test_every_pod_runs_as_non_root_on_a_read_only_filesystem_with_requests_and_limits(
    production_docs: list[dict[str, Any]],
) -> None:
    pods = [doc["spec"]["template"]["spec"] for doc in production_docs if doc["kind"] in {"Deployment", "Job"}]
    assert len(pods) == len(SERVICES) * 4 + 1
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert set(container["resources"]) == {"requests", "limits"}
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])


def test_secrets_are_only_referenced_never_rendered(production_docs: list[dict[str, Any]]) -> None:
    assert not [doc for doc in production_docs if doc["kind"] == "Secret"]
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    allowed = {values["sharedSecret"]["existingSecret"]} | {svc["secret"] for svc in values["services"].values()}
    referenced = set()
    for doc in production_docs:
        if doc["kind"] in {"Deployment", "Job"}:
            for container in doc["spec"]["template"]["spec"]["containers"]:
                referenced |= {ref["secretRef"]["name"] for ref in container.get("envFrom", []) if "secretRef" in ref}
                for env in container.get("env", []):
                    assert "value" in env or "valueFrom" in env
                    assert not any(word in env["name"] for word in ("PASSWORD", "SECRET", "TOKEN", "DATABASE_URL"))
        if doc["kind"] == "TriggerAuthentication":
            referenced |= {ref["name"] for ref in doc["spec"]["secretTargetRef"]}
    assert referenced == allowed


def test_consumers_scale_on_lag_no_further_than_the_partition_count(
    default_docs: list[dict[str, Any]], production_docs: list[dict[str, Any]]
) -> None:
    for docs, partitions in ((default_docs, 6), (production_docs, 12)):
        scaled = _by_kind(docs, "ScaledObject")
        consumers = {name for name, svc in SERVICES.items() if svc.consumes}
        assert set(scaled) == {f"aivi-{name}-consumer" for name in consumers}
        for name in consumers:
            spec = scaled[f"aivi-{name}-consumer"]["spec"]
            assert spec["maxReplicaCount"] <= partitions
            assert [trigger["metadata"]["topic"] for trigger in spec["triggers"]] == list(SERVICES[name].consumes)
            assert {trigger["metadata"]["consumerGroup"] for trigger in spec["triggers"]} == {name}
    production = _by_kind(production_docs, "ScaledObject")
    assert production["aivi-analysis-consumer"]["spec"]["maxReplicaCount"] == 4
    assert production["aivi-users-consumer"]["spec"]["maxReplicaCount"] == 12
    # A Deployment that an autoscaler owns has no replica count of its own to fight it.
    deployments = _by_kind(production_docs, "Deployment")
    assert "replicas" not in deployments["aivi-users-consumer"]["spec"]
    assert "replicas" not in deployments["aivi-users-api"]["spec"]
    assert deployments["aivi-users-worker"]["spec"]["replicas"] == 2
    assert set(_by_kind(production_docs, "HorizontalPodAutoscaler")) == {
        *(f"aivi-{name}-api" for name in SERVICES),
        "aivi-web",
    }


def test_a_service_api_is_reachable_only_from_the_gateway_its_callers_and_monitoring(
    default_docs: list[dict[str, Any]],
) -> None:
    policies = _by_kind(default_docs, "NetworkPolicy")

    def sources(name: str) -> list[dict[str, Any]]:
        (api_rule, _metrics_rule) = policies[f"aivi-{name}"]["spec"]["ingress"]
        return list(api_rule["from"])

    def components(name: str) -> set[str]:
        return {
            source["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
            for source in sources(name)
            if "podSelector" in source
        }

    assert components("media") == {"gateway"}
    assert components("billing") == {"gateway", "users", "interviews"}
    # The gateway alone takes traffic from the ingress controller's namespace.
    gateway_namespaces = [s["namespaceSelector"] for s in sources("gateway") if "namespaceSelector" in s]
    assert {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}} in gateway_namespaces
    assert all(
        {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
        not in [s.get("namespaceSelector") for s in sources(n)]
        for n in SERVICES
        if n != "gateway"
    )
    # Only the services that call a SaaS API may open HTTPS to the internet.
    open_to_internet = {
        name
        for name in SERVICES
        if any(
            peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"
            for rule in policies[f"aivi-{name}"]["spec"]["egress"]
            for peer in rule.get("to", [])
        )
    }
    assert open_to_internet == {"media", "analysis", "notifications", "billing"}


def test_helm_refuses_values_without_an_absolute_api_url(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("urls:\n  api: not-a-url\n")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _render(values)
    assert "urls.api must be an absolute URL" in refused.value.stderr

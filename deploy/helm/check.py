"""Check the Helm chart offline: `helm lint --strict`, then `helm template` piped into `kubeconform -strict` against
the Kubernetes JSON schemas of several Kubernetes versions, for the default values and every example values file.

    uv run python deploy/helm/check.py            # the chart in deploy/helm/aivi
    uv run python deploy/helm/check.py --chart DIR --values FILE ...

helm and kubeconform are built once from the Go module proxy into .local/bin (pinned below). The Kubernetes
schemas come from the PyPI package kubernetes-validate, whose per-kind files point into one shared
`_definitions.json`; kubeconform wants each kind standalone, so the kinds the chart renders are rewritten with the
definitions they reach inlined (into .local/helm-schemas). KEDA's ScaledObject and TriggerAuthentication are
checked against deploy/helm/schemas (written from KEDA's documented spec). A missing schema is a failure, never a
skip. Exit status 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "aivi"
EXAMPLES = ROOT / "deploy" / "helm" / "examples"
OWN_SCHEMAS = ROOT / "deploy" / "helm" / "schemas"
BIN = ROOT / ".local" / "bin"
SCHEMA_CACHE = ROOT / ".local" / "helm-schemas"

TOOLS = {
    "helm": "helm.sh/helm/v4/cmd/helm@v4.3.2",
    "kubeconform": "github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0",
}
# The oldest the chart supports (Chart.yaml kubeVersion) and the newest kubernetes-validate carries.
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0", "1.37.0")
SOURCE = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
DEFINITIONS_REF = "/api/_definitions.json#"


def tool(name: str) -> Path:
    """The pinned tool, built into .local/bin on first use."""
    path = BIN / name
    if path.exists():
        return path
    go = shutil.which("go") or str(ROOT / ".local" / "go" / "bin" / "go")
    BIN.mkdir(parents=True, exist_ok=True)
    print(f"building {TOOLS[name]} into {BIN} (once)", flush=True)
    subprocess.run([go, "install", TOOLS[name]], check=True, env={**os.environ, "GOBIN": str(BIN)})
    return path


def schema_file_name(doc: dict[str, Any]) -> str:
    """kubeconform's name for a kind's schema: <kind>[-<group's first label>]-<version>.json."""
    group, _, version = str(doc["apiVersion"]).rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{str(doc['kind']).lower()}{suffix}.json"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _relocate(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace(DEFINITIONS_REF, "#") if key == "$ref" and isinstance(value, str) else _relocate(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_relocate(item) for item in node]
    return node


def standalone(version: str, file_name: str) -> Path | None:
    """The standalone strict schema of one kind for one Kubernetes version, converted once; None if the version
    has no such kind (kubeconform then reports the resource as unvalidated: a failure here)."""
    target = SCHEMA_CACHE / f"v{version}-standalone-strict" / file_name
    if target.exists():
        return target
    source_dir = SOURCE / f"v{version}-local-strict"
    source = source_dir / file_name
    if not source.exists():
        return None
    schema = _relocate(json.loads(source.read_text()))
    schema.pop("$id", None)
    definitions = json.loads((source_dir / "_definitions.json").read_text())["$defs"]
    needed: dict[str, Any] = {}
    pending = [ref for ref in _refs(schema) if ref.startswith("#/$defs/")]
    while pending:
        name = pending.pop().removeprefix("#/$defs/")
        if name in needed:
            continue
        needed[name] = definitions[name]
        pending.extend(ref for ref in _refs(definitions[name]) if ref.startswith("#/$defs/"))
    schema["$defs"] = needed
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(schema))
    return target


def render(helm: Path, chart: Path, values: Path | None, kube_version: str) -> str:
    cmd = [str(helm), "template", "aivi", str(chart), "--kube-version", kube_version]
    if values is not None:
        cmd += ["--values", str(values)]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def check(chart: Path, values_files: list[Path | None]) -> list[str]:
    """Every failure as one line; empty when the chart passed."""
    helm, kubeconform = tool("helm"), tool("kubeconform")
    failures: list[str] = []
    for values in values_files:
        label = values.name if values else "default values"
        lint = [str(helm), "lint", "--strict", str(chart)] + (["--values", str(values)] if values else [])
        linted = subprocess.run(lint, capture_output=True, text=True)
        if linted.returncode != 0:
            failures.append(f"helm lint ({label}): {linted.stdout.strip()} {linted.stderr.strip()}")
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                manifests = render(helm, chart, values, version)
            except subprocess.CalledProcessError as exc:
                failures.append(f"helm template ({label}, {version}): {exc.stderr.strip()}")
                continue
            for doc in yaml.safe_load_all(manifests):
                if doc and not str(doc["apiVersion"]).startswith("keda.sh/"):
                    standalone(version, schema_file_name(doc))
            validated = subprocess.run(
                [
                    str(kubeconform),
                    "-strict",
                    "-summary",
                    "-output",
                    "text",
                    "-kubernetes-version",
                    version,
                    "-schema-location",
                    str(SCHEMA_CACHE) + "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/"
                    "{{ .ResourceKind }}{{ .KindSuffix }}.json",
                    "-schema-location",
                    str(OWN_SCHEMAS) + "/{{ .ResourceKind }}{{ .KindSuffix }}.json",
                    "-",
                ],
                input=manifests,
                capture_output=True,
                text=True,
            )
            summary = validated.stdout.strip().splitlines()
            print(f"{label}, Kubernetes {version}: {summary[-1] if summary else validated.stderr.strip()}")
            if validated.returncode != 0:
                failures.append(
                    f"kubeconform ({label}, {version}): {validated.stdout.strip()} {validated.stderr.strip()}"
                )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chart", type=Path, default=CHART)
    parser.add_argument("--values", type=Path, action="append", help="example values files (default: examples/*)")
    args = parser.parse_args()
    values_files: list[Path | None] = [None, *(args.values or sorted(EXAMPLES.glob("*.yaml")))]
    failures = check(args.chart, values_files)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    print("chart check passed" if not failures else f"chart check FAILED ({len(failures)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

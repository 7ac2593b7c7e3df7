"""`make audit`: known vulnerabilities in what the platform ships.

- Python: pip-audit over every package uv.lock pins (exported with `uv export --frozen`), services and dev
  tools alike. pip-audit names advisories without a severity, so each finding's severity is read from its
  OSV record (the GitHub advisory's rating; an advisory without one counts as high).
- Web: `npm audit --omit=dev` over web/package-lock.json (what the production build runs).

Everything found is reported. With CI=true the exit status is 1 when a finding is high or critical, and 2
when an audit could not run at all (an unreachable advisory database must not pass as "nothing found").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FAILING = {"high", "critical"}
OSV_VULN = "https://api.osv.dev/v1/vulns/{}"


@dataclass(frozen=True)
class Finding:
    ecosystem: str
    package: str
    version: str
    advisory: str
    severity: str
    fixed_in: str

    def line(self) -> str:
        fix = f"fixed in {self.fixed_in}" if self.fixed_in else "no fix released"
        return f"  [{self.severity}] {self.ecosystem} {self.package} {self.version}: {self.advisory} ({fix})"


class AuditUnavailable(Exception):
    """The audit could not run (tool missing, advisory database unreachable)."""


def osv_severity(record: dict[str, Any]) -> str | None:
    """The severity an OSV record states (GitHub advisories carry LOW/MODERATE/HIGH/CRITICAL)."""
    rating = (record.get("database_specific") or {}).get("severity")
    if isinstance(rating, str) and rating:
        return {"moderate": "moderate", "medium": "moderate"}.get(rating.lower(), rating.lower())
    return None


def _osv_record(advisory: str) -> dict[str, Any]:
    with urllib.request.urlopen(OSV_VULN.format(advisory), timeout=20) as response:
        record: dict[str, Any] = json.load(response)
    return record


def severity_of(advisory: str, aliases: list[str]) -> str:
    """The advisory's severity from OSV, trying its GitHub alias when the record itself has none."""
    for candidate in [advisory, *(a for a in aliases if a.startswith("GHSA-"))]:
        try:
            rating = osv_severity(_osv_record(candidate))
        except OSError:
            continue
        if rating:
            return rating
    return "high"  # unrated or unreachable: counted as failing rather than waved through


def pip_findings(report: dict[str, Any]) -> list[Finding]:
    findings = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    "python",
                    dependency["name"],
                    dependency["version"],
                    vuln["id"],
                    severity_of(vuln["id"], vuln.get("aliases", [])),
                    ", ".join(vuln.get("fix_versions", [])),
                )
            )
    return findings


def npm_findings(report: dict[str, Any]) -> list[Finding]:
    """One finding per vulnerable package of an `npm audit --json` report (v7+ format)."""
    findings = []
    for name, entry in report.get("vulnerabilities", {}).items():
        advisories = [v.get("url") or v.get("title", "") for v in entry.get("via", []) if isinstance(v, dict)]
        if not advisories:  # vulnerable only through another package, which is listed itself
            advisories = [f"via {', '.join(v for v in entry.get('via', []) if isinstance(v, str))}"]
        fix = entry.get("fixAvailable")
        fixed_in = f"{fix.get('name')}@{fix.get('version')}" if isinstance(fix, dict) else ("yes" if fix else "")
        findings.append(
            Finding("npm", name, entry.get("range", ""), "; ".join(advisories), entry.get("severity", "high"), fixed_in)
        )
    return findings


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    except FileNotFoundError as exc:
        raise AuditUnavailable(f"{cmd[0]} is not installed") from exc


def audit_python() -> list[Finding]:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        export = _run(
            ["uv", "export", "--frozen", "--no-hashes", "--no-emit-workspace", "--all-packages", "--all-groups",
             "--quiet", "-o", str(requirements)],
            REPO,
        )  # fmt: skip
        if export.returncode != 0:
            raise AuditUnavailable(f"uv export failed: {export.stderr.strip()}")
        # The export pins every package exactly, so pip-audit needs no resolver (--no-deps, --disable-pip).
        result = _run(
            ["uv", "run", "--frozen", "pip-audit", "-r", str(requirements), "--no-deps", "--disable-pip",
             "--format", "json", "--progress-spinner", "off"],
            REPO,
        )  # fmt: skip
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AuditUnavailable(f"pip-audit gave no report: {result.stderr.strip()[-500:]}") from exc
    return pip_findings(report)


def audit_web() -> list[Finding]:
    result = _run(["npm", "audit", "--omit=dev", "--json"], REPO / "web")
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise AuditUnavailable(f"npm audit gave no report: {result.stderr.strip()[-500:]}") from exc
    if "error" in report or (result.returncode != 0 and "vulnerabilities" not in report):
        detail = report.get("error", {}).get("summary") if isinstance(report.get("error"), dict) else None
        raise AuditUnavailable(f"npm audit failed: {detail or result.stderr.strip()[-500:]}")
    return npm_findings(report)


def main() -> int:
    ci = os.environ.get("CI", "").lower() == "true"
    findings: list[Finding] = []
    unavailable: list[str] = []
    for name, audit in (("Python (uv.lock)", audit_python), ("web (npm, production dependencies)", audit_web)):
        try:
            found = audit()
        except AuditUnavailable as exc:
            unavailable.append(f"{name}: {exc}")
            print(f"{name}: could not audit: {exc}")
            continue
        findings += found
        print(f"{name}: {len(found) or 'no'} known vulnerabilit{'y' if len(found) == 1 else 'ies'}")
        for finding in found:
            print(finding.line())
    failing = [f for f in findings if f.severity in FAILING]
    if failing:
        print(f"{len(failing)} high or critical finding(s)" + ("" if ci else " (CI=true fails on these)"))
    if ci and failing:
        return 1
    if ci and unavailable:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

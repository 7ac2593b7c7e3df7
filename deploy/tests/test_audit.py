"""`make audit` (deploy/audit.py) reads pip-audit's and npm's reports and fails CI on high or critical only."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_audit", Path(__file__).resolve().parents[1] / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _audit()

NPM_REPORT = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "next": {
            "name": "next",
            "severity": "critical",
            "via": [{"title": "Authorization bypass in middleware", "url": "https://github.com/advisories/GHSA-f82v"}],
            "range": "13.0.0 - 14.2.24",
            "fixAvailable": {"name": "next", "version": "14.2.25"},
        },
        "postcss-wrapper": {
            "name": "postcss-wrapper",
            "severity": "moderate",
            "via": ["postcss"],
            "range": "*",
            "fixAvailable": False,
        },
    },
}


def test_npm_findings_keep_each_package_severity_advisory_and_fix() -> None:
    findings = {f.package: f for f in audit.npm_findings(NPM_REPORT)}
    assert findings["next"].severity == "critical"
    assert findings["next"].advisory == "https://github.com/advisories/GHSA-f82v"
    assert findings["next"].fixed_in == "next@14.2.25"
    assert findings["postcss-wrapper"].advisory == "via postcss"
    assert findings["postcss-wrapper"].fixed_in == ""


def test_a_github_rating_in_an_osv_record_is_the_severity() -> None:
    assert audit.osv_severity({"database_specific": {"severity": "MODERATE"}}) == "moderate"
    assert audit.osv_severity({"database_specific": {"severity": "HIGH"}}) == "high"
    assert audit.osv_severity({"id": "PYSEC-2024-1"}) is None


def test_a_clean_pip_audit_report_has_no_findings() -> None:
    assert audit.pip_findings({"dependencies": [{"name": "httpx", "version": "0.28.1", "vulns": []}]}) == []


@pytest.mark.parametrize(
    ("severities", "unavailable", "ci", "status"),
    [
        (["critical"], False, True, 1),
        (["high", "low"], False, True, 1),
        (["moderate", "low"], False, True, 0),
        (["critical"], False, False, 0),
        ([], True, True, 2),
        ([], True, False, 0),
    ],
)
def test_only_ci_fails_and_only_on_high_or_critical_or_an_audit_that_could_not_run(
    severities: list[str], unavailable: bool, ci: bool, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = [audit.Finding("python", f"p{i}", "1", f"A-{i}", s, "") for i, s in enumerate(severities)]

    def python() -> list[object]:
        return found

    def web() -> list[object]:
        if unavailable:
            raise audit.AuditUnavailable("registry answered 405")
        return []

    monkeypatch.setattr(audit, "audit_python", python)
    monkeypatch.setattr(audit, "audit_web", web)
    monkeypatch.setenv("CI", "true" if ci else "false")
    assert audit.main() == status

"""Every metric series the fleet exports, for checking that alert rules and dashboards query only real ones.

The services' and the kit's own metrics are read from their source (each `Counter("name", ...)`,
`Gauge(...)`, `Histogram(...)`, `Summary(...)` in libs/kit and services/*), so a new or renamed metric is seen
without a list to update; the exporters' names are listed here with the exporter that exports them.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_DEFINITION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")

# Series of the time series as prometheus_client exposes each kind (the `_created` samples are left out).
_SUFFIXES = {
    "Counter": ("_total",),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count"),
    "Summary": ("_sum", "_count"),
}

PROMETHEUS = {"up"}
# danielqsj/kafka-exporter (compose's `kafka-exporter`).
KAFKA_EXPORTER = {
    "kafka_brokers",
    "kafka_consumergroup_lag",
    "kafka_consumergroup_lag_sum",
    "kafka_consumergroup_current_offset",
    "kafka_topic_partition_current_offset",
    "kafka_topic_partition_oldest_offset",
    "kafka_topic_partitions",
}
# Debian's prometheus-node-exporter and compose's `node-exporter`.
NODE_EXPORTER = {
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_load1",
}


def code_metrics(repo: Path = REPO) -> dict[str, set[str]]:
    """Each metric the code defines → the series it exports (a Counter named `x` or `x_total` exports `x_total`)."""
    sources = [*(repo / "libs" / "kit").rglob("*.py"), *(repo / "services").glob("*/*/**/*.py")]
    found: dict[str, set[str]] = {}
    for path in sources:
        if "tests" in path.relative_to(repo).parts:
            continue
        for kind, name in _DEFINITION.findall(path.read_text()):
            base = name.removesuffix("_total") if kind == "Counter" else name
            found[name] = {base + suffix for suffix in _SUFFIXES[kind]}
    return found


def exported_series(repo: Path = REPO) -> set[str]:
    """Every series name a PromQL expression of ours may select."""
    return set().union(*code_metrics(repo).values()) | PROMETHEUS | KAFKA_EXPORTER | NODE_EXPORTER


_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
             "offset", "inf", "nan"}  # fmt: skip


def metric_names(promql: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords, labels and strings removed)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', promql)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = _GROUPING.sub(" ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w$.])[a-zA-Z_:][\w:]*", expr):
        if expr[match.end() :].lstrip().startswith("("):
            continue  # a function call
        if match.group().lower() not in _KEYWORDS:
            names.add(match.group())
    return names

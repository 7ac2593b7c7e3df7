"""The gateway's own Prometheus metrics, beside the kit's HTTP, breaker and outbox ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

AUTH_REQUESTS = Counter("auth_requests_total", "Authentication requests by type and outcome", ["type", "status"])
SERVICE_CALLS = Counter("service_calls_total", "Calls to upstream services", ["service", "method", "status"])
SERVICE_CALL_DURATION = Histogram(
    "service_call_duration_milliseconds",
    "Upstream call duration",
    ["service", "method"],
    buckets=(10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)
USER_OPERATIONS = Counter("user_operations_total", "Registration saga and admin user operations", ["operation"])
# The requests that met a Redis outage, which the logs show only once per outage (gateway.outages): `rate_limit`,
# let through without a limit; `deny_list`, refused with a 503 (the check fails closed).
REDIS_UNAVAILABLE = Counter(
    "gateway_redis_unavailable_total", "Requests that could not reach Redis, by the check that needed it", ["check"]
)


@contextmanager
def auth_request(kind: str) -> Iterator[None]:
    try:
        yield
    except Exception:
        AUTH_REQUESTS.labels(kind, "failure").inc()
        raise
    AUTH_REQUESTS.labels(kind, "success").inc()

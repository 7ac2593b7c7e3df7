"""A dependency's outage in the logs as one line when it starts and one when it ends. A place that fails on every
request while Redis is down would otherwise log a line per request, growing with the traffic, during exactly the
outage an operator reads the logs through; how many requests it touched is a metric's job."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter

from gateway.metrics import REDIS_UNAVAILABLE


class OutageLog:
    """One place's view of an outage: the first failure is logged at `level` as `failed_event`, the failures after
    it until the next success at debug, and that success once, at info, as `recovered_event` (with how many
    failures it ended). `check`, when given, counts every failure in `gateway_redis_unavailable_total`."""

    def __init__(
        self, logger: Any, failed_event: str, recovered_event: str, *, level: str = "warning", check: str | None = None
    ) -> None:
        self._log = logger
        self._first = getattr(logger, level)
        self.failed_event = failed_event
        self.recovered_event = recovered_event
        self._counted: Counter | None = REDIS_UNAVAILABLE.labels(check) if check is not None else None
        # Failures since the last success; 0 while the dependency answers.
        self.failures = 0

    def failed(self, **fields: Any) -> None:
        if self._counted is not None:
            self._counted.inc()
        self.failures += 1
        if self.failures == 1:
            self._first(self.failed_event, **fields)
        else:
            self._log.debug(self.failed_event, failures=self.failures, **fields)

    def succeeded(self) -> None:
        if self.failures:
            self._log.info(self.recovered_event, failures=self.failures)
            self.failures = 0

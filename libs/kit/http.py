"""Outgoing HTTP between services: httpx with timeouts, correlation/trace propagation, and a circuit
breaker per upstream (purgatory), whose half-open state lets exactly one probe through."""

from __future__ import annotations

import time
from typing import Any

import httpx
import structlog
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import ExcludeType, OpenedState

from kit.errors import DomainError
from kit.observability import CIRCUIT_STATE, CIRCUIT_TRANSITIONS, inject_headers

log = structlog.get_logger("kit.http")

STATE_VALUE = {"closed": 0, "opened": 1, "half-opened": 2}


class UpstreamUnavailable(DomainError):
    status, code = 503, "SERVICE_UNAVAILABLE"


class UpstreamTimeout(DomainError):
    status, code = 504, "GATEWAY_TIMEOUT"


class UpstreamError(DomainError):
    status, code = 502, "BAD_GATEWAY"


class _UpstreamFailure(Exception):
    """A 5xx answer: counted by the breaker as a failure, then turned into a 502 for the caller."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response


class Breakers:
    """One breaker per upstream name, with Prometheus state and transition metrics."""

    def __init__(
        self, service: str, *, threshold: int = 5, ttl_s: float = 30.0, exclude: ExcludeType | None = None
    ) -> None:
        """`exclude`: exception types, or (type, predicate) pairs, that are not failures (the predicate saying
        when); purgatory then counts the call as answered."""
        self.service = service
        self.ttl_s = ttl_s
        self.factory = AsyncCircuitBreakerFactory(default_threshold=threshold, default_ttl=ttl_s, exclude=exclude)
        self.factory.add_listener(self._on_event)
        self._states: dict[str, str] = {}
        self._opened_at: dict[str, float] = {}
        self._probing: set[str] = set()

    def _on_event(self, name: str, event_type: str, event: Any) -> None:
        if event_type == "circuit_breaker_created":
            self._states[name] = "closed"
            CIRCUIT_STATE.labels(self.service, name).set(0)
        elif event_type == "state_changed":
            before = self._states.get(name, "closed")
            self._states[name] = event.state
            if event.opened_at is not None:
                self._opened_at[name] = event.opened_at
            CIRCUIT_STATE.labels(self.service, name).set(STATE_VALUE[event.state])
            CIRCUIT_TRANSITIONS.labels(self.service, name, before, event.state).inc()
            log.warning("circuit.state_changed", circuit=name, from_state=before, to_state=event.state)

    def state(self, name: str) -> str:
        return self._states.get(name, "closed")

    async def call(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        breaker = await self.factory.get_breaker(name)
        ctx = breaker.context
        probing = False
        if ctx.state != "closed":
            opened_at = ctx.opened_at or 0.0
            if ctx.state == "opened" and time.time() <= opened_at + ctx.ttl:
                raise UpstreamUnavailable(
                    f"{name} is unavailable (circuit open)", headers={"Retry-After": self.retry_after(name)}
                )
            if name in self._probing:
                # Half-open admits a single probe; the rest fail fast until it has answered.
                raise UpstreamUnavailable(f"{name} is unavailable (circuit half-open)", headers={"Retry-After": "1"})
            self._probing.add(name)
            probing = True
        try:
            async with breaker:
                return await func(*args, **kwargs)
        except OpenedState as exc:
            raise UpstreamUnavailable(
                f"{name} is unavailable (circuit open)", headers={"Retry-After": self.retry_after(name)}
            ) from exc
        finally:
            if probing:
                self._probing.discard(name)

    def retry_after(self, name: str) -> str:
        opened_at = self._opened_at.get(name, time.time())
        return str(max(1, round(opened_at + self.ttl_s - time.time())))


# An idle connection to a service is dropped after this long: below uvicorn's 5 s keep-alive, after which the
# service closes it. With httpx's default of 5 s too, a call could be sent down a connection the service was
# closing at that moment, and fail as "unreachable" though nothing was wrong (the gateway's own client does the
# same, `upstream_keepalive_s`).
KEEPALIVE_S = 4.0


class ServiceClient:
    """An upstream service: base URL, timeouts, internal token, breaker."""

    def __init__(
        self,
        name: str,
        base_url: str,
        breakers: Breakers,
        *,
        internal_token: str = "",
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.breakers = breakers
        self.internal_token = internal_token
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S),
            transport=transport,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**inject_headers(), **kwargs.pop("headers", {})}
        if self.internal_token:
            headers["x-internal-token"] = self.internal_token

        async def send() -> httpx.Response:
            response = await self.client.request(method, path, headers=headers, **kwargs)
            if response.status_code >= 500:
                raise _UpstreamFailure(response)
            return response

        try:
            result: httpx.Response = await self.breakers.call(self.name, send)
            return result
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"{self.name} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"{self.name} is unreachable", headers={"Retry-After": "5"}) from exc
        except _UpstreamFailure as exc:
            raise UpstreamError(f"{self.name} failed with {exc.response.status_code}") from exc

    async def aclose(self) -> None:
        await self.client.aclose()

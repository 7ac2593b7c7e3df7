"""The plan's quota, reserved at billing before an invitation or a template is created: billing counts the
reservation under its key (the new invitation's or template's id) atomically, so two concurrent creations can't
both take the last slot, and a retried key is counted once. The billed party is the caller's account.

An invitation reserves before its transaction opens (`Quota.held`), so no database connection waits on billing;
a creation that then fails gives its reservation back. Billing's worker releases any reservation never confirmed
by its creation event, so a give-back that fails too only holds the slot a little longer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx
import structlog

from kit.errors import DomainError, ServiceUnavailable
from kit.http import ServiceClient, UpstreamError, UpstreamTimeout, UpstreamUnavailable

log = structlog.get_logger("interviews.quota")

Resource = Literal["interviews", "templates"]
# What billing's refusal details carry; anything else it may add is not ours to pass on.
DETAIL_KEYS = ("resource", "limit", "used", "plan", "period")


class QuotaExceeded(DomainError):
    """402: no parent fits a refusal that a plan upgrade lifts."""

    status, code = 402, "QUOTA_EXCEEDED"


class QuotaUnavailable(ServiceUnavailable):
    """Billing could not answer: the creation is refused rather than let through uncounted."""


class Quota:
    """`client=None` means enforcement is off: every creation is allowed and nothing is counted."""

    def __init__(self, client: ServiceClient | None, *, concurrency: int = 8) -> None:
        self.client = client
        # Calls to billing in flight from this process at once. Nothing else queues an invitation burst now that no
        # connection is held across the call: 200 reservations at once would all wait on billing's one process and
        # its tail outlast the quota timeout (which opens the breaker for every creation). Queued here instead, each
        # call is answered in its own time; the wait holds no connection.
        self._slots = asyncio.Semaphore(concurrency)

    async def reserve(self, account_id: str, resource: Resource, key: uuid.UUID) -> None:
        if self.client is None:
            return
        path = f"/api/billing/internal/quota/{account_id}/{resource}/reservations"
        try:
            async with self._slots:
                response = await self.client.request("POST", path, json={"key": str(key)})
        except UpstreamUnavailable:
            # Unreachable or open breaker: already a 503 with Retry-After; never fail open.
            raise
        except (UpstreamError, UpstreamTimeout) as exc:
            raise QuotaUnavailable(
                "The billing service could not check your plan's quota; try again shortly", headers={"Retry-After": "5"}
            ) from exc
        if response.status_code in (200, 201):
            return
        if response.status_code == 402:
            raise _exceeded(response, resource)
        # Anything else (a refused internal token, an unknown route) is a misconfiguration, not the caller's fault.
        log.error("quota.unexpected_answer", status=response.status_code, resource=resource, body=response.text[:500])
        raise QuotaUnavailable(
            "The billing service could not check your plan's quota; try again shortly", headers={"Retry-After": "5"}
        )

    async def release(self, account_id: str, resource: Resource, key: uuid.UUID) -> None:
        """Give a reservation back (idempotent at billing); a failure is logged, never raised over the caller's."""
        if self.client is None:
            return
        path = f"/api/billing/internal/quota/{account_id}/{resource}/reservations/{key}"
        try:
            async with self._slots:
                response = await self.client.request("DELETE", path)
        except (UpstreamError, UpstreamTimeout, UpstreamUnavailable) as exc:
            log.warning("quota.release_failed", resource=resource, key=str(key), error=str(exc))
            return
        if response.status_code != 204:
            log.error("quota.release_unexpected_answer", status=response.status_code, resource=resource, key=str(key))

    @asynccontextmanager
    async def held(self, account_id: str, resource: Resource, key: uuid.UUID) -> AsyncIterator[None]:
        """Reserve, run the block (the creation's transaction), and release if the block fails."""
        await self.reserve(account_id, resource, key)
        try:
            yield
        except BaseException:
            await self.release(account_id, resource, key)
            raise


def _exceeded(response: httpx.Response, resource: Resource) -> QuotaExceeded:
    """Billing's refusal with its own sentence and details, as interviews' error."""
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    given = body.get("details")
    details = {k: given.get(k) for k in DETAIL_KEYS} if isinstance(given, dict) else {}
    details["resource"] = details.get("resource") or resource
    message = body.get("error")
    if not isinstance(message, str) or not message:
        message = f"Your plan's {resource} quota is used up. Upgrade to create more."
    log.info("quota.exceeded", resource=resource, limit=details.get("limit"), plan=details.get("plan"))
    return QuotaExceeded(message, details=details)

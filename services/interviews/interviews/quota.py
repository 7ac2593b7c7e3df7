"""The plan's quota, reserved at billing before an invitation or a template is created: billing counts the
reservation under its key (the new invitation's or template's id) atomically, so two concurrent creations can't
both take the last slot, and a retried key is counted once. The billed party is the caller's account."""

from __future__ import annotations

import uuid
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

    def __init__(self, client: ServiceClient | None) -> None:
        self.client = client

    async def reserve(self, account_id: str, resource: Resource, key: uuid.UUID) -> None:
        if self.client is None:
            return
        path = f"/api/billing/internal/quota/{account_id}/{resource}/reservations"
        try:
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

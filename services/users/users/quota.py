"""The plan's team seats, reserved at billing before an HR user joins a company: billing counts the reservation
under its key (the new membership's id) atomically, so two additions cannot both take the last seat; the
`company.member_added` event confirms it and `company.member_removed` frees it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import structlog

from kit.errors import DomainError, ServiceUnavailable
from kit.http import ServiceClient, UpstreamError, UpstreamTimeout, UpstreamUnavailable

log = structlog.get_logger("users.quota")

DETAIL_KEYS = ("resource", "limit", "used", "plan", "period")
UNAVAILABLE = "The billing service could not check your plan's team seats; try again shortly"


class QuotaExceeded(DomainError):
    """402: no parent fits a refusal that a plan upgrade lifts."""

    status, code = 402, "QUOTA_EXCEEDED"


class QuotaUnavailable(ServiceUnavailable):
    """Billing could not answer: the member is not added rather than added uncounted."""


class Quota:
    """`client=None` means enforcement is off: every addition is allowed and nothing is counted."""

    def __init__(self, client: ServiceClient | None) -> None:
        self.client = client

    async def reserve_seat(self, company_id: uuid.UUID, key: uuid.UUID) -> None:
        if self.client is None:
            return
        path = f"/api/billing/internal/quota/{company_id}/teamMembers/reservations"
        try:
            response = await self.client.request("POST", path, json={"key": str(key)})
        except UpstreamUnavailable:
            raise
        except (UpstreamError, UpstreamTimeout) as exc:
            raise QuotaUnavailable(UNAVAILABLE, headers={"Retry-After": "5"}) from exc
        if response.status_code in (200, 201):
            return
        if response.status_code == 402:
            raise _exceeded(response)
        log.error("quota.unexpected_answer", status=response.status_code, body=response.text[:500])
        raise QuotaUnavailable(UNAVAILABLE, headers={"Retry-After": "5"})


def _exceeded(response: httpx.Response) -> QuotaExceeded:
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    given = body.get("details")
    details = {k: given.get(k) for k in DETAIL_KEYS} if isinstance(given, dict) else {}
    details["resource"] = details.get("resource") or "teamMembers"
    message = body.get("error")
    if not isinstance(message, str) or not message:
        message = "Your plan's team seats are all taken. Upgrade to add more."
    return QuotaExceeded(message, details=details)

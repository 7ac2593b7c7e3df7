"""The invitation quota, asked of billing's internal route through a breaker; the inviting HR user is the
billed party."""

from __future__ import annotations

from typing import Any

import structlog

from kit.errors import DomainError
from kit.http import ServiceClient, UpstreamError

log = structlog.get_logger("interviews.quota")

RESOURCE = "interviews"


class QuotaExceeded(DomainError):
    """402: no parent fits a refusal that a plan upgrade lifts."""

    status, code = 402, "QUOTA_EXCEEDED"


class Quota:
    """`client=None` means enforcement is off: every invitation is allowed."""

    def __init__(self, client: ServiceClient | None) -> None:
        self.client = client

    async def ensure_can_invite(self, company_id: str) -> None:
        if self.client is None:
            return
        # Unreachable or open breaker → 503, timeout → 504: the kit's client maps them; never fail open.
        response = await self.client.request("GET", f"/api/billing/internal/quota/{company_id}/{RESOURCE}")
        if response.status_code != 200:
            raise UpstreamError(f"billing answered {response.status_code} to the quota check")
        answer: dict[str, Any] = response.json()
        if not answer.get("allowed", False):
            limit, plan = answer.get("limit"), answer.get("currentPlan")
            log.info("quota.exceeded", company_id=company_id, limit=limit, plan=plan)
            raise QuotaExceeded(
                f"Quota exceeded: {RESOURCE} limit of {limit} reached on {plan} plan",
                details={"resource": RESOURCE, "limit": limit, "remaining": answer.get("remaining"), "plan": plan},
            )

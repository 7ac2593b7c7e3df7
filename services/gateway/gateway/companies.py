"""The caller's company for billing and webhooks: from the users service's membership, never from a
client header; cached briefly per user."""

from __future__ import annotations

import time

from multidict import CIMultiDict

from gateway.identity import Identity
from gateway.proxy import identity_headers
from gateway.upstream import UpstreamClient


class CompanyResolver:
    def __init__(self, users: UpstreamClient, *, ttl_s: float) -> None:
        self.users = users
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[str | None, float]] = {}

    async def __call__(self, caller: Identity) -> str | None:
        if caller.company_id:
            return caller.company_id
        known = self._known.get(caller.user_id)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        headers: CIMultiDict[str] = identity_headers(caller)
        response = await self.users.request(
            "GET", f"/users/{caller.user_id}/companies", query=f"currentUserId={caller.user_id}", headers=headers
        )
        company = None
        if response.status == 200:
            companies = (response.json() or {}).get("data") or []
            primary = next((c for c in companies if c.get("isPrimary")), companies[0] if companies else None)
            company = str(primary["id"]) if primary else None
        # "No company" is not remembered: the caller may create one the next moment (on any replica), and from
        # then on their templates, invitations, billing and webhooks belong to it.
        if company is not None:
            self._known[caller.user_id] = (company, time.monotonic() + self.ttl_s)
        return company

    def forget(self, user_id: str) -> None:
        """The caller's membership changed here (a company created or deleted): resolve it afresh."""
        self._known.pop(user_id, None)

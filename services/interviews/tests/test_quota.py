"""With quota enforcement on and billing out of reach, nothing is created uncounted: invitations and templates
are refused with 503 and Retry-After, first as unreachable, then by the open breaker. (Billing's real answers,
allowed and 402, are tested against the billing service itself in the root tests/test_quota_enforcement.py.)"""

from __future__ import annotations

import asyncio
import uuid

from fastapi import Body, FastAPI

from interviews.quota import Quota
from kit.http import Breakers, ServiceClient
from kit.testing import AppServer, free_port


def invitation(template, candidate, clock) -> dict[str, str]:
    return {
        "templateId": template.template_id,
        "candidateId": candidate.id,
        "companyName": "Acme",
        "expiresAt": clock.now.replace(year=2031).isoformat(),
    }


def closed_port_url() -> str:
    # A loopback port nobody listens on: every connection is refused at once.
    return f"http://127.0.0.1:{free_port()}"


async def test_with_billing_unreachable_an_invitation_is_refused_with_503_and_nothing_is_created(
    make_client, hr, candidate, make_template, clock, new_events
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=closed_port_url())
    template = await make_template(hr)
    events_before = len(await new_events())

    response = await client.post("/api/invitations", json=invitation(template, candidate, clock), headers=hr.headers)

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert "billing" in response.json()["error"]
    assert int(response.headers["retry-after"]) >= 1
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 0
    assert len(await new_events()) == events_before


async def test_with_billing_unreachable_a_template_is_refused_with_503_and_nothing_is_created(
    make_client, hr, new_events
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=closed_port_url())

    response = await client.post(
        "/api/templates", json={"title": "Backend engineer", "description": "Async Python role"}, headers=hr.headers
    )

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert (await client.get("/api/templates", headers=hr.headers)).json()["total"] == 0
    assert await new_events() == []


async def test_after_repeated_failures_the_open_breaker_refuses_without_asking_billing(make_client, hr) -> None:
    client = await make_client(quota_enforcement=True, billing_url=closed_port_url())
    body = {"title": "Backend engineer", "description": "Async Python role"}

    answers = [(await client.post("/api/templates", json=body, headers=hr.headers)).json() for _ in range(6)]

    assert {a["statusCode"] for a in answers} == {503}
    # The kit's breaker opens after five failures: the sixth is refused by it, not by a refused connection.
    assert "unreachable" in answers[0]["error"]
    assert "circuit open" in answers[-1]["error"]


class CountingBilling:
    """A stand-in for billing's reservation route that holds each call until released and records how many it held
    at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_at_once = 0
        self.keys: list[str] = []
        self.proceed = asyncio.Event()
        self.app = FastAPI()
        self.app.post("/api/billing/internal/quota/{account}/{resource}/reservations", status_code=201)(self.reserve)

    async def reserve(self, account: str, resource: str, body: dict[str, str] = Body()) -> dict[str, str]:
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)
        try:
            await self.proceed.wait()
        finally:
            self.in_flight -= 1
        self.keys.append(body["key"])
        return {"key": body["key"]}


async def test_a_burst_of_reservations_reaches_billing_at_most_quota_concurrency_at_once_and_all_are_made() -> None:
    billing = CountingBilling()
    server = AppServer(billing.app)
    await server.start()
    client = ServiceClient("billing", server.url, Breakers("interviews"))
    quota = Quota(client, concurrency=2)
    keys = [uuid.uuid4() for _ in range(6)]
    try:
        burst = asyncio.gather(*(quota.reserve("acct-1", "interviews", key) for key in keys))
        # Let every reservation start and queue where it queues, then let billing answer.
        while billing.in_flight < 2:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        held_while_blocked = billing.in_flight
        billing.proceed.set()
        await burst
    finally:
        await client.aclose()
        await server.stop()

    assert held_while_blocked == 2
    assert billing.most_at_once == 2
    assert sorted(billing.keys) == sorted(str(key) for key in keys)

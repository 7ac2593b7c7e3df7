"""With quota enforcement on and billing out of reach, nothing is created uncounted: invitations and templates
are refused with 503 and Retry-After, first as unreachable, then by the open breaker. (Billing's real answers,
allowed and 402, are tested against the billing service itself in the root tests/test_quota_enforcement.py.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from interviews.quota import Quota
from kit.http import Breakers, ServiceClient
from kit.testing import AppServer, free_port

from .test_apply import apply, open_link

BULK = "/api/invites/bulk"


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


class Billing:
    """Billing's reservation routes: the first `allowed` reservations are taken, later ones refused with 402 as
    billing words it. Each call notes whether the interviews service had a database transaction open on the
    test's connection meanwhile (its sessions' transactions are savepoints there), and `during` runs inside the
    first call."""

    def __init__(self, connection: AsyncConnection, *, allowed: int) -> None:
        self.connection = connection
        self.allowed = allowed
        self.calls = 0
        self.reserved: list[str] = []
        self.released: list[str] = []
        self.transaction_open: list[bool] = []
        self.during: Callable[[], Awaitable[None]] | None = None
        self.url = ""
        self.app = FastAPI()
        self.app.post(RESERVATIONS, status_code=201, response_model=None)(self.reserve)
        self.app.delete(RESERVATIONS + "/{key}", status_code=204)(self.release)

    async def reserve(self, account: str, resource: str, body: dict[str, str] = Body()) -> Any:
        self.calls += 1
        self.transaction_open.append(self.connection.in_nested_transaction())
        if self.during is not None:
            during, self.during = self.during, None
            await during()
        if len(self.reserved) >= self.allowed:
            refusal = {"error": "Your Starter plan includes 2 interviews a month.", "details": {"limit": 2}}
            return JSONResponse({"statusCode": 402, "code": "QUOTA_EXCEEDED", **refusal}, status_code=402)
        self.reserved.append(body["key"])
        return {"key": body["key"]}

    async def release(self, account: str, resource: str, key: str) -> None:
        self.released.append(key)


RESERVATIONS = "/api/billing/internal/quota/{account}/{resource}/reservations"


@pytest.fixture
async def billing_at(rollback_connection: AsyncConnection) -> AsyncIterator[Callable[[int], Awaitable[Billing]]]:
    servers: list[AppServer] = []

    async def start(allowed: int) -> Billing:
        billing = Billing(rollback_connection, allowed=allowed)
        servers.append(server := AppServer(billing.app))
        await server.start()
        billing.url = server.url
        return billing

    yield start
    for server in servers:
        await server.stop()


def bulk(template, clock, *emails: str) -> dict[str, Any]:
    return {
        "templateId": template.template_id,
        "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
        "companyName": "Acme",
        "candidates": [{"email": email} for email in emails],
    }


async def test_a_bulk_invitation_reserves_outside_any_transaction_and_refuses_the_rows_after_the_quota_ran_out(
    make_client, billing_at, hr, make_template, clock, new_events
) -> None:
    billing = await billing_at(2)
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)
    emails = ("ada@example.com", "grace@example.com", "not-an-address", "alan@example.com", "edsger@example.com")

    response = await client.post(BULK, json=bulk(template, clock, *emails), headers=hr.headers)

    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [r["status"] for r in rows] == ["invited", "invited", "invalid_email", "over_quota", "over_quota"]
    assert rows[3]["message"] == "Your Starter plan includes 2 interviews a month."
    assert rows[4]["message"] == "Your plan's interview quota is used up."
    # The last row was refused without asking billing again, and no call found a transaction open.
    assert billing.calls == 3
    assert billing.transaction_open == [False, False, False]
    created = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.created"]
    assert sorted(p["invitationId"] for p in created) == sorted(billing.reserved)
    assert [r["invitationId"] for r in rows[:2]] == billing.reserved
    assert billing.released == []


async def test_a_row_invited_by_someone_else_while_billing_answered_is_reported_and_its_slot_given_back(
    make_client, billing_at, hr, make_template, clock
) -> None:
    billing = await billing_at(10)
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)

    async def grace_invited_meanwhile() -> None:
        meanwhile = await client.post(BULK, json=bulk(template, clock, "grace@example.com"), headers=hr.headers)
        assert meanwhile.json()["rows"][0]["status"] == "invited"

    billing.during = grace_invited_meanwhile
    response = await client.post(
        BULK, json=bulk(template, clock, "ada@example.com", "Grace@Example.com"), headers=hr.headers
    )

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["rows"]] == ["invited", "already_invited"]
    # Reserved in order: ada's (whose call let the other invitation in), the other's grace, then this grace.
    assert len(billing.reserved) == 3
    assert billing.released == [billing.reserved[2]]
    listed = (await client.get("/api/invitations/hr", headers=hr.headers)).json()
    assert listed["total"] == 2


async def test_a_bulk_invitation_refused_after_reserving_gives_every_slot_back_and_creates_nothing(
    make_client, billing_at, hr, make_template, clock, new_events
) -> None:
    billing = await billing_at(10)
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)
    events_before = len(await new_events())

    async def template_archived_meanwhile() -> None:
        archived = await client.delete(f"/api/templates/{template.template_id}", headers=hr.headers)
        assert archived.status_code == 204, archived.text

    billing.during = template_archived_meanwhile
    response = await client.post(
        BULK, json=bulk(template, clock, "ada@example.com", "grace@example.com"), headers=hr.headers
    )

    assert 400 <= response.status_code < 500, response.text
    assert len(billing.reserved) == 2
    assert sorted(billing.released) == sorted(billing.reserved)
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 0
    assert not [r for r in (await new_events())[events_before:] if r.event_type == "invitation.created"]


async def test_an_application_reserves_outside_any_transaction_and_gives_its_slot_back_when_invited_meanwhile(
    make_client, billing_at, hr, make_template, new_events
) -> None:
    billing = await billing_at(10)
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)
    token = await open_link(client, hr, template)

    async def the_same_address_applied_meanwhile() -> None:
        meanwhile = await apply(client, token, "ada@example.com", address="198.51.100.7")
        assert meanwhile.status_code == 202, meanwhile.text

    billing.during = the_same_address_applied_meanwhile
    applied = await apply(client, token, "Ada@Example.com")

    assert applied.status_code == 202, applied.text
    assert billing.transaction_open == [False, False]
    # The other application's slot was taken while this one's call was held: this one's (the second) goes back.
    assert billing.released == [billing.reserved[1]]
    created = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.created"]
    assert [p["invitationId"] for p in created] == [billing.reserved[0]]

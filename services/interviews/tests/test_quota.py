"""The invitation quota asked of a stand-in billing service served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI, Request

from kit.testing import INTERNAL_TOKEN, free_port


@dataclass
class Billing:
    url: str
    allowed: bool = True
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    server: uvicorn.Server | None = None
    task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await self.task
            self.server = None


@pytest.fixture
async def billing() -> AsyncIterator[Billing]:
    """Billing's internal quota route answering as the free plan would."""
    port = free_port()
    state = Billing(url=f"http://127.0.0.1:{port}")
    app = FastAPI()

    @app.get("/api/billing/internal/quota/{company_id}/{resource}")
    async def quota(company_id: str, resource: str, request: Request) -> dict[str, object]:
        state.calls.append((f"{company_id}/{resource}", request.headers.get("x-internal-token")))
        remaining = 2 if state.allowed else 0
        return {"allowed": state.allowed, "remaining": remaining, "limit": 3, "currentPlan": "free"}

    state.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    state.task = asyncio.create_task(state.server.serve())
    while not state.server.started:
        await asyncio.sleep(0.01)
    yield state
    await state.stop()


def invitation(template, candidate, clock) -> dict[str, str]:
    return {
        "templateId": template.template_id,
        "candidateId": candidate.id,
        "companyName": "Acme",
        "expiresAt": clock.now.replace(year=2031).isoformat(),
    }


async def test_with_enforcement_an_allowed_quota_lets_the_invitation_through(
    make_client, billing, hr, candidate, make_template, clock
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)

    response = await client.post("/api/invitations", json=invitation(template, candidate, clock), headers=hr.headers)

    assert response.status_code == 201, response.text
    assert billing.calls == [(f"{hr.id}/interviews", INTERNAL_TOKEN)]


async def test_with_enforcement_an_exhausted_quota_answers_402_and_creates_nothing(
    make_client, billing, hr, candidate, make_template, clock, new_events
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)
    billing.allowed = False
    events_before = len(await new_events())

    response = await client.post("/api/invitations", json=invitation(template, candidate, clock), headers=hr.headers)

    assert response.status_code == 402
    assert response.json()["code"] == "QUOTA_EXCEEDED"
    # The web's upgrade dialog parses this sentence.
    assert re.search(r"limit of (\d+) reached on (\w+) plan", response.json()["error"]).groups() == ("3", "free")
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 0
    assert len(await new_events()) == events_before


async def test_with_enforcement_a_billing_outage_answers_503_not_500(
    make_client, billing, hr, candidate, make_template, clock
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=billing.url)
    template = await make_template(hr)
    await billing.stop()

    response = await client.post("/api/invitations", json=invitation(template, candidate, clock), headers=hr.headers)

    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert "billing" in response.json()["error"]
    assert int(response.headers["retry-after"]) >= 1
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 0


async def test_without_enforcement_billing_is_not_asked(
    make_client, billing, hr, candidate, make_template, clock
) -> None:
    client = await make_client(quota_enforcement=False, billing_url=billing.url)
    template = await make_template(hr)
    billing.allowed = False

    response = await client.post("/api/invitations", json=invitation(template, candidate, clock), headers=hr.headers)

    assert response.status_code == 201
    assert billing.calls == []

"""With quota enforcement on and billing out of reach, nothing is created uncounted: invitations and templates
are refused with 503 and Retry-After, first as unreachable, then by the open breaker. (Billing's real answers,
allowed and 402, are tested against the billing service itself in the root tests/test_quota_enforcement.py.)"""

from __future__ import annotations

from kit.testing import free_port


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

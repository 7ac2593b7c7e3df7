"""Who may be HR: a self-registered user picks candidate freely, but hr only with a verified e-mail at one of
the configured company domains; anyone else records a request that an administrator approves. And HR's
candidate search finds only candidates who chose to be discoverable or who applied to HR's own account."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts.interviews import InvitationCreated
from kit.db import transaction
from kit.events import Envelope
from users.consumers import HANDLERS

MakeUser = Callable[..., Awaitable[dict[str, Any]]]
WAITING = "An administrator must approve HR access"


@pytest.fixture
def company_domains(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    domains = ["acme.example"]
    monkeypatch.setattr(app.state.settings, "hr_email_domains", domains)
    return domains


async def test_choosing_hr_without_a_verified_company_email_waits_for_an_administrator_who_approves_it(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")

    asked = await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=me)
    waiting = (await client.get("/users/me", headers=me)).json()
    asked_again = await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=me)
    listed = await client.get("/users", params={"role": "pending", "search": user["email"]}, headers=admin)
    approved = await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=admin)
    after = (await client.get("/users/me", headers=me)).json()

    assert asked.status_code == 202, asked.text
    assert asked.json()["message"] == WAITING
    assert asked.json()["role"] == "pending"
    assert waiting["role"] == "pending"
    assert waiting["hrAccessRequestedAt"] is not None
    # Asking twice keeps the first request's time: the admin's queue is ordered by it.
    assert asked_again.status_code == 202
    assert asked_again.json()["hrAccessRequestedAt"] == asked.json()["hrAccessRequestedAt"]
    assert [u["hrAccessRequestedAt"] for u in listed.json()["data"]] == [waiting["hrAccessRequestedAt"]]
    assert approved.status_code == 200, approved.text
    assert after["role"] == "hr"
    assert after["hrAccessRequestedAt"] is None


async def test_a_verified_email_at_a_configured_company_domain_may_choose_hr_at_once(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, company_domains: list[str]
) -> None:
    tag = uuid.uuid4().hex[:8]
    user = await make_user(email=f"hanna-{tag}@ACME.example")
    me = as_user(user["id"], "pending")

    chosen = await client.post(
        f"/users/{user['id']}/roles", json={"role": "hr", "verifiedEmail": f"Hanna-{tag}@acme.example"}, headers=me
    )

    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {"message": "Role hr assigned successfully", "role": "hr"}
    assert (await client.get("/users/me", headers=me)).json()["role"] == "hr"


@pytest.mark.parametrize(
    ("email", "verified"),
    [
        ("{tag}@acme.example", None),  # the domain, but the identity provider did not verify the address
        ("{tag}@acme.example", "someone-else@acme.example"),  # verified, but not this user's address
        ("{tag}@acme.example.evil.test", "{tag}@acme.example.evil.test"),  # a look-alike domain
        ("{tag}@mail.acme.example", "{tag}@mail.acme.example"),  # subdomains are not listed, so not trusted
        ("{tag}@gmail.com", "{tag}@gmail.com"),  # verified, at a domain nobody configured
    ],
)
async def test_choosing_hr_without_a_qualifying_verified_email_only_records_a_request(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    as_user,
    company_domains: list[str],
    email: str,
    verified: str | None,
) -> None:
    tag = f"hr-{uuid.uuid4().hex[:8]}"
    user = await make_user(email=email.format(tag=tag))
    body: dict[str, Any] = {"role": "hr"}
    if verified is not None:
        body["verifiedEmail"] = verified.format(tag=tag)

    asked = await client.post(f"/users/{user['id']}/roles", json=body, headers=as_user(user["id"], "pending"))

    assert (asked.status_code, asked.json()["role"], asked.json()["message"]) == (202, "pending", WAITING)


async def test_a_user_waiting_for_hr_access_may_still_choose_candidate_which_withdraws_the_request(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")

    await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=me)
    chosen = await client.post(f"/users/{user['id']}/roles", json={"role": "candidate"}, headers=me)
    after = (await client.get("/users/me", headers=me)).json()
    again = await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=me)

    assert chosen.status_code == 200
    assert (after["role"], after["hrAccessRequestedAt"]) == ("candidate", None)
    # The role is chosen once: a candidate cannot ask for hr afterwards.
    assert (again.status_code, again.json()["code"]) == (422, "INVALID_USER_OPERATION")


async def test_a_malformed_verified_email_is_refused_with_the_field_named(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()

    refused = await client.post(
        f"/users/{user['id']}/roles",
        json={"role": "hr", "verifiedEmail": ["a@acme.example"]},
        headers=as_user(user["id"], "pending"),
    )

    assert refused.status_code == 422
    assert "verifiedEmail" in refused.text


async def test_hr_search_finds_only_candidates_who_chose_to_be_discoverable(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    tag = uuid.uuid4().hex[:6]
    rare = (await client.post("/skills", json={"name": f"Hidden {tag}", "slug": f"hidden-{tag}"}, headers=admin)).json()
    rare_id = rare["data"]["skillId"]
    people = {}
    for name in ("open", "private"):
        person = await make_user("candidate", firstName=name.title())
        me = as_user(person["id"], "candidate")
        await client.post(f"/candidates/{person['id']}/skills", json={"skillId": rare_id}, headers=me)
        people[name] = (person, me)
    hr = as_user((await make_user("hr"))["id"], "hr")

    default = (await client.get("/users/me", headers=people["open"][1])).json()
    before = await client.get("/candidates/search", params={"skillIds": rare_id}, headers=hr)
    opted = await client.put("/users/me", json={"discoverable": True}, headers=people["open"][1])
    after = await client.get("/candidates/search", params={"skillIds": rare_id}, headers=hr)
    await client.put("/users/me", json={"discoverable": False}, headers=people["open"][1])
    withdrawn = await client.get("/candidates/search", params={"skillIds": rare_id}, headers=hr)

    assert default["discoverable"] is False
    assert before.json()["data"] == []
    assert opted.status_code == 200, opted.text
    assert opted.json()["discoverable"] is True
    assert [h["userId"] for h in after.json()["data"]] == [people["open"][0]["id"]]
    assert withdrawn.json()["data"] == []


@pytest.mark.parametrize("value", ["yes", 1, None])
async def test_discoverable_must_be_true_or_false(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, value: object
) -> None:
    user = await make_user("candidate")

    refused = await client.put("/users/me", json={"discoverable": value}, headers=as_user(user["id"], "candidate"))

    assert refused.status_code == 422
    assert "discoverable" in refused.text


async def invite(sessions: async_sessionmaker[AsyncSession], candidate_id: str, *, account: str) -> None:
    """What interviews announces when the account invites the candidate, handled as the consumer handles it."""
    invitation = InvitationCreated(
        invitation_id=str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend interview",
        candidate_id=candidate_id,
        company_id=account,
        company_name="Acme",
        invited_by=str(uuid.uuid4()),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    envelope = Envelope.wrap(
        invitation, source="interviews", aggregate_id=invitation.invitation_id, correlation_id=None
    )
    async with transaction(sessions) as session:
        await HANDLERS[InvitationCreated.TYPE](session, envelope)


async def test_hr_search_also_finds_candidates_who_applied_to_hrs_own_account_and_no_one_elses(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tag = uuid.uuid4().hex[:6]
    rare = (
        await client.post("/skills", json={"name": f"Applied {tag}", "slug": f"applied-{tag}"}, headers=admin)
    ).json()
    rare_id = rare["data"]["skillId"]
    people = {}
    for name in ("open", "applied", "elsewhere", "solo"):
        person = await make_user("candidate", firstName=name.title())
        me = as_user(person["id"], "candidate")
        await client.post(f"/candidates/{person['id']}/skills", json={"skillId": rare_id}, headers=me)
        people[name] = person["id"]
    await client.put("/users/me", json={"discoverable": True}, headers=as_user(people["open"], "candidate"))
    company, other_company = str(uuid.uuid4()), str(uuid.uuid4())
    hr = as_user((await make_user("hr"))["id"], "hr", **{"x-company-id": company})
    solo_id = (await make_user("hr"))["id"]
    # An HR user in no company acts for themself: their own id is the account their invitations bill.
    solo = as_user(solo_id, "hr")
    await invite(sessions, people["applied"], account=company)
    await invite(sessions, people["applied"], account=company)
    await invite(sessions, people["elsewhere"], account=other_company)
    await invite(sessions, people["solo"], account=solo_id)

    async def found(headers: dict[str, str]) -> set[str]:
        response = await client.get("/candidates/search", params={"skillIds": rare_id}, headers=headers)
        assert response.status_code == 200, response.text
        return {hit["userId"] for hit in response.json()["data"]}

    assert await found(hr) == {people["open"], people["applied"]}
    assert await found(solo) == {people["open"], people["solo"]}
    # Another member of the other company finds its applicant, never this company's.
    assert await found(as_user(solo_id, "hr", **{"x-company-id": other_company})) == {
        people["open"],
        people["elsewhere"],
    }
    # An admin acts for no account that invited anyone here: still only those who opted in.
    assert await found(admin) == {people["open"]}

"""A company's hiring team through the API: the creator adds an existing HR user by e-mail and removes them,
members read the team, and every refusal (not the creator, no such account, not HR, already on the team, the
creator leaving, another company) is an error a person can act on. Announced as `company.member_*` events."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from kit.outbox import OutboxMessage


async def company_of(client: httpx.AsyncClient, owner_headers: dict[str, str]) -> str:
    created = await client.post("/companies", json={"name": f"Team {uuid.uuid4().hex[:8]}"}, headers=owner_headers)
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["companyId"])


async def test_the_creator_adds_an_hr_user_by_email_members_read_the_team_and_the_member_can_leave(
    client: httpx.AsyncClient, sessions, make_user, as_user
) -> None:
    owner, mate = await make_user("hr"), await make_user("hr")
    company = await company_of(client, as_user(owner["id"], "hr"))

    added = await client.post(
        f"/companies/{company}/members", json={"email": mate["email"].upper()}, headers=as_user(owner["id"], "hr")
    )
    assert added.status_code == 201, added.text
    assert added.json()["data"]["userId"] == mate["id"]

    team = await client.get(f"/companies/{company}/members", headers=as_user(mate["id"], "hr"))
    assert team.status_code == 200
    assert [(m["email"], m["isOwner"]) for m in team.json()["data"]] == [(owner["email"], True), (mate["email"], False)]
    # The new member's first company is the one the gateway acts for.
    theirs = await client.get(f"/users/{mate['id']}/companies", headers=as_user(mate["id"], "hr"))
    assert theirs.status_code == 200, theirs.text
    assert company in theirs.text

    async with sessions() as session:
        events = (await session.scalars(select(OutboxMessage.event_type).where(OutboxMessage.key == company))).all()
    assert "company.member_added" in events

    left = await client.delete(f"/companies/{company}/members/{mate['id']}", headers=as_user(mate["id"], "hr"))
    assert left.status_code == 204
    after = await client.get(f"/companies/{company}/members", headers=as_user(owner["id"], "hr"))
    assert [m["email"] for m in after.json()["data"]] == [owner["email"]]
    async with sessions() as session:
        events = (await session.scalars(select(OutboxMessage.event_type).where(OutboxMessage.key == company))).all()
    assert "company.member_removed" in events


async def test_adding_and_removing_members_is_refused_with_reasons_a_person_can_act_on(
    client: httpx.AsyncClient, make_user, as_user
) -> None:
    owner, mate, outsider, candidate = (
        await make_user("hr"),
        await make_user("hr"),
        await make_user("hr"),
        await make_user("candidate"),
    )
    company = await company_of(client, as_user(owner["id"], "hr"))
    path = f"/companies/{company}/members"
    mine = as_user(owner["id"], "hr")

    nobody = await client.post(path, json={"email": "nobody-here@example.com"}, headers=mine)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "USER_NOT_FOUND")
    not_hr = await client.post(path, json={"email": candidate["email"]}, headers=mine)
    assert not_hr.status_code == 422 and not_hr.json()["details"][0]["field"] == "email"
    malformed = await client.post(path, json={"email": "not an address"}, headers=mine)
    assert malformed.status_code == 422
    assert (await client.post(path, json={"email": mate["email"]}, headers=mine)).status_code == 201
    again = await client.post(path, json={"email": mate["email"]}, headers=mine)
    assert (again.status_code, again.json()["code"]) == (409, "ALREADY_MEMBER")

    # Only the creator manages the team; another company's HR does not even read it.
    by_member = await client.post(path, json={"email": outsider["email"]}, headers=as_user(mate["id"], "hr"))
    assert by_member.status_code == 403
    assert (await client.get(path, headers=as_user(outsider["id"], "hr"))).status_code == 403
    kick = await client.delete(f"{path}/{mate['id']}", headers=as_user(outsider["id"], "hr"))
    assert kick.status_code == 403
    as_candidate = await client.post(
        path, json={"email": outsider["email"]}, headers=as_user(candidate["id"], "candidate")
    )
    assert as_candidate.status_code == 403

    owner_leaves = await client.delete(f"{path}/{owner['id']}", headers=mine)
    assert (owner_leaves.status_code, owner_leaves.json()["code"]) == (409, "OWNER_CANNOT_LEAVE")
    stranger = await client.delete(f"{path}/{outsider['id']}", headers=mine)
    assert (stranger.status_code, stranger.json()["code"]) == (404, "MEMBER_NOT_FOUND")

"""A template's public apply link: HR opens, rotates and closes it; anyone with it sees the role and applies with
a name and an e-mail, which invites them as a person without an account (the invitation e-mail's link is the
confirmation). Every refusal: a forged, closed or rotated link, a role no longer open, a bad address, too many
requests, billing out of reach; and the same reply whether or not the address was invited before."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from kit.testing import INTERNAL_TOKEN, Caller, free_port

from .conftest import accept_notice

APPLY = "/api/invites/apply"


def links_of(template) -> str:
    return f"/api/invites/apply-links/{template.template_id}"


def from_address(address: str) -> dict[str, str]:
    """The applicant's address as the gateway forwards it on a public route."""
    return {"x-internal-token": INTERNAL_TOKEN, "x-client-ip": address}


async def open_link(client, hr, template, **body: Any) -> str:
    opened = await client.put(
        links_of(template), json={"enabled": True, "companyName": "Acme", **body}, headers=hr.headers
    )
    assert opened.status_code == 200, opened.text
    return str(opened.json()["token"])


async def apply(client, token: str, email: str, *, name: str = "Ada Lovelace", address: str = "198.51.100.1"):
    return await client.post(APPLY, json={"token": token, "name": name, "email": email}, headers=from_address(address))


def join_tokens(rows, event_type: str) -> list[str]:
    return [
        parse_qs(urlsplit(r.payload["payload"]["joinLink"]).query)["token"][0]
        for r in rows
        if r.event_type == event_type
    ]


async def test_an_applicant_sees_the_role_applies_and_the_emailed_link_leads_to_the_briefing(
    client, hr, make_template, new_events
) -> None:
    template = await make_template(hr)
    token = await open_link(client, hr, template)

    page = await client.get(APPLY, params={"token": token})
    applied = await apply(client, token, "Ada@Example.com")
    [created] = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.created"]
    [join_token] = join_tokens(await new_events(), "invitation.created")
    joined = await client.get("/api/invites/join", params={"token": join_token})
    ada = Caller("candidate")
    claimed = await client.post(
        "/api/invites/claim",
        json={"token": join_token},
        headers={**ada.headers, "x-user-verified-email": "ada@example.com"},
    )
    briefing = await accept_notice(client, created["invitationId"], ada)

    assert page.status_code == 200, page.text
    assert page.json() == {
        "companyName": "Acme",
        "templateTitle": "Backend engineer",
        "templateDescription": "Async Python role",
        "questions": 2,
        "expectedDuration": 120 + 60,
    }
    assert applied.status_code == 202, applied.text
    assert (created["candidateEmail"], created["candidateName"], created["companyName"]) == (
        "Ada@Example.com",
        "Ada Lovelace",
        "Acme",
    )
    assert created["invitedBy"] == hr.id
    assert joined.json()["invitationId"] == created["invitationId"]
    assert claimed.status_code == 200, claimed.text
    assert briefing["templateTitle"] == "Backend engineer"


async def test_applying_again_gets_the_same_reply_and_resends_the_open_invitation_instead_of_a_second_one(
    client, hr, make_template, new_events
) -> None:
    template = await make_template(hr)
    token = await open_link(client, hr, template)

    first = await apply(client, token, "grace@example.com")
    again = await apply(client, token, "GRACE@example.com", name="Someone Else")
    rows = await new_events()

    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert len(join_tokens(rows, "invitation.created")) == 1
    assert join_tokens(rows, "invitation.resent") == join_tokens(rows, "invitation.created")
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 1


async def test_a_rotated_or_closed_link_is_refused_with_a_plain_message_and_a_forged_one_is_not_found(
    client, hr, make_template
) -> None:
    template = await make_template(hr)
    old = await open_link(client, hr, template)
    new = await open_link(client, hr, template, rotate=True)
    kept = await open_link(client, hr, template)

    rotated_page = await client.get(APPLY, params={"token": old})
    rotated_apply = await apply(client, old, "a@example.com")
    forged = await client.get(APPLY, params={"token": new[:-3] + "AAA"})
    closed = await client.put(links_of(template), json={"enabled": False}, headers=hr.headers)
    after_close = await client.get(APPLY, params={"token": new})
    status = await client.get(links_of(template), headers=hr.headers)

    assert kept == new  # opening an open link again keeps it
    assert (rotated_page.status_code, rotated_page.json()["code"]) == (410, "APPLY_LINK_CLOSED")
    assert "no longer open" in rotated_page.json()["error"]
    assert (rotated_apply.status_code, rotated_apply.json()["code"]) == (410, "APPLY_LINK_CLOSED")
    assert (forged.status_code, forged.json()["code"]) == (404, "APPLY_LINK_INVALID")
    assert closed.json() == {"enabled": False}
    assert (after_close.status_code, after_close.json()["code"]) == (410, "APPLY_LINK_CLOSED")
    assert status.json() == {"enabled": False}


async def test_a_role_no_longer_active_takes_no_applications_and_a_draft_cannot_open_a_link(
    client, hr, make_template
) -> None:
    template = await make_template(hr)
    token = await open_link(client, hr, template)
    draft = await make_template(hr, publish=False)

    archived = await client.delete(f"/api/templates/{template.template_id}", headers=hr.headers)
    page = await client.get(APPLY, params={"token": token})
    applied = await apply(client, token, "a@example.com")
    draft_link = await client.put(links_of(draft), json={"enabled": True, "companyName": "Acme"}, headers=hr.headers)

    assert archived.status_code == 204
    assert (page.status_code, page.json()["code"]) == (410, "ROLE_NOT_OPEN")
    assert page.json()["error"] == "This role is not taking applications at the moment."
    assert (applied.status_code, applied.json()["code"]) == (410, "ROLE_NOT_OPEN")
    assert (draft_link.status_code, draft_link.json()["code"]) == (409, "TEMPLATE_NOT_ACTIVE")


async def test_only_the_templates_hr_manages_its_link_and_without_a_company_a_name_is_needed(
    client, hr, other_hr, make_template
) -> None:
    template = await make_template(hr)

    foreign = await client.put(links_of(template), json={"enabled": True}, headers=other_hr.headers)
    foreign_read = await client.get(links_of(template), headers=other_hr.headers)
    candidate = await client.get(links_of(template), headers=Caller("candidate").headers)
    anonymous = await client.get(links_of(template))
    nameless = await client.put(links_of(template), json={"enabled": True}, headers=hr.headers)
    unknown_field = await client.put(links_of(template), json={"enabled": True, "open": 1}, headers=hr.headers)

    assert (foreign.status_code, foreign.json()["code"]) == (403, "TEMPLATE_UNAUTHORIZED")
    assert foreign_read.status_code == 403
    assert candidate.status_code == 403
    assert anonymous.status_code == 401
    assert nameless.status_code == 422 and "company name" in nameless.json()["error"]
    assert unknown_field.status_code == 422 and unknown_field.json()["details"][0]["field"] == "open"


async def test_an_application_without_a_valid_name_and_email_is_refused_with_field_details(
    client, hr, make_template
) -> None:
    token = await open_link(client, hr, await make_template(hr))

    bad_email = await apply(client, token, "not-an-address")
    no_name = await apply(client, token, "a@example.com", name="  ")

    assert bad_email.status_code == 422
    assert [(d["field"], d["message"]) for d in bad_email.json()["details"]] == [
        ("email", "This is not a valid e-mail address")
    ]
    assert no_name.status_code == 422 and no_name.json()["details"][0]["field"] == "name"


async def test_applications_are_limited_per_email_and_per_address_for_an_hour(client, hr, make_template, clock) -> None:
    token = await open_link(client, hr, await make_template(hr))

    same_email = [(await apply(client, token, "x@example.com", address=f"203.0.113.{i}")).status_code for i in range(4)]
    one_address = [
        (await apply(client, token, f"p{i}@example.com", address="192.0.2.9")).status_code for i in range(11)
    ]
    refused = await apply(client, token, "q@example.com", address="192.0.2.9")
    clock.advance(hours=1, seconds=1)
    later = await apply(client, token, "x@example.com", address="203.0.113.50")

    assert same_email == [202, 202, 202, 429]
    assert one_address == [202] * 10 + [429]
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert "try again later" in refused.json()["error"]
    assert int(refused.headers["retry-after"]) > 0
    assert later.status_code == 202


async def test_with_billing_out_of_reach_an_application_is_refused_in_plain_words_and_nothing_is_created(
    make_client, hr, make_template, new_events
) -> None:
    client = await make_client(quota_enforcement=True, billing_url=f"http://127.0.0.1:{free_port()}")
    template = await make_template(hr)  # created before: make_template uses the default client
    token = await open_link(client, hr, template)

    applied = await apply(client, token, "a@example.com")

    assert applied.status_code == 503, applied.text
    assert applied.json()["error"] == "We could not take your application just now. Please try again in a minute."
    assert not [r for r in await new_events() if r.event_type == "invitation.created"]

"""Inviting people without an account: a bulk invitation with each row's outcome, the signed link they open
and claim with their verified e-mail, and HR's resend, extend, reset and revoke, each audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from interviews import invite_api, worker
from kit.testing import Caller

from .conftest import accept_notice

BULK = "/api/invites/bulk"
VERIFIED = "x-user-verified-email"


def verified(caller: Caller, email: str) -> dict[str, str]:
    return {**caller.headers, VERIFIED: email}


async def invite(client, hr, template_id: str, clock, *rows: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await client.post(
        BULK,
        json={
            "templateId": template_id,
            "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
            "companyName": "Acme",
            "candidates": list(rows),
            **body,
        },
        headers=hr.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def links(new_events, event_type: str = "invitation.created") -> dict[str, str]:
    """Each invitation's link token, as the event for the invitation e-mail carries it."""
    found = {}
    for row in await new_events():
        if row.event_type == event_type:
            payload = row.payload["payload"]
            found[payload["invitationId"]] = parse_qs(urlsplit(payload["joinLink"]).query)["token"][0]
    return found


async def test_a_bulk_invitation_reports_each_rows_outcome_and_sends_the_valid_ones(
    client, hr, make_template, clock, new_events
) -> None:
    template = await make_template(hr)
    await invite(client, hr, template.template_id, clock, {"email": "earlier@example.com"})

    result = await invite(
        client,
        hr,
        template.template_id,
        clock,
        {"email": "ada@example.com", "name": "Ada Lovelace"},
        {"email": "not-an-address"},
        {"email": "ADA@example.com"},
        {"email": "Earlier@Example.com"},
        {"email": "grace@example.com"},
    )

    assert [(r["row"], r["status"]) for r in result["rows"]] == [
        (1, "invited"),
        (2, "invalid_email"),
        (3, "duplicate"),
        (4, "already_invited"),
        (5, "invited"),
    ]
    assert (result["invited"], result["refused"]) == (2, 3)
    assert result["rows"][1]["message"] == "This is not a valid e-mail address."
    created = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.created"]
    ada = next(p for p in created if p["candidateEmail"] == "ada@example.com")
    assert ada["invitationId"] == result["rows"][0]["invitationId"]
    assert ada["candidateName"] == "Ada Lovelace"
    assert ada["joinLink"].startswith("/join?token=")
    # Nobody's account yet: a stand-in no account has, so no one can take the interview before claiming it.
    assert ada["candidateId"] == f"invitee:{ada['invitationId']}"


async def test_a_preview_checks_every_row_and_writes_nothing(client, hr, make_template, clock, new_events) -> None:
    template = await make_template(hr)
    before = len(await new_events())

    result = await invite(
        client, hr, template.template_id, clock, {"email": "a@example.com"}, {"email": "a@example.com"}, dryRun=True
    )

    assert [r["status"] for r in result["rows"]] == ["ready", "duplicate"]
    assert len(await new_events()) == before
    assert (await client.get("/api/invitations/hr", headers=hr.headers)).json()["total"] == 0


async def test_a_preview_opens_no_write_transaction_and_a_sending_opens_one_for_the_invitations(
    client, hr, make_template, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = await make_template(hr)
    opened = 0
    write = invite_api.transaction

    def counted(sessions: Any) -> Any:
        nonlocal opened
        opened += 1
        return write(sessions)

    monkeypatch.setattr(invite_api, "transaction", counted)

    preview = await invite(client, hr, template.template_id, clock, {"email": "a@example.com"}, dryRun=True)
    assert (preview["rows"][0]["status"], opened) == ("ready", 0)
    sent = await invite(client, hr, template.template_id, clock, {"email": "a@example.com"})
    assert (sent["rows"][0]["status"], opened) == ("invited", 1)


async def test_a_bulk_invitation_is_refused_for_someone_elses_template_an_empty_list_or_a_past_deadline(
    client, hr, other_hr, make_template, clock
) -> None:
    template = await make_template(hr)
    body = {
        "templateId": template.template_id,
        "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
        "companyName": "Acme",
        "candidates": [{"email": "a@example.com"}],
    }

    foreign = await client.post(BULK, json=body, headers=other_hr.headers)
    empty = await client.post(BULK, json={**body, "candidates": []}, headers=hr.headers)
    past = await client.post(BULK, json={**body, "expiresAt": clock.now.isoformat()}, headers=hr.headers)
    candidate = await client.post(BULK, json=body, headers=Caller("candidate").headers)

    assert (foreign.status_code, foreign.json()["code"]) == (403, "TEMPLATE_UNAUTHORIZED")
    assert empty.status_code == 422
    assert empty.json()["details"][0]["field"] == "candidates"
    assert past.json()["code"] == "INVALID_INVITATION_DATA"
    assert candidate.status_code == 403


async def test_the_invited_person_opens_the_link_claims_it_with_the_verified_email_and_takes_the_interview(
    client, hr, make_template, clock, new_events
) -> None:
    template = await make_template(hr)
    invited = await invite(client, hr, template.template_id, clock, {"email": "Ada@Example.com", "name": "Ada"})
    invitation_id = invited["rows"][0]["invitationId"]
    token = (await links(new_events))[invitation_id]
    ada = Caller("candidate")

    shown = await client.get("/api/invites/join", params={"token": token})
    before_claim = await client.post(f"/api/invitations/{invitation_id}/briefing", headers=ada.headers)
    claimed = await client.post("/api/invites/claim", json={"token": token}, headers=verified(ada, "ada@example.com"))
    again = await client.post("/api/invites/claim", json={"token": token}, headers=verified(ada, "ada@example.com"))
    briefing = await client.post(f"/api/invitations/{invitation_id}/briefing", headers=ada.headers)
    await accept_notice(client, invitation_id, ada)
    started = await client.post(f"/api/invitations/{invitation_id}/start", headers=ada.headers)

    assert shown.status_code == 200, shown.text
    assert shown.json() | {"expiresAt": None} == {
        "invitationId": invitation_id,
        "companyName": "Acme",
        "templateTitle": "Backend engineer",
        "candidateName": "Ada",
        "candidateEmail": "Ada@Example.com",
        "expiresAt": None,
        "status": "pending",
        "claimed": False,
    }
    assert before_claim.status_code == 403
    assert claimed.status_code == 200, claimed.text
    assert claimed.json() == {"id": invitation_id}
    assert again.status_code == 200
    assert briefing.status_code == 200, briefing.text
    assert started.status_code == 200, started.text
    mine = await client.get("/api/invitations/candidate", headers=ada.headers)
    assert [i["id"] for i in mine.json()["items"]] == [invitation_id]
    claims = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.claimed"]
    [claim] = claims
    assert claim == {
        "invitationId": invitation_id,
        "candidateId": ada.id,
        "claimedAt": claim["claimedAt"],
        "companyId": claim["companyId"],
    }
    # The billed account that invited them (the inviter's company, else the inviter), for users' applications.
    assert claim["companyId"] in {hr.id, hr.headers.get("x-company-id")}
    audit = await client.get(f"/api/invitations/{invitation_id}/audit", headers=hr.headers)
    assert [(e["action"], e["actorId"]) for e in audit.json()] == [("claimed", ada.id)]


async def test_a_claimed_invitation_cannot_be_claimed_by_another_account(
    client, hr, make_template, clock, new_events
) -> None:
    template = await make_template(hr)
    invited = await invite(client, hr, template.template_id, clock, {"email": "ada@example.com"})
    token = (await links(new_events))[invited["rows"][0]["invitationId"]]
    ada, someone = Caller("candidate"), Caller("candidate")
    first = await client.post("/api/invites/claim", json={"token": token}, headers=verified(ada, "ada@example.com"))

    # Even with the same verified address (a second account), the invitation stays the first account's.
    second = await client.post(
        "/api/invites/claim", json={"token": token}, headers=verified(someone, "ada@example.com")
    )

    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (403, "INVITATION_CLAIMED")
    assert second.json()["error"] == "This invitation already belongs to another account."
    assert (await client.get("/api/invites/join", params={"token": token})).json()["claimed"] is True


async def test_a_claim_needs_the_invited_address_verified(client, hr, make_template, clock, new_events) -> None:
    template = await make_template(hr)
    invited = await invite(client, hr, template.template_id, clock, {"email": "ada@example.com"})
    token = (await links(new_events))[invited["rows"][0]["invitationId"]]
    someone = Caller("candidate")

    unverified = await client.post("/api/invites/claim", json={"token": token}, headers=someone.headers)
    other_address = await client.post(
        "/api/invites/claim", json={"token": token}, headers=verified(someone, "eve@example.com")
    )

    assert (unverified.status_code, unverified.json()["code"]) == (403, "EMAIL_NOT_VERIFIED")
    assert (other_address.status_code, other_address.json()["code"]) == (403, "EMAIL_MISMATCH")
    assert "different e-mail address" in other_address.json()["error"]
    assert (await client.get("/api/invites/join", params={"token": token})).json()["claimed"] is False


async def test_a_forged_expired_replaced_or_revoked_link_is_refused(
    client, hr, make_template, clock, new_events
) -> None:
    template = await make_template(hr)
    invited = await invite(
        client, hr, template.template_id, clock, {"email": "a@example.com"}, {"email": "b@example.com"}
    )
    first, second = (row["invitationId"] for row in invited["rows"])
    tokens = await links(new_events)
    payload, _, signature = tokens[first].rpartition(".")
    # The second invitation's id under the first one's signature.
    forged = tokens[first].replace(first, second)

    tampered = await client.get("/api/invites/join", params={"token": forged})
    unsigned = await client.get("/api/invites/join", params={"token": payload + ".x"})
    rotated = await client.post(f"/api/invitations/{first}/resend", json={"rotateLink": True}, headers=hr.headers)
    replaced = await client.get("/api/invites/join", params={"token": tokens[first]})
    newest = (await links(new_events, "invitation.resent"))[first]
    fresh = await client.get("/api/invites/join", params={"token": newest})
    cancelled = await client.post(f"/api/invitations/{second}/cancel", headers=hr.headers)
    revoked = await client.get("/api/invites/join", params={"token": tokens[second]})
    clock.advance(days=8)
    expired = await client.get("/api/invites/join", params={"token": newest})

    assert signature and (tampered.status_code, tampered.json()["code"]) == (404, "INVITE_LINK_INVALID")
    assert unsigned.status_code == 404
    assert rotated.status_code == 200, rotated.text
    assert (replaced.status_code, replaced.json()["code"]) == (404, "INVITE_LINK_INVALID")
    assert "newer one" in replaced.json()["error"]
    assert fresh.status_code == 200
    assert cancelled.status_code == 200
    assert (revoked.status_code, revoked.json()["code"]) == (410, "INVITE_LINK_REVOKED")
    assert (expired.status_code, expired.json()["code"]) == (410, "INVITE_LINK_EXPIRED")
    audit = await client.get(f"/api/invitations/{first}/audit", headers=hr.headers)
    assert [e["action"] for e in audit.json()] == ["link_rotated"]
    withdrawn = await client.get(f"/api/invitations/{second}/audit", headers=hr.headers)
    assert [(e["action"], e["actorId"]) for e in withdrawn.json()] == [("cancelled", hr.id)]


async def test_hr_extends_an_expired_invitation_nobody_started_and_the_new_link_works(
    client, hr, other_hr, make_template, clock, new_events, sessions, settings
) -> None:
    template = await make_template(hr)
    invited = await invite(client, hr, template.template_id, clock, {"email": "a@example.com"})
    invitation_id = invited["rows"][0]["invitationId"]
    clock.advance(days=8)
    await worker.expire_invitations({"sessions": sessions, "clock": clock, "settings": settings})
    status = (await client.get(f"/api/invitations/{invitation_id}", headers=hr.headers)).json()["status"]
    later = (clock.now + timedelta(days=3)).isoformat()

    earlier = await client.post(
        f"/api/invitations/{invitation_id}/extend",
        json={"expiresAt": (clock.now - timedelta(days=1)).isoformat()},
        headers=hr.headers,
    )
    foreign = await client.post(
        f"/api/invitations/{invitation_id}/extend", json={"expiresAt": later}, headers=other_hr.headers
    )
    extended = await client.post(
        f"/api/invitations/{invitation_id}/extend", json={"expiresAt": later}, headers=hr.headers
    )
    token = (await links(new_events, "invitation.extended"))[invitation_id]
    shown = await client.get("/api/invites/join", params={"token": token})

    assert status == "expired"
    assert (earlier.status_code, earlier.json()["code"]) == (422, "INVALID_DEADLINE")
    assert (foreign.status_code, foreign.json()["code"]) == (403, "INVITATION_ACCESS_DENIED")
    assert extended.status_code == 200, extended.text
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "pending"
    audit = await client.get(f"/api/invitations/{invitation_id}/audit", headers=hr.headers)
    assert [e["action"] for e in audit.json()] == ["extended"]


async def test_hr_resets_an_interview_after_a_technical_failure_with_a_reason_and_confirmation(
    client, hr, candidate, make_invitation, new_events
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    path = f"/api/invitations/{interview.invitation_id}"
    answered = await client.post(
        f"{path}/responses",
        json={"questionId": interview.question_ids[0], "textAnswer": "We rolled back."},
        headers=candidate.headers,
    )

    unconfirmed = await client.post(f"{path}/reset", json={"reason": "Camera crashed"}, headers=hr.headers)
    no_reason = await client.post(f"{path}/reset", json={"reason": " ", "confirm": True}, headers=hr.headers)
    by_candidate = await client.post(f"{path}/reset", json={"reason": "x", "confirm": True}, headers=candidate.headers)
    reset = await client.post(f"{path}/reset", json={"reason": "Camera crashed", "confirm": True}, headers=hr.headers)
    again = await client.post(f"{path}/reset", json={"reason": "Camera crashed", "confirm": True}, headers=hr.headers)

    assert answered.status_code == 201, answered.text
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["details"][0]["field"] == "confirm"
    assert no_reason.status_code == 422
    assert by_candidate.status_code == 403
    assert reset.status_code == 200, reset.text
    assert (again.status_code, again.json()["code"]) == (409, "INVALID_INVITATION_STATE")
    view = (await client.get(path, headers=candidate.headers)).json()
    assert view["status"] == "pending"
    assert view.get("responses", []) == []
    resets = [r.payload["payload"] for r in await new_events() if r.event_type == "invitation.reset"]
    assert [(p["reason"], p["resetBy"]) for p in resets] == [("Camera crashed", hr.id)]
    audit = (await client.get(f"{path}/audit", headers=hr.headers)).json()
    assert [(e["action"], e["reason"]) for e in audit] == [("reset", "Camera crashed")]
    restarted = await client.post(f"{path}/start", headers=candidate.headers)
    assert restarted.status_code == 200, restarted.text


async def test_resend_is_only_for_an_invitation_not_yet_started(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate, start=True)

    refused = await client.post(f"/api/invitations/{interview.invitation_id}/resend", json={}, headers=hr.headers)

    assert (refused.status_code, refused.json()["code"]) == (409, "INVALID_INVITATION_STATE")

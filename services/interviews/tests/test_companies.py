"""The billed account and the company an invitation speaks for: an HR user who belongs to a company (the gateway
sends its id) bills templates and invitations to it and invites in its name, as the users service's
`company.*` events last named it; an HR user without a company bills and names themselves."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from kit.contracts import users
from kit.domain import utcnow
from kit.events import Envelope


def company_event(event, *, after_s: int = 0) -> Envelope:
    envelope = Envelope.wrap(event, source="users", aggregate_id=str(event.company_id), correlation_id=None)
    return envelope.model_copy(update={"occurred_at": envelope.occurred_at + timedelta(seconds=after_s)})


def created(company_id: uuid.UUID, name: str) -> Envelope:
    return company_event(
        users.CompanyCreated(company_id=company_id, name=name, created_by=uuid.uuid4(), created_at=utcnow())
    )


def as_member(caller, company_id: uuid.UUID) -> dict[str, str]:
    return {**caller.headers, "x-company-id": str(company_id)}


def invite_body(interview, candidate, clock, **body):
    return {
        "templateId": interview.template_id,
        "candidateId": candidate.id,
        "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
        **body,
    }


async def invite(client, headers, interview, candidate, clock, **body):
    return await client.post("/api/invitations", json=invite_body(interview, candidate, clock, **body), headers=headers)


async def test_a_company_member_bills_templates_and_invitations_to_the_company_and_invites_in_its_name(
    client, hr, candidate, make_template, clock, deliver, new_events
) -> None:
    company = uuid.uuid4()
    assert await deliver(created(company, "Acme GmbH")) == ["ok"]
    headers = as_member(hr, company)
    template = await client.post("/api/templates", json={"title": "Backend", "description": "Role"}, headers=headers)
    interview = await make_template(hr)

    omitted = await invite(client, headers, interview, candidate, clock)
    listed = (await client.get("/api/invitations/hr", headers=hr.headers)).json()["items"]

    assert (template.status_code, omitted.status_code) == (201, 201), omitted.text
    assert [i["companyName"] for i in listed] == ["Acme GmbH"]
    payloads = [row.payload["payload"] for row in await new_events()]
    template_created = next(p for p in payloads if p.get("templateId") == template.json()["id"])
    invitation_created = next(p for p in payloads if p.get("invitationId") == omitted.json()["id"])
    assert (template_created["companyId"], template_created["createdBy"]) == (str(company), hr.id)
    assert (invitation_created["companyId"], invitation_created["companyName"]) == (str(company), "Acme GmbH")
    # Ownership stays the creator's: the invitation is still listed as theirs.
    assert listed[0]["id"] == omitted.json()["id"]


async def test_an_hr_user_without_a_company_bills_themselves_and_keeps_the_name_given(
    client, hr, candidate, make_template, clock, new_events
) -> None:
    interview = await make_template(hr)

    response = await invite(client, hr.headers, interview, candidate, clock, companyName="Freelance Recruiting")
    missing = await invite(client, hr.headers, await make_template(hr), candidate, clock)

    assert response.status_code == 201, response.text
    rows = [r.payload for r in await new_events() if r.payload["eventType"].endswith(".created")]
    assert {r["payload"].get("companyId") for r in rows} == {hr.id}
    (invited,) = [r["payload"] for r in rows if r["eventType"] == "invitation.created"]
    assert invited["companyName"] == "Freelance Recruiting"
    assert missing.status_code == 422
    assert [d["field"] for d in missing.json()["details"]] == ["companyName"]


async def test_a_company_member_cannot_invite_in_another_companys_name(
    client, hr, candidate, make_template, clock, deliver
) -> None:
    company = uuid.uuid4()
    await deliver(created(company, "Acme GmbH"))
    interview = await make_template(hr)

    other = await invite(client, as_member(hr, company), interview, candidate, clock, companyName="Globex Corp")
    same = await invite(client, as_member(hr, company), interview, candidate, clock, companyName="  acme gmbh ")

    assert other.status_code == 422
    assert other.json()["code"] == "VALIDATION_ERROR"
    assert [(d["field"], d["location"]) for d in other.json()["details"]] == [("companyName", "body")]
    assert "Acme GmbH" in other.json()["details"][0]["message"]
    assert same.status_code == 201, same.text
    got = await client.get(f"/api/invitations/{same.json()['id']}", headers=hr.headers)
    assert got.json()["companyName"] == "Acme GmbH"


async def test_the_name_follows_renames_a_deleted_company_sends_nothing_and_a_new_one_uses_the_name_given(
    client, hr, candidate, make_template, clock, deliver
) -> None:
    company, unknown = uuid.uuid4(), uuid.uuid4()
    renamed = company_event(
        users.CompanyUpdated(company_id=company, name="Acme Group", updated_at=utcnow()), after_s=10
    )
    # An older rename delivered late changes nothing.
    stale = company_event(users.CompanyUpdated(company_id=company, name="Acme Old", updated_at=utcnow()))
    await deliver(created(company, "Acme GmbH"), renamed, stale)
    interview = await make_template(hr)

    after_rename = await invite(client, as_member(hr, company), interview, candidate, clock)
    named_by_unknown = await invite(
        client, as_member(hr, unknown), await make_template(hr), candidate, clock, companyName="Brand New Ltd"
    )
    unnamed_by_unknown = await invite(client, as_member(hr, unknown), await make_template(hr), candidate, clock)
    deleted = company_event(users.CompanyDeleted(company_id=company, deleted_by=None, deleted_at=utcnow()), after_s=20)
    revived = company_event(
        users.CompanyUpdated(company_id=company, name="Acme Again", updated_at=utcnow()), after_s=30
    )
    await deliver(deleted, revived)
    after_delete = await invite(client, as_member(hr, company), await make_template(hr), candidate, clock)

    assert after_rename.status_code == 201, after_rename.text
    assert (await client.get(f"/api/invitations/{after_rename.json()['id']}", headers=hr.headers)).json()[
        "companyName"
    ] == "Acme Group"
    assert named_by_unknown.status_code == 201, named_by_unknown.text
    assert unnamed_by_unknown.status_code == 503
    assert unnamed_by_unknown.json()["code"] == "COMPANY_NOT_YET_KNOWN"
    assert int(unnamed_by_unknown.headers["retry-after"]) >= 1
    assert after_delete.status_code == 409
    assert after_delete.json()["code"] == "COMPANY_DELETED"


@pytest.mark.parametrize("field", ["companyId", "name"])
async def test_a_malformed_company_event_is_refused_and_changes_nothing(deliver, field) -> None:
    envelope = created(uuid.uuid4(), "Acme GmbH")
    payload = {**envelope.payload, field: "x" * 300 if field == "name" else "not-a-uuid"}

    with pytest.raises(ValidationError, match=field):
        await deliver(envelope.model_copy(update={"payload": payload}))

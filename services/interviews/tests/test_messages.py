# ruff: noqa: F811
"""A company's saved messages to candidates: the hiring team shares them (another company never sees them), a
placeholder that cannot be filled is refused with its field, and a bulk decision with a saved message gives each
candidate their own words."""

from __future__ import annotations

import uuid

# The review tests' fixtures (a teammate, a finished interview), taken as parameters below; the company's lead
# and an outsider come from the conftest.
from .conftest import Member
from .test_reviews import finished, teammate  # noqa: F401

MESSAGES = "/api/message-templates"
POLITE = "Dear {candidateName}, thank you for interviewing for {role} at {company}. We chose another candidate."


async def test_the_hiring_team_shares_its_saved_messages_and_another_company_never_sees_them(
    client, lead, teammate, outsider
) -> None:
    created = await client.post(MESSAGES, json={"name": "Rejection — polite", "body": POLITE}, headers=lead.headers)
    message_id = created.json()["id"]

    listed = await client.get(MESSAGES, headers=teammate.headers)
    edited = await client.put(
        f"{MESSAGES}/{message_id}", json={"name": "Rejection — warm", "body": POLITE}, headers=teammate.headers
    )
    foreign_list = await client.get(MESSAGES, headers=outsider.headers)
    foreign_edit = await client.put(
        f"{MESSAGES}/{message_id}", json={"name": "Mine now", "body": "x"}, headers=outsider.headers
    )
    foreign_delete = await client.delete(f"{MESSAGES}/{message_id}", headers=outsider.headers)
    candidate = await client.get(MESSAGES, headers=Member("candidate").headers)
    deleted = await client.delete(f"{MESSAGES}/{message_id}", headers=lead.headers)

    assert created.status_code == 201, created.text
    assert [(m["name"], m["body"], m["createdBy"]) for m in listed.json()] == [("Rejection — polite", POLITE, lead.id)]
    assert edited.json()["name"] == "Rejection — warm"
    assert foreign_list.json() == []
    assert (foreign_edit.status_code, foreign_edit.json()["code"]) == (404, "MESSAGE_TEMPLATE_NOT_FOUND")
    assert foreign_delete.status_code == 404
    assert candidate.status_code == 403
    assert deleted.status_code == 204
    assert (await client.get(MESSAGES, headers=lead.headers)).json() == []


async def test_a_message_is_refused_with_its_field_for_an_unknown_placeholder_a_missing_name_or_a_taken_one(
    client, lead, teammate
) -> None:
    await client.post(MESSAGES, json={"name": "Next round", "body": "See you, {candidateName}."}, headers=lead.headers)

    typo = await client.post(MESSAGES, json={"name": "Typo", "body": "Dear {candidate},"}, headers=lead.headers)
    nameless = await client.post(MESSAGES, json={"name": " ", "body": "Hello"}, headers=lead.headers)
    taken = await client.post(MESSAGES, json={"name": "next ROUND", "body": "Hello"}, headers=teammate.headers)
    unknown_field = await client.post(MESSAGES, json={"name": "A", "body": "B", "kind": "x"}, headers=lead.headers)

    assert typo.status_code == 422
    assert "{candidate}" in typo.json()["error"]
    assert [d["field"] for d in typo.json()["details"]] == ["body"]
    assert nameless.status_code == 422 and nameless.json()["details"][0]["field"] == "name"
    assert (taken.status_code, taken.json()["code"]) == (409, "DUPLICATE_MESSAGE_TEMPLATE")
    assert unknown_field.status_code == 422 and unknown_field.json()["details"][0]["field"] == "kind"


async def test_a_bulk_rejection_with_a_saved_message_gives_each_candidate_their_own_words(
    client, finished, make_template, lead, teammate, outsider
) -> None:
    template = await make_template(lead, settings={"candidateFeedback": "decision_and_feedback"})
    ada = await finished(template=template, name="Ada Lovelace")
    alan = await finished(template=template, name="Alan Turing")
    message = (await client.post(MESSAGES, json={"name": "Polite", "body": POLITE}, headers=lead.headers)).json()
    body = {
        "invitationIds": [ada.invitation_id, alan.invitation_id],
        "stage": "rejected",
        "note": "Chose a more senior profile",
        "messageTemplateId": message["id"],
    }

    not_a_decision = await client.post(
        "/api/reviews/stage", json={**body, "stage": "shortlisted", "note": None}, headers=teammate.headers
    )
    both = await client.post("/api/reviews/stage", json={**body, "candidateFeedback": "Hi"}, headers=teammate.headers)
    foreign_message = await client.post(
        "/api/reviews/stage", json={**body, "messageTemplateId": str(uuid.uuid4())}, headers=teammate.headers
    )
    moved = await client.post("/api/reviews/stage", json=body, headers=teammate.headers)
    feedback = [
        (await client.get(f"/api/invitations/{i.invitation_id}", headers=lead.headers)).json()["candidateFeedback"]
        for i in (ada, alan)
    ]

    assert not_a_decision.status_code == 422 and "goes with a decision" in not_a_decision.text
    assert both.status_code == 422
    assert (foreign_message.status_code, foreign_message.json()["code"]) == (404, "MESSAGE_TEMPLATE_NOT_FOUND")
    assert moved.status_code == 200, moved.text
    assert feedback == [
        "Dear Ada Lovelace, thank you for interviewing for Backend engineer at Acme. We chose another candidate.",
        "Dear Alan Turing, thank you for interviewing for Backend engineer at Acme. We chose another candidate.",
    ]

"""Template versions and HR's internal name through the HTTP API: a published template reopened for editing
publishes a new version, invitations keep the version they were sent (runner, briefing, completion event and
review), the builder lists each version with what changed, and candidates never see HR's own name."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from sqlalchemy import update

from interviews.domain import Invitation

from .conftest import accept_notice

NEW_QUESTION = {
    "text": "Tell us how you would design a rate limiter.",
    "type": "text",
    "order": 3,
    "timeLimit": 180,
    "required": True,
}


async def invite(client, clock, hr, candidate, template_id):
    created = await client.post(
        "/api/invitations",
        json={
            "templateId": template_id,
            "candidateId": candidate.id,
            "companyName": "Acme",
            "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
        },
        headers=hr.headers,
    )
    return created


async def seen_by(client, invitation_id, caller):
    got = await client.get(
        f"/api/invitations/{invitation_id}", params={"includeTemplate": "true"}, headers=caller.headers
    )
    assert got.status_code == 200, got.text
    return got.json()


async def revise_and_change(client, hr, template_id, question_ids):
    """HR reopens the template, rewords the first question, drops the second and adds a third, then publishes."""
    text_id, mc_id = question_ids
    revised = await client.post(f"/api/templates/{template_id}/revise", headers=hr.headers)
    assert revised.status_code == 200, revised.text
    assert revised.json()["status"] == "draft"
    base = f"/api/templates/{template_id}/questions"
    edited = await client.patch(
        f"{base}/{text_id}", json={"text": "Describe the hardest outage you led."}, headers=hr.headers
    )
    assert edited.status_code == 200, edited.text
    assert (await client.delete(f"{base}/{mc_id}", headers=hr.headers)).status_code == 204
    added = await client.post(base, json={**NEW_QUESTION, "order": 2}, headers=hr.headers)
    assert added.status_code == 201, added.text
    published = await client.put(f"/api/templates/{template_id}/publish", headers=hr.headers)
    assert published.status_code == 200, published.text
    return added.json()["id"]


async def test_an_edit_after_inviting_leaves_the_invited_candidate_the_questions_they_were_sent(
    client, hr, candidate, other_candidate, make_template, make_invitation, clock, new_events
) -> None:
    first = await make_invitation(hr, candidate, start=True)
    new_id = await revise_and_change(client, hr, first.template_id, first.question_ids)

    sent = await seen_by(client, first.invitation_id, candidate)
    assert [q["text"] for q in sent["questions"]] == [
        "Describe a production incident you handled.",
        "Which HTTP method is idempotent?",
    ]
    assert sent["templateVersion"] == 1
    briefing = await client.post(f"/api/invitations/{first.invitation_id}/briefing", headers=candidate.headers)
    assert [q["type"] for q in briefing.json()["questions"]] == ["text", "multiple_choice"]

    # The question removed from version 2 is still answerable by the candidate who was sent version 1.
    for question_id, answer in zip(first.question_ids, ("We added a canary stage.", "PUT"), strict=True):
        answered = await client.post(
            f"/api/invitations/{first.invitation_id}/responses",
            json={"questionId": question_id, "textAnswer": answer},
            headers=candidate.headers,
        )
        assert answered.status_code == 201, answered.text
    completed = await client.post(f"/api/invitations/{first.invitation_id}/complete", headers=candidate.headers)
    assert completed.status_code == 200, completed.text
    event = next(e for e in await new_events() if e.event_type == "invitation.completed")
    assert [q["text"] for q in event.payload["payload"]["questions"]] == [
        "Describe a production incident you handled.",
        "Which HTTP method is idempotent?",
    ]

    second = await invite(client, clock, hr, other_candidate, first.template_id)
    assert second.status_code == 201, second.text
    fresh = await seen_by(client, second.json()["id"], other_candidate)
    assert [q["text"] for q in fresh["questions"]] == [
        "Describe the hardest outage you led.",
        "Tell us how you would design a rate limiter.",
    ]
    assert fresh["templateVersion"] == 2
    assert fresh["progress"]["total"] == 2
    await accept_notice(client, second.json()["id"], other_candidate)
    assert (
        await client.post(f"/api/invitations/{second.json()['id']}/start", headers=other_candidate.headers)
    ).is_success
    refused = await client.post(
        f"/api/invitations/{second.json()['id']}/responses",
        json={"questionId": first.question_ids[1], "textAnswer": "PUT"},
        headers=other_candidate.headers,
    )
    assert refused.status_code == 404
    assert refused.json()["code"] == "QUESTION_NOT_FOUND"

    # HR's review of each shows the words that candidate answered.
    reviewed_first = await seen_by(client, first.invitation_id, hr)
    assert reviewed_first["questions"][0]["text"] == "Describe a production incident you handled."
    assert [r["questionText"] for r in reviewed_first["responses"]] == [
        "Describe a production incident you handled.",
        "Which HTTP method is idempotent?",
    ]
    reviewed_second = await seen_by(client, second.json()["id"], hr)
    assert [q["id"] for q in reviewed_second["questions"]] == [first.question_ids[0], new_id]

    listed = (await client.get("/api/invitations/hr", headers=hr.headers)).json()["items"]
    assert {i["candidateId"]: i["templateVersion"] for i in listed} == {candidate.id: 1, other_candidate.id: 2}


async def test_an_invitation_sent_before_versions_existed_is_answered_and_completed_on_the_template_itself(
    client, hr, candidate, make_invitation, complete_interview, sessions, new_events
) -> None:
    sent = await make_invitation(hr, candidate)
    async with sessions() as session, session.begin():
        # What an invitation made before template versions were recorded looks like: no pinned version.
        await session.execute(
            update(Invitation).where(Invitation.id == uuid.UUID(sent.invitation_id)).values(template_version_id=None)
        )
    base = f"/api/invitations/{sent.invitation_id}"

    await accept_notice(client, sent.invitation_id, candidate)
    assert (await client.post(f"{base}/start", headers=candidate.headers)).status_code == 200
    await complete_interview(sent, candidate)

    event = next(e for e in await new_events() if e.event_type == "invitation.completed")
    assert [q["text"] for q in event.payload["payload"]["questions"]] == [
        "Describe a production incident you handled.",
        "Which HTTP method is idempotent?",
    ]


async def test_the_builder_lists_each_version_with_who_published_it_what_changed_and_its_invitations(
    client, hr, candidate, make_invitation
) -> None:
    first = await make_invitation(hr, candidate)
    await revise_and_change(client, hr, first.template_id, first.question_ids)

    history = await client.get(f"/api/templates/{first.template_id}/versions", headers=hr.headers)

    assert history.status_code == 200, history.text
    newest, oldest = history.json()["versions"]
    assert (newest["number"], newest["questionsAdded"], newest["questionsRemoved"], newest["questionsEdited"]) == (
        2,
        1,
        1,
        1,
    )
    assert (newest["invitations"], newest["questionsCount"], newest["publishedBy"]) == (0, 2, hr.id)
    assert (oldest["number"], oldest["questionsAdded"], oldest["invitations"]) == (1, 2, 1)
    assert newest["detailsChanged"] is False
    template = (await client.get(f"/api/templates/{first.template_id}", headers=hr.headers)).json()
    assert template["currentVersion"] == 2


async def test_a_template_being_revised_takes_no_new_invitations_until_published_again(
    client, hr, candidate, make_template, clock
) -> None:
    interview = await make_template(hr)
    assert (await client.post(f"/api/templates/{interview.template_id}/revise", headers=hr.headers)).status_code == 200

    refused = await invite(client, clock, hr, candidate, interview.template_id)

    assert refused.status_code == 400
    assert refused.json()["code"] == "INVALID_INVITATION_DATA"


async def test_only_the_owner_revises_and_only_a_published_template(
    client, hr, other_hr, candidate, make_template
) -> None:
    draft = await make_template(hr, publish=False)
    active = await make_template(hr)

    not_published = await client.post(f"/api/templates/{draft.template_id}/revise", headers=hr.headers)
    assert not_published.status_code == 422
    assert not_published.json()["code"] == "INVALID_TEMPLATE_STATE"
    assert not_published.json()["error"] == "Cannot revise template in draft state"
    not_theirs = await client.post(f"/api/templates/{active.template_id}/revise", headers=other_hr.headers)
    assert not_theirs.status_code == 403
    assert (
        await client.post(f"/api/templates/{active.template_id}/revise", headers=candidate.headers)
    ).status_code == 403
    assert (
        await client.get(f"/api/templates/{active.template_id}/versions", headers=other_hr.headers)
    ).status_code == 403
    missing = await client.post(f"/api/templates/{uuid.uuid4()}/revise", headers=hr.headers)
    assert missing.status_code == 404
    # A never-published draft has no versions yet.
    assert (await client.get(f"/api/templates/{draft.template_id}/versions", headers=hr.headers)).json() == {
        "versions": []
    }


async def test_hr_names_a_template_for_their_lists_and_finds_it_by_that_name_or_the_job_title(
    client, hr, make_template
) -> None:
    named = await make_template(hr, title="Software Engineer", internalName="SWE Berlin Q1 — batch 2")
    await make_template(hr, title="Support agent")

    by_name = await client.get("/api/templates", params={"search": "berlin q1"}, headers=hr.headers)
    by_title = await client.get("/api/templates", params={"search": "software"}, headers=hr.headers)
    wildcard = await client.get("/api/templates", params={"search": "%"}, headers=hr.headers)

    assert [(t["id"], t["internalName"], t["title"]) for t in by_name.json()["items"]] == [
        (named.template_id, "SWE Berlin Q1 — batch 2", "Software Engineer")
    ]
    assert [t["id"] for t in by_title.json()["items"]] == [named.template_id]
    assert wildcard.json()["items"] == []
    # The internal name changes on a published template; the job title does not.
    renamed = await client.put(
        f"/api/templates/{named.template_id}", json={"internalName": "SWE Berlin Q2"}, headers=hr.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["internalName"] == "SWE Berlin Q2"
    retitled = await client.put(f"/api/templates/{named.template_id}", json={"title": "Engineer"}, headers=hr.headers)
    assert retitled.status_code == 422
    cleared = await client.put(f"/api/templates/{named.template_id}", json={"internalName": ""}, headers=hr.headers)
    assert "internalName" not in cleared.json()


async def test_an_internal_name_longer_than_200_characters_is_refused_with_the_field_named(client, hr) -> None:
    refused = await client.post(
        "/api/templates",
        json={"title": "Engineer", "description": "A role", "internalName": "x" * 201},
        headers=hr.headers,
    )

    assert refused.status_code == 422
    assert "internalName" in str(refused.json()["details"])


async def test_candidates_never_see_the_internal_name(
    client, hr, candidate, make_template, make_invitation, new_events
) -> None:
    template = await make_template(hr, title="Software Engineer", internalName="SWE Berlin Q1 — batch 2")
    interview = await make_invitation(hr, candidate, interview=template)

    views = [
        (
            await client.get(
                f"/api/invitations/{interview.invitation_id}",
                params={"includeTemplate": "true"},
                headers=candidate.headers,
            )
        ).text,
        (await client.post(f"/api/invitations/{interview.invitation_id}/briefing", headers=candidate.headers)).text,
        (await client.get("/api/invitations/candidate", headers=candidate.headers)).text,
        str([e.payload for e in await new_events() if e.event_type.startswith("invitation.")]),
    ]

    assert all("Software Engineer" in view for view in views)
    assert not any("Berlin" in view for view in views)
    hr_list = (await client.get("/api/invitations/hr", headers=hr.headers)).json()["items"]
    assert hr_list[0]["templateInternalName"] == "SWE Berlin Q1 — batch 2"
    assert (await client.get(f"/api/templates/{template.template_id}", headers=candidate.headers)).status_code == 403


async def test_a_candidate_invited_before_a_retitle_keeps_the_job_title_they_were_sent(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)
    await client.post(f"/api/templates/{interview.template_id}/revise", headers=hr.headers)
    retitled = await client.put(
        f"/api/templates/{interview.template_id}", json={"title": "Staff engineer"}, headers=hr.headers
    )
    assert retitled.status_code == 200, retitled.text
    await client.put(f"/api/templates/{interview.template_id}/publish", headers=hr.headers)

    listed = (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()["items"]

    assert [i["templateTitle"] for i in listed] == ["Backend engineer"]
    assert "templateVersion" not in listed[0]
    history = (await client.get(f"/api/templates/{interview.template_id}/versions", headers=hr.headers)).json()
    assert history["versions"][0]["detailsChanged"] is True


async def test_the_csv_export_has_a_rating_column_for_every_question_any_version_asked_and_each_row_its_version(
    client, hr, candidate, other_candidate, make_invitation, clock
) -> None:
    first = await make_invitation(hr, candidate, start=True)
    text_id, choice_id = first.question_ids
    for question_id, answer in ((text_id, "We added a canary stage."), (choice_id, "PUT")):
        answered = await client.post(
            f"/api/invitations/{first.invitation_id}/responses",
            json={"questionId": question_id, "textAnswer": answer},
            headers=candidate.headers,
        )
        assert answered.status_code == 201, answered.text
    assert (await client.post(f"/api/invitations/{first.invitation_id}/complete", headers=candidate.headers)).is_success
    # Version 2 rewords the first question, drops the choice and adds a question in second place.
    new_id = await revise_and_change(client, hr, first.template_id, first.question_ids)
    second = (await invite(client, clock, hr, other_candidate, first.template_id)).json()["id"]
    await accept_notice(client, second, other_candidate)
    assert (await client.post(f"/api/invitations/{second}/start", headers=other_candidate.headers)).is_success
    for question_id in (text_id, new_id):
        answered = await client.post(
            f"/api/invitations/{second}/responses",
            json={"questionId": question_id, "textAnswer": "A token bucket per client."},
            headers=other_candidate.headers,
        )
        assert answered.status_code == 201, answered.text
    assert (await client.post(f"/api/invitations/{second}/complete", headers=other_candidate.headers)).is_success
    rated = ((first.invitation_id, {text_id: 5, choice_id: 3}), (second, {text_id: 4, new_id: 2}))
    for invitation_id, ratings in rated:
        saved = await client.put(f"/api/reviews/{invitation_id}/mine", json={"ratings": ratings}, headers=hr.headers)
        assert saved.status_code == 200, saved.text
        assert (await client.post(f"/api/reviews/{invitation_id}/mine/submit", headers=hr.headers)).is_success

    exported = await client.get(f"/api/reviews/templates/{first.template_id}/export.csv", headers=hr.headers)

    assert exported.status_code == 200, exported.text
    header, *rows = csv.reader(io.StringIO(exported.text))
    # Version 1's questions first (the choice, since removed, keeps its ratings), then what version 2 added.
    start = header.index("template_version")
    assert header[start : start + 5] == ["template_version", "rating_q1", "rating_q2", "rating_q3", "team_rating"]
    # Both completed at the clock's one moment: compared by version.
    assert sorted(row[start : start + 4] for row in rows) == [["1", "5", "3", ""], ["2", "4", "", "2"]]

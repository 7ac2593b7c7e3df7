"""Invitations through the HTTP API: the state machine and timing rules, responses,
decisions, listings and who may see what."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import event, update
from sqlalchemy.orm.exc import StaleDataError

from interviews import api, worker
from interviews.commands import load_invitation
from interviews.domain import Invitation, InvitationNotFound
from interviews.main import create_app
from interviews.settings import Settings
from kit.testing import INTERNAL_TOKEN, threaded_calls

from .conftest import accept_notice


async def answer_all(client, candidate, interview) -> None:
    text_id, mc_id = interview.question_ids
    base = f"/api/invitations/{interview.invitation_id}/responses"
    text = await client.post(
        base,
        json={
            "questionId": text_id,
            "questionIndex": 0,
            "questionText": "ignored",
            "responseType": "text",
            "textAnswer": "We rolled back and added a canary stage.",
            "duration": 95.4,
        },
        headers=candidate.headers,
    )
    # The reference's web sends the chosen option's text as textAnswer.
    mc = await client.post(
        base,
        json={
            "questionId": mc_id,
            "questionIndex": 1,
            "questionText": "q",
            "responseType": "text",
            "textAnswer": "PUT",
            "duration": 12,
        },
        headers=candidate.headers,
    )
    assert (text.status_code, mc.status_code) == (201, 201), (text.text, mc.text)


async def get(client, user, interview, **params):
    response = await client.get(f"/api/invitations/{interview.invitation_id}", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_whole_journey_from_invitation_to_decision(
    client, hr, candidate, make_invitation, new_events, clock
) -> None:
    interview = await make_invitation(
        hr,
        candidate,
        candidateEmail="cand@example.com",
        candidateName="Cand Idate",
        hrEmail="hr@example.com",
        hrName="H R",
        allowPause=False,
    )
    pending = await get(client, candidate, interview)
    assert (pending["status"], pending["progress"]) == ("pending", {"answered": 0, "total": 2, "percentage": 0})
    assert pending["allowPause"] is False

    clock.advance(minutes=5)
    await accept_notice(client, interview.invitation_id, candidate)
    assert (
        await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)
    ).json() == {"success": True}
    await answer_all(client, candidate, interview)
    clock.advance(minutes=10)
    completed = await client.post(
        f"/api/invitations/{interview.invitation_id}/complete", json={"reason": "manual"}, headers=candidate.headers
    )
    approved = await client.post(
        f"/api/invitations/{interview.invitation_id}/approve", json={"note": "Strong answers"}, headers=hr.headers
    )

    assert completed.json() == {"success": True}
    assert approved.json() == {"success": True}
    seen = await get(client, candidate, interview)
    assert seen["status"] == "completed"
    assert seen["completedReason"] == "manual"
    assert seen["progress"] == {"answered": 2, "total": 2, "percentage": 100}
    # The note is HR's own; the candidate sees the decision (the template's default) without it.
    assert (seen["decision"], seen.get("decisionNote")) == ("approved", None)
    assert (await get(client, hr, interview))["decisionNote"] == "Strong answers"
    text, mc = seen["responses"]
    assert (text["questionText"], text["duration"]) == ("Describe a production incident you handled.", 95)
    assert (mc["textAnswer"], mc["questionIndex"]) == ("PUT", 1)
    listed = (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()
    assert [(i["id"], i["decision"], i["templateTitle"]) for i in listed["items"]] == [
        (interview.invitation_id, "approved", "Backend engineer")
    ]

    rows = await new_events()
    invitation_rows = [r for r in rows if r.key == interview.invitation_id]
    assert [r.event_type for r in invitation_rows] == [
        "invitation.created",
        "invitation.opened",
        "invitation.started",
        "invitation.response.submitted",
        "invitation.response.submitted",
        "invitation.completed",
        "candidate.approved",
    ]
    created = invitation_rows[0].payload["payload"]
    assert (created["candidateEmail"], created["hrEmail"], created["companyId"]) == (
        "cand@example.com",
        "hr@example.com",
        hr.id,
    )
    snapshot = invitation_rows[5].payload["payload"]
    assert snapshot["companyId"] == hr.id
    assert (snapshot["hrEmail"], snapshot["candidateName"], snapshot["responseCount"]) == (
        "hr@example.com",
        "Cand Idate",
        2,
    )
    assert snapshot["templateTitle"] == "Backend engineer"
    assert snapshot["language"] == "en"
    mc_question = snapshot["questions"][1]
    assert mc_question["orderIndex"] == 1
    assert [(o["text"], o["isCorrect"]) for o in mc_question["options"]] == [("POST", False), ("PUT", True)]
    correct = next(o["id"] for o in mc_question["options"] if o["isCorrect"])
    mc_answer = snapshot["responses"][1]
    assert (mc_answer["selectedOptionId"], mc_answer["textAnswer"]) == (correct, "PUT")
    decision = invitation_rows[6].payload["payload"]
    assert (decision["hrUserId"], decision["note"], decision["candidateEmail"]) == (
        hr.id,
        "Strong answers",
        "cand@example.com",
    )


async def test_a_multiple_choice_answer_may_name_the_option_by_id_and_must_be_one_of_the_options(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    mc_id = interview.question_ids[1]
    got = await get(client, candidate, interview, includeTemplate="true")
    options = got["questions"][1]["options"]
    base = f"/api/invitations/{interview.invitation_id}/responses"

    wrong_text = await client.post(base, json={"questionId": mc_id, "textAnswer": "DELETE"}, headers=candidate.headers)
    wrong_id = await client.post(
        base, json={"questionId": mc_id, "selectedOptionId": str(uuid.uuid4())}, headers=candidate.headers
    )
    by_id = await client.post(
        base, json={"questionId": mc_id, "selectedOptionId": options[0]["id"]}, headers=candidate.headers
    )

    assert (wrong_text.status_code, wrong_id.status_code, by_id.status_code) == (422, 422, 201)
    assert wrong_text.json()["code"] == "INVALID_ANSWER"
    stored = (await get(client, candidate, interview))["responses"]
    assert [(r["selectedOptionId"], r["textAnswer"]) for r in stored] == [(options[0]["id"], "POST")]


async def test_a_candidate_never_sees_which_option_is_correct_but_the_inviter_does(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)

    as_candidate = await get(client, candidate, interview, includeTemplate="true")
    as_hr = await get(client, hr, interview, includeTemplate="true")

    assert as_candidate["templateTitle"] == "Backend engineer"
    assert all("isCorrect" not in o for o in as_candidate["questions"][1]["options"])
    assert [o["isCorrect"] for o in as_hr["questions"][1]["options"]] == [False, True]
    assert "questions" not in await get(client, candidate, interview)


async def test_video_and_audio_answers_carry_a_media_id(
    client, hr, candidate, make_template, make_invitation, ready_media
) -> None:
    video = {"text": "Introduce yourself on camera", "type": "video", "order": 1, "timeLimit": 90, "required": True}
    audio = {**video, "type": "audio", "order": 2, "text": "Say something about yourself"}
    template = await make_template(hr, questions=[video, audio])
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    media_ids = [await ready_media(candidate, interview.invitation_id, q) for q in interview.question_ids]

    for question_id, kind, media_id in zip(interview.question_ids, ("video", "audio"), media_ids, strict=True):
        response = await client.post(
            f"/api/invitations/{interview.invitation_id}/responses",
            json={"questionId": question_id, "responseType": kind, "mediaId": media_id, "duration": 30},
            headers=candidate.headers,
        )
        assert response.status_code == 201, response.text

    stored = (await get(client, candidate, interview))["responses"]
    assert [(r["responseType"], r["mediaId"]) for r in stored] == list(zip(("video", "audio"), media_ids, strict=True))


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"textAnswer": "   "}, 422),
        ({"questionId": "not-a-uuid"}, 422),
        ({"questionId": str(uuid.UUID(int=7))}, 404),
        ({"responseType": "interpretive-dance"}, 422),
        ({"duration": -1}, 422),
        ({"textAnswer": "x" * 10_001}, 422),
        ({"rating": 5}, 422),
        ({"textAnswer": "nul \u0000 byte"}, 422),
    ],
)
async def test_a_bad_response_is_refused_and_stores_nothing(
    client, hr, candidate, make_invitation, body, status
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    full = {"questionId": interview.question_ids[0], "responseType": "text", "textAnswer": "fine", **body}

    response = await client.post(
        f"/api/invitations/{interview.invitation_id}/responses", json=full, headers=candidate.headers
    )

    assert response.status_code == status, response.text
    assert (await get(client, candidate, interview))["responses"] == []


async def test_a_question_is_answered_once(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    body = {"questionId": interview.question_ids[0], "textAnswer": "first"}
    path = f"/api/invitations/{interview.invitation_id}/responses"

    first = await client.post(path, json=body, headers=candidate.headers)
    again = await client.post(path, json={**body, "textAnswer": "second"}, headers=candidate.headers)

    assert (first.status_code, again.status_code) == (201, 409)
    assert [r["textAnswer"] for r in (await get(client, candidate, interview))["responses"]] == ["first"]


async def test_manual_completion_needs_every_answer_but_early_finish_does_not(
    client, hr, candidate, make_invitation, new_events
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    path = f"/api/invitations/{interview.invitation_id}/complete"

    manual = await client.post(path, headers=candidate.headers)
    early = await client.post(path, json={"reason": "early_finish"}, headers=candidate.headers)

    assert manual.status_code == 422
    assert manual.json()["error"] == "Cannot complete: 0/2 questions answered"
    assert early.status_code == 200
    got = await get(client, candidate, interview)
    assert (got["status"], got["completedReason"]) == ("completed", "early_finish")
    completed = [r for r in await new_events() if r.event_type == "invitation.completed"]
    assert [r.payload["payload"]["responses"] for r in completed] == [[]]


async def test_only_the_candidate_may_complete_even_with_auto_timeout(
    client, hr, candidate, other_candidate, admin, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    path = f"/api/invitations/{interview.invitation_id}/complete"

    for outsider in (other_candidate, hr, admin):
        response = await client.post(path, json={"reason": "auto_timeout"}, headers=outsider.headers)
        assert response.status_code == 403

    assert (await get(client, candidate, interview))["status"] == "in_progress"


@pytest.mark.parametrize("operation", ["start", "responses", "heartbeat", "complete"])
async def test_nobody_but_the_invited_candidate_acts_on_an_interview(
    client, hr, candidate, other_candidate, make_invitation, operation
) -> None:
    interview = await make_invitation(hr, candidate, start=operation != "start")
    body = {"questionId": interview.question_ids[0], "textAnswer": "x"} if operation == "responses" else None

    response = await client.post(
        f"/api/invitations/{interview.invitation_id}/{operation}", json=body, headers=other_candidate.headers
    )

    assert response.status_code == 403
    assert response.json()["code"] == "INVITATION_ACCESS_DENIED"


async def test_starting_after_expiry_answers_410_and_records_the_expiry(
    client, hr, candidate, make_invitation, new_events, clock
) -> None:
    interview = await make_invitation(hr, candidate)
    clock.advance(days=8)

    response = await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)

    assert response.status_code == 410
    assert response.json()["code"] == "INVITATION_EXPIRED"
    assert (await get(client, candidate, interview))["status"] == "expired"
    expired = (await new_events())[-1]
    assert expired.event_type == "invitation.expired"
    assert expired.payload["payload"]["previousStatus"] == "pending"


async def test_answering_after_expiry_answers_410_and_records_the_expiry(
    client, hr, candidate, make_invitation, clock
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    clock.advance(days=8)

    response = await client.post(
        f"/api/invitations/{interview.invitation_id}/responses",
        json={"questionId": interview.question_ids[0], "textAnswer": "late"},
        headers=candidate.headers,
    )

    assert response.status_code == 410
    got = await get(client, candidate, interview)
    assert (got["status"], got["responses"]) == ("expired", [])


async def test_a_completed_interview_never_becomes_expired(client, hr, candidate, make_invitation, clock) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    await answer_all(client, candidate, interview)
    await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
    clock.advance(days=30)

    start = await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)

    # The reference flipped a completed interview to expired; here its answers and decision are kept.
    assert start.status_code == 422
    assert (await get(client, candidate, interview))["status"] == "completed"


# -- the state machine: every illegal transition answers 409/422 and changes nothing -------------------------


async def _invitation_in(client, hr, candidate, make_invitation, sessions, clock, state: str):
    interview = await make_invitation(hr, candidate, start=state in ("in_progress", "completed", "decided"))
    if state in ("completed", "decided"):
        await answer_all(client, candidate, interview)
        done = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
        assert done.status_code == 200
    if state == "decided":
        rejected = await client.post(
            f"/api/invitations/{interview.invitation_id}/reject", json={"note": "Not now"}, headers=hr.headers
        )
        assert rejected.status_code == 200
    if state == "expired":
        clock.advance(days=8)
        assert await worker.expire_invitations({"sessions": sessions, "clock": clock}) >= 1
    return interview


def _respond(interview):
    return {"questionId": interview.question_ids[0], "textAnswer": "an answer"}


OPERATIONS = {
    "start": ("candidate", "start", lambda i: None),
    "respond": ("candidate", "responses", _respond),
    "complete": ("candidate", "complete", lambda i: {"reason": "early_finish"}),
    "heartbeat": ("candidate", "heartbeat", lambda i: None),
    "approve": ("hr", "approve", lambda i: {"note": "ok"}),
    "reject": ("hr", "reject", lambda i: {"note": "no"}),
}
ILLEGAL = [
    ("pending", "respond", 422),
    ("pending", "complete", 422),
    ("pending", "heartbeat", 422),
    ("pending", "approve", 422),
    ("pending", "reject", 422),
    ("in_progress", "start", 422),
    ("in_progress", "approve", 422),
    ("in_progress", "reject", 422),
    ("completed", "start", 422),
    ("completed", "respond", 422),
    ("completed", "complete", 422),
    ("completed", "heartbeat", 422),
    ("decided", "approve", 409),
    ("decided", "reject", 409),
    *[("expired", op, 422) for op in OPERATIONS],
]


@pytest.mark.parametrize(("state", "operation", "status"), ILLEGAL)
async def test_an_illegal_invitation_transition_is_refused_and_changes_nothing(
    client, hr, candidate, make_invitation, sessions, clock, new_events, state, operation, status
) -> None:
    interview = await _invitation_in(client, hr, candidate, make_invitation, sessions, clock, state)
    before = await get(client, hr, interview)
    events_before = len(await new_events())
    who, path, body = OPERATIONS[operation]
    actor = candidate if who == "candidate" else hr

    response = await client.post(
        f"/api/invitations/{interview.invitation_id}/{path}", json=body(interview), headers=actor.headers
    )

    assert response.status_code == status, response.text
    assert await get(client, hr, interview) == before
    assert len(await new_events()) == events_before


# -- decisions ---------------------------------------------------------------------------------------------


async def test_a_rejection_needs_a_note_and_stores_it_trimmed(
    client, hr, candidate, make_invitation, sessions, clock, new_events
) -> None:
    interview = await _invitation_in(client, hr, candidate, make_invitation, sessions, clock, "completed")
    path = f"/api/invitations/{interview.invitation_id}/reject"

    blank = await client.post(path, json={"note": "   "}, headers=hr.headers)
    missing = await client.post(path, json={}, headers=hr.headers)
    rejected = await client.post(path, json={"note": "  Not a fit  "}, headers=hr.headers)

    assert (blank.status_code, missing.status_code, rejected.status_code) == (422, 422, 200)
    got = await get(client, hr, interview)
    assert (got["decision"], got["decisionNote"]) == ("rejected", "Not a fit")
    event = (await new_events())[-1]
    assert (event.event_type, event.payload["payload"]["note"]) == ("candidate.rejected", "  Not a fit  ")


async def test_only_the_inviter_or_an_admin_decides(
    client, hr, other_hr, admin, candidate, make_invitation, sessions, clock, new_events
) -> None:
    interview = await _invitation_in(client, hr, candidate, make_invitation, sessions, clock, "completed")
    path = f"/api/invitations/{interview.invitation_id}/approve"

    for outsider in (other_hr, candidate):
        assert (await client.post(path, headers=outsider.headers)).status_code == 403
    by_admin = await client.post(path, headers=admin.headers)

    assert by_admin.status_code == 200
    event = (await new_events())[-1]
    assert (event.event_type, event.payload["payload"]["hrUserId"]) == ("candidate.approved", admin.id)
    assert event.payload["payload"]["note"] is None


# -- creation ----------------------------------------------------------------------------------------------


async def test_an_invitation_is_refused_for_a_template_that_is_not_active(
    client, hr, candidate, make_template, clock
) -> None:
    draft = await make_template(hr, publish=False)
    archived = await make_template(hr)
    await client.delete(f"/api/templates/{archived.template_id}", headers=hr.headers)

    for template in (draft, archived):
        response = await client.post(
            "/api/invitations",
            json={
                "templateId": template.template_id,
                "candidateId": candidate.id,
                "companyName": "Acme",
                "expiresAt": (clock.now + timedelta(days=1)).isoformat(),
            },
            headers=hr.headers,
        )
        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_INVITATION_DATA"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"expiresAt": "2030-01-15T08:00:00Z"}, 400),
        ({"candidateId": "bob"}, 422),
        ({"companyName": "   "}, 422),
        ({"expiresAt": "next tuesday"}, 422),
        ({"templateId": str(uuid.UUID(int=1))}, 404),
        ({"hrUserId": "someone-else"}, 422),
    ],
)
async def test_a_bad_invitation_is_refused(client, hr, candidate, make_template, clock, change, status) -> None:
    template = await make_template(hr)
    body = {
        "templateId": template.template_id,
        "candidateId": candidate.id,
        "companyName": "Acme",
        "expiresAt": (clock.now + timedelta(days=1)).isoformat(),
        **change,
    }

    response = await client.post("/api/invitations", json=body, headers=hr.headers)

    assert response.status_code == status, response.text


async def test_pause_and_timer_default_to_the_template_settings(
    client, hr, candidate, other_candidate, make_template, make_invitation
) -> None:
    template = await make_template(hr, settings={"allowPause": False, "showTimer": False})
    defaulted = await make_invitation(hr, candidate, interview=template)
    overridden = await make_invitation(hr, other_candidate, interview=template, allowPause=True)

    first = await get(client, hr, defaulted)
    second = await get(client, hr, overridden)

    assert (first["allowPause"], first["showTimer"]) == (False, False)
    assert (second["allowPause"], second["showTimer"]) == (True, False)


async def test_a_candidate_is_invited_to_a_template_once(client, hr, candidate, make_template, make_invitation) -> None:
    template = await make_template(hr)
    await make_invitation(hr, candidate, interview=template)

    again = await client.post(
        "/api/invitations",
        json={
            "templateId": template.template_id,
            "candidateId": candidate.id,
            "companyName": "Acme",
            "expiresAt": "2031-01-01T00:00:00Z",
        },
        headers=hr.headers,
    )

    assert again.status_code == 409
    assert again.json()["code"] == "DUPLICATE_INVITATION"


async def test_only_the_owner_of_a_template_or_an_admin_invites_to_it(
    client, hr, other_hr, admin, candidate, make_template
) -> None:
    template = await make_template(hr)
    body = {
        "templateId": template.template_id,
        "candidateId": candidate.id,
        "companyName": "Acme",
        "expiresAt": "2031-01-01T00:00:00Z",
    }

    by_other = await client.post("/api/invitations", json=body, headers=other_hr.headers)
    by_candidate = await client.post("/api/invitations", json=body, headers=candidate.headers)
    by_admin = await client.post("/api/invitations", json=body, headers=admin.headers)

    assert (by_other.status_code, by_candidate.status_code, by_admin.status_code) == (403, 403, 201)


# -- reading ----------------------------------------------------------------------------------------------


async def test_an_invitation_is_visible_to_its_candidate_its_inviter_and_admins_only(
    client, hr, other_hr, admin, candidate, other_candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)
    path = f"/api/invitations/{interview.invitation_id}"

    statuses = [(await client.get(path, headers=u.headers)).status_code for u in (candidate, hr, admin)]
    refused = [(await client.get(path, headers=u.headers)).status_code for u in (other_candidate, other_hr)]

    assert statuses == [200, 200, 200]
    assert refused == [403, 403]
    assert (await client.get(f"/api/invitations/{uuid.uuid4()}", headers=admin.headers)).status_code == 404


async def test_listings_show_each_user_only_their_own_invitations(
    client, hr, other_hr, admin, candidate, other_candidate, make_template, make_invitation
) -> None:
    first = await make_template(hr)
    second = await make_template(hr)
    a = await make_invitation(hr, candidate, interview=first, start=True)
    b = await make_invitation(hr, other_candidate, interview=first)
    c = await make_invitation(hr, candidate, interview=second)
    d = await make_invitation(other_hr, candidate)

    mine = (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()
    started = (await client.get("/api/invitations/candidate?status=in_progress", headers=candidate.headers)).json()
    hr_all = (await client.get("/api/invitations/hr", headers=hr.headers)).json()
    hr_first = (
        await client.get(
            "/api/invitations/hr", params={"templateId": first.template_id, "limit": 1}, headers=hr.headers
        )
    ).json()
    as_candidate = await client.get("/api/invitations/hr", headers=candidate.headers)
    as_admin = (await client.get("/api/invitations/hr?limit=1000", headers=admin.headers)).json()

    assert {i["id"] for i in mine["items"]} == {a.invitation_id, c.invitation_id, d.invitation_id}
    assert [i["id"] for i in started["items"]] == [a.invitation_id]
    assert {i["id"] for i in hr_all["items"]} == {a.invitation_id, b.invitation_id, c.invitation_id}
    assert (hr_first["total"], hr_first["totalPages"], len(hr_first["items"])) == (2, 2, 1)
    assert as_candidate.status_code == 403
    assert {a.invitation_id, d.invitation_id} <= {i["id"] for i in as_admin["items"]}
    item = next(i for i in mine["items"] if i["id"] == a.invitation_id)
    assert item["progress"] == {"answered": 0, "total": 2, "percentage": 0}
    assert item["status"] == "in_progress"


async def test_a_listed_invitation_carries_the_fields_it_has_and_none_it_lacks_for_hr_and_for_its_candidate(
    client, hr, candidate, make_template, make_invitation
) -> None:
    started = await make_invitation(hr, candidate, interview=await make_template(hr), start=True)

    by_hr = (await client.get("/api/invitations/hr", headers=hr.headers)).json()["items"]
    by_candidate = (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()["items"]

    shared = {
        "id",
        "templateId",
        "templateTitle",
        "candidateId",
        "companyName",
        "status",
        "allowPause",
        "expiresAt",
        "progress",
        "createdAt",
    }
    (hr_item,) = [i for i in by_hr if i["id"] == started.invitation_id]
    (candidate_item,) = [i for i in by_candidate if i["id"] == started.invitation_id]
    assert set(hr_item) - {"candidateName", "candidateEmail"} == shared | {"templateVersion"}
    assert set(candidate_item) - {"candidateName", "candidateEmail"} == shared
    assert hr_item["progress"] == candidate_item["progress"] == {"answered": 0, "total": 2, "percentage": 0}
    assert {k: v for k, v in hr_item.items() if k in shared} == {k: v for k, v in candidate_item.items() if k in shared}


async def test_a_page_past_the_end_of_a_listing_is_empty_and_still_counts_every_invitation(
    client, hr, candidate, other_candidate, make_invitation
) -> None:
    await make_invitation(hr, candidate)
    await make_invitation(hr, other_candidate)

    hr_past = (await client.get("/api/invitations/hr", params={"page": 3, "limit": 1}, headers=hr.headers)).json()
    pending_past = (
        await client.get("/api/invitations/hr", params={"status": "pending", "page": 2, "limit": 5}, headers=hr.headers)
    ).json()
    candidate_past = (
        await client.get("/api/invitations/candidate", params={"page": 2, "limit": 1}, headers=candidate.headers)
    ).json()

    assert (hr_past["items"], hr_past["total"], hr_past["page"], hr_past["totalPages"]) == ([], 2, 3, 2)
    assert (pending_past["items"], pending_past["total"]) == ([], 2)
    assert (candidate_past["items"], candidate_past["total"]) == ([], 1)


async def test_a_malformed_invitation_id_or_query_is_a_422_not_a_500(client, hr) -> None:
    for path in (
        "/api/invitations/42",
        "/api/invitations/hr?templateId=abc",
        "/api/invitations/hr?status=lost",
        "/api/invitations/candidate?page=0",
        "/api/invitations/candidate?limit=1001",
    ):
        response = await client.get(path, headers={**hr.headers, "x-internal-token": INTERNAL_TOKEN})
        assert response.status_code == 422, path


async def test_hr_cancels_a_pending_invitation_which_then_cannot_be_started_and_is_listed_as_cancelled(
    client, hr, candidate, make_invitation, new_events, clock
) -> None:
    interview = await make_invitation(hr, candidate, candidateEmail="cand@example.com", candidateName="Cand Idate")
    base = f"/api/invitations/{interview.invitation_id}"

    cancelled = await client.post(f"{base}/cancel", headers=hr.headers)
    started = await client.post(f"{base}/start", headers=candidate.headers)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"success": True}
    assert started.status_code == 409
    assert started.json()["code"] == "INVALID_INVITATION_STATE"
    got = await get(client, candidate, interview)
    assert (got["status"], got["cancelledAt"]) == ("cancelled", clock.now.isoformat().replace("+00:00", "Z"))
    listed = (await client.get("/api/invitations/hr", params={"status": "cancelled"}, headers=hr.headers)).json()
    assert [i["id"] for i in listed["items"]] == [interview.invitation_id]
    assert (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()["items"][0][
        "status"
    ] == "cancelled"
    (event,) = [r.payload for r in await new_events() if r.payload["eventType"] == "invitation.cancelled"]
    assert event["payload"] == {
        "invitationId": interview.invitation_id,
        "companyId": hr.id,
        "candidateId": candidate.id,
        "cancelledAt": clock.now.isoformat().replace("+00:00", "Z"),
        "candidateEmail": "cand@example.com",
        "candidateName": "Cand Idate",
        "templateTitle": "Backend engineer",
    }


async def test_only_a_pending_invitation_can_be_cancelled(client, hr, candidate, make_invitation, new_events) -> None:
    started = await make_invitation(hr, candidate, start=True)
    pending = await make_invitation(hr, candidate)
    first = await client.post(f"/api/invitations/{pending.invitation_id}/cancel", headers=hr.headers)
    assert first.status_code == 200

    again = await client.post(f"/api/invitations/{pending.invitation_id}/cancel", headers=hr.headers)
    under_way = await client.post(f"/api/invitations/{started.invitation_id}/cancel", headers=hr.headers)

    assert [(r.status_code, r.json()["code"]) for r in (again, under_way)] == [(409, "INVALID_INVITATION_STATE")] * 2
    assert (await get(client, hr, started))["status"] == "in_progress"
    assert [r.payload["eventType"] for r in await new_events()].count("invitation.cancelled") == 1


async def test_only_the_inviter_or_an_admin_cancels_an_invitation(
    client, hr, other_hr, admin, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)
    path = f"/api/invitations/{interview.invitation_id}/cancel"

    by_other_hr = await client.post(path, headers=other_hr.headers)
    by_candidate = await client.post(path, headers=candidate.headers)
    unknown = await client.post(f"/api/invitations/{uuid.uuid4()}/cancel", headers=hr.headers)
    by_admin = await client.post(path, headers=admin.headers)

    assert [r.status_code for r in (by_other_hr, by_candidate, unknown, by_admin)] == [403, 403, 404, 200]
    assert by_other_hr.json()["code"] == "INVITATION_ACCESS_DENIED"
    assert (await get(client, hr, interview))["status"] == "cancelled"


async def test_a_bad_hr_list_query_is_a_422_naming_each_bad_parameter_in_the_query(client, hr) -> None:
    answer = await client.get(
        "/api/invitations/hr?status=lost&templateId=1&page=-1&limit=0&unknown=x", headers=hr.headers
    )

    body = answer.json()
    assert (answer.status_code, body["code"]) == (422, "VALIDATION_ERROR")
    assert [(d["field"], d["location"], d["type"]) for d in body["details"]] == [
        ("status", "query", "enum"),
        ("templateId", "query", "uuid_parsing"),
        ("page", "query", "greater_than_equal"),
        ("limit", "query", "greater_than_equal"),
    ]
    assert body["details"][0]["message"] == (
        "Input should be 'pending', 'in_progress', 'completed', 'expired' or 'cancelled'"
    )


async def test_the_hr_list_takes_the_last_of_a_repeated_parameter_and_ignores_unknown_and_snake_case_ones(
    client, hr, candidate, other_candidate, make_invitation
) -> None:
    await make_invitation(hr, candidate)
    await make_invitation(hr, other_candidate)

    page = (
        await client.get("/api/invitations/hr?limit=5&limit=1&template_id=zzz&colour=red", headers=hr.headers)
    ).json()

    assert (page["limit"], page["total"], len(page["items"])) == (1, 2, 1)


def test_the_hr_list_reads_its_query_parameters_in_one_validation_not_fastapis_one_by_one() -> None:
    route = next(r for r in api.invitations.routes if isinstance(r, APIRoute) and r.path == "/invitations/hr")

    assert route.dependant.query_params == []


async def test_the_api_document_lists_the_hr_list_query_parameters_as_fastapi_declared_them(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/api/invitations/hr"]["get"]

    def optional(schema, title):
        return {"anyOf": [schema, {"type": "null"}], "title": title}

    assert operation["parameters"] == [
        {"name": "status", "in": "query", "required": False,
         "schema": optional({"$ref": "#/components/schemas/InvitationStatus"}, "Status")},
        {"name": "templateId", "in": "query", "required": False,
         "schema": optional({"type": "string", "format": "uuid"}, "Templateid")},
        {"name": "page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1, "title": "Page"}},
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10, "title": "Limit"}},
    ]  # fmt: skip
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    assert "InvitationStatus" in spec["components"]["schemas"]


def test_no_route_hands_its_endpoint_or_a_dependency_to_the_thread_pool(settings: Settings) -> None:
    # A plain `def` dependency (the answer's allowances were one) costs a thread hand-off on every request.
    assert threaded_calls(create_app(settings)) == []


async def test_the_steps_before_the_first_answer_read_neither_answers_nor_openings(
    client, hr, candidate, make_invitation, engine
) -> None:
    interview = await make_invitation(hr, candidate)
    base = f"/api/invitations/{interview.invitation_id}"
    read: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        read.extend(t for t in ("FROM responses", "FROM question_openings") if t in statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await accept_notice(client, interview.invitation_id, candidate)
        started = await client.post(f"{base}/start", headers=candidate.headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert started.status_code == 200, started.text
    assert read == []
    # An answer still sees the invitation's answers and openings.
    opened = await client.post(f"{base}/questions/{interview.question_ids[0]}/open", headers=candidate.headers)
    assert opened.status_code == 200, opened.text
    answer = {"questionId": interview.question_ids[0], "questionIndex": 0, "responseType": "text",
              "textAnswer": "An answer.", "duration": 30}  # fmt: skip
    assert (await client.post(f"{base}/responses", json=answer, headers=candidate.headers)).status_code == 201
    again = await client.post(f"{base}/responses", json=answer, headers=candidate.headers)
    assert again.status_code == 409, again.text


async def test_an_answer_and_the_completion_read_the_answers_and_openings_in_one_statement(
    client, hr, candidate, make_invitation, engine, new_events, clock
) -> None:
    interview = await make_invitation(hr, candidate)
    base = f"/api/invitations/{interview.invitation_id}"
    await accept_notice(client, interview.invitation_id, candidate)
    assert (await client.post(f"{base}/start", headers=candidate.headers)).status_code == 200
    first, second = interview.question_ids  # a text question, a multiple choice
    opened = await client.post(f"{base}/questions/{first}/open", headers=candidate.headers)
    assert opened.status_code == 200, opened.text
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        # The test's transaction wraps each request's in a savepoint, which the service does not send.
        if "SAVEPOINT" not in statement:
            statements.append(statement)

    async def counted(path: str, **kw: object) -> int:
        clock.advance(seconds=5)  # the invitation's activity moves, so it is updated as in real life
        statements.clear()
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            response = await client.post(f"{base}{path}", headers=candidate.headers, **kw)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert response.status_code in (200, 201), response.text
        return len(statements)

    answer = {"responseType": "text", "textAnswer": "An answer.", "duration": 30}
    # The locked invitation with its template and version, the answers with the openings, the invitation's
    # UPDATE, the response's INSERT and the outbox's.
    choice = {**answer, "questionId": second, "questionIndex": 1, "textAnswer": "PUT"}
    assert await counted("/responses", json=choice) == 5
    assert sum("FROM responses" in s or "FROM question_openings" in s for s in statements) == 1
    assert await counted("/responses", json={**answer, "questionId": first, "questionIndex": 0}) == 5
    # The opened and answered question is seen as both: no retake is allowed.
    again = await client.post(f"{base}/questions/{first}/open", headers=candidate.headers)
    assert again.status_code == 409, again.text
    # The invitation, the answers with the openings, its UPDATE and the outbox's INSERT.
    assert await counted("/complete", json={"reason": "manual"}) == 4

    completed = [r for r in await new_events() if r.event_type == "invitation.completed"]
    assert [r["questionId"] for r in completed[0].payload["payload"]["responses"]] == [first, second]


async def test_an_invitation_read_earlier_in_the_transaction_and_changed_since_is_refused_when_locked(
    hr, candidate, make_invitation, sessions
) -> None:
    interview = await make_invitation(hr, candidate)
    invitation_id = uuid.UUID(interview.invitation_id)
    async with sessions() as session, session.begin():
        held = await session.get(Invitation, invitation_id)
        assert held is not None
        # Another transaction's change, as the locked read finds it (the session's copy is not told).
        await session.execute(
            update(Invitation.__table__)
            .where(Invitation.__table__.c.id == invitation_id)
            .values(version=Invitation.__table__.c.version + 1)
        )
        with pytest.raises(StaleDataError):
            await load_invitation(session, invitation_id)
        await session.rollback()


async def test_a_step_finds_its_invitation_locked_with_its_template_and_pinned_version(
    hr, candidate, make_invitation, sessions
) -> None:
    interview = await make_invitation(hr, candidate)
    async with sessions() as session, session.begin():
        invitation = await load_invitation(session, uuid.UUID(interview.invitation_id), answers=False)
        assert str(invitation.template.id) == interview.template_id
        assert invitation.template_version is not None
        assert invitation.template_version.template_id == invitation.template.id
        with pytest.raises(InvitationNotFound):
            await load_invitation(session, uuid.uuid4())
        await session.rollback()

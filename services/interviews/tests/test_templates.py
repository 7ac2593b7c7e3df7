"""Templates through the HTTP API: the draft → active → archived machine, questions,
settings and ownership."""

from __future__ import annotations

import uuid

import pytest

from kit.contracts import interviews as contract
from kit.testing import INTERNAL_TOKEN

TEXT = {
    "text": "Describe a production incident you handled.",
    "type": "text",
    "order": 1,
    "timeLimit": 120,
    "required": True,
    "hints": "Situation, action, result",
}
MC = {
    "text": "Which HTTP method is idempotent?",
    "type": "multiple_choice",
    "order": 2,
    "timeLimit": 60,
    "required": True,
    "options": [{"text": "POST", "isCorrect": False}, {"text": "PUT", "isCorrect": True}],
}


async def test_hr_builds_a_template_with_text_and_multiple_choice_questions_and_publishes_it(
    client, hr, make_template, new_events
) -> None:
    interview = await make_template(hr, settings={"totalTimeLimit": 45, "showTimer": False, "allowPause": False})

    got = await client.get(f"/api/templates/{interview.template_id}", headers=hr.headers)

    assert got.status_code == 200
    body = got.json()
    assert body["status"] == "active"
    assert body["createdBy"] == hr.id
    assert body["settings"] == {"totalTimeLimit": 45, "showTimer": False, "allowPause": False}
    assert body["questionsCount"] == 2
    text, mc = body["questions"]
    assert (text["order"], text["type"], text["timeLimit"]) == (1, "text", 120)
    assert text["hints"] == "Situation, action, result"
    assert "options" not in text
    assert mc["type"] == "multiple_choice"
    assert [(o["text"], o["isCorrect"]) for o in mc["options"]] == [("POST", False), ("PUT", True)]
    assert all(uuid.UUID(o["id"]) for o in mc["options"])
    assert [e.event_type for e in await new_events()] == [
        "template.created",
        "template.question.added",
        "template.question.added",
        "template.published",
    ]
    published = (await new_events())[-1]
    assert published.topic == contract.TOPIC == "interview-events"
    assert published.key == interview.template_id
    assert published.payload["payload"]["questionsCount"] == 2
    assert published.payload["source"] == "interviews"


async def test_a_template_created_without_settings_gets_the_reference_defaults(client, hr) -> None:
    created = await client.post("/api/templates", json={"title": "T", "description": "D"}, headers=hr.headers)

    got = await client.get(f"/api/templates/{created.json()['id']}", headers=hr.headers)

    assert got.json()["settings"] == {
        "totalTimeLimit": 60,
        "allowRetakes": False,
        "showTimer": True,
        "randomizeQuestions": False,
    }
    assert got.json()["questions"] == []


async def test_settings_and_title_of_a_draft_can_be_changed_and_the_settings_are_replaced_as_sent(
    client, hr, make_template, new_events
) -> None:
    interview = await make_template(hr, publish=False)
    path = f"/api/templates/{interview.template_id}"
    before = (await client.get(path, headers=hr.headers)).json()

    updated = await client.put(
        path,
        json={"title": "Senior backend engineer", "settings": {"randomizeQuestions": True, "allowRetakes": True}},
        headers=hr.headers,
    )

    assert updated.status_code == 200
    # The reply is built after COMMIT: it carries the version the update was committed with.
    assert (
        updated.json()["version"]
        == before["version"] + 1
        == (await client.get(path, headers=hr.headers)).json()["version"]
    )
    assert updated.json()["title"] == "Senior backend engineer"
    assert updated.json()["description"] == "Async Python role"
    assert updated.json()["settings"] == {"randomizeQuestions": True, "allowRetakes": True}
    assert (await new_events())[-1].event_type == "template.updated"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "description": "D"}, "title"),
        ({"title": "x" * 201, "description": "D"}, "title"),
        ({"title": "T"}, "description"),
        ({"title": "T", "description": "D", "settings": {"totalTimeLimit": 0}}, "settings.totalTimeLimit"),
        ({"title": "T", "description": "D", "settings": {"totalTimeLimit": 481}}, "settings.totalTimeLimit"),
        ({"title": "T", "description": "D", "settings": {"shuffle": True}}, "settings.shuffle"),
        ({"title": "T", "description": "D", "owner": "someone"}, "owner"),
        ({"title": 5, "description": "D"}, "title"),
        ({"title": "T", "description": "nul \u0000 byte"}, "description"),
    ],
)
async def test_an_invalid_template_body_is_refused_with_the_field_named(client, hr, body, field) -> None:
    response = await client.post("/api/templates", json=body, headers=hr.headers)

    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["details"]]


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ({"options": [{"text": "only one", "isCorrect": True}]}, 422),
        ({"options": [{"text": f"o{i}", "isCorrect": i == 0} for i in range(11)]}, 422),
        ({"options": [{"text": "a", "isCorrect": False}, {"text": "b", "isCorrect": False}]}, 400),
        ({"options": None}, 400),
        ({"type": "text"}, 400),
        ({"text": "too short"}, 422),
        ({"timeLimit": 29}, 422),
        ({"timeLimit": 601}, 422),
        ({"order": 0}, 422),
        ({"hints": "h" * 201}, 422),
        ({"type": "essay"}, 422),
    ],
)
async def test_a_question_that_breaks_a_rule_is_refused_and_not_added(
    client, hr, make_template, question, status
) -> None:
    interview = await make_template(hr, questions=[], publish=False)
    body = {**MC, "order": 1, **question}

    response = await client.post(f"/api/templates/{interview.template_id}/questions", json=body, headers=hr.headers)

    assert response.status_code == status, response.text
    listed = await client.get(f"/api/templates/{interview.template_id}/questions", headers=hr.headers)
    assert listed.json() == {"questions": []}


async def test_video_and_audio_questions_take_no_options(client, hr, make_template) -> None:
    interview = await make_template(hr, questions=[], publish=False)
    for order, kind in enumerate(("video", "audio"), start=1):
        body = {
            "text": "Introduce yourself on camera",
            "type": kind,
            "order": order,
            "timeLimit": 90,
            "required": False,
        }
        added = await client.post(f"/api/templates/{interview.template_id}/questions", json=body, headers=hr.headers)
        assert added.status_code == 201

    listed = await client.get(f"/api/templates/{interview.template_id}/questions", headers=hr.headers)
    assert [(q["type"], q["required"]) for q in listed.json()["questions"]] == [("video", False), ("audio", False)]


async def test_two_questions_cannot_share_an_order(client, hr, make_template) -> None:
    interview = await make_template(hr, publish=False)

    response = await client.post(
        f"/api/templates/{interview.template_id}/questions", json={**MC, "order": 1}, headers=hr.headers
    )

    assert response.status_code == 409
    assert response.json()["code"] == "DUPLICATE_QUESTION_ORDER"


async def test_removing_a_question_renumbers_the_rest(client, hr, make_template, new_events) -> None:
    third = {**MC, "order": 3, "text": "Which status code means created?"}
    interview = await make_template(hr, questions=[TEXT, MC, third], publish=False)

    removed = await client.delete(
        f"/api/templates/{interview.template_id}/questions/{interview.question_ids[0]}", headers=hr.headers
    )

    assert removed.status_code == 204
    listed = (await client.get(f"/api/templates/{interview.template_id}/questions", headers=hr.headers)).json()
    assert [(q["id"], q["order"]) for q in listed["questions"]] == [
        (interview.question_ids[1], 1),
        (interview.question_ids[2], 2),
    ]
    assert (await new_events())[-1].event_type == "template.question.removed"


async def test_reordering_sets_the_order_of_every_question(client, hr, make_template, new_events) -> None:
    interview = await make_template(hr, publish=False)
    reversed_ids = interview.question_ids[::-1]

    reordered = await client.patch(
        f"/api/templates/{interview.template_id}/questions/reorder",
        json={"questionIds": reversed_ids},
        headers=hr.headers,
    )

    assert reordered.status_code == 204
    listed = (await client.get(f"/api/templates/{interview.template_id}/questions", headers=hr.headers)).json()
    assert [q["id"] for q in listed["questions"]] == reversed_ids
    assert [q["order"] for q in listed["questions"]] == [1, 2]
    event = (await new_events())[-1]
    assert (event.event_type, event.payload["payload"]["questionIds"]) == ("template.questions.reordered", reversed_ids)


@pytest.mark.parametrize(
    ("ids", "status"),
    [
        (lambda q: [q[0]], 400),
        (lambda q: [q[0], q[0], q[1]], 400),
        (lambda q: [*q, str(uuid.uuid4())], 404),
        (lambda q: ["not-a-uuid"], 422),
        (lambda q: [], 422),
    ],
)
async def test_a_reorder_that_does_not_list_every_question_once_changes_nothing(
    client, hr, make_template, ids, status
) -> None:
    interview = await make_template(hr, publish=False)

    response = await client.patch(
        f"/api/templates/{interview.template_id}/questions/reorder",
        json={"questionIds": ids(interview.question_ids)},
        headers=hr.headers,
    )

    assert response.status_code == status
    listed = (await client.get(f"/api/templates/{interview.template_id}/questions", headers=hr.headers)).json()
    assert [q["id"] for q in listed["questions"]] == interview.question_ids


async def test_a_question_of_a_draft_can_be_updated_and_keeps_its_options(
    client, hr, make_template, new_events
) -> None:
    interview = await make_template(hr, publish=False)
    mc_id = interview.question_ids[1]

    updated = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}",
        json={"text": "Which HTTP method is safe and idempotent?", "timeLimit": 90, "hints": "RFC 9110"},
        headers=hr.headers,
    )
    swapped = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}",
        json={"options": [{"text": "GET", "isCorrect": True}, {"text": "PATCH", "isCorrect": False}]},
        headers=hr.headers,
    )
    nulls = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}",
        json={"text": None, "order": None, "hints": None},
        headers=hr.headers,
    )
    assert (nulls.status_code, nulls.json()["text"], nulls.json().get("hints")) == (200, updated.json()["text"], None)
    to_text = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}", json={"type": "text"}, headers=hr.headers
    )

    assert updated.status_code == 200
    assert (updated.json()["timeLimit"], updated.json()["hints"]) == (90, "RFC 9110")
    assert [e.event_type for e in await new_events()][-3:] == ["template.question.updated"] * 3
    assert [o["text"] for o in updated.json()["options"]] == ["POST", "PUT"]
    assert [(o["text"], o["isCorrect"]) for o in swapped.json()["options"]] == [("GET", True), ("PATCH", False)]
    assert to_text.status_code == 200
    assert "options" not in to_text.json()  # a text question drops its options
    back_to_mc = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}",
        json={"type": "multiple_choice"},
        headers=hr.headers,
    )
    assert back_to_mc.status_code == 400  # ... and a multiple-choice one needs them
    clash = await client.patch(
        f"/api/templates/{interview.template_id}/questions/{mc_id}", json={"order": 1}, headers=hr.headers
    )
    assert clash.status_code == 409


# -- the state machine: every illegal transition answers 409/422 and changes nothing -------------------------


async def _template_in(client, hr, make_template, state: str):
    interview = await make_template(hr, publish=state != "draft")
    if state == "archived":
        assert (await client.delete(f"/api/templates/{interview.template_id}", headers=hr.headers)).status_code == 204
    return interview


OPERATIONS = {
    "update": lambda t: ("PUT", f"/api/templates/{t.template_id}", {"title": "New"}),
    "publish": lambda t: ("PUT", f"/api/templates/{t.template_id}/publish", None),
    "archive": lambda t: ("DELETE", f"/api/templates/{t.template_id}", None),
    "add question": lambda t: ("POST", f"/api/templates/{t.template_id}/questions", {**MC, "order": 9}),
    "update question": lambda t: (
        "PATCH",
        f"/api/templates/{t.template_id}/questions/{t.question_ids[0]}",
        {"timeLimit": 300},
    ),
    "remove question": lambda t: ("DELETE", f"/api/templates/{t.template_id}/questions/{t.question_ids[0]}", None),
    "reorder": lambda t: (
        "PATCH",
        f"/api/templates/{t.template_id}/questions/reorder",
        {"questionIds": t.question_ids[::-1]},
    ),
}
ILLEGAL = [
    *[("active", op) for op in OPERATIONS if op != "archive"],
    *[("archived", op) for op in OPERATIONS],
]


@pytest.mark.parametrize(("state", "operation"), ILLEGAL)
async def test_an_illegal_template_transition_is_refused_and_changes_nothing(
    client, hr, make_template, new_events, state, operation
) -> None:
    interview = await _template_in(client, hr, make_template, state)
    before = (await client.get(f"/api/templates/{interview.template_id}", headers=hr.headers)).json()
    events_before = len(await new_events())
    method, path, body = OPERATIONS[operation](interview)

    response = await client.request(method, path, json=body, headers=hr.headers)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "INVALID_TEMPLATE_STATE"
    assert f"in {state} state" in response.json()["error"]
    after = (await client.get(f"/api/templates/{interview.template_id}", headers=hr.headers)).json()
    assert after == before
    assert len(await new_events()) == events_before


async def test_a_template_without_questions_cannot_be_published(client, hr, make_template) -> None:
    interview = await make_template(hr, questions=[], publish=False)

    response = await client.put(f"/api/templates/{interview.template_id}/publish", headers=hr.headers)

    assert response.status_code == 400
    assert response.json()["error"] == "Template cannot be published: no questions"
    got = await client.get(f"/api/templates/{interview.template_id}", headers=hr.headers)
    assert got.json()["status"] == "draft"


async def test_a_draft_and_an_active_template_can_be_archived(client, hr, make_template, new_events) -> None:
    for publish in (False, True):
        interview = await make_template(hr, publish=publish)
        archived = await client.delete(f"/api/templates/{interview.template_id}", headers=hr.headers)
        assert archived.status_code == 204
        got = await client.get(f"/api/templates/{interview.template_id}", headers=hr.headers)
        assert got.json()["status"] == "archived"
    assert (await new_events())[-1].event_type == "template.deleted"


# -- ownership ------------------------------------------------------------------------------------------------


async def test_hr_lists_only_their_own_templates_and_admin_lists_all(
    client, hr, other_hr, admin, make_template
) -> None:
    mine = [await make_template(hr, publish=False) for _ in range(3)]
    theirs = await make_template(other_hr, publish=False)

    page1 = (await client.get("/api/templates?limit=2", headers=hr.headers)).json()
    page2 = (await client.get("/api/templates?limit=2&page=2", headers=hr.headers)).json()
    everything = (await client.get("/api/templates?limit=1000", headers=admin.headers)).json()
    drafts = (await client.get("/api/templates?status=active", headers=hr.headers)).json()

    assert (page1["total"], page1["page"], page1["limit"], page1["totalPages"]) == (3, 1, 2, 2)
    listed = [t["id"] for t in page1["items"] + page2["items"]]
    assert sorted(listed) == sorted(t.template_id for t in mine)
    assert {t["questionsCount"] for t in page1["items"]} == {2}
    assert {theirs.template_id, *listed} <= {t["id"] for t in everything["items"]}
    assert drafts["total"] == 0


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_another_hr_cannot_change_a_template_they_do_not_own(
    client, hr, other_hr, make_template, operation
) -> None:
    interview = await make_template(hr, publish=False)
    method, path, body = OPERATIONS[operation](interview)

    response = await client.request(method, path, json=body, headers=other_hr.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "TEMPLATE_UNAUTHORIZED"


async def test_an_admin_can_change_any_template(client, hr, admin, make_template) -> None:
    interview = await make_template(hr, publish=False)

    response = await client.put(f"/api/templates/{interview.template_id}/publish", headers=admin.headers)

    assert response.json() == {"status": "active"}


@pytest.mark.parametrize("role", ["candidate", "pending"])
async def test_candidates_and_pending_users_have_no_access_to_templates(client, hr, make_template, role) -> None:
    interview = await make_template(hr)
    outsider = {**hr.headers, "x-user-id": str(uuid.uuid4()), "x-user-role": role}

    for method, path in [
        ("GET", "/api/templates"),
        ("GET", f"/api/templates/{interview.template_id}"),
        ("GET", f"/api/templates/{interview.template_id}/questions"),
        ("POST", "/api/templates"),
    ]:
        body = {"title": "T", "description": "D"} if method == "POST" else None
        response = await client.request(method, path, json=body, headers=outsider)
        assert response.status_code == 403, (method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/templates/{unknown}"),
        ("DELETE", "/api/templates/{unknown}"),
        ("GET", "/api/invitations/hr"),
        ("POST", "/api/invitations"),
    ],
)
async def test_a_candidate_is_refused_hr_routes_for_their_role_before_anything_is_looked_up(
    client, candidate, method, path
) -> None:
    response = await client.request(method, path.format(unknown=uuid.uuid4()), headers=candidate.headers)

    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")


async def test_another_hr_cannot_read_a_template_they_do_not_own(client, hr, other_hr, make_template) -> None:
    interview = await make_template(hr)

    response = await client.get(f"/api/templates/{interview.template_id}", headers=other_hr.headers)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-user-id": "u1", "x-user-role": "admin"},
        {"x-internal-token": "forged", "x-user-id": "u1", "x-user-role": "admin"},
        {"x-internal-token": INTERNAL_TOKEN, "x-user-role": "admin"},
        {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u1", "x-user-role": "superuser"},
    ],
)
async def test_a_request_without_a_valid_internal_identity_is_refused(client, headers) -> None:
    response = await client.get("/api/templates", headers=headers)

    assert response.status_code == 401


async def test_unknown_and_malformed_template_ids_answer_404_and_422(client, hr) -> None:
    missing = await client.get(f"/api/templates/{uuid.uuid4()}", headers=hr.headers)
    malformed = await client.get("/api/templates/not-a-uuid", headers=hr.headers)

    assert missing.status_code == 404
    assert missing.json()["code"] == "TEMPLATE_NOT_FOUND"
    assert malformed.status_code == 422

"""Team review through the HTTP API: each reviewer's ratings and note, stages (bulk, and approve/reject as
stages), share links for someone without an account, the review list and the CSV export, and who may do it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from kit.testing import INTERNAL_TOKEN, Caller

from .conftest import Member, accept_notice


@pytest.fixture
def teammate() -> Member:
    return Member("hr")


@pytest.fixture
def finished(make_template, make_invitation, complete_interview, analyse, lead):
    """A completed interview of `lead`'s template by a new candidate, scored `score` by the analysis."""

    async def make(*, score: int = 70, name: str = "Cand Idate", template=None, complete: bool = True, criteria=None):
        candidate = Caller("candidate")
        template = template or await make_template(lead)
        interview = await make_invitation(lead, candidate, interview=template, start=True, candidateName=name)
        if complete:
            await complete_interview(interview, candidate)
            await analyse(interview, score=score, criteria=criteria)
        return interview

    return make


def board(interview) -> str:
    return f"/api/reviews/{interview.invitation_id}"


async def test_a_reviewer_sees_teammates_ratings_and_notes_only_after_submitting_their_own(
    client, finished, lead, teammate
) -> None:
    interview = await finished()
    first, second = interview.question_ids
    saved = await client.put(
        f"{board(interview)}/mine",
        json={"ratings": {first: 4, second: 5}, "note": "Clear incident story; ask @lead about on-call"},
        headers=teammate.headers,
    )
    assert saved.status_code == 200, saved.text
    assert (await client.post(f"{board(interview)}/mine/submit", headers=teammate.headers)).status_code == 200

    before = (await client.get(board(interview), headers=lead.headers)).json()
    assert before["others"] == [] and before["othersHidden"] == 1 and "mine" not in before

    await client.put(f"{board(interview)}/mine", json={"ratings": {first: 2}}, headers=lead.headers)
    still_draft = (await client.get(board(interview), headers=lead.headers)).json()
    assert still_draft["mine"]["ratings"] == {first: 2} and still_draft["others"] == []
    await client.post(f"{board(interview)}/mine/submit", headers=lead.headers)

    after = (await client.get(board(interview), headers=lead.headers)).json()
    assert after["othersHidden"] == 0
    assert [(o["reviewerId"], o["ratings"], o["note"]) for o in after["others"]] == [
        (teammate.id, {first: 4, second: 5}, "Clear incident story; ask @lead about on-call")
    ]
    assert (after["stage"], after["candidateName"]) == ("new", "Cand Idate")


async def test_the_hiring_team_reads_and_decides_the_interview_and_another_companys_hr_does_not(
    client, finished, teammate, outsider
) -> None:
    interview = await finished()
    path = f"/api/invitations/{interview.invitation_id}"
    teammate_read = await client.get(path, params={"includeTemplate": "true"}, headers=teammate.headers)
    assert teammate_read.status_code == 200, teammate_read.text
    assert teammate_read.json()["responses"][0]["textAnswer"] == "We added a canary stage."
    assert (await client.get(path, headers=outsider.headers)).status_code == 403
    # The team decides too; another company's HR cannot.
    refused = await client.post(f"{path}/approve", json={}, headers=outsider.headers)
    assert refused.status_code == 403
    approved = await client.post(f"{path}/approve", json={"note": "Agreed in the team"}, headers=teammate.headers)
    assert approved.status_code == 200, approved.text


async def test_ratings_outside_one_to_five_or_for_questions_not_asked_are_refused_with_field_details(
    client, finished, lead
) -> None:
    interview = await finished()
    first = interview.question_ids[0]
    too_high = await client.put(f"{board(interview)}/mine", json={"ratings": {first: 6}}, headers=lead.headers)
    assert too_high.status_code == 422
    assert too_high.json()["details"][0]["field"].startswith("ratings")
    stranger = str(uuid.uuid4())
    unknown = await client.put(f"{board(interview)}/mine", json={"ratings": {stranger: 3}}, headers=lead.headers)
    assert unknown.status_code == 422
    assert unknown.json()["details"] == [
        {
            "field": f"ratings.{stranger}",
            "location": "body",
            "message": "not a question of this interview",
            "type": "value_error",
        }
    ]
    empty = await client.post(f"{board(interview)}/mine/submit", headers=lead.headers)
    assert (empty.status_code, empty.json()["code"]) == (422, "VALIDATION_ERROR")


async def test_another_companys_hr_can_neither_review_nor_share_nor_move_nor_export_nor_list(
    client, finished, lead, outsider
) -> None:
    interview = await finished()
    first = interview.question_ids[0]
    refused = [
        await client.get(board(interview), headers=outsider.headers),
        await client.put(f"{board(interview)}/mine", json={"ratings": {first: 3}}, headers=outsider.headers),
        await client.post(f"{board(interview)}/share-links", headers=outsider.headers),
        await client.get(f"{board(interview)}/share-links", headers=outsider.headers),
        await client.post(
            "/api/reviews/stage",
            json={"invitationIds": [interview.invitation_id], "stage": "shortlisted"},
            headers=outsider.headers,
        ),
        await client.get(f"/api/reviews/templates/{interview.template_id}/export.csv", headers=outsider.headers),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    listed = (await client.get("/api/reviews", headers=outsider.headers)).json()
    assert listed["total"] == 0
    candidate = Caller("candidate")
    assert (await client.get(board(interview), headers=candidate.headers)).status_code == 403
    assert (await client.get(f"/api/reviews/{uuid.uuid4()}", headers=lead.headers)).status_code == 404


async def test_stages_move_in_bulk_all_or_none_and_approve_and_reject_are_the_final_stages(
    client, finished, make_template, lead, teammate
) -> None:
    template = await make_template(lead)
    one = await finished(template=template, name="One")
    two = await finished(template=template, name="Two")
    three = await finished(template=template, name="Three")
    unfinished = await finished(template=template, name="Four", complete=False)

    moved = await client.post(
        "/api/reviews/stage",
        json={"invitationIds": [one.invitation_id, two.invitation_id], "stage": "shortlisted"},
        headers=teammate.headers,
    )
    assert moved.json() == {"stage": "shortlisted", "changed": 2}

    # One interview still in progress refuses the whole batch: the other keeps its stage.
    mixed = await client.post(
        "/api/reviews/stage",
        json={"invitationIds": [one.invitation_id, unfinished.invitation_id], "stage": "next_round"},
        headers=lead.headers,
    )
    assert (mixed.status_code, mixed.json()["code"]) == (409, "STAGE_CHANGE_REFUSED")
    assert (await client.get(board(one), headers=lead.headers)).json()["stage"] == "shortlisted"

    no_note = await client.post(
        "/api/reviews/stage", json={"invitationIds": [two.invitation_id], "stage": "rejected"}, headers=lead.headers
    )
    assert no_note.status_code == 422, no_note.text
    assert "rejection needs a note" in no_note.json()["details"][0]["message"]
    assert (
        await client.post("/api/reviews/stage", json={"invitationIds": [], "stage": "new"}, headers=lead.headers)
    ).status_code == 422

    selected = await client.post(
        "/api/reviews/stage", json={"invitationIds": [one.invitation_id], "stage": "selected"}, headers=lead.headers
    )
    assert selected.status_code == 200, selected.text
    decided = (await client.get(f"/api/invitations/{one.invitation_id}", headers=lead.headers)).json()
    assert decided["decision"] == "approved"
    rejected = await client.post(
        f"/api/invitations/{three.invitation_id}/reject", json={"note": "Too junior"}, headers=lead.headers
    )
    assert rejected.status_code == 200
    final = await client.post(
        "/api/reviews/stage",
        json={"invitationIds": [three.invitation_id], "stage": "shortlisted"},
        headers=lead.headers,
    )
    assert final.status_code == 409

    stages = {
        item["candidateName"]: item["stage"]
        for item in (
            await client.get("/api/reviews", params={"templateId": template.template_id}, headers=lead.headers)
        ).json()["items"]
    }
    assert stages == {"One": "selected", "Two": "shortlisted", "Three": "rejected"}
    shortlisted = (await client.get("/api/reviews", params={"stage": "shortlisted"}, headers=lead.headers)).json()
    assert [i["candidateName"] for i in shortlisted["items"]] == ["Two"]


async def test_the_review_list_sorts_by_score_and_filters_by_score_and_completion_date(
    client, finished, make_template, lead, clock
) -> None:
    template = await make_template(lead)
    first_done = clock.now
    await finished(template=template, name="Low", score=30)
    await finished(template=template, name="High", score=90)
    await finished(template=template, name="Mid", score=60)
    by_score = await client.get(
        "/api/reviews",
        params={"templateId": template.template_id, "sort": "score", "order": "desc"},
        headers=lead.headers,
    )
    assert [i["candidateName"] for i in by_score.json()["items"]] == ["High", "Mid", "Low"]
    at_least = await client.get(
        "/api/reviews", params={"minScore": 50, "sort": "score", "order": "asc"}, headers=lead.headers
    )
    assert [i["candidateName"] for i in at_least.json()["items"]] == ["Mid", "High"]
    later = await client.get(
        "/api/reviews",
        params={
            "completedFrom": (first_done + timedelta(minutes=2)).isoformat(),
            "sort": "completedAt",
            "order": "asc",
        },
        headers=lead.headers,
    )
    assert [i["candidateName"] for i in later.json()["items"]] == ["High", "Mid"]
    bad = await client.get("/api/reviews", params={"sort": "password"}, headers=lead.headers)
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "sort"


async def test_next_and_previous_follow_the_templates_completed_interviews(
    client, finished, make_template, lead
) -> None:
    template = await make_template(lead)
    first, second, third = [await finished(template=template, name=n) for n in ("A", "B", "C")]
    middle = (await client.get(board(second), headers=lead.headers)).json()
    assert (middle["previousId"], middle["nextId"]) == (first.invitation_id, third.invitation_id)
    edge = (await client.get(board(first), headers=lead.headers)).json()
    assert "previousId" not in edge and edge["nextId"] == second.invitation_id


async def test_a_share_link_opens_read_only_without_an_account_logs_each_view_and_stops_when_expired_or_revoked(
    client, finished, lead, teammate, clock
) -> None:
    interview = await finished()
    created = await client.post(f"{board(interview)}/share-links", json={"expiresInDays": 2}, headers=lead.headers)
    assert created.status_code == 201, created.text
    token = created.json()["token"]

    # The gateway vouches for the viewer's address with the internal token; the client's own claim is ignored.
    via_gateway = {"x-internal-token": INTERNAL_TOKEN, "x-client-ip": "203.0.113.7"}
    opened = await client.get("/api/shared", params={"token": token}, headers=via_gateway)
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert [a["answer"] for a in body["answers"]] == ["We added a canary stage.", "PUT"]
    assert body["candidateName"] == "Cand Idate" and body["stage"] == "new"
    assert "note" not in opened.text
    clock.advance(minutes=5)
    await client.get("/api/shared", params={"token": token}, headers=via_gateway)
    await client.get("/api/shared", params={"token": token}, headers={"x-client-ip": "203.0.113.7"})

    logged = (await client.get(f"{board(interview)}/share-links", headers=teammate.headers)).json()
    views = logged[0]["views"]
    assert len(logged) == 1 and len(views) == 3
    # Newest first: the first opening is last, and the same vouched address hashes the same each time.
    first_hash = views[-1]["ipHash"]
    assert views[0]["viewedAt"] > views[-1]["viewedAt"]
    assert sorted(v["ipHash"] == first_hash for v in views) == [False, True, True]
    assert all(len(v["ipHash"]) == 64 for v in views) and "203.0.113.7" not in str(logged)

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await client.get("/api/shared", params={"token": forged})).status_code == 404

    clock.advance(days=2, minutes=-5)
    expired = await client.get("/api/shared", params={"token": token})
    assert (expired.status_code, expired.json()["code"]) == (410, "SHARE_LINK_EXPIRED")

    fresh = (await client.post(f"{board(interview)}/share-links", headers=lead.headers)).json()
    assert (await client.get("/api/shared", params={"token": fresh["token"]})).status_code == 200
    revoked = await client.delete(f"{board(interview)}/share-links/{fresh['id']}", headers=teammate.headers)
    assert revoked.status_code == 204
    gone = await client.get("/api/shared", params={"token": fresh["token"]})
    assert (gone.status_code, gone.json()["code"]) == (410, "SHARE_LINK_REVOKED")
    too_long = await client.post(f"{board(interview)}/share-links", json={"expiresInDays": 90}, headers=lead.headers)
    assert too_long.status_code == 422


async def test_the_ai_visibility_answer_says_hidden_and_why_until_the_caller_submitted_their_own_ratings(
    client, make_template, make_invitation, finished, lead, teammate, outsider
) -> None:
    interview = await finished(template=await make_template(lead, settings={"blindToAi": True}))
    visibility = f"{board(interview)}/ai-visibility"
    assert (await client.get(visibility, headers=lead.headers)).json() == {"hidden": True, "reason": "blind_review"}
    await client.put(f"{board(interview)}/mine", json={"ratings": {interview.question_ids[0]: 4}}, headers=lead.headers)
    # Saved is not enough: the ratings count once submitted.
    assert (await client.get(visibility, headers=lead.headers)).json()["hidden"] is True
    await client.post(f"{board(interview)}/mine/submit", headers=lead.headers)
    assert (await client.get(visibility, headers=lead.headers)).json() == {"hidden": False}
    assert (await client.get(visibility, headers=teammate.headers)).json()["hidden"] is True
    refused = await client.get(visibility, headers=outsider.headers)
    assert refused.status_code == 403, refused.text

    open_template = await finished()
    assert (await client.get(f"{board(open_template)}/ai-visibility", headers=lead.headers)).json() == {"hidden": False}

    candidate = Caller("candidate")
    asked = await make_invitation(lead, candidate)
    await accept_notice(client, asked.invitation_id, candidate, human_review=True)
    why = (await client.get(f"/api/reviews/{asked.invitation_id}/ai-visibility", headers=lead.headers)).json()
    assert why == {"hidden": True, "reason": "human_review_requested"}
    missing = await client.get(f"/api/reviews/{uuid.uuid4()}/ai-visibility", headers=lead.headers)
    assert missing.status_code == 404


async def test_hrs_list_of_invitations_leaves_out_the_ai_score_of_an_interview_the_caller_must_rate_blind(
    client, make_template, finished, lead
) -> None:
    blind = await finished(score=88, template=await make_template(lead, settings={"blindToAi": True}))
    seen = await finished(score=77)

    async def listed() -> dict[str, tuple[object, object]]:
        page = (await client.get("/api/invitations/hr", params={"limit": 100}, headers=lead.headers)).json()
        return {i["id"]: (i.get("analysisScore"), i.get("analysisRecommendation")) for i in page["items"]}

    before = await listed()
    assert (before[blind.invitation_id], before[seen.invitation_id]) == ((None, None), (77, "consider"))
    await client.put(f"{board(blind)}/mine", json={"ratings": {blind.question_ids[0]: 4}}, headers=lead.headers)
    await client.post(f"{board(blind)}/mine/submit", headers=lead.headers)
    assert (await listed())[blind.invitation_id] == (88, "consider")


async def test_a_share_link_of_an_interview_rated_blind_carries_no_ai_score_even_for_a_reviewer_who_rated(
    client, make_template, finished, lead
) -> None:
    blind = await finished(score=88, template=await make_template(lead, settings={"blindToAi": True}))
    await client.put(f"{board(blind)}/mine", json={"ratings": {blind.question_ids[0]: 4}}, headers=lead.headers)
    await client.post(f"{board(blind)}/mine/submit", headers=lead.headers)
    seen = await finished(score=77)
    shown = []
    for interview in (blind, seen):
        token = (await client.post(f"{board(interview)}/share-links", headers=lead.headers)).json()["token"]
        body = (await client.get("/api/shared", params={"token": token})).json()
        shown.append((body.get("score"), body.get("aiHidden")))
    assert shown == [(None, True), (77, False)]


async def test_the_csv_export_lists_a_templates_candidates_with_stage_scores_ratings_and_dates(
    client, finished, make_template, lead, teammate
) -> None:
    template = await make_template(lead)
    strong = await finished(
        template=template, name="=HYPERLINK(evil)", score=88, criteria={"relevance": 90, "depth": 72.5}
    )
    # Scored before the analysis announced its criteria: its criterion cells stay empty.
    await finished(template=template, name="Second", score=52)
    first_q, second_q = strong.question_ids
    for reviewer, ratings in ((lead, {first_q: 5, second_q: 4}), (teammate, {first_q: 3})):
        await client.put(f"{board(strong)}/mine", json={"ratings": ratings}, headers=reviewer.headers)
        await client.post(f"{board(strong)}/mine/submit", headers=reviewer.headers)
    await client.post(
        "/api/reviews/stage",
        json={"invitationIds": [strong.invitation_id], "stage": "next_round"},
        headers=lead.headers,
    )

    exported = await client.get(f"/api/reviews/templates/{template.template_id}/export.csv", headers=teammate.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["candidate_name"] for r in rows] == ["'=HYPERLINK(evil)", "Second"]
    top = rows[0]
    assert (top["stage"], top["ai_score"], top["rating_q1"], top["rating_q2"], top["team_rating"], top["reviews"]) == (
        "next_round",
        "88",
        "4",
        "4",
        "4",
        "2",
    )
    assert top["completed_at"] and top["invited_at"] and top["decided_at"] == ""
    assert (rows[1]["stage"], rows[1]["ai_score"], rows[1]["team_rating"], rows[1]["reviews"]) == ("new", "52", "", "0")
    header = next(csv.reader(io.StringIO(exported.text)))
    assert header[3:7] == ["ai_score", "ai_recommendation", "ai_depth", "ai_relevance"]
    assert (top["ai_relevance"], top["ai_depth"], rows[1]["ai_relevance"], rows[1]["ai_depth"]) == (
        "90",
        "72.5",
        "",
        "",
    )

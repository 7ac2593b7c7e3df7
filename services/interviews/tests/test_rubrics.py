"""Rubrics through the HTTP API: HR's criteria for a template and a question, carried to the analysis with the
questions; reviewers rating each criterion, blind to each other and (when asked) to the AI until they submit;
and the template's calibration view."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest

from interviews.calibration import weighted_kappa
from kit.testing import Caller

from .conftest import Member, accept_notice

STORY = {"name": "Story", "weight": 2, "good": "Situation, action and result, with numbers", "poor": "Vague"}
OWNERSHIP = {"name": "Ownership", "weight": 1, "good": "Says what they did themselves", "poor": "Only 'we'"}
ACCURACY = {"name": "Accuracy", "weight": 1, "good": "Names the right method and why", "poor": "Guesses"}


def rubric_path(template_id: str, question_id: str | None = None) -> str:
    question = f"/questions/{question_id}" if question_id else ""
    return f"/api/templates/{template_id}{question}/rubric"


@pytest.fixture
def rubric_template(client, make_template, lead):
    """A published template of `lead`'s: STORY and OWNERSHIP for all questions, the choice question ACCURACY."""

    async def make(**settings: Any):
        body = {"settings": settings} if settings else {}
        template = await make_template(lead, publish=False, **body)
        _, choice = template.question_ids
        put = await client.put(
            rubric_path(template.template_id), json={"criteria": [STORY, OWNERSHIP]}, headers=lead.headers
        )
        assert put.status_code == 200, put.text
        own = await client.put(
            rubric_path(template.template_id, choice), json={"criteria": [ACCURACY]}, headers=lead.headers
        )
        assert own.status_code == 200, own.text
        published = await client.put(f"/api/templates/{template.template_id}/publish", headers=lead.headers)
        assert published.status_code == 200, published.text
        return template

    return make


@pytest.fixture
def finished(client, make_invitation, complete_interview, analyse, lead):
    """A completed interview of `template` by a new candidate, scored `score` by the analysis."""

    async def make(template, *, score: int = 70, human_review: bool = False):
        candidate = Caller("candidate")
        interview = await make_invitation(lead, candidate, interview=template, start=not human_review)
        if human_review:
            await accept_notice(client, interview.invitation_id, candidate, human_review=True)
            started = await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)
            assert started.status_code == 200, started.text
        await complete_interview(interview, candidate)
        await analyse(interview, score=score)
        return interview

    return make


async def test_hr_sets_a_template_rubric_and_a_questions_own_which_overrides_it(client, make_template, lead) -> None:
    template = await make_template(lead, publish=False)
    story, choice = template.question_ids
    await client.put(rubric_path(template.template_id), json={"criteria": [STORY, OWNERSHIP]}, headers=lead.headers)
    own = await client.put(
        rubric_path(template.template_id, choice), json={"criteria": [ACCURACY]}, headers=lead.headers
    )
    assert own.status_code == 200, own.text

    shown = (await client.get(rubric_path(template.template_id), headers=lead.headers)).json()
    assert [c["name"] for c in shown["criteria"]] == ["Story", "Ownership"]
    by_question = {q["questionId"]: q for q in shown["questions"]}
    assert "own" not in by_question[story]
    assert [c["name"] for c in by_question[story]["effective"]] == ["Story", "Ownership"]
    assert [c["name"] for c in by_question[choice]["effective"]] == ["Accuracy"]
    assert shown["blindToAi"] is False

    # An empty list: the question follows the template's rubric again.
    cleared = await client.put(rubric_path(template.template_id, choice), json={"criteria": []}, headers=lead.headers)
    assert [c["name"] for c in {q["questionId"]: q for q in cleared.json()["questions"]}[choice]["effective"]] == [
        "Story",
        "Ownership",
    ]


async def test_a_rubric_with_duplicate_names_bad_weights_long_anchors_or_too_many_criteria_is_refused_with_fields(
    client, make_template, lead
) -> None:
    template = await make_template(lead, publish=False)
    path = rubric_path(template.template_id)
    duplicate = await client.put(
        path, json={"criteria": [STORY, {**OWNERSHIP, "name": " story "}]}, headers=lead.headers
    )
    assert duplicate.status_code == 422
    assert [d["field"] for d in duplicate.json()["details"]] == ["criteria.1.name"]

    bad = await client.put(
        path,
        json={"criteria": [{**STORY, "weight": 0}, {**OWNERSHIP, "good": "x" * 301}, {**ACCURACY, "name": ""}]},
        headers=lead.headers,
    )
    assert bad.status_code == 422
    fields = {d["field"] for d in bad.json()["details"]}
    assert {"criteria.0.weight", "criteria.1.good", "criteria.2.name"} <= fields

    many = [{**STORY, "name": f"C{i}"} for i in range(9)]
    assert (await client.put(path, json={"criteria": many}, headers=lead.headers)).status_code == 422
    unknown = await client.put(path, json={"criteria": [{**STORY, "colour": "red"}]}, headers=lead.headers)
    assert unknown.status_code == 422


async def test_a_published_templates_rubric_is_frozen_and_another_hr_user_cannot_change_or_read_it(
    client, rubric_template, lead
) -> None:
    template = await rubric_template()
    frozen = await client.put(rubric_path(template.template_id), json={"criteria": [STORY]}, headers=lead.headers)
    assert (frozen.status_code, frozen.json()["code"]) == (422, "INVALID_TEMPLATE_STATE")
    stranger = Member("hr", company="globex")
    assert (
        await client.put(rubric_path(template.template_id), json={"criteria": []}, headers=stranger.headers)
    ).status_code == 403
    assert (await client.get(rubric_path(template.template_id), headers=stranger.headers)).status_code == 403
    assert (await client.get(rubric_path(str(uuid.uuid4())), headers=lead.headers)).status_code == 404


async def test_the_completed_interview_carries_each_questions_rubric_to_the_analysis(
    rubric_template, finished, new_events
) -> None:
    template = await rubric_template()
    await finished(template)
    completed = [e for e in await new_events() if e.event_type == "invitation.completed"]
    questions = completed[-1].payload["payload"]["questions"]
    rubrics = {q["id"]: [(c["name"], c["weight"], c["good"]) for c in q["rubric"]] for q in questions}
    story, choice = template.question_ids
    assert rubrics[story] == [("Story", 2.0, STORY["good"]), ("Ownership", 1.0, OWNERSHIP["good"])]
    assert rubrics[choice] == [("Accuracy", 1.0, ACCURACY["good"])]


async def test_without_a_rubric_the_completed_interview_names_none(make_template, finished, lead, new_events) -> None:
    template = await make_template(lead)
    await finished(template)
    completed = [e for e in await new_events() if e.event_type == "invitation.completed"]
    assert all("rubric" not in q or q["rubric"] is None for q in completed[-1].payload["payload"]["questions"])


@pytest.mark.parametrize(
    ("template_settings", "human_review", "blind"),
    [({"blindToAi": True}, False, True), ({}, True, True), ({}, False, False)],
    ids=["template-blind", "human-review-requested", "not-blind"],
)
async def test_the_completed_interview_says_whether_its_reviewers_rate_blind_to_the_ai(
    rubric_template, finished, new_events, template_settings, human_review, blind
) -> None:
    """Notifications keeps the AI's score out of what it tells of an analysis the reviewers must rate first."""
    await finished(await rubric_template(**template_settings), human_review=human_review)
    completed = [e for e in await new_events() if e.event_type == "invitation.completed"]
    assert completed[-1].payload["payload"]["aiBlind"] is blind


def board(interview) -> str:
    return f"/api/reviews/{interview.invitation_id}"


async def test_reviewers_rate_each_criterion_and_the_question_rating_is_their_weighted_mean(
    client, rubric_template, finished, lead
) -> None:
    interview = await finished(await rubric_template())
    story, choice = interview.question_ids
    saved = await client.put(
        f"{board(interview)}/mine",
        json={"criteriaRatings": {story: {"Story": 5, "Ownership": 2}, choice: {"Accuracy": 3}}},
        headers=lead.headers,
    )
    assert saved.status_code == 200, saved.text
    # (5*2 + 2*1) / 3 = 4
    assert saved.json()["ratings"] == {story: 4, choice: 3}
    assert saved.json()["criteriaRatings"] == {story: {"Story": 5, "Ownership": 2}, choice: {"Accuracy": 3}}
    shown = (await client.get(board(interview), headers=lead.headers)).json()
    assert {r["questionId"]: [c["name"] for c in r["criteria"]] for r in shown["rubric"]} == {
        story: ["Story", "Ownership"],
        choice: ["Accuracy"],
    }


async def test_a_rubric_question_rated_as_a_whole_or_on_criteria_it_lacks_is_refused_with_field_details(
    client, rubric_template, finished, lead
) -> None:
    interview = await finished(await rubric_template())
    story, choice = interview.question_ids
    refused = await client.put(
        f"{board(interview)}/mine",
        json={"ratings": {story: 4}, "criteriaRatings": {choice: {"Story": 3}, "not-a-question": {"Story": 2}}},
        headers=lead.headers,
    )
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json()["details"]} == {
        f"ratings.{story}",
        f"criteriaRatings.{choice}.Story",
        "criteriaRatings.not-a-question",
    }
    out_of_range = await client.put(
        f"{board(interview)}/mine", json={"criteriaRatings": {story: {"Story": 6}}}, headers=lead.headers
    )
    assert out_of_range.status_code == 422


async def test_a_template_blind_to_the_ai_hides_its_scores_from_a_reviewer_until_they_submit(
    client, rubric_template, finished, lead
) -> None:
    template = await rubric_template(blindToAi=True)
    interview = await finished(template, score=82)
    teammate = Member("hr")
    story, _ = interview.question_ids
    await client.put(
        f"{board(interview)}/mine", json={"criteriaRatings": {story: {"Story": 4}}}, headers=teammate.headers
    )
    await client.post(f"{board(interview)}/mine/submit", headers=teammate.headers)

    before = (await client.get(board(interview), headers=lead.headers)).json()
    assert before["aiHidden"] is True and "ai" not in before
    # The invitation itself shows the analysis's status, not its score or verdict.
    invitation = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=lead.headers)).json()
    assert "score" not in invitation["analysis"] and "recommendation" not in invitation["analysis"]
    assert before["others"] == [] and before["othersHidden"] == 1
    listed = (
        await client.get("/api/reviews", params={"templateId": template.template_id}, headers=lead.headers)
    ).json()
    assert [(i["aiHidden"], "score" in i, "recommendation" in i) for i in listed["items"]] == [(True, False, False)]

    await client.put(f"{board(interview)}/mine", json={"criteriaRatings": {story: {"Story": 2}}}, headers=lead.headers)
    await client.post(f"{board(interview)}/mine/submit", headers=lead.headers)
    after = (await client.get(board(interview), headers=lead.headers)).json()
    assert after["aiHidden"] is False and after["ai"]["score"] == 82
    invitation = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=lead.headers)).json()
    assert invitation["analysis"]["score"] == 82
    assert [o["criteriaRatings"] for o in after["others"]] == [{story: {"Story": 4}}]
    listed = (
        await client.get("/api/reviews", params={"templateId": template.template_id}, headers=lead.headers)
    ).json()
    assert [(i["aiHidden"], i["score"]) for i in listed["items"]] == [(False, 82)]


async def test_a_score_filter_order_or_export_tells_a_blind_reviewer_nothing_of_the_ai_scores(
    client, rubric_template, finished, lead
) -> None:
    template = await rubric_template(blindToAi=True)
    high = await finished(template, score=90)
    low = await finished(template, score=30)

    async def listed(**params: object) -> list[str]:
        query = {"templateId": template.template_id, **params}
        answer = (await client.get("/api/reviews", params=query, headers=lead.headers)).json()
        return [item["id"] for item in answer["items"]]

    # Unrated by the caller, both count as unscored: a score order is the same either way, a filter keeps none.
    assert await listed(sort="score", order="desc") == await listed(sort="score", order="asc")
    assert await listed(minScore=50) == []
    assert await listed(maxScore=50) == []
    export = await client.get(f"/api/reviews/templates/{template.template_id}/export.csv", headers=lead.headers)
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(row["ai_score"], row["ai_recommendation"]) for row in rows] == [("", ""), ("", "")]

    # Once the caller rated one, its score is theirs to filter, sort and export by.
    story, _ = high.question_ids
    await client.put(f"{board(high)}/mine", json={"criteriaRatings": {story: {"Story": 4}}}, headers=lead.headers)
    await client.post(f"{board(high)}/mine/submit", headers=lead.headers)
    assert await listed(minScore=50) == [str(high.invitation_id)]
    assert await listed(sort="score", order="desc") == [str(high.invitation_id), str(low.invitation_id)]
    export = await client.get(f"/api/reviews/templates/{template.template_id}/export.csv", headers=lead.headers)
    assert sorted(row["ai_score"] for row in csv.DictReader(io.StringIO(export.text))) == ["", "90"]


async def test_a_candidates_human_only_request_hides_the_ai_from_reviewers_who_have_not_rated(
    client, make_template, finished, lead
) -> None:
    interview = await finished(await make_template(lead), score=64, human_review=True)
    assert (await client.get(board(interview), headers=lead.headers)).json()["aiHidden"] is True
    await client.put(f"{board(interview)}/mine", json={"ratings": {interview.question_ids[0]: 3}}, headers=lead.headers)
    await client.post(f"{board(interview)}/mine/submit", headers=lead.headers)
    assert (await client.get(board(interview), headers=lead.headers)).json()["ai"]["score"] == 64


async def test_without_blindness_the_ai_is_shown_from_the_start(client, make_template, finished, lead) -> None:
    interview = await finished(await make_template(lead), score=55)
    shown = (await client.get(board(interview), headers=lead.headers)).json()
    assert (shown["aiHidden"], shown["ai"]["score"], shown["rubric"]) == (False, 55, [])


async def _rate(client, interview, reviewer: Member, rating: int) -> None:
    saved = await client.put(
        f"{board(interview)}/mine",
        json={"ratings": {q: rating for q in interview.question_ids}},
        headers=reviewer.headers,
    )
    assert saved.status_code == 200, saved.text
    assert (await client.post(f"{board(interview)}/mine/submit", headers=reviewer.headers)).status_code == 200


async def test_calibration_gives_kappa_and_icc_per_reviewer_pair_and_against_the_ai_with_the_interviews_counted(
    client, make_template, finished, lead
) -> None:
    template = await make_template(lead)
    other = Member("hr")
    # Six interviews both rated; the AI's score lands in the same band as the lead's rating.
    lead_ratings, other_ratings = [1, 2, 3, 4, 5, 4], [1, 3, 3, 4, 5, 5]
    ai_scores = [10, 30, 50, 70, 90, 70]
    for mine, theirs, score in zip(lead_ratings, other_ratings, ai_scores, strict=True):
        interview = await finished(template, score=score)
        await _rate(client, interview, lead, mine)
        await _rate(client, interview, other, theirs)
    # One interview only the lead rated: it counts for the lead against the AI, not for the pair.
    await _rate(client, await finished(template, score=50), lead, 3)

    shown = await client.get(f"/api/templates/{template.template_id}/calibration", headers=lead.headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["interviewsRated"] == 7 and body["minInterviews"] == 5 and "20-39 is 2" in body["aiMapping"]
    [pair] = body["pairs"]
    assert {pair["reviewerA"], pair["reviewerB"]} == {lead.id, other.id} and pair["interviews"] == 6
    assert pair["kappa"] == pytest.approx(weighted_kappa(lead_ratings, other_ratings), abs=1e-3)
    assert pair["reading"] == "almost perfect agreement"
    assert body["team"]["interviews"] == 6 and body["team"]["icc"] > 0.8
    against = {row["reviewer"]: row for row in body["ai"]}
    assert against[lead.id]["interviews"] == 7 and against[lead.id]["kappa"] == pytest.approx(1.0)
    assert against[other.id]["interviews"] == 6


async def test_calibration_under_five_interviews_says_too_few_and_another_company_cannot_see_it(
    client, make_template, finished, lead
) -> None:
    template = await make_template(lead)
    other = Member("hr")
    for rating in (2, 4):
        interview = await finished(template)
        await _rate(client, interview, lead, rating)
        await _rate(client, interview, other, rating)
    body = (await client.get(f"/api/templates/{template.template_id}/calibration", headers=lead.headers)).json()
    assert [p["reading"] for p in body["pairs"]] == ["too few interviews to tell"]
    assert body["team"]["reading"] == "too few interviews to tell"
    stranger = Member("hr", company="globex")
    assert (
        await client.get(f"/api/templates/{template.template_id}/calibration", headers=stranger.headers)
    ).status_code == 403

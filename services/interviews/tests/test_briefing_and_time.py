"""A candidate's first minute and the honest clock: the briefing comes before anything is timed (its first
opening is announced once), each question's think time and time limit are kept by the server with a moved
clock, and a candidate sees a human's decision as the template allows, never the AI's analysis."""

from __future__ import annotations

import uuid
from datetime import timedelta

from kit.contracts.analysis import AnalysisCompleted
from kit.events import Envelope

from .conftest import accept_notice

VIDEO_QUESTION = {
    "text": "Tell us about a project you are proud of.",
    "type": "video",
    "order": 1,
    "timeLimit": 90,
    "thinkTime": 30,
}
TEXT_QUESTION = {"text": "Describe a production incident you handled.", "type": "text", "order": 2, "timeLimit": 60}
MC_QUESTION = {
    "text": "Which HTTP method is idempotent?",
    "type": "multiple_choice",
    "order": 3,
    "timeLimit": 30,
    "options": [{"text": "POST", "isCorrect": False}, {"text": "PUT", "isCorrect": True}],
}


def url(interview, tail: str = "") -> str:
    return f"/api/invitations/{interview.invitation_id}{tail}"


async def brief_and_start(client, candidate, interview) -> None:
    await accept_notice(client, interview.invitation_id, candidate)
    assert (await client.post(url(interview, "/start"), headers=candidate.headers)).status_code == 200


async def answer(client, candidate, interview, question_id: str, text: str = "An answer") -> object:
    return await client.post(
        url(interview, "/responses"), json={"questionId": question_id, "textAnswer": text}, headers=candidate.headers
    )


# -- the briefing ---------------------------------------------------------------------------------------------


async def test_the_briefing_tells_the_candidate_everything_before_anything_is_timed(
    client, hr, candidate, make_template, make_invitation
) -> None:
    template = await make_template(
        hr,
        questions=[VIDEO_QUESTION, TEXT_QUESTION, MC_QUESTION],
        settings={
            "totalTimeLimit": 20,
            "allowRetakes": True,
            "maxRetakes": 2,
            "allowPause": False,
            "candidateFeedback": "decision_and_feedback",
            "expectedReplyTime": "within 5 working days",
        },
    )
    interview = await make_invitation(hr, candidate, interview=template, companyName="Acme")

    response = await client.post(url(interview, "/briefing"), headers=candidate.headers)

    assert response.status_code == 200, response.text
    briefing = response.json()
    assert (briefing["companyName"], briefing["templateTitle"], briefing["status"]) == (
        "Acme",
        "Backend engineer",
        "pending",
    )
    assert [(q["type"], q["timeLimit"], q["thinkTime"]) for q in briefing["questions"]] == [
        ("video", 90, 30),
        ("text", 60, 0),
        ("multiple_choice", 30, 0),
    ]
    assert briefing["expectedDuration"] == 90 + 30 + 60 + 30
    assert (briefing["totalTimeLimit"], briefing["allowPause"], briefing["retakesAllowed"]) == (20, False, 2)
    assert (briefing["needsCamera"], briefing["needsMicrophone"]) == (True, True)
    assert (briefing["candidateFeedback"], briefing["expectedReplyTime"]) == (
        "decision_and_feedback",
        "within 5 working days",
    )
    assert briefing["consent"] is None
    # Nothing is timed yet.
    seen = (await client.get(url(interview), headers=candidate.headers)).json()
    assert (seen["status"], seen.get("startedAt")) == ("pending", None)


async def test_the_first_opening_of_the_briefing_is_announced_once(
    client, hr, candidate, make_invitation, new_events, clock
) -> None:
    interview = await make_invitation(hr, candidate)

    await client.post(url(interview, "/briefing"), headers=candidate.headers)
    clock.advance(minutes=3)
    await client.post(url(interview, "/briefing"), headers=candidate.headers)

    opened = [r for r in await new_events() if r.event_type == "invitation.opened"]
    assert len(opened) == 1
    payload = opened[0].payload["payload"]
    assert (payload["invitationId"], payload["candidateId"], payload["templateId"]) == (
        interview.invitation_id,
        candidate.id,
        interview.template_id,
    )
    assert opened[0].key == interview.invitation_id
    assert payload["openedAt"].startswith(clock.now.replace(minute=0).date().isoformat())


async def test_an_interview_cannot_start_before_its_briefing_was_opened(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate)

    response = await client.post(url(interview, "/start"), headers=candidate.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "BRIEFING_REQUIRED"
    assert (await client.get(url(interview), headers=candidate.headers)).json()["status"] == "pending"


async def test_only_the_invited_candidate_opens_the_briefing(
    client, hr, candidate, other_candidate, make_invitation, new_events
) -> None:
    interview = await make_invitation(hr, candidate)

    by_other = await client.post(url(interview, "/briefing"), headers=other_candidate.headers)
    by_hr = await client.post(url(interview, "/briefing"), headers=hr.headers)

    assert (by_other.status_code, by_hr.status_code) == (403, 403)
    assert not [r for r in await new_events() if r.event_type == "invitation.opened"]


async def test_a_withdrawn_invitation_has_no_briefing(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate)
    await client.post(url(interview, "/cancel"), headers=hr.headers)

    response = await client.post(url(interview, "/briefing"), headers=candidate.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_INVITATION_STATE"


async def test_a_pausable_interview_announces_no_total_time_limit(
    client, hr, candidate, make_template, make_invitation
) -> None:
    template = await make_template(hr, settings={"totalTimeLimit": 20, "allowPause": True})
    interview = await make_invitation(hr, candidate, interview=template)

    briefing = (await client.post(url(interview, "/briefing"), headers=candidate.headers)).json()

    assert (briefing["totalTimeLimit"], briefing["needsCamera"], briefing["needsMicrophone"]) == (None, False, False)


# -- think time -----------------------------------------------------------------------------------------------


async def test_think_time_is_refused_on_a_written_question(client, hr, make_template) -> None:
    template = await make_template(hr, questions=[], publish=False)

    response = await client.post(
        f"/api/templates/{template.template_id}/questions", json={**TEXT_QUESTION, "thinkTime": 20}, headers=hr.headers
    )
    too_long = await client.post(
        f"/api/templates/{template.template_id}/questions",
        json={**VIDEO_QUESTION, "thinkTime": 301},
        headers=hr.headers,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_QUESTION"
    assert too_long.status_code == 422
    assert too_long.json()["details"][0]["field"].endswith("thinkTime")


async def test_a_questions_clock_starts_after_its_think_time(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[VIDEO_QUESTION, TEXT_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)

    opened = await client.post(
        url(interview, f"/questions/{interview.question_ids[0]}/open"), headers=candidate.headers
    )

    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert (body["thinkTime"], body["timeLimit"]) == (30, 90)
    assert body["answerFrom"] == (clock.now + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    assert body["answerBy"] == (clock.now + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")


# -- honest time limits ---------------------------------------------------------------------------------------


async def test_an_answer_after_the_questions_time_limit_is_refused_and_not_saved(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[TEXT_QUESTION, MC_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    await client.post(url(interview, f"/questions/{interview.question_ids[0]}/open"), headers=candidate.headers)

    clock.advance(seconds=60 + 11)
    late = await answer(client, candidate, interview, interview.question_ids[0])

    assert late.status_code == 409
    assert late.json()["code"] == "TIME_LIMIT_EXCEEDED"
    assert (await client.get(url(interview), headers=candidate.headers)).json()["responses"] == []


async def test_an_answer_within_the_grace_after_the_limit_still_counts(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[TEXT_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    await client.post(url(interview, f"/questions/{interview.question_ids[0]}/open"), headers=candidate.headers)

    clock.advance(seconds=60 + 10)

    assert (await answer(client, candidate, interview, interview.question_ids[0])).status_code == 201


async def test_a_multiple_choice_answer_is_timed_too(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[MC_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    await client.post(url(interview, f"/questions/{interview.question_ids[0]}/open"), headers=candidate.headers)

    clock.advance(seconds=45)
    late = await answer(client, candidate, interview, interview.question_ids[0], "PUT")

    assert (late.status_code, late.json()["code"]) == (409, "TIME_LIMIT_EXCEEDED")


async def test_reopening_a_question_does_not_reset_its_clock(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[TEXT_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    path = url(interview, f"/questions/{interview.question_ids[0]}/open")
    first = (await client.post(path, headers=candidate.headers)).json()

    clock.advance(seconds=50)
    again = (await client.post(path, headers=candidate.headers)).json()
    clock.advance(seconds=30)

    assert again["answerBy"] == first["answerBy"]
    assert (await answer(client, candidate, interview, interview.question_ids[0])).status_code == 409


async def test_a_retake_opens_a_fresh_clock(client, hr, candidate, make_template, make_invitation, clock) -> None:
    template = await make_template(hr, questions=[TEXT_QUESTION], settings={"allowRetakes": True})
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    path = url(interview, f"/questions/{interview.question_ids[0]}/open")
    await client.post(path, headers=candidate.headers)
    clock.advance(seconds=50)
    await answer(client, candidate, interview, interview.question_ids[0], "first")

    clock.advance(seconds=50)
    retake = await client.post(path, headers=candidate.headers)
    clock.advance(seconds=50)
    second = await answer(client, candidate, interview, interview.question_ids[0], "second")

    assert retake.status_code == 200
    assert second.status_code == 201, second.text
    assert (await client.get(url(interview), headers=candidate.headers)).json()["responses"][0]["textAnswer"] == (
        "second"
    )


async def test_without_opening_a_question_its_clock_runs_from_the_previous_answer(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    template = await make_template(hr, questions=[TEXT_QUESTION, MC_QUESTION])
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    clock.advance(seconds=40)
    assert (await answer(client, candidate, interview, interview.question_ids[0])).status_code == 201

    clock.advance(seconds=30 + 11)
    late = await answer(client, candidate, interview, interview.question_ids[1], "PUT")

    assert (late.status_code, late.json()["code"]) == (409, "TIME_LIMIT_EXCEEDED")


async def test_no_answer_is_taken_after_the_total_time_limit_but_the_candidate_can_finish(
    client, hr, candidate, make_template, make_invitation, clock
) -> None:
    long_question = {**TEXT_QUESTION, "order": 1, "timeLimit": 600}
    second = {**long_question, "order": 2, "text": "Describe a design decision you regret."}
    template = await make_template(
        hr, questions=[long_question, second], settings={"totalTimeLimit": 12, "allowPause": False}
    )
    interview = await make_invitation(hr, candidate, interview=template)
    await brief_and_start(client, candidate, interview)
    clock.advance(minutes=9)
    assert (await answer(client, candidate, interview, interview.question_ids[0])).status_code == 201

    clock.advance(minutes=3, seconds=11)
    opened = await client.post(
        url(interview, f"/questions/{interview.question_ids[1]}/open"), headers=candidate.headers
    )
    late = await answer(client, candidate, interview, interview.question_ids[1])
    finished = await client.post(
        url(interview, "/complete"), json={"reason": "early_finish"}, headers=candidate.headers
    )

    assert (opened.status_code, opened.json()["code"]) == (409, "TOTAL_TIME_LIMIT_EXCEEDED")
    assert (late.status_code, late.json()["code"]) == (409, "TOTAL_TIME_LIMIT_EXCEEDED")
    assert finished.status_code == 200
    seen = (await client.get(url(interview), headers=candidate.headers)).json()
    assert (seen["status"], seen["progress"]["answered"]) == ("completed", 1)


async def test_a_question_cannot_be_opened_before_the_interview_started(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate)

    response = await client.post(
        url(interview, f"/questions/{interview.question_ids[0]}/open"), headers=candidate.headers
    )
    unknown = await client.post(url(interview, f"/questions/{uuid.uuid4()}/open"), headers=candidate.headers)

    assert (response.status_code, response.json()["code"]) == (422, "INVALID_INVITATION_STATE")
    assert unknown.status_code == 422


# -- what candidates see ----------------------------------------------------------------------------------------


async def finished_and_scored(client, hr, candidate, make_template, make_invitation, deliver, clock, **settings):
    template = await make_template(hr, settings=settings)
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    for question_id, text in zip(interview.question_ids, ("A thoughtful answer", "PUT"), strict=True):
        assert (await answer(client, candidate, interview, question_id, text)).status_code == 201
    await client.post(url(interview, "/complete"), headers=candidate.headers)
    scored = AnalysisCompleted(
        analysis_id=uuid.uuid4(),
        invitation_id=uuid.UUID(interview.invitation_id),
        overall_score=41,
        recommendation="reject",
        questions_analyzed=2,
        processing_time_ms=10,
        total_tokens_used=100,
        engine="offline",
        occurred_at=clock.now,
    )
    envelope = Envelope.wrap(scored, source="analysis", aggregate_id=str(scored.analysis_id), correlation_id=None)
    assert await deliver(envelope) == ["ok"]
    return interview


async def candidate_sees(client, candidate, interview) -> tuple[dict, dict]:
    one = (await client.get(url(interview), headers=candidate.headers, params={"includeTemplate": "true"})).json()
    listed = (await client.get("/api/invitations/candidate", headers=candidate.headers)).json()["items"]
    return one, next(i for i in listed if i["id"] == interview.invitation_id)


async def test_a_candidate_never_sees_the_ai_score_or_verdict_while_hr_does(
    client, hr, candidate, make_template, make_invitation, deliver, clock
) -> None:
    interview = await finished_and_scored(client, hr, candidate, make_template, make_invitation, deliver, clock)

    one, item = await candidate_sees(client, candidate, interview)
    by_hr = (await client.get(url(interview), headers=hr.headers)).json()

    assert "analysis" not in one
    assert not {"analysisScore", "analysisRecommendation", "analysisStatus"} & set(item)
    assert (by_hr["analysis"]["score"], by_hr["analysis"]["recommendation"]) == (41, "reject")


async def test_with_no_feedback_the_candidate_does_not_learn_the_decision(
    client, hr, candidate, make_template, make_invitation, deliver, clock
) -> None:
    interview = await finished_and_scored(
        client, hr, candidate, make_template, make_invitation, deliver, clock, candidateFeedback="none"
    )
    await client.post(url(interview, "/reject"), json={"note": "Weak on incidents"}, headers=hr.headers)

    one, item = await candidate_sees(client, candidate, interview)

    assert (one["status"], one.get("decision"), one.get("decisionNote")) == ("completed", None, None)
    assert (item.get("decision"), item.get("decisionNote")) == (None, None)


async def test_written_feedback_reaches_the_candidate_only_where_the_template_offers_it(
    client, hr, candidate, make_template, make_invitation, deliver, clock
) -> None:
    interview = await finished_and_scored(
        client, hr, candidate, make_template, make_invitation, deliver, clock, candidateFeedback="decision_and_feedback"
    )
    await client.post(
        url(interview, "/reject"),
        json={"note": "Weak on incidents", "candidateFeedback": "Thank you; we chose a more senior profile."},
        headers=hr.headers,
    )

    one, item = await candidate_sees(client, candidate, interview)

    assert (one["decision"], one["candidateFeedback"], one.get("decisionNote")) == (
        "rejected",
        "Thank you; we chose a more senior profile.",
        None,
    )
    assert (item["decision"], item["candidateFeedback"]) == ("rejected", "Thank you; we chose a more senior profile.")


async def test_written_feedback_is_refused_where_the_template_gives_the_decision_only(
    client, hr, candidate, make_template, make_invitation, deliver, clock
) -> None:
    interview = await finished_and_scored(
        client, hr, candidate, make_template, make_invitation, deliver, clock, candidateFeedback="decision"
    )

    response = await client.post(
        url(interview, "/approve"), json={"candidateFeedback": "Well done"}, headers=hr.headers
    )

    assert (response.status_code, response.json()["code"]) == (422, "FEEDBACK_NOT_OFFERED")
    assert (await client.get(url(interview), headers=hr.headers)).json().get("decision") is None


async def test_a_decision_with_a_release_time_reaches_the_candidate_then(
    client, hr, candidate, make_template, make_invitation, deliver, clock
) -> None:
    interview = await finished_and_scored(
        client, hr, candidate, make_template, make_invitation, deliver, clock, candidateFeedback="decision"
    )
    release = clock.now + timedelta(days=1)
    approved = await client.post(
        url(interview, "/approve"), json={"releaseAt": release.isoformat()}, headers=hr.headers
    )

    before, _ = await candidate_sees(client, candidate, interview)
    clock.advance(days=1, seconds=1)
    after, item = await candidate_sees(client, candidate, interview)

    assert approved.status_code == 200, approved.text
    assert before.get("decision") is None
    assert (after["decision"], item["decision"]) == ("approved", "approved")
    assert (await client.get(url(interview), headers=hr.headers)).json()["decision"] == "approved"


async def test_an_unknown_feedback_policy_is_refused_naming_the_field(client, hr) -> None:
    response = await client.post(
        "/api/templates",
        json={"title": "T", "description": "D", "settings": {"candidateFeedback": "score"}},
        headers=hr.headers,
    )

    assert response.status_code == 422
    assert "candidateFeedback" in response.json()["details"][0]["field"]


async def test_a_candidate_back_on_the_briefing_after_answering_sees_it_and_once_expired_is_told_so(
    client, hr, candidate, make_invitation, clock
) -> None:
    # The briefing and the start no longer load the invitation's answers: reopening the briefing mid-interview
    # (a reload, a second tab) and its expiry path must not need them either.
    interview = await make_invitation(hr, candidate)
    await accept_notice(client, interview.invitation_id, candidate)
    assert (await client.post(url(interview, "/start"), headers=candidate.headers)).status_code == 200
    answered = await client.post(
        url(interview, "/responses"),
        json={"questionId": interview.question_ids[0], "textAnswer": "We added a canary stage."},
        headers=candidate.headers,
    )
    assert answered.status_code == 201, answered.text

    again = await client.post(url(interview, "/briefing"), headers=candidate.headers)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "in_progress"

    clock.advance(days=8)
    expired = await client.post(url(interview, "/briefing"), headers=candidate.headers)
    assert expired.status_code == 410, expired.text
    assert expired.json()["code"] == "INVITATION_EXPIRED"
    seen = (await client.get(url(interview), headers=candidate.headers)).json()
    assert seen["status"] == "expired"
    assert len(seen["responses"]) == 1

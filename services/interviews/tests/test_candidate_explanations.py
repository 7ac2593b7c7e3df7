"""Explanations for candidates: where the template explains outcomes, a candidate whose decision has reached them
reads the reason the reviewer recorded for a rejection and is told the per-answer explanation is theirs to read;
without the setting, before the release time, and for HR, neither."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kit.testing import Caller

REASON = "The answers did not show hands-on experience with release pipelines."


async def completed(client, make_template, make_invitation, hr: Caller, **settings: Any):
    candidate = Caller("candidate")
    template = await make_template(hr, settings=settings) if settings else await make_template(hr)
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    for question_id, text in zip(interview.question_ids, ("We added a canary stage.", "PUT"), strict=True):
        answered = await client.post(
            f"/api/invitations/{interview.invitation_id}/responses",
            json={"questionId": question_id, "textAnswer": text},
            headers=candidate.headers,
        )
        assert answered.status_code == 201, answered.text
    done = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
    assert done.status_code == 200, done.text
    return interview, candidate


async def test_a_rejected_candidate_reads_the_reviewers_reason_where_the_template_explains_outcomes(
    client, make_template, make_invitation, hr
) -> None:
    interview, candidate = await completed(client, make_template, make_invitation, hr, candidateExplanations=True)
    path = f"/api/invitations/{interview.invitation_id}"
    before = (await client.get(path, headers=candidate.headers)).json()
    assert (before["explanationsReleased"], before.get("rejectionReason")) == (False, None)

    rejected = await client.post(f"{path}/reject", json={"note": f"  {REASON}  "}, headers=hr.headers)
    assert rejected.status_code == 200, rejected.text
    mine = (await client.get(path, headers=candidate.headers)).json()
    assert (mine["decision"], mine["explanationsReleased"], mine["rejectionReason"]) == ("rejected", True, REASON)
    # HR reads the note as the note; the candidate-only fields stay empty for them.
    theirs = (await client.get(path, headers=hr.headers)).json()
    assert (theirs["decisionNote"], theirs["explanationsReleased"], theirs.get("rejectionReason")) == (
        REASON,
        False,
        None,
    )


async def test_an_approved_candidate_is_told_the_explanation_is_there_but_gets_no_internal_note(
    client, make_template, make_invitation, hr
) -> None:
    interview, candidate = await completed(client, make_template, make_invitation, hr, candidateExplanations=True)
    path = f"/api/invitations/{interview.invitation_id}"
    approved = await client.post(f"{path}/approve", json={"note": "Strong on rollouts"}, headers=hr.headers)
    assert approved.status_code == 200, approved.text
    mine = (await client.get(path, headers=candidate.headers)).json()
    assert (mine["explanationsReleased"], mine.get("rejectionReason"), mine.get("decisionNote")) == (True, None, None)


async def test_without_the_setting_or_before_the_release_time_the_candidate_gets_no_reason_or_explanation(
    client, make_template, make_invitation, hr, clock
) -> None:
    plain, plain_candidate = await completed(client, make_template, make_invitation, hr)
    await client.post(f"/api/invitations/{plain.invitation_id}/reject", json={"note": REASON}, headers=hr.headers)
    shown = (await client.get(f"/api/invitations/{plain.invitation_id}", headers=plain_candidate.headers)).json()
    assert (shown["decision"], shown["explanationsReleased"], shown.get("rejectionReason")) == ("rejected", False, None)
    assert REASON not in str(shown)

    later, later_candidate = await completed(client, make_template, make_invitation, hr, candidateExplanations=True)
    path = f"/api/invitations/{later.invitation_id}"
    release = clock.now + timedelta(days=2)
    held = await client.post(
        f"{path}/reject", json={"note": REASON, "releaseAt": release.isoformat()}, headers=hr.headers
    )
    assert held.status_code == 200, held.text
    waiting = (await client.get(path, headers=later_candidate.headers)).json()
    assert (waiting.get("decision"), waiting["explanationsReleased"], waiting.get("rejectionReason")) == (
        None,
        False,
        None,
    )
    clock.advance(days=2, minutes=1)
    released = (await client.get(path, headers=later_candidate.headers)).json()
    assert (released["explanationsReleased"], released["rejectionReason"]) == (True, REASON)


async def test_the_setting_must_be_a_yes_or_no(client, hr) -> None:
    refused = await client.post(
        "/api/templates",
        json={"title": "Backend engineer", "description": "x", "settings": {"candidateExplanations": "sometimes"}},
        headers=hr.headers,
    )
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["details"]] == ["settings.candidateExplanations"]

"""The worker's time-based jobs with the clock in the test's hands: expiry and the inactivity auto-complete."""

from __future__ import annotations

import pytest

from interviews import worker


def ctx(sessions, clock, settings) -> dict:
    return {"sessions": sessions, "clock": clock, "settings": settings}


@pytest.fixture
async def settled(sessions, clock, settings) -> None:
    """The jobs sweep the whole table: rows other suites committed (an interrupted browser journey, a bench) are
    swept first, inside this test's transaction, so the counts below are this test's own."""
    await worker.expire_invitations(ctx(sessions, clock, settings))
    await worker.complete_inactive_invitations(ctx(sessions, clock, settings))


async def status_of(client, hr, interview) -> dict:
    return (await client.get(f"/api/invitations/{interview.invitation_id}", headers=hr.headers)).json()


async def test_the_expiry_job_expires_open_invitations_past_their_date_and_nothing_else(
    settled,
    client,
    hr,
    candidate,
    other_candidate,
    make_template,
    make_invitation,
    sessions,
    clock,
    settings,
    new_events,
) -> None:
    soon = await make_invitation(hr, candidate, expiresAt=clock.now.replace(hour=12).isoformat())
    started = await make_invitation(hr, other_candidate, start=True, expiresAt=clock.now.replace(hour=12).isoformat())
    later = await make_invitation(hr, candidate, interview=await make_template(hr))
    done = await make_invitation(hr, other_candidate, interview=await make_template(hr), start=True)
    await client.post(
        f"/api/invitations/{done.invitation_id}/complete",
        json={"reason": "early_finish"},
        headers=other_candidate.headers,
    )

    clock.advance(hours=2)
    assert await worker.expire_invitations(ctx(sessions, clock, settings)) == 0
    clock.advance(hours=2)
    expired = await worker.expire_invitations(ctx(sessions, clock, settings))
    again = await worker.expire_invitations(ctx(sessions, clock, settings))

    assert (expired, again) == (2, 0)
    statuses = [(await status_of(client, hr, i))["status"] for i in (soon, started, later, done)]
    assert statuses == ["expired", "expired", "pending", "completed"]
    expiries = [r for r in await new_events() if r.event_type == "invitation.expired"]
    assert {(r.key, r.payload["payload"]["previousStatus"]) for r in expiries} == {
        (soon.invitation_id, "pending"),
        (started.invitation_id, "in_progress"),
    }


async def test_a_silent_non_pausable_interview_is_auto_completed_with_its_partial_answers(
    client, hr, candidate, make_invitation, sessions, clock, settings, new_events
) -> None:
    interview = await make_invitation(hr, candidate, start=True, allowPause=False)
    await client.post(
        f"/api/invitations/{interview.invitation_id}/responses",
        json={"questionId": interview.question_ids[0], "textAnswer": "half an answer"},
        headers=candidate.headers,
    )

    clock.advance(minutes=29)
    assert await worker.complete_inactive_invitations(ctx(sessions, clock, settings)) == 0
    clock.advance(minutes=2)
    completed = await worker.complete_inactive_invitations(ctx(sessions, clock, settings))

    assert completed == 1
    got = await status_of(client, hr, interview)
    assert (got["status"], got["completedReason"]) == ("completed", "auto_timeout")
    (event,) = [r for r in await new_events() if r.event_type == "invitation.completed"]
    assert event.payload["payload"]["completedReason"] == "auto_timeout"
    assert [r["textAnswer"] for r in event.payload["payload"]["responses"]] == ["half an answer"]


async def test_a_heartbeat_keeps_a_non_pausable_interview_open(
    client, hr, candidate, make_invitation, sessions, clock, settings
) -> None:
    interview = await make_invitation(hr, candidate, start=True, allowPause=False)

    clock.advance(minutes=25)
    beat = await client.post(f"/api/invitations/{interview.invitation_id}/heartbeat", headers=candidate.headers)
    clock.advance(minutes=25)
    assert await worker.complete_inactive_invitations(ctx(sessions, clock, settings)) == 0
    clock.advance(minutes=6)
    assert await worker.complete_inactive_invitations(ctx(sessions, clock, settings)) == 1

    assert beat.json() == {"success": True}
    assert (await status_of(client, hr, interview))["completedReason"] == "auto_timeout"


async def test_a_pausable_interview_is_never_auto_completed(
    client, hr, candidate, make_invitation, sessions, clock, settings
) -> None:
    interview = await make_invitation(hr, candidate, start=True, allowPause=True)

    clock.advance(days=2)
    completed = await worker.complete_inactive_invitations(ctx(sessions, clock, settings))

    assert completed == 0
    assert (await status_of(client, hr, interview))["status"] == "in_progress"


async def test_an_interview_past_its_expiry_is_expired_not_auto_completed(
    settled, client, hr, candidate, make_invitation, sessions, clock, settings
) -> None:
    interview = await make_invitation(
        hr, candidate, start=True, allowPause=False, expiresAt=clock.now.replace(hour=10).isoformat()
    )

    clock.advance(hours=2)
    auto = await worker.complete_inactive_invitations(ctx(sessions, clock, settings))
    expired = await worker.expire_invitations(ctx(sessions, clock, settings))

    assert (auto, expired) == (0, 1)
    assert (await status_of(client, hr, interview))["status"] == "expired"

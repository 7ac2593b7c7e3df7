"""A candidate's erasure as interviews applies it: every invitation of theirs (by account and, unclaimed, by
address) goes with its answers and recordings' projection, each is announced for the other services, and the
counts (never content) are reported once per request."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interviews import worker
from interviews.domain import Decision, Invitation, MediaObject, Response
from interviews.domain.fairness import SelfIdentification
from kit.contracts.privacy import SubjectErasureRequested
from kit.events import Envelope
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN, Caller

from .conftest import accept_notice


def erasure(candidate: Caller, *, email: str = "gone@example.com", erasure_id: uuid.UUID | None = None) -> Envelope:
    event = SubjectErasureRequested(
        erasure_id=erasure_id or uuid.uuid4(),
        user_id=uuid.UUID(candidate.id),
        email=email,
        requested_at=datetime(2030, 1, 16, tzinfo=UTC),
    )
    return Envelope.wrap(event, source="users", aggregate_id=event.erasure_id, correlation_id=None)


async def count(sessions: async_sessionmaker[AsyncSession], model: type, **where: object) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(await session.scalar(query) or 0)


async def invite_by_address(client, hr, email: str, make_template, clock) -> str:
    template = await make_template(hr)
    invited = await client.post(
        "/api/invites/bulk",
        json={
            "templateId": template.template_id,
            "expiresAt": (clock.now + timedelta(days=7)).isoformat(),
            "companyName": "Acme",
            "candidates": [{"email": email}],
        },
        headers=hr.headers,
    )
    assert invited.status_code == 200, invited.text
    return str(invited.json()["rows"][0]["invitationId"])


async def test_an_erased_candidate_keeps_no_invitation_answer_or_recording_and_the_report_counts_them(
    client,
    hr,
    candidate,
    other_candidate,
    make_invitation,
    make_template,
    ready_media,
    deliver,
    new_events,
    sessions,
    clock,
) -> None:
    mine = await make_invitation(hr, candidate, start=True)
    by_address = await invite_by_address(client, hr, "Gone@Example.com", make_template, clock)
    # Sent to the same address but claimed by another account: that person's, not the requester's.
    theirs = await make_invitation(hr, other_candidate, start=True, candidateEmail="gone@example.com")
    text_id = mine.question_ids[0]
    answered = await client.post(
        f"/api/invitations/{mine.invitation_id}/responses",
        json={"questionId": text_id, "responseType": "text", "textAnswer": "We rolled back.", "duration": 30},
        headers=candidate.headers,
    )
    assert answered.status_code == 201, answered.text
    recorded = await ready_media(candidate, mine.invitation_id, mine.question_ids[1])
    identified = await client.put(
        "/api/self-identification", json={"sex": "female", "raceEthnicity": "white"}, headers=candidate.headers
    )
    assert identified.status_code == 200, identified.text
    request = erasure(candidate)

    assert await deliver(request) == ["ok"]

    for invitation_id in (mine.invitation_id, by_address):
        assert await count(sessions, Invitation, id=uuid.UUID(invitation_id)) == 0
    assert await count(sessions, Response, invitation_id=uuid.UUID(mine.invitation_id)) == 0
    assert await count(sessions, MediaObject, owner_id=candidate.id) == 0
    assert await count(sessions, Invitation, id=uuid.UUID(theirs.invitation_id)) == 1
    events: list[OutboxMessage] = await new_events()
    erased = [e.payload["payload"] for e in events if e.event_type == "invitation.erased"]
    assert sorted(e["invitationId"] for e in erased) == sorted([mine.invitation_id, by_address])
    assert {e["erasureId"] for e in erased} == {str(request.aggregate_id)}
    # Each names its recordings, which billing counted stored bytes under.
    assert {e["invitationId"]: e["mediaIds"] for e in erased} == {mine.invitation_id: [recorded], by_address: []}
    (report,) = [e for e in events if e.event_type == "subject.erased"]
    assert report.topic.endswith("interview-events")
    assert report.payload["payload"]["invitations"] == 2
    assert report.payload["payload"]["counts"]["invitations"] == 2
    assert report.payload["payload"]["counts"]["answers"] == 1
    assert report.payload["payload"]["counts"]["recordingRefs"] == 1
    assert report.payload["payload"]["counts"]["selfIdentification"] == 1
    assert await count(sessions, SelfIdentification, candidate_id=candidate.id) == 0
    assert "gone@example.com" not in str(report.payload).lower()


async def test_a_redelivered_erasure_changes_nothing_and_a_repeated_request_reports_nothing_left(
    hr, candidate, make_invitation, deliver, new_events: Callable[[], Awaitable[list[OutboxMessage]]]
) -> None:
    await make_invitation(hr, candidate)
    request = erasure(candidate)

    assert await deliver(request, request) == ["ok", "duplicate"]
    again = erasure(candidate, erasure_id=uuid.UUID(str(request.aggregate_id)))
    assert await deliver(again) == ["ok"]

    reports = [e.payload["payload"] for e in await new_events() if e.event_type == "subject.erased"]
    assert [r["invitations"] for r in reports] == [1, 0]
    assert [e for e in await new_events() if e.event_type == "invitation.erased"].__len__() == 1


async def test_the_export_holds_the_candidates_invitations_and_answers_and_needs_the_internal_token(
    client, hr, candidate, other_candidate, make_invitation
) -> None:
    mine = await make_invitation(hr, candidate, start=True)
    await make_invitation(hr, other_candidate)
    answered = await client.post(
        f"/api/invitations/{mine.invitation_id}/responses",
        json={"questionId": mine.question_ids[0], "responseType": "text", "textAnswer": "We rolled back."},
        headers=candidate.headers,
    )
    assert answered.status_code == 201, answered.text

    exported = await client.get(f"/internal/subjects/{candidate.id}", headers={"x-internal-token": INTERNAL_TOKEN})
    anonymous = await client.get(f"/internal/subjects/{candidate.id}")

    assert exported.status_code == 200, exported.text
    (invitation,) = exported.json()["invitations"]
    assert invitation["id"] == mine.invitation_id and invitation["company"] == "Acme"
    assert [a["text"] for a in invitation["answers"]] == ["We rolled back."]
    assert invitation["decision"] is None
    assert anonymous.status_code == 401


async def decided(sessions: async_sessionmaker[AsyncSession], invitation_id: str, at: datetime) -> None:
    """The decision as HR's approve records it (the route needs a completed interview; only its time matters)."""
    async with sessions.begin() as session:
        invitation = await session.get(Invitation, uuid.UUID(invitation_id))
        assert invitation is not None
        invitation.decision, invitation.decision_at = Decision.APPROVED, at


async def test_hr_sets_retention_within_bounds_for_their_company_and_candidates_cannot(client, hr, candidate) -> None:
    off = await client.get("/api/retention", headers=hr.headers)
    refused = [
        await client.put("/api/retention", json=body, headers=hr.headers)
        for body in ({"retentionDays": 0}, {"retentionDays": 3651}, {}, {"retentionDays": "soon"})
    ]
    by_candidate = await client.put("/api/retention", json={"retentionDays": 30}, headers=candidate.headers)
    saved = await client.put("/api/retention", json={"retentionDays": 30}, headers=hr.headers)
    read = await client.get("/api/retention", headers=hr.headers)
    cleared = await client.put("/api/retention", json={"retentionDays": None}, headers=hr.headers)

    assert off.json()["retentionDays"] is None
    assert [r.status_code for r in refused] == [422] * 4
    assert all(r.json()["details"][0]["field"] == "retentionDays" for r in refused)
    assert by_candidate.status_code == 403
    assert saved.json()["retentionDays"] == read.json()["retentionDays"] == 30
    assert cleared.json()["retentionDays"] is None


async def test_the_retention_job_erases_decided_invitations_past_the_companys_period_and_nothing_else(
    client, hr, other_hr, candidate, make_invitation, sessions, settings, clock, new_events
) -> None:
    assert (await client.put("/api/retention", json={"retentionDays": 30}, headers=hr.headers)).status_code == 200
    old = await make_invitation(hr, candidate)
    recent = await make_invitation(hr, candidate)
    undecided = await make_invitation(hr, candidate)
    elsewhere = await make_invitation(other_hr, candidate)
    await decided(sessions, old.invitation_id, clock.now)
    await decided(sessions, elsewhere.invitation_id, clock.now)
    clock.advance(days=20)
    await decided(sessions, recent.invitation_id, clock.now)
    ctx = {"sessions": sessions, "clock": clock, "settings": settings}
    assert await worker.erase_past_retention(ctx) == 0

    clock.advance(days=11)
    erased = await worker.erase_past_retention(ctx)

    assert erased == 1
    assert await count(sessions, Invitation, id=uuid.UUID(old.invitation_id)) == 0
    for kept in (recent, undecided, elsewhere):
        assert await count(sessions, Invitation, id=uuid.UUID(kept.invitation_id)) == 1
    (announced,) = [e.payload["payload"] for e in await new_events() if e.event_type == "invitation.erased"]
    assert announced == {
        "invitationId": old.invitation_id,
        "erasureId": None,
        "reason": "retention",
        "erasedAt": announced["erasedAt"],
        "mediaIds": [],
    }
    assert not [e for e in await new_events() if e.event_type == "subject.erased"]
    assert await worker.erase_past_retention(ctx) == 0


async def test_the_briefing_tells_the_candidate_the_companys_retention_and_the_notice_they_accept_says_it(
    client, hr, candidate, make_invitation
) -> None:
    kept = await make_invitation(hr, candidate)
    before = await client.post(f"/api/invitations/{kept.invitation_id}/briefing", headers=candidate.headers)
    assert (await client.put("/api/retention", json={"retentionDays": 45}, headers=hr.headers)).status_code == 200

    accepted = await accept_notice(client, kept.invitation_id, candidate)

    assert before.json()["retentionDays"] is None
    assert accepted["retentionDays"] == 45
    assert "45 days" in str(accepted["notice"])
    assert accepted["notice"]["hash"] != before.json()["notice"]["hash"]
    assert accepted["consent"] is not None

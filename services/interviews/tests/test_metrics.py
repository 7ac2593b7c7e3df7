"""The hiring funnel's business counters move with committed changes only."""

from __future__ import annotations

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_an_invitation_sent_completed_and_decided_is_counted_with_its_time_to_decision(
    client, hr, candidate, make_invitation, clock
) -> None:
    sent = sample("interviews_invitations_sent_total")
    finished = sample("interviews_completed_total", reason="early_finish")
    decided = sample("interviews_time_to_decision_seconds_count", decision="rejected")
    waited = sample("interviews_time_to_decision_seconds_sum", decision="rejected")

    interview = await make_invitation(hr, candidate, start=True)
    path = f"/api/invitations/{interview.invitation_id}"
    completed = await client.post(f"{path}/complete", json={"reason": "early_finish"}, headers=candidate.headers)
    clock.advance(hours=3)
    rejected = await client.post(f"{path}/reject", json={"note": "Not enough depth"}, headers=hr.headers)

    assert (completed.status_code, rejected.status_code) == (200, 200), (completed.text, rejected.text)
    assert sample("interviews_invitations_sent_total") == sent + 1
    assert sample("interviews_completed_total", reason="early_finish") == finished + 1
    assert sample("interviews_time_to_decision_seconds_count", decision="rejected") == decided + 1
    assert sample("interviews_time_to_decision_seconds_sum", decision="rejected") == waited + 3 * 3600


async def test_a_refused_completion_or_decision_is_not_counted(client, hr, candidate, make_invitation) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    path = f"/api/invitations/{interview.invitation_id}"
    finished = sample("interviews_completed_total", reason="manual")
    decided = sample("interviews_time_to_decision_seconds_count", decision="approved")

    incomplete = await client.post(f"{path}/complete", json={"reason": "manual"}, headers=candidate.headers)
    too_early = await client.post(f"{path}/approve", headers=hr.headers)

    assert (incomplete.status_code, too_early.status_code) == (422, 422), (incomplete.text, too_early.text)
    assert sample("interviews_completed_total", reason="manual") == finished
    assert sample("interviews_time_to_decision_seconds_count", decision="approved") == decided

"""Through the real Kafka: the outbox relay publishes the invitation's events, and analysis outcomes published
by the analysis service land on the invitation exactly once in effect."""

from __future__ import annotations

import uuid
from datetime import timedelta

from interviews.consumers import HANDLERS, TOPICS
from kit.events import Envelope
from kit.kafka import Consumer, make_producer
from kit.outbox import Relay
from kit.testing import consume


async def complete_interview(client, candidate, interview) -> None:
    for question_id, answer in zip(interview.question_ids, ("A thoughtful answer", "PUT"), strict=True):
        await client.post(
            f"/api/invitations/{interview.invitation_id}/responses",
            json={"questionId": question_id, "textAnswer": answer},
            headers=candidate.headers,
        )
    done = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
    assert done.status_code == 200


async def test_the_relay_publishes_the_completed_interview_with_its_whole_snapshot(
    client, hr, candidate, make_invitation, sessions, settings, make_topics, kafka_bootstrap
) -> None:
    (topic,) = await make_topics("interview-events")
    interview = await make_invitation(hr, candidate, start=True)
    await complete_interview(client, candidate, interview)
    relay = Relay(
        sessions,
        lambda: make_producer(settings),
        service=settings.service_name,
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
    )

    try:
        while await relay.relay_once():
            pass
    finally:
        await relay.close()

    # The template's four events (created, two questions, published) and the invitation's six.
    records = await consume(kafka_bootstrap, topic, 10, timeout_s=60)
    ours = [Envelope.model_validate_json(r.value) for r in records if r.key == interview.invitation_id.encode()]
    assert [e.event_type for e in ours] == [
        "invitation.created",
        "invitation.opened",
        "invitation.started",
        "invitation.response.submitted",
        "invitation.response.submitted",
        "invitation.completed",
    ]
    completed = next(e for e in ours if e.event_type == "invitation.completed")
    assert completed.source == "interviews"
    assert completed.aggregate_id == interview.invitation_id
    options = completed.payload["questions"][1]["options"]
    assert [(o["text"], o["isCorrect"]) for o in options] == [("POST", False), ("PUT", True)]
    assert completed.payload["responses"][1]["selectedOptionId"] == options[1]["id"]


def analysis_event(event_type: str, invitation_id: str, *, occurred_after_s: float = 0, **payload) -> Envelope:
    envelope = Envelope(
        event_type=event_type,
        source="analysis",
        aggregate_id=str(uuid.uuid4()),
        payload={"invitationId": invitation_id, **payload},
    )
    return envelope.model_copy(update={"occurred_at": envelope.occurred_at + timedelta(seconds=occurred_after_s)})


async def publish(settings, topic: str, *envelopes: Envelope) -> None:
    producer = await make_producer(settings)
    try:
        for envelope in envelopes:
            await producer.send_and_wait(topic, envelope.to_json(), key=envelope.aggregate_id.encode())
    finally:
        await producer.stop()


async def test_an_analysis_outcome_is_attached_once_even_when_delivered_twice(
    client, hr, candidate, make_invitation, sessions, settings, make_topics, kafka_bootstrap
) -> None:
    (topic, *_) = await make_topics(*TOPICS)
    interview = await make_invitation(hr, candidate, start=True)
    await complete_interview(client, candidate, interview)
    analysis_id = str(uuid.uuid4())
    completed = analysis_event(
        "analysis.completed",
        interview.invitation_id,
        analysisId=analysis_id,
        status="completed",
        overallScore=81.6,
        recommendation="hire",
        questionsAnalyzed=2,
    )
    # The same event twice, as a relay retry would deliver it.
    await publish(settings, topic, completed, completed)
    records = await consume(kafka_bootstrap, topic, 2, timeout_s=60)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    results = [await consumer.handle(record) for record in records]
    await consumer.close()

    assert results == ["ok", "duplicate"]
    got = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=hr.headers)).json()
    assert got["analysis"]["analysisId"] == analysis_id
    assert (got["analysis"]["status"], got["analysis"]["score"], got["analysis"]["recommendation"]) == (
        "completed",
        82,
        "hire",
    )
    listed = (await client.get("/api/invitations/hr", headers=hr.headers)).json()["items"][0]
    assert (listed["analysisStatus"], listed["analysisScore"], listed["analysisRecommendation"]) == (
        "completed",
        82,
        "hire",
    )


async def test_a_failed_analysis_is_recorded_and_a_later_success_replaces_it_but_not_the_reverse(
    client, hr, candidate, make_invitation, sessions, settings
) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    await complete_interview(client, candidate, interview)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)
    failed = analysis_event(
        "analysis.failed", interview.invitation_id, analysisId="a1", status="failed", errorMessage="LLM said no"
    )
    retried = analysis_event(
        "analysis.completed",
        interview.invitation_id,
        occurred_after_s=60,
        analysisId="a2",
        overallScore=40,
        recommendation="reject",
    )

    await consumer._apply(HANDLERS[failed.event_type], failed)
    after_failure = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=hr.headers)).json()
    await consumer._apply(HANDLERS[retried.event_type], retried)
    # The failure delivered again under a new id, late: older than what is applied, so it is ignored.
    await consumer._apply(HANDLERS[failed.event_type], failed.model_copy(update={"event_id": uuid.uuid4()}))
    final = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=hr.headers)).json()

    assert after_failure["analysis"] == {"analysisId": "a1", "status": "failed", "errorMessage": "LLM said no"}
    assert final["analysis"]["analysisId"] == "a2"
    assert (final["analysis"]["status"], final["analysis"]["score"]) == ("completed", 40)
    assert "errorMessage" not in final["analysis"]


async def test_an_outcome_for_an_unknown_invitation_is_skipped_and_a_malformed_one_is_dead_lettered(
    sessions, settings, make_topics, kafka_bootstrap
) -> None:
    (topic, *_) = await make_topics(*TOPICS)
    unknown = analysis_event("analysis.completed", str(uuid.uuid4()), overallScore=10)
    malformed = analysis_event("analysis.completed", "not-a-uuid")
    await publish(settings, topic, unknown, malformed)
    records = await consume(kafka_bootstrap, topic, 2, timeout_s=60)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS, max_attempts=2)

    results = sorted([await consumer.handle(record) for record in records])
    await consumer.close()

    assert results == ["dlq", "ok"]
    (dead,) = await consume(kafka_bootstrap, f"{topic}-dlq", 1, timeout_s=60)
    assert Envelope.model_validate_json(dead.value).event_id == malformed.event_id

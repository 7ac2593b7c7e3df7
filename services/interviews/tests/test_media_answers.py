"""Video and audio answers (issue 5 item 2): a media response names a recording the media service reported ready for
this candidate, invitation and question (the projection of `media-events`), and retakes replace an answer only as
often as the template allows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from interviews.consumers import HANDLERS, TOPICS
from interviews.domain import MediaObject
from kit.contracts import media
from kit.kafka import Consumer, make_producer
from kit.testing import consume

VIDEO = {"text": "Introduce yourself on camera", "type": "video", "order": 1, "timeLimit": 90, "required": True}
AUDIO = {**VIDEO, "type": "audio", "order": 2, "text": "Say something about yourself"}
TEXT = {"text": "Describe a production incident you handled.", "type": "text", "order": 1, "timeLimit": 60}


def ids(media_id: str, owner, invitation_id: str, question_id: str) -> dict:
    return {"media_id": media_id, "owner": owner, "invitation_id": invitation_id, "question_id": question_id}


async def answer(client, candidate, interview, body: dict):
    return await client.post(
        f"/api/invitations/{interview.invitation_id}/responses",
        json={"duration": 30, **body},
        headers=candidate.headers,
    )


async def responses(client, user, interview) -> list[dict]:
    got = await client.get(f"/api/invitations/{interview.invitation_id}", headers=user.headers)
    return got.json()["responses"]


async def test_a_media_answer_must_name_a_ready_recording_of_the_same_candidate_invitation_and_question(
    client,
    hr,
    candidate,
    other_candidate,
    make_template,
    make_invitation,
    deliver,
    ready_media,
    media_event,
    new_events,
) -> None:
    template = await make_template(hr, questions=[VIDEO, AUDIO])
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    theirs = await make_invitation(hr, other_candidate, interview=template, start=True)
    video_q, audio_q = interview.question_ids
    mine = await ready_media(candidate, interview.invitation_id, video_q)
    of_another_candidate = await ready_media(other_candidate, theirs.invitation_id, video_q)
    of_another_interview = await ready_media(candidate, str(uuid.uuid4()), video_q)
    of_another_question = await ready_media(candidate, interview.invitation_id, audio_q)
    rejected, deleted = str(uuid.uuid4()), str(uuid.uuid4())
    await deliver(
        media_event(media.MediaFailed, **ids(rejected, candidate, interview.invitation_id, video_q)),
        media_event(media.MediaProcessed, **ids(deleted, candidate, interview.invitation_id, video_q)),
        media_event(media.MediaDeleted, **ids(deleted, candidate, interview.invitation_id, video_q)),
    )
    refused = [
        ({"responseType": "video"}, "MEDIA_REQUIRED"),
        ({"responseType": "video", "videoUrl": "https://example.com/v.webm"}, "MEDIA_REQUIRED"),
        ({"responseType": "video", "mediaId": str(uuid.uuid4())}, "MEDIA_NOT_FOUND"),
        ({"responseType": "video", "mediaId": of_another_candidate}, "MEDIA_NOT_OWNED"),
        ({"responseType": "video", "mediaId": of_another_interview}, "MEDIA_NOT_OWNED"),
        ({"responseType": "video", "mediaId": of_another_question}, "MEDIA_WRONG_QUESTION"),
        ({"responseType": "video", "mediaId": rejected}, "MEDIA_NOT_READY"),
        ({"responseType": "video", "mediaId": deleted}, "MEDIA_NOT_READY"),
        ({"responseType": "text", "textAnswer": "hello", "mediaId": mine}, "INVALID_ANSWER"),
    ]

    for body, code in refused:
        got = await answer(client, candidate, interview, {"questionId": video_q, **body})
        assert (got.status_code, got.json()["code"]) == (422, code), body
    assert await responses(client, candidate, interview) == []

    accepted = await answer(
        client, candidate, interview, {"questionId": video_q, "responseType": "video", "mediaId": mine}
    )
    # As in the reference (its web sends every answer as text), a media question may still be answered in text.
    typed = await answer(client, candidate, interview, {"questionId": audio_q, "textAnswer": "No microphone here"})
    done = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)

    assert (accepted.status_code, typed.status_code, done.status_code) == (201, 201, 200)
    (completed,) = [r for r in await new_events() if r.event_type == "invitation.completed"]
    snapshot = completed.payload["payload"]["responses"]
    assert [(r["responseType"], r["mediaId"], r["textAnswer"]) for r in snapshot] == [
        ("video", mine, None),
        ("text", None, "No microphone here"),
    ]


async def test_a_text_question_takes_no_media_answer(client, hr, candidate, make_invitation, ready_media) -> None:
    interview = await make_invitation(hr, candidate, start=True)
    text_q, mc_q = interview.question_ids
    recorded = await ready_media(candidate, interview.invitation_id, text_q)

    as_video = await answer(
        client, candidate, interview, {"questionId": text_q, "responseType": "video", "mediaId": recorded}
    )
    as_audio = await answer(
        client, candidate, interview, {"questionId": mc_q, "responseType": "audio", "mediaId": recorded}
    )

    assert [(r.status_code, r.json()["code"]) for r in (as_video, as_audio)] == [(422, "INVALID_ANSWER")] * 2


async def test_media_events_are_projected_once_even_when_delivered_twice_and_a_deletion_is_final(
    client, hr, candidate, make_template, make_invitation, sessions, settings, make_topics, kafka_bootstrap, media_event
) -> None:
    (_, topic, *_) = await make_topics(*TOPICS)
    interview = await make_invitation(hr, candidate, interview=await make_template(hr, questions=[VIDEO]), start=True)
    media_id = str(uuid.uuid4())
    about = ids(media_id, candidate, interview.invitation_id, interview.question_ids[0])
    processed = media_event(media.MediaProcessed, **about)
    deleted = media_event(media.MediaDeleted, **about)
    # The processed event again under a new id, as a re-publication would carry it: older than the deletion.
    republished = processed.model_copy(update={"event_id": uuid.uuid4()})
    malformed = media_event(media.MediaProcessed, **about).model_copy(update={"payload": {"mediaId": media_id}})
    producer = await make_producer(settings)
    try:
        for envelope in (processed, processed, deleted, republished, malformed):
            await producer.send_and_wait(topic, envelope.to_json(), key=media_id.encode())
    finally:
        await producer.stop()
    records = await consume(kafka_bootstrap, topic, 5, timeout_s=60)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS, max_attempts=2)

    results = [await consumer.handle(record) for record in records]
    await consumer.close()

    assert results == ["ok", "duplicate", "ok", "ok", "dlq"]
    async with sessions() as session:
        rows = (await session.scalars(select(MediaObject).where(MediaObject.id == uuid.UUID(media_id)))).all()
    assert [(str(r.owner_id), str(r.invitation_id), str(r.question_id), r.status) for r in rows] == [
        (candidate.id, interview.invitation_id, interview.question_ids[0], "deleted")
    ]
    refused = await answer(
        client,
        candidate,
        interview,
        {"questionId": interview.question_ids[0], "responseType": "video", "mediaId": media_id},
    )
    assert refused.json()["code"] == "MEDIA_NOT_READY"


@pytest.mark.parametrize(
    ("template_settings", "retakes"),
    [
        ({"allowRetakes": False, "maxRetakes": 5}, 0),
        ({"allowRetakes": True}, 1),
        ({"allowRetakes": True, "maxRetakes": 3}, 3),
    ],
)
async def test_a_retake_replaces_the_answer_only_as_often_as_the_template_allows(
    client, hr, candidate, make_template, make_invitation, template_settings, retakes
) -> None:
    template = await make_template(hr, questions=[TEXT], settings=template_settings)
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    question_id = interview.question_ids[0]

    takes = [
        await answer(client, candidate, interview, {"questionId": question_id, "textAnswer": f"take {n}"})
        for n in range(retakes + 2)
    ]

    assert [t.status_code for t in takes] == [201] * (retakes + 1) + [409]
    assert takes[-1].json()["code"] == ("RETAKES_EXHAUSTED" if retakes else "DUPLICATE_RESPONSE")
    assert len({t.json()["id"] for t in takes[:-1]}) == 1
    (stored,) = await responses(client, candidate, interview)
    assert (stored["textAnswer"], stored["attempts"]) == (f"take {retakes}", retakes + 1)


async def test_a_retaken_video_answer_names_the_new_recording_and_a_refused_retake_keeps_the_old_one(
    client, hr, candidate, make_template, make_invitation, ready_media, new_events
) -> None:
    template = await make_template(hr, questions=[VIDEO], settings={"allowRetakes": True})
    interview = await make_invitation(hr, candidate, interview=template, start=True)
    video_q = interview.question_ids[0]
    first, second = [await ready_media(candidate, interview.invitation_id, video_q) for _ in range(2)]

    took = [
        await answer(client, candidate, interview, {"questionId": video_q, "responseType": "video", "mediaId": m})
        for m in (first, str(uuid.uuid4()), second)
    ]
    await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)

    # A retake naming an unknown recording is refused and leaves the allowance untouched.
    assert [t.status_code for t in took] == [201, 422, 201]
    (completed,) = [r for r in await new_events() if r.event_type == "invitation.completed"]
    assert [r["mediaId"] for r in completed.payload["payload"]["responses"]] == [second]


async def test_the_interview_page_learns_the_templates_settings_and_retake_allowance(
    client, hr, candidate, make_template, make_invitation
) -> None:
    template = await make_template(hr, questions=[TEXT], settings={"allowRetakes": True, "maxRetakes": 2})
    interview = await make_invitation(hr, candidate, interview=template)
    url = f"/api/invitations/{interview.invitation_id}"

    with_template = (await client.get(url, params={"includeTemplate": "true"}, headers=candidate.headers)).json()
    without = (await client.get(url, headers=candidate.headers)).json()

    assert with_template["templateSettings"] == {"allowRetakes": True, "maxRetakes": 2}
    assert with_template["retakesAllowed"] == 2
    assert "templateSettings" not in without and "retakesAllowed" not in without


@pytest.mark.parametrize("max_retakes", [0, 11, "two"])
async def test_a_retake_allowance_outside_one_to_ten_is_refused(client, hr, max_retakes) -> None:
    created = await client.post(
        "/api/templates",
        json={"title": "T", "description": "D", "settings": {"allowRetakes": True, "maxRetakes": max_retakes}},
        headers=hr.headers,
    )

    assert created.status_code == 422
    assert "settings.maxRetakes" in [d["field"] for d in created.json()["details"]]

"""Who may do what with an upload, what bad input gets, and that repeated deliveries change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import text

from kit.contracts.interviews import InvitationClaimed
from kit.events import Envelope
from kit.testing import INTERNAL_TOKEN
from media.commands import Jobs
from media.settings import Settings
from media.storage import Storage
from media.worker import process_media

from .conftest import Clips, StackFactory, identity


async def test_nobody_but_the_uploader_sees_confirms_resumes_or_aborts_an_upload_session(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    media_id = session["mediaId"]
    stranger = identity(str(uuid.uuid4()), "candidate")
    for who in (stranger, invitation.hr, identity(str(uuid.uuid4()), "admin")):
        for action in ("confirm", "abort"):
            refused = await stack.client.post(f"/api/v1/media/upload/{action}", headers=who, json={"mediaId": media_id})
            assert refused.status_code == 404, (who, action)
        assert (await stack.client.get(f"/api/v1/media/{media_id}/parts", headers=who)).status_code == 404
    assert (await stack.client.get(f"/api/v1/media/{media_id}", headers=stranger)).status_code == 404
    assert (await stack.client.get("/api/v1/media", headers=stranger)).json() == []
    mine = (await stack.client.get("/api/v1/media", headers=invitation.candidate)).json()
    assert [m["id"] for m in mine] == [media_id]
    assert await stack.scalar("SELECT status FROM media_objects WHERE id = :id", id=media_id) == "uploading"


async def test_only_the_owner_the_invitations_hr_and_admins_may_play_a_recording(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.video)
    await stack.settled(invitation.candidate, media_id)
    company_id = invitation.hr["x-company-id"]
    allowed = [
        invitation.candidate,
        invitation.hr,
        identity(str(uuid.uuid4()), "hr", company_id),  # a colleague in the inviting company
        identity(str(uuid.uuid4()), "admin"),
    ]
    refused = [
        identity(str(uuid.uuid4()), "candidate"),
        identity(str(uuid.uuid4()), "hr", str(uuid.uuid4())),
        identity(str(uuid.uuid4()), "hr"),
        identity(invitation.hr["x-user-id"], "candidate"),  # the HR's id, but not acting as HR
        identity(str(uuid.uuid4()), "pending"),
    ]
    for who in allowed:
        assert (await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=who)).status_code == 200, who
    for who in refused:
        assert (await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=who)).status_code == 404, who
        assert (await stack.client.get(f"/api/v1/media/{media_id}/transcription", headers=who)).status_code == 404
    deleted = await stack.client.delete(f"/api/v1/media/{media_id}", headers=invitation.hr)
    assert deleted.status_code == 404


async def test_only_the_invited_candidate_may_upload_answers_to_an_invitation(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    other = await stack.initiate(identity(str(uuid.uuid4()), "candidate"), invitation, clips.video)
    assert other.status_code == 403
    for role in ("hr", "admin", "pending"):
        assert (await stack.initiate(identity(str(uuid.uuid4()), role), invitation, clips.video)).status_code == 403
    assert (
        await stack.scalar("SELECT count(*) FROM media_objects WHERE invitation_id = :id", id=invitation.invitation_id)
        == 0
    )


async def test_once_an_e_mailed_invitation_is_claimed_only_the_claiming_account_may_upload_to_it(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    account = identity(str(uuid.uuid4()), "candidate")
    claimed = Envelope(
        event_type=InvitationClaimed.TYPE,
        source="interviews",
        aggregate_id=invitation.invitation_id,
        payload=InvitationClaimed(
            invitation_id=invitation.invitation_id,
            candidate_id=account["x-user-id"],
            claimed_at=datetime(2030, 1, 1, tzinfo=UTC),
        ).model_dump(mode="json", by_alias=True),
    )
    await stack.producer.send_and_wait(
        stack.settings.topic("interview-events"), claimed.to_json(), key=invitation.invitation_id.encode()
    )
    await stack.wait_for(
        "SELECT count(*) FROM invitation_access WHERE invitation_id = :id AND candidate_id = :candidate",
        1,
        id=invitation.invitation_id,
        candidate=account["x-user-id"],
    )

    assert (await stack.initiate(account, invitation, clips.video)).status_code == 201
    assert (await stack.initiate(invitation.candidate, invitation, clips.video)).status_code == 403


async def test_an_uploader_deletes_the_recording_and_its_bytes(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.video)
    await stack.settled(invitation.candidate, media_id)
    key, thumbnail = await stack.scalar(
        "SELECT array[object_key, thumbnail_key] FROM media_objects WHERE id = :id", id=media_id
    )
    assert await storage.size(thumbnail) is not None
    assert (await stack.client.delete(f"/api/v1/media/{media_id}", headers=invitation.candidate)).status_code == 204
    assert await storage.size(key) is None and await storage.size(thumbnail) is None
    playback = await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=invitation.candidate)
    assert playback.status_code == 409
    assert [e["eventType"] for e in await stack.events(media_id, 4)][-1] == "media.deleted"


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no internal token"),
        ({"x-internal-token": "forged", "x-user-id": "u1", "x-user-role": "admin"}, "a wrong internal token"),
        ({"x-user-id": "u1", "x-user-role": "admin"}, "identity headers without the token"),
        ({"x-internal-token": INTERNAL_TOKEN, "x-user-role": "admin"}, "no user id"),
        ({"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u1", "x-user-role": "root"}, "an unknown role"),
    ],
)
async def test_a_forged_or_missing_identity_is_refused(
    run_stack: StackFactory, settings: Settings, headers: dict[str, str], why: str
) -> None:
    stack = await run_stack(settings)
    body = {
        "invitationId": str(uuid.uuid4()),
        "questionId": str(uuid.uuid4()),
        "fileName": "a.mp4",
        "contentType": "video/mp4",
        "fileSize": 10,
    }
    assert (await stack.client.post("/api/v1/media/upload/initiate", headers=headers, json=body)).status_code == 401
    assert (await stack.client.get(f"/api/v1/media/{uuid.uuid4()}", headers=headers)).status_code == 401, why


async def test_bad_upload_requests_are_refused_with_the_field_that_is_wrong(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    cases = [
        ({"fileSize": "big"}, 422, "fileSize"),
        ({"fileSize": 0}, 422, "fileSize"),
        ({"invitationId": "not-a-uuid"}, 422, "invitationId"),
        ({"extra": True}, 422, "extra"),
    ]
    for body, status, field in cases:
        response = await stack.initiate(invitation.candidate, invitation, clips.video, **body)
        assert response.status_code == status, body
        assert [d["field"] for d in response.json()["details"]] == [field]
    nul = await stack.initiate(invitation.candidate, invitation, clips.video, fileName="a\x00b.mp4")
    assert nul.status_code == 422
    assert [(d["field"], d["message"]) for d in nul.json()["details"]] == [
        ("fileName", "Value error, contains a NUL character")
    ]
    unsupported = await stack.initiate(invitation.candidate, invitation, clips.video, contentType="application/pdf")
    assert unsupported.status_code == 415
    # Recorder types carry codec parameters; the declared type is only a first filter.
    recorder = await stack.initiate(
        invitation.candidate, invitation, clips.video, contentType="video/webm;codecs=vp9,opus"
    )
    assert recorder.status_code == 201
    unknown = await stack.confirm(invitation.candidate, str(uuid.uuid4()))
    assert unknown.status_code == 404
    nothing_yet = await stack.confirm(invitation.candidate, recorder.json()["mediaId"])
    assert nothing_yet.status_code == 409 and nothing_yet.json()["code"] == "UPLOAD_INCOMPLETE"


async def test_repeated_confirms_jobs_and_events_have_no_second_effect(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.video)
    again = await stack.confirm(invitation.candidate, media_id)
    assert again.status_code == 200
    await stack.settled(invitation.candidate, media_id)
    jobs = Jobs(stack.settings)
    ctx = {"settings": stack.settings, "storage": storage, "sessions": stack.sessions, "jobs": jobs}
    assert await process_media(ctx, media_id) == "skipped (ready)"
    await jobs.close()

    async with stack.sessions() as session:
        rows = await session.execute(
            text("SELECT event_type, count(*) FROM outbox WHERE key = :id GROUP BY event_type"),
            {"id": media_id},
        )
        counts = dict(rows.tuples().all())
    assert counts == {"media.uploaded": 1, "media.processed": 1, "transcription.unavailable": 1}

    # The same invitation.created delivered twice (a relay retry) is applied once.
    envelope = Envelope(
        event_type="invitation.created",
        source="interviews",
        aggregate_id=invitation.invitation_id,
        payload={
            "invitationId": invitation.invitation_id,
            "templateId": str(uuid.uuid4()),
            "templateTitle": "T",
            "candidateId": str(uuid.uuid4()),
            "companyId": "c",
            "companyName": "C",
            "invitedBy": "someone-else",
            "expiresAt": "2030-01-01T00:00:00Z",
        },
    )
    record = ConsumerRecord(
        topic=stack.settings.topic("interview-events"),
        partition=0,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=envelope.to_json(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[],
    )
    assert await stack.consumer.handle(record) == "ok"
    assert await stack.consumer.handle(record) == "duplicate"
    # The first announcement of an invitation stands: a later conflicting one cannot hand its answers to another HR.
    hr = await stack.scalar(
        "SELECT hr_user_id FROM invitation_access WHERE invitation_id = :id", id=invitation.invitation_id
    )
    assert hr == invitation.hr["x-user-id"]

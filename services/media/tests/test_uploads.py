"""Uploads end to end: the API signs, the bytes go straight to S3 (SeaweedFS), the worker probes them with
the real ffprobe and transcribes them through the real groq SDK talking to a local Whisper stand-in."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy import text

from media.commands import Jobs
from media.settings import MIB, Settings
from media.storage import Storage
from media.transcription import NOT_SET_UP, SERVICE_FAILED
from media.worker import purge, sweep_stalled
from standins.transcription import SPOKEN, WhisperStandIn

from .conftest import Clips, StackFactory, identity


async def test_a_video_answer_goes_from_a_presigned_upload_through_ffprobe_to_a_timed_transcript(
    run_stack: StackFactory, transcribing: Settings, whisper: WhisperStandIn, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(transcribing)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    assert session["uploadMode"] == "single" and session["status"] == "uploading"

    put = await stack.s3.put(session["uploadUrl"], content=clips.video.data, headers=session["uploadHeaders"])
    assert put.status_code == 200
    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "processing"
    media_id = session["mediaId"]

    status = await stack.settled(invitation.candidate, media_id)
    assert status == {
        "mediaId": media_id,
        "status": "ready",
        "reason": None,
        "transcriptStatus": "completed",
        "transcriptReason": None,
        "renditionStatus": "not_needed",  # H.264/AAC in MP4 plays as uploaded
        "renditionProgress": None,
        "renditionReason": None,
    }
    media = (await stack.client.get(f"/api/v1/media/{media_id}", headers=invitation.candidate)).json()
    assert (media["videoCodec"], media["audioCodec"], media["width"], media["height"]) == ("h264", "aac", 320, 240)
    assert 1.9 <= media["durationSeconds"] <= 2.2
    assert media["size"] == len(clips.video.data)
    assert media["hasThumbnail"] is True
    thumb = (await stack.client.get(f"/api/v1/media/{media_id}/thumbnail", headers=invitation.hr)).json()
    assert (await stack.s3.get(thumb["url"])).content[:3] == b"\xff\xd8\xff"  # a JPEG

    transcript = (await stack.client.get(f"/api/v1/media/{media_id}/transcription", headers=invitation.hr)).json()
    assert transcript["status"] == "completed" and transcript["text"] == SPOKEN
    assert transcript["language"] == "english" and transcript["model"] == "whisper-large-v3-turbo"
    assert [(s["start"], s["end"]) for s in transcript["segments"]] == [(0.0, 1.2), (1.2, 2.0)]
    # The provider got the extracted 16 kHz mono FLAC, not the video.
    [sent] = whisper.requests
    assert sent.file_head == b"fLaC" and sent.response_format == "verbose_json"
    assert sent.file_size < len(clips.video.data)

    events = await stack.events(media_id, 3)
    assert [e["eventType"] for e in events] == ["media.uploaded", "media.processed", "transcription.completed"]
    assert events[1]["payload"]["status"] == "ready" and events[1]["payload"]["videoCodec"] == "h264"
    assert events[2]["payload"]["segments"][1] == {"start": 1.2, "end": 2.0, "text": "where the time goes."}
    assert {e["payload"]["invitationId"] for e in events} == {invitation.invitation_id}

    # Playback: short-lived presigned GETs for the owner and the invitation's HR; the bucket itself is private.
    for who in (invitation.candidate, invitation.hr, identity(str(uuid.uuid4()), "admin")):
        playback = await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=who)
        assert playback.status_code == 200
        assert (await stack.s3.get(playback.json()["url"])).content == clips.video.data
    download = (await stack.client.get(f"/api/v1/media/{media_id}/download", headers=invitation.hr)).json()
    assert "attachment" in (await stack.s3.get(download["url"])).headers["content-disposition"]
    anonymous = await stack.s3.get(f"{transcribing.s3_endpoint}/{storage.bucket}/{media['id']}")
    assert anonymous.status_code == 403
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=media_id)
    assert (await stack.s3.get(f"{transcribing.s3_endpoint}/{storage.bucket}/{key}")).status_code == 403


async def test_a_multipart_upload_resumes_from_the_parts_s3_already_holds(
    run_stack: StackFactory, settings: Settings, clips: Clips, tmp_path: Path
) -> None:
    # No key, and the local model's directory is empty: no engine to transcribe with.
    stack = await run_stack(settings, transcription_engine="auto", local_transcription_model_path=str(tmp_path))
    invitation = await stack.invitation()
    data = clips.large.data
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    assert session["uploadMode"] == "multipart" and session["partSize"] == 5 * MIB and session["partCount"] == 2
    first = await stack.s3.put(session["parts"][0]["url"], content=data[: 5 * MIB])
    assert first.status_code == 200

    # The connection drops here; later the client asks what S3 already holds and continues from there.
    early = await stack.confirm(invitation.candidate, session["mediaId"])
    assert early.status_code == 409 and early.json()["details"] == {"missingParts": [2]}
    parts = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/parts", headers=invitation.candidate)).json()
    assert [(p["partNumber"], p["size"]) for p in parts["uploadedParts"]] == [(1, 5 * MIB)]
    assert [p["partNumber"] for p in parts["missingParts"]] == [2]
    second = await stack.s3.put(parts["missingParts"][0]["url"], content=data[5 * MIB :])
    assert second.status_code == 200

    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 200 and confirmed.json()["size"] == len(data)
    status = await stack.settled(invitation.candidate, session["mediaId"])
    assert (status["status"], status["transcriptStatus"]) == ("ready", "unavailable")
    assert status["transcriptReason"] == NOT_SET_UP
    playback = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/stream", headers=invitation.hr)).json()
    assert (await stack.s3.get(playback["url"])).content == data
    events = await stack.events(session["mediaId"], 3)
    assert events[2]["eventType"] == "transcription.unavailable"
    assert events[2]["payload"]["reason"] == NOT_SET_UP


async def test_a_file_that_claims_to_be_mp4_but_is_no_media_is_rejected_and_deleted(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.fake)

    status = await stack.settled(invitation.candidate, media_id)
    assert status["status"] == "rejected" and status["reason"].startswith("Not a readable audio or video file")
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=media_id)
    assert await storage.size(key) is None
    playback = await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=invitation.candidate)
    assert playback.status_code == 409 and playback.json()["code"] == "MEDIA_NOT_READY"
    events = await stack.events(media_id, 2)
    assert [e["eventType"] for e in events] == ["media.uploaded", "media.failed"]
    assert events[1]["payload"]["reason"] == status["reason"]


async def test_a_recording_longer_than_the_maximum_duration_is_rejected_and_deleted(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.long)

    status = await stack.settled(invitation.candidate, media_id)
    assert status["status"] == "rejected"
    assert status["reason"].startswith("The recording lasts 40.") and "maximum of 30 s" in status["reason"]
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=media_id)
    assert await storage.size(key) is None


async def test_an_oversize_file_is_refused_up_front_and_an_oversize_upload_is_deleted(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings, max_upload_bytes=MIB)
    invitation = await stack.invitation()
    declared = await stack.initiate(invitation.candidate, invitation, clips.video, fileSize=MIB + 1)
    assert declared.status_code == 413 and declared.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert (
        await stack.scalar("SELECT count(*) FROM media_objects WHERE invitation_id = :id", id=invitation.invitation_id)
        == 0
    )

    # The upload URL is signed for the declared size, so S3 refuses a body of another length; should more be
    # stored anyway (an operator's copy, a part list S3 assembles), the stored size decides.
    session = (await stack.initiate(invitation.candidate, invitation, clips.video, fileSize=1000)).json()
    lie = await stack.s3.put(session["uploadUrl"], content=b"\0" * (MIB + 1), headers=session["uploadHeaders"])
    assert lie.status_code == 403
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=session["mediaId"])
    await storage.put(key, b"\0" * (MIB + 1), "video/mp4")
    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 413
    status = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/status", headers=invitation.candidate)).json()
    assert status["status"] == "rejected" and str(MIB + 1) in status["reason"]
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=session["mediaId"])
    assert await storage.size(key) is None


async def test_a_failing_transcription_provider_leaves_the_transcript_unavailable_with_its_reason(
    run_stack: StackFactory, transcribing: Settings, whisper: WhisperStandIn, clips: Clips
) -> None:
    whisper.failing = True
    stack = await run_stack(transcribing)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.video)

    status = await stack.settled(invitation.candidate, media_id)
    assert (status["status"], status["transcriptStatus"]) == ("ready", "unavailable")
    # The provider's own message (which may quote the request) goes to the log, not to users.
    assert status["transcriptReason"] == SERVICE_FAILED
    transcript = (await stack.client.get(f"/api/v1/media/{media_id}/transcription", headers=invitation.hr)).json()
    assert transcript["text"] is None and transcript["segments"] == []
    assert len(whisper.requests) == 3  # the SDK's own two retries, then no invented text


async def test_an_aborted_multipart_upload_leaves_no_parts_behind(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    await stack.s3.put(session["parts"][0]["url"], content=clips.large.data[: 5 * MIB])

    aborted = await stack.client.post(
        "/api/v1/media/upload/abort", headers=invitation.candidate, json={"mediaId": session["mediaId"]}
    )
    assert aborted.status_code == 200 and aborted.json()["status"] == "aborted"
    late = await stack.s3.put(session["parts"][1]["url"], content=clips.large.data[5 * MIB :])
    assert late.status_code == 404  # NoSuchUpload
    again = await stack.confirm(invitation.candidate, session["mediaId"])
    assert again.status_code == 409 and again.json()["code"] == "MEDIA_NOT_UPLOADING"


async def test_an_expired_upload_url_is_refused_by_s3_and_nothing_is_stored(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings, upload_url_ttl_s=1)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    await asyncio.sleep(2.5)  # past the URL's expiry, not a timing threshold

    late = await stack.s3.put(session["uploadUrl"], content=clips.video.data, headers=session["uploadHeaders"])
    assert late.status_code == 403
    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 409 and confirmed.json()["code"] == "UPLOAD_INCOMPLETE"
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=session["mediaId"])
    assert await storage.size(key) is None


async def test_a_confirmed_upload_whose_job_was_lost_is_processed_after_the_sweep(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings, stale_processing_s=0.0)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    await stack.s3.put(session["uploadUrl"], content=clips.video.data, headers=session["uploadHeaders"])
    # Confirmed, but its job never reached Redis (as when Redis is down at that moment).
    async with stack.sessions() as db, db.begin():
        await db.execute(
            text("UPDATE media_objects SET status = 'processing', size = :size WHERE id = :id"),
            {"size": len(clips.video.data), "id": session["mediaId"]},
        )

    jobs = Jobs(stack.settings)
    try:
        ctx = {"settings": stack.settings, "storage": storage, "sessions": stack.sessions, "jobs": jobs}
        assert await sweep_stalled(ctx) >= 1
    finally:
        await jobs.close()
    status = await stack.settled(invitation.candidate, session["mediaId"])
    assert (status["status"], status["transcriptStatus"]) == ("ready", "unavailable")


async def test_the_purge_aborts_abandoned_uploads_and_deletes_recordings_past_the_retention(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    kept = await stack.upload(invitation.candidate, invitation, clips.video)
    await stack.settled(invitation.candidate, kept)
    abandoned = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    await stack.s3.put(abandoned["parts"][0]["url"], content=clips.large.data[: 5 * MIB])

    ctx = {"settings": stack.settings, "storage": storage, "sessions": stack.sessions}
    assert await purge(ctx) == 0  # nothing is old enough under the defaults

    ctx["settings"] = stack.settings.model_copy(update={"abandoned_upload_s": 0.0, "retention_s": 0.001})
    assert await purge(ctx) == 2
    status = await stack.client.get(f"/api/v1/media/{abandoned['mediaId']}/status", headers=invitation.candidate)
    assert status.json()["status"] == "aborted"
    late = await stack.s3.put(abandoned["parts"][1]["url"], content=clips.large.data[5 * MIB :])
    assert late.status_code == 404
    media = (await stack.client.get(f"/api/v1/media/{kept}", headers=invitation.candidate)).json()
    assert media["status"] == "deleted"
    key = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=kept)
    assert await storage.size(key) is None
    transcript = (await stack.client.get(f"/api/v1/media/{kept}/transcription", headers=invitation.candidate)).json()
    assert transcript["text"] is None


async def test_a_multipart_upload_s3_no_longer_knows_is_a_conflict_not_a_server_error(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    await stack.s3.put(session["parts"][0]["url"], content=clips.large.data[: 5 * MIB])
    # Gone behind the service's back (an operator's clean-up, a bucket lifecycle rule).
    key, upload_id = await stack.scalar(
        "SELECT array[object_key, upload_id] FROM media_objects WHERE id = :id", id=session["mediaId"]
    )
    await storage.abort_multipart(key, upload_id)

    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 409 and confirmed.json()["details"] == {"s3Code": "NoSuchUpload"}
    parts = await stack.client.get(f"/api/v1/media/{session['mediaId']}/parts", headers=invitation.candidate)
    assert parts.status_code == 409 and parts.json()["details"] == {"s3Code": "NoSuchUpload"}


async def test_a_confirm_retried_after_s3_assembled_the_parts_keeps_the_assembled_upload(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    data = clips.large.data
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    for part, chunk in zip(session["parts"], (data[: 5 * MIB], data[5 * MIB :]), strict=True):
        assert (await stack.s3.put(part["url"], content=chunk)).status_code == 200
    # A first confirm got as far as assembling the parts, then failed before it committed.
    key, upload_id = await stack.scalar(
        "SELECT array[object_key, upload_id] FROM media_objects WHERE id = :id", id=session["mediaId"]
    )
    await storage.complete_multipart(key, upload_id, await storage.list_parts(key, upload_id))

    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 200 and confirmed.json()["size"] == len(data)
    assert (await stack.settled(invitation.candidate, session["mediaId"]))["status"] == "ready"

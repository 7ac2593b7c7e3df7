"""Uploads end to end: the API signs, the bytes go straight to S3 (SeaweedFS), the worker probes them with
the real ffprobe and transcribes them through the real groq SDK talking to a local Whisper stand-in."""

from __future__ import annotations

import uuid

from media.settings import Settings
from media.storage import Storage
from media.testing import SPOKEN, WhisperStandIn

from .conftest import Clips, StackFactory, identity


async def test_a_video_answer_goes_from_a_presigned_upload_through_ffprobe_to_a_timed_transcript(
    run_stack: StackFactory, transcribing: Settings, whisper: WhisperStandIn, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(transcribing)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    assert session["uploadMode"] == "single" and session["status"] == "uploading"

    put = await stack.s3.put(session["uploadUrl"], content=clips.video.data)
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
    }
    media = (await stack.client.get(f"/api/v1/media/{media_id}", headers=invitation.candidate)).json()
    assert (media["videoCodec"], media["audioCodec"], media["width"], media["height"]) == ("h264", "aac", 320, 240)
    assert 1.9 <= media["durationSeconds"] <= 2.2
    assert media["size"] == len(clips.video.data)

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
    key = f"answers/{invitation.invitation_id}/{invitation.question_id}/{media_id}"
    assert (await stack.s3.get(f"{transcribing.s3_endpoint}/{storage.bucket}/{key}")).status_code == 403

"""Playback in a browser: a video it cannot play is transcoded by the worker (real ffmpeg) to a small H.264/AAC
MP4 beside the original in S3, and the stream URL serves that; speech-like audio reaches the transcription
provider as 16 kHz mono of the recording's length."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from media.processing import ProbeFailed, transcode
from media.settings import Settings
from media.storage import Storage
from standins.transcription import WhisperStandIn

from .conftest import Clips, Stack, StackFactory, probe_bytes


async def rendition_settled(stack: Stack, who: dict[str, str], media_id: str) -> dict[str, Any]:
    async with asyncio.timeout(120):
        while True:
            status: dict[str, Any] = (await stack.client.get(f"/api/v1/media/{media_id}/status", headers=who)).json()
            if status["renditionStatus"] in ("ready", "failed", "not_needed"):
                return status
            await asyncio.sleep(0.1)


def streams(probed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["codec_type"]: s for s in probed["streams"]}


async def test_a_video_browsers_cannot_play_is_served_as_a_small_h264_mp4_rendition_beside_the_original(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.avi, content_type="video/x-msvideo")

    status = await rendition_settled(stack, invitation.candidate, media_id)
    assert (status["status"], status["renditionStatus"], status["renditionProgress"]) == ("ready", "ready", 1.0)
    assert status["renditionReason"] is None
    media = (await stack.client.get(f"/api/v1/media/{media_id}", headers=invitation.hr)).json()
    assert (media["videoCodec"], media["audioCodec"], media["container"]) == ("mpeg4", "pcm_s16le", "avi")
    assert media["renditionStatus"] == "ready"

    playback = (await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=invitation.hr)).json()
    rendition = (await stack.s3.get(playback["url"])).content
    assert len(rendition) < len(clips.avi.data)
    probed = probe_bytes(rendition)
    played = streams(probed)
    assert "mp4" in probed["format"]["format_name"].split(",")
    assert (played["video"]["codec_name"], played["audio"]["codec_name"]) == ("h264", "aac")
    assert (played["video"]["width"], played["video"]["height"]) == (854, 480)  # scaled down, aspect kept
    assert abs(float(probed["format"]["duration"]) - media["durationSeconds"]) < 0.2
    # The download stays the original bytes.
    download = (await stack.client.get(f"/api/v1/media/{media_id}/download", headers=invitation.hr)).json()
    assert (await stack.s3.get(download["url"])).content == clips.avi.data

    rendition_key = await stack.scalar("SELECT rendition_key FROM media_objects WHERE id = :id", id=media_id)
    assert rendition_key.startswith("renditions/") and await storage.size(rendition_key) == len(rendition)
    deleted = await stack.client.delete(f"/api/v1/media/{media_id}", headers=invitation.candidate)
    assert deleted.status_code == 204
    assert await storage.size(rendition_key) is None


async def test_a_failed_transcode_is_recorded_with_its_reason_and_the_original_still_streams(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings, rendition_preset="no-such-preset")
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.avi, content_type="video/x-msvideo")

    status = await rendition_settled(stack, invitation.candidate, media_id)
    assert (status["status"], status["renditionStatus"]) == ("ready", "failed")
    assert status["renditionReason"].startswith("The web-playable rendition failed")
    playback = (await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=invitation.candidate)).json()
    assert (await stack.s3.get(playback["url"])).content == clips.avi.data
    assert await stack.scalar("SELECT rendition_key FROM media_objects WHERE id = :id", id=media_id) is None


async def test_transcoding_reports_growing_progress_below_completion(
    settings: Settings, clips: Clips, tmp_path: Path
) -> None:
    source, target = tmp_path / "answer.avi", tmp_path / "rendition.mp4"
    source.write_bytes(clips.avi.data)
    reported: list[float] = []

    async def record(fraction: float) -> None:
        reported.append(fraction)

    await transcode(settings, str(source), target, 3.0, record, input_format="avi")
    assert reported and reported == sorted(reported) and 0.5 < reported[-1] <= 0.99
    assert streams(probe_bytes(target.read_bytes()))["video"]["codec_name"] == "h264"

    with pytest.raises(ProbeFailed):
        await transcode(settings, str(tmp_path / "missing.avi"), target, 3.0, record, input_format="avi")


async def test_speech_in_a_webcam_recording_reaches_the_provider_as_16_khz_mono_of_the_same_length(
    run_stack: StackFactory, transcribing: Settings, whisper: WhisperStandIn, clips: Clips
) -> None:
    stack = await run_stack(transcribing)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.speech)

    status = await stack.settled(invitation.candidate, media_id)
    assert (status["status"], status["transcriptStatus"], status["renditionStatus"]) == (
        "ready",
        "completed",
        "not_needed",
    )
    [sent] = whisper.requests
    assert (sent.sample_rate, sent.channels) == (16000, 1)
    assert sent.duration_seconds is not None and abs(sent.duration_seconds - clips.speech_seconds) < 0.1
    # A web-playable original is streamed as uploaded: no rendition is made.
    playback = (await stack.client.get(f"/api/v1/media/{media_id}/stream", headers=invitation.hr)).json()
    assert (await stack.s3.get(playback["url"])).content == clips.speech.data
    assert await stack.scalar("SELECT rendition_key FROM media_objects WHERE id = :id", id=media_id) is None

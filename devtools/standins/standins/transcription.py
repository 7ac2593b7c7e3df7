"""A local stand-in of the OpenAI-compatible transcription API (Groq's path) for the media and journey tests:
the real `groq` SDK sends it the extracted audio over HTTP on 127.0.0.1, and it answers `verbose_json`
with timed segments (or a server error when told to). It records what it received, as ffprobe reads it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from standins.server import HttpStandIn

TRANSCRIPTIONS_PATH = "/openai/v1/audio/transcriptions"
SPOKEN = "I would start by measuring where the time goes."


@dataclass
class Received:
    model: str
    response_format: str
    file_name: str
    file_head: bytes
    file_size: int
    sample_rate: int | None
    channels: int | None
    duration_seconds: float | None


def _audio_facts(content: bytes) -> tuple[int | None, int | None, float | None]:
    """Sample rate, channel count and duration of the received audio, from ffprobe."""
    with tempfile.NamedTemporaryFile(suffix=".audio") as file:
        file.write(content)
        file.flush()
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", file.name],
            capture_output=True,
            check=False,
        )
    if result.returncode != 0:
        return None, None, None
    probed = json.loads(result.stdout)
    audio: dict[str, Any] = next((s for s in probed.get("streams", []) if s.get("codec_type") == "audio"), {})
    duration = probed.get("format", {}).get("duration")
    return (
        int(audio["sample_rate"]) if "sample_rate" in audio else None,
        audio.get("channels"),
        float(duration) if duration is not None else None,
    )


@dataclass
class WhisperStandIn(HttpStandIn):
    failing: bool = False
    requests: list[Received] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post(TRANSCRIPTIONS_PATH)
        async def transcriptions(request: Request) -> JSONResponse:
            form = await request.form()
            upload: Any = form["file"]
            content = await upload.read()
            sample_rate, channels, duration = await asyncio.to_thread(_audio_facts, content)
            self.requests.append(
                Received(
                    model=str(form.get("model")),
                    response_format=str(form.get("response_format")),
                    file_name=str(upload.filename),
                    file_head=content[:4],
                    file_size=len(content),
                    sample_rate=sample_rate,
                    channels=channels,
                    duration_seconds=duration,
                )
            )
            if self.failing:
                return JSONResponse({"error": {"message": "upstream exploded", "type": "server_error"}}, 500)
            return JSONResponse(
                {
                    "task": "transcribe",
                    "language": "english",
                    "duration": 2.0,
                    "text": f" {SPOKEN}",
                    "segments": [
                        {"id": 0, "start": 0.0, "end": 1.2, "text": " I would start by measuring"},
                        {"id": 1, "start": 1.2, "end": 2.0, "text": " where the time goes."},
                    ],
                }
            )

        return app

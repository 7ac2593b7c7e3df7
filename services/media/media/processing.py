"""ffprobe checks, audio extraction, thumbnails and renditions with ffmpeg.

ffprobe and ffmpeg read a local copy of the stored object (the worker downloads it first), through the `file`
protocol alone and only as one of the accepted containers: a file that is really a playlist (HLS, DASH,
concat) or any container naming other URLs cannot make them fetch anything. ffmpeg is then told the container
ffprobe found (`-f`), so a later run cannot read the same bytes as something else.

What ffmpeg prints goes to the log; the reason users read is a plain sentence that names no path or URL."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from media.domain import ProbeFacts
from media.settings import Settings

log = structlog.get_logger("media.processing")


class ProbeFailed(Exception):
    """ffprobe or ffmpeg could not read the file. The message is for users; `detail` (ffmpeg's own words,
    which name the local path) only for the log."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


def _input(settings: Settings, path: str, input_format: str | None = None) -> list[str]:
    """The input options of every run: the local file alone, read only as an accepted container."""
    forced = ["-f", input_format] if input_format else []
    return [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ",".join(settings.allowed_containers),
        *forced,
        "-i",
        f"file:{path}",
    ]


def _failed(message: str, code: int, err: bytes) -> ProbeFailed:
    detail = err.decode(errors="replace").strip()[-2000:] or f"exited with {code}"
    log.warning("media.ffmpeg_failed", reason=message, detail=detail)
    return ProbeFailed(message, detail)


async def _run(settings: Settings, *args: str) -> tuple[int, bytes, bytes]:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), settings.ffmpeg_timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, out, err


async def probe(settings: Settings, path: str) -> dict[str, Any]:
    code, out, err = await _run(
        settings,
        settings.ffprobe_path,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        *_input(settings, path),
    )
    if code != 0:
        raise _failed("Not a readable audio or video file", code, err)
    result: dict[str, Any] = json.loads(out or b"{}")
    # ffprobe names its input (a local temporary path): nothing anyone needs to keep.
    (result.get("format") or {}).pop("filename", None)
    return result


def refusal(settings: Settings, kind: str, facts: ProbeFacts, size: int) -> str | None:
    """Why the probed object is refused, or None when it passes every check."""
    if size > settings.max_upload_bytes:
        return f"The stored object has {size} bytes, more than the maximum of {settings.max_upload_bytes}"
    if not facts.formats & set(settings.allowed_containers):
        return f"Container {facts.container or 'unknown'!r} is not allowed"
    if facts.video_codec is None and facts.audio_codec is None:
        return "The file has no audio or video stream"
    if kind == "video" and facts.video_codec is None:
        return "A video answer has no video stream"
    if facts.video_codec is not None and facts.video_codec not in settings.allowed_video_codecs:
        return f"Video codec {facts.video_codec!r} is not allowed"
    if facts.audio_codec is not None and facts.audio_codec not in settings.allowed_audio_codecs:
        return f"Audio codec {facts.audio_codec!r} is not allowed"
    if facts.duration_seconds is not None and facts.duration_seconds > settings.max_duration_s:
        return (
            f"The recording lasts {facts.duration_seconds:.1f} s, "
            f"more than the maximum of {settings.max_duration_s:.0f} s"
        )
    return None


async def extract_audio(settings: Settings, path: str, target: Path, *, input_format: str) -> None:
    """The audio track as 16 kHz mono FLAC: what Whisper resamples to anyway, a few MB for ten minutes."""
    code, _, err = await _run(
        settings,
        settings.ffmpeg_path,
        "-nostdin",
        "-v",
        "error",
        "-y",
        *_input(settings, path, input_format),
        "-vn",
        "-ac",
        "1",
        "-ar",
        "16000",
        "-c:a",
        "flac",
        str(target),
    )
    if code != 0:
        raise _failed("The audio track could not be extracted", code, err)


async def thumbnail(settings: Settings, path: str, at_s: float, *, input_format: str) -> bytes:
    """One JPEG frame, 320 px wide, for the HR review list."""
    with tempfile.TemporaryDirectory(prefix="media-") as folder:
        target = Path(folder) / "thumbnail.jpg"
        code, _, err = await _run(
            settings,
            settings.ffmpeg_path,
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{at_s:.2f}",
            *_input(settings, path, input_format),
            "-frames:v",
            "1",
            "-vf",
            "scale=320:-2",
            str(target),
        )
        if code != 0 or not await asyncio.to_thread(target.exists):
            raise _failed("No frame could be taken from the video", code, err)
        return await asyncio.to_thread(target.read_bytes)


async def transcode(
    settings: Settings,
    path: str,
    target: Path,
    duration_s: float | None,
    on_progress: Callable[[float], Awaitable[None]],
    *,
    input_format: str,
) -> None:
    """A small web-playable H.264/AAC MP4 (fast preset, at most `rendition_max_height` lines, moov atom first
    so playback starts before the whole file is fetched). ffmpeg's `-progress` lines report the encoded time,
    which over the probed duration is the progress handed to `on_progress`."""
    height = settings.rendition_max_height
    process = await asyncio.create_subprocess_exec(
        settings.ffmpeg_path,
        "-nostdin",
        "-v",
        "error",
        "-y",
        *_input(settings, path, input_format),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        # Never upscale; -2 keeps the width even, as yuv420p needs.
        "-vf",
        f"scale=-2:'min({height},ih)'",
        "-c:v",
        "libx264",
        "-preset",
        settings.rendition_preset,
        "-crf",
        str(settings.rendition_crf),
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-movflags",
        "+faststart",
        "-progress",
        "pipe:1",
        "-nostats",
        str(target),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr_stream = process.stdout, process.stderr
    assert stdout is not None and stderr_stream is not None
    stderr = asyncio.ensure_future(stderr_stream.read())

    async def follow() -> None:
        async for raw in stdout:
            name, _, value = raw.decode(errors="replace").strip().partition("=")
            if name == "out_time_us" and duration_s and value.isdigit():
                await on_progress(min(int(value) / 1e6 / duration_s, 0.99))
        await process.wait()

    try:
        await asyncio.wait_for(follow(), settings.ffmpeg_timeout_s)
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    err = await stderr
    if process.returncode != 0:
        raise _failed("ffmpeg could not convert the video", process.returncode or 0, err)

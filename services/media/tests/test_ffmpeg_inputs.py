"""ffprobe and ffmpeg read only the stored recording: a local copy through the `file` protocol alone, only the
accepted containers, and later runs forced to the probed container. An uploaded HLS playlist that points at
a service inside the network is refused without a single request to it, and what users read of a refusal
names no URL, path or credential."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from media.processing import ProbeFailed, extract_audio, probe, thumbnail, transcode
from media.settings import Settings

from .conftest import Clip, Clips, StackFactory


@dataclass
class Listener:
    """A real TCP server on 127.0.0.1 standing in for an internal service; it records every connection."""

    port: int = 0
    connections: list[bytes] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(await reader.read(1024))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    listener = Listener()
    server = await asyncio.start_server(listener.serve, "127.0.0.1", 0)
    listener.port = server.sockets[0].getsockname()[1]
    async with server:
        yield listener


def playlist(port: int) -> bytes:
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:10.0,\nhttp://127.0.0.1:{port}/internal/segment0.ts\n"
        f"#EXTINF:10.0,\nhttp://127.0.0.1:{port}/internal/segment1.ts\n#EXT-X-ENDLIST\n"
    ).encode()


async def test_ffprobe_refuses_a_playlist_file_without_a_request_to_the_address_it_names(
    settings: Settings, listener: Listener, tmp_path: Path
) -> None:
    source = tmp_path / "answer.m3u8"
    source.write_bytes(playlist(listener.port))
    with pytest.raises(ProbeFailed) as refused:
        await probe(settings, str(source))
    assert listener.connections == []
    assert str(tmp_path) not in str(refused.value) and "127.0.0.1" not in str(refused.value)


async def test_an_uploaded_hls_playlist_is_rejected_without_a_request_to_the_address_it_names(
    run_stack: StackFactory, settings: Settings, listener: Listener
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    media_id = await stack.upload(invitation.candidate, invitation, Clip("answer.mp4", playlist(listener.port)))

    status = await stack.settled(invitation.candidate, media_id)
    assert status["status"] == "rejected"
    assert listener.connections == []
    reason = status["reason"]
    assert reason == "Not a readable audio or video file"
    for secret in ("127.0.0.1", "http", "X-Amz", settings.s3_access_key, "/tmp", "media-"):
        assert secret not in reason


async def test_ffmpeg_reads_a_recording_only_as_the_container_it_was_probed_as(
    settings: Settings, clips: Clips, tmp_path: Path
) -> None:
    source = tmp_path / "answer.avi"
    source.write_bytes(clips.avi.data)
    probed = await probe(settings, str(source))
    assert probed["format"]["format_name"] == "avi"
    assert "filename" not in probed["format"]  # the local path is nobody's business

    async def ignore(_: float) -> None:
        return None

    with pytest.raises(ProbeFailed) as transcoded:
        await transcode(settings, str(source), tmp_path / "rendition.mp4", 3.0, ignore, input_format="mov")
    with pytest.raises(ProbeFailed):
        await extract_audio(settings, str(source), tmp_path / "audio.flac", input_format="matroska")
    with pytest.raises(ProbeFailed):
        await thumbnail(settings, str(source), 1.0, input_format="mov")
    assert str(tmp_path) not in str(transcoded.value)
    await transcode(settings, str(source), tmp_path / "rendition.mp4", 3.0, ignore, input_format="avi")
    assert (tmp_path / "rendition.mp4").stat().st_size > 0

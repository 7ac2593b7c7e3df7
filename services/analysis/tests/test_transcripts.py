"""Recorded answers: transcripts from `media-events` on real Kafka feed the analysis, which waits for the last
one (in whichever order the events arrive), scores only what was transcribed, says how many answers the
score rests on, and places each quote in the recording."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from arq.connections import RedisSettings, create_pool
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from analysis import commands
from analysis.commands import Jobs
from analysis.domain import AnalysisResult, AnalysisStatus, InterviewSnapshot
from analysis.offline import OfflineEngine
from analysis.scoring import NO_TRANSCRIPT
from analysis.settings import Settings
from analysis.worker import analyse, sweep_pending
from kit.contracts.media import MediaFailed, Segment, TranscriptionCompleted, TranscriptionUnavailable
from kit.db import transaction
from kit.domain import utcnow
from kit.events import Envelope
from kit.testing import consume
from kit.worker import queue_name
from standins.llm import LlmStandIn

StackFactory = Callable[[Settings], Awaitable[Any]]
STATUS = "SELECT status FROM analysis_results WHERE invitation_id = :id"
TRANSCRIPTS = "SELECT count(*) FROM transcripts WHERE media_id = ANY(:ids)"
SEGMENTS = (
    Segment(start=0.0, end=2.5, text=" First I would measure"),
    Segment(start=2.5, end=6.0, text=" the read patterns of the service."),
    Segment(start=6.0, end=11.2, text=" Then I would add a write-through cache because most reads repeat."),
)


async def outcome_events(stack: Any, count: int) -> list[Envelope]:
    records = await consume(
        stack.settings.kafka_bootstrap, stack.settings.topic("analysis-events"), count, timeout_s=120
    )
    return sorted((Envelope.model_validate_json(r.value) for r in records), key=lambda e: e.occurred_at)


def with_recordings(payload: dict[str, Any], *media_ids: str) -> dict[str, Any]:
    """The snapshot with one video question per recording, answered by that media id (no typed text)."""
    for n, media_id in enumerate(media_ids, start=1):
        payload["questions"].append(
            {"id": f"v{n}", "text": f"Walk us through caching decision {n}.", "type": "video", "order": 10 + n}
        )
        payload["responses"].append(
            {"id": f"rv{n}", "questionId": f"v{n}", "responseType": "video", "mediaId": media_id, "duration": 12}
        )
    payload["responseCount"] = len(payload["responses"])
    return payload


def recorded_by(payload: dict[str, Any]) -> dict[str, str]:
    return {"owner_id": payload["candidateId"], "invitation_id": payload["invitationId"]}


def transcribed(
    payload: dict[str, Any], media_id: str, question_id: str, segments: tuple[Segment, ...] = SEGMENTS
) -> Any:
    return TranscriptionCompleted(
        media_id=media_id,
        question_id=question_id,
        text="".join(s.text for s in segments).strip(),
        language="en",
        duration_seconds=segments[-1].end,
        segments=list(segments),
        model="whisper-large-v3-turbo",
        **recorded_by(payload),
    )


async def test_a_transcript_that_arrived_first_is_scored_with_timed_quotes_and_a_refused_recording_is_not(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    stack = await run_stack(llm_settings)
    spoken, refused = str(uuid.uuid4()), str(uuid.uuid4())
    payload = with_recordings(make_snapshot(open_questions=1), spoken, refused)
    invitation = payload["invitationId"]

    await stack.publish_media(transcribed(payload, spoken, "v1"))
    await stack.publish_media(
        MediaFailed(media_id=refused, question_id="v2", reason="Unsupported codec: msmpeg4v2", **recorded_by(payload))
    )
    await stack.wait_for(TRANSCRIPTS, 2, ids=[spoken, refused])
    await stack.publish(payload)
    _, completed = await outcome_events(stack, 2)

    assert completed.event_type == "analysis.completed"
    assert (completed.payload["scoredAnswers"], completed.payload["totalAnswers"]) == (3, 4)
    view = (await stack.client.get(f"/api/v1/analysis/{invitation}", headers=as_user(payload["hrUserId"], "hr"))).json()
    typed, choice, video, lost = view["questionAnalyses"]
    assert (view["scoredAnswers"], view["totalAnswers"]) == (3, 4)
    assert view["overallScore"] == round((typed["score"] + choice["score"] + video["score"]) / 3)
    assert video["responseText"] == transcribed(payload, spoken, "v1").text and video["analysable"] is True
    criteria = {c["criterion"]: c for c in video["criteriaScores"]}
    # The stand-in quotes the first six words (spanning two segments) and the last five (the third segment).
    assert (criteria["relevance"]["evidenceStartS"], criteria["relevance"]["evidenceEndS"]) == (0.0, 6.0)
    assert (criteria["completeness"]["evidenceStartS"], criteria["completeness"]["evidenceEndS"]) == (6.0, 11.2)
    assert criteria["depth"]["evidenceStartS"] is None  # an invented quote is dropped and has no place either
    assert "evidenceStartS" in typed["criteriaScores"][0] and typed["criteriaScores"][0]["evidenceStartS"] is None
    assert (lost["score"], lost["analysable"], lost["feedback"], lost["criteriaScores"]) == (
        None,
        False,
        NO_TRANSCRIPT,
        [],
    )
    explained = await stack.client.get(
        f"/api/v1/analysis/{invitation}/explanation", headers=as_user(payload["candidateId"], "candidate")
    )
    # The candidate's explanation leaves out the choice (its verdict) and the recording that was not scored.
    assert [a["questionId"] for a in explained.json()["answers"]] == [typed["questionId"], video["questionId"]]
    assert [r.kind for r in llm.requests].count("question") == 2  # the typed answer and the transcribed one


async def test_an_interview_completed_first_waits_for_its_last_transcript_and_duplicate_transcripts_change_nothing(
    run_stack: StackFactory,
    llm_settings: Settings,
    llm: LlmStandIn,
    make_snapshot: Callable[..., dict[str, Any]],
    as_user: Callable[[str, str], dict[str, str]],
) -> None:
    stack = await run_stack(llm_settings)
    spoken, silent = str(uuid.uuid4()), str(uuid.uuid4())
    payload = with_recordings(make_snapshot(open_questions=0), spoken, silent)
    invitation = payload["invitationId"]

    await stack.publish(payload)
    await stack.wait_for(STATUS, "waiting_for_transcripts", id=invitation)
    first = await stack.publish_media(transcribed(payload, spoken, "v1"))
    await stack.publish_media(transcribed(payload, spoken, "v1"), event_id=first.event_id)  # redelivery
    other = (Segment(start=0.0, end=1.0, text="A different transcript of the same recording."),)
    late = await stack.publish_media(transcribed(payload, spoken, "v1", other))  # a second word, new event id
    await stack.wait_for("SELECT count(*) FROM processed_messages WHERE message_id = :id", 1, id=str(late.event_id))

    assert await stack.scalar(STATUS, id=invitation) == "waiting_for_transcripts"
    assert await stack.scalar(TRANSCRIPTS, ids=[spoken]) == 1
    assert llm.requests == []

    await stack.publish_media(
        TranscriptionUnavailable(
            media_id=silent,
            question_id="v2",
            reason="Automatic transcription is not set up on this platform",
            **recorded_by(payload),
        )
    )
    _, completed = await outcome_events(stack, 2)

    assert (completed.payload["scoredAnswers"], completed.payload["totalAnswers"]) == (2, 3)
    view = (await stack.client.get(f"/api/v1/analysis/{invitation}", headers=as_user(payload["hrUserId"], "hr"))).json()
    _, video, lost = view["questionAnalyses"]
    assert video["responseText"].startswith("First I would measure the read patterns")
    assert (lost["analysable"], lost["score"]) == (False, None)
    assert sorted(r.kind for r in llm.requests) == ["question", "summary"]
    completions = await stack.scalar(
        "SELECT count(*) FROM outbox WHERE event_type = 'analysis.completed' "
        "AND payload->'payload'->>'invitationId' = :id",
        id=invitation,
    )
    assert completions == 1


async def test_an_analysis_that_waited_too_long_runs_and_the_missing_transcripts_count_as_unavailable(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    payload = with_recordings(make_snapshot(open_questions=1), str(uuid.uuid4()))
    async with transaction(sessions) as session:
        requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
    assert requested is not None and requested.ready is False
    jobs = Jobs(settings)
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url), default_queue_name=queue_name(settings))
    ctx: dict[str, Any] = {"settings": settings, "sessions": sessions, "jobs": jobs}
    try:
        await sweep_pending(ctx)
        queued_early = [job.args for job in await pool.queued_jobs()]
        async with transaction(sessions) as session:
            status_early = await session.scalar(select(AnalysisResult.status).where(AnalysisResult.id == requested.id))
            await session.execute(
                update(AnalysisResult)
                .where(AnalysisResult.id == requested.id)
                .values(created_at=utcnow() - timedelta(seconds=settings.transcript_wait_s + 60))
            )
        await sweep_pending(ctx)
        queued = [job.args for job in await pool.queued_jobs()]
        await pool.delete(queue_name(settings))
    finally:
        await jobs.close()
        await pool.aclose()
    result = await analyse({**ctx, "scorer": OfflineEngine(), "job_id": "after-the-wait"}, str(requested.id))

    assert status_early == AnalysisStatus.WAITING_FOR_TRANSCRIPTS and (str(requested.id),) not in queued_early
    assert (str(requested.id),) in queued and result == "completed"
    async with sessions() as session:
        analysis = await session.scalar(
            select(AnalysisResult)
            .where(AnalysisResult.id == requested.id)
            .options(selectinload(AnalysisResult.questions))
        )
    assert analysis is not None
    assert (analysis.scored_answers, analysis.total_answers) == (2, 3)
    assert [q.score is None for q in analysis.questions] == [False, False, True]


async def test_a_transcript_event_without_a_media_id_is_dead_lettered_and_stores_nothing(
    run_stack: StackFactory, settings: Settings, make_snapshot: Callable[..., dict[str, Any]]
) -> None:
    stack = await run_stack(settings)
    payload = make_snapshot()
    broken = transcribed(payload, str(uuid.uuid4()), "v1").payload()
    media_id = broken.pop("mediaId")
    envelope = Envelope(event_type="transcription.completed", source="media", aggregate_id=media_id, payload=broken)
    await stack.producer.send_and_wait(stack.settings.topic("media-events"), envelope.to_json())

    (dead,) = await consume(stack.settings.kafka_bootstrap, stack.settings.topic("media-events") + "-dlq", 1)

    assert "mediaId" in dict(dead.headers)["dlq-error-message"].decode()
    assert (
        await stack.scalar("SELECT count(*) FROM transcripts WHERE invitation_id = :id", id=payload["invitationId"])
        == 0
    )

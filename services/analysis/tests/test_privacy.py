"""An erased invitation as analysis applies it: the analysis with its per-question scores and the transcripts go,
another interview's stay, the request's report counts them, and a redelivery changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analysis import commands
from analysis.commands import Jobs
from analysis.consumers import TOPICS, handlers
from analysis.domain import InterviewSnapshot, QuestionAnalysis, TranscriptStatus
from analysis.main import create_app
from analysis.settings import Settings
from kit.contracts.privacy import InvitationErased
from kit.db import transaction
from kit.events import Envelope
from kit.kafka import Consumer
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN, in_process_client


async def interview(sessions: async_sessionmaker[AsyncSession], payload: dict[str, Any]) -> None:
    """An analysed interview: its analysis with one question's score, and a recording's transcript."""
    async with transaction(sessions) as session:
        requested = await commands.request_analysis(session, InterviewSnapshot.model_validate(payload), payload)
        assert requested is not None
        session.add(
            QuestionAnalysis(
                analysis_id=requested.id,
                position=0,
                question_id="q1",
                question_text="Explain caching.",
                question_type="text",
                response_text="First I would measure.",
                score=80,
                feedback="Clear plan.",
            )
        )
        await commands.record_transcript(
            session,
            media_id=str(uuid.uuid4()),
            invitation_id=payload["invitationId"],
            question_id="v1",
            status=TranscriptStatus.COMPLETED,
            text="I would add a cache.",
            language="en",
            segments=[],
        )


async def count(sessions: async_sessionmaker[AsyncSession], sql: str, invitation_id: str) -> int:
    async with sessions() as session:
        return int(await session.scalar(text(sql), {"id": invitation_id}) or 0)


async def test_an_erased_invitation_leaves_no_analysis_score_or_transcript_and_reports_them_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], make_snapshot
) -> None:
    gone, kept = make_snapshot(), make_snapshot()
    await interview(sessions, gone)
    await interview(sessions, kept)
    table = handlers(Jobs(settings))
    consumer = Consumer(settings, sessions, table, TOPICS)
    erasure_id = uuid.uuid4()
    event = InvitationErased(
        invitation_id=gone["invitationId"],
        erasure_id=erasure_id,
        reason="subject",
        erased_at=datetime(2030, 1, 16, tzinfo=UTC),
    )
    request = Envelope.wrap(event, source="interviews", aggregate_id=gone["invitationId"], correlation_id=None)

    applied = [await consumer._apply(table[request.event_type], e) for e in (request, request)]

    assert applied == ["ok", "duplicate"]
    analyses = "SELECT count(*) FROM analysis_results WHERE invitation_id = CAST(:id AS uuid)"
    transcripts = "SELECT count(*) FROM transcripts WHERE invitation_id = :id"
    assert await count(sessions, analyses, gone["invitationId"]) == 0
    assert await count(sessions, transcripts, gone["invitationId"]) == 0
    assert await count(sessions, analyses, kept["invitationId"]) == 1
    assert await count(sessions, transcripts, kept["invitationId"]) == 1
    async with sessions() as session:
        orphans = await session.scalar(
            select(func.count())
            .select_from(QuestionAnalysis)
            .where(QuestionAnalysis.question_text == "Explain caching.")
        )
        reports = (await session.scalars(select(OutboxMessage).where(OutboxMessage.key == str(erasure_id)))).all()
    assert orphans == 1
    # Nothing was relayed in this test, so no published event named the invitation (kit's tests cover those).
    counts = {"analyses": 1, "questionScores": 1, "transcripts": 1, "publishedEvents": 0}
    assert [r.payload["payload"]["counts"] for r in reports] == [counts]
    assert reports[0].topic.endswith("analysis-events")
    await consumer.close()


async def test_the_export_holds_the_candidates_scores_with_evidence_and_transcripts_and_needs_the_internal_token(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], make_snapshot
) -> None:
    candidate = str(uuid.uuid4())
    await interview(sessions, make_snapshot(candidate_id=candidate))
    await interview(sessions, make_snapshot())
    app = create_app(settings)

    async with in_process_client(app, sessions) as client:
        exported = await client.get(f"/internal/subjects/{candidate}", headers={"x-internal-token": INTERNAL_TOKEN})
        anonymous = await client.get(f"/internal/subjects/{candidate}")

    assert exported.status_code == 200, exported.text
    (analysis,) = exported.json()["analyses"]
    assert [(q["score"], q["feedback"]) for q in analysis["questions"]] == [(80, "Clear plan.")]
    assert [t["text"] for t in exported.json()["transcripts"]] == ["I would add a cache."]
    assert anonymous.status_code == 401

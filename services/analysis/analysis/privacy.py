"""An erased invitation as far as analysis holds it: its analysis with every per-question score, quote and
feedback (the foreign key cascades them) and the transcripts of its recordings. The counts go to the requester's
erasure report; a queued job for the gone analysis finds no row and ends."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.domain import AnalysisResult, QuestionAnalysis, Transcript
from kit.contracts.privacy import AnalysisSubjectErased, InvitationErased
from kit.erasure import forget_published
from kit.outbox import stage

SERVICE = "analysis"


async def erase_invitation(session: AsyncSession, event: InvitationErased, *, now: datetime) -> None:
    invitation_id = uuid.UUID(event.invitation_id)
    analyses = select(AnalysisResult.id).where(AnalysisResult.invitation_id == invitation_id)
    questions = await session.scalar(
        select(func.count()).select_from(QuestionAnalysis).where(QuestionAnalysis.analysis_id.in_(analyses))
    )
    results = await session.execute(
        delete(AnalysisResult)
        .where(AnalysisResult.invitation_id == invitation_id)
        .execution_options(synchronize_session=False)
    )
    transcripts = await session.execute(
        delete(Transcript)
        .where(Transcript.invitation_id == event.invitation_id)
        .execution_options(synchronize_session=False)
    )
    published = await forget_published(session, [event.invitation_id])
    if event.erasure_id is None:
        return
    stage(
        session,
        AnalysisSubjectErased(
            erasure_id=event.erasure_id,
            service=SERVICE,
            scope=event.invitation_id,
            counts={
                "analyses": int(results.rowcount or 0),  # type: ignore[attr-defined]
                "questionScores": int(questions or 0),
                "transcripts": int(transcripts.rowcount or 0),  # type: ignore[attr-defined]
                "publishedEvents": published,
            },
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )


async def subject_export(session: AsyncSession, user_id: str) -> dict[str, Any]:
    """The person's analyses with every per-question score and its evidence, and their answers' transcripts."""
    found = await session.scalars(
        select(AnalysisResult).where(AnalysisResult.candidate_id == user_id).order_by(AnalysisResult.created_at)
    )
    analyses = list(found.all())
    questions = await session.scalars(
        select(QuestionAnalysis)
        .where(QuestionAnalysis.analysis_id.in_([a.id for a in analyses]))
        .order_by(QuestionAnalysis.position)
    )
    by_analysis: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for q in questions.all():
        by_analysis.setdefault(q.analysis_id, []).append(
            {
                "questionId": q.question_id,
                "question": q.question_text,
                "answer": q.response_text,
                "score": q.score,
                "feedback": q.feedback,
                "criteria": q.criteria_scores,
                "isCorrect": q.is_correct,
            }
        )
    transcripts = await session.scalars(
        select(Transcript).where(Transcript.invitation_id.in_([str(a.invitation_id) for a in analyses]))
    )
    return {
        "analyses": [
            {
                "invitationId": a.invitation_id,
                "interview": a.template_title,
                "company": a.company_name,
                "status": a.status,
                "overallScore": a.overall_score,
                "recommendation": a.recommendation,
                "summary": a.summary,
                "strengths": a.strengths,
                "weaknesses": a.weaknesses,
                "completedAt": a.completed_at,
                "questions": by_analysis.get(a.id, []),
            }
            for a in analyses
        ],
        "transcripts": [
            {
                "invitationId": t.invitation_id,
                "questionId": t.question_id,
                "status": t.status,
                "text": t.text,
                "language": t.language,
                "segments": t.segments,
            }
            for t in transcripts.all()
        ],
    }

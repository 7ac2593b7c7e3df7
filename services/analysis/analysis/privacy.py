"""An erased invitation as far as analysis holds it: its analysis with every per-question score, quote and
feedback (the foreign key cascades them) and the transcripts of its recordings. The counts go to the requester's
erasure report; a queued job for the gone analysis finds no row and ends."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.domain import AnalysisResult, QuestionAnalysis, Transcript
from kit.contracts.privacy import AnalysisSubjectErased, InvitationErased
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
            },
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )

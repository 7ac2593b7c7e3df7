"""`python -m analysis.consumers`: the service's Kafka consumer process.

It only records the analysis request and enqueues the worker's job; the LLM work runs in the worker, so a
slow provider never stalls the partition (the reference ran the whole pipeline inside the handler)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from analysis import commands
from analysis.commands import Jobs
from analysis.domain import InterviewSnapshot
from analysis.settings import Settings
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer

log = structlog.get_logger("analysis.consumers")

TOPICS: list[str] = ["interview-events"]
INVITATION_COMPLETED = "invitation.completed"


def handlers(jobs: Jobs) -> Handlers:
    async def on_invitation_completed(session: AsyncSession, envelope: Envelope) -> None:
        # A payload without an invitation id raises here: retried, then dead-lettered with the reason.
        snapshot = InterviewSnapshot.model_validate(envelope.payload)
        analysis_id = await commands.request_analysis(session, snapshot, envelope.payload)
        if analysis_id is None:
            log.info("analysis.already_requested", invitation_id=str(snapshot.invitation_id))
            return
        try:
            # Enqueued before this transaction commits: the job waits for the row (arq Retry). If Redis is
            # down the worker's sweep enqueues pending analyses later, so the event is not retried for it.
            await jobs.analyse(analysis_id, 1)
        except Exception as exc:
            log.warning("analysis.enqueue_failed", analysis_id=str(analysis_id), error=repr(exc))
        log.info("analysis.requested", analysis_id=str(analysis_id), invitation_id=str(snapshot.invitation_id))

    return {INVITATION_COMPLETED: on_invitation_completed}


if __name__ == "__main__":
    settings = Settings()
    run_consumer(settings, handlers(Jobs(settings)), TOPICS)

"""`python -m media.consumers`: the service's Kafka consumer process.

From `interview-events` media keeps who may upload to and watch each invitation's answers (the candidate changes
once, when a person invited by e-mail claims the invitation with their new account), and when its interview was
completed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.interviews import InvitationClaimed, InvitationCompleted, InvitationCreated
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer
from media.commands import record_claim, record_completion, record_invitation
from media.settings import Settings

TOPICS: list[str] = ["interview-events"]


async def on_invitation_created(session: AsyncSession, envelope: Envelope) -> None:
    event = InvitationCreated.model_validate(envelope.payload)
    await record_invitation(
        session,
        invitation_id=uuid.UUID(event.invitation_id),
        candidate_id=event.candidate_id,
        hr_user_id=event.invited_by,
        company_id=event.company_id,
    )


async def on_invitation_claimed(session: AsyncSession, envelope: Envelope) -> None:
    event = InvitationClaimed.model_validate(envelope.payload)
    await record_claim(session, invitation_id=uuid.UUID(event.invitation_id), candidate_id=event.candidate_id)


async def on_invitation_completed(session: AsyncSession, envelope: Envelope) -> None:
    event = InvitationCompleted.model_validate(envelope.payload)
    await record_completion(session, invitation_id=uuid.UUID(event.invitation_id), completed_at=event.completed_at)


HANDLERS: Handlers = {
    InvitationCreated.TYPE: on_invitation_created,
    InvitationClaimed.TYPE: on_invitation_claimed,
    InvitationCompleted.TYPE: on_invitation_completed,
}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

"""`python -m media.consumers`: the service's Kafka consumer process.

From `interview-events` media keeps who may upload to and watch each invitation's answers."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.interviews import InvitationCreated
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer
from media.commands import record_invitation
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


HANDLERS: Handlers = {InvitationCreated.TYPE: on_invitation_created}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

"""`python -m media.consumers`: the service's Kafka consumer process.

From `interview-events` media keeps who may upload to and watch each invitation's answers (the candidate changes
once, when a person invited by e-mail claims the invitation with their new account), and when its interview was
completed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.interviews import InvitationClaimed, InvitationCompleted, InvitationCreated
from kit.contracts.privacy import InvitationErased
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handler, Handlers, run_consumer
from media import privacy
from media.commands import record_claim, record_completion, record_invitation
from media.settings import Settings
from media.storage import Storage

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


def on_invitation_erased(storage: Storage) -> Handler:
    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = InvitationErased.model_validate(envelope.payload)
        await privacy.erase_invitation(session, event, storage=storage, now=utcnow())

    return handle


def make_handlers(settings: Settings) -> Handlers:
    """The handlers with the object store an erased invitation's recordings are removed from."""
    return {
        InvitationCreated.TYPE: on_invitation_created,
        InvitationClaimed.TYPE: on_invitation_claimed,
        InvitationCompleted.TYPE: on_invitation_completed,
        InvitationErased.TYPE: on_invitation_erased(Storage(settings)),
    }


HANDLERS: Handlers = make_handlers(Settings())

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

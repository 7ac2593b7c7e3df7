"""`python -m gateway.consumers`: the service's Kafka consumer process.

It follows erasures: a person's erasure and each erased interview (the person's, or one the company's retention
period removed) delete the pseudonyms and keys the audit trail names them by (`gateway.pseudonyms`; the rows stay
and name no one), and a person's erasure their registration (the saga's record of their Keycloak id, platform id
and address; the Keycloak account itself went with the request). Every delete is idempotent: a redelivery finds
nothing."""

from __future__ import annotations

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import pseudonyms
from gateway.saga import Registration
from gateway.settings import Settings
from kit.contracts import interviews, users
from kit.contracts.privacy import ERASURE_REQUESTED, INVITATION_ERASED, InvitationErased, SubjectErasureRequested
from kit.erasure import forget_published
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer

log = structlog.get_logger("gateway.consumers")

TOPICS: list[str] = [users.USER_EVENTS, interviews.TOPIC]


async def person_erased(session: AsyncSession, envelope: Envelope) -> None:
    event = SubjectErasureRequested.model_validate(envelope.payload)
    forgotten = await pseudonyms.forget_person(session, str(event.user_id))
    keycloak_ids = await session.scalars(select(Registration.keycloak_id).where(Registration.user_id == event.user_id))
    published = await forget_published(session, [str(event.user_id), event.email, *keycloak_ids.all()])
    registrations = await session.execute(
        delete(Registration).where(Registration.user_id == event.user_id).execution_options(synchronize_session=False)
    )
    log.info(
        "gateway.person_forgotten",
        erasure_id=str(event.erasure_id),
        pseudonyms=forgotten,
        registrations=int(registrations.rowcount or 0),  # type: ignore[attr-defined]
        published_events=published,
    )


async def invitation_erased(session: AsyncSession, envelope: Envelope) -> None:
    event = InvitationErased.model_validate(envelope.payload)
    forgotten = await pseudonyms.forget_invitation(session, event.invitation_id)
    log.info("audit.invitation_forgotten", reason=event.reason, pseudonyms=forgotten)


HANDLERS: Handlers = {ERASURE_REQUESTED: person_erased, INVITATION_ERASED: invitation_erased}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

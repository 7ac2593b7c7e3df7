"""`python -m interviews.consumers`: analysis outcomes onto the invitation, the media service's objects
(`libs/kit/contracts/media.py`) into the projection media answers are checked against, and the users service's
companies (`libs/kit/contracts/users.py`) into the names invitations are sent in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from interviews import commands, mentions, privacy
from interviews.domain import MediaStatus
from interviews.schemas import AnalysisOutcome, CompanyRef, MediaRef
from interviews.settings import Settings
from kit.contracts.privacy import SubjectErasureRequested
from kit.contracts.users import CompanyCreated, CompanyMemberAdded, CompanyMemberRemoved
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handlers, run_consumer

TOPICS: list[str] = ["analysis-events", "media-events", "user-events"]


async def on_analysis_completed(session: AsyncSession, envelope: Envelope) -> None:
    outcome = AnalysisOutcome.model_validate(envelope.payload)
    await commands.record_analysis(session, outcome, failed=False, occurred_at=envelope.occurred_at)


async def on_analysis_failed(session: AsyncSession, envelope: Envelope) -> None:
    outcome = AnalysisOutcome.model_validate(envelope.payload)
    await commands.record_analysis(session, outcome, failed=True, occurred_at=envelope.occurred_at)


async def on_media_processed(session: AsyncSession, envelope: Envelope) -> None:
    ref = MediaRef.model_validate(envelope.payload)
    await commands.record_media(session, ref, MediaStatus.READY, occurred_at=envelope.occurred_at)


async def on_media_failed(session: AsyncSession, envelope: Envelope) -> None:
    ref = MediaRef.model_validate(envelope.payload)
    await commands.record_media(session, ref, MediaStatus.REJECTED, occurred_at=envelope.occurred_at)


async def on_media_deleted(session: AsyncSession, envelope: Envelope) -> None:
    ref = MediaRef.model_validate(envelope.payload)
    await commands.record_media(session, ref, MediaStatus.DELETED, occurred_at=envelope.occurred_at)


async def on_company_changed(session: AsyncSession, envelope: Envelope) -> None:
    ref = CompanyRef.model_validate(envelope.payload)
    await commands.record_company(session, ref, deleted=False, occurred_at=envelope.occurred_at)


async def on_company_created(session: AsyncSession, envelope: Envelope) -> None:
    await on_company_changed(session, envelope)
    # Its creator is the first member of its hiring team (no `company.member_added` names them).
    created = CompanyCreated.model_validate(envelope.payload)
    await mentions.record_member(session, created.company_id, created.created_by, member=True)


async def on_company_deleted(session: AsyncSession, envelope: Envelope) -> None:
    ref = CompanyRef.model_validate(envelope.payload)
    await commands.record_company(session, ref, deleted=True, occurred_at=envelope.occurred_at)
    await mentions.forget_company(session, ref.company_id)


async def on_member_added(session: AsyncSession, envelope: Envelope) -> None:
    added = CompanyMemberAdded.model_validate(envelope.payload)
    await mentions.record_member(session, added.company_id, added.user_id, member=True)


async def on_member_removed(session: AsyncSession, envelope: Envelope) -> None:
    removed = CompanyMemberRemoved.model_validate(envelope.payload)
    await mentions.record_member(session, removed.company_id, removed.user_id, member=False)


async def on_erasure_requested(session: AsyncSession, envelope: Envelope) -> None:
    await privacy.erase_subject(session, SubjectErasureRequested.model_validate(envelope.payload), now=utcnow())


HANDLERS: Handlers = {
    "analysis.completed": on_analysis_completed,
    "analysis.failed": on_analysis_failed,
    "media.processed": on_media_processed,
    "media.failed": on_media_failed,
    "media.deleted": on_media_deleted,
    "company.created": on_company_created,
    "company.updated": on_company_changed,
    "company.deleted": on_company_deleted,
    "company.member_added": on_member_added,
    "company.member_removed": on_member_removed,
    SubjectErasureRequested.TYPE: on_erasure_requested,
}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

"""A data subject's erasure as far as billing holds them: usage stays, as counts only. The person's contact
projection goes (every user's address is kept for billing mail), an account's billing contact that was them is
cleared, and usage counted under an erased invitation's id is re-keyed to an id that names nothing, so the
account's totals are unchanged and no row leads back to the invitation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from billing.domain import Contact, Subscription, UsageItem
from kit.contracts.privacy import BillingSubjectErased, InvitationErased, SubjectErasureRequested
from kit.erasure import forget_published
from kit.outbox import stage

SERVICE = "billing"
ERASED_KEY = "erased:"


async def erase_subject(session: AsyncSession, event: SubjectErasureRequested, *, now: datetime) -> None:
    user_id = str(event.user_id)
    contacts = await session.execute(
        delete(Contact).where(Contact.user_id == user_id).execution_options(synchronize_session=False)
    )
    cleared = await session.execute(
        update(Subscription)
        .where(Subscription.billing_user_id == user_id)
        .values(billing_user_id=None, billing_email=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    counts = {
        "contacts": int(contacts.rowcount or 0),  # type: ignore[attr-defined]
        "billingContactsCleared": int(cleared.rowcount or 0),  # type: ignore[attr-defined]
        "publishedEvents": await forget_published(session, [user_id, event.email]),
    }
    stage(
        session,
        BillingSubjectErased(
            erasure_id=event.erasure_id, service=SERVICE, scope="subject", counts=counts, erased_at=now
        ),
        aggregate_id=event.erasure_id,
    )


async def erase_invitation(session: AsyncSession, event: InvitationErased, *, now: datetime) -> None:
    rekeyed = await session.execute(
        update(UsageItem)
        # The interview, and the stored bytes of its recordings (counted under each recording's id).
        .where(UsageItem.key.in_([event.invitation_id, *event.media_ids]))
        .values(key=func.concat(ERASED_KEY, func.gen_random_uuid()), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    published = await forget_published(session, [event.invitation_id])
    if event.erasure_id is None:
        return
    stage(
        session,
        BillingSubjectErased(
            erasure_id=event.erasure_id,
            service=SERVICE,
            scope=event.invitation_id,
            counts={
                "usageKeptAsCounts": int(rekeyed.rowcount or 0),  # type: ignore[attr-defined]
                "publishedEvents": published,
            },
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )


async def subject_export(session: AsyncSession, user_id: str) -> dict[str, Any]:
    """Billing holds a person only as a contact (name and address for billing mail) and, for an account they
    pay for, as its billing contact."""
    contact = await session.get(Contact, user_id)
    accounts = await session.scalars(select(Subscription).where(Subscription.billing_user_id == user_id))
    return {
        "contact": None if contact is None else {"name": contact.name, "email": contact.email},
        "billingContactOf": [{"account": s.account_name, "plan": s.plan_type} for s in accounts.all()],
    }

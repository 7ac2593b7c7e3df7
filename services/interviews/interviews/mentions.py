"""@-mentions in review notes: who belongs to a company's hiring team (projected from the users service's
`company.*` events) and the `review.mentioned` event a saved note records for the teammates it newly mentions.
Someone outside the interview's company stays plain text: no event names them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain import CompanyMember, Invitation, Review
from kit.auth import Principal
from kit.contracts import interviews as events


async def record_member(session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID, *, member: bool) -> None:
    """A user joined (or left) a company's hiring team; a redelivered event changes nothing."""
    if member:
        await session.execute(
            insert(CompanyMember).values(company_id=str(company_id), user_id=str(user_id)).on_conflict_do_nothing()
        )
    else:
        await session.execute(
            delete(CompanyMember).where(
                CompanyMember.company_id == str(company_id), CompanyMember.user_id == str(user_id)
            )
        )


async def forget_company(session: AsyncSession, company_id: uuid.UUID) -> None:
    await session.execute(delete(CompanyMember).where(CompanyMember.company_id == str(company_id)))


async def note_mentions(
    session: AsyncSession,
    invitation: Invitation,
    review: Review,
    mentioned: list[str],
    *,
    caller: Principal,
    now: datetime,
) -> None:
    """Keep the note's mentions of the company's members (never the author), and tell those newly mentioned."""
    wanted = [u for u in dict.fromkeys(mentioned) if u != caller.user_id] if review.note else []
    members = (
        set(
            await session.scalars(
                select(CompanyMember.user_id).where(
                    CompanyMember.company_id == invitation.company_id, CompanyMember.user_id.in_(wanted)
                )
            )
        )
        if wanted
        else set()
    )
    kept = [u for u in wanted if u in members]
    new = [u for u in kept if u not in (review.mentions or [])]
    review.mentions = kept
    if new:
        invitation.record(
            events.ReviewMentioned(
                invitation_id=str(invitation.id),
                company_id=invitation.company_id,
                author_id=caller.user_id,
                mentioned_user_ids=new,
                candidate_name=invitation.candidate_name,
                template_title=invitation.pinned.title,
                mentioned_at=now,
            )
        )

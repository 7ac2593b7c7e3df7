"""A company's hiring team: its members listed, an existing HR user added by e-mail, a member removed. The
company's creator (or an admin) manages it; members read it. Each addition takes a team seat of the company's
plan at billing first, so a refusal is a 402 before anything is written."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.contracts.users import CompanyMemberAdded, CompanyMemberRemoved
from kit.errors import Conflict, Invalid, NotFound
from users import access
from users.commands import load_company
from users.domain import Company, Membership, Role, User
from users.quota import Quota


class MemberNotFound(NotFound):
    code = "MEMBER_NOT_FOUND"


class NoSuchHrUser(NotFound):
    code = "USER_NOT_FOUND"


class NotAnHrUser(Invalid):
    code = "VALIDATION_ERROR"


class AlreadyMember(Conflict):
    code = "ALREADY_MEMBER"


class OwnerStays(Conflict):
    code = "OWNER_CANNOT_LEAVE"


async def members(
    session: AsyncSession, company_id: uuid.UUID, *, caller: Principal
) -> tuple[Company, list[tuple[Membership, User]]]:
    company = await load_company(session, company_id)
    rows = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.company_id == company_id)
            .order_by(Membership.joined_at, User.email)
        )
    ).all()
    access.require_company_reader(caller, [m.user_id for m, _ in rows])
    return company, [(m, u) for m, u in rows]


async def add_member(
    session: AsyncSession, company_id: uuid.UUID, email: str, *, caller: Principal, quota: Quota, now: datetime
) -> Membership:
    company = await load_company(session, company_id)
    access.require_company_owner(caller, company)
    user = await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise NoSuchHrUser("No account uses this e-mail. Ask them to sign up and choose HR first.")
    if user.role != Role.HR:
        raise NotAnHrUser(
            "Only HR users can join a hiring team",
            details=[
                {
                    "field": "email",
                    "location": "body",
                    "message": "This account is not an HR account",
                    "type": "value_error",
                }
            ],
        )
    joined = await session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.company_id == company_id)
    )
    if joined is not None:
        raise AlreadyMember("This person is already on the team")
    # The company the gateway acts for is the member's primary one: a first company becomes it.
    has_primary = await session.scalar(
        select(func.count()).select_from(Membership).where(Membership.user_id == user.id, Membership.is_primary)
    )
    membership = Membership(
        id=uuid.uuid4(), user_id=user.id, company_id=company_id, is_primary=not has_primary, joined_at=now
    )
    await quota.reserve_seat(company_id, membership.id)
    session.add(membership)
    company.record(
        CompanyMemberAdded(
            company_id=company_id,
            user_id=user.id,
            membership_id=membership.id,
            added_by=uuid.UUID(caller.user_id),
            added_at=now,
        )
    )
    return membership


async def remove_member(
    session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID, *, caller: Principal, now: datetime
) -> None:
    """The creator (or an admin) removes a member, or a member leaves; the creator stays."""
    company = await load_company(session, company_id)
    if caller.user_id != str(user_id):
        access.require_company_owner(caller, company)
    if company.created_by == user_id:
        raise OwnerStays("The company's creator cannot be removed from its team")
    membership = await session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.company_id == company_id).with_for_update()
    )
    if membership is None:
        raise MemberNotFound("This person is not on the team")
    await session.delete(membership)
    if membership.is_primary:
        # Another company of theirs, if any, becomes the one the gateway acts for.
        other = await session.scalar(
            select(Membership)
            .where(Membership.user_id == user_id, Membership.id != membership.id)
            .order_by(Membership.joined_at)
            .limit(1)
        )
        if other is not None:
            other.is_primary = True
    company.record(
        CompanyMemberRemoved(
            company_id=company_id,
            user_id=user_id,
            membership_id=membership.id,
            removed_by=uuid.UUID(caller.user_id),
            removed_at=now,
        )
    )

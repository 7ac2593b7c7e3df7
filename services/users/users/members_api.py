"""Routes of a company's hiring team: list (members), add an HR user by e-mail and remove (the creator or an
admin; a member may leave). Answers in the users service's `{success, data}` envelope."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import EmailStr

from kit.auth import CurrentUser, Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.domain import utcnow
from kit.schemas import Command, View
from users import members
from users.domain import Company, Membership, User
from users.quota import Quota
from users.schemas import Ok

router = APIRouter(tags=["companies"])
HrCaller = Annotated[Principal, require_roles("hr", "admin")]
CompanyPath = Annotated[uuid.UUID, Path(alias="id")]
UserPath = Annotated[uuid.UUID, Path(alias="userId")]


class AddMember(Command):
    email: EmailStr


class Member(View):
    user_id: uuid.UUID
    email: str
    name: str
    is_owner: bool
    joined_at: datetime

    @classmethod
    def of(cls, membership: Membership, user: User, company: Company) -> Member:
        return cls(
            user_id=user.id,
            email=user.email,
            name=f"{user.first_name} {user.last_name}".strip(),
            is_owner=company.created_by == user.id,
            joined_at=membership.joined_at,
        )


def current_quota(request: Request) -> Quota:
    return request.app.state.quota  # type: ignore[no-any-return]


@router.get("/companies/{id}/members")
async def list_members(company_id: CompanyPath, session: ReadSession, caller: CurrentUser) -> Ok[list[Member]]:
    """The company's hiring team (members and admins), the creator first."""
    company, rows = await members.members(session, company_id, caller=caller)
    team = sorted((Member.of(m, u, company) for m, u in rows), key=lambda m: not m.is_owner)
    return Ok(data=team)


@router.post("/companies/{id}/members", status_code=201)
async def add_member(
    company_id: CompanyPath, cmd: AddMember, sessions: Sessions, caller: HrCaller, request: Request
) -> Ok[Member]:
    """Add an existing HR user, named by e-mail, to the team (the creator or an admin; a seat of the plan)."""
    async with transaction(sessions) as session:
        membership = await members.add_member(
            session, company_id, str(cmd.email), caller=caller, quota=current_quota(request), now=utcnow()
        )
        company = await session.get(Company, company_id)
        user = await session.get(User, membership.user_id)
        assert company is not None and user is not None
        view = Member.of(membership, user, company)
    return Ok(data=view)


@router.delete("/companies/{id}/members/{userId}", status_code=204, response_class=Response)
async def remove_member(company_id: CompanyPath, user_id: UserPath, sessions: Sessions, caller: HrCaller) -> Response:
    """Remove a member (the creator or an admin), or leave the team yourself; the creator stays."""
    async with transaction(sessions) as session:
        await members.remove_member(session, company_id, user_id, caller=caller, now=utcnow())
    return Response(status_code=204)

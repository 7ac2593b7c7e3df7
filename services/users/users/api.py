"""HTTP routes: each declares the roles it admits, opens the transaction when it writes, calls one handler
and answers with a view built once the transaction closed."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from kit.auth import CurrentUser, InternalCaller, Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import PageNumber, Paginated
from users import access, commands, queries
from users.domain import HR_ACCESS_PENDING, AccessDenied, Role, User, UserRow, takes_token_role
from users.schemas import (
    AVATAR_UPLOAD,
    AddCandidateSkill,
    AvatarUploaded,
    CandidateHit,
    CandidateProfileView,
    CandidateSkillId,
    CategoryView,
    CompanyId,
    CompanyListItem,
    CompanyView,
    CreateCompany,
    CreatedUser,
    CreateSkill,
    CreateUser,
    HrAccessRequested,
    IfMatch,
    Message,
    Ok,
    PageLimit,
    Permissions,
    RoleSelected,
    Search,
    SearchCandidates,
    SelectRole,
    SetExperienceLevel,
    SkillGroup,
    SkillId,
    SkillView,
    SuspendUser,
    UpdateCandidateSkill,
    UpdateCompany,
    UpdateSkill,
    UpdateUser,
    UserStats,
    UserView,
)
from users.storage import Avatars, read_avatar

router = APIRouter()

UserId = Annotated[uuid.UUID, Path(alias="userId")]
CompanyPath = Annotated[uuid.UUID, Path(alias="id")]
SkillPath = Annotated[uuid.UUID, Path(alias="id")]
CandidateSkillPath = Annotated[uuid.UUID, Path(alias="skillId")]

# A wrong role is refused with the service's ACCESS_DENIED code, which its clients parse.
ADMIN = require_roles("admin", error=AccessDenied)
HR_OR_ADMIN = require_roles("hr", "admin", error=AccessDenied)
HrCaller = Annotated[Principal, HR_OR_ADMIN]


# Users


@router.get("/users", tags=["users"], dependencies=[ADMIN])
async def list_users(
    session: ReadSession,
    avatars: Avatars,
    page: PageNumber = 1,
    limit: PageLimit = 10,
    search: Search = None,
    status: Literal["active", "suspended", "deleted"] | None = None,
    role: Literal["pending", "candidate", "hr", "admin"] | None = None,
) -> Paginated[UserView]:
    """List users (admin) with search, filters and pagination."""
    return await queries.list_users(
        session, avatars=avatars, page=page, limit=limit, search=search, status=status, role=role
    )


@router.get("/users/stats", tags=["users"], dependencies=[ADMIN])
async def user_stats(session: ReadSession) -> UserStats:
    """Counts of users by status (admin)."""
    return await queries.user_stats(session)


@router.get("/users/me", tags=["users"])
async def get_me(session: ReadSession, sessions: Sessions, caller: CurrentUser, avatars: Avatars) -> UserView:
    """The caller's own user; still pending here while the token carries a role, it takes the token's role."""
    user: User | UserRow = await queries.own_user(session, caller=caller)
    # Every screen asks who the caller is: a read, and a write transaction only for the one call that finds the
    # token's role to take (the command decides again on the row it loads, so a concurrent change is not lost).
    if takes_token_role(user.role, caller.role):
        # The read is over: its session lets go of whatever it holds before the write takes a connection (on a
        # test's shared connection that is a savepoint, whose rollback at the request's end would undo the write).
        await session.close()
        async with transaction(sessions) as write:
            user = await commands.reconcile_role(write, caller=caller)
    return queries.user_view(user, avatars)


@router.put("/users/me", tags=["users"])
async def update_me(
    cmd: UpdateUser, sessions: Sessions, caller: CurrentUser, avatars: Avatars, version: IfMatch
) -> UserView:
    """Update the caller's own profile."""
    async with transaction(sessions) as session:
        user = await commands.update_user(
            session, access.caller_id(caller), cmd, caller=caller, expected_version=version
        )
    return queries.user_view(user, avatars)


@router.get("/users/by-external-auth/{externalAuthId}", tags=["users"])
async def get_by_external_auth(
    session: ReadSession,
    _: InternalCaller,
    avatars: Avatars,
    external_auth_id: Annotated[str, Path(alias="externalAuthId", max_length=255)],
) -> UserView:
    """The user of a Keycloak identity (the gateway's registration saga; internal token only)."""
    return await queries.user_by_external_auth(session, external_auth_id, avatars=avatars)


@router.post("/users", status_code=201, tags=["users"])
async def create_user(cmd: CreateUser, sessions: Sessions, _: InternalCaller) -> Ok[CreatedUser]:
    """Create a user (the registration saga). 409 USER_ALREADY_EXISTS names the existing user."""
    async with transaction(sessions) as session:
        user = await commands.create_user(session, cmd)
    return Ok(data=CreatedUser.of(user))


@router.get("/users/{userId}", tags=["users"])
async def get_user(user_id: UserId, session: ReadSession, caller: CurrentUser, avatars: Avatars) -> UserView:
    """A user: yourself, any user for admins, candidates for HR."""
    return await queries.get_user(session, user_id, caller=caller, avatars=avatars)


@router.put("/users/{userId}", tags=["users"])
async def update_user(
    user_id: UserId, cmd: UpdateUser, sessions: Sessions, caller: CurrentUser, avatars: Avatars, version: IfMatch
) -> UserView:
    """Update a profile (yourself, or anyone as admin)."""
    async with transaction(sessions) as session:
        user = await commands.update_user(session, user_id, cmd, caller=caller, expected_version=version)
    return queries.user_view(user, avatars)


@router.delete("/users/{userId}", tags=["users"], dependencies=[ADMIN])
async def delete_user(user_id: UserId, sessions: Sessions, avatars: Avatars, version: IfMatch) -> Message:
    """Delete a user for good (admin); the avatar object goes too."""
    async with transaction(sessions) as session:
        user = await commands.delete_user(session, user_id, expected_version=version)
    if user.avatar_key:
        await avatars.discard(user.avatar_key)
    return Message(message="User deleted successfully")


@router.post("/users/{userId}/suspend", tags=["users"], dependencies=[ADMIN])
async def suspend_user(
    user_id: UserId, cmd: SuspendUser, sessions: Sessions, avatars: Avatars, version: IfMatch
) -> UserView:
    """Suspend a user (admin)."""
    async with transaction(sessions) as session:
        user = await commands.suspend_user(session, user_id, cmd.reason, expected_version=version)
    return queries.user_view(user, avatars)


@router.post("/users/{userId}/activate", tags=["users"], dependencies=[ADMIN])
async def activate_user(user_id: UserId, sessions: Sessions, avatars: Avatars, version: IfMatch) -> UserView:
    """Re-activate a user (admin); activating an active user changes nothing."""
    async with transaction(sessions) as session:
        user = await commands.activate_user(session, user_id, expected_version=version)
    return queries.user_view(user, avatars)


@router.post(
    "/users/{userId}/roles",
    tags=["users"],
    responses={202: {"model": HrAccessRequested, "description": "hr was requested: an administrator must approve"}},
)
async def select_role(
    user_id: UserId,
    cmd: SelectRole,
    request: Request,
    response: Response,
    sessions: Sessions,
    caller: CurrentUser,
    version: IfMatch,
) -> RoleSelected | HrAccessRequested:
    """Choose the role once: candidate for yourself, hr with a verified company e-mail or an admin's
    approval (otherwise 202, a request admins approve by granting hr); admins may also grant admin."""
    domains = request.app.state.settings.hr_email_domains
    async with transaction(sessions) as session:
        user = await commands.select_role(
            session,
            user_id,
            Role(cmd.role),
            caller=caller,
            expected_version=version,
            verified_email=cmd.verified_email,
            hr_email_domains=domains,
        )
    if user.role == Role.PENDING and user.hr_access_requested_at is not None:
        response.status_code = 202
        return HrAccessRequested(
            message=HR_ACCESS_PENDING, role=user.role, hr_access_requested_at=user.hr_access_requested_at
        )
    return RoleSelected(message=f"Role {cmd.role} assigned successfully", role=cmd.role)


@router.get("/users/{userId}/permissions", tags=["users"])
async def get_permissions(user_id: UserId, session: ReadSession, caller: CurrentUser) -> Ok[Permissions]:
    """The static permissions of the user's role (yourself, or anyone as admin)."""
    return Ok(data=await queries.permissions(session, user_id, caller=caller))


@router.get("/users/{userId}/companies", tags=["users"])
async def get_user_companies(user_id: UserId, session: ReadSession, caller: CurrentUser) -> Ok[list[CompanyListItem]]:
    """The companies a user belongs to (yourself, or anyone as admin)."""
    return Ok(data=await queries.companies_of(session, user_id, caller=caller))


@router.post("/users/{userId}/avatar", status_code=201, tags=["users"], openapi_extra=AVATAR_UPLOAD)
async def upload_avatar(
    user_id: UserId, request: Request, sessions: Sessions, caller: CurrentUser, avatars: Avatars
) -> AvatarUploaded:
    """Upload an avatar (multipart field `file`; JPEG, PNG or WebP by content; at most 5 MB)."""
    # Refused before the body is read: nothing a stranger sends is buffered.
    access.require_self_or_admin(caller, user_id)
    data = await read_avatar(request, request.app.state.settings.avatar_max_bytes)
    async with transaction(sessions) as session:
        key, previous = await commands.upload_avatar(session, user_id, data, caller=caller, avatars=avatars)
    if previous:
        await avatars.discard(previous)
    return AvatarUploaded(avatar_url=avatars.url(key) or "")


@router.delete("/users/{userId}/avatar", status_code=204, response_class=Response, tags=["users"])
async def delete_avatar(user_id: UserId, sessions: Sessions, caller: CurrentUser, avatars: Avatars) -> Response:
    """Remove the avatar, object included (the reference left the object in storage)."""
    async with transaction(sessions) as session:
        previous = await commands.set_avatar(session, user_id, None, caller=caller)
    if previous:
        await avatars.discard(previous)
    return Response(status_code=204)


# Candidates


@router.get("/candidates/search", tags=["candidates"])
async def search_candidates(
    session: ReadSession,
    caller: HrCaller,
    skill_ids: Annotated[list[uuid.UUID], Query(alias="skillIds", max_length=50)] = [],  # noqa: B006
    min_proficiency: Annotated[
        Literal["beginner", "intermediate", "advanced", "expert"] | None, Query(alias="minProficiency")
    ] = None,
    min_years: Annotated[int | None, Query(alias="minYears", ge=0, le=50)] = None,
    experience_level: Annotated[
        Literal["junior", "mid", "senior", "lead"] | None, Query(alias="experienceLevel")
    ] = None,
    page: PageNumber = 1,
    limit: PageLimit = 20,
) -> Paginated[CandidateHit]:
    """Search candidates by skills, proficiency, years and experience level (HR and admins)."""
    q = SearchCandidates(
        skill_ids=skill_ids, min_proficiency=min_proficiency, min_years=min_years, experience_level=experience_level
    )
    return await queries.search_candidates(session, q, caller=caller, page=page, limit=limit)


@router.get("/candidates/{userId}/profile", tags=["candidates"])
async def get_candidate_profile(user_id: UserId, session: ReadSession, caller: CurrentUser) -> Ok[CandidateProfileView]:
    """A candidate's profile (the candidate, HR, admins)."""
    return Ok(data=await queries.candidate_profile(session, user_id, caller=caller))


@router.get("/candidates/{userId}/skills", tags=["candidates"])
async def get_candidate_skills(user_id: UserId, session: ReadSession, caller: CurrentUser) -> Ok[list[SkillGroup]]:
    """A candidate's skills grouped by category (the candidate, HR, admins)."""
    return Ok(data=await queries.candidate_skills(session, user_id, caller=caller))


@router.post("/candidates/{userId}/skills", status_code=201, tags=["candidates"])
async def add_candidate_skill(
    user_id: UserId, cmd: AddCandidateSkill, sessions: Sessions, caller: CurrentUser
) -> Ok[CandidateSkillId]:
    """Add a skill to your profile."""
    async with transaction(sessions) as session:
        row = await commands.add_candidate_skill(session, user_id, cmd, caller=caller)
    return Ok(data=CandidateSkillId(candidate_skill_id=row.id))


@router.put("/candidates/{userId}/skills/{skillId}", tags=["candidates"])
async def update_candidate_skill(
    user_id: UserId, skill_id: CandidateSkillPath, cmd: UpdateCandidateSkill, sessions: Sessions, caller: CurrentUser
) -> Message:
    """Change the fields sent of a skill in your profile."""
    async with transaction(sessions) as session:
        await commands.update_candidate_skill(session, user_id, cmd, skill_id=skill_id, caller=caller)
    return Message(message="Skill updated successfully")


@router.delete("/candidates/{userId}/skills/{skillId}", status_code=204, response_class=Response, tags=["candidates"])
async def remove_candidate_skill(
    user_id: UserId, skill_id: CandidateSkillPath, sessions: Sessions, caller: CurrentUser
) -> Response:
    """Remove a skill from your profile."""
    async with transaction(sessions) as session:
        await commands.remove_candidate_skill(session, user_id, skill_id=skill_id, caller=caller)
    return Response(status_code=204)


@router.put("/candidates/{userId}/experience-level", tags=["candidates"])
async def set_experience_level(
    user_id: UserId, cmd: SetExperienceLevel, sessions: Sessions, caller: CurrentUser, version: IfMatch
) -> Ok[CandidateProfileView]:
    """Set your experience level."""
    async with transaction(sessions) as session:
        profile = await commands.set_experience_level(
            session, user_id, cmd.experience_level, caller=caller, expected_version=version
        )
        user = await commands.load_user(session, user_id)
    return Ok(data=CandidateProfileView.of(profile, user))


# Companies


@router.post("/companies", status_code=201, tags=["companies"])
async def create_company(cmd: CreateCompany, sessions: Sessions, caller: HrCaller) -> Ok[CompanyId]:
    """Create a company; its creator becomes its primary member (HR, admins)."""
    async with transaction(sessions) as session:
        company = await commands.create_company(session, cmd, caller=caller)
    return Ok(data=CompanyId(company_id=company.id))


@router.get("/companies", tags=["companies"])
async def list_companies(
    session: ReadSession,
    caller: HrCaller,
    page: PageNumber = 1,
    limit: PageLimit = 20,
    search: Search = None,
    is_active: Annotated[bool | None, Query(alias="isActive")] = None,
    created_by: Annotated[uuid.UUID | None, Query(alias="createdBy")] = None,
) -> Paginated[CompanyListItem]:
    """Companies: all for admins, your own for HR."""
    return await queries.list_companies(
        session, caller=caller, page=page, limit=limit, search=search, is_active=is_active, created_by=created_by
    )


@router.get("/companies/{id}", tags=["companies"])
async def get_company(company_id: CompanyPath, session: ReadSession, caller: CurrentUser) -> Ok[CompanyView]:
    """A company you belong to (any, for admins)."""
    return Ok(data=await queries.get_company(session, company_id, caller=caller))


@router.put("/companies/{id}", tags=["companies"])
async def update_company(
    company_id: CompanyPath, cmd: UpdateCompany, sessions: Sessions, caller: HrCaller, version: IfMatch
) -> Ok[CompanyView]:
    """Change the fields sent (the creator, or admins)."""
    async with transaction(sessions) as session:
        company = await commands.update_company(session, company_id, cmd, caller=caller, expected_version=version)
        position = await queries.position_in(session, company, caller=caller)
    return Ok(data=CompanyView.of(company, position=position))


@router.delete("/companies/{id}", status_code=204, response_class=Response, tags=["companies"])
async def delete_company(company_id: CompanyPath, sessions: Sessions, caller: HrCaller) -> Response:
    """Delete a company (the creator, or admins)."""
    async with transaction(sessions) as session:
        await commands.delete_company(session, company_id, caller=caller)
    return Response(status_code=204)


# Skills


@router.post("/skills", status_code=201, tags=["skills"], dependencies=[ADMIN])
async def create_skill(cmd: CreateSkill, sessions: Sessions) -> Ok[SkillId]:
    """Add a skill to the catalogue (admin)."""
    async with transaction(sessions) as session:
        skill = await commands.create_skill(session, cmd)
    return Ok(data=SkillId(skill_id=skill.id))


@router.get("/skills", tags=["skills"])
async def list_skills(
    session: ReadSession,
    _: CurrentUser,
    page: PageNumber = 1,
    limit: PageLimit = 20,
    search: Search = None,
    category_id: Annotated[uuid.UUID | None, Query(alias="categoryId")] = None,
    is_active: Annotated[bool | None, Query(alias="isActive")] = None,
) -> Paginated[SkillView]:
    """The skills catalogue."""
    return await queries.list_skills(
        session, page=page, limit=limit, search=search, category_id=category_id, is_active=is_active
    )


@router.get("/skills/categories", tags=["skills"])
async def list_categories(session: ReadSession, _: CurrentUser) -> Ok[list[CategoryView]]:
    """Skill categories in display order."""
    return Ok(data=await queries.categories(session))


@router.get("/skills/{id}", tags=["skills"])
async def get_skill(skill_id: SkillPath, session: ReadSession, _: CurrentUser) -> Ok[SkillView]:
    """One skill."""
    return Ok(data=await queries.get_skill(session, skill_id))


@router.put("/skills/{id}", tags=["skills"], dependencies=[ADMIN])
async def update_skill(skill_id: SkillPath, cmd: UpdateSkill, sessions: Sessions) -> Ok[SkillView]:
    """Change the fields sent of a skill (admin)."""
    async with transaction(sessions) as session:
        skill = await commands.update_skill(session, skill_id, cmd)
    return Ok(data=SkillView.of(skill))


@router.delete("/skills/{id}", status_code=204, response_class=Response, tags=["skills"], dependencies=[ADMIN])
async def delete_skill(skill_id: SkillPath, sessions: Sessions) -> Response:
    """Delete a skill; candidates lose it too (admin)."""
    async with transaction(sessions) as session:
        await commands.delete_skill(session, skill_id)
    return Response(status_code=204)


@router.post("/skills/{id}/activate", tags=["skills"], dependencies=[ADMIN])
async def activate_skill(skill_id: SkillPath, sessions: Sessions) -> Ok[SkillView]:
    """Make a skill selectable again (admin; idempotent)."""
    async with transaction(sessions) as session:
        skill = await commands.set_skill_active(session, skill_id, active=True)
    return Ok(data=SkillView.of(skill))


@router.post("/skills/{id}/deactivate", tags=["skills"], dependencies=[ADMIN])
async def deactivate_skill(skill_id: SkillPath, sessions: Sessions) -> Ok[SkillView]:
    """Stop new candidates adding a skill; existing ones keep it (admin; idempotent)."""
    async with transaction(sessions) as session:
        skill = await commands.set_skill_active(session, skill_id, active=False)
    return Ok(data=SkillView.of(skill))

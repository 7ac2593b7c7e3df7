"""HTTP routes of reference §4.1: thin, each write inside one transaction that it owns."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kit.auth import CurrentUser, InternalCaller
from kit.db import ReadSession, Sessions, transaction
from users import access, commands, queries
from users.domain import InvalidValue, Role, User, VersionConflict
from users.schemas import (
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
    Message,
    Ok,
    Paginated,
    Permissions,
    RoleSelected,
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
from users.storage import AvatarStore, PayloadTooLarge, sniff_image

log = structlog.get_logger("users.api")

router = APIRouter()

UserId = Annotated[uuid.UUID, Path(alias="userId")]
Page = Annotated[int, Query(ge=1, le=100_000)]
Limit100 = Annotated[int, Query(ge=1, le=100)]
Search = Annotated[str | None, Query(max_length=200)]


def if_match(value: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """`If-Match: <version>` (quoted or weak forms accepted) makes a write conditional."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidValue("If-Match must be the resource's version number")
    return int(raw)


IfMatch = Annotated[int | None, Depends(if_match)]


def avatars(request: Request) -> AvatarStore:
    return request.app.state.avatars  # type: ignore[no-any-return]


Avatars = Annotated[AvatarStore, Depends(avatars)]


@asynccontextmanager
async def write(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The route's transaction; a writer that raced us past the version check still loses with a 409."""
    try:
        async with transaction(sessions) as session:
            yield session
    except StaleDataError:
        raise VersionConflict("Resource was modified by another request; reload it and retry") from None


def user_view(user: User, store: AvatarStore) -> UserView:
    return UserView(
        id=user.id,
        external_auth_id=user.external_auth_id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        avatar_url=store.url(user.avatar_key),
        bio=user.bio,
        phone=user.phone,
        timezone=user.timezone,
        language=user.language,
        email_verified=user.email_verified,
        status=user.status,
        role=user.role,
        is_active=user.status == "active",
        is_suspended=user.status == "suspended",
        is_deleted=user.status == "deleted",
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login_at=user.last_login_at,
        version=user.version,
    )


# Users


@router.get("/users", tags=["users"])
async def list_users(
    session: ReadSession,
    by: CurrentUser,
    store: Avatars,
    page: Page = 1,
    limit: Limit100 = 10,
    search: Search = None,
    status: Literal["active", "suspended", "deleted"] | None = None,
    role: Literal["pending", "candidate", "hr", "admin"] | None = None,
) -> Paginated[UserView]:
    """List users (admin) with search, filters and pagination."""
    access.require_admin(by)
    rows, pagination = await queries.list_users(
        session, page=page, limit=limit, search=search, status=status, role=role
    )
    return Paginated(data=[user_view(u, store) for u in rows], pagination=pagination)


@router.get("/users/stats", tags=["users"])
async def user_stats(session: ReadSession, by: CurrentUser) -> UserStats:
    """Counts of users by status (admin)."""
    access.require_admin(by)
    return await queries.user_stats(session)


@router.get("/users/me", tags=["users"])
async def get_me(session: ReadSession, by: CurrentUser, store: Avatars) -> UserView:
    """The caller's own user."""
    return user_view(await commands.load_user(session, access.caller_id(by)), store)


@router.put("/users/me", tags=["users"])
async def update_me(cmd: UpdateUser, db: Sessions, by: CurrentUser, store: Avatars, version: IfMatch) -> UserView:
    """Update the caller's own profile."""
    async with write(db) as session:
        user = await commands.update_user(session, access.caller_id(by), cmd, by, expected_version=version)
    return user_view(user, store)


@router.get("/users/by-external-auth/{externalAuthId}", tags=["users"])
async def get_by_external_auth(
    session: ReadSession,
    _: InternalCaller,
    store: Avatars,
    external_auth_id: Annotated[str, Path(alias="externalAuthId", max_length=255)],
) -> UserView:
    """The user of a Keycloak identity (the gateway's registration saga; internal token only)."""
    return user_view(await commands.find_user(session, user_id=None, external_auth_id=external_auth_id), store)


@router.post("/users", status_code=201, tags=["users"])
async def create_user(cmd: CreateUser, db: Sessions, _: InternalCaller) -> Ok[CreatedUser]:
    """Create a user (the registration saga). 409 USER_ALREADY_EXISTS names the existing user."""
    async with write(db) as session:
        user = await commands.create_user(session, cmd)
    return Ok(
        data=CreatedUser(
            user_id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            status=user.status,
            created_at=user.created_at,
        )
    )


@router.get("/users/{userId}", tags=["users"])
async def get_user(user_id: UserId, session: ReadSession, by: CurrentUser, store: Avatars) -> UserView:
    """A user: yourself, any user for admins, candidates for HR."""
    user = await commands.load_user(session, user_id)
    await queries.readable_user(session, user, by)
    return user_view(user, store)


@router.put("/users/{userId}", tags=["users"])
async def update_user(
    user_id: UserId, cmd: UpdateUser, db: Sessions, by: CurrentUser, store: Avatars, version: IfMatch
) -> UserView:
    """Update a profile (yourself, or anyone as admin)."""
    async with write(db) as session:
        user = await commands.update_user(session, user_id, cmd, by, expected_version=version)
    return user_view(user, store)


@router.delete("/users/{userId}", tags=["users"])
async def delete_user(user_id: UserId, db: Sessions, by: CurrentUser, store: Avatars, version: IfMatch) -> Message:
    """Delete a user for good (admin); the avatar object goes too."""
    async with write(db) as session:
        user = await commands.delete_user(session, user_id, by, expected_version=version)
    if user.avatar_key:
        await _remove_quietly(store, user.avatar_key)
    return Message(message="User deleted successfully")


@router.post("/users/{userId}/suspend", tags=["users"])
async def suspend_user(
    user_id: UserId, cmd: SuspendUser, db: Sessions, by: CurrentUser, store: Avatars, version: IfMatch
) -> UserView:
    """Suspend a user (admin)."""
    async with write(db) as session:
        user = await commands.suspend_user(session, user_id, cmd.reason, by, expected_version=version)
    return user_view(user, store)


@router.post("/users/{userId}/activate", tags=["users"])
async def activate_user(user_id: UserId, db: Sessions, by: CurrentUser, store: Avatars, version: IfMatch) -> UserView:
    """Re-activate a user (admin); activating an active user changes nothing."""
    async with write(db) as session:
        user = await commands.activate_user(session, user_id, by, expected_version=version)
    return user_view(user, store)


@router.post("/users/{userId}/roles", tags=["users"])
async def select_role(
    user_id: UserId, cmd: SelectRole, db: Sessions, by: CurrentUser, version: IfMatch
) -> RoleSelected:
    """Choose the role once: hr or candidate for yourself; admins may also grant admin."""
    async with write(db) as session:
        await commands.select_role(session, user_id, Role(cmd.role), by, expected_version=version)
    return RoleSelected(message=f"Role {cmd.role} assigned successfully", role=cmd.role)


@router.get("/users/{userId}/permissions", tags=["users"])
async def get_permissions(user_id: UserId, session: ReadSession, by: CurrentUser) -> Ok[Permissions]:
    """The static permissions of the user's role."""
    access.require_self_or_admin(by, user_id)
    return Ok(data=queries.permissions(await commands.load_user(session, user_id)))


@router.get("/users/{userId}/companies", tags=["users"])
async def get_user_companies(user_id: UserId, session: ReadSession, by: CurrentUser) -> Ok[list[CompanyListItem]]:
    """The companies a user belongs to (yourself, or anyone as admin)."""
    access.require_self_or_admin(by, user_id)
    await commands.load_user(session, user_id)
    return Ok(data=await queries.companies_of(session, user_id))


AVATAR_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
MULTIPART_OVERHEAD = 64 * 1024


async def _bounded_file(request: Request, limit: int) -> bytes:
    """The request is refused as soon as it grows past the limit: nothing unbounded is buffered or
    spooled to disk (FastAPI's UploadFile would spool the whole body before any check)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidValue("Send the avatar as multipart/form-data with a field named file")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + MULTIPART_OVERHEAD:
            raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")

    async def replay() -> AsyncGenerator[bytes, None]:
        yield bytes(body)

    try:
        form = await MultiPartParser(request.headers, replay(), max_files=1, max_fields=5).parse()
    except MultiPartException as exc:
        raise InvalidValue(f"Malformed multipart body: {exc.message}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidValue("The multipart body needs a file field named file")
    data = await upload.read(limit + 1)
    await form.close()
    if len(data) > limit:
        raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")
    return data


@router.post("/users/{userId}/avatar", status_code=201, tags=["users"], openapi_extra=AVATAR_FORM)
async def upload_avatar(
    user_id: UserId, request: Request, db: Sessions, by: CurrentUser, store: Avatars
) -> AvatarUploaded:
    """Upload an avatar (multipart field `file`; JPEG, PNG or WebP by content; at most 5 MB)."""
    access.require_self_or_admin(by, user_id)
    data = await _bounded_file(request, request.app.state.settings.avatar_max_bytes)
    content_type, extension = sniff_image(data)
    key = f"avatars/{user_id}/{uuid.uuid4().hex}.{extension}"
    async with write(db) as session:
        # The row's checks (exists, not suspended) run first; a failed upload rolls the row back.
        previous = await commands.set_avatar(session, user_id, key, by)
        await store.put(key, data, content_type)
    if previous:
        await _remove_quietly(store, previous)
    return AvatarUploaded(avatar_url=store.url(key) or "")


@router.delete("/users/{userId}/avatar", status_code=204, response_class=Response, tags=["users"])
async def delete_avatar(user_id: UserId, db: Sessions, by: CurrentUser, store: Avatars) -> Response:
    """Remove the avatar (the reference left it in place ⚠)."""
    async with write(db) as session:
        previous = await commands.set_avatar(session, user_id, None, by)
    if previous:
        await _remove_quietly(store, previous)
    return Response(status_code=204)


async def _remove_quietly(store: AvatarStore, key: str) -> None:
    # An orphaned object costs storage, not correctness; the row no longer points at it.
    try:
        await store.remove(key)
    except Exception as exc:
        log.warning("avatar.remove_failed", key=key, error=repr(exc))


# Candidates


@router.get("/candidates/search", tags=["candidates"])
async def search_candidates(
    session: ReadSession,
    by: CurrentUser,
    skill_ids: Annotated[list[uuid.UUID], Query(alias="skillIds", max_length=50)] = [],  # noqa: B006
    min_proficiency: Annotated[
        Literal["beginner", "intermediate", "advanced", "expert"] | None, Query(alias="minProficiency")
    ] = None,
    min_years: Annotated[int | None, Query(alias="minYears", ge=0, le=50)] = None,
    experience_level: Annotated[
        Literal["junior", "mid", "senior", "lead"] | None, Query(alias="experienceLevel")
    ] = None,
    page: Page = 1,
    limit: Limit100 = 20,
) -> Paginated[CandidateHit]:
    """Search candidates by skills, proficiency, years and experience level (HR and admins)."""
    access.require_hr_or_admin(by)
    q = SearchCandidates(
        skill_ids=skill_ids,
        min_proficiency=min_proficiency,
        min_years=min_years,
        experience_level=experience_level,
        page=page,
        limit=limit,
    )
    hits, pagination = await queries.search_candidates(session, q)
    return Paginated(data=hits, pagination=pagination)


@router.get("/candidates/{userId}/profile", tags=["candidates"])
async def get_candidate_profile(user_id: UserId, session: ReadSession, by: CurrentUser) -> Ok[CandidateProfileView]:
    """A candidate's profile (the candidate, HR, admins)."""
    queries.require_candidate_reader(by, user_id)
    profile = await commands.load_profile(session, user_id)
    return Ok(data=queries.profile_view(profile, await commands.load_user(session, user_id)))


@router.get("/candidates/{userId}/skills", tags=["candidates"])
async def get_candidate_skills(user_id: UserId, session: ReadSession, by: CurrentUser) -> Ok[list[SkillGroup]]:
    """A candidate's skills grouped by category."""
    queries.require_candidate_reader(by, user_id)
    await commands.load_profile(session, user_id)
    return Ok(data=await queries.candidate_skills(session, user_id))


@router.post("/candidates/{userId}/skills", status_code=201, tags=["candidates"])
async def add_candidate_skill(
    user_id: UserId, cmd: AddCandidateSkill, db: Sessions, by: CurrentUser
) -> Ok[CandidateSkillId]:
    """Add a skill to your profile."""
    async with write(db) as session:
        row = await commands.add_candidate_skill(session, user_id, cmd, by)
    return Ok(data=CandidateSkillId(candidate_skill_id=row.id))


@router.put("/candidates/{userId}/skills/{skillId}", tags=["candidates"])
async def update_candidate_skill(
    user_id: UserId,
    skill_id: Annotated[uuid.UUID, Path(alias="skillId")],
    cmd: UpdateCandidateSkill,
    db: Sessions,
    by: CurrentUser,
) -> Message:
    """Change the fields sent of a skill in your profile."""
    async with write(db) as session:
        await commands.update_candidate_skill(session, user_id, skill_id, cmd, by)
    return Message(message="Skill updated successfully")


@router.delete("/candidates/{userId}/skills/{skillId}", status_code=204, response_class=Response, tags=["candidates"])
async def remove_candidate_skill(
    user_id: UserId, skill_id: Annotated[uuid.UUID, Path(alias="skillId")], db: Sessions, by: CurrentUser
) -> Response:
    """Remove a skill from your profile."""
    async with write(db) as session:
        await commands.remove_candidate_skill(session, user_id, skill_id, by)
    return Response(status_code=204)


@router.put("/candidates/{userId}/experience-level", tags=["candidates"])
async def set_experience_level(
    user_id: UserId, cmd: SetExperienceLevel, db: Sessions, by: CurrentUser, version: IfMatch
) -> Ok[CandidateProfileView]:
    """Set your experience level."""
    async with write(db) as session:
        profile = await commands.set_experience_level(
            session, user_id, cmd.experience_level, by, expected_version=version
        )
        user = await commands.load_user(session, user_id)
    return Ok(data=queries.profile_view(profile, user))


# Companies


@router.post("/companies", status_code=201, tags=["companies"])
async def create_company(cmd: CreateCompany, db: Sessions, by: CurrentUser) -> Ok[CompanyId]:
    """Create a company; its creator becomes its primary member (HR, admins)."""
    async with write(db) as session:
        company = await commands.create_company(session, cmd, by)
    return Ok(data=CompanyId(company_id=company.id))


@router.get("/companies", tags=["companies"])
async def list_companies(
    session: ReadSession,
    by: CurrentUser,
    page: Page = 1,
    limit: Limit100 = 20,
    search: Search = None,
    is_active: Annotated[bool | None, Query(alias="isActive")] = None,
    created_by: Annotated[uuid.UUID | None, Query(alias="createdBy")] = None,
) -> Paginated[CompanyListItem]:
    """Companies: all for admins, your own for everyone else."""
    access.require_hr_or_admin(by)
    items, pagination = await queries.list_companies(
        session, by, page=page, limit=limit, search=search, is_active=is_active, created_by=created_by
    )
    return Paginated(data=items, pagination=pagination)


CompanyPath = Annotated[uuid.UUID, Path(alias="id")]


@router.get("/companies/{id}", tags=["companies"])
async def get_company(company_id: CompanyPath, session: ReadSession, by: CurrentUser) -> Ok[CompanyView]:
    """A company you belong to (any, for admins)."""
    company = await commands.load_company(session, company_id)
    await commands.require_company_reader(session, company, by)
    return Ok(data=await queries.company_view(session, company, by))


@router.put("/companies/{id}", tags=["companies"])
async def update_company(
    company_id: CompanyPath, cmd: UpdateCompany, db: Sessions, by: CurrentUser, version: IfMatch
) -> Ok[CompanyView]:
    """Change the fields sent (the creator, or admins)."""
    async with write(db) as session:
        company = await commands.update_company(session, company_id, cmd, by, expected_version=version)
        view = await queries.company_view(session, company, by)
    return Ok(data=view)


@router.delete("/companies/{id}", status_code=204, response_class=Response, tags=["companies"])
async def delete_company(company_id: CompanyPath, db: Sessions, by: CurrentUser) -> Response:
    """Delete a company (the creator, or admins)."""
    async with write(db) as session:
        await commands.delete_company(session, company_id, by)
    return Response(status_code=204)


# Skills


SkillPath = Annotated[uuid.UUID, Path(alias="id")]


@router.post("/skills", status_code=201, tags=["skills"])
async def create_skill(cmd: CreateSkill, db: Sessions, by: CurrentUser) -> Ok[SkillId]:
    """Add a skill to the catalogue (admin)."""
    async with write(db) as session:
        skill = await commands.create_skill(session, cmd, by)
    return Ok(data=SkillId(skill_id=skill.id))


@router.get("/skills", tags=["skills"])
async def list_skills(
    session: ReadSession,
    _: CurrentUser,
    page: Page = 1,
    limit: Limit100 = 20,
    search: Search = None,
    category_id: Annotated[uuid.UUID | None, Query(alias="categoryId")] = None,
    is_active: Annotated[bool | None, Query(alias="isActive")] = None,
) -> Paginated[SkillView]:
    """The skills catalogue."""
    items, pagination = await queries.list_skills(
        session, page=page, limit=limit, search=search, category_id=category_id, is_active=is_active
    )
    return Paginated(data=items, pagination=pagination)


@router.get("/skills/categories", tags=["skills"])
async def list_categories(session: ReadSession, _: CurrentUser) -> Ok[list[CategoryView]]:
    """Skill categories in display order."""
    return Ok(data=await queries.categories(session))


@router.get("/skills/{id}", tags=["skills"])
async def get_skill(skill_id: SkillPath, session: ReadSession, _: CurrentUser) -> Ok[SkillView]:
    """One skill."""
    return Ok(data=queries.skill_view(await commands.load_skill(session, skill_id)))


@router.put("/skills/{id}", tags=["skills"])
async def update_skill(skill_id: SkillPath, cmd: UpdateSkill, db: Sessions, by: CurrentUser) -> Ok[SkillView]:
    """Change the fields sent of a skill (admin)."""
    async with write(db) as session:
        skill = await commands.update_skill(session, skill_id, cmd, by)
        view = queries.skill_view(skill)
    return Ok(data=view)


@router.delete("/skills/{id}", status_code=204, response_class=Response, tags=["skills"])
async def delete_skill(skill_id: SkillPath, db: Sessions, by: CurrentUser) -> Response:
    """Delete a skill; candidates lose it too (admin)."""
    async with write(db) as session:
        await commands.delete_skill(session, skill_id, by)
    return Response(status_code=204)


@router.post("/skills/{id}/activate", tags=["skills"])
async def activate_skill(skill_id: SkillPath, db: Sessions, by: CurrentUser) -> Ok[SkillView]:
    """Make a skill selectable again (admin; idempotent)."""
    async with write(db) as session:
        view = queries.skill_view(await commands.set_skill_active(session, skill_id, True, by))
    return Ok(data=view)


@router.post("/skills/{id}/deactivate", tags=["skills"])
async def deactivate_skill(skill_id: SkillPath, db: Sessions, by: CurrentUser) -> Ok[SkillView]:
    """Stop new candidates adding a skill; existing ones keep it (admin; idempotent)."""
    async with write(db) as session:
        view = queries.skill_view(await commands.set_skill_active(session, skill_id, False, by))
    return Ok(data=view)

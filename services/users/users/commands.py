"""Write side: each handler loads an aggregate, applies a rule and leaves the commit to its caller (a
route or a consumer), so the events it records share the transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kit import db
from kit.auth import Principal
from kit.domain import utcnow
from kit.errors import Conflict
from users import access
from users.domain import (
    CandidateApplication,
    CandidateProfile,
    CandidateProfileNotFound,
    CandidateSkill,
    CandidateSkillAlreadyExists,
    CandidateSkillNotFound,
    Company,
    CompanyAlreadyExists,
    CompanyNotFound,
    ExperienceLevel,
    InvalidExperienceLevel,
    InvalidValue,
    Membership,
    NoFieldsToUpdate,
    Role,
    Skill,
    SkillAlreadyExists,
    SkillCategory,
    SkillCategoryNotFound,
    SkillNotActive,
    SkillNotFound,
    User,
    UserAlreadyExists,
    UserNotFound,
    check_version,
    may_self_select_hr,
)
from users.schemas import (
    AddCandidateSkill,
    CreateCompany,
    CreateSkill,
    CreateUser,
    UpdateCandidateSkill,
    UpdateCompany,
    UpdateSkill,
    UpdateUser,
)
from users.storage import AvatarStore, sniff_image


@asynccontextmanager
async def _unique(session: AsyncSession, conflict: Conflict) -> AsyncIterator[None]:
    """What the block adds or changes is flushed in a savepoint: a unique violation (a name or slug already taken,
    perhaps by a concurrent request) is `conflict`, with its own code and words, and the transaction goes on."""
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError:
        raise conflict from None


# Users


async def create_user(session: AsyncSession, cmd: CreateUser) -> User:
    """One user per identity even under concurrent first logins: the unique constraints decide, and the
    loser gets 409 USER_ALREADY_EXISTS naming the existing user so the caller can adopt it."""
    user = User.register(
        user_id=cmd.user_id,
        external_auth_id=cmd.external_auth_id,
        email=cmd.email,
        first_name=cmd.first_name,
        last_name=cmd.last_name,
    )
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        existing = await session.scalar(
            select(User).where(
                (User.external_auth_id == user.external_auth_id) | (User.email == user.email) | (User.id == user.id)
            )
        )
        details = None
        if existing is not None and existing.external_auth_id == user.external_auth_id:
            details = {"userId": str(existing.id), "externalAuthId": existing.external_auth_id}
        raise UserAlreadyExists(
            "A user with this externalAuthId, email or id already exists", details=details
        ) from None
    return user


async def load_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await db.get(session, User, user_id)
    if user is None:
        raise UserNotFound(f"User {user_id} not found")
    return user


async def find_user(session: AsyncSession, *, user_id: uuid.UUID | None, external_auth_id: str | None) -> User:
    if user_id is not None:
        return await load_user(session, user_id)
    user = await session.scalar(select(User).where(User.external_auth_id == external_auth_id))
    if user is None:
        raise UserNotFound(f"User with externalAuthId {external_auth_id} not found")
    return user


async def update_user(
    session: AsyncSession, user_id: uuid.UUID, cmd: UpdateUser, *, caller: Principal, expected_version: int | None
) -> User:
    access.require_self_or_admin(caller, user_id)
    user = await load_user(session, user_id)
    check_version(user.version, expected_version)
    user.update_profile(cmd.model_dump(exclude_unset=True))
    return user


async def suspend_user(
    session: AsyncSession, user_id: uuid.UUID, reason: str, *, expected_version: int | None = None
) -> User:
    user = await load_user(session, user_id)
    check_version(user.version, expected_version)
    user.suspend(reason)
    return user


async def activate_user(session: AsyncSession, user_id: uuid.UUID, *, expected_version: int | None = None) -> User:
    user = await load_user(session, user_id)
    check_version(user.version, expected_version)
    user.activate()
    return user


async def delete_user(session: AsyncSession, user_id: uuid.UUID, *, expected_version: int | None = None) -> User:
    """A hard delete, as the reference does; profile, skills and memberships cascade."""
    user = await load_user(session, user_id)
    check_version(user.version, expected_version)
    user.record_deletion()
    await session.delete(user)
    return user


async def select_role(
    session: AsyncSession,
    user_id: uuid.UUID,
    role: Role,
    *,
    caller: Principal,
    expected_version: int | None = None,
    verified_email: str | None = None,
    hr_email_domains: Collection[str] = (),
) -> User:
    """Once, from pending. hr needs an administrator (who grants it) or the user's own verified address at a
    configured company domain; anyone else choosing hr stays pending with a request the admins approve."""
    access.require_self_or_admin(caller, user_id)
    access.require_role_grant(caller, role)
    user = await load_user(session, user_id)
    check_version(user.version, expected_version)
    if (
        role == Role.HR
        and not caller.has("admin")
        and not may_self_select_hr(user.email, verified_email, hr_email_domains)
    ):
        user.request_hr_access()
        return user
    user.select_role(role)
    if role == Role.CANDIDATE:
        session.add(CandidateProfile(user_id=user.id, created_at=utcnow(), updated_at=utcnow()))
    return user


async def reconcile_role(session: AsyncSession, *, caller: Principal) -> User:
    """The caller's user, holding the role their token carries when it had none here (see `adopt_token_role`);
    without this, the web app sent such a user between role choice and dashboard forever."""
    user = await load_user(session, access.caller_id(caller))
    if user.adopt_token_role(caller.role) and user.role == Role.CANDIDATE:
        session.add(CandidateProfile(user_id=user.id, created_at=utcnow(), updated_at=utcnow()))
    return user


async def record_login(session: AsyncSession, external_auth_id: str) -> bool:
    """Naturally idempotent, and not an aggregate change: no version bump, no event."""
    result = await session.execute(
        update(User)
        .where(User.external_auth_id == external_auth_id)
        # updated_at is kept: a login is not a profile change.
        .values(last_login_at=utcnow(), updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_avatar(session: AsyncSession, user_id: uuid.UUID, key: str | None, *, caller: Principal) -> str | None:
    """Returns the key of the avatar it replaces, for the caller to remove from storage after COMMIT."""
    access.require_self_or_admin(caller, user_id)
    user = await load_user(session, user_id)
    return user.set_avatar(key)


async def upload_avatar(
    session: AsyncSession, user_id: uuid.UUID, data: bytes, *, caller: Principal, avatars: AvatarStore
) -> tuple[str, str | None]:
    """Stores an image as the user's avatar; returns its key and the key it replaces. The row's checks
    (exists, not suspended) run before the upload, and a failed upload rolls the row back."""
    content_type, extension = sniff_image(data)
    key = f"avatars/{user_id}/{uuid.uuid4().hex}.{extension}"
    previous = await set_avatar(session, user_id, key, caller=caller)
    await avatars.put(key, data, content_type)
    return key, previous


# Companies


async def create_company(session: AsyncSession, cmd: CreateCompany, *, caller: Principal) -> Company:
    creator = access.company_creator(caller, cmd.created_by)
    await load_user(session, creator)
    fields = cmd.model_dump(exclude={"created_by"}, exclude_unset=True)
    company = Company.found(created_by=creator, **fields)
    async with _unique(session, CompanyAlreadyExists(f"A company named {company.name!r} already exists")):
        session.add(company)
        await session.flush()
        session.add(Membership(user_id=creator, company_id=company.id, is_primary=True, joined_at=utcnow()))
    return company


async def load_company(session: AsyncSession, company_id: uuid.UUID) -> Company:
    company = await session.get(Company, company_id)
    if company is None:
        raise CompanyNotFound(f"Company {company_id} not found")
    return company


async def update_company(
    session: AsyncSession,
    company_id: uuid.UUID,
    cmd: UpdateCompany,
    *,
    caller: Principal,
    expected_version: int | None,
) -> Company:
    company = await load_company(session, company_id)
    access.require_company_owner(caller, company)
    check_version(company.version, expected_version)
    fields = cmd.model_dump(exclude={"updated_by"}, exclude_unset=True)
    if "name" in fields and fields["name"] is None:
        del fields["name"]
    async with _unique(session, CompanyAlreadyExists(f"A company named {fields.get('name')!r} already exists")):
        company.revise(fields)
    return company


async def delete_company(session: AsyncSession, company_id: uuid.UUID, *, caller: Principal) -> None:
    company = await load_company(session, company_id)
    access.require_company_owner(caller, company)
    company.record_deletion(access.user_uuid(caller))
    await session.delete(company)


# Skills catalogue (its routes admit admins only)


async def _require_category(session: AsyncSession, category_id: uuid.UUID | None) -> None:
    if category_id is not None and await session.get(SkillCategory, category_id) is None:
        raise SkillCategoryNotFound(f"Skill category {category_id} not found")


async def create_skill(session: AsyncSession, cmd: CreateSkill) -> Skill:
    name = cmd.name.strip()
    if not name:
        raise InvalidValue("Skill name cannot be blank")
    await _require_category(session, cmd.category_id)
    skill = Skill(
        id=uuid.uuid4(),
        name=name,
        slug=cmd.slug,
        category_id=cmd.category_id,
        description=cmd.description,
        is_active=True,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    async with _unique(session, SkillAlreadyExists(f"A skill with slug {cmd.slug!r} already exists")):
        session.add(skill)
    return skill


async def load_skill(session: AsyncSession, skill_id: uuid.UUID) -> Skill:
    skill = await session.get(Skill, skill_id)
    if skill is None:
        raise SkillNotFound(f"Skill {skill_id} not found")
    return skill


async def update_skill(session: AsyncSession, skill_id: uuid.UUID, cmd: UpdateSkill) -> Skill:
    """Partial update; the description is kept (the reference dropped it when it was not sent)."""
    skill = await load_skill(session, skill_id)
    fields: dict[str, Any] = cmd.model_dump(exclude={"admin_id"}, exclude_unset=True)
    if "category_id" in fields:
        await _require_category(session, fields["category_id"])
    if fields.get("name") is not None:
        fields["name"] = fields["name"].strip() or skill.name
    elif "name" in fields:
        del fields["name"]
    for field, value in fields.items():
        setattr(skill, field, value)
    skill.updated_at = utcnow()
    await session.flush()
    if "category_id" in fields:
        await session.refresh(skill, ["category"])
    return skill


async def set_skill_active(session: AsyncSession, skill_id: uuid.UUID, *, active: bool) -> Skill:
    skill = await load_skill(session, skill_id)
    if skill.is_active != active:
        skill.is_active = active
        skill.updated_at = utcnow()
        await session.flush()
    return skill


async def delete_skill(session: AsyncSession, skill_id: uuid.UUID) -> None:
    await session.delete(await load_skill(session, skill_id))


# Candidate profile and skills


async def load_profile(session: AsyncSession, user_id: uuid.UUID) -> CandidateProfile:
    profile = await session.get(CandidateProfile, user_id)
    if profile is None:
        raise CandidateProfileNotFound(f"User {user_id} has no candidate profile")
    return profile


async def set_experience_level(
    session: AsyncSession, user_id: uuid.UUID, level: str, *, caller: Principal, expected_version: int | None = None
) -> CandidateProfile:
    access.require_self_or_admin(caller, user_id)
    if level not in set(ExperienceLevel):
        raise InvalidExperienceLevel(f"Experience level must be one of {', '.join(ExperienceLevel)}")
    profile = await load_profile(session, user_id)
    check_version(profile.version, expected_version)
    profile.experience_level = level
    profile.updated_at = utcnow()
    await session.flush()
    return profile


async def add_candidate_skill(
    session: AsyncSession, user_id: uuid.UUID, cmd: AddCandidateSkill, *, caller: Principal
) -> CandidateSkill:
    access.require_self_or_admin(caller, user_id)
    await load_profile(session, user_id)
    skill = await load_skill(session, cmd.skill_id)
    if not skill.is_active:
        raise SkillNotActive(f"Skill {skill.name} is not active")
    row = CandidateSkill(
        id=uuid.uuid4(),
        candidate_id=user_id,
        skill_id=skill.id,
        description=cmd.description,
        proficiency_level=cmd.proficiency_level or "beginner",
        years_of_experience=cmd.years_of_experience or 0,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    async with _unique(session, CandidateSkillAlreadyExists(f"Skill {skill.name} is already in the profile")):
        session.add(row)
    return row


async def _load_candidate_skill(session: AsyncSession, user_id: uuid.UUID, skill_id: uuid.UUID) -> CandidateSkill:
    row = await session.scalar(
        select(CandidateSkill).where(CandidateSkill.candidate_id == user_id, CandidateSkill.skill_id == skill_id)
    )
    if row is None:
        raise CandidateSkillNotFound(f"Skill {skill_id} is not in the profile of {user_id}")
    return row


async def update_candidate_skill(
    session: AsyncSession, user_id: uuid.UUID, cmd: UpdateCandidateSkill, *, skill_id: uuid.UUID, caller: Principal
) -> None:
    """Only the fields sent change (the reference reset the others to their defaults)."""
    access.require_self_or_admin(caller, user_id)
    fields = cmd.model_dump(exclude_unset=True)
    if not fields:
        raise NoFieldsToUpdate("Send at least one of description, proficiencyLevel, yearsOfExperience")
    row = await _load_candidate_skill(session, user_id, skill_id)
    if fields.get("proficiency_level") is None:
        fields.pop("proficiency_level", None)
    if fields.get("years_of_experience") is None:
        fields.pop("years_of_experience", None)
    for field, value in fields.items():
        setattr(row, field, value)
    row.updated_at = utcnow()
    await session.flush()


async def remove_candidate_skill(
    session: AsyncSession, user_id: uuid.UUID, *, skill_id: uuid.UUID, caller: Principal
) -> None:
    access.require_self_or_admin(caller, user_id)
    await session.execute(
        delete(CandidateSkill).where(CandidateSkill.id == (await _load_candidate_skill(session, user_id, skill_id)).id)
    )


# Applications, from interviews' invitations


async def record_application(
    session: AsyncSession, *, account_id: str, candidate_id: uuid.UUID, applied_at: datetime
) -> bool:
    """The candidate applied to the account (it invited them). One row per account and candidate, dated by
    its earliest invitation whatever order invitations arrive in (they are keyed, so partitioned, by
    invitation). False when the candidate is no user here (deleted since): there is no one to find."""
    if await session.scalar(select(User.id).where(User.id == candidate_id)) is None:
        return False
    row = insert(CandidateApplication).values(account_id=account_id, candidate_id=candidate_id, applied_at=applied_at)
    await session.execute(
        row.on_conflict_do_update(
            index_elements=[CandidateApplication.account_id, CandidateApplication.candidate_id],
            set_={"applied_at": func.least(CandidateApplication.applied_at, row.excluded.applied_at)},
        )
    )
    return True

"""Every wire model of the service: request bodies, query and header parameters, responses (camelCase on
the wire). Lists answer as `kit.schemas.Paginated`, `{success, data, pagination}`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Query
from pydantic import Field, StrictBool, field_validator

from kit.contracts.users import UserProfile
from kit.schemas import Command, View
from users.domain import CandidateProfile, CandidateSkill, Company, InvalidValue, Skill, User, UserRow

T = TypeVar("T")

Name = Field(min_length=1, max_length=100)
ShortText = Field(default=None, max_length=255)
# Company sizes and experience levels are checked by the domain, so a wrong one answers with its own
# code (INVALID_COMPANY_SIZE, INVALID_EXPERIENCE_LEVEL) rather than a generic 422.
CompanySize = Annotated[str, Field(max_length=20)]
ProficiencyLevel = Literal["beginner", "intermediate", "advanced", "expert"]
ExperienceLevelName = Literal["junior", "mid", "senior", "lead"]

# Query parameters shared by the lists: a page holds at most 100 rows.
PageLimit = Annotated[int, Query(ge=1, le=100)]
Search = Annotated[str | None, Query(max_length=200)]


# Async: FastAPI runs a plain `def` dependency in its thread pool, a thread hand-off on every conditional write.
async def if_match(value: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """`If-Match: <version>` (quoted or weak forms accepted) makes a write conditional."""
    if value is None or value.strip() == "*":
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidValue("If-Match must be the resource's version number")
    return int(raw)


IfMatch = Annotated[int | None, Depends(if_match)]


class Ok(View, Generic[T]):
    success: bool = True
    data: T


class Message(View):
    success: bool = True
    message: str


# Users


class CreateUser(Command):
    user_id: UUID
    external_auth_id: str = Field(min_length=1, max_length=255)
    email: str = Field(min_length=3, max_length=255)
    first_name: str = Name
    last_name: str = Name


class UpdateUser(Command):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    bio: str | None = Field(default=None, max_length=5000)
    phone: str | None = Field(default=None, max_length=50)
    timezone: str | None = Field(default=None, max_length=50)
    language: str | None = Field(default=None, max_length=10)
    # Whether HR's candidate search may find the user.
    discoverable: StrictBool | None = None

    @field_validator("discoverable")
    @classmethod
    def _discoverable_is_a_choice(cls, value: bool | None) -> bool:
        # Left out, it keeps its value; sent, it must say yes or no (null is not a setting).
        if value is None:
            raise ValueError("must be true or false")
        return value


class SuspendUser(Command):
    reason: str = Field(min_length=1, max_length=1000)


class SelectRole(Command):
    role: Literal["candidate", "hr", "admin"]
    # The caller's address as the identity provider verified it (the gateway copies it from the signed-in
    # token, and only when the token says it is verified): with a configured company domain it makes hr
    # immediate; without, choosing hr records a request for an administrator.
    verified_email: str | None = Field(default=None, max_length=255)


class UserView(UserProfile):
    # Beyond the shared contract: the user's own settings and state, for their profile and the admins.
    discoverable: bool
    hr_access_requested_at: datetime | None

    @classmethod
    def of(cls, user: User | UserRow, *, avatar_url: str | None) -> Self:
        return cls(
            id=user.id,
            external_auth_id=user.external_auth_id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            avatar_url=avatar_url,
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
            discoverable=user.discoverable,
            hr_access_requested_at=user.hr_access_requested_at,
        )


class CreatedUser(View):
    user_id: UUID
    email: str
    first_name: str
    last_name: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(
            user_id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            status=user.status,
            created_at=user.created_at,
        )


class UserStats(View):
    total_users: int
    active_users: int
    suspended_users: int
    deleted_users: int
    users_by_status: dict[str, int]


class RoleSelected(View):
    message: str
    role: str


class HrAccessRequested(View):
    """Choosing hr recorded a request instead: the user stays pending until an administrator approves."""

    message: str
    role: str
    hr_access_requested_at: datetime


class RoleView(View):
    id: str
    name: str
    display_name: str


class Permissions(View):
    user_id: UUID
    roles: list[RoleView]
    permissions: list[str]


class AvatarUploaded(View):
    avatar_url: str


# The avatar route reads its multipart body itself (bounded, see storage.read_avatar); this documents it.
AVATAR_UPLOAD: dict[str, Any] = {
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


# Companies


class CreateCompany(Command):
    name: str = Field(min_length=1, max_length=255)
    industry: str | None = Field(default=None, max_length=100)
    size: CompanySize | None = None
    website: str | None = ShortText
    description: str | None = Field(default=None, max_length=5000)
    location: str | None = ShortText
    # The reference's gateway sends the caller's id; the service takes identity from its headers.
    created_by: UUID | None = None


class UpdateCompany(Command):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    industry: str | None = Field(default=None, max_length=100)
    size: CompanySize | None = None
    website: str | None = ShortText
    description: str | None = Field(default=None, max_length=5000)
    location: str | None = ShortText
    is_active: bool | None = None
    updated_by: UUID | None = None


class CompanyId(View):
    company_id: UUID


class CompanyListItem(View):
    id: UUID
    name: str
    industry: str | None
    size: str | None
    location: str | None
    is_active: bool
    created_at: datetime


class CompanyView(View):
    id: UUID
    name: str
    description: str | None
    website: str | None
    logo_url: str | None
    industry: str | None
    size: str | None
    location: str | None
    position: str | None = None
    created_by: UUID | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, company: Company, *, position: str | None) -> Self:
        """With the caller's position in the company, when the caller is a member."""
        return cls.model_validate(company).model_copy(update={"position": position})


# Skills


class CreateSkill(Command):
    name: str = Field(min_length=1, max_length=100)
    slug: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
    category_id: UUID | None = None
    description: str | None = Field(default=None, max_length=1000)
    admin_id: UUID | None = None


class UpdateSkill(Command):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    category_id: UUID | None = None
    admin_id: UUID | None = None


class SkillId(View):
    skill_id: UUID


class CategoryView(View):
    id: UUID
    name: str
    slug: str
    description: str | None
    sort_order: int
    created_at: datetime
    updated_at: datetime


class SkillView(View):
    id: UUID
    name: str
    slug: str
    category_id: UUID | None
    category_name: str | None
    description: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    category: CategoryView | None

    @classmethod
    def of(cls, skill: Skill) -> Self:
        category = CategoryView.model_validate(skill.category) if skill.category is not None else None
        return cls(
            id=skill.id,
            name=skill.name,
            slug=skill.slug,
            category_id=skill.category_id,
            category_name=category.name if category else None,
            description=skill.description,
            is_active=skill.is_active,
            created_at=skill.created_at,
            updated_at=skill.updated_at,
            category=category,
        )


# Candidates


class AddCandidateSkill(Command):
    skill_id: UUID
    description: str | None = Field(default=None, max_length=1000)
    proficiency_level: ProficiencyLevel | None = None
    years_of_experience: int | None = Field(default=None, ge=0, le=50)


class UpdateCandidateSkill(Command):
    description: str | None = Field(default=None, max_length=1000)
    proficiency_level: ProficiencyLevel | None = None
    years_of_experience: int | None = Field(default=None, ge=0, le=50)


class SetExperienceLevel(Command):
    experience_level: str = Field(max_length=20)


class CandidateSkillId(View):
    candidate_skill_id: UUID


class CandidateProfileView(View):
    user_id: UUID
    full_name: str
    email: str
    experience_level: str | None
    is_profile_complete: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, profile: CandidateProfile, user: User) -> Self:
        return cls(
            user_id=user.id,
            full_name=user.full_name,
            email=user.email,
            experience_level=profile.experience_level,
            is_profile_complete=profile.is_profile_complete,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


class CandidateSkillView(View):
    skill_id: UUID
    skill_name: str
    description: str | None
    proficiency_level: str
    years_of_experience: int
    added_at: datetime

    @classmethod
    def of(cls, row: CandidateSkill) -> Self:
        return cls(
            skill_id=row.skill_id,
            skill_name=row.skill.name,
            description=row.description,
            proficiency_level=row.proficiency_level,
            years_of_experience=row.years_of_experience,
            added_at=row.created_at,
        )


class SkillGroup(View):
    category_id: UUID | None
    category_name: str | None
    skills: list[CandidateSkillView]


class CandidateHit(View):
    user_id: UUID
    full_name: str
    email: str
    experience_level: str | None
    matched_skills: list[CandidateSkillView]
    match_score: int


class SearchCandidates(Command):
    skill_ids: list[UUID] = Field(default_factory=list, max_length=50)
    min_proficiency: ProficiencyLevel | None = None
    min_years: int | None = Field(default=None, ge=0, le=50)
    experience_level: ExperienceLevelName | None = None

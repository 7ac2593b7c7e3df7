"""Request bodies and response shapes of reference §4.1 (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import Field

from kit.schemas import Command, View

T = TypeVar("T")

Name = Field(min_length=1, max_length=100)
ShortText = Field(default=None, max_length=255)
# Sizes and levels are checked by the domain so a wrong one answers with its own code of §4.6.
CompanySize = Annotated[str, Field(max_length=20)]
ProficiencyLevel = Literal["beginner", "intermediate", "advanced", "expert"]
ExperienceLevelName = Literal["junior", "mid", "senior", "lead"]


class Ok(View, Generic[T]):
    success: bool = True
    data: T


class Message(View):
    success: bool = True
    message: str


class Pagination(View):
    total: int
    page: int
    limit: int
    total_pages: int

    @classmethod
    def of(cls, total: int, page: int, limit: int) -> Pagination:
        return cls(total=total, page=page, limit=limit, total_pages=(total + limit - 1) // limit)


class Paginated(View, Generic[T]):
    success: bool = True
    data: list[T]
    pagination: Pagination


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


class SuspendUser(Command):
    reason: str = Field(min_length=1, max_length=1000)


class SelectRole(Command):
    role: Literal["candidate", "hr", "admin"]


class UserView(View):
    id: UUID
    external_auth_id: str
    email: str
    first_name: str
    last_name: str
    avatar_url: str | None
    bio: str | None
    phone: str | None
    timezone: str
    language: str
    email_verified: bool
    status: str
    role: str
    is_active: bool
    is_suspended: bool
    is_deleted: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    # Send it back as `If-Match` to make a write conditional (optimistic locking).
    version: int


class CreatedUser(View):
    user_id: UUID
    email: str
    first_name: str
    last_name: str
    status: str
    created_at: datetime


class UserStats(View):
    total_users: int
    active_users: int
    suspended_users: int
    deleted_users: int
    users_by_status: dict[str, int]


class RoleSelected(View):
    message: str
    role: str


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


class CandidateSkillView(View):
    skill_id: UUID
    skill_name: str
    description: str | None
    proficiency_level: str
    years_of_experience: int
    added_at: datetime


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
    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=20, ge=1, le=100)

"""Users, companies, the skills taxonomy and candidate profiles: the tables, their rules and the domain
errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, Self

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kit.contracts.users import (
    CompanyCreated,
    CompanyDeleted,
    CompanyUpdated,
    UserActivated,
    UserCreated,
    UserDeleted,
    UserRoleSelected,
    UserSuspended,
    UserUpdated,
)
from kit.db import Base
from kit.domain import AggregateRoot, utcnow
from kit.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class Role(StrEnum):
    PENDING = "pending"
    CANDIDATE = "candidate"
    HR = "hr"
    ADMIN = "admin"


# Roles a user may pick for themself: never admin, which only an admin grants.
SELF_SELECTABLE = frozenset({Role.CANDIDATE, Role.HR})


def takes_token_role(role: str, token_role: str) -> bool:
    """Whether a user whose role here is `role` takes the role their token carries (`User.adopt_token_role`):
    only a pending user, and only for a role that is one. A read can tell without loading the aggregate."""
    return role == Role.PENDING and token_role in {r.value for r in Role} and token_role != Role.PENDING


HR_ACCESS_PENDING = "An administrator must approve HR access"


class ExperienceLevel(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"


class Proficiency(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"

    @property
    def rank(self) -> int:
        return list(Proficiency).index(self)


COMPANY_SIZES = ("1-10", "11-50", "51-200", "200+")
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
EMAIL = re.compile(r"^[^\s@]{1,64}@(?=.{1,253}\.)[^\s@.]+(\.[^\s@.]+)*\.[A-Za-z]{2,63}$")


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 255 or not EMAIL.match(email):
        raise InvalidValue(f"Invalid email address: {raw!r}")
    return email


def person_name(raw: str | None, field: str) -> str:
    name = (raw or "").strip()
    if not 1 <= len(name) <= 50:
        raise InvalidValue(f"{field} must be 1 to 50 characters after trimming")
    return name


def optional_text(raw: str | None, field: str, limit: int) -> str | None:
    """Blank optional text is stored as null, as the reference normalises it."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if len(value) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters")
    return value


def check_version(current: int, expected: int | None) -> None:
    """Optimistic locking as the client sees it: `If-Match: <version>` names the state it edited.
    (The ORM's version_id_col checks it again in the UPDATE, for writers racing inside the service.)"""
    if expected is not None and expected != current:
        raise VersionConflict(
            "Resource was modified by another request; reload it and retry",
            details={"expectedVersion": expected, "currentVersion": current},
        )


class User(Base, AggregateRoot):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    external_auth_id: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    avatar_key: Mapped[str | None] = mapped_column(Text)
    bio: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(50))
    timezone: Mapped[str] = mapped_column(String(50), default="UTC")
    language: Mapped[str] = mapped_column(String(10), default="en")
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.ACTIVE, index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.PENDING, index=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set while a user who chose hr waits for an administrator's approval; cleared once a role is set.
    hr_access_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether HR's candidate search may find this user: the candidate opts in, it is off until then.
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def register(
        cls, *, user_id: uuid.UUID, external_auth_id: str, email: str, first_name: str, last_name: str
    ) -> Self:
        external = external_auth_id.strip()
        if not 1 <= len(external) <= 255:
            raise InvalidValue("externalAuthId must be 1 to 255 characters")
        now = utcnow()
        user = cls(
            id=user_id,
            external_auth_id=external,
            email=normalise_email(email),
            first_name=person_name(first_name, "firstName"),
            last_name=person_name(last_name, "lastName"),
            timezone="UTC",
            language="en",
            email_verified=False,
            status=UserStatus.ACTIVE,
            role=Role.PENDING,
            discoverable=False,
            created_at=now,
            updated_at=now,
        )
        user.record(
            UserCreated(
                user_id=user.id,
                company_id=user.id,
                external_auth_id=user.external_auth_id,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                status=user.status,
                role=user.role,
                created_at=now,
                language=user.language,
                timezone=user.timezone,
            )
        )
        return user

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def _ensure_mutable(self) -> None:
        if self.status == UserStatus.DELETED:
            raise UserIsDeleted("This account has been deleted")

    def _ensure_active(self) -> None:
        self._ensure_mutable()
        if self.status == UserStatus.SUSPENDED:
            raise UserIsSuspended("This account is suspended")

    def update_profile(self, changes: dict[str, Any]) -> None:
        self._ensure_active()
        for field, value in changes.items():
            if field in ("first_name", "last_name"):
                value = person_name(value, "firstName" if field == "first_name" else "lastName")
            elif field == "phone":
                value = optional_text(value, "phone", 50)
            elif field == "timezone":
                value = optional_text(value, "timezone", 50) or "UTC"
            elif field == "language":
                value = optional_text(value, "language", 10) or "en"
            elif field == "bio":
                value = optional_text(value, "bio", 5000)
            setattr(self, field, value)
        self.updated_at = utcnow()
        self._record_updated()

    def _record_updated(self) -> None:
        self.record(
            UserUpdated(
                user_id=self.id,
                external_auth_id=self.external_auth_id,
                email=self.email,
                first_name=self.first_name,
                last_name=self.last_name,
                role=self.role,
                updated_at=self.updated_at,
                language=self.language,
                timezone=self.timezone,
            )
        )

    def set_avatar(self, key: str | None) -> str | None:
        """Returns the key of the avatar it replaces (deleted from storage after COMMIT)."""
        self._ensure_active()
        previous, self.avatar_key = self.avatar_key, key
        self.updated_at = utcnow()
        self._record_updated()
        return previous

    def suspend(self, reason: str) -> None:
        self._ensure_mutable()
        if self.status == UserStatus.SUSPENDED:
            raise InvalidUserOperation("This account is already suspended")
        if not reason.strip():
            raise InvalidValue("A suspension needs a reason")
        self.status = UserStatus.SUSPENDED
        self.updated_at = utcnow()
        self.record(
            UserSuspended(
                user_id=self.id,
                external_auth_id=self.external_auth_id,
                email=self.email,
                reason=reason.strip(),
                suspended_at=self.updated_at,
            )
        )

    def activate(self) -> None:
        """Idempotent: activating an active user changes nothing and records nothing (the reference's
        spurious event on a no-op is dropped)."""
        self._ensure_mutable()
        if self.status == UserStatus.ACTIVE:
            return
        self.status = UserStatus.ACTIVE
        self.updated_at = utcnow()
        self.record(
            UserActivated(
                user_id=self.id, external_auth_id=self.external_auth_id, email=self.email, activated_at=self.updated_at
            )
        )

    def _ensure_role_unset(self) -> None:
        if self.role != Role.PENDING:
            raise InvalidUserOperation(f"This account already has the role {self.role}; a role is chosen once")

    def request_hr_access(self) -> None:
        """Records that the user chose hr and waits for an administrator; asking again keeps the first
        request's time, which orders the administrators' queue."""
        self._ensure_active()
        self._ensure_role_unset()
        if self.hr_access_requested_at is None:
            self.hr_access_requested_at = utcnow()
            self.updated_at = self.hr_access_requested_at

    def select_role(self, role: Role) -> None:
        self._ensure_mutable()
        if role == Role.PENDING:
            raise InvalidUserOperation("pending is not a role one can select")
        self._ensure_role_unset()
        self.role = role
        # Any role settles a waiting HR request: granted, or withdrawn by choosing candidate.
        self.hr_access_requested_at = None
        self.updated_at = utcnow()
        self.record(
            UserRoleSelected(
                user_id=self.id,
                company_id=self.id,
                external_auth_id=self.external_auth_id,
                email=self.email,
                role=role,
                selected_at=self.updated_at,
            )
        )

    def adopt_token_role(self, token_role: str) -> bool:
        """The identity provider's realm role is the truth: a user still pending here whose token already carries
        a role (granted in Keycloak directly, or a lost update) takes it, as if chosen. True when adopted."""
        if not takes_token_role(self.role, token_role):
            return False
        self.select_role(Role(token_role))
        return True

    def record_deletion(self) -> None:
        self.record(
            UserDeleted(user_id=self.id, external_auth_id=self.external_auth_id, email=self.email, deleted_at=utcnow())
        )


class UserRow(NamedTuple):
    """A user's columns, in the table's order, as a hot read gets them (`kit.db.Query`, no aggregate loaded):
    what `UserView` and `access` read of a `User`, by the same names."""

    id: uuid.UUID
    external_auth_id: str
    email: str
    first_name: str
    last_name: str
    avatar_key: str | None
    bio: str | None
    phone: str | None
    timezone: str
    language: str
    email_verified: bool
    status: str
    role: str
    last_login_at: datetime | None
    hr_access_requested_at: datetime | None
    discoverable: bool
    created_at: datetime
    updated_at: datetime
    version: int


def may_self_select_hr(email: str, verified_email: str | None, company_domains: Collection[str]) -> bool:
    """A user may take hr without an administrator only with their own address, verified by the identity
    provider, at one of the configured company domains (exactly: a subdomain is not trusted unless listed)."""
    if not verified_email or verified_email.strip().lower() != email:
        return False
    domain = email.rpartition("@")[2]
    return domain in {d.strip().lower().lstrip("@") for d in company_domains if d.strip()}


class CandidateProfile(Base):
    __tablename__ = "candidate_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    experience_level: Mapped[str | None] = mapped_column(String(20))
    is_profile_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class SkillCategory(Base):
    __tablename__ = "skill_categories"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("skill_categories.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    category: Mapped[SkillCategory | None] = relationship(lazy="joined")


class CandidateSkill(Base):
    __tablename__ = "candidate_skills"
    __table_args__ = (UniqueConstraint("candidate_id", "skill_id", name="uq_candidate_skills_candidate_skill"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("candidate_profiles.user_id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    proficiency_level: Mapped[str] = mapped_column(String(20), default=Proficiency.BEGINNER)
    years_of_experience: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    skill: Mapped[Skill] = relationship(lazy="joined")


class Company(Base, AggregateRoot):
    __tablename__ = "companies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(255))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The creator may be deleted later (hard delete); the company stays, manageable by admins.
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    @staticmethod
    def clean(fields: dict[str, Any]) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for field, value in fields.items():
            if field == "name":
                name = (value or "").strip()
                if not 1 <= len(name) <= 255:
                    raise InvalidValue("Company name must be 1 to 255 characters")
                cleaned[field] = name
            elif field == "size":
                if value is not None and value not in COMPANY_SIZES:
                    raise InvalidCompanySize(f"Company size must be one of {', '.join(COMPANY_SIZES)}")
                cleaned[field] = value
            elif field in ("description", "website", "industry", "location"):
                limit = {"description": 5000, "website": 255, "industry": 100, "location": 255}[field]
                cleaned[field] = optional_text(value, field, limit)
                if field == "website" and cleaned[field] and not WEBSITE.match(cleaned[field]):
                    raise InvalidValue("website must be an http(s) URL")
            else:
                cleaned[field] = value
        return cleaned

    @classmethod
    def found(cls, *, created_by: uuid.UUID, **fields: Any) -> Self:
        now = utcnow()
        company = cls(id=uuid.uuid4(), created_by=created_by, is_active=True, created_at=now, updated_at=now)
        for field, value in cls.clean(fields).items():
            setattr(company, field, value)
        company.record(CompanyCreated(company_id=company.id, name=company.name, created_by=created_by, created_at=now))
        return company

    def revise(self, fields: dict[str, Any]) -> None:
        """Partial update: an omitted field keeps its value (the reference cleared the fields not sent)."""
        for field, value in self.clean(fields).items():
            setattr(self, field, value)
        self.updated_at = utcnow()
        self.record(CompanyUpdated(company_id=self.id, name=self.name, updated_at=self.updated_at))

    def record_deletion(self, deleted_by: uuid.UUID | None) -> None:
        self.record(CompanyDeleted(company_id=self.id, deleted_by=deleted_by, deleted_at=utcnow()))


class Membership(Base):
    __tablename__ = "user_companies"
    __table_args__ = (UniqueConstraint("user_id", "company_id", name="uq_user_companies_user_company"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    position: Mapped[str | None] = mapped_column(String(100))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), default=utcnow)


class CandidateApplication(Base):
    """A candidate who applied to an account: invited by it (interviews' `invitation.created`). HR of that
    account may find the candidate in search without the candidate opting in to being discoverable. One row
    per account and candidate however many invitations; a withdrawn invitation keeps it (they applied)."""

    __tablename__ = "candidate_applications"

    # The billed account that invited: a company id, or the HR user's id while they belong to none (as
    # interviews keeps it).
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # When the account's earliest invitation of the candidate was created.
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Errors: the codes and statuses are those the reference's clients parse. The 400s keep the plain
# DomainError status; every other error takes its status from the kit's semantic parent.


class InvalidValue(DomainError):
    code = "DOMAIN_ERROR"


class NoFieldsToUpdate(InvalidValue):
    code = "NO_FIELDS_TO_UPDATE"


class InvalidExperienceLevel(InvalidValue):
    code = "INVALID_EXPERIENCE_LEVEL"


class InvalidCompanySize(InvalidValue):
    code = "INVALID_COMPANY_SIZE"


class InvalidUserOperation(Invalid):
    code = "INVALID_USER_OPERATION"


class SkillCategoryNotFound(Invalid):
    code = "SKILL_CATEGORY_NOT_FOUND"


class SkillNotActive(Invalid):
    code = "SKILL_NOT_ACTIVE"


class AccessDenied(Forbidden):
    code = "ACCESS_DENIED"


class CompanyAccessDenied(Forbidden):
    code = "COMPANY_ACCESS_DENIED"


class UserIsSuspended(Forbidden):
    code = "USER_SUSPENDED"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class CandidateProfileNotFound(NotFound):
    code = "CANDIDATE_PROFILE_NOT_FOUND"


class CandidateSkillNotFound(NotFound):
    code = "CANDIDATE_SKILL_NOT_FOUND"


class CompanyNotFound(NotFound):
    code = "COMPANY_NOT_FOUND"


class SkillNotFound(NotFound):
    code = "SKILL_NOT_FOUND"


class UserAlreadyExists(Conflict):
    code = "USER_ALREADY_EXISTS"


class CandidateSkillAlreadyExists(Conflict):
    code = "CANDIDATE_SKILL_ALREADY_EXISTS"


class CompanyAlreadyExists(Conflict):
    code = "COMPANY_ALREADY_EXISTS"


class SkillAlreadyExists(Conflict):
    code = "SKILL_ALREADY_EXISTS"


class VersionConflict(Conflict):
    code = "VERSION_CONFLICT"


class UserIsDeleted(Gone):
    code = "USER_DELETED"

"""Read side: queries return views, never aggregates to change."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kit.auth import Principal
from users import access
from users.domain import (
    AccessDenied,
    CandidateProfile,
    CandidateSkill,
    Company,
    Membership,
    Proficiency,
    Role,
    Skill,
    SkillCategory,
    User,
    UserStatus,
)
from users.schemas import (
    CandidateHit,
    CandidateProfileView,
    CandidateSkillView,
    CategoryView,
    CompanyListItem,
    CompanyView,
    Pagination,
    Permissions,
    RoleView,
    SearchCandidates,
    SkillGroup,
    SkillView,
    UserStats,
)

PERMISSIONS: dict[str, list[str]] = {
    Role.PENDING: ["read:own_profile"],
    Role.CANDIDATE: ["read:own_profile", "write:own_profile", "read:interviews", "write:interviews"],
    Role.HR: ["read:own_profile", "write:own_profile", "read:candidates", "create:interviews", "manage:interviews"],
    Role.ADMIN: ["read:users", "write:users", "delete:users", "manage:roles", "manage:system"],
}
DISPLAY_NAMES = {
    Role.PENDING: "Pending",
    Role.CANDIDATE: "Candidate",
    Role.HR: "HR Manager",
    Role.ADMIN: "Administrator",
}


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


async def _page(session: AsyncSession, query: Select[Any], page: int, limit: int) -> tuple[Sequence[Any], int]:
    total = await _count(session, query)
    rows = (await session.scalars(query.offset((page - 1) * limit).limit(limit))).unique().all()
    return rows, total


# Users


async def list_users(
    session: AsyncSession, *, page: int, limit: int, search: str | None, status: str | None, role: str | None
) -> tuple[Sequence[User], Pagination]:
    query = select(User).order_by(User.created_at.desc(), User.id)
    if search:
        pattern = _like(search)
        query = query.where(
            or_(User.first_name.ilike(pattern), User.last_name.ilike(pattern), User.email.ilike(pattern))
        )
    if status:
        query = query.where(User.status == status)
    if role:
        query = query.where(User.role == role)
    rows, total = await _page(session, query, page, limit)
    return rows, Pagination.of(total, page, limit)


async def user_stats(session: AsyncSession) -> UserStats:
    counts = dict((await session.execute(select(User.status, func.count()).group_by(User.status))).tuples().all())
    by_status = {s.value: int(counts.get(s.value, 0)) for s in UserStatus}
    return UserStats(
        total_users=sum(by_status.values()),
        active_users=by_status["active"],
        suspended_users=by_status["suspended"],
        deleted_users=by_status["deleted"],
        users_by_status=by_status,
    )


async def readable_user(session: AsyncSession, user: User, by: Principal) -> None:
    """Self and admins read anyone; HR reads candidates (invitation lists show their names)."""
    if access.is_self(by, user.id) or access.is_admin(by):
        return
    if by.has("hr") and user.role == Role.CANDIDATE:
        return
    raise AccessDenied("You may only read your own account")


def permissions(user: User) -> Permissions:
    role = Role(user.role)
    return Permissions(
        user_id=user.id,
        roles=[RoleView(id=role, name=role, display_name=DISPLAY_NAMES[role])],
        permissions=PERMISSIONS[role],
    )


# Companies


def _company_list_item(company: Company) -> CompanyListItem:
    return CompanyListItem.model_validate(company)


async def companies_of(session: AsyncSession, user_id: uuid.UUID) -> list[CompanyListItem]:
    rows = await session.scalars(
        select(Company)
        .join(Membership, Membership.company_id == Company.id)
        .where(Membership.user_id == user_id)
        .order_by(Company.name)
    )
    return [_company_list_item(c) for c in rows]


async def list_companies(
    session: AsyncSession,
    by: Principal,
    *,
    page: int,
    limit: int,
    search: str | None,
    is_active: bool | None,
    created_by: uuid.UUID | None,
) -> tuple[list[CompanyListItem], Pagination]:
    """Admins see every company; anyone else only the companies they belong to, paginated and filtered
    alike (the reference ignored both for non-admins ⚠)."""
    query = select(Company).order_by(Company.name)
    if not access.is_admin(by):
        query = query.join(Membership, Membership.company_id == Company.id).where(
            Membership.user_id == access.caller_id(by)
        )
    if search:
        query = query.where(Company.name.ilike(_like(search)))
    if is_active is not None:
        query = query.where(Company.is_active == is_active)
    if created_by is not None:
        query = query.where(Company.created_by == created_by)
    rows, total = await _page(session, query, page, limit)
    return [_company_list_item(c) for c in rows], Pagination.of(total, page, limit)


async def company_view(session: AsyncSession, company: Company, by: Principal) -> CompanyView:
    """With the caller's position in the company, when the caller is a member."""
    position, caller = None, access.user_uuid(by)
    if caller is not None:
        position = await session.scalar(
            select(Membership.position).where(Membership.company_id == company.id, Membership.user_id == caller)
        )
    return CompanyView.model_validate(company).model_copy(update={"position": position})


# Skills


def skill_view(skill: Skill) -> SkillView:
    category = CategoryView.model_validate(skill.category) if skill.category is not None else None
    return SkillView(
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


async def list_skills(
    session: AsyncSession,
    *,
    page: int,
    limit: int,
    search: str | None,
    category_id: uuid.UUID | None,
    is_active: bool | None,
) -> tuple[list[SkillView], Pagination]:
    query = select(Skill).order_by(Skill.name, Skill.id)
    if search:
        query = query.where(Skill.name.ilike(_like(search)))
    if category_id is not None:
        query = query.where(Skill.category_id == category_id)
    if is_active is not None:
        query = query.where(Skill.is_active == is_active)
    rows, total = await _page(session, query, page, limit)
    return [skill_view(s) for s in rows], Pagination.of(total, page, limit)


async def categories(session: AsyncSession) -> list[CategoryView]:
    rows = await session.scalars(select(SkillCategory).order_by(SkillCategory.sort_order, SkillCategory.name))
    return [CategoryView.model_validate(c) for c in rows]


# Candidates


def require_candidate_reader(by: Principal, user_id: uuid.UUID) -> None:
    if not (access.is_self(by, user_id) or by.has("hr", "admin")):
        raise AccessDenied("Only the candidate, HR and admins read a candidate profile")


def profile_view(profile: CandidateProfile, user: User) -> CandidateProfileView:
    return CandidateProfileView(
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        experience_level=profile.experience_level,
        is_profile_complete=profile.is_profile_complete,
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )


def _skill_row(row: CandidateSkill) -> CandidateSkillView:
    return CandidateSkillView(
        skill_id=row.skill_id,
        skill_name=row.skill.name,
        description=row.description,
        proficiency_level=row.proficiency_level,
        years_of_experience=row.years_of_experience,
        added_at=row.created_at,
    )


async def _skills_of(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[CandidateSkill]]:
    rows = await session.scalars(
        select(CandidateSkill).where(CandidateSkill.candidate_id.in_(user_ids)).order_by(CandidateSkill.created_at)
    )
    grouped: dict[uuid.UUID, list[CandidateSkill]] = defaultdict(list)
    for row in rows.unique():
        grouped[row.candidate_id].append(row)
    return grouped


async def candidate_skills(session: AsyncSession, user_id: uuid.UUID) -> list[SkillGroup]:
    rows = (await _skills_of(session, [user_id])).get(user_id, [])
    groups: dict[uuid.UUID | None, SkillGroup] = {}
    for row in rows:
        category = row.skill.category
        key = category.id if category else None
        group = groups.setdefault(
            key, SkillGroup(category_id=key, category_name=category.name if category else None, skills=[])
        )
        group.skills.append(_skill_row(row))
    return list(groups.values())


def _proficiency_rank(column: InstrumentedAttribute[str]) -> ColumnElement[int]:
    return case({p.value: p.rank for p in Proficiency}, value=column, else_=0)


async def search_candidates(session: AsyncSession, q: SearchCandidates) -> tuple[list[CandidateHit], Pagination]:
    """Reference §4.3.5: with skillIds, candidates having all of them (each row meeting the minimums);
    without, any candidate, optionally with some skill meeting them. Scored by total years."""
    min_rank = Proficiency(q.min_proficiency).rank if q.min_proficiency else None
    skill_filter: list[ColumnElement[bool]] = []
    if min_rank is not None:
        skill_filter.append(_proficiency_rank(CandidateSkill.proficiency_level) >= min_rank)
    if q.min_years is not None:
        skill_filter.append(CandidateSkill.years_of_experience >= q.min_years)

    query = (
        select(User, CandidateProfile)
        .join(CandidateProfile, CandidateProfile.user_id == User.id)
        .where(User.role == Role.CANDIDATE, User.status == UserStatus.ACTIVE)
        .order_by(User.created_at.desc(), User.id)
    )
    if q.experience_level:
        query = query.where(CandidateProfile.experience_level == q.experience_level)
    wanted = set(q.skill_ids)
    if wanted:
        having_all = (
            select(CandidateSkill.candidate_id)
            .where(CandidateSkill.skill_id.in_(wanted), *skill_filter)
            .group_by(CandidateSkill.candidate_id)
            .having(func.count(func.distinct(CandidateSkill.skill_id)) == len(wanted))
        )
        query = query.where(User.id.in_(having_all))
    elif skill_filter:
        query = query.where(User.id.in_(select(CandidateSkill.candidate_id).where(*skill_filter)))

    total = await _count(session, query)
    rows = (await session.execute(query.offset((q.page - 1) * q.limit).limit(q.limit))).tuples().all()
    skills = await _skills_of(session, [user.id for user, _ in rows])
    hits = [
        CandidateHit(
            user_id=user.id,
            full_name=user.full_name,
            email=user.email,
            experience_level=profile.experience_level,
            matched_skills=[_skill_row(s) for s in skills.get(user.id, [])],
            match_score=sum(s.years_of_experience for s in skills.get(user.id, [])),
        )
        for user, profile in rows
    ]
    hits.sort(key=lambda h: h.match_score, reverse=True)
    return hits, Pagination.of(total, q.page, q.limit)

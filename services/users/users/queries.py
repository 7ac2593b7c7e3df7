"""Read side: queries return views, never aggregates to change; who may read what is asked of `access`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kit.auth import Principal
from kit.db import Query
from kit.schemas import Paginated, paginate
from users import access
from users.commands import find_user, load_company, load_profile, load_skill, load_user
from users.domain import (
    CandidateApplication,
    CandidateProfile,
    CandidateSkill,
    Company,
    Membership,
    Proficiency,
    Role,
    Skill,
    SkillCategory,
    User,
    UserNotFound,
    UserRow,
    UserStatus,
)
from users.schemas import (
    CandidateHit,
    CandidateProfileView,
    CandidateSkillView,
    CategoryView,
    CompanyListItem,
    CompanyView,
    Permissions,
    RoleView,
    SearchCandidates,
    SkillGroup,
    SkillView,
    UserStats,
    UserView,
)
from users.storage import AvatarStore

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


# Users


def user_view(user: User | UserRow, avatars: AvatarStore) -> UserView:
    return UserView.of(user, avatar_url=avatars.url(user.avatar_key))


async def list_users(
    session: AsyncSession,
    *,
    avatars: AvatarStore,
    page: int,
    limit: int,
    search: str | None,
    status: str | None,
    role: str | None,
) -> Paginated[UserView]:
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
    rows, total = await paginate(session, query, page=page, limit=limit)
    return Paginated.of([user_view(user, avatars) for (user,) in rows], total=total, page=page, limit=limit)


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


# The hottest read of the service (every screen asks who the caller is): columns, not the aggregate.
USER_BY_ID = Query(select(*User.__table__.columns).where(User.id == bindparam("id")), UserRow)


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, caller: Principal, avatars: AvatarStore) -> UserView:
    user = await USER_BY_ID.one(session, id=user_id)
    if user is None:
        raise UserNotFound(f"User {user_id} not found")
    access.require_user_reader(caller, user)
    return user_view(user, avatars)


async def own_user(session: AsyncSession, *, caller: Principal) -> UserRow:
    """The caller's own user, read as `GET /users/{id}` reads one."""
    user_id = access.caller_id(caller)
    user = await USER_BY_ID.one(session, id=user_id)
    if user is None:
        raise UserNotFound(f"User {user_id} not found")
    return user


async def user_by_external_auth(session: AsyncSession, external_auth_id: str, *, avatars: AvatarStore) -> UserView:
    return user_view(await find_user(session, user_id=None, external_auth_id=external_auth_id), avatars)


async def permissions(session: AsyncSession, user_id: uuid.UUID, *, caller: Principal) -> Permissions:
    """The static permissions of the user's role."""
    access.require_self_or_admin(caller, user_id)
    role = Role((await load_user(session, user_id)).role)
    return Permissions(
        user_id=user_id,
        roles=[RoleView(id=role, name=role, display_name=DISPLAY_NAMES[role])],
        permissions=PERMISSIONS[role],
    )


# Companies


async def companies_of(session: AsyncSession, user_id: uuid.UUID, *, caller: Principal) -> list[CompanyListItem]:
    access.require_self_or_admin(caller, user_id)
    await load_user(session, user_id)
    rows = await session.scalars(
        select(Company)
        .join(Membership, Membership.company_id == Company.id)
        .where(Membership.user_id == user_id)
        .order_by(Company.name)
    )
    return [CompanyListItem.model_validate(c) for c in rows]


async def list_companies(
    session: AsyncSession,
    *,
    caller: Principal,
    page: int,
    limit: int,
    search: str | None,
    is_active: bool | None,
    created_by: uuid.UUID | None,
) -> Paginated[CompanyListItem]:
    """Admins see every company; anyone else only the companies they belong to, paginated and filtered
    alike (the reference ignored both for non-admins)."""
    query = select(Company).order_by(Company.name)
    member = access.company_scope(caller)
    if member is not None:
        query = query.join(Membership, Membership.company_id == Company.id).where(Membership.user_id == member)
    if search:
        query = query.where(Company.name.ilike(_like(search)))
    if is_active is not None:
        query = query.where(Company.is_active == is_active)
    if created_by is not None:
        query = query.where(Company.created_by == created_by)
    rows, total = await paginate(session, query, page=page, limit=limit)
    items = [CompanyListItem.model_validate(company) for (company,) in rows]
    return Paginated.of(items, total=total, page=page, limit=limit)


async def get_company(session: AsyncSession, company_id: uuid.UUID, *, caller: Principal) -> CompanyView:
    company = await load_company(session, company_id)
    members = await session.scalars(select(Membership.user_id).where(Membership.company_id == company.id))
    access.require_company_reader(caller, set(members))
    return CompanyView.of(company, position=await position_in(session, company, caller=caller))


async def position_in(session: AsyncSession, company: Company, *, caller: Principal) -> str | None:
    """The caller's position in the company, when the caller is a member."""
    member = access.user_uuid(caller)
    if member is None:
        return None
    return await session.scalar(
        select(Membership.position).where(Membership.company_id == company.id, Membership.user_id == member)
    )


# Skills


async def list_skills(
    session: AsyncSession,
    *,
    page: int,
    limit: int,
    search: str | None,
    category_id: uuid.UUID | None,
    is_active: bool | None,
) -> Paginated[SkillView]:
    query = select(Skill).order_by(Skill.name, Skill.id)
    if search:
        query = query.where(Skill.name.ilike(_like(search)))
    if category_id is not None:
        query = query.where(Skill.category_id == category_id)
    if is_active is not None:
        query = query.where(Skill.is_active == is_active)
    rows, total = await paginate(session, query, page=page, limit=limit)
    return Paginated.of([SkillView.of(skill) for (skill,) in rows], total=total, page=page, limit=limit)


async def get_skill(session: AsyncSession, skill_id: uuid.UUID) -> SkillView:
    return SkillView.of(await load_skill(session, skill_id))


async def categories(session: AsyncSession) -> list[CategoryView]:
    rows = await session.scalars(select(SkillCategory).order_by(SkillCategory.sort_order, SkillCategory.name))
    return [CategoryView.model_validate(c) for c in rows]


# Candidates


async def candidate_profile(session: AsyncSession, user_id: uuid.UUID, *, caller: Principal) -> CandidateProfileView:
    access.require_candidate_reader(caller, user_id)
    profile = await load_profile(session, user_id)
    return CandidateProfileView.of(profile, await load_user(session, user_id))


async def _skills_of(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[CandidateSkill]]:
    rows = await session.scalars(
        select(CandidateSkill).where(CandidateSkill.candidate_id.in_(user_ids)).order_by(CandidateSkill.created_at)
    )
    grouped: dict[uuid.UUID, list[CandidateSkill]] = defaultdict(list)
    for row in rows.unique():
        grouped[row.candidate_id].append(row)
    return grouped


async def candidate_skills(session: AsyncSession, user_id: uuid.UUID, *, caller: Principal) -> list[SkillGroup]:
    """A candidate's skills grouped by category."""
    access.require_candidate_reader(caller, user_id)
    await load_profile(session, user_id)
    rows = (await _skills_of(session, [user_id])).get(user_id, [])
    groups: dict[uuid.UUID | None, SkillGroup] = {}
    for row in rows:
        category = row.skill.category
        key = category.id if category else None
        group = groups.setdefault(
            key, SkillGroup(category_id=key, category_name=category.name if category else None, skills=[])
        )
        group.skills.append(CandidateSkillView.of(row))
    return list(groups.values())


def _proficiency_rank(column: InstrumentedAttribute[str]) -> ColumnElement[int]:
    return case({p.value: p.rank for p in Proficiency}, value=column, else_=0)


async def search_candidates(
    session: AsyncSession, q: SearchCandidates, *, caller: Principal, page: int, limit: int
) -> Paginated[CandidateHit]:
    """Among candidates who are discoverable or applied to the caller's account: with skillIds, those having
    all of them (each row meeting the minimums); without, any, optionally with some skill meeting them.
    Scored by total years."""
    min_rank = Proficiency(q.min_proficiency).rank if q.min_proficiency else None
    skill_filter: list[ColumnElement[bool]] = []
    if min_rank is not None:
        skill_filter.append(_proficiency_rank(CandidateSkill.proficiency_level) >= min_rank)
    if q.min_years is not None:
        skill_filter.append(CandidateSkill.years_of_experience >= q.min_years)

    applied = select(CandidateApplication.candidate_id).where(
        CandidateApplication.account_id == access.applicants_account(caller)
    )
    query = (
        select(User, CandidateProfile)
        .join(CandidateProfile, CandidateProfile.user_id == User.id)
        .where(User.role == Role.CANDIDATE, User.status == UserStatus.ACTIVE)
        # Only candidates who opted in, or who applied to this account: a candidate's profile is not HR's to
        # browse uninvited.
        .where(or_(User.discoverable.is_(True), User.id.in_(applied)))
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

    rows, total = await paginate(session, query, page=page, limit=limit)
    skills = await _skills_of(session, [user.id for user, _ in rows])
    hits = [
        CandidateHit(
            user_id=user.id,
            full_name=user.full_name,
            email=user.email,
            experience_level=profile.experience_level,
            matched_skills=[CandidateSkillView.of(s) for s in skills.get(user.id, [])],
            match_score=sum(s.years_of_experience for s in skills.get(user.id, [])),
        )
        for user, profile in rows
    ]
    hits.sort(key=lambda h: h.match_score, reverse=True)
    return Paginated.of(hits, total=total, page=page, limit=limit)

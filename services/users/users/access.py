"""Who may touch which resource. Routes check roles; these functions compare the caller with the resource
in hand: a user reads and changes only themself unless an admin, HR reads candidates, and a company is
read by its members and changed by its creator (admins may do all of it)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from kit.auth import Principal
from users.domain import SELF_SELECTABLE, AccessDenied, Company, CompanyAccessDenied, Role, User, UserRow

# Commands arriving on `user-commands` act as the platform, not as a user.
SYSTEM = Principal(user_id="system", role="admin")


def user_uuid(caller: Principal) -> UUID | None:
    try:
        return UUID(caller.user_id)
    except ValueError:
        return None


def caller_id(caller: Principal) -> UUID:
    """The caller as a user of this service; the system actor and malformed ids are not one."""
    user_id = user_uuid(caller)
    if user_id is None:
        raise AccessDenied("This action needs a user identity (x-user-id must be a user id)")
    return user_id


def _is_self(caller: Principal, user_id: UUID) -> bool:
    return caller.user_id == str(user_id)


def require_self(caller: Principal, user_id: UUID, message: str) -> None:
    """What only the person may do for themself (an erasure request), not even an admin."""
    if not _is_self(caller, user_id):
        raise AccessDenied(message)


def require_self_or_admin(caller: Principal, user_id: UUID) -> None:
    if not (_is_self(caller, user_id) or caller.has("admin")):
        raise AccessDenied("You may only access your own account")


def require_user_reader(caller: Principal, user: User | UserRow) -> None:
    """Self and admins read anyone; HR reads candidates (invitation lists show their names)."""
    if _is_self(caller, user.id) or caller.has("admin"):
        return
    if caller.has("hr") and user.role == Role.CANDIDATE:
        return
    raise AccessDenied("You may only read your own account")


def require_role_grant(caller: Principal, role: Role) -> None:
    """A user picks hr or candidate for themself; only an admin grants admin."""
    if not caller.has("admin") and role not in SELF_SELECTABLE:
        raise AccessDenied(f"The role {role} cannot be self-selected; choose hr or candidate")


def require_candidate_reader(caller: Principal, user_id: UUID) -> None:
    if not (_is_self(caller, user_id) or caller.has("hr", "admin")):
        raise AccessDenied("Only the candidate, HR and admins read a candidate profile")


def applicants_account(caller: Principal) -> str:
    """Candidate search finds, besides those who chose to be discoverable, the candidates who applied to the
    account the caller acts for (its invitations): the caller's company, else the caller."""
    return caller.account_id


def company_creator(caller: Principal, named: UUID | None) -> UUID:
    """The creator of a new company: the caller, or the user an admin names."""
    creator = caller_id(caller)
    if named is not None and named != creator and not caller.has("admin"):
        raise CompanyAccessDenied("createdBy must be the caller")
    return named or creator


def company_scope(caller: Principal) -> UUID | None:
    """The member whose companies bound a company list, or None when the caller (an admin) sees all."""
    return None if caller.has("admin") else caller_id(caller)


def require_company_reader(caller: Principal, members: Collection[UUID]) -> None:
    """Members and admins read a company (the reference let anyone read any company)."""
    if caller.has("admin"):
        return
    if caller_id(caller) not in members:
        raise CompanyAccessDenied("You are not a member of this company")


def require_company_owner(caller: Principal, company: Company) -> None:
    if not (caller.has("admin") or (company.created_by is not None and caller.user_id == str(company.created_by))):
        raise CompanyAccessDenied("Only the company's creator may change it")

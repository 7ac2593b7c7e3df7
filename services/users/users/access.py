"""Who may do what, checked in the service again (design.md §5): admin routes need admin, a user reads
and changes only themself unless admin, HR reads candidates and only their own companies."""

from __future__ import annotations

from uuid import UUID

from kit.auth import Principal
from users.domain import AccessDenied

# Commands arriving on `user-commands` act as the platform, not as a user.
SYSTEM = Principal(user_id="system", role="admin")


def is_admin(by: Principal) -> bool:
    return by.has("admin")


def is_self(by: Principal, user_id: UUID) -> bool:
    return by.user_id == str(user_id)


def require_admin(by: Principal) -> None:
    if not is_admin(by):
        raise AccessDenied("Requires the admin role")


def require_self_or_admin(by: Principal, user_id: UUID) -> None:
    if not (is_self(by, user_id) or is_admin(by)):
        raise AccessDenied("You may only access your own account")


def require_hr_or_admin(by: Principal) -> None:
    if not by.has("hr", "admin"):
        raise AccessDenied("Requires the hr or admin role")


def user_uuid(by: Principal) -> UUID | None:
    try:
        return UUID(by.user_id)
    except ValueError:
        return None


def caller_id(by: Principal) -> UUID:
    caller = user_uuid(by)
    if caller is None:
        raise AccessDenied("This action needs a user identity (x-user-id must be a user id)")
    return caller

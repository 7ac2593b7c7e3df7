"""Contracts of the users service: the events it publishes on `user-events` (the reference's user events),
the commands it accepts on `user-commands` (the gateway or an operator may send them), and the user as its
HTTP API answers it (the gateway nests that view in answers of its own).

Payload fields are camelCase on the wire, as the reference's consumers read them. Additions to the
reference's payloads (e.g. `email` on suspended/activated, so notifications can reach the user) are additive."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent
from kit.schemas import View

USER_EVENTS = "user-events"
USER_COMMANDS = "user-commands"


class _Contract(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)


class UserCreated(_Contract):
    TYPE: ClassVar[str] = "user.created"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    # The reference keys billing on the HR user's id, so the "company" of a new user is the user.
    company_id: UUID
    external_auth_id: str
    email: str
    first_name: str
    last_name: str
    status: str
    role: str
    created_at: datetime
    # Additive: so notifications write in the user's language and time zone without asking.
    language: str | None = None
    timezone: str | None = None


class UserUpdated(_Contract):
    TYPE: ClassVar[str] = "user.updated"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    external_auth_id: str
    email: str
    first_name: str
    last_name: str
    role: str
    updated_at: datetime
    language: str | None = None
    timezone: str | None = None


class UserDeleted(_Contract):
    TYPE: ClassVar[str] = "user.deleted"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    external_auth_id: str
    email: str
    deleted_at: datetime


class UserSuspended(_Contract):
    TYPE: ClassVar[str] = "user.suspended"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    external_auth_id: str
    email: str
    reason: str
    suspended_at: datetime


class UserActivated(_Contract):
    TYPE: ClassVar[str] = "user.activated"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    external_auth_id: str
    email: str
    activated_at: datetime


class UserRoleSelected(_Contract):
    TYPE: ClassVar[str] = "user.role-selected"
    TOPIC: ClassVar[str] = USER_EVENTS

    user_id: UUID
    company_id: UUID
    external_auth_id: str
    email: str
    role: str
    selected_at: datetime


class CompanyCreated(_Contract):
    TYPE: ClassVar[str] = "company.created"
    TOPIC: ClassVar[str] = USER_EVENTS

    company_id: UUID
    name: str
    created_by: UUID
    created_at: datetime


class CompanyUpdated(_Contract):
    TYPE: ClassVar[str] = "company.updated"
    TOPIC: ClassVar[str] = USER_EVENTS

    company_id: UUID
    name: str
    updated_at: datetime


class CompanyDeleted(_Contract):
    TYPE: ClassVar[str] = "company.deleted"
    TOPIC: ClassVar[str] = USER_EVENTS

    company_id: UUID
    # None when the platform itself (not a user) deleted it.
    deleted_by: UUID | None
    deleted_at: datetime


class CompanyMemberAdded(_Contract):
    """An HR user joined a company's hiring team (billing counts a team seat under `membership_id`)."""

    TYPE: ClassVar[str] = "company.member_added"
    TOPIC: ClassVar[str] = USER_EVENTS

    company_id: UUID
    user_id: UUID
    membership_id: UUID
    added_by: UUID
    added_at: datetime


class CompanyMemberRemoved(_Contract):
    TYPE: ClassVar[str] = "company.member_removed"
    TOPIC: ClassVar[str] = USER_EVENTS

    company_id: UUID
    user_id: UUID
    membership_id: UUID
    removed_by: UUID
    removed_at: datetime


class UserCommand(_Contract):
    """A command on `user-commands` names its user by internal id or by Keycloak id (the gateway may
    know only the latter, e.g. when Keycloak reports a change made in its own console)."""

    TOPIC: ClassVar[str] = USER_COMMANDS

    user_id: UUID | None = None
    external_auth_id: str | None = None
    requested_by: str | None = None

    @model_validator(mode="after")
    def _names_a_user(self) -> UserCommand:
        if self.user_id is None and not self.external_auth_id:
            raise ValueError("a user command needs userId or externalAuthId")
        return self


class SuspendUserCommand(UserCommand):
    TYPE: ClassVar[str] = "user.suspend"

    reason: str


class ActivateUserCommand(UserCommand):
    TYPE: ClassVar[str] = "user.activate"


class DeleteUserCommand(UserCommand):
    TYPE: ClassVar[str] = "user.delete"


Role = Literal["candidate", "hr", "admin"]


class AssignRoleCommand(UserCommand):
    """An administrator's role assignment (self-selection goes through HTTP, where it is checked)."""

    TYPE: ClassVar[str] = "user.assign-role"

    role: Role


class UserProfile(View):
    """A user as the users service's HTTP API answers it."""

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

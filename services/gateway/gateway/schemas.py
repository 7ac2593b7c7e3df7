"""Every wire model of the gateway's own routes: the request bodies it validates, the answers it builds,
and the error envelope. Routes that relay a users-service answer unchanged are documented from that
service's own OpenAPI document (`docs.relayed`); the few users-service views the gateway nests inside
its own answers are redeclared here, because services share no code."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import EmailStr, Field

from kit.contracts.users import UserProfile
from kit.schemas import Command, View

AppRole = Literal["pending", "candidate", "hr", "admin"]

# Requests


class SelectRole(Command):
    # Self-service may pick hr or candidate; admin is only ever granted by an admin.
    role: Literal["hr", "candidate"]


class AdminCreateUser(Command):
    email: EmailStr
    username: str | None = Field(default=None, min_length=1, max_length=255)
    first_name: str = Field(min_length=1, max_length=50)
    last_name: str = Field(min_length=1, max_length=50)
    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: AppRole | None = None


class AdminUpdateUser(Command):
    first_name: str | None = Field(default=None, min_length=1, max_length=50)
    last_name: str | None = Field(default=None, min_length=1, max_length=50)
    email: str | None = None
    enabled: bool | None = None


class SuspendUser(Command):
    reason: str = Field(min_length=1, max_length=500)


class AssignRole(Command):
    role_name: AppRole


class RefreshSession(Command):
    refresh_token: str | None = None


class EndSession(Command):
    access_token: str | None = None
    refresh_token: str | None = None


class ChangePassword(Command):
    # Checked with Keycloak where the realm allows it; otherwise a recent sign-in stands in for it.
    current_password: str | None = Field(default=None, min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


# Errors


# Answers the gateway builds


class Message(View):
    success: bool = True
    message: str


class RoleChosen(View):
    message: str
    role: str


class CreatedAccount(View):
    user_id: uuid.UUID
    keycloak_id: uuid.UUID
    email: str


class AccountCreated(View):
    success: bool = True
    data: CreatedAccount


class Account(View):
    """A Keycloak user representation; Keycloak leaves out the names and e-mail a user does not have."""

    id: uuid.UUID
    username: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    enabled: bool
    email_verified: bool
    created_timestamp: int | None = None


class ListedAccount(Account):
    last_login_at: datetime | None
    # Set while the user waits for an admin to approve the hr role they chose.
    hr_access_requested_at: datetime | None = None


class AccountList(View):
    success: bool = True
    data: list[ListedAccount]
    count: int


class AccountFound(View):
    success: bool = True
    data: Account


class RealmRole(View):
    id: str
    name: str
    description: str | None = None
    composite: bool
    client_role: bool
    container_id: str | None = None


class RealmRoles(View):
    success: bool = True
    data: list[RealmRole]


class AccountStatusChanged(View):
    success: bool = True
    message: str
    # None when the account has no user in the users service yet (it never signed in).
    user: UserProfile | None


class CandidateSkill(View):
    skill_id: uuid.UUID
    skill_name: str
    description: str | None
    proficiency_level: str
    years_of_experience: int
    added_at: datetime


class SkillGroup(View):
    category_id: uuid.UUID | None
    category_name: str | None
    skills: list[CandidateSkill]


class MySkills(View):
    experience_level: str | None
    skills: list[SkillGroup]


class LoginStarted(View):
    success: bool = True
    auth_url: str
    state: str
    redirect_uri: str


class SignedIn(View):
    success: bool = True
    expires_in: int | None
    token_type: str


class SessionRefreshed(View):
    success: bool = True
    expires_in: int | None


class SignedOut(View):
    success: bool = True
    end_session_endpoint: str
    requires_redirect: bool


class Jwks(View):
    keys: list[dict[str, Any]]


class JwksUnavailable(View):
    """Keycloak's key endpoint failed; answered with 200 all the same, as the reference gateway does."""

    success: Literal[False] = False
    error: str


class SessionUser(View):
    user_id: str
    keycloak_id: str | None
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    role: str
    roles: list[str]


class SessionView(View):
    success: bool = True
    user: SessionUser


class ProtectedProbe(View):
    message: str
    timestamp: datetime
    user: SessionUser


class ServiceProbe(View):
    status: Literal["up", "down"]
    response_time: int
    error: str | None = None


class Circuit(View):
    state: str


class ProcessProbe(View):
    """A consumer's or worker's liveness (kit.liveness) with the figure an operator checks first."""

    status: Literal["up", "down"]
    response_time: int
    error: str | None = None
    consumer_lag: int | None = None
    outbox_backlog: int | None = None
    # Each replica's own answer, in the order configured, when several processes run the role.
    replicas: list[ProcessProbe] | None = None


class GatewayHealth(View):
    status: Literal["healthy", "degraded"]
    service: str
    timestamp: datetime
    uptime: float
    services: dict[str, ServiceProbe]
    # By service, then role (`consumer`, `worker`).
    processes: dict[str, dict[str, ProcessProbe]]
    circuits: dict[str, Circuit]


class Liveness(View):
    alive: bool
    timestamp: datetime


class CircuitOverview(View):
    ready: bool
    circuits: dict[str, Circuit]
    note: str


class CircuitStates(View):
    timestamp: datetime
    circuits: dict[str, Circuit]


# The audit trail (gateway.audit_api)


class AuditEntry(View):
    """One row of the audit trail: who did what, about which candidate, when and why."""

    id: uuid.UUID
    at: datetime
    company_id: str | None = None
    actor_id: str | None = None
    actor_role: str
    action: str
    invitation_id: uuid.UUID | None = None
    candidate_id: str | None = None
    subject_type: str
    subject_id: str
    reason: str | None = None
    detail: str | None = None

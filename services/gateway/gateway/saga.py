"""The registration saga: the first authenticated request of a Keycloak
user provisions the user in the users service.

The state is a row per Keycloak id (`registrations`). The row is created with the internal user id the
saga will use, then locked (`SELECT … FOR UPDATE`) while the users service is called, so concurrent
first requests wait for the first one and find it completed: one user, however many arrive at once.
A transient failure (users down, timeout) leaves the row `pending` and is retried by the next request;
a permanent refusal compensates by disabling the Keycloak account and marks the row `compensated`."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any, Protocol

import structlog
from multidict import CIMultiDict
from sqlalchemy import DateTime, Integer, String, Text, func, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from gateway.identity import token_roles
from gateway.metrics import USER_OPERATIONS
from gateway.upstream import UpstreamClient
from kit.auth import primary_role
from kit.db import Base, transaction
from kit.errors import DomainError, Forbidden
from kit.http import UpstreamError, UpstreamTimeout, UpstreamUnavailable

log = structlog.get_logger("gateway.saga")

# How the gateway identifies itself when it calls a service for no particular user.
SYSTEM_HEADERS = {"x-user-id": "system", "x-user-role": "admin"}
# Answers to the create call that mean "this user cannot be registered": the saga compensates.
REFUSALS = frozenset({400, 409, 422})


class Registration(Base):
    __tablename__ = "registrations"

    keycloak_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(PG_UUID(as_uuid=True), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserServiceUnavailable(DomainError):
    status, code = 503, "USER_SERVICE_UNAVAILABLE"


class RegistrationRefused(Forbidden):
    code = "REGISTRATION_FAILED"


class AccountDisabler(Protocol):
    async def disable(self, keycloak_id: str) -> None: ...


class RegistrationSaga:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        users: UpstreamClient,
        accounts: AccountDisabler,
        *,
        cache_ttl_s: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.users = users
        self.accounts = accounts
        self.cache_ttl_s = cache_ttl_s
        # Keycloak id → (internal user id, expiry): completed registrations only; the table is the truth.
        self._known: dict[str, tuple[str, float]] = {}

    async def ensure_user(self, claims: dict[str, Any]) -> str:
        """The internal user id of the token's subject, provisioning the user on first sight."""
        subject = str(claims["sub"])
        known = self._known.get(subject)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        user_id, failure = await self._run(subject, claims)
        if failure is not None:
            raise failure
        self._known[subject] = (user_id, time.monotonic() + self.cache_ttl_s)
        return user_id

    def forget(self, subject: str) -> None:
        self._known.pop(subject, None)

    async def _run(self, subject: str, claims: dict[str, Any]) -> tuple[str, DomainError | None]:
        email = str(claims.get("email") or claims.get("preferred_username") or "")
        # The failure is returned, not raised, so the row's new state commits with it.
        async with transaction(self.sessions) as session:
            await session.execute(
                insert(Registration)
                .values(keycloak_id=subject, user_id=uuid.uuid4(), email=email, status="pending", attempts=0)
                .on_conflict_do_nothing(index_elements=["keycloak_id"])
            )
            row = await session.scalar(
                select(Registration).where(Registration.keycloak_id == subject).with_for_update()
            )
            assert row is not None
            if row.status == "completed":
                return str(row.user_id), None
            if row.status == "compensated":
                return "", RegistrationRefused("Registration failed; the account is disabled")
            row.attempts += 1
            row.updated_at = func.now()
            try:
                user_id = await self._provision(row, claims)
            except (UpstreamUnavailable, UpstreamTimeout, UpstreamError) as exc:
                row.last_error = exc.message
                log.warning("saga.users_unavailable", keycloak_id=subject, error=exc.message)
                return "", UserServiceUnavailable(
                    "Service temporarily unavailable",
                    headers={"Retry-After": (exc.headers or {}).get("Retry-After", "5")},
                )
            except _Refused as exc:
                row.last_error = exc.reason
                row.status = "compensated"
                USER_OPERATIONS.labels("registration_compensated").inc()
                log.error("saga.refused_compensating", keycloak_id=subject, error=exc.reason)
                await self.accounts.disable(subject)
                return "", RegistrationRefused(f"Registration failed: {exc.reason}")
            row.status = "completed"
            USER_OPERATIONS.labels("registration_completed").inc()
            row.last_error = None
            row.user_id = uuid.UUID(user_id)
            log.info("saga.completed", keycloak_id=subject, user_id=user_id)
            return user_id, None

    async def _provision(self, row: Registration, claims: dict[str, Any]) -> str:
        user_id = await self._create(row, claims)
        await self._adopt_token_role(user_id, claims)
        return user_id

    async def _adopt_token_role(self, user_id: str, claims: dict[str, Any]) -> None:
        """A user whose account already carries an app role (seeded, or created by an admin with one) is
        recorded with it, instead of being sent through role selection for a role Keycloak already gave."""
        role = primary_role(token_roles(claims))
        if role == "pending":
            return
        response = await self.users.request(
            "POST", f"/users/{user_id}/roles", headers=_system_headers(), json_body={"role": role}
        )
        # 422: a role was chosen already (an earlier attempt, or the user picked one): nothing to adopt.
        if response.status not in (200, 201, 422):
            raise UpstreamError(f"users answered {response.status} to the role assignment")

    async def _create(self, row: Registration, claims: dict[str, Any]) -> str:
        existing = await self._by_external_id(row.keycloak_id)
        if existing is not None:
            return existing
        body = {
            "userId": str(row.user_id),
            "externalAuthId": row.keycloak_id,
            "email": row.email,
            "firstName": claims.get("given_name") or "Unknown",
            "lastName": claims.get("family_name") or "User",
        }
        response = await self.users.request("POST", "/users", headers=_system_headers(), json_body=body)
        if response.status in (200, 201):
            data = (response.json() or {}).get("data") or {}
            return str(data.get("userId") or row.user_id)
        if response.status == 409:
            # Created meanwhile by an earlier attempt whose answer was lost: adopt it.
            existing = await self._by_external_id(row.keycloak_id)
            if existing is not None:
                return existing
        reason = f"users answered {response.status}: {response.body[:300].decode(errors='replace')}"
        if response.status in REFUSALS:
            raise _Refused(reason)
        # 401/403/404 here mean a misconfigured gateway, not a bad user: retry later, disable nobody.
        raise UpstreamError(reason)

    async def _by_external_id(self, keycloak_id: str) -> str | None:
        response = await self.users.request("GET", f"/users/by-external-auth/{keycloak_id}", headers=_system_headers())
        if response.status == 200:
            return str(response.json()["id"])
        if response.status == 404:
            return None
        raise UpstreamError(f"users answered {response.status} to the lookup")


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _system_headers() -> CIMultiDict[str]:
    return CIMultiDict(SYSTEM_HEADERS)

"""The registration saga: the first authenticated request of a Keycloak
user provisions the user in the users service.

The state is a row per Keycloak id (`registrations`), created with the internal user id the saga will use.
An attempt is claimed (the row's `attempts` counted) and committed before the users service is called, and
its outcome is written in a second short transaction, so no database connection waits in a transaction on
another service. The creation is idempotent: under the row's planned user id, adopting a user that already
exists for the Keycloak id, so attempts that overlap (replicas, retries) end with one user. In one process,
concurrent first requests share one attempt. A completed registration is read without a lock or a transaction.
A transient failure (users down, timeout) leaves the row `pending` and is retried by the next request;
a permanent refusal compensates by disabling the Keycloak account and marks the row `compensated`."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import structlog
from multidict import CIMultiDict
from sqlalchemy import DateTime, Integer, String, Text, func, select, update
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


@dataclass(frozen=True)
class Attempt:
    """What an attempt provisions: the registration's planned user, read when the attempt was claimed."""

    keycloak_id: str
    user_id: uuid.UUID
    email: str


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
        read_sessions: async_sessionmaker[AsyncSession],
        users: UpstreamClient,
        accounts: AccountDisabler,
        *,
        cache_ttl_s: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.read_sessions = read_sessions
        self.users = users
        self.accounts = accounts
        self.cache_ttl_s = cache_ttl_s
        # Keycloak id → (internal user id, expiry): completed registrations only; the table is the truth.
        self._known: dict[str, tuple[str, float]] = {}
        self._running: dict[str, asyncio.Future[tuple[str, DomainError | None]]] = {}

    async def ensure_user(self, claims: dict[str, Any]) -> str:
        """The internal user id of the token's subject, provisioning the user on first sight."""
        subject = str(claims["sub"])
        known = self._known.get(subject)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        # Concurrent first requests of one subject in this process share one run (a browser opens several).
        run = self._running.get(subject)
        if run is None:
            run = asyncio.ensure_future(self._run(subject, claims))
            self._running[subject] = run
            run.add_done_callback(lambda _: self._running.pop(subject, None))
        # Shielded: a caller that goes away does not cancel the run the others wait for.
        user_id, failure = await asyncio.shield(run)
        if failure is not None:
            raise failure
        self._known[subject] = (user_id, time.monotonic() + self.cache_ttl_s)
        return user_id

    def forget(self, subject: str) -> None:
        self._known.pop(subject, None)

    async def _run(self, subject: str, claims: dict[str, Any]) -> tuple[str, DomainError | None]:
        """One attempt. No transaction stays open while the users service is called: the attempt is claimed and
        committed first, and its outcome recorded in a second short transaction. Attempts that overlap (another
        replica) provision the same user, since every attempt creates it under the row's planned user id and
        adopts one that exists; only a pending row takes an outcome, so a completed or compensated one stays."""
        email = str(claims.get("email") or claims.get("preferred_username") or "")
        # A settled registration is read without a lock and without a write.
        settled = await self._settled(subject)
        if settled is not None:
            return settled
        # Created with its first attempt, or a pending one's attempt counted, in one statement.
        async with transaction(self.sessions) as session:
            claimed = (
                await session.execute(
                    insert(Registration)
                    .values(keycloak_id=subject, user_id=uuid.uuid4(), email=email, status="pending", attempts=1)
                    .on_conflict_do_update(
                        index_elements=["keycloak_id"],
                        set_={"attempts": Registration.attempts + 1, "updated_at": func.now()},
                        where=Registration.status == "pending",
                    )
                    .returning(Registration.user_id, Registration.email)
                )
            ).one_or_none()
        if claimed is None:  # settled since it was read
            return await self._outcome(subject)
        attempt = Attempt(keycloak_id=subject, user_id=claimed.user_id, email=claimed.email)
        try:
            user_id = await self._provision(attempt, claims)
        except (UpstreamUnavailable, UpstreamTimeout, UpstreamError) as exc:
            await self._record(subject, last_error=exc.message)
            log.warning("saga.users_unavailable", keycloak_id=subject, error=exc.message)
            return "", UserServiceUnavailable(
                "Service temporarily unavailable",
                headers={"Retry-After": (exc.headers or {}).get("Retry-After", "5")},
            )
        except _Refused as exc:
            log.error("saga.refused_compensating", keycloak_id=subject, error=exc.reason)
            # Disabled first: should Keycloak fail, the row stays pending and the next request compensates again.
            await self.accounts.disable(subject)
            if not await self._record(subject, last_error=exc.reason, status="compensated"):
                return await self._outcome(subject)  # another attempt settled it first: its outcome stands
            USER_OPERATIONS.labels("registration_compensated").inc()
            return "", RegistrationRefused(f"Registration failed: {exc.reason}")
        if not await self._record(subject, last_error=None, status="completed", user_id=uuid.UUID(user_id)):
            return await self._outcome(subject)
        USER_OPERATIONS.labels("registration_completed").inc()
        log.info("saga.completed", keycloak_id=subject, user_id=user_id)
        return user_id, None

    async def _record(self, subject: str, *, last_error: str | None, **outcome: Any) -> bool:
        """An attempt's outcome on a registration still pending; False when it was settled meanwhile."""
        async with transaction(self.sessions) as session:
            result = await session.execute(
                update(Registration)
                .where(Registration.keycloak_id == subject, Registration.status == "pending")
                .values(last_error=last_error, **outcome)
                .returning(Registration.keycloak_id)
            )
            return result.one_or_none() is not None

    async def _settled(self, subject: str) -> tuple[str, DomainError | None] | None:
        """The outcome of a completed or compensated registration; None while there is none or it is pending."""
        async with self.read_sessions() as session:
            row = (
                await session.execute(
                    select(Registration.status, Registration.user_id).where(Registration.keycloak_id == subject)
                )
            ).one_or_none()
        if row is None or row.status == "pending":
            return None
        if row.status == "completed":
            return str(row.user_id), None
        return "", RegistrationRefused("Registration failed; the account is disabled")

    async def _outcome(self, subject: str) -> tuple[str, DomainError | None]:
        settled = await self._settled(subject)
        if settled is None:  # only a settled registration leaves `pending`; it never goes back
            raise RuntimeError(f"registration {subject} was settled but reads as pending")
        return settled

    async def _provision(self, attempt: Attempt, claims: dict[str, Any]) -> str:
        user_id = await self._create(attempt, claims)
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

    async def _create(self, attempt: Attempt, claims: dict[str, Any]) -> str:
        # Created first, looked up only when users answers that it exists: a new account (nearly every attempt)
        # costs one call to users, not two.
        body = {
            "userId": str(attempt.user_id),
            "externalAuthId": attempt.keycloak_id,
            "email": attempt.email,
            "firstName": claims.get("given_name") or "Unknown",
            "lastName": claims.get("family_name") or "User",
        }
        response = await self.users.request("POST", "/users", headers=_system_headers(), json_body=body)
        if response.status in (200, 201):
            data = (response.json() or {}).get("data") or {}
            return str(data.get("userId") or attempt.user_id)
        if response.status == 409:
            # A user exists for the Keycloak id (an earlier attempt whose answer was lost, an overlapping one, or an
            # account seeded or made by an admin before its first sign-in): adopt it. Users' conflict names it when
            # it is this identity's; else (the e-mail is another account's) the lookup tells.
            named = (response.json() or {}).get("details") or {}
            if named.get("externalAuthId") == attempt.keycloak_id and named.get("userId"):
                return str(named["userId"])
            existing = await self._by_external_id(attempt.keycloak_id)
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

"""Service-side identity: the gateway forwards x-user-* headers with x-internal-token; a service trusts
those headers only when the token matches (constant-time), then checks roles again, because a service must
not depend on being reached only through the gateway."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, params

from kit.errors import Forbidden, Unauthorized

ROLES = ("admin", "hr", "candidate", "pending")
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: str
    company_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def account_id(self) -> str:
        """The billed account the caller acts for: their primary company (resolved by the gateway from
        membership), or the caller themselves while they belong to none. Every service that counts or checks
        usage keys it by this, so the gateway, the quota check and the usage events agree."""
        return self.company_id or self.user_id

    def has(self, *roles: str) -> bool:
        return self.role in roles or bool(self.roles.intersection(roles))

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden(f"Requires one of the roles: {', '.join(roles)}")


def primary_role(roles: set[str] | frozenset[str]) -> str:
    return next((r for r in ROLES if r in roles), "pending")


def verify_internal_token(presented: str | None, expected: str) -> bool:
    # An empty configured token disables trust entirely rather than accepting an empty header.
    return bool(expected) and presented is not None and hmac.compare_digest(presented, expected)


# Where a request's principal is kept once read from its headers: a role guard and `CurrentUser` on the same
# route read the headers once.
PRINCIPAL = "kit.principal"


# The dependencies are async although nothing in them awaits: FastAPI runs a plain `def` dependency in its
# thread pool, a thread hand-off on every request.
async def internal_principal(request: Request) -> Principal:
    return principal_of(request)


# The identity headers, by their position in `_identity_headers`' answer.
IDENTITY_HEADERS = {b"x-internal-token": 0, b"x-user-id": 1, b"x-company-id": 2, b"x-user-roles": 3, b"x-user-role": 4}


def _identity_headers(request: Request) -> list[str | None]:
    """The first value of each identity header, in one pass over the request's headers (`request.headers.get`
    scans them once per name)."""
    values: list[str | None] = [None] * len(IDENTITY_HEADERS)
    for name, value in request.scope["headers"]:
        index = IDENTITY_HEADERS.get(name)
        if index is not None and values[index] is None:
            values[index] = value.decode("latin-1")
    return values


def principal_of(request: Request) -> Principal:
    """The caller the gateway vouched for (401 unless the internal token matches and the headers are sound)."""
    held: Principal | None = request.scope.get(PRINCIPAL)
    if held is not None:
        return held
    token, user_id, company_id, roles_header, role_header = _identity_headers(request)
    expected = request.app.state.settings.internal_token.get_secret_value()
    if not verify_internal_token(token, expected):
        raise Unauthorized("Missing or invalid internal token")
    if not user_id or len(user_id) > MAX_ID_LENGTH:
        raise Unauthorized("Missing or malformed x-user-id")
    company_id = company_id or None
    if company_id is not None and len(company_id) > MAX_ID_LENGTH:
        raise Unauthorized("Malformed x-company-id")
    roles = frozenset(r.strip() for r in (roles_header or "").split(",") if r.strip())
    role = role_header or primary_role(roles)
    if role not in ROLES:
        raise Unauthorized(f"Unknown role {role!r}")
    principal = request.scope[PRINCIPAL] = Principal(
        user_id=user_id, role=role, company_id=company_id, roles=roles | {role}
    )
    return principal


async def internal_caller(request: Request) -> None:
    """For service-to-service routes that act for no user (e.g. quota checks)."""
    expected = request.app.state.settings.internal_token.get_secret_value()
    if not verify_internal_token(request.headers.get("x-internal-token"), expected):
        raise Unauthorized("Missing or invalid internal token")


CurrentUser = Annotated[Principal, Depends(internal_principal)]
InternalCaller = Annotated[None, Depends(internal_caller)]


def require_roles(*roles: str, error: type[Forbidden] = Forbidden) -> params.Depends:
    """A route or router dependency admitting callers holding one of `roles`. `error` lets a service keep the
    refusal code its clients already parse (a `Forbidden` subclass with its own `code`)."""

    # One dependency level, not `CurrentUser` nested under this one: each level FastAPI solves costs a request
    # ~30 µs; the headers are read once per request either way (`principal_of` keeps the principal).
    async def dependency(request: Request) -> Principal:
        user = principal_of(request)
        if not user.has(*roles):
            raise error(f"Requires one of the roles: {', '.join(roles)}")
        return user

    return params.Depends(dependency)

"""Who is calling: a verified Keycloak token (Bearer header or `access_token` cookie) resolved to the
internal user through the registration saga, or, when enabled (local stack and tests only), an identity
named by x-user-* headers beside a valid x-internal-token. Then the route's rule from `rbac.RULES` decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from gateway.rbac import RULES
from kit.auth import ROLES, primary_role, verify_internal_token
from kit.errors import Forbidden, Unauthorized


class MissingToken(Unauthorized):
    code = "MISSING_ACCESS_TOKEN"


@dataclass(frozen=True)
class Identity:
    user_id: str
    role: str
    roles: frozenset[str]
    # The Keycloak id (`sub`); None for internal-token callers, who name only the internal user.
    subject: str | None = None
    email: str | None = None
    company_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    def has(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get("access_token") or None


def token_roles(claims: dict[str, Any]) -> frozenset[str]:
    realm_access = claims.get("realm_access") or {}
    return frozenset(r for r in realm_access.get("roles", []) if r in ROLES) or frozenset({"pending"})


async def authenticate(request: Request) -> Identity | None:
    """The caller's identity, None when the request carries no credentials at all."""
    state = request.app.state
    settings = state.settings
    presented = request.headers.get("x-internal-token")
    if (
        presented is not None
        and settings.internal_auth_enabled
        and verify_internal_token(presented, settings.internal_token.get_secret_value())
    ):
        return _internal_identity(request)
    token = bearer_token(request)
    if token is None:
        return None
    claims = await state.tokens.verify(token)
    roles = token_roles(claims)
    user_id = await state.saga.ensure_user(claims)
    return Identity(
        user_id=user_id,
        role=primary_role(roles),
        roles=roles,
        subject=str(claims["sub"]),
        email=claims.get("email"),
        claims=claims,
    )


def _internal_identity(request: Request) -> Identity:
    user_id = request.headers.get("x-user-id")
    role = request.headers.get("x-user-role")
    if not user_id or role not in ROLES:
        raise Unauthorized("Internal calls must name x-user-id and a valid x-user-role")
    return Identity(
        user_id=user_id,
        role=role,
        roles=frozenset({role}),
        company_id=request.headers.get("x-company-id") or None,
    )


async def authorize(request: Request) -> Identity | None:
    """The gate every route passes: its rule from the table, then the identity it needs."""
    route = request.scope.get("route")
    rule = RULES.get((request.method, getattr(route, "path", "")))
    if rule is None:
        raise Forbidden("No access rule for this route")
    if rule.public:
        request.state.caller = None
        return None
    caller = await authenticate(request)
    if caller is None:
        raise MissingToken("Missing access token")
    if not rule.allows(caller.roles):
        raise Forbidden(f"Requires one of the roles: {', '.join(sorted(rule.roles))}")
    request.state.caller = caller
    return caller


async def current_caller(request: Request) -> Identity:
    caller: Identity | None = getattr(request.state, "caller", None)
    if caller is None:
        raise MissingToken("Missing access token")
    return caller


Caller = Annotated[Identity, Depends(current_caller)]

"""Who is calling: a verified Keycloak access token (Bearer header or the access cookie), not revoked at
the gateway, resolved to the internal user through the registration saga, or, when enabled (local stack
and tests only), an identity named by x-user-* headers beside a valid x-internal-token. Then the route's
rule from `rbac.RULES` decides.

Before that, two guards against cross-site requests riding the session cookies: a state-changing request
authenticated by cookie must come from the web app's origin, and a body sent to an authenticated route
must be JSON (a form or text/plain body is what a foreign page can send without CORS asking first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.utils import get_dependant

from gateway.rbac import RULES
from gateway.revocation import DenyListRead, ensure_not_revoked
from gateway.settings import Settings
from kit.auth import ROLES, primary_role, verify_internal_token
from kit.errors import Forbidden, Unauthorized, UnsupportedMediaType

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIES = ("access_token", "refresh_token")
# Authenticated routes whose body is not JSON, with the media types they take.
OTHER_BODIES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/users/me/avatar"): frozenset({"multipart/form-data"}),
}


class MissingToken(Unauthorized):
    code = "MISSING_ACCESS_TOKEN"


class OriginNotAllowed(Forbidden):
    code = "ORIGIN_NOT_ALLOWED"


class BodyNotJson(UnsupportedMediaType):
    code = "BODY_NOT_JSON"


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


def cookie_name(settings: Settings, name: str) -> str:
    """Over https the session cookies are `__Host-` cookies: the browser keeps them only when Secure, set by
    this host for every path and no domain, so no sibling subdomain can plant or overwrite one."""
    return f"__Host-{name}" if settings.cookie_secure else name


def session_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie_name(request.app.state.settings, name)) or None


def header_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def bearer_token(request: Request) -> str | None:
    return header_token(request) or session_cookie(request, "access_token")


def web_origins(settings: Settings) -> frozenset[str]:
    return frozenset(o.rstrip("/") for o in (settings.web_origin, *settings.cors_origins))


def check_origin(request: Request) -> None:
    """A write that the browser authenticates by itself (its cookies) must come from the web app. A bearer
    token or an internal token is a header no foreign page can add without CORS admitting it first."""
    headers = request.headers
    if request.method in SAFE_METHODS or "authorization" in headers or "x-internal-token" in headers:
        return
    if not any(session_cookie(request, name) for name in SESSION_COOKIES):
        return
    origin = headers.get("origin")
    if origin is None and (referer := headers.get("referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin is None or origin.rstrip("/") not in web_origins(request.app.state.settings):
        raise OriginNotAllowed("This request did not come from the web app; open the app and try again")


def check_body_type(request: Request, route_path: str) -> None:
    """Bodies of authenticated routes are JSON (or the type a route in OTHER_BODIES takes)."""
    headers = request.headers
    if request.method in SAFE_METHODS:
        return
    if headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers:
        return
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return
    if media in OTHER_BODIES.get((request.method, route_path), frozenset()):
        return
    raise BodyNotJson("Send the request body as JSON (Content-Type: application/json)")


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
    # After the cache too: a token verified a minute ago may have been signed out since. When the rate limit made a
    # round trip, it read the entries of these very claims in it (the verifier hands out one claims object per
    # token); else the deny-list's local copy answers.
    read: DenyListRead | None = getattr(request.state, "deny_list", None)
    entries = read.entries if read is not None and read.claims is claims else None
    await ensure_not_revoked(state.deny_list, claims, entries=entries)
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
    route_path = getattr(request.scope.get("route"), "path", "")
    rule = RULES.get((request.method, route_path))
    if rule is None:
        raise Forbidden("No access rule for this route")
    check_origin(request)
    if rule.public:
        request.state.caller = None
        return None
    check_body_type(request, route_path)
    caller = await authenticate(request)
    if caller is None:
        raise MissingToken("Missing access token")
    if not rule.allows(caller.roles):
        raise Forbidden(f"Requires one of the roles: {', '.join(sorted(rule.roles))}")
    request.state.caller = caller
    return caller


async def current_caller(request: Request) -> Identity:
    """`authorize` for a route that acts for its caller: the caller it found, which such a route must have."""
    caller = await authorize(request)
    if caller is None:
        raise MissingToken("Missing access token")
    return caller


Caller = Annotated[Identity, Depends(current_caller)]


class GatedRouter(APIRouter):
    """Every route passes `authorize` once, before anything else it depends on: through its `Caller` parameter
    when that is its first dependency, else as a dependency of its own. Not a router-wide dependency: that one
    would run beside `Caller`, and FastAPI solves each dependency of a request separately (~15 us each)."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        calls = [d.call for d in get_dependant(path=path, call=endpoint).dependencies]
        if current_caller in calls[1:] or (calls[:1] == [current_caller] and kwargs.get("dependencies")):
            raise TypeError(f"{path}: Caller must be the route's first dependency")
        if calls[:1] != [current_caller]:
            kwargs["dependencies"] = [Depends(authorize), *(kwargs.get("dependencies") or ())]
        super().add_api_route(path, endpoint, **kwargs)

"""/auth/*: the OIDC authorization-code flow with PKCE for the web app, cookies, refresh, logout. The
`state` is kept server-side in Redis and checked on callback, so a callback nobody started is refused, and
it is bound to the browser that started the login (an HttpOnly nonce cookie whose digest the state
records), so a callback URL opened in another browser signs nobody in. The ID token never leaves the
gateway: Keycloak's session is ended server-side at logout, so the end-session URL needs no hint."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import structlog
from fastapi import Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from gateway.identity import SESSION_COOKIES, Caller, GatedRouter, Identity, cookie_name, session_cookie
from gateway.keycloak import SIGN_IN_UNAVAILABLE, AuthServiceError, KeycloakRejected, Oidc, pkce_pair
from gateway.metrics import auth_request
from gateway.schemas import (
    ChangePassword,
    EndSession,
    Jwks,
    JwksUnavailable,
    LoginStarted,
    Message,
    RefreshSession,
    SessionRefreshed,
    SessionUser,
    SessionView,
    SignedIn,
    SignedOut,
)
from gateway.settings import Settings
from gateway.tokens import InvalidToken
from kit.contracts.gateway import UserAuthenticated, UserLoggedOut
from kit.db import transaction
from kit.errors import DomainError, Forbidden, Invalid, Unauthorized
from kit.outbox import stage

log = structlog.get_logger("gateway.auth")

STATE_PREFIX = "gateway:oauth-state:"
REFRESH_MAX_AGE_S = 30 * 24 * 3600
ACCESS_FALLBACK_MAX_AGE_S = 1800
NONCE_COOKIE = "login_nonce"
NONCE_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class TooManyRequests(DomainError):
    status, code = 429, "TOO_MANY_REQUESTS"


class InvalidState(DomainError):
    status, code = 400, "INVALID_STATE"


class InvalidRefreshToken(DomainError):
    status, code = 400, "INVALID_REFRESH_TOKEN"


class InvalidAuthCode(DomainError):
    status, code = 400, "INVALID_AUTH_CODE"


class CurrentPasswordIncorrect(Forbidden):
    code = "CURRENT_PASSWORD_INCORRECT"


class ReauthenticationRequired(Unauthorized):
    code = "REAUTHENTICATION_REQUIRED"


def rate_limit(setting: str) -> Any:
    """A per-client-address moving-window limit from `Settings.<setting>`, counted in Redis."""

    async def check(request: Request) -> None:
        limiter: MovingWindowRateLimiter = request.app.state.limiter
        item = parse(getattr(request.app.state.settings, setting))
        client = request.client.host if request.client else "unknown"
        if not await limiter.hit(item, "auth", setting, client):
            stats = await limiter.get_window_stats(item, "auth", setting, client)
            retry = max(1, int(stats.reset_time - datetime.now(UTC).timestamp()))
            raise TooManyRequests("Too many requests", headers={"Retry-After": str(retry)})

    return Depends(check)


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _oidc(request: Request) -> Oidc:
    return request.app.state.oidc  # type: ignore[no-any-return]


def _redirect_uri(settings: Settings, requested: str | None) -> str:
    redirect = requested or f"{settings.web_origin.rstrip('/')}/auth/callback"
    parts = urlsplit(redirect)
    allowed = {settings.web_origin.rstrip("/"), *(o.rstrip("/") for o in settings.cors_origins)}
    if f"{parts.scheme}://{parts.netloc}" not in allowed:
        raise Invalid("redirect_uri must be on the web app's origin")
    return redirect


def _cookie_options(settings: Settings) -> dict[str, Any]:
    # Path=/ and no Domain: what a `__Host-` name requires, and what keeps a cookie to this very host.
    return {"httponly": True, "samesite": "lax", "secure": settings.cookie_secure, "path": "/"}


def set_session_cookies(response: Response, settings: Settings, tokens: dict[str, Any]) -> None:
    common = _cookie_options(settings)
    response.set_cookie(
        cookie_name(settings, "access_token"),
        tokens["access_token"],
        max_age=int(tokens.get("expires_in") or ACCESS_FALLBACK_MAX_AGE_S),
        **common,
    )
    if tokens.get("refresh_token"):
        response.set_cookie(
            cookie_name(settings, "refresh_token"),
            tokens["refresh_token"],
            max_age=int(tokens.get("refresh_expires_in") or REFRESH_MAX_AGE_S),
            **common,
        )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name in SESSION_COOKIES:
        response.delete_cookie(cookie_name(settings, name), **_cookie_options(settings))


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


# Refusals of the sign-in flow beside the ones every route can answer with (bad state, code or refresh
# token; too many attempts).
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The state, code or refresh token is unknown, expired or refused"},
    429: {"description": "Too many attempts from this address; retry after `Retry-After` seconds"},
}

router = GatedRouter(prefix="/auth", tags=["auth"], responses=REFUSALS)


async def _begin(request: Request, response: Response, redirect_uri: str | None, *, register: bool) -> LoginStarted:
    settings = _settings(request)
    redirect = _redirect_uri(settings, redirect_uri)
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    # A browser keeps its nonce across logins, so two logins started in two tabs can both finish.
    nonce = session_cookie(request, NONCE_COOKIE)
    if nonce is None or not NONCE_SHAPE.fullmatch(nonce):
        nonce = secrets.token_urlsafe(32)
    pending = {"verifier": verifier, "redirectUri": redirect, "browser": _digest(nonce)}
    await request.app.state.redis.set(STATE_PREFIX + state, json.dumps(pending), ex=settings.auth_state_ttl_s)
    response.set_cookie(
        cookie_name(settings, NONCE_COOKIE), nonce, max_age=settings.auth_state_ttl_s, **_cookie_options(settings)
    )
    url = _oidc(request).authorize_url(redirect_uri=redirect, state=state, challenge=challenge, register=register)
    return LoginStarted(auth_url=url, state=state, redirect_uri=redirect)


@router.get("/login", summary="Start a login: the Keycloak authorization URL (PKCE S256)")
async def login(
    *,
    request: Request,
    response: Response,
    redirect_uri: str | None = Query(default=None, max_length=2000),
    _: None = rate_limit("auth_login_rate_limit"),
) -> LoginStarted:
    """Start a login."""
    with auth_request("login"):
        return await _begin(request, response, redirect_uri, register=False)


@router.get("/register", summary="Start a registration: Keycloak's sign-up page")
async def register(
    *,
    request: Request,
    response: Response,
    redirect_uri: str | None = Query(default=None, max_length=2000),
    _: None = rate_limit("auth_register_rate_limit"),
) -> LoginStarted:
    """Start a registration."""
    with auth_request("register"):
        return await _begin(request, response, redirect_uri, register=True)


@router.get(
    "/callback",
    responses={503: {"description": "The users service is unavailable to register a first sign-in"}},
    summary="Finish a login: check state, exchange the code, set the cookies",
)
async def callback(
    *,
    request: Request,
    response: Response,
    code: Annotated[str, Query(min_length=1, max_length=4000)],
    state: Annotated[str, Query(min_length=1, max_length=200)],
    redirect_uri: str | None = Query(default=None, max_length=2000),
    session_state: str | None = Query(default=None, max_length=200),
    iss: str | None = Query(default=None, max_length=500),
    _: None = rate_limit("auth_login_rate_limit"),
) -> SignedIn:
    """Finish a login."""
    with auth_request("callback"):
        return await _callback(request, response, code, state, redirect_uri)


async def _callback(request: Request, response: Response, code: str, state: str, redirect_uri: str | None) -> SignedIn:
    settings = _settings(request)
    redis = request.app.state.redis
    stored = await redis.get(STATE_PREFIX + state)
    if stored is None:
        raise InvalidState("Unknown or expired login state")
    pending = json.loads(stored)
    nonce = session_cookie(request, NONCE_COOKIE)
    # Checked before the state is spent: a stolen callback URL opened elsewhere leaves the real login intact.
    if nonce is None or not hmac.compare_digest(_digest(nonce), str(pending.get("browser", ""))):
        raise InvalidState("This sign-in was started in another browser; start it again here")
    if not await redis.delete(STATE_PREFIX + state):
        raise InvalidState("Unknown or expired login state")
    if redirect_uri is not None and redirect_uri != pending["redirectUri"]:
        raise InvalidState("redirect_uri differs from the one the login started with")
    try:
        tokens = await _oidc(request).exchange_code(
            code=code, redirect_uri=pending["redirectUri"], verifier=pending["verifier"]
        )
    except KeycloakRejected as exc:
        raise InvalidAuthCode(f"Invalid authorization code: {exc.message}") from exc
    claims = await request.app.state.tokens.verify(tokens["access_token"])
    await request.app.state.saga.ensure_user(claims)
    async with transaction(request.app.state.sessions) as session:
        stage(
            session,
            UserAuthenticated(
                external_auth_id=claims["sub"],
                email=claims.get("email") or "",
                session_id=str(claims.get("sid") or uuid.uuid4()),
                first_name=claims.get("given_name"),
                last_name=claims.get("family_name"),
            ),
            aggregate_id=claims["sub"],
        )
    set_session_cookies(response, settings, tokens)
    return SignedIn(expires_in=tokens.get("expires_in"), token_type=tokens.get("token_type", "Bearer"))


@router.post("/refresh", status_code=201, summary="Refresh the session (cookie or body)")
async def refresh(
    body: Annotated[RefreshSession | None, Body()] = None,
    *,
    request: Request,
    response: Response,
    _: None = rate_limit("auth_rate_limit"),
) -> SessionRefreshed:
    """Refresh the session."""
    token = (body.refresh_token if body else None) or session_cookie(request, "refresh_token")
    with auth_request("refresh"):
        if not token:
            raise InvalidRefreshToken("Missing refresh token")
        try:
            tokens = await _oidc(request).refresh(token)
        except KeycloakRejected as exc:
            raise InvalidRefreshToken(f"Invalid refresh token: {exc.message}") from exc
    set_session_cookies(response, _settings(request), tokens)
    return SessionRefreshed(expires_in=tokens.get("expires_in"))


@router.post("/logout", status_code=201, summary="End the session: revoke tokens, clear cookies")
async def logout(
    body: Annotated[EndSession | None, Body()] = None,
    *,
    request: Request,
    response: Response,
    _: None = rate_limit("auth_rate_limit"),
) -> SignedOut:
    """End the session."""
    settings = _settings(request)
    access = (body.access_token if body else None) or session_cookie(request, "access_token")
    refresh_token = (body.refresh_token if body else None) or session_cookie(request, "refresh_token")
    claims: dict[str, Any] | None = None
    if access:
        try:
            claims = await request.app.state.tokens.verify(access)
        except InvalidToken:
            claims = None
    with auth_request("logout"):
        await _oidc(request).logout(refresh_token=refresh_token, access_token=access)
    if claims is not None:
        try:
            await request.app.state.deny_list.revoke_session(claims, ttl_s=settings.revocation_ttl_s)
        except RedisError as exc:
            # Keycloak has ended the session and its refresh token; only this access token lives on, until
            # it expires. The sign-out itself must still clear the browser's cookies.
            log.error("auth.logout_revocation_failed", error=repr(exc))
        async with transaction(request.app.state.sessions) as session:
            stage(
                session,
                UserLoggedOut(external_auth_id=claims["sub"], session_id=str(claims.get("sid") or uuid.uuid4())),
                aggregate_id=claims["sub"],
            )
    clear_session_cookies(response, settings)
    end_session = _oidc(request).end_session_url(
        id_token=None, post_logout_redirect_uri=f"{settings.web_origin.rstrip('/')}/"
    )
    return SignedOut(end_session_endpoint=end_session, requires_redirect=True)


@router.get("/jwks", response_model=Jwks | JwksUnavailable, summary="The realm's public signing keys")
async def jwks(*, request: Request) -> Any:
    """The realm's public signing keys (Keycloak's JSON Web Key Set, as Keycloak answers it)."""
    response = await request.app.state.http.get(f"{_settings(request).oidc_base}/certs", timeout=5.0)
    if response.status_code != 200:
        return JSONResponse({"success": False, "error": f"Keycloak answered {response.status_code}"})
    return JSONResponse(response.json())


@router.get("/me", summary="The signed-in identity as the gateway sees it")
async def me(*, caller: Caller) -> SessionView:
    """The signed-in identity."""
    claims = caller.claims
    return SessionView(
        user=SessionUser(
            user_id=caller.user_id,
            keycloak_id=caller.subject,
            email=caller.email,
            first_name=claims.get("given_name"),
            last_name=claims.get("family_name"),
            role=caller.role,
            roles=sorted(caller.roles),
        )
    )


@router.post(
    "/change-password",
    status_code=201,
    responses={
        401: {"description": "No current password and no sign-in within the last minutes: sign in again"},
        403: {"description": "The current password is not correct"},
    },
    summary="Set a new password for the signed-in user",
)
async def change_password(
    body: ChangePassword, *, request: Request, caller: Caller, _: None = rate_limit("auth_register_rate_limit")
) -> Message:
    """Set a new password; the current one, or a recent sign-in, shows the caller holds the account."""
    if caller.subject is None:
        raise Invalid("Internal callers have no Keycloak account")
    await _confirm_account_holder(request, caller, body.current_password)
    await request.app.state.accounts.set_password(caller.subject, body.new_password)
    await _end_other_sessions(request, caller.subject, current=caller.claims.get("sid"))
    return Message(message="Password changed successfully")


async def _end_other_sessions(request: Request, subject: str, *, current: Any) -> None:
    """A password is often changed because it leaked: whoever signed in with it must not stay signed in. Every
    other session of the account ends in Keycloak (its refresh token stops working) and at the gateway (its
    access tokens are refused at once, not when they expire); the session that made the change stays."""
    accounts = request.app.state.accounts
    deny_list = request.app.state.deny_list
    ttl_s = _settings(request).revocation_ttl_s
    for session_id in await accounts.session_ids(subject):
        if session_id != current:
            await accounts.end_session(session_id)
            await deny_list.revoke_session({"sid": session_id}, ttl_s=ttl_s)


async def _confirm_account_holder(request: Request, caller: Identity, current_password: str | None) -> None:
    """A stolen session must not be enough to take the account over. The current password is checked with
    Keycloak where the realm takes password grants (the local stack); a realm that refuses them (production)
    cannot check it, and there, as without a password, the session must come from a sign-in at most
    `password_reauth_max_age_s` old (its `auth_time`): the holder has just typed the password into Keycloak."""
    username = caller.claims.get("preferred_username") or caller.email
    if current_password is not None and username:
        matches = await _password_matches(_oidc(request), str(username), current_password)
        if matches is False:
            raise CurrentPasswordIncorrect("The current password is not correct")
        if matches is True:
            return
    auth_time = caller.claims.get("auth_time")
    max_age = _settings(request).password_reauth_max_age_s
    if not isinstance(auth_time, int) or time.time() - auth_time > max_age:
        raise ReauthenticationRequired("For your security, sign in again, then change your password")


async def _password_matches(oidc: Oidc, username: str, password: str) -> bool | None:
    """True or False from a password grant; None when the client may not use password grants."""
    form = {"client_id": oidc.client_id, "grant_type": "password", "username": username, "password": password}
    try:
        response = await oidc.http.post(f"{oidc.base}/token", data=form)
    except httpx.HTTPError as exc:
        log.warning("keycloak.unreachable", error=repr(exc))
        raise AuthServiceError(SIGN_IN_UNAVAILABLE) from exc
    if response.status_code >= 500:
        log.warning("keycloak.failed", status=response.status_code)
        raise AuthServiceError(SIGN_IN_UNAVAILABLE)
    body: dict[str, Any] = response.json()
    if response.status_code == 200:
        # The check opened a Keycloak session of its own; it ends here.
        await oidc.logout(refresh_token=body.get("refresh_token"), access_token=body.get("access_token"))
        return True
    if body.get("error") == "unauthorized_client":
        return None
    return False

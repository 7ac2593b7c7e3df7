"""Keycloak: the OIDC endpoints of the public client (authorization code + PKCE, refresh, revocation,
end session) over httpx, and the admin API through python-keycloak."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import structlog
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakDeleteError, KeycloakError, raise_error_from_response

from gateway.settings import Settings
from kit.errors import DomainError, Invalid

log = structlog.get_logger("gateway.keycloak")


class AuthServiceError(DomainError):
    status, code = 502, "AUTH_SERVICE_ERROR"


# What a person reads when Keycloak is down or failing; what Keycloak said goes to the log.
SIGN_IN_UNAVAILABLE = "Sign-in is not available right now; try again in a few minutes"


class AccountNotFound(DomainError):
    status, code = 404, "USER_NOT_FOUND"


class AccountExists(DomainError):
    status, code = 409, "USER_ALREADY_EXISTS"


class KeycloakRejected(DomainError):
    """Keycloak refused a grant (bad code, expired or revoked refresh token)."""

    status, code = 400, "AUTH_ERROR"


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Oidc:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.base = settings.oidc_base
        self.public_base = settings.public_oidc_base
        self.client_id = settings.keycloak_client_id
        self.http = http

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str, register: bool) -> str:
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if register:
            params["prompt"] = "create"
        return f"{self.public_base}/auth?{urlencode(params)}"

    def end_session_url(self, *, id_token: str | None, post_logout_redirect_uri: str) -> str:
        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{self.public_base}/logout?{urlencode(params)}"

    async def exchange_code(self, *, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        return await self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
        )

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def password_grant(self, username: str, password: str) -> dict[str, Any]:
        return await self._token({"grant_type": "password", "username": username, "password": password})

    async def logout(self, *, refresh_token: str | None, access_token: str | None) -> None:
        """Ends the Keycloak session and revokes the tokens; failures are logged, never raised (the
        cookies are cleared regardless)."""
        calls: list[tuple[str, dict[str, str]]] = []
        if refresh_token:
            calls.append(("/logout", {"refresh_token": refresh_token}))
            calls.append(("/revoke", {"token": refresh_token, "token_type_hint": "refresh_token"}))
        if access_token:
            calls.append(("/revoke", {"token": access_token, "token_type_hint": "access_token"}))
        for path, data in calls:
            try:
                response = await self.http.post(f"{self.base}{path}", data={"client_id": self.client_id, **data})
                if response.status_code >= 400:
                    log.info("keycloak.logout_refused", path=path, status=response.status_code)
            except httpx.HTTPError as exc:
                log.warning("keycloak.logout_failed", path=path, error=repr(exc))

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self.http.post(f"{self.base}/token", data={"client_id": self.client_id, **form})
        except httpx.HTTPError as exc:
            log.warning("keycloak.unreachable", error=repr(exc))
            raise AuthServiceError(SIGN_IN_UNAVAILABLE) from exc
        if response.status_code >= 500:
            log.warning("keycloak.failed", status=response.status_code)
            raise AuthServiceError(SIGN_IN_UNAVAILABLE)
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise KeycloakRejected(str(body.get("error_description") or body.get("error") or "Grant refused"))
        return body


class KeycloakAccounts:
    """The admin API for the gateway's realm: as the realm's own service-account client when one is
    configured (production), else as a master-realm administrator (the local stack)."""

    def __init__(self, settings: Settings) -> None:
        self.admin = KeycloakAdmin(connection=admin_connection(settings))

    async def disable(self, keycloak_id: str) -> None:
        await self._call(self.admin.a_disable_user, keycloak_id)

    async def enable(self, keycloak_id: str) -> None:
        await self._call(self.admin.a_enable_user, keycloak_id)

    async def create_user(self, *, email: str, username: str, first_name: str, last_name: str, password: str) -> str:
        payload = {
            "email": email,
            "username": username,
            "firstName": first_name,
            "lastName": last_name,
            "enabled": True,
            "emailVerified": True,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
        return str(await self._call(self.admin.a_create_user, payload, exist_ok=False))

    async def delete_user(self, keycloak_id: str) -> None:
        await self._call(self.admin.a_delete_user, keycloak_id)

    async def get_user(self, keycloak_id: str) -> dict[str, Any]:
        return dict(await self._call(self.admin.a_get_user, keycloak_id))

    async def list_users(self, *, search: str | None, first: int, max_: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"first": first, "max": max_, "briefRepresentation": True}
        if search:
            query["search"] = search
        return list(await self._call(self.admin.a_get_users, query))

    async def update_user(self, keycloak_id: str, fields: dict[str, Any]) -> None:
        await self._call(self.admin.a_update_user, keycloak_id, fields)

    async def realm_roles(self) -> list[dict[str, Any]]:
        return list(await self._call(self.admin.a_get_realm_roles))

    async def user_roles(self, keycloak_id: str) -> list[dict[str, Any]]:
        return list(await self._call(self.admin.a_get_realm_roles_of_user, keycloak_id))

    async def add_role(self, keycloak_id: str, role: str) -> None:
        representation = await self._call(self.admin.a_get_realm_role, role)
        await self._call(self.admin.a_assign_realm_roles, keycloak_id, [representation])

    async def remove_role(self, keycloak_id: str, role: str) -> None:
        representation = await self._call(self.admin.a_get_realm_role, role)
        await self._call(self.admin.a_delete_realm_roles_of_user, keycloak_id, [representation])

    async def send_verify_email(self, keycloak_id: str) -> None:
        """Keycloak's own e-mail (through the realm's SMTP server) whose link marks the address verified."""
        await self._call(self.admin.a_send_verify_email, keycloak_id)

    async def set_password(self, keycloak_id: str, password: str) -> None:
        await self._call(self.admin.a_set_user_password, keycloak_id, password, False)

    async def session_ids(self, keycloak_id: str) -> list[str]:
        """The ids of the user's open Keycloak sessions (the `sid` their tokens carry)."""
        sessions = await self._call(self.admin.a_get_sessions, keycloak_id)
        return [str(session["id"]) for session in sessions if session.get("id")]

    async def end_session(self, session_id: str) -> None:
        """Ends one Keycloak session: its refresh token stops working (python-keycloak has no call for it)."""
        connection = self.admin.connection
        path = f"admin/realms/{connection.realm_name}/sessions/{session_id}"

        async def delete() -> None:
            raise_error_from_response(await connection.a_raw_delete(path), KeycloakDeleteError, expected_codes=[204])

        await self._call(delete)

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except KeycloakError as exc:
            status = getattr(exc, "response_code", None) or 502
            raise _admin_error(status, exc) from exc


def admin_connection(settings: Settings) -> KeycloakOpenIDConnection:
    if settings.keycloak_admin_client_id:
        # Client credentials in the gateway's realm: the token carries only that realm's management roles
        # granted to the service account, so a leaked secret cannot reach the master realm or other realms.
        return KeycloakOpenIDConnection(
            server_url=settings.keycloak_url,
            realm_name=settings.keycloak_realm,
            client_id=settings.keycloak_admin_client_id,
            client_secret_key=settings.keycloak_admin_client_secret.get_secret_value(),
            grant_type="client_credentials",
            timeout=10,
        )
    return KeycloakOpenIDConnection(
        server_url=settings.keycloak_url,
        username=settings.keycloak_admin_user,
        password=settings.keycloak_admin_password.get_secret_value(),
        realm_name=settings.keycloak_realm,
        user_realm_name=settings.keycloak_admin_realm,
        client_id="admin-cli",
        timeout=10,
    )


class KeycloakRejectedInput(Invalid):
    """Keycloak refused a value the client sent (its user profile's rules: a name's characters, an e-mail)."""

    code = "KEYCLOAK_REJECTED"


def _admin_error(status: int, exc: KeycloakError) -> DomainError:
    """A refusal of the client's request stays a 4xx; only Keycloak failing, or refusing the gateway's own
    credentials (401/403: a deployment fault the client cannot fix), is a 502. Messages are the gateway's
    own sentences: Keycloak's bodies are not passed on."""
    if status == 404:
        return AccountNotFound("No such user")
    if status == 409:
        return AccountExists("A user with this username or e-mail already exists")
    if 400 <= status < 500 and status not in (401, 403):
        return KeycloakRejectedInput("Keycloak refused the values", details=_field_errors(exc))
    return AuthServiceError(f"Keycloak answered {status}")


def _field_errors(exc: KeycloakError) -> list[dict[str, str]] | None:
    """Keycloak's `{field, errorMessage}` as the envelope's field details, when it named a field."""
    try:
        body = json.loads(getattr(exc, "error_message", b"") or b"{}")
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("field"), str):
        return [{"field": body["field"], "message": str(body.get("errorMessage") or "invalid")}]
    return None

"""The production realm (deploy/keycloak/production), imported for real into the running Keycloak under a
throwaway name: the gateway manages users through its realm-scoped service account and nothing more, the
app client refuses the password grant, and the password policy holds.

The local stack's Keycloak (`uv run devstack infra`, master admin admin/admin) does the import.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

from gateway.keycloak import KeycloakAccounts
from gateway.settings import Settings
from kit.errors import DomainError

DEPLOY = Path(__file__).resolve().parents[1]
PRODUCTION_REALM = DEPLOY / "keycloak" / "production" / "realm-ai-video-interview.json"
KEYCLOAK = "http://127.0.0.1:8090"
WEB_ORIGIN = "https://app.example.test"


def render_realm(values: dict[str, str]) -> dict[str, Any]:
    """The realm as Keycloak's import sees it: every `${NAME}` placeholder replaced from the environment."""
    text = PRODUCTION_REALM.read_text()
    missing = set(re.findall(r"\$\{(\w+)\}", text)) - values.keys()
    assert missing == set(), f"no value for the placeholders {missing}"
    rendered: dict[str, Any] = json.loads(re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text))
    return rendered


def realm_values(secret: str) -> dict[str, str]:
    return {
        "WEB_ORIGIN": WEB_ORIGIN,
        "KEYCLOAK_ADMIN_CLIENT_SECRET": secret,
        "REALM_SMTP_HOST": "mailpit",
        "REALM_SMTP_PORT": "1025",
        "REALM_SMTP_FROM": "noreply@example.test",
    }


@pytest.fixture(scope="module")
def master() -> KeycloakAdmin:
    connection = KeycloakOpenIDConnection(
        server_url=KEYCLOAK, username="admin", password="admin", realm_name="master", user_realm_name="master"
    )
    return KeycloakAdmin(connection=connection)


@pytest.fixture(scope="module")
async def imported(master: KeycloakAdmin) -> AsyncIterator[tuple[str, str]]:
    """(realm name, service-account secret) of a fresh import of the production realm."""
    secret = secrets.token_urlsafe(32)
    realm = render_realm(realm_values(secret))
    name = f"prod-realm-test-{uuid.uuid4().hex[:8]}"
    realm["realm"] = name
    await master.a_create_realm(realm, skip_exists=False)
    try:
        yield name, secret
    finally:
        master.connection.realm_name = "master"
        await master.a_delete_realm(name)


def _accounts(realm: str, secret: str) -> KeycloakAccounts:
    settings = Settings(
        service_env="test",
        keycloak_url=KEYCLOAK,
        keycloak_realm=realm,
        keycloak_admin_client_id="gateway-admin",
        keycloak_admin_client_secret=secret,
    )
    return KeycloakAccounts(settings)


async def test_the_gateway_service_account_does_everything_the_admin_routes_need(imported: tuple[str, str]) -> None:
    accounts = _accounts(*imported)
    email = f"svc-{uuid.uuid4().hex[:8]}@example.com"
    user_id = await accounts.create_user(
        email=email, username=email, first_name="Sam", last_name="Service", password=secrets.token_urlsafe(16)
    )
    try:
        assert (await accounts.get_user(user_id))["email"] == email
        assert [u["id"] for u in await accounts.list_users(search=email, first=0, max_=10)] == [user_id]
        await accounts.update_user(user_id, {"firstName": "Samantha"})
        assert (await accounts.get_user(user_id))["firstName"] == "Samantha"
        await accounts.disable(user_id)
        assert (await accounts.get_user(user_id))["enabled"] is False
        await accounts.enable(user_id)
        assert {"admin", "hr", "candidate", "pending"} <= {r["name"] for r in await accounts.realm_roles()}
        await accounts.add_role(user_id, "hr")
        assert "hr" in {r["name"] for r in await accounts.user_roles(user_id)}
        await accounts.remove_role(user_id, "hr")
        assert "hr" not in {r["name"] for r in await accounts.user_roles(user_id)}
        await accounts.set_password(user_id, secrets.token_urlsafe(16))
    finally:
        await accounts.delete_user(user_id)
    with pytest.raises(DomainError):
        await accounts.get_user(user_id)


async def test_the_gateway_service_account_cannot_reconfigure_the_realm_raise_itself_or_reach_the_master_realm(
    imported: tuple[str, str], master: KeycloakAdmin
) -> None:
    admin = _accounts(*imported).admin
    name = imported[0]
    with pytest.raises(KeycloakError) as refused:
        await admin.a_update_realm(name, {"bruteForceProtected": False})
    assert getattr(refused.value, "response_code", None) == 403
    with pytest.raises(KeycloakError) as refused:
        await admin.a_create_client({"clientId": f"sneaky-{uuid.uuid4().hex[:6]}", "publicClient": True})
    assert getattr(refused.value, "response_code", None) == 403
    # Granting itself realm-admin (a realm-management role it does not hold) is refused.
    master.connection.realm_name = name
    management = await master.a_get_client_id("realm-management")
    realm_admin = await master.a_get_client_role(management or "", "realm-admin")
    own_id = await admin.a_get_user_id("service-account-gateway-admin")
    with pytest.raises(KeycloakError) as refused:
        await admin.a_assign_client_role(own_id or "", management or "", [realm_admin])
    assert getattr(refused.value, "response_code", None) == 403
    admin.connection.realm_name = "master"
    with pytest.raises(KeycloakError) as refused:
        await admin.a_get_users({})
    assert getattr(refused.value, "response_code", None) in {401, 403}


async def test_a_new_password_shorter_than_twelve_characters_or_equal_to_the_email_is_refused(
    imported: tuple[str, str],
) -> None:
    accounts = _accounts(*imported)
    email = f"pw-{uuid.uuid4().hex[:8]}@example.com"
    user_id = await accounts.create_user(
        email=email, username=email, first_name="Pat", last_name="Word", password=secrets.token_urlsafe(16)
    )
    try:
        for weak in ("Short1!", email):
            with pytest.raises(DomainError):
                await accounts.set_password(user_id, weak)
    finally:
        await accounts.delete_user(user_id)


async def test_the_app_client_refuses_the_password_grant(imported: tuple[str, str]) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{KEYCLOAK}/realms/{imported[0]}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "ai-video-interview-app", "username": "x", "password": "y"},
        )
    assert response.status_code in {400, 401}
    assert response.json()["error"] == "unauthorized_client"

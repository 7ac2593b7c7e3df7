"""Who may be HR, end to end against the real users service and Keycloak: choosing hr takes effect at once
only for an address Keycloak verified at a configured company domain (the users process of these tests
trusts `verified-hr.example`); anyone else waits, pending in Keycloak too, until an administrator grants hr."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from keycloak import KeycloakAdmin

KEYCLOAK_TOKEN = "http://127.0.0.1:8090/realms/ai-video-interview-test/protocol/openid-connect/token"
WAITING = "An administrator must approve HR access"


@pytest.fixture
async def real_gateway(make_gateway: Any, users_process: str) -> httpx.AsyncClient:
    return await make_gateway(users_url=users_process)  # type: ignore[no-any-return]


@pytest.fixture
def account(fresh_user: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Throwaway Keycloak accounts at a chosen domain, verified or not, waiting for a role by default."""

    async def make(domain: str, *, verified: bool, roles: tuple[str, ...] = ("pending",)) -> dict[str, Any]:
        return await fresh_user("hr", roles, domain=domain, verified=verified)  # type: ignore[no-any-return]

    return make


async def _bearer(user: dict[str, Any]) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            KEYCLOAK_TOKEN,
            data={
                "grant_type": "password",
                "client_id": "ai-video-interview-app",
                "username": user["email"],
                "password": user["password"],
            },
        )
    response.raise_for_status()
    return {"authorization": f"Bearer {response.json()['access_token']}"}


async def _realm_roles(keycloak_admin: KeycloakAdmin, keycloak_id: str) -> set[str]:
    return {r["name"] for r in await keycloak_admin.a_get_realm_roles_of_user(keycloak_id)}


async def test_choosing_hr_without_a_company_domain_waits_pending_until_an_admin_grants_it(
    real_gateway: httpx.AsyncClient, account: Any, keycloak_admin: KeycloakAdmin
) -> None:
    user = await account("example.com", verified=True)
    operator = await account("example.com", verified=True, roles=("admin",))
    auth = await _bearer(user)

    asked = await real_gateway.post("/api/users/me/select-role", headers=auth, json={"role": "hr"})
    waiting = await real_gateway.get("/api/users/me", headers=auth)
    roles_while_waiting = await _realm_roles(keycloak_admin, user["id"])
    admin_auth = await _bearer(operator)
    listed = await real_gateway.get("/api/admin/users", headers=admin_auth, params={"search": user["email"]})
    approved = await real_gateway.post(
        f"/api/admin/users/{user['id']}/roles", headers=admin_auth, json={"roleName": "hr"}
    )
    after = await real_gateway.get("/api/users/me", headers=await _bearer(user))

    assert asked.status_code == 202, asked.text
    assert asked.json() == {"message": WAITING, "role": "pending"}
    assert waiting.json()["role"] == "pending"
    assert waiting.json()["hrAccessRequestedAt"] is not None
    assert "hr" not in roles_while_waiting
    # The admins' list shows whom to approve.
    assert [a["hrAccessRequestedAt"] for a in listed.json()["data"]] == [waiting.json()["hrAccessRequestedAt"]]
    assert approved.status_code == 201, approved.text
    assert "hr" in await _realm_roles(keycloak_admin, user["id"])
    assert after.json()["role"] == "hr"
    assert after.json()["hrAccessRequestedAt"] is None


async def test_a_verified_address_at_a_company_domain_becomes_hr_at_once(
    real_gateway: httpx.AsyncClient, account: Any, keycloak_admin: KeycloakAdmin
) -> None:
    user = await account("verified-hr.example", verified=True)

    chosen = await real_gateway.post("/api/users/me/select-role", headers=await _bearer(user), json={"role": "hr"})

    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["role"] == "hr"
    roles = await _realm_roles(keycloak_admin, user["id"])
    assert "hr" in roles
    assert "pending" not in roles


async def test_an_unverified_address_at_a_company_domain_only_requests_hr(
    real_gateway: httpx.AsyncClient, account: Any, keycloak_admin: KeycloakAdmin
) -> None:
    user = await account("verified-hr.example", verified=False)

    asked = await real_gateway.post("/api/users/me/select-role", headers=await _bearer(user), json={"role": "hr"})

    assert (asked.status_code, asked.json()["role"]) == (202, "pending")
    assert "hr" not in await _realm_roles(keycloak_admin, user["id"])


async def test_a_client_cannot_vouch_for_its_own_address(
    real_gateway: httpx.AsyncClient, account: Any, keycloak_admin: KeycloakAdmin
) -> None:
    user = await account("example.com", verified=True)

    forged = await real_gateway.post(
        "/api/users/me/select-role",
        headers=await _bearer(user),
        json={"role": "hr", "verifiedEmail": "boss@verified-hr.example"},
    )

    assert forged.status_code == 422
    assert "hr" not in await _realm_roles(keycloak_admin, user["id"])

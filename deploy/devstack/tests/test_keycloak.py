from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from devstack.component import Component
from devstack.config import KEYCLOAK_ADMIN, KEYCLOAK_CLIENT_ID, KEYCLOAK_TEST_REALM, Config

DEV_USERS = [
    ("admin@test.com", "Admin123!", "admin"),
    ("hr@test.com", "Hr123456!", "hr"),
    ("candidate@test.com", "Candidate123!", "candidate"),
]


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


async def password_grant(base: str, realm: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{base}/realms/{realm}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": client_id, "username": username, "password": password},
        )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def keycloak_url(cfg: Config, infra: dict[str, Component]) -> str:
    return f"http://127.0.0.1:{cfg.ports.keycloak}"


@pytest.mark.parametrize(("username", "password", "role"), DEV_USERS)
async def test_each_dev_user_gets_a_token_with_its_role_and_the_app_audience(
    keycloak_url: str, username: str, password: str, role: str
) -> None:
    tokens = await password_grant(keycloak_url, KEYCLOAK_TEST_REALM, KEYCLOAK_CLIENT_ID, username, password)

    access = claims(tokens["access_token"])
    assert role in access["realm_access"]["roles"]
    audience = access["aud"] if isinstance(access["aud"], list) else [access["aud"]]
    assert KEYCLOAK_CLIENT_ID in audience
    assert access["email"] == username
    assert access["iss"] == f"{keycloak_url}/realms/{KEYCLOAK_TEST_REALM}"


async def test_a_newly_registered_user_starts_with_the_pending_role(keycloak_url: str) -> None:
    admin = await password_grant(keycloak_url, "master", "admin-cli", *KEYCLOAK_ADMIN)
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    email = f"devstack-{uuid.uuid4().hex[:12]}@test.com"
    users_api = f"{keycloak_url}/admin/realms/{KEYCLOAK_TEST_REALM}/users"
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        created = await client.post(
            users_api,
            json={
                "username": email,
                "email": email,
                "emailVerified": True,
                "enabled": True,
                "firstName": "New",
                "lastName": "Comer",
                "credentials": [{"type": "password", "value": "Newcomer123!", "temporary": False}],
            },
        )
        assert created.status_code == 201
        user_id = created.headers["location"].rsplit("/", 1)[1]
        try:
            tokens = await password_grant(keycloak_url, KEYCLOAK_TEST_REALM, KEYCLOAK_CLIENT_ID, email, "Newcomer123!")
        finally:
            await client.delete(f"{users_api}/{user_id}")

    assert "pending" in claims(tokens["access_token"])["realm_access"]["roles"]

"""The local Keycloak answers with one fixed hostname (devstack starts it with `--hostname`), so a token is
accepted whichever loopback name the client fetched it through: `localhost` and `127.0.0.1` alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.settings import Settings

from .conftest import CLIENT_ID, DEV_USERS, REALM


async def token_via(base: str, username: str, password: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{base}/realms/{REALM}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": CLIENT_ID, "username": username, "password": password},
        )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
async def test_a_token_fetched_through_either_loopback_name_is_accepted_by_the_gateway(
    name: str, gateway: httpx.AsyncClient
) -> None:
    settings: Settings = gateway.app_state.settings  # type: ignore[attr-defined]
    base = settings.keycloak_url.replace("127.0.0.1", name)
    tokens = await token_via(base, *DEV_USERS["hr"])

    response = await gateway.get("/protected", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert response.status_code == 200, (
        f"{response.text}: a Keycloak started before devstack fixed its hostname issues tokens for the name it "
        "was called by; restart it (`uv run devstack down && uv run devstack infra`)"
    )
    assert response.json()["user"]["email"] == DEV_USERS["hr"][0]

"""A person invited by e-mail who registered without confirming the address asks for Keycloak's verification
e-mail (through the realm's SMTP server, Mailpit locally); its link marks the address verified."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .conftest import password_token

MAILPIT = "http://127.0.0.1:8025"


async def messages_to(address: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=MAILPIT) as http:
        found = (await http.get("/api/v1/search", params={"query": f"to:{address}"})).json()
    return list(found["messages"])


async def test_an_unverified_account_gets_keycloaks_verification_email_and_a_verified_one_is_told_so(
    make_gateway: Any, users_process: str, fresh_user: Any
) -> None:
    gateway = await make_gateway()
    unverified = await fresh_user("invitee", verified=False)
    verified = await fresh_user("invitee-ok", verified=True)

    async def ask(user: dict[str, Any]) -> httpx.Response:
        token = (await password_token(user["email"], user["password"]))["access_token"]
        return await gateway.post("/api/users/me/verify-email", headers={"authorization": f"Bearer {token}"})

    sent = await ask(unverified)
    already = await ask(verified)

    assert sent.status_code == 202, sent.text
    assert sent.json()["message"] == "We sent you an e-mail: open its link to confirm your address"
    assert already.json()["message"] == "Your e-mail address is already confirmed"
    async with asyncio.timeout(20):
        while not (mails := await messages_to(unverified["email"])):
            await asyncio.sleep(0.2)
    assert len(mails) == 1
    assert await messages_to(verified["email"]) == []

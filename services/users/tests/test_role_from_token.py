"""The token's realm role is the truth: a user still pending here whose token carries a role takes it when they
read their own profile (the web app routes by the token and the profile; a mismatch bounced the user between
role choice and dashboard forever)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

MakeUser = Callable[..., Awaitable[dict[str, Any]]]


async def test_a_pending_user_whose_token_says_candidate_becomes_a_candidate_on_reading_their_profile(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    user = await make_user()
    me = as_user(user["id"], "candidate")

    first = await client.get("/users/me", headers=me)
    again = await client.get("/users/me", headers=me)
    profile = await client.get(f"/candidates/{user['id']}/profile", headers=me)

    assert first.status_code == 200, first.text
    assert (first.json()["role"], again.json()["role"]) == ("candidate", "candidate")
    assert (await client.get(f"/users/{user['id']}", headers=admin)).json()["role"] == "candidate"
    assert profile.status_code == 200, profile.text


async def test_a_token_without_a_role_leaves_a_pending_user_pending(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()

    seen = (await client.get("/users/me", headers=as_user(user["id"], "pending"))).json()

    assert seen["role"] == "pending"


async def test_a_role_already_set_here_is_not_changed_by_the_token(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user("hr")

    seen = (await client.get("/users/me", headers=as_user(user["id"], "candidate"))).json()

    assert seen["role"] == "hr"

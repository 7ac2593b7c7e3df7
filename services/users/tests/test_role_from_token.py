"""The token's realm role is the truth: a user still pending here whose token carries a role takes it when they
read their own profile (the web app routes by the token and the profile; a mismatch bounced the user between
role choice and dashboard forever). Every screen reads it, so once settled the read opens no write transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

MakeUser = Callable[..., Awaitable[dict[str, Any]]]


@dataclass
class CountingSessions:
    """The test's sessionmaker as the app's write sessions (`Sessions`, what `transaction` opens), counting them;
    the app's read sessions (`ReadSession`) are the test's sessions themselves, uncounted."""

    sessions: async_sessionmaker[AsyncSession]
    opened: int = 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self.sessions()


@pytest.fixture
async def writes(
    app: FastAPI, client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[CountingSessions]:
    counting = CountingSessions(sessions)
    real_reads = app.state.read_sessions
    app.state.sessions, app.state.read_sessions = counting, (counting, sessions)
    yield counting
    # The client fixture puts the app's own sessions back after this.
    app.state.sessions, app.state.read_sessions = sessions, real_reads


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


async def test_a_settled_read_of_ones_own_user_opens_no_write_transaction_and_answers_what_the_first_call_did(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, writes: CountingSessions
) -> None:
    user = await make_user()
    me = as_user(user["id"], "candidate")

    before = writes.opened
    first = await client.get("/users/me", headers=me)
    adopted = writes.opened - before
    settled = [await client.get("/users/me", headers=me) for _ in range(2)]

    assert first.status_code == 200, first.text
    assert first.json()["role"] == "candidate" and first.json()["version"] == user["version"] + 1
    assert adopted == 1
    assert [r.json() for r in settled] == [first.json(), first.json()]
    assert writes.opened - before == 1


async def test_reading_ones_own_user_writes_nothing_when_the_token_has_no_role_to_give(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, writes: CountingSessions
) -> None:
    pending, hr = await make_user(), await make_user("hr")
    before = writes.opened

    seen = [
        (await client.get("/users/me", headers=as_user(pending["id"], "pending"))).json(),
        (await client.get("/users/me", headers=as_user(hr["id"], "candidate"))).json(),
    ]

    assert seen == [pending, hr]
    assert writes.opened == before


async def test_reading_ones_own_user_is_refused_without_a_user_here_or_a_user_identity(
    client: httpx.AsyncClient, as_user
) -> None:
    stranger = await client.get("/users/me", headers=as_user(uuid.uuid4(), "candidate"))
    not_a_user = await client.get("/users/me", headers=as_user("system", "admin"))

    assert (stranger.status_code, stranger.json()["code"]) == (404, "USER_NOT_FOUND")
    assert (not_a_user.status_code, not_a_user.json()["code"]) == (403, "ACCESS_DENIED")

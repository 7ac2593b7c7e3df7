"""The registration saga: the first authenticated request provisions the user once, even when many
arrive together; a refusal compensates in Keycloak; an outage leaves the saga to be retried; no database
transaction stays open while the users service is called."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from kit.testing import make_service_engine


async def _password_token(username: str, password: str) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            "http://127.0.0.1:8090/realms/ai-video-interview-test/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "ai-video-interview-app",
                "username": username,
                "password": password,
            },
        )
    response.raise_for_status()
    return str(response.json()["access_token"])


async def _registration(gateway: httpx.AsyncClient, keycloak_id: str) -> dict[str, Any] | None:
    engine = make_service_engine(gateway.app_state.settings)
    async with engine.connect() as conn:
        row = (
            (await conn.execute(text("SELECT * FROM registrations WHERE keycloak_id = :k"), {"k": keycloak_id}))
            .mappings()
            .first()
        )
    await engine.dispose()
    return dict(row) if row else None


async def test_ten_concurrent_first_requests_provision_exactly_one_user(
    make_gateway: Any, fresh_user: Any, stub: Any
) -> None:
    _, state = stub
    user = await fresh_user("saga")
    token = await _password_token(user["email"], user["password"])
    # Two gateway replicas: not a process-local cache but the row's planned user id and the idempotent creation
    # (a user that exists for the Keycloak id is adopted) make them end with one user.
    replicas = [await make_gateway(), await make_gateway()]
    state.create_delay_s = 0.3
    creates_before, lookups_before = state.creates, state.lookups
    try:
        responses = await asyncio.gather(
            *(replicas[i % 2].get("/api/users/me", headers={"authorization": f"Bearer {token}"}) for i in range(10))
        )
    finally:
        state.create_delay_s = 0.0
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert state.creates - creates_before == 1
    # The replica whose create came second adopts the user its conflict names, without a lookup.
    assert state.lookups == lookups_before
    row = await _registration(replicas[0], user["id"])
    assert row is not None
    assert row["status"] == "completed"
    assert str(row["user_id"]) == responses[0].json()["id"]


async def test_a_refused_registration_disables_the_keycloak_account(
    gateway: httpx.AsyncClient, fresh_user: Any, keycloak_admin: Any
) -> None:
    user = await fresh_user("reject")
    token = await _password_token(user["email"], user["password"])
    refused = await gateway.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "REGISTRATION_FAILED"
    assert (await keycloak_admin.a_get_user(user["id"]))["enabled"] is False
    row = await _registration(gateway, user["id"])
    assert row is not None
    assert row["status"] == "compensated"
    again = await gateway.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
    assert again.status_code == 403


async def test_users_down_answers_503_and_the_next_request_completes_the_saga(
    make_gateway: Any, fresh_user: Any, down_url: str, keycloak_admin: Any
) -> None:
    user = await fresh_user("later")
    token = await _password_token(user["email"], user["password"])
    outage = await make_gateway(users_url=down_url)
    unavailable = await outage.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
    assert unavailable.status_code == 503
    assert unavailable.json()["code"] == "USER_SERVICE_UNAVAILABLE"
    assert "retry-after" in unavailable.headers
    row = await _registration(outage, user["id"])
    assert row is not None
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert (await keycloak_admin.a_get_user(user["id"]))["enabled"] is True

    healthy = await make_gateway()
    me = await healthy.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(row["user_id"])


async def test_a_registration_in_progress_holds_no_lock_while_the_users_service_creates_the_user(
    gateway: httpx.AsyncClient, fresh_user: Any, stub: Any
) -> None:
    _, state = stub
    user = await fresh_user("unlocked")
    token = await _password_token(user["email"], user["password"])
    state.create_delay_s = 1.0
    try:
        first = asyncio.create_task(gateway.get("/api/users/me", headers={"authorization": f"Bearer {token}"}))
        deadline = time.monotonic() + 60
        while state.creating == 0:
            assert not first.done(), first.result().text
            assert time.monotonic() < deadline, "the users service was never asked to create the user"
            await asyncio.sleep(0.01)
        # While users creates the user, the attempt is committed and its row is locked by nobody.
        engine = make_service_engine(gateway.app_state.settings)
        try:
            async with engine.connect() as conn:
                row = (
                    await conn.execute(
                        text("SELECT status, attempts FROM registrations WHERE keycloak_id = :k FOR UPDATE NOWAIT"),
                        {"k": user["id"]},
                    )
                ).one()
                await conn.rollback()
        finally:
            await engine.dispose()
        assert (row.status, row.attempts) == ("pending", 1)
        me = await first
    finally:
        state.create_delay_s = 0.0
    assert me.status_code == 200, me.text
    settled = await _registration(gateway, user["id"])
    assert settled is not None
    assert (settled["status"], str(settled["user_id"])) == ("completed", me.json()["id"])


async def test_a_new_account_is_created_without_a_lookup_first_and_registered_in_three_statements(
    gateway: httpx.AsyncClient, fresh_user: Any, stub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, state = stub
    user = await fresh_user("lean")
    auth = {"authorization": f"Bearer {await _password_token(user['email'], user['password'])}"}
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split(None, 1)[0])

    engine = gateway.app_state.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    lookups, creates = state.lookups, state.creates
    try:
        assert (await gateway.get("/api/users/me", headers=auth)).status_code == 200
        # The settled read, the claim (created with its first attempt) and the outcome.
        assert statements == ["SELECT", "INSERT", "UPDATE"]
        assert (state.lookups - lookups, state.creates - creates) == (0, 1)

        # Once the process has forgotten it, the registration is read again, outside any transaction.
        saga = gateway.app_state.saga  # type: ignore[attr-defined]
        saga.forget(user["id"])
        statements.clear()

        def no_transaction() -> None:
            raise AssertionError("a settled registration was read in a transaction")

        monkeypatch.setattr(saga, "sessions", no_transaction)
        assert (await gateway.get("/api/users/me", headers=auth)).status_code == 200
        assert statements == ["SELECT"]
    finally:
        event.remove(engine, "before_cursor_execute", record)

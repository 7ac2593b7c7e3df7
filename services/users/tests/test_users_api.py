"""Users over HTTP against the real database: lifecycle, events, RBAC, locking."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.db import transaction
from kit.testing import outbox_events, threaded_calls
from users import commands
from users.domain import User
from users.main import create_app
from users.schemas import CreateUser
from users.settings import Settings

MakeUser = Callable[..., Awaitable[dict[str, Any]]]


async def events_of(sessions: async_sessionmaker[AsyncSession], aggregate_id: str) -> list[tuple[str, dict[str, Any]]]:
    async with sessions() as session:
        return [(m.event_type, m.payload["payload"]) for m in await outbox_events(session) if m.key == aggregate_id]


async def test_a_created_user_is_active_and_pending_and_announces_itself_on_user_events(
    client: httpx.AsyncClient, sessions, internal, admin, new_user_body
) -> None:
    body = new_user_body(email="  Ada.Lovelace+X@Example.COM ")

    created = await client.post("/users", json=body, headers=internal)
    got = await client.get(f"/users/{body['userId']}", headers=admin)

    assert created.status_code == 201
    assert created.json()["success"] is True
    assert created.json()["data"]["userId"] == body["userId"]
    user = got.json()
    assert user["email"] == "ada.lovelace+x@example.com"
    assert (user["status"], user["role"], user["isActive"], user["avatarUrl"]) == ("active", "pending", True, None)
    assert (user["timezone"], user["language"], user["version"]) == ("UTC", "en", 1)
    [(event_type, payload)] = await events_of(sessions, body["userId"])
    assert event_type == "user.created"
    assert payload["companyId"] == payload["userId"] == body["userId"]
    assert payload["externalAuthId"] == body["externalAuthId"]
    assert (payload["status"], payload["role"]) == ("active", "pending")


async def test_creating_the_same_identity_again_is_a_409_that_names_the_existing_user(
    client: httpx.AsyncClient, internal, new_user_body
) -> None:
    first = new_user_body()
    await client.post("/users", json=first, headers=internal)

    again = await client.post("/users", json=new_user_body(externalAuthId=first["externalAuthId"]), headers=internal)
    same_email = await client.post("/users", json=new_user_body(email=first["email"]), headers=internal)

    assert again.status_code == 409
    assert again.json()["code"] == "USER_ALREADY_EXISTS"
    assert again.json()["details"] == {"userId": first["userId"], "externalAuthId": first["externalAuthId"]}
    assert same_email.status_code == 409
    assert same_email.json()["code"] == "USER_ALREADY_EXISTS"


async def test_concurrent_first_logins_of_one_identity_create_exactly_one_user(
    live_client: httpx.AsyncClient, committed, cleanup, internal, new_user_body
) -> None:
    external = f"kc-race-{uuid.uuid4().hex[:8]}"
    cleanup["external"].append(external)
    bodies = [new_user_body(externalAuthId=external) for _ in range(8)]

    answers = await asyncio.gather(*(live_client.post("/users", json=b, headers=internal) for b in bodies))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7
    winner = next(a.json()["data"]["userId"] for a in answers if a.status_code == 201)
    assert {a.json()["details"]["userId"] for a in answers if a.status_code == 409} == {winner}
    async with committed() as session:
        assert await session.scalar(select(func.count()).where(User.external_auth_id == external)) == 1
    found = await live_client.get(f"/users/by-external-auth/{external}", headers=internal)
    assert found.json()["id"] == winner


async def test_the_saga_lookup_by_external_auth_id_needs_the_internal_token_and_answers_404_for_strangers(
    client: httpx.AsyncClient, make_user: MakeUser, internal
) -> None:
    user = await make_user()

    found = await client.get(f"/users/by-external-auth/{user['externalAuthId']}", headers=internal)
    unknown = await client.get("/users/by-external-auth/nobody", headers=internal)
    forged = await client.get(
        f"/users/by-external-auth/{user['externalAuthId']}", headers={"x-internal-token": "guess"}
    )

    assert found.json()["id"] == user["id"]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "USER_NOT_FOUND")
    assert forged.status_code == 401


async def test_identity_headers_without_the_right_internal_token_are_refused(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()
    forged = {"x-user-id": user["id"], "x-user-role": "admin"}

    missing = await client.get("/users", headers=forged)
    wrong = await client.get("/users", headers={**forged, "x-internal-token": "not-the-token"})
    create = await client.post("/users", json={}, headers={"x-internal-token": "nope"})

    assert [missing.status_code, wrong.status_code, create.status_code] == [401, 401, 401]
    assert missing.json()["code"] == "UNAUTHORIZED"


async def test_me_reads_and_updates_the_callers_own_profile_and_emits_user_updated(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")

    read = await client.get("/users/me", headers=me)
    updated = await client.put(
        "/users/me", json={"firstName": "  Grace ", "bio": "Compilers", "timezone": "Europe/Paris"}, headers=me
    )

    assert read.json()["id"] == user["id"]
    assert updated.status_code == 200
    body = updated.json()
    assert (body["firstName"], body["lastName"], body["bio"], body["timezone"]) == (
        "Grace",
        "Lovelace",
        "Compilers",
        "Europe/Paris",
    )
    assert body["version"] == user["version"] + 1
    types = [t for t, _ in await events_of(sessions, user["id"])]
    assert types[-1] == "user.updated"


async def test_bad_profile_input_is_refused_field_by_field(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"])

    unknown = await client.put("/users/me", json={"firstName": "A", "isAdmin": True}, headers=me)
    wrong_type = await client.put("/users/me", json={"firstName": 42}, headers=me)
    blank = await client.put("/users/me", json={"lastName": "   "}, headers=me)
    too_long = await client.put("/users/me", json={"firstName": "x" * 51}, headers=me)
    null_name = await client.put("/users/me", json={"firstName": None}, headers=me)
    bad_email = await client.post(
        "/users",
        json={
            "userId": str(uuid.uuid4()),
            "externalAuthId": "x",
            "email": "not-an-email",
            "firstName": "A",
            "lastName": "B",
        },
        headers={"x-internal-token": me["x-internal-token"]},
    )

    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "isAdmin"
    assert wrong_type.status_code == 422
    assert (blank.status_code, blank.json()["code"]) == (400, "DOMAIN_ERROR")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "DOMAIN_ERROR")
    assert (null_name.status_code, null_name.json()["code"]) == (400, "DOMAIN_ERROR")
    assert (bad_email.status_code, bad_email.json()["code"]) == (400, "DOMAIN_ERROR")


async def test_a_user_reads_and_changes_only_themself_while_hr_reads_candidates_only(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    candidate = await make_user("candidate")
    other_candidate = await make_user("candidate")
    hr = await make_user("hr")
    other_hr = await make_user("hr")

    peeking = await client.get(f"/users/{other_candidate['id']}", headers=as_user(candidate["id"], "candidate"))
    meddling = await client.put(
        f"/users/{other_candidate['id']}", json={"firstName": "X"}, headers=as_user(candidate["id"], "candidate")
    )
    hr_reads_candidate = await client.get(f"/users/{candidate['id']}", headers=as_user(hr["id"], "hr"))
    hr_reads_hr = await client.get(f"/users/{other_hr['id']}", headers=as_user(hr["id"], "hr"))
    hr_edits_candidate = await client.put(
        f"/users/{candidate['id']}", json={"firstName": "X"}, headers=as_user(hr["id"], "hr")
    )
    permissions_of_other = await client.get(
        f"/users/{hr['id']}/permissions", headers=as_user(candidate["id"], "candidate")
    )

    assert (peeking.status_code, peeking.json()["code"]) == (403, "ACCESS_DENIED")
    assert meddling.status_code == 403
    assert hr_reads_candidate.status_code == 200
    assert hr_reads_hr.status_code == 403
    assert hr_edits_candidate.status_code == 403
    assert permissions_of_other.status_code == 403


async def test_admin_only_routes_refuse_every_other_role(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    victim = await make_user("candidate")
    for role in ("pending", "candidate", "hr"):
        caller = await make_user(None if role == "pending" else role)
        headers = as_user(caller["id"], role)
        answers = [
            await client.get("/users", headers=headers),
            await client.get("/users/stats", headers=headers),
            await client.post(f"/users/{victim['id']}/suspend", json={"reason": "x"}, headers=headers),
            await client.post(f"/users/{victim['id']}/activate", headers=headers),
            await client.delete(f"/users/{victim['id']}", headers=headers),
            await client.post("/skills", json={"name": "Zig", "slug": "zig"}, headers=headers),
        ]
        assert [a.status_code for a in answers] == [403] * 6, role
        assert {a.json()["code"] for a in answers} == {"ACCESS_DENIED"}, role


async def test_a_stale_if_match_version_is_a_409_and_the_current_one_succeeds(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"])
    current = user["version"]

    fresh = await client.put("/users/me", json={"bio": "one"}, headers={**me, "If-Match": f'"{current}"'})
    stale = await client.put("/users/me", json={"bio": "two"}, headers={**me, "If-Match": str(current)})
    garbage = await client.put("/users/me", json={"bio": "three"}, headers={**me, "If-Match": "yesterday"})

    assert fresh.status_code == 200
    assert fresh.json()["version"] == current + 1
    assert stale.status_code == 409
    assert stale.json()["code"] == "VERSION_CONFLICT"
    assert stale.json()["details"] == {"expectedVersion": current, "currentVersion": current + 1}
    assert garbage.status_code == 400


async def test_of_two_writers_that_read_the_same_version_the_second_to_commit_gets_a_409(
    committed, cleanup, new_user_body
) -> None:
    body = new_user_body()
    cleanup["external"].append(body["externalAuthId"])
    async with transaction(committed) as session:
        await commands.create_user(session, CreateUser.model_validate(body))
    user_id = uuid.UUID(body["userId"])

    first = committed()
    second = committed()
    async with first.begin(), second.begin():
        mine = await commands.load_user(first, user_id)
        theirs = await commands.load_user(second, user_id)
        mine.update_profile({"bio": "first"})
        await first.commit()
        theirs.update_profile({"bio": "second"})
        try:
            await second.commit()
            raised = None
        except Exception as exc:  # StaleDataError, which the app renders as a 409
            raised = exc
    await first.close()
    await second.close()

    assert type(raised).__name__ == "StaleDataError"
    async with committed() as session:
        assert (await commands.load_user(session, user_id)).bio == "first"


async def test_a_user_selects_hr_or_candidate_once_and_never_admin(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")

    elevate = await client.post(f"/users/{user['id']}/roles", json={"role": "admin"}, headers=me)
    pending = await client.post(f"/users/{user['id']}/roles", json={"role": "pending"}, headers=me)
    chosen = await client.post(f"/users/{user['id']}/roles", json={"role": "candidate"}, headers=me)
    again = await client.post(f"/users/{user['id']}/roles", json={"role": "hr"}, headers=me)
    profile = await client.get(f"/candidates/{user['id']}/profile", headers=me)
    permissions = await client.get(f"/users/{user['id']}/permissions", headers=me)

    assert (elevate.status_code, elevate.json()["code"]) == (403, "ACCESS_DENIED")
    assert pending.status_code == 422
    assert chosen.status_code == 200
    assert chosen.json() == {"message": "Role candidate assigned successfully", "role": "candidate"}
    assert (again.status_code, again.json()["code"]) == (422, "INVALID_USER_OPERATION")
    assert profile.json()["data"]["experienceLevel"] is None
    assert permissions.json()["data"]["roles"] == [{"id": "candidate", "name": "candidate", "displayName": "Candidate"}]
    assert "write:interviews" in permissions.json()["data"]["permissions"]
    role_events = [p for t, p in await events_of(sessions, user["id"]) if t == "user.role-selected"]
    assert [(p["role"], p["email"]) for p in role_events] == [("candidate", user["email"])]


async def test_an_admin_may_grant_admin_to_a_pending_user(
    client: httpx.AsyncClient, make_user: MakeUser, admin
) -> None:
    user = await make_user()

    granted = await client.post(f"/users/{user['id']}/roles", json={"role": "admin"}, headers=admin)

    assert granted.status_code == 200
    assert (await client.get(f"/users/{user['id']}", headers=admin)).json()["role"] == "admin"


async def test_suspension_blocks_profile_changes_until_activation(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, as_user, admin
) -> None:
    user = await make_user("candidate")
    me = as_user(user["id"], "candidate")

    suspended = await client.post(f"/users/{user['id']}/suspend", json={"reason": "spam"}, headers=admin)
    twice = await client.post(f"/users/{user['id']}/suspend", json={"reason": "spam"}, headers=admin)
    blocked = await client.put("/users/me", json={"bio": "hi"}, headers=me)
    no_reason = await client.post(f"/users/{user['id']}/suspend", json={}, headers=admin)
    activated = await client.post(f"/users/{user['id']}/activate", headers=admin)
    idle = await client.post(f"/users/{user['id']}/activate", headers=admin)
    allowed = await client.put("/users/me", json={"bio": "hi"}, headers=me)

    assert (suspended.status_code, suspended.json()["status"], suspended.json()["isSuspended"]) == (
        200,
        "suspended",
        True,
    )
    assert (twice.status_code, twice.json()["code"]) == (422, "INVALID_USER_OPERATION")
    assert (blocked.status_code, blocked.json()["code"]) == (403, "USER_SUSPENDED")
    assert no_reason.status_code == 422
    assert activated.json()["status"] == "active"
    assert idle.status_code == 200
    assert allowed.status_code == 200
    types = [t for t, _ in await events_of(sessions, user["id"])]
    # Activating an active user records nothing (the reference wrote a spurious event).
    assert types.count("user.suspended") == 1
    assert types.count("user.activated") == 1


async def test_deleting_a_user_removes_it_and_announces_it(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, admin
) -> None:
    user = await make_user("candidate")

    deleted = await client.delete(f"/users/{user['id']}", headers=admin)
    gone = await client.get(f"/users/{user['id']}", headers=admin)
    twice = await client.delete(f"/users/{user['id']}", headers=admin)

    assert deleted.json() == {"success": True, "message": "User deleted successfully"}
    assert (gone.status_code, gone.json()["code"]) == (404, "USER_NOT_FOUND")
    assert twice.status_code == 404
    deletions = [p for t, p in await events_of(sessions, user["id"]) if t == "user.deleted"]
    assert [(p["userId"], p["email"]) for p in deletions] == [(user["id"], user["email"])]


async def test_the_admin_list_filters_searches_and_paginates_and_stats_count_by_status(
    client: httpx.AsyncClient, make_user: MakeUser, admin
) -> None:
    tag = uuid.uuid4().hex[:8]
    made = [await make_user(firstName=f"Zed{tag}", email=f"z{i}-{tag}@example.com") for i in range(3)]
    await make_user("hr", lastName=f"Hop{tag}")
    await client.post(f"/users/{made[0]['id']}/suspend", json={"reason": "x"}, headers=admin)
    before = (await client.get("/users/stats", headers=admin)).json()

    page1 = await client.get("/users", params={"search": f"zed{tag}", "limit": 2}, headers=admin)
    page2 = await client.get("/users", params={"search": f"zed{tag}", "limit": 2, "page": 2}, headers=admin)
    suspended = await client.get("/users", params={"search": tag, "status": "suspended"}, headers=admin)
    hr = await client.get("/users", params={"search": tag, "role": "hr"}, headers=admin)
    bad_limit = await client.get("/users", params={"limit": 101}, headers=admin)
    bad_status = await client.get("/users", params={"status": "sleeping"}, headers=admin)

    assert page1.json()["pagination"] == {"total": 3, "page": 1, "limit": 2, "totalPages": 2}
    assert len(page1.json()["data"]) == 2 and len(page2.json()["data"]) == 1
    ids = {u["id"] for u in page1.json()["data"] + page2.json()["data"]}
    assert ids == {u["id"] for u in made}
    assert [u["id"] for u in suspended.json()["data"]] == [made[0]["id"]]
    assert [u["lastName"] for u in hr.json()["data"]] == [f"Hop{tag}"]
    assert bad_limit.status_code == 422 and bad_status.status_code == 422
    assert before["suspendedUsers"] >= 1
    assert before["totalUsers"] == sum(before["usersByStatus"].values())
    assert before["activeUsers"] == before["usersByStatus"]["active"]


def test_no_route_hands_its_endpoint_or_a_dependency_to_the_thread_pool(settings: Settings) -> None:
    # A plain `def` dependency (the If-Match header's was one) costs a thread hand-off on every request.
    assert threaded_calls(create_app(settings)) == []

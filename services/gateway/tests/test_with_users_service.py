"""End to end against the real users service process (uvicorn on 127.0.0.1, its own migrations on the
test database): the saga, role selection and the admin operations that span Keycloak and users."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kit.contracts.interviews import InvitationCreated
from kit.db import make_sessionmaker, transaction
from kit.events import Envelope
from kit.testing import make_service_engine, settings_for_tests
from users.consumers import HANDLERS
from users.settings import Settings as UsersSettings


@pytest.fixture
async def real_gateway(make_gateway: Any, users_process: str) -> httpx.AsyncClient:
    return await make_gateway(users_url=users_process)  # type: ignore[no-any-return]


async def _token(user: dict[str, Any]) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            "http://127.0.0.1:8090/realms/ai-video-interview-test/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "ai-video-interview-app",
                "username": user["email"],
                "password": user["password"],
            },
        )
    response.raise_for_status()
    return {"authorization": f"Bearer {response.json()['access_token']}"}


async def _realm_roles(keycloak_admin: Any, keycloak_id: str) -> set[str]:
    return {r["name"] for r in await keycloak_admin.a_get_realm_roles_of_user(keycloak_id)}


async def test_first_calls_provision_one_user_in_the_users_service_and_role_selection_updates_keycloak(
    real_gateway: httpx.AsyncClient, fresh_user: Any, keycloak_admin: Any
) -> None:
    user = await fresh_user("e2e", roles=("pending",))
    auth = await _token(user)
    responses = await asyncio.gather(*(real_gateway.get("/api/users/me", headers=auth) for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10, responses[0].text
    me = responses[0].json()
    assert len({r.json()["id"] for r in responses}) == 1
    assert me["externalAuthId"] == user["id"]
    assert me["email"] == user["email"]
    assert me["role"] == "pending"

    chosen = await real_gateway.post("/api/users/me/select-role", headers=auth, json={"role": "candidate"})
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["role"] == "candidate"
    roles = await _realm_roles(keycloak_admin, user["id"])
    assert "candidate" in roles
    assert "pending" not in roles

    # Only once: the users service refuses, and Keycloak is not touched.
    again = await real_gateway.post("/api/users/me/select-role", headers=auth, json={"role": "hr"})
    assert again.status_code == 422, again.text
    assert "hr" not in await _realm_roles(keycloak_admin, user["id"])
    admin = await real_gateway.post("/api/users/me/select-role", headers=auth, json={"role": "admin"})
    assert admin.status_code == 422


async def test_an_account_that_already_has_an_app_role_is_provisioned_with_that_role(
    real_gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    hr = await fresh_user("seeded-hr", roles=("hr",))
    me = await real_gateway.get("/api/users/me", headers=await _token(hr))
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "hr"
    # No second choice: the role came with the account.
    again = await real_gateway.post("/api/users/me/select-role", headers=await _token(hr), json={"role": "candidate"})
    assert again.status_code == 422, again.text


async def test_admin_operations_change_keycloak_and_users_together(
    real_gateway: httpx.AsyncClient, fresh_user: Any, keycloak_admin: Any
) -> None:
    operator = await fresh_user("admin-op", roles=("admin",))
    auth = await _token(operator)

    created = await real_gateway.post(
        "/api/admin/users",
        headers=auth,
        json={
            "email": f"made-{operator['email']}",
            "firstName": "Made",
            "lastName": "ByAdmin",
            "password": "Secret123!",
            "role": "hr",
        },
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    keycloak_id, user_id = data["keycloakId"], data["userId"]
    assert "hr" in await _realm_roles(keycloak_admin, keycloak_id)

    suspended = await real_gateway.post(
        f"/api/admin/users/{keycloak_id}/suspend", headers=auth, json={"reason": "test"}
    )
    assert suspended.status_code == 201, suspended.text
    assert suspended.json()["user"]["status"] == "suspended"
    assert (await keycloak_admin.a_get_user(keycloak_id))["enabled"] is False

    activated = await real_gateway.post(f"/api/admin/users/{keycloak_id}/activate", headers=auth)
    assert activated.status_code == 201, activated.text
    assert activated.json()["user"]["status"] == "active"
    assert (await keycloak_admin.a_get_user(keycloak_id))["enabled"] is True

    # The users service refuses a second role: the Keycloak grant is rolled back.
    refused = await real_gateway.post(
        f"/api/admin/users/{keycloak_id}/roles", headers=auth, json={"roleName": "candidate"}
    )
    assert refused.status_code == 422, refused.text
    assert "candidate" not in await _realm_roles(keycloak_admin, keycloak_id)

    removed = await real_gateway.delete(f"/api/admin/users/{keycloak_id}/roles/hr", headers=auth)
    assert removed.status_code == 200
    assert "hr" not in await _realm_roles(keycloak_admin, keycloak_id)

    deleted = await real_gateway.delete(f"/api/admin/users/{keycloak_id}", headers=auth)
    assert deleted.status_code == 200, deleted.text
    assert (await real_gateway.get(f"/api/admin/users/{keycloak_id}", headers=auth)).status_code == 404
    gone = await real_gateway.get("/api/users/me", headers=auth)
    assert gone.status_code == 200
    stats = await real_gateway.get("/api/admin/users/stats", headers=auth)
    assert stats.status_code == 200, stats.text
    assert stats.json()["totalUsers"] >= 1
    assert user_id


async def test_billing_acts_for_the_company_of_the_callers_membership_from_its_creation_never_a_client_header(
    make_gateway: Any, users_process: str, stub: Any, fresh_user: Any
) -> None:
    gateway = await make_gateway(users_url=users_process, billing_url=stub[0].url)
    hr = await fresh_user("hr-billing", roles=("hr",))
    auth = await _token(hr)
    # Before the company exists the caller is billed as themselves; creating one switches at once (the gateway
    # must not keep answering from a remembered "no company").
    alone = await gateway.get("/api/billing/subscription", headers=auth)
    assert alone.status_code == 200, alone.text
    assert "x-company-id" not in alone.json()["headers"]
    created = await gateway.post(
        "/api/hr/companies",
        headers=auth,
        json={"name": f"Acme {hr['id'][:8]}", "industry": "Software", "size": "11-50"},
    )
    assert created.status_code == 201, created.text
    company_id = created.json()["companyId"]

    mine = await gateway.get("/api/users/me/companies", headers=auth)
    assert [c["id"] for c in mine.json()] == [company_id]

    subscription = await gateway.get(
        "/api/billing/subscription", headers={**auth, "x-company-id": "someone-elses-company"}
    )
    assert subscription.status_code == 200, subscription.text
    assert subscription.json()["headers"]["x-company-id"] == company_id


async def test_hr_search_finds_a_candidate_who_applied_to_the_company_of_the_callers_membership(
    real_gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    admin = await _token(await fresh_user("search-admin", roles=("admin",)))
    hr = await _token(await fresh_user("search-hr", roles=("hr",)))
    candidate = await _token(await fresh_user("search-cand", roles=("candidate",)))
    slug = f"applied-{uuid.uuid4().hex[:8]}"
    skill = await real_gateway.post("/api/admin/skills", headers=admin, json={"name": slug, "slug": slug})
    assert skill.status_code == 201, skill.text
    skill_id = skill.json()["skillId"]
    added = await real_gateway.post("/api/me/skills", headers=candidate, json={"skillId": skill_id})
    assert added.status_code == 201, added.text
    candidate_id = (await real_gateway.get("/api/users/me", headers=candidate)).json()["id"]
    company = await real_gateway.post("/api/hr/companies", headers=hr, json={"name": f"Hiring {slug}"})
    assert company.status_code == 201, company.text

    async def found() -> list[str]:
        search = await real_gateway.get("/api/hr/candidates/search", headers=hr, params={"skillIds": skill_id})
        assert search.status_code == 200, search.text
        return [hit["userId"] for hit in search.json()["data"]]

    before = await found()
    # The candidate never opted in to being discoverable; the company invites them (interviews' event, as the
    # users consumer handles it).
    await _invite(candidate_id, account=company.json()["companyId"])

    assert before == []
    assert await found() == [candidate_id]


async def _invite(candidate_id: str, *, account: str) -> None:
    invitation = InvitationCreated(
        invitation_id=str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend interview",
        candidate_id=candidate_id,
        company_id=account,
        company_name="Hiring",
        invited_by=str(uuid.uuid4()),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    envelope = Envelope.wrap(
        invitation, source="interviews", aggregate_id=invitation.invitation_id, correlation_id=None
    )
    settings = settings_for_tests(UsersSettings, "users", s3_bucket_prefix="test-")
    engine = make_service_engine(settings)
    try:
        async with transaction(make_sessionmaker(engine, service="users", schema=settings.schema_name)) as session:
            await HANDLERS[InvitationCreated.TYPE](session, envelope)
    finally:
        await engine.dispose()


async def test_my_avatar_and_conditional_profile_writes_go_through_to_the_users_service(
    real_gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("avatar", roles=("candidate",))
    auth = await _token(user)
    me = await real_gateway.get("/api/users/me", headers=auth)
    assert me.status_code == 200, me.text
    version = me.json()["version"]

    # If-Match reaches the users service: the current version writes, a stale one is a 409.
    updated = await real_gateway.put("/api/users/me", headers={**auth, "if-match": str(version)}, json={"bio": "Hello"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] > version
    stale = await real_gateway.put("/api/users/me", headers={**auth, "if-match": str(version)}, json={"bio": "Again"})
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "VERSION_CONFLICT"

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
        b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    uploaded = await real_gateway.post(
        "/api/users/me/avatar", headers=auth, files={"file": ("me.png", png, "image/png")}
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["avatarUrl"]
    assert (await real_gateway.get("/api/users/me", headers=auth)).json()["avatarUrl"]

    not_image = await real_gateway.post(
        "/api/users/me/avatar", headers=auth, files={"file": ("me.png", b"plain text", "image/png")}
    )
    assert not_image.status_code == 415, not_image.text

    removed = await real_gateway.delete("/api/users/me/avatar", headers=auth)
    assert removed.status_code == 204, removed.text
    assert (await real_gateway.get("/api/users/me", headers=auth)).json()["avatarUrl"] is None


async def test_members_pick_skills_from_the_active_catalogue_only(
    real_gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    admin = await _token(await fresh_user("skills-admin", roles=("admin",)))
    candidate = await _token(await fresh_user("skills-cand", roles=("candidate",)))
    slug = f"retired-{uuid.uuid4().hex[:8]}"
    created = await real_gateway.post("/api/admin/skills", headers=admin, json={"name": slug, "slug": slug})
    assert created.status_code == 201, created.text
    skill_id = created.json()["skillId"]

    listed = await real_gateway.get("/api/skills", headers=candidate, params={"search": slug})
    assert listed.status_code == 200, listed.text
    assert [s["id"] for s in listed.json()["data"]] == [skill_id]

    deactivated = await real_gateway.post(f"/api/admin/skills/{skill_id}/deactivate", headers=admin)
    assert deactivated.status_code == 201, deactivated.text
    # The client cannot ask for inactive ones.
    hidden = await real_gateway.get("/api/skills", headers=candidate, params={"search": slug, "isActive": "false"})
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["data"] == []
    assert (await real_gateway.delete(f"/api/admin/skills/{skill_id}", headers=admin)).status_code == 200

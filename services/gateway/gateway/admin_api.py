"""Admin user management, which changes Keycloak and the users service together (the path ids are
Keycloak ids), and the skills catalogue on the users service."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from gateway.compensation import compensated
from gateway.docs import relayed
from gateway.identity import Caller, GatedRouter
from gateway.proxy import at_gateway, identity_headers
from gateway.relay import call_users, json_object, ok, passthrough, segment, user_of_account, users
from gateway.revocation import end_user_sessions
from gateway.schemas import (
    AccountCreated,
    AccountFound,
    AccountList,
    AccountStatusChanged,
    AdminCreateUser,
    AdminUpdateUser,
    AssignRole,
    CreatedAccount,
    Message,
    RealmRoles,
    SuspendUser,
)
from kit.errors import DomainError, Invalid, NotFound

router = GatedRouter(tags=["admin"])

APP_ROLES = ("pending", "candidate", "hr", "admin")


@router.post("/api/admin/users", status_code=201, response_model=AccountCreated, summary="Create a user")
async def create_user(body: AdminCreateUser, *, request: Request, caller: Caller) -> AccountCreated:
    """Create a user in Keycloak and the users service, with a role if one is given."""
    accounts = request.app.state.accounts
    user_id = uuid.uuid4()
    account = accounts.create_user(
        email=body.email,
        username=body.username or body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        password=body.password or secrets.token_urlsafe(24),
    )
    # The Keycloak account must not outlive a failed creation.
    async with compensated(account, accounts.delete_user) as keycloak_id:
        if body.role:
            await accounts.add_role(keycloak_id, body.role)
        user = {
            "userId": str(user_id),
            "externalAuthId": keycloak_id,
            "email": body.email,
            "firstName": body.first_name,
            "lastName": body.last_name,
        }
        ok(await call_users(request, "POST", "/users", caller, json_body=user))
        if body.role and body.role != "pending":
            role = {"role": body.role}
            ok(await call_users(request, "POST", f"/users/{user_id}/roles", caller, json_body=role))
    return AccountCreated(data=CreatedAccount(user_id=user_id, keycloak_id=keycloak_id, email=body.email))


@router.get("/api/admin/users", response_model=AccountList, summary="List users (Keycloak) with their last login")
async def list_users(
    *, request: Request, caller: Caller, search: str | None = None, max: int = 100, first: int = 0
) -> Response:
    """List users (Keycloak) with their last login."""
    if not 1 <= max <= 1000 or first < 0:
        raise Invalid("max must be 1..1000 and first ≥ 0")
    accounts = await request.app.state.accounts.list_users(search=search, first=first, max_=max)

    async def last_login(account: dict[str, Any]) -> dict[str, Any]:
        try:
            user = await user_of_account(request, str(account["id"]))
        except DomainError:
            user = None
        # A pending user who chose hr waits for an admin: the list shows the request to approve.
        found = user or {}
        return {
            **account,
            "lastLoginAt": found.get("lastLoginAt"),
            "hrAccessRequestedAt": found.get("hrAccessRequestedAt"),
        }

    data = await asyncio.gather(*(last_login(a) for a in accounts))
    return JSONResponse({"success": True, "data": list(data), "count": len(data)})


@router.get("/api/admin/users/stats", summary="User statistics", openapi_extra=relayed("GET", "/users/stats"))
async def user_stats(*, request: Request, caller: Caller) -> Response:
    """User statistics."""
    return passthrough(await call_users(request, "GET", "/users/stats", caller))


@router.get("/api/admin/users/{user_id}", response_model=AccountFound, summary="A user (Keycloak)")
async def get_user(user_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """A user (Keycloak)."""
    return JSONResponse({"success": True, "data": await request.app.state.accounts.get_user(str(user_id))})


@router.put("/api/admin/users/{user_id}", response_model=Message, summary="Update a user's names")
async def update_user(user_id: uuid.UUID, body: AdminUpdateUser, *, request: Request, caller: Caller) -> Message:
    """Update a user's names in Keycloak and the users service."""
    accounts = request.app.state.accounts
    account_id = str(user_id)
    before = await accounts.get_user(account_id)
    names = {k: v for k, v in {"firstName": body.first_name, "lastName": body.last_name}.items() if v is not None}

    async def restore(_: object) -> None:
        await accounts.update_user(account_id, {k: before.get(k) for k in names})

    async with compensated(accounts.update_user(account_id, names), restore):
        user = await user_of_account(request, account_id)
        if user is not None and names:
            ok(await call_users(request, "PUT", f"/users/{segment(user['id'])}", caller, json_body=names))
    return Message(message="User updated successfully")


@router.delete("/api/admin/users/{user_id}", response_model=Message, summary="Delete a user")
async def delete_user(user_id: uuid.UUID, *, request: Request, caller: Caller) -> Message:
    """Delete a user from the users service, then from Keycloak."""
    account_id = str(user_id)
    user = await user_of_account(request, account_id)
    if user is not None:
        ok(await call_users(request, "DELETE", f"/users/{segment(user['id'])}", caller))
    await request.app.state.accounts.delete_user(account_id)
    request.app.state.saga.forget(account_id)
    await end_user_sessions(request, account_id)
    return Message(message="User deleted successfully")


@router.post(
    "/api/admin/users/{user_id}/suspend", status_code=201, response_model=AccountStatusChanged, summary="Suspend a user"
)
async def suspend_user(user_id: uuid.UUID, body: SuspendUser, *, request: Request, caller: Caller) -> Response:
    """Suspend a user: disabled in Keycloak, suspended in the users service."""
    accounts = request.app.state.accounts
    account_id = str(user_id)
    async with compensated(accounts.disable(account_id), lambda _: accounts.enable(account_id)):
        user = await user_of_account(request, account_id)
        if user is not None:
            path = f"/users/{segment(user['id'])}/suspend"
            user = ok(await call_users(request, "POST", path, caller, json_body={"reason": body.reason}))
    await end_user_sessions(request, account_id)
    return JSONResponse({"success": True, "message": "User suspended", "user": user}, 201)


@router.post(
    "/api/admin/users/{user_id}/activate",
    status_code=201,
    response_model=AccountStatusChanged,
    summary="Activate a user",
)
async def activate_user(user_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Activate a user: enabled in Keycloak, active in the users service."""
    accounts = request.app.state.accounts
    account_id = str(user_id)
    async with compensated(accounts.enable(account_id), lambda _: accounts.disable(account_id)):
        user = await user_of_account(request, account_id)
        if user is not None:
            user = ok(await call_users(request, "POST", f"/users/{segment(user['id'])}/activate", caller))
    return JSONResponse({"success": True, "message": "User activated", "user": user}, 201)


@router.post(
    "/api/admin/users/{user_id}/verify-email", status_code=201, response_model=Message, summary="Mark e-mail verified"
)
async def verify_email(user_id: uuid.UUID, *, request: Request, caller: Caller) -> Message:
    """Mark a user's e-mail verified."""
    await request.app.state.accounts.update_user(str(user_id), {"emailVerified": True})
    return Message(message="Email verified")


@router.get("/api/admin/roles", response_model=RealmRoles, summary="Realm roles")
async def realm_roles(*, request: Request, caller: Caller) -> Response:
    """Realm roles."""
    return JSONResponse({"success": True, "data": await request.app.state.accounts.realm_roles()})


@router.get("/api/admin/users/{user_id}/roles", response_model=RealmRoles, summary="A user's realm roles")
async def user_roles(user_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """A user's realm roles."""
    return JSONResponse({"success": True, "data": await request.app.state.accounts.user_roles(str(user_id))})


@router.post("/api/admin/users/{user_id}/roles", status_code=201, response_model=Message, summary="Assign a role")
async def assign_role(user_id: uuid.UUID, body: AssignRole, *, request: Request, caller: Caller) -> Message:
    """Assign a role in Keycloak and the users service."""
    accounts = request.app.state.accounts
    account_id, role = str(user_id), body.role_name
    async with compensated(accounts.add_role(account_id, role), lambda _: accounts.remove_role(account_id, role)):
        user = await user_of_account(request, account_id)
        if user is not None and role != "pending":
            path = f"/users/{segment(user['id'])}/roles"
            ok(await call_users(request, "POST", path, caller, json_body={"role": role}))
    return Message(message=f"Role {role} assigned successfully")


@router.delete("/api/admin/users/{user_id}/roles/{role_name}", response_model=Message, summary="Remove a realm role")
async def remove_role(user_id: uuid.UUID, role_name: str, *, request: Request, caller: Caller) -> Message:
    """Remove a realm role (Keycloak only)."""
    if role_name not in APP_ROLES:
        raise NotFound(f"Unknown role {role_name!r}")
    await request.app.state.accounts.remove_role(str(user_id), role_name)
    return Message(message=f"Role {role_name} removed successfully")


@router.post(
    "/api/admin/skills",
    status_code=201,
    summary="Create a skill",
    openapi_extra=relayed("POST", "/skills", unwrap=True),
)
async def create_skill(*, request: Request, caller: Caller) -> Response:
    """Create a skill."""
    body = {**await json_object(request), "adminId": caller.user_id}
    response = await call_users(request, "POST", "/skills", caller, json_body=body)
    return passthrough(response, unwrap=True, status=201)


@router.get("/api/admin/skills", summary="List skills", openapi_extra=relayed("GET", "/skills"))
async def list_skills(*, request: Request, caller: Caller) -> Response:
    """List skills, inactive ones included."""
    response = await users(request).request("GET", "/skills", query=request.url.query, headers=identity_headers(caller))
    return passthrough(at_gateway(response, request))


@router.get(
    "/api/admin/skills/{skill_id}", summary="A skill", openapi_extra=relayed("GET", "/skills/{id}", unwrap=True)
)
async def get_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """A skill."""
    return passthrough(await call_users(request, "GET", f"/skills/{segment(skill_id)}", caller), unwrap=True)


@router.put("/api/admin/skills/{skill_id}", summary="Update a skill", openapi_extra=relayed("PUT", "/skills/{id}"))
async def update_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Update a skill."""
    body = {**await json_object(request), "adminId": caller.user_id}
    return passthrough(await call_users(request, "PUT", f"/skills/{segment(skill_id)}", caller, json_body=body))


@router.delete("/api/admin/skills/{skill_id}", response_model=Message, summary="Delete a skill")
async def delete_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Message:
    """Delete a skill."""
    path = f"/skills/{segment(skill_id)}"
    ok(await call_users(request, "DELETE", path, caller, query={"adminId": caller.user_id}))
    return Message(message="Skill deleted successfully")


@router.post(
    "/api/admin/skills/{skill_id}/toggle",
    status_code=201,
    summary="Toggle a skill",
    openapi_extra=relayed("POST", "/skills/{id}/activate", unwrap=True),
)
async def toggle_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Activate an inactive skill, deactivate an active one."""
    skill = ok(await call_users(request, "GET", f"/skills/{segment(skill_id)}", caller))
    action = "deactivate" if (skill.get("data") or skill).get("isActive") else "activate"
    path = f"/skills/{segment(skill_id)}/{action}"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, unwrap=True, status=201)


@router.post(
    "/api/admin/skills/{skill_id}/activate",
    status_code=201,
    summary="Activate a skill",
    openapi_extra=relayed("POST", "/skills/{id}/activate"),
)
async def activate_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Activate a skill."""
    path = f"/skills/{segment(skill_id)}/activate"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, status=201)


@router.post(
    "/api/admin/skills/{skill_id}/deactivate",
    status_code=201,
    summary="Deactivate a skill",
    openapi_extra=relayed("POST", "/skills/{id}/deactivate"),
)
async def deactivate_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Deactivate a skill."""
    path = f"/skills/{segment(skill_id)}/deactivate"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, status=201)

"""Routes that translate rather than pass through (contract §3.6-§3.8): the caller's own profile (`me` →
the internal user id), HR's companies and candidate search, and the admin operations that change
Keycloak and the users service together, undoing the Keycloak half when the users half fails."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from typing import Any, Literal
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import EmailStr, Field

from gateway.identity import Caller, Identity, authorize
from gateway.proxy import encode_path, identity_headers, to_response
from gateway.saga import SYSTEM_HEADERS
from gateway.upstream import UpstreamClient, UpstreamResponse
from kit.errors import DomainError, Invalid, NotFound
from kit.schemas import Command

log = structlog.get_logger("gateway.api")

router = APIRouter(dependencies=[Depends(authorize)])


class SelectRole(Command):
    # Self-service may pick hr or candidate, never admin (⚠ fixed).
    role: Literal["hr", "candidate"]


class AdminCreateUser(Command):
    email: EmailStr
    username: str | None = Field(default=None, min_length=1, max_length=255)
    first_name: str = Field(min_length=1, max_length=50)
    last_name: str = Field(min_length=1, max_length=50)
    password: str | None = Field(default=None, min_length=8, max_length=128)
    role: Literal["pending", "candidate", "hr", "admin"] | None = None


class AdminUpdateUser(Command):
    first_name: str | None = Field(default=None, min_length=1, max_length=50)
    last_name: str | None = Field(default=None, min_length=1, max_length=50)
    email: str | None = None
    enabled: bool | None = None


class SuspendBody(Command):
    reason: str = Field(min_length=1, max_length=500)


class AssignRole(Command):
    role_name: Literal["pending", "candidate", "hr", "admin"]


def _users(request: Request) -> UpstreamClient:
    return request.app.state.upstreams["users"]  # type: ignore[no-any-return]


async def call_users(
    request: Request,
    method: str,
    path: str,
    identity: Identity | None,
    *,
    query: dict[str, Any] | None = None,
    body: bytes | None = None,
    json_body: Any = None,
    conditional: bool = False,
) -> UpstreamResponse:
    headers = identity_headers(identity)
    if identity is None:
        headers.update(SYSTEM_HEADERS)
    if body is not None:
        headers["content-type"] = request.headers.get("content-type", "application/json")
    # A conditional write carries the client's `If-Match: <version>` (optimistic locking, 409 on a stale one).
    if conditional and "if-match" in request.headers:
        headers["if-match"] = request.headers["if-match"]
    clean = {k: v for k, v in (query or {}).items() if v is not None}
    return await _users(request).request(
        method, path, query=urlencode(clean, doseq=True), headers=headers, body=body, json_body=json_body
    )


def passthrough(upstream: UpstreamResponse, *, unwrap: bool = False, status: int | None = None) -> Response:
    """2xx: the body (its `data` when `unwrap`), with `status` if given; 4xx: the upstream's answer as is."""
    if upstream.status >= 400 or not (unwrap or status):
        return to_response(upstream)
    body = upstream.json()
    if unwrap and isinstance(body, dict) and "data" in body:
        body = body["data"]
    return JSONResponse(body, status_code=status or upstream.status)


def ok(upstream: UpstreamResponse) -> Any:
    """The 2xx body of a step that other steps depend on; a 4xx stops the operation with its status."""
    if upstream.status >= 400:
        body = upstream.json() if upstream.body else {}
        message = (body or {}).get("error") or (body or {}).get("message") or f"users answered {upstream.status}"
        # A DomainError of the upstream's own status and code, so the caller sees what users said.
        refused = type(
            "UpstreamRefused",
            (DomainError,),
            {"status": upstream.status, "code": (body or {}).get("code") or "SERVICE_ERROR"},
        )
        raise refused(str(message), details=body)
    return upstream.json()


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        value = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise Invalid("Body must be a JSON object") from exc
    if not isinstance(value, dict):
        raise Invalid("Body must be a JSON object")
    return value


def _seg(value: str) -> str:
    return encode_path("{v}", {"v": value})


# --- users / profile (§3.6) -------------------------------------------------------------------------


@router.get("/api/users/me", tags=["users"], summary="My profile")
async def get_me(request: Request, caller: Caller) -> Response:
    return passthrough(await call_users(request, "GET", f"/users/{_seg(caller.user_id)}", caller))


@router.put("/api/users/me", tags=["users"], summary="Update my profile")
async def update_me(request: Request, caller: Caller) -> Response:
    body = await request.body()
    path = f"/users/{_seg(caller.user_id)}"
    return passthrough(await call_users(request, "PUT", path, caller, body=body, conditional=True))


@router.post("/api/users/me/avatar", status_code=201, tags=["users"], summary="Upload my avatar (multipart file)")
async def upload_my_avatar(request: Request, caller: Caller) -> Response:
    # The users service checks type (by content) and size (413/415); the raw multipart body goes through.
    path = f"/users/{_seg(caller.user_id)}/avatar"
    return passthrough(await call_users(request, "POST", path, caller, body=await request.body()))


@router.delete("/api/users/me/avatar", status_code=204, tags=["users"], summary="Remove my avatar")
async def delete_my_avatar(request: Request, caller: Caller) -> Response:
    ok(await call_users(request, "DELETE", f"/users/{_seg(caller.user_id)}/avatar", caller))
    return Response(status_code=204)


@router.post("/api/users/me/select-role", status_code=201, tags=["users"], summary="Choose hr or candidate, once")
async def select_role(request: Request, caller: Caller, body: SelectRole) -> Response:
    # The users service enforces "once" first; Keycloak changes only after it agreed (⚠ fixed order).
    chosen = await call_users(
        request, "POST", f"/users/{_seg(caller.user_id)}/roles", caller, json_body={"role": body.role}
    )
    result = ok(chosen)
    subject = caller.subject or await _keycloak_id(request, caller.user_id)
    accounts = request.app.state.accounts
    await accounts.add_role(subject, body.role)
    try:
        await accounts.remove_role(subject, "pending")
    except DomainError as exc:
        log.info("select_role.pending_not_removed", error=exc.message)
    return JSONResponse(
        {"message": f"Role {body.role} assigned successfully", "role": body.role, **(result or {})}, status_code=201
    )


@router.put("/api/users/me/experience-level", tags=["users"], summary="Set my experience level")
async def experience_level(request: Request, caller: Caller) -> Response:
    path = f"/candidates/{_seg(caller.user_id)}/experience-level"
    return passthrough(await call_users(request, "PUT", path, caller, body=await request.body(), conditional=True))


@router.get("/api/users/me/permissions", tags=["users"], summary="My roles and permissions")
async def permissions(request: Request, caller: Caller) -> Response:
    response = await call_users(request, "GET", f"/users/{_seg(caller.user_id)}/permissions", caller)
    return passthrough(response, unwrap=True)


@router.get("/api/users/me/companies", tags=["users"], summary="Companies I belong to")
async def my_companies(request: Request, caller: Caller) -> Response:
    query = {"currentUserId": caller.user_id, "isAdmin": str(caller.has("admin")).lower()}
    response = await call_users(request, "GET", f"/users/{_seg(caller.user_id)}/companies", caller, query=query)
    return passthrough(response, unwrap=True)


@router.get("/api/me/skills", tags=["users"], summary="My skills and experience level")
async def my_skills(request: Request, caller: Caller) -> Response:
    query = {"currentUserId": caller.user_id}
    base = f"/candidates/{_seg(caller.user_id)}"
    skills, profile = await asyncio.gather(
        call_users(request, "GET", f"{base}/skills", caller, query=query),
        call_users(request, "GET", f"{base}/profile", caller, query=query),
    )
    groups = ok(skills)
    level = None
    if profile.status == 200:
        level = ((profile.json() or {}).get("data") or {}).get("experienceLevel")
    return JSONResponse({"experienceLevel": level, "skills": (groups or {}).get("data", groups)})


@router.post("/api/me/skills", status_code=201, tags=["users"], summary="Add a skill to my profile")
async def add_skill(request: Request, caller: Caller) -> Response:
    path = f"/candidates/{_seg(caller.user_id)}/skills"
    return passthrough(await call_users(request, "POST", path, caller, body=await request.body()))


@router.put("/api/me/skills/{skill_id}", tags=["users"], summary="Update one of my skills")
async def update_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    path = f"/candidates/{_seg(caller.user_id)}/skills/{_seg(skill_id)}"
    return passthrough(await call_users(request, "PUT", path, caller, body=await request.body()))


@router.delete("/api/me/skills/{skill_id}", tags=["users"], summary="Remove one of my skills")
async def remove_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    path = f"/candidates/{_seg(caller.user_id)}/skills/{_seg(skill_id)}"
    ok(await call_users(request, "DELETE", path, caller))
    return JSONResponse({"success": True, "message": "Skill removed successfully"})


@router.get("/api/skills", tags=["users"], summary="The active skills catalogue (to pick from)")
async def active_skills(request: Request, caller: Caller) -> Response:
    # Candidates add skills to their profile and HR searches by them: both pick from the active catalogue
    # (the reference's web read the admin route for it ⚠); inactive skills stay an admin concern.
    query = {k: v for k, v in request.query_params.items() if k in ("page", "limit", "search", "categoryId")}
    query["isActive"] = "true"
    return passthrough(await call_users(request, "GET", "/skills", caller, query=query))


@router.get("/api/skills/categories", tags=["users"], summary="Skill categories")
async def skill_categories(request: Request, caller: Caller) -> Response:
    return passthrough(await call_users(request, "GET", "/skills/categories", caller), unwrap=True)


# --- HR (§3.7) --------------------------------------------------------------------------------------


@router.get("/api/hr/candidates/search", tags=["hr"], summary="Search candidates by skills")
async def search_candidates(request: Request, caller: Caller) -> Response:
    users = _users(request)
    headers = identity_headers(caller)
    return passthrough(await users.request("GET", "/candidates/search", query=request.url.query, headers=headers))


@router.post("/api/hr/companies", status_code=201, tags=["hr"], summary="Create a company")
async def create_company(request: Request, caller: Caller) -> Response:
    body = {**await json_object(request), "createdBy": caller.user_id}
    return passthrough(await call_users(request, "POST", "/companies", caller, json_body=body), unwrap=True, status=201)


@router.get("/api/hr/companies", tags=["hr"], summary="My companies")
async def list_companies(request: Request, caller: Caller) -> Response:
    query = dict(request.query_params)
    query.update({"currentUserId": caller.user_id, "isAdmin": str(caller.has("admin")).lower()})
    if not caller.has("admin"):
        query["createdBy"] = caller.user_id
    return passthrough(await call_users(request, "GET", "/companies", caller, query=query))


@router.get("/api/hr/companies/{company_id}", tags=["hr"], summary="A company")
async def get_company(request: Request, caller: Caller, company_id: str) -> Response:
    response = await call_users(
        request, "GET", f"/companies/{_seg(company_id)}", caller, query={"userId": caller.user_id}
    )
    return passthrough(response, unwrap=True)


@router.put("/api/hr/companies/{company_id}", tags=["hr"], summary="Update a company (its creator)")
async def update_company(request: Request, caller: Caller, company_id: str) -> Response:
    body = {**await json_object(request), "updatedBy": caller.user_id}
    return passthrough(await call_users(request, "PUT", f"/companies/{_seg(company_id)}", caller, json_body=body))


@router.delete("/api/hr/companies/{company_id}", tags=["hr"], summary="Delete a company (its creator)")
async def delete_company(request: Request, caller: Caller, company_id: str) -> Response:
    ok(await call_users(request, "DELETE", f"/companies/{_seg(company_id)}", caller, query={"userId": caller.user_id}))
    return JSONResponse({"success": True, "message": "Company deleted successfully"})


# --- admin (§3.8): ids are Keycloak ids -------------------------------------------------------------


async def _keycloak_id(request: Request, user_id: str) -> str:
    body = ok(await call_users(request, "GET", f"/users/{_seg(user_id)}", None))
    return str(body["externalAuthId"])


async def _internal_user(request: Request, keycloak_id: str) -> dict[str, Any] | None:
    response = await call_users(request, "GET", f"/users/by-external-auth/{_seg(keycloak_id)}", None)
    if response.status == 404:
        return None
    return ok(response)  # type: ignore[no-any-return]


@router.post("/api/admin/users", status_code=201, tags=["admin"], summary="Create a user (Keycloak + users)")
async def admin_create_user(request: Request, caller: Caller, body: AdminCreateUser) -> Response:
    accounts = request.app.state.accounts
    keycloak_id = await accounts.create_user(
        email=body.email,
        username=body.username or body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        password=body.password or secrets.token_urlsafe(24),
    )
    user_id = str(uuid.uuid4())
    try:
        if body.role:
            await accounts.add_role(keycloak_id, body.role)
        ok(
            await call_users(
                request,
                "POST",
                "/users",
                caller,
                json_body={
                    "userId": user_id,
                    "externalAuthId": keycloak_id,
                    "email": body.email,
                    "firstName": body.first_name,
                    "lastName": body.last_name,
                },
            )
        )
        if body.role and body.role != "pending":
            ok(await call_users(request, "POST", f"/users/{user_id}/roles", caller, json_body={"role": body.role}))
    except Exception:
        # Compensation: the Keycloak account must not outlive a failed creation.
        await accounts.delete_user(keycloak_id)
        raise
    return JSONResponse(
        {"success": True, "data": {"userId": user_id, "keycloakId": keycloak_id, "email": body.email}}, 201
    )


@router.get("/api/admin/users", tags=["admin"], summary="List users (Keycloak) with their last login")
async def admin_list_users(
    request: Request, caller: Caller, search: str | None = None, max: int = 100, first: int = 0
) -> Response:
    if not 1 <= max <= 1000 or first < 0:
        raise Invalid("max must be 1..1000 and first ≥ 0")
    accounts = await request.app.state.accounts.list_users(search=search, first=first, max_=max)

    async def last_login(account: dict[str, Any]) -> dict[str, Any]:
        try:
            user = await _internal_user(request, str(account["id"]))
        except DomainError:
            user = None
        return {**account, "lastLoginAt": (user or {}).get("lastLoginAt")}

    data = await asyncio.gather(*(last_login(a) for a in accounts))
    return JSONResponse({"success": True, "data": list(data), "count": len(data)})


@router.get("/api/admin/users/stats", tags=["admin"], summary="User statistics")
async def admin_stats(request: Request, caller: Caller) -> Response:
    return passthrough(await call_users(request, "GET", "/users/stats", caller))


@router.get("/api/admin/users/{user_id}", tags=["admin"], summary="A user (Keycloak)")
async def admin_get_user(request: Request, caller: Caller, user_id: str) -> Response:
    return JSONResponse({"success": True, "data": await request.app.state.accounts.get_user(user_id)})


@router.put("/api/admin/users/{user_id}", tags=["admin"], summary="Update a user's names")
async def admin_update_user(request: Request, caller: Caller, user_id: str, body: AdminUpdateUser) -> Response:
    accounts = request.app.state.accounts
    before = await accounts.get_user(user_id)
    names = {k: v for k, v in {"firstName": body.first_name, "lastName": body.last_name}.items() if v is not None}
    await accounts.update_user(user_id, names)
    try:
        user = await _internal_user(request, user_id)
        if user is not None and names:
            ok(await call_users(request, "PUT", f"/users/{_seg(user['id'])}", caller, json_body=names))
    except Exception:
        await accounts.update_user(user_id, {k: before.get(k) for k in names})
        raise
    return JSONResponse({"success": True, "message": "User updated successfully"})


@router.delete("/api/admin/users/{user_id}", tags=["admin"], summary="Delete a user")
async def admin_delete_user(request: Request, caller: Caller, user_id: str) -> Response:
    user = await _internal_user(request, user_id)
    if user is not None:
        ok(await call_users(request, "DELETE", f"/users/{_seg(user['id'])}", caller))
    await request.app.state.accounts.delete_user(user_id)
    request.app.state.saga.forget(user_id)
    return JSONResponse({"success": True, "message": "User deleted successfully"})


@router.post("/api/admin/users/{user_id}/suspend", status_code=201, tags=["admin"], summary="Suspend a user")
async def admin_suspend(request: Request, caller: Caller, user_id: str, body: SuspendBody) -> Response:
    accounts = request.app.state.accounts
    await accounts.disable(user_id)
    try:
        user = await _internal_user(request, user_id)
        if user is not None:
            path = f"/users/{_seg(user['id'])}/suspend"
            user = ok(await call_users(request, "POST", path, caller, json_body={"reason": body.reason}))
    except Exception:
        await accounts.enable(user_id)
        raise
    return JSONResponse({"success": True, "message": "User suspended", "user": user}, 201)


@router.post("/api/admin/users/{user_id}/activate", status_code=201, tags=["admin"], summary="Activate a user")
async def admin_activate(request: Request, caller: Caller, user_id: str) -> Response:
    accounts = request.app.state.accounts
    await accounts.enable(user_id)
    try:
        user = await _internal_user(request, user_id)
        if user is not None:
            user = ok(await call_users(request, "POST", f"/users/{_seg(user['id'])}/activate", caller))
    except Exception:
        await accounts.disable(user_id)
        raise
    return JSONResponse({"success": True, "message": "User activated", "user": user}, 201)


@router.post("/api/admin/users/{user_id}/verify-email", status_code=201, tags=["admin"], summary="Mark e-mail verified")
async def admin_verify_email(request: Request, caller: Caller, user_id: str) -> Response:
    await request.app.state.accounts.update_user(user_id, {"emailVerified": True})
    return JSONResponse({"success": True, "message": "Email verified"}, 201)


@router.get("/api/admin/roles", tags=["admin"], summary="Realm roles")
async def admin_roles(request: Request, caller: Caller) -> Response:
    return JSONResponse({"success": True, "data": await request.app.state.accounts.realm_roles()})


@router.get("/api/admin/users/{user_id}/roles", tags=["admin"], summary="A user's realm roles")
async def admin_user_roles(request: Request, caller: Caller, user_id: str) -> Response:
    return JSONResponse({"success": True, "data": await request.app.state.accounts.user_roles(user_id)})


@router.post("/api/admin/users/{user_id}/roles", status_code=201, tags=["admin"], summary="Assign a role")
async def admin_assign_role(request: Request, caller: Caller, user_id: str, body: AssignRole) -> Response:
    accounts = request.app.state.accounts
    await accounts.add_role(user_id, body.role_name)
    try:
        user = await _internal_user(request, user_id)
        if user is not None and body.role_name != "pending":
            path = f"/users/{_seg(user['id'])}/roles"
            ok(await call_users(request, "POST", path, caller, json_body={"role": body.role_name}))
    except Exception:
        await accounts.remove_role(user_id, body.role_name)
        raise
    return JSONResponse({"success": True, "message": f"Role {body.role_name} assigned successfully"}, 201)


@router.delete("/api/admin/users/{user_id}/roles/{role_name}", tags=["admin"], summary="Remove a realm role")
async def admin_remove_role(request: Request, caller: Caller, user_id: str, role_name: str) -> Response:
    if role_name not in ("pending", "candidate", "hr", "admin"):
        raise NotFound(f"Unknown role {role_name!r}")
    await request.app.state.accounts.remove_role(user_id, role_name)
    return JSONResponse({"success": True, "message": f"Role {role_name} removed successfully"})


@router.post("/api/admin/skills", status_code=201, tags=["admin"], summary="Create a skill")
async def admin_create_skill(request: Request, caller: Caller) -> Response:
    body = {**await json_object(request), "adminId": caller.user_id}
    return passthrough(await call_users(request, "POST", "/skills", caller, json_body=body), unwrap=True, status=201)


@router.get("/api/admin/skills", tags=["admin"], summary="List skills")
async def admin_list_skills(request: Request, caller: Caller) -> Response:
    users = _users(request)
    return passthrough(await users.request("GET", "/skills", query=request.url.query, headers=identity_headers(caller)))


@router.get("/api/admin/skills/{skill_id}", tags=["admin"], summary="A skill")
async def admin_get_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    return passthrough(await call_users(request, "GET", f"/skills/{_seg(skill_id)}", caller), unwrap=True)


@router.put("/api/admin/skills/{skill_id}", tags=["admin"], summary="Update a skill")
async def admin_update_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    body = {**await json_object(request), "adminId": caller.user_id}
    return passthrough(await call_users(request, "PUT", f"/skills/{_seg(skill_id)}", caller, json_body=body))


@router.delete("/api/admin/skills/{skill_id}", tags=["admin"], summary="Delete a skill")
async def admin_delete_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    path = f"/skills/{_seg(skill_id)}"
    ok(await call_users(request, "DELETE", path, caller, query={"adminId": caller.user_id}))
    return JSONResponse({"success": True, "message": "Skill deleted successfully"})


@router.post("/api/admin/skills/{skill_id}/toggle", status_code=201, tags=["admin"], summary="Toggle a skill")
async def admin_toggle_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    skill = ok(await call_users(request, "GET", f"/skills/{_seg(skill_id)}", caller))
    action = "deactivate" if (skill.get("data") or skill).get("isActive") else "activate"
    path = f"/skills/{_seg(skill_id)}/{action}"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, unwrap=True, status=201)


@router.post("/api/admin/skills/{skill_id}/activate", status_code=201, tags=["admin"], summary="Activate a skill")
async def admin_activate_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    path = f"/skills/{_seg(skill_id)}/activate"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, status=201)


@router.post("/api/admin/skills/{skill_id}/deactivate", status_code=201, tags=["admin"], summary="Deactivate a skill")
async def admin_deactivate_skill(request: Request, caller: Caller, skill_id: str) -> Response:
    path = f"/skills/{_seg(skill_id)}/deactivate"
    response = await call_users(request, "POST", path, caller, query={"adminId": caller.user_id})
    return passthrough(response, status=201)

"""The signed-in user's own profile and skills, and the skills catalogue they pick from: `me` becomes the
caller's internal user id on the users service's routes. Role selection also changes Keycloak, after the
users service agreed."""

from __future__ import annotations

import asyncio
import uuid

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gateway.docs import relayed
from gateway.identity import Caller, authorize
from gateway.relay import call_users, keycloak_id, ok, passthrough, segment
from gateway.revocation import end_user_sessions
from gateway.schemas import Message, MySkills, RoleChosen, SelectRole
from kit.errors import DomainError

log = structlog.get_logger("gateway.me_api")

router = APIRouter(tags=["users"], dependencies=[Depends(authorize)])


@router.get("/api/users/me", summary="My profile", openapi_extra=relayed("GET", "/users/{userId}"))
async def get_me(*, request: Request, caller: Caller) -> Response:
    """My profile."""
    return passthrough(await call_users(request, "GET", f"/users/{segment(caller.user_id)}", caller))


@router.put("/api/users/me", summary="Update my profile", openapi_extra=relayed("PUT", "/users/{userId}"))
async def update_me(*, request: Request, caller: Caller) -> Response:
    """Update my profile; `If-Match: <version>` makes it conditional."""
    body = await request.body()
    path = f"/users/{segment(caller.user_id)}"
    return passthrough(await call_users(request, "PUT", path, caller, body=body, conditional=True))


@router.post(
    "/api/users/me/avatar",
    status_code=201,
    summary="Upload my avatar (multipart file)",
    openapi_extra=relayed("POST", "/users/{userId}/avatar"),
)
async def upload_my_avatar(*, request: Request, caller: Caller) -> Response:
    """Upload my avatar."""
    # The users service checks type (by content) and size (413/415); the raw multipart body goes through.
    path = f"/users/{segment(caller.user_id)}/avatar"
    return passthrough(await call_users(request, "POST", path, caller, body=await request.body()))


@router.delete("/api/users/me/avatar", status_code=204, response_class=Response, summary="Remove my avatar")
async def delete_my_avatar(*, request: Request, caller: Caller) -> Response:
    """Remove my avatar."""
    ok(await call_users(request, "DELETE", f"/users/{segment(caller.user_id)}/avatar", caller))
    return Response(status_code=204)


@router.post(
    "/api/users/me/select-role",
    status_code=201,
    response_model=RoleChosen,
    summary="Choose hr or candidate, once",
    responses={202: {"model": RoleChosen, "description": "hr was requested: an administrator must approve it"}},
)
async def select_role(body: SelectRole, *, request: Request, response: Response, caller: Caller) -> RoleChosen:
    """Choose candidate, once; hr is immediate only with a verified company e-mail, otherwise it waits (202)
    for an administrator's approval."""
    command: dict[str, str] = {"role": body.role}
    # The users service decides who may take hr; the gateway vouches for the address only when Keycloak
    # verified it (a claim of the signed token, never a client's word).
    if caller.email and caller.claims.get("email_verified") is True:
        command["verifiedEmail"] = caller.email
    # The users service enforces "once" first, so Keycloak changes only after it agreed.
    chosen = await call_users(request, "POST", f"/users/{segment(caller.user_id)}/roles", caller, json_body=command)
    result = ok(chosen)
    if chosen.status == 202:
        # A request, not a role: Keycloak keeps the user pending until an administrator grants hr.
        response.status_code = 202
        return RoleChosen(message=result["message"], role=result["role"])
    subject = caller.subject or await keycloak_id(request, caller.user_id)
    accounts = request.app.state.accounts
    await accounts.add_role(subject, body.role)
    try:
        await accounts.remove_role(subject, "pending")
    except DomainError as exc:
        log.info("select_role.pending_not_removed", error=exc.message)
    return RoleChosen.model_validate(
        {"message": f"Role {body.role} assigned successfully", "role": body.role, **(result or {})}
    )


@router.post(
    "/api/users/me/verify-email",
    status_code=202,
    response_model=Message,
    summary="Send me the e-mail that confirms my address",
)
async def send_verify_email(*, request: Request, caller: Caller) -> Message:
    """Keycloak e-mails a link that verifies the caller's address (an invitation sent to it can then be claimed)."""
    if caller.claims.get("email_verified") is True:
        return Message(message="Your e-mail address is already confirmed")
    subject = caller.subject or await keycloak_id(request, caller.user_id)
    await request.app.state.accounts.send_verify_email(subject)
    return Message(message="We sent you an e-mail: open its link to confirm your address")


@router.put(
    "/api/users/me/experience-level",
    summary="Set my experience level",
    openapi_extra=relayed("PUT", "/candidates/{userId}/experience-level"),
)
async def experience_level(*, request: Request, caller: Caller) -> Response:
    """Set my experience level."""
    path = f"/candidates/{segment(caller.user_id)}/experience-level"
    return passthrough(await call_users(request, "PUT", path, caller, body=await request.body(), conditional=True))


@router.get(
    "/api/users/me/permissions",
    summary="My roles and permissions",
    openapi_extra=relayed("GET", "/users/{userId}/permissions", unwrap=True),
)
async def permissions(*, request: Request, caller: Caller) -> Response:
    """My roles and permissions."""
    response = await call_users(request, "GET", f"/users/{segment(caller.user_id)}/permissions", caller)
    return passthrough(response, unwrap=True)


@router.get(
    "/api/users/me/companies",
    summary="Companies I belong to",
    openapi_extra=relayed("GET", "/users/{userId}/companies", unwrap=True),
)
async def my_companies(*, request: Request, caller: Caller) -> Response:
    """Companies I belong to."""
    query = {"currentUserId": caller.user_id, "isAdmin": str(caller.has("admin")).lower()}
    path = f"/users/{segment(caller.user_id)}/companies"
    return passthrough(await call_users(request, "GET", path, caller, query=query), unwrap=True)


@router.get("/api/me/skills", response_model=MySkills, summary="My skills and experience level")
async def my_skills(*, request: Request, caller: Caller) -> Response:
    """My skills, grouped by category, and my experience level."""
    query = {"currentUserId": caller.user_id}
    base = f"/candidates/{segment(caller.user_id)}"
    skills, profile = await asyncio.gather(
        call_users(request, "GET", f"{base}/skills", caller, query=query),
        call_users(request, "GET", f"{base}/profile", caller, query=query),
    )
    groups = ok(skills)
    level = None
    if profile.status == 200:
        level = ((profile.json() or {}).get("data") or {}).get("experienceLevel")
    return JSONResponse({"experienceLevel": level, "skills": (groups or {}).get("data", groups)})


@router.post(
    "/api/me/skills",
    status_code=201,
    summary="Add a skill to my profile",
    openapi_extra=relayed("POST", "/candidates/{userId}/skills"),
)
async def add_skill(*, request: Request, caller: Caller) -> Response:
    """Add a skill to my profile."""
    path = f"/candidates/{segment(caller.user_id)}/skills"
    return passthrough(await call_users(request, "POST", path, caller, body=await request.body()))


@router.put(
    "/api/me/skills/{skill_id}",
    summary="Update one of my skills",
    openapi_extra=relayed("PUT", "/candidates/{userId}/skills/{skillId}"),
)
async def update_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Update one of my skills."""
    path = f"/candidates/{segment(caller.user_id)}/skills/{segment(skill_id)}"
    return passthrough(await call_users(request, "PUT", path, caller, body=await request.body()))


@router.delete("/api/me/skills/{skill_id}", response_model=Message, summary="Remove one of my skills")
async def remove_skill(skill_id: uuid.UUID, *, request: Request, caller: Caller) -> Message:
    """Remove one of my skills."""
    path = f"/candidates/{segment(caller.user_id)}/skills/{segment(skill_id)}"
    ok(await call_users(request, "DELETE", path, caller))
    return Message(message="Skill removed successfully")


CATALOGUE_QUERY = ("page", "limit", "search", "categoryId")


@router.get(
    "/api/skills",
    summary="The active skills catalogue (to pick from)",
    openapi_extra=relayed("GET", "/skills", query=CATALOGUE_QUERY),
)
async def active_skills(*, request: Request, caller: Caller) -> Response:
    """The active skills catalogue."""
    # Candidates add skills to their profile and HR searches by them: both pick from the active catalogue
    # (the reference's web app read the admin route for it); inactive skills stay an admin concern.
    query = {k: v for k, v in request.query_params.items() if k in CATALOGUE_QUERY}
    query["isActive"] = "true"
    return passthrough(await call_users(request, "GET", "/skills", caller, query=query))


@router.get(
    "/api/skills/categories",
    summary="Skill categories",
    openapi_extra=relayed("GET", "/skills/categories", unwrap=True),
)
async def skill_categories(*, request: Request, caller: Caller) -> Response:
    """Skill categories."""
    return passthrough(await call_users(request, "GET", "/skills/categories", caller), unwrap=True)


# -- privacy: a person's erasure --------------------------------------------------------------------------


@router.post(
    "/api/users/me/erasure",
    status_code=202,
    summary="Erase my account and everything held about me",
    openapi_extra=relayed("POST", "/users/{userId}/erasure", unwrap=True),
)
async def request_erasure(*, request: Request, caller: Caller) -> Response:
    """Erase my account (confirmed with its address, `confirmEmail`); every service then erases what it holds
    about me and the report's signed link is mailed once all have reported. Signs me out everywhere."""
    # Asked before the users service forgets the account, which is what maps it to the Keycloak one.
    subject = caller.subject or await keycloak_id(request, caller.user_id)
    path = f"/users/{segment(caller.user_id)}/erasure"
    erased = await call_users(request, "POST", path, caller, body=await request.body())
    if erased.status >= 400:
        return passthrough(erased)
    await request.app.state.accounts.delete_user(subject)
    request.app.state.saga.forget(subject)
    await end_user_sessions(request, subject)
    return passthrough(erased, unwrap=True, status=202)


@router.get(
    "/api/privacy/erasure-reports/{erasure_id}",
    summary="What was erased for an erasure request (its signed link)",
    openapi_extra=relayed("GET", "/erasure-reports/{erasureId}", query=("token",), unwrap=True),
)
async def erasure_report(erasure_id: uuid.UUID, *, request: Request) -> Response:
    """The erasure report, counts per service, for the holder of its signed link (the account is gone)."""
    query = {"token": request.query_params.get("token", "")}
    path = f"/erasure-reports/{segment(erasure_id)}"
    return passthrough(await call_users(request, "GET", path, None, query=query), unwrap=True)

"""The signed-in user's own profile and skills, and the skills catalogue they pick from: `me` becomes the
caller's internal user id on the users service's routes. Role selection also changes Keycloak, after the
users service agreed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from html import escape
from typing import Any, Literal

import structlog
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from multidict import CIMultiDict

from gateway.auth_api import TooManyRequests
from gateway.docs import relayed
from gateway.identity import Caller, GatedRouter
from gateway.relay import call_users, keycloak_id, ok, passthrough, segment
from gateway.revocation import end_user_sessions
from gateway.saga import SYSTEM_HEADERS
from gateway.schemas import Message, MySkills, RoleChosen, SelectRole
from kit.errors import DomainError, ServiceUnavailable

log = structlog.get_logger("gateway.me_api")

router = GatedRouter(tags=["users"])


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


# -- privacy: a person's data export ---------------------------------------------------------------------

# Each service that holds something about a person answers its internal `/internal/subjects/{userId}`.
EXPORT_SOURCES = ("users", "interviews", "media", "analysis", "notifications", "billing")
# Six services are read per export: a few a day is what a person needs; more is someone scraping.
EXPORT_LIMIT = parse("5/hour")


class ExportIncomplete(ServiceUnavailable):
    code = "EXPORT_INCOMPLETE"


async def _section(request: Request, name: str, user_id: str) -> tuple[str, Any]:
    upstream = request.app.state.upstreams[name]
    try:
        response = await upstream.request(
            "GET", f"/internal/subjects/{segment(user_id)}", headers=CIMultiDict(SYSTEM_HEADERS)
        )
    except DomainError as exc:
        log.warning("data_export.source_failed", source=name, error=exc.message)
        return name, None
    if response.status != 200:
        log.warning("data_export.source_refused", source=name, status=response.status)
        return name, None
    return name, response.json()


def _html(value: Any) -> str:
    """A nested export as nested lists: readable, printable, and every value escaped."""
    if isinstance(value, dict):
        rows = "".join(f"<dt>{escape(str(k))}</dt><dd>{_html(v)}</dd>" for k, v in value.items())
        return f"<dl>{rows}</dl>" if rows else "<p>(none)</p>"
    if isinstance(value, list):
        items = "".join(f"<li>{_html(v)}</li>" for v in value)
        return f"<ol>{items}</ol>" if items else "<p>(none)</p>"
    if value is None:
        return "(none)"
    text = escape(str(value))
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return f'<a href="{text}">Download (the link works for a few minutes)</a>'
    return text


EXPORT_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
    "dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}"
)


@router.get(
    "/api/users/me/data-export",
    summary="Everything the platform holds about me, as JSON or a readable page",
    responses={
        429: {"description": "Too many exports; retry after `Retry-After` seconds"},
        503: {"description": "A service did not answer: the export would be incomplete, so none is given"},
    },
)
async def data_export(*, request: Request, caller: Caller, format: Literal["json", "html"] = "json") -> Response:
    """My data from every service in one file (`format=html`: a readable page of the same); refused whole with
    a 503 when any service does not answer, never given incomplete."""
    limiter: MovingWindowRateLimiter = request.app.state.limiter
    if not await limiter.hit(EXPORT_LIMIT, "data-export", caller.user_id):
        stats = await limiter.get_window_stats(EXPORT_LIMIT, "data-export", caller.user_id)
        retry = max(1, int(stats.reset_time - datetime.now(UTC).timestamp()))
        raise TooManyRequests(
            "You asked for your data several times in the last hour; try again later",
            headers={"Retry-After": str(retry)},
        )
    sections = dict(await asyncio.gather(*(_section(request, name, caller.user_id) for name in EXPORT_SOURCES)))
    missing = sorted(name for name, section in sections.items() if section is None)
    if missing:
        raise ExportIncomplete(
            "Part of your data could not be collected just now, so no export was made; try again in a few minutes",
            details=[{"field": "source", "message": f"{name} did not answer"} for name in missing],
            headers={"Retry-After": "60"},
        )
    exported_at = datetime.now(UTC).isoformat()
    if format == "html":
        body = "".join(f"<h2>{escape(name)}</h2>{_html(sections[name])}" for name in EXPORT_SOURCES)
        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your data</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{EXPORT_STYLE}</style>'
            f"</head><body><main><h1>Everything we hold about you</h1><p>Exported {escape(exported_at)}.</p>"
            f"{body}</main></body></html>"
        )
        return HTMLResponse(page, headers={"cache-control": "no-store"})
    return JSONResponse(
        {"exportedAt": exported_at, "userId": caller.user_id, **sections},
        headers={
            "cache-control": "no-store",
            "content-disposition": 'attachment; filename="my-data.json"',
        },
    )

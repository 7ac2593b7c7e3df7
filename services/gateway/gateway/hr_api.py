"""HR's candidate search and companies on the users service, with the caller as creator or editor."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from gateway.docs import relayed
from gateway.identity import Caller, GatedRouter
from gateway.proxy import at_gateway, identity_headers
from gateway.relay import call_users, json_object, ok, passthrough, segment, users
from gateway.schemas import Message

router = GatedRouter(tags=["hr"])


@router.get(
    "/api/hr/candidates/search",
    summary="Search candidates by skills",
    openapi_extra=relayed("GET", "/candidates/search"),
)
async def search_candidates(*, request: Request, caller: Caller) -> Response:
    """Search candidates by skills."""
    # Besides those who opted in, search finds the candidates who applied to the caller's company: the
    # company is resolved from membership, never taken from the client.
    headers = identity_headers(caller, await request.app.state.companies(caller))
    response = await users(request).request("GET", "/candidates/search", query=request.url.query, headers=headers)
    return passthrough(at_gateway(response, request))


@router.post(
    "/api/hr/companies",
    status_code=201,
    summary="Create a company",
    openapi_extra=relayed("POST", "/companies", unwrap=True),
)
async def create_company(*, request: Request, caller: Caller) -> Response:
    """Create a company, created by the caller."""
    body = {**await json_object(request), "createdBy": caller.user_id}
    response = await call_users(request, "POST", "/companies", caller, json_body=body)
    request.app.state.companies.forget(caller.user_id)
    return passthrough(response, unwrap=True, status=201)


@router.get("/api/hr/companies", summary="My companies", openapi_extra=relayed("GET", "/companies"))
async def list_companies(*, request: Request, caller: Caller) -> Response:
    """My companies (every company for an admin)."""
    query = dict(request.query_params)
    query.update({"currentUserId": caller.user_id, "isAdmin": str(caller.has("admin")).lower()})
    if not caller.has("admin"):
        query["createdBy"] = caller.user_id
    return passthrough(await call_users(request, "GET", "/companies", caller, query=query))


@router.get(
    "/api/hr/companies/{company_id}", summary="A company", openapi_extra=relayed("GET", "/companies/{id}", unwrap=True)
)
async def get_company(company_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """A company."""
    path = f"/companies/{segment(company_id)}"
    return passthrough(await call_users(request, "GET", path, caller, query={"userId": caller.user_id}), unwrap=True)


@router.put(
    "/api/hr/companies/{company_id}",
    summary="Update a company (its creator)",
    openapi_extra=relayed("PUT", "/companies/{id}"),
)
async def update_company(company_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Update a company (its creator)."""
    body = {**await json_object(request), "updatedBy": caller.user_id}
    path = f"/companies/{segment(company_id)}"
    return passthrough(await call_users(request, "PUT", path, caller, json_body=body))


@router.delete("/api/hr/companies/{company_id}", response_model=Message, summary="Delete a company (its creator)")
async def delete_company(company_id: uuid.UUID, *, request: Request, caller: Caller) -> Message:
    """Delete a company (its creator)."""
    path = f"/companies/{segment(company_id)}"
    ok(await call_users(request, "DELETE", path, caller, query={"userId": caller.user_id}))
    request.app.state.companies.forget(caller.user_id)
    return Message(message="Company deleted successfully")


# A company's hiring team: the users service checks that the caller is its creator (changes) or a member (reads).


@router.get(
    "/api/hr/companies/{company_id}/members",
    summary="A company's hiring team",
    openapi_extra=relayed("GET", "/companies/{id}/members", unwrap=True),
)
async def list_members(company_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """A company's hiring team (its members and admins)."""
    path = f"/companies/{segment(company_id)}/members"
    return passthrough(await call_users(request, "GET", path, caller), unwrap=True)


@router.post(
    "/api/hr/companies/{company_id}/members",
    status_code=201,
    summary="Add an HR user to the team by e-mail (its creator)",
    openapi_extra=relayed("POST", "/companies/{id}/members", unwrap=True),
)
async def add_member(company_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Add an existing HR user, named by e-mail, to the company's team (a seat of its plan)."""
    path = f"/companies/{segment(company_id)}/members"
    response = await call_users(request, "POST", path, caller, json_body=await json_object(request))
    data = response.json().get("data") if response.status < 300 else None
    if isinstance(data, dict) and data.get("userId"):
        # The new member's company is resolved afresh on their next request.
        request.app.state.companies.forget(str(data["userId"]))
    return passthrough(response, unwrap=True, status=201)


@router.delete(
    "/api/hr/companies/{company_id}/members/{user_id}",
    status_code=204,
    summary="Remove a member from the team (its creator), or leave it",
)
async def remove_member(company_id: uuid.UUID, user_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """Remove a member (the creator), or leave the team yourself."""
    path = f"/companies/{segment(company_id)}/members/{segment(user_id)}"
    response = await call_users(request, "DELETE", path, caller)
    if response.status < 300:
        request.app.state.companies.forget(str(user_id))
        return Response(status_code=204)
    return passthrough(response)

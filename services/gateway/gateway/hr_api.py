"""HR's candidate search and companies on the users service, with the caller as creator or editor."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, Response

from gateway.docs import relayed
from gateway.identity import Caller, authorize
from gateway.proxy import at_gateway, identity_headers
from gateway.relay import call_users, json_object, ok, passthrough, segment, users
from gateway.schemas import Message

router = APIRouter(tags=["hr"], dependencies=[Depends(authorize)])


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
    return passthrough(at_gateway(response, request.url.path))


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

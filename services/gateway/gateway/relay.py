"""Calls to the users service for the hand-written routes: the caller's identity as x-user-* headers (the
gateway's own system identity when it acts for nobody), the client's `If-Match` on conditional writes,
and the users service's refusals passed on with their own status and code."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from gateway.identity import Identity
from gateway.proxy import at_gateway, encode_path, identity_headers, to_response
from gateway.saga import SYSTEM_HEADERS
from gateway.upstream import UpstreamClient, UpstreamResponse
from kit.errors import DomainError, Invalid


class UpstreamRefusal(DomainError):
    """A 4xx of the users service that stops a multi-step operation, answered with the users service's
    own status and code so the client sees what users said."""

    def __init__(self, message: str, *, status: int, code: str, details: Any = None) -> None:
        super().__init__(message, details=details)
        # Every other error declares status and code on its class; this one carries the upstream's per
        # instance, and an instance attribute shadows the class's for the error handler that reads it.
        self.__dict__.update(status=status, code=code)


def users(request: Request) -> UpstreamClient:
    return request.app.state.upstreams["users"]  # type: ignore[no-any-return]


def segment(value: object) -> str:
    """One path segment, percent-encoded."""
    return encode_path("{v}", {"v": value})


async def call_users(
    request: Request,
    method: str,
    path: str,
    caller: Identity | None,
    *,
    query: dict[str, Any] | None = None,
    body: bytes | None = None,
    json_body: Any = None,
    conditional: bool = False,
) -> UpstreamResponse:
    """`caller` None: the gateway acts for nobody (a lookup by Keycloak id) with its system identity."""
    headers = identity_headers(caller)
    if caller is None:
        headers.update(SYSTEM_HEADERS)
    if body is not None:
        headers["content-type"] = request.headers.get("content-type", "application/json")
    # A conditional write carries the client's `If-Match: <version>` (optimistic locking, 409 on a stale one).
    if conditional and "if-match" in request.headers:
        headers["if-match"] = request.headers["if-match"]
    clean = urlencode({k: v for k, v in query.items() if v is not None}, doseq=True) if query else ""
    response = await users(request).request(method, path, query=clean, headers=headers, body=body, json_body=json_body)
    return at_gateway(response, request)


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
        body = (upstream.json() if upstream.body else None) or {}
        message = body.get("error") or body.get("message") or f"users answered {upstream.status}"
        # The refusal is the gateway's envelope: the users service's field details go on, its own path does not.
        raise UpstreamRefusal(
            str(message), status=upstream.status, code=body.get("code") or "SERVICE_ERROR", details=body.get("details")
        )
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


async def keycloak_id(request: Request, user_id: str) -> str:
    body = ok(await call_users(request, "GET", f"/users/{segment(user_id)}", None))
    return str(body["externalAuthId"])


async def user_of_account(request: Request, account_id: str) -> dict[str, Any] | None:
    """The users-service user of a Keycloak account, None when it has none (it never signed in)."""
    response = await call_users(request, "GET", f"/users/by-external-auth/{segment(account_id)}", None)
    if response.status == 404:
        return None
    return ok(response)  # type: ignore[no-any-return]

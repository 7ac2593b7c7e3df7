"""The pass-through route table: each gateway route forwards the raw
request body and query string to one upstream path, with the caller's identity as x-user-* headers and
the client's own identity headers stripped."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from multidict import CIMultiDict
from starlette.types import Receive, Scope, Send

from gateway import audit
from gateway.identity import GatedRouter, Identity
from gateway.upstream import UpstreamClient, UpstreamResponse, UpstreamStream
from kit.errors import Invalid, NotFound

# Never forwarded from the client: identity and trust headers are the gateway's to set, credentials
# stay at the edge, and hop-by-hop/length headers are recomputed.
STRIPPED_REQUEST = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "upgrade",
        "proxy-authorization",
        "authorization",
        "cookie",
        "x-internal-token",
        "x-user-id",
        "x-user-role",
        "x-user-roles",
        "x-company-id",
        "x-user-verified-email",
        "x-client-ip",
        "x-correlation-id",
        "x-request-id",
        "traceparent",
        "tracestate",
        "accept-encoding",
    }
)
STRIPPED_RESPONSE = frozenset(
    {
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "x-correlation-id",
        "date",
        "server",
    }
)
PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Forward:
    method: str
    path: str
    upstream: str
    target: str
    summary: str
    # The route acts for the caller's company (billing) or must know it to check the caller's right to a
    # company's resource (webhooks): x-company-id, resolved from membership, never taken from the client.
    company: bool = False
    stream: bool = False


TABLE: list[Forward] = [
    # interviews: same path on the interviews service. Creating a template or an invitation uses a slot of the
    # caller's billed account, so those carry the company resolved from membership.
    Forward("POST", "/api/templates", "interviews", "/api/templates", "Create a template", company=True),
    Forward("GET", "/api/templates", "interviews", "/api/templates", "List templates"),
    Forward("GET", "/api/templates/{template_id}", "interviews", "/api/templates/{template_id}", "Get a template"),
    Forward("PUT", "/api/templates/{template_id}", "interviews", "/api/templates/{template_id}", "Update a template"),
    Forward(
        "DELETE", "/api/templates/{template_id}", "interviews", "/api/templates/{template_id}", "Archive a template"
    ),
    Forward(
        "PUT", "/api/templates/{template_id}/publish", "interviews", "/api/templates/{template_id}/publish", "Publish"
    ),
    Forward(
        "POST",
        "/api/templates/{template_id}/questions",
        "interviews",
        "/api/templates/{template_id}/questions",
        "Add a question",
    ),
    Forward(
        "GET",
        "/api/templates/{template_id}/questions",
        "interviews",
        "/api/templates/{template_id}/questions",
        "List questions",
    ),
    Forward(
        "PATCH",
        "/api/templates/{template_id}/questions/reorder",
        "interviews",
        "/api/templates/{template_id}/questions/reorder",
        "Reorder questions",
    ),
    Forward(
        "DELETE",
        "/api/templates/{template_id}/questions/{question_id}",
        "interviews",
        "/api/templates/{template_id}/questions/{question_id}",
        "Remove a question",
    ),
    Forward(
        "PATCH",
        "/api/templates/{template_id}/questions/{question_id}",
        "interviews",
        "/api/templates/{template_id}/questions/{question_id}",
        "Update a question",
    ),
    # Template versions: reopen a published template as its next version's draft, and the version history.
    Forward(
        "POST", "/api/templates/{template_id}/revise", "interviews", "/api/templates/{template_id}/revise", "Revise"
    ),
    Forward(
        "GET",
        "/api/templates/{template_id}/versions",
        "interviews",
        "/api/templates/{template_id}/versions",
        "Template versions",
    ),
    # Rubrics (HR's scoring criteria) and the calibration view; the company's hiring team reads them.
    *(
        Forward(
            method,
            f"/api/templates/{{template_id}}{tail}",
            "interviews",
            f"/api/templates/{{template_id}}{tail}",
            summary,
            company=True,
        )
        for method, tail, summary in (
            ("GET", "/rubric", "A template's rubric"),
            ("PUT", "/rubric", "Set a template's rubric"),
            ("PUT", "/questions/{question_id}/rubric", "Set a question's rubric"),
            ("GET", "/calibration", "Reviewer calibration"),
        )
    ),
    Forward("POST", "/api/invitations", "interviews", "/api/invitations", "Invite a candidate", company=True),
    Forward("GET", "/api/invitations/candidate", "interviews", "/api/invitations/candidate", "My invitations"),
    Forward("GET", "/api/invitations/hr", "interviews", "/api/invitations/hr", "Invitations I sent"),
    # With the caller's company: the hiring team of the invitation's company reads it (team review).
    Forward(
        "GET",
        "/api/invitations/{invitation_id}",
        "interviews",
        "/api/invitations/{invitation_id}",
        "Invitation",
        company=True,
    ),
    *(
        Forward(
            "POST",
            f"/api/invitations/{{invitation_id}}/{action}",
            "interviews",
            f"/api/invitations/{{invitation_id}}/{action}",
            f"Invitation: {action}",
        )
        for action in ("start", "responses", "complete", "heartbeat", "cancel")
    ),
    # The decision is the hiring team's: the caller's company decides whether they are on it.
    *(
        Forward(
            "POST",
            f"/api/invitations/{{invitation_id}}/{action}",
            "interviews",
            f"/api/invitations/{{invitation_id}}/{action}",
            f"Invitation: {action}",
            company=True,
        )
        for action in ("approve", "reject")
    ),
    # The candidate's briefing (before anything is timed) and a question's server-side clock.
    Forward(
        "POST",
        "/api/invitations/{invitation_id}/briefing",
        "interviews",
        "/api/invitations/{invitation_id}/briefing",
        "Invitation: open the briefing",
    ),
    Forward(
        "POST",
        "/api/invitations/{invitation_id}/questions/{question_id}/open",
        "interviews",
        "/api/invitations/{invitation_id}/questions/{question_id}/open",
        "Invitation: open a question (starts its clock)",
    ),
    # team review: the caller's company decides whose interviews they review (resolved from membership)
    *(
        Forward(method, f"/api/reviews{tail}", "interviews", f"/api/reviews{tail}", summary, company=True)
        for method, tail, summary in (
            ("GET", "", "Review list"),
            ("POST", "/stage", "Move candidates to a stage"),
            ("GET", "/templates/{template_id}/export.csv", "Export a template's candidates as CSV"),
            ("GET", "/{invitation_id}", "Review board"),
            ("PUT", "/{invitation_id}/mine", "Save my ratings and note"),
            ("POST", "/{invitation_id}/mine/submit", "Submit my review"),
            ("POST", "/{invitation_id}/share-links", "Create a share link"),
            ("GET", "/{invitation_id}/share-links", "Share links and their views"),
            ("DELETE", "/{invitation_id}/share-links/{link_id}", "Revoke a share link"),
        )
    ),
    # opened by a hiring manager without an account: the signed, expiring, revocable token is checked by the service
    Forward("GET", "/api/shared", "interviews", "/api/shared", "Open a shared interview"),
    # inviting people without an account: the bulk invitation, the e-mailed link (its signed token is checked by the
    # service) and its claim by the account with the invited, verified e-mail; HR's care of a sent invitation
    Forward("POST", "/api/invites/bulk", "interviews", "/api/invites/bulk", "Invite people by e-mail", company=True),
    Forward("GET", "/api/invites/join", "interviews", "/api/invites/join", "Open an invitation link"),
    Forward("POST", "/api/invites/claim", "interviews", "/api/invites/claim", "Claim an invitation"),
    *(
        Forward(
            method,
            f"/api/invitations/{{invitation_id}}/{action}",
            "interviews",
            f"/api/invitations/{{invitation_id}}/{action}",
            f"Invitation: {action}",
        )
        for method, action in (("POST", "resend"), ("POST", "extend"), ("POST", "reset"), ("GET", "audit"))
    ),
    # a template's public apply link: HR manages it (in their company's name); anyone with the token applies
    Forward(
        "GET",
        "/api/invites/apply-links/{template_id}",
        "interviews",
        "/api/invites/apply-links/{template_id}",
        "A template's apply link",
    ),
    Forward(
        "PUT",
        "/api/invites/apply-links/{template_id}",
        "interviews",
        "/api/invites/apply-links/{template_id}",
        "Open, rotate or close a template's apply link",
        company=True,
    ),
    Forward("GET", "/api/invites/apply", "interviews", "/api/invites/apply", "Open an apply link"),
    Forward("POST", "/api/invites/apply", "interviews", "/api/invites/apply", "Apply through an apply link"),
    # a company's saved messages to candidates: shared by its hiring team (the company resolved from membership)
    *(
        Forward(
            method,
            f"/api/message-templates{tail}",
            "interviews",
            f"/api/message-templates{tail}",
            summary,
            company=True,
        )
        for method, tail, summary in (
            ("GET", "", "Saved messages"),
            ("POST", "", "Save a message"),
            ("PUT", "/{message_id}", "Change a saved message"),
            ("DELETE", "/{message_id}", "Delete a saved message"),
        )
    ),
    # fairness: a candidate's own voluntary self-identification (no route names anyone else's); the adverse-impact
    # report counts the caller's company (resolved from membership), an admin's any
    *(
        Forward(method, "/api/self-identification", "interviews", "/api/self-identification", summary)
        for method, summary in (
            ("GET", "My self-identification"),
            ("PUT", "Share or change my self-identification"),
            ("DELETE", "Withdraw my self-identification"),
        )
    ),
    # privacy: a company's retention period (its candidates' data erased N days after the decision)
    Forward("GET", "/api/retention", "interviews", "/api/retention", "My company's retention period", company=True),
    Forward("PUT", "/api/retention", "interviews", "/api/retention", "Set my company's retention period", company=True),
    Forward("GET", "/api/fairness/report", "interviews", "/api/fairness/report", "Adverse-impact report", company=True),
    Forward(
        "GET",
        "/api/fairness/report.csv",
        "interviews",
        "/api/fairness/report.csv",
        "Adverse-impact report (CSV)",
        company=True,
    ),
    # analysis
    Forward(
        "GET",
        "/api/analysis/status/{invitation_id}",
        "analysis",
        "/api/v1/analysis/status/{invitation_id}",
        "Analysis status",
    ),
    # The analysis itself (HR) is relayed by `analysis_api`, which asks interviews first (blind review). No
    # candidate route to it: candidates never see the AI's score, verdict or tips, only a human's decision.
    # media
    *(
        Forward("POST", f"/api/media/upload/{step}", "media", f"/api/v1/media/upload/{step}", f"Upload: {step}")
        for step in ("initiate", "confirm", "abort")
    ),
    Forward("GET", "/api/media", "media", "/api/v1/media", "My media"),
    Forward("GET", "/api/media/{media_id}", "media", "/api/v1/media/{media_id}", "Media metadata"),
    Forward("DELETE", "/api/media/{media_id}", "media", "/api/v1/media/{media_id}", "Delete media"),
    *(
        # With the caller's company: media lets the invitation's company's HR team play its recordings.
        Forward(
            "GET",
            f"/api/media/{{media_id}}/{what}",
            "media",
            f"/api/v1/media/{{media_id}}/{what}",
            f"Media {what}",
            company=True,
        )
        for what in ("stream", "download", "status", "transcription", "thumbnail", "parts")
    ),
    # billing
    Forward("GET", "/api/billing/plans", "billing", "/api/billing/plans", "Plans"),
    *(
        Forward("GET", f"/api/billing/{what}", "billing", f"/api/billing/{what}", f"Billing {what}", company=True)
        for what in ("subscription", "usage", "invoices")
    ),
    *(
        Forward("POST", f"/api/billing/{what}", "billing", f"/api/billing/{what}", f"Billing {what}", company=True)
        for what in ("checkout", "portal", "cancel", "resume")
    ),
    Forward(
        "POST", "/api/billing/webhooks/stripe", "billing", "/api/billing/webhooks/stripe", "Stripe webhook (raw body)"
    ),
    Forward("GET", "/api/admin/billing/accounts", "billing", "/api/billing/admin/accounts", "Billed accounts"),
    # analytics: HR reads its billed account's numbers (the company from membership), admins any company's
    *(
        Forward(
            "GET", f"/api/analytics/{what}", "analytics", f"/api/analytics/{what}", f"Analytics {what}", company=True
        )
        for what in ("overview", "funnel", "questions", "scores", "notifications")
    ),
    Forward("GET", "/api/admin/analytics/usage", "analytics", "/api/analytics/admin/usage", "Platform usage"),
    # notifications
    Forward("GET", "/api/notifications", "notifications", "/api/notifications", "My notifications"),
    Forward(
        "GET", "/api/notifications/unread-count", "notifications", "/api/notifications/unread-count", "Unread count"
    ),
    Forward(
        "GET",
        "/api/notifications/stream",
        "notifications",
        "/api/notifications/stream",
        "Server-sent notifications",
        stream=True,
    ),
    Forward(
        "POST",
        "/api/notifications/{notification_id}/read",
        "notifications",
        "/api/notifications/{notification_id}/read",
        "Mark read",
    ),
    Forward("POST", "/api/notifications/read-all", "notifications", "/api/notifications/read-all", "Mark all read"),
    # One-click unsubscribe from an e-mail: the signed token in the query is the only credential.
    *(
        Forward(
            method,
            "/api/notifications/unsubscribe",
            "notifications",
            "/api/notifications/unsubscribe",
            summary,
        )
        for method, summary in (("GET", "Unsubscribe page"), ("POST", "Unsubscribe (one click)"))
    ),
    Forward("GET", "/api/notification-preferences", "notifications", "/api/preferences", "My preferences"),
    Forward("PUT", "/api/notification-preferences", "notifications", "/api/preferences", "Update my preferences"),
    # outgoing webhooks: the service checks that an HR caller belongs to the endpoint's company
    *(
        Forward(method, path, "notifications", path, summary, company=True)
        for method, path, summary in (
            ("POST", "/api/webhooks", "Register a webhook endpoint"),
            ("GET", "/api/webhooks/company/{company_id}", "A company's webhook endpoints"),
            ("DELETE", "/api/webhooks/{webhook_id}", "Delete a webhook endpoint"),
            ("POST", "/api/webhooks/{webhook_id}/rotate-secret", "Rotate a webhook's signing secret"),
            ("POST", "/api/webhooks/{webhook_id}/test", "Send a test event to a webhook"),
            ("GET", "/api/webhooks/{webhook_id}/deliveries", "A webhook's delivery log"),
            (
                "POST",
                "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
                "Redeliver one webhook delivery",
            ),
        )
    ),
]


def encode_path(template: str, params: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        raw = str(params[match.group(1)])
        if raw in (".", ".."):
            raise NotFound("Not found")
        return quote(raw, safe="")

    return PARAM.sub(value, template)


def uuid_params(params: dict[str, Any]) -> dict[str, str]:
    """The path ids of a proxied route in canonical form. Every resource behind the proxy is keyed by a UUID,
    so anything else (a dot segment, plain or percent-encoded, or any other text) is refused here with the
    field named, and an upstream only ever sees a path segment it could have issued itself."""
    ids: dict[str, str] = {}
    refused: list[dict[str, str]] = []
    for name, raw in params.items():
        try:
            ids[name] = str(uuid.UUID(str(raw)))
        except ValueError:
            refused.append(
                {"field": name, "location": "path", "message": "Input should be a valid UUID", "type": "uuid_parsing"}
            )
    if refused:
        raise Invalid("Request validation failed", details=refused)
    return ids


def identity_headers(caller: Identity | None, company_id: str | None = None) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    if caller is not None:
        headers["x-user-id"] = caller.user_id
        headers["x-user-role"] = caller.role
        headers["x-user-roles"] = ",".join(sorted(caller.roles))
        company = company_id or caller.company_id
        if company:
            headers["x-company-id"] = company
        # Only an address Keycloak verified: interviews lets it claim an invitation sent to that address.
        if caller.email and caller.claims.get("email_verified") is True:
            headers["x-user-verified-email"] = caller.email
    return headers


def forwarded_headers(request: Request, caller: Identity | None, company_id: str | None = None) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict((k, v) for k, v in request.headers.items() if k not in STRIPPED_REQUEST)
    headers.extend(identity_headers(caller, company_id))
    # The caller's address as the gateway saw it (the rate limits' key too), for a service that logs who opened
    # something without an account (share links); the client's own value was stripped above.
    if request.client is not None:
        headers["x-client-ip"] = request.client.host
    return headers


def at_gateway(upstream: UpstreamResponse, request: Request) -> UpstreamResponse:
    """An upstream's error envelope, naming the path the client called at the gateway: the service's own path
    is internal (and for `/api/users/me` it carries the caller's internal id). The request's URL is built only
    for an envelope (~5 us a request otherwise)."""
    if upstream.status < 400 or "json" not in upstream.headers.get("content-type", ""):
        return upstream
    try:
        body = json.loads(upstream.body)
    except ValueError:
        return upstream
    if not isinstance(body, dict) or "path" not in body:
        return upstream
    return replace(upstream, body=json.dumps({**body, "path": request.url.path}).encode())


def to_response(upstream: UpstreamResponse) -> Response:
    headers = {k: v for k, v in upstream.headers.items() if k.lower() not in STRIPPED_RESPONSE}
    return Response(content=upstream.body, status_code=upstream.status, headers=headers)


CompanyResolver = Callable[[Identity], Awaitable[str | None]]


def _endpoint(forward: Forward) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        caller: Identity | None = request.state.caller
        client: UpstreamClient = request.app.state.upstreams[forward.upstream]
        path = encode_path(forward.target, uuid_params(request.path_params))
        company_id = None
        if forward.company and caller is not None:
            company_id = await request.app.state.companies(caller)
        headers = forwarded_headers(request, caller, company_id)
        if forward.stream:
            return await _stream(client, path, request, headers)
        upstream = await client.request(
            request.method,
            path,
            query=request.url.query,
            headers=headers,
            body=await request.body() or None,
        )
        await audit.record(request, forward.method, forward.path, caller, upstream, company_id)
        return to_response(at_gateway(upstream, request))

    endpoint.__name__ = re.sub(r"\W+", "_", f"{forward.method}_{forward.path}").strip("_").lower()
    return endpoint


class RelayedStream(StreamingResponse):
    """An upstream stream relayed chunk by chunk, with the upstream's headers (its `Cache-Control` and
    `X-Accel-Buffering`, so a proxy in front of the gateway does not buffer it either). The upstream
    connection is closed however the relay ends: the stream finished, the caller went away (the response is
    cancelled then, possibly before its body was ever read), or an error."""

    def __init__(self, stream: UpstreamStream) -> None:
        headers = {k: v for k, v in stream.headers.items() if k.lower() not in STRIPPED_RESPONSE}
        super().__init__(stream.body, status_code=stream.status, headers=headers)
        self.upstream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.upstream.close()


async def _stream(client: UpstreamClient, path: str, request: Request, headers: CIMultiDict[str]) -> Response:
    return RelayedStream(await client.open_stream(path, query=request.url.query, headers=headers))


# Every resource behind the proxy is keyed by a uuid; the aggregated docs take the upstream's own schema
# where that upstream documents the route.
def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        for name in PARAM.findall(path)
    ]


EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"description": "Server-sent events", "content": {"text/event-stream": {"schema": {"type": "string"}}}}
}


def proxy_router() -> APIRouter:
    router = GatedRouter()
    for forward in TABLE:
        extra: dict[str, Any] = {"parameters": _path_parameters(forward.path)}
        router.add_api_route(
            forward.path,
            _endpoint(forward),
            methods=[forward.method],
            summary=forward.summary,
            tags=[forward.upstream],
            openapi_extra=extra,
            response_class=Response,
            responses=EVENT_STREAM if forward.stream else None,
        )
    return router

"""The AI's analysis of an interview, relayed from the analysis service only when interviews says the caller may
see it yet. Under blind review (the template asks reviewers to rate first, or the candidate asked for a human-only
review) a reviewer who has not submitted their own ratings gets a 403 `AI_HIDDEN_UNTIL_RATED` naming the reason.
Likewise a candidate's explanation (their answers on the rubric, in bands and quotes) is relayed only once
interviews says their company explains outcomes and the decision has reached them.

The rules, the ratings and the decision live in interviews (the review board, the list and the export apply the
same blind-review rule); the analysis service knows none of them, so the gateway asks interviews first."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from gateway import audit
from gateway.docs import relayed
from gateway.identity import Caller, GatedRouter
from gateway.proxy import at_gateway, forwarded_headers, identity_headers, to_response
from gateway.relay import segment
from gateway.upstream import UpstreamClient
from kit.errors import Forbidden
from kit.http import UpstreamError

router = GatedRouter(tags=["analysis"])

ROUTE = "/api/analysis/{invitation_id}"


EXPLANATION = "/api/invitations/{invitation_id}/explanation"


class AiHiddenUntilRated(Forbidden):
    code = "AI_HIDDEN_UNTIL_RATED"


class ExplanationNotShared(Forbidden):
    code = "EXPLANATION_NOT_SHARED"


@router.get(ROUTE, summary="Analysis (HR)", openapi_extra=relayed("GET", "/api/v1/analysis/{id}", upstream="analysis"))
async def get_analysis(invitation_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """The AI's analysis of an interview, once the caller may see it (blind review: after rating it)."""
    upstreams: dict[str, UpstreamClient] = request.app.state.upstreams
    company_id = await request.app.state.companies(caller)
    analysis = await upstreams["analysis"].request(
        "GET",
        f"/api/v1/analysis/{segment(invitation_id)}",
        query=request.url.query,
        headers=forwarded_headers(request, caller, company_id),
    )
    # A refusal or a missing analysis says nothing about the scores: it is passed on without asking interviews.
    if analysis.status < 300:
        visibility = await upstreams["interviews"].request(
            "GET",
            f"/api/reviews/{segment(invitation_id)}/ai-visibility",
            headers=identity_headers(caller, company_id),
        )
        if visibility.status >= 300:
            # Not a reviewer of this interview by interviews' rule: its refusal, never the analysis.
            return to_response(at_gateway(visibility, request))
        answer = visibility.json()
        hidden = answer.get("hidden") if isinstance(answer, dict) else None
        if hidden is True:
            raise AiHiddenUntilRated(
                "The AI's analysis of this interview is shown once you have submitted your own ratings",
                details={"reason": answer.get("reason")},
            )
        # An answer that is neither keeps the analysis back too: a blind review never fails open.
        if hidden is not False:
            raise UpstreamError("The interviews service gave no answer on who may see this analysis")
    await audit.record(request, "GET", ROUTE, caller, analysis, company_id)
    return to_response(at_gateway(analysis, request))


@router.get(
    EXPLANATION,
    summary="My interview explained (candidate)",
    openapi_extra=relayed("GET", "/api/v1/analysis/{id}/explanation", upstream="analysis"),
)
async def get_explanation(invitation_id: uuid.UUID, *, request: Request, caller: Caller) -> Response:
    """My answers on the rubric: per criterion a band and a quote from my answer, once the company shares it."""
    upstreams: dict[str, UpstreamClient] = request.app.state.upstreams
    headers = identity_headers(caller)
    # The candidate's own view of the invitation says whether the explanation is theirs yet (and refuses anyone else).
    invitation = await upstreams["interviews"].request(
        "GET", f"/api/invitations/{segment(invitation_id)}", headers=headers
    )
    if invitation.status >= 300:
        return to_response(at_gateway(invitation, request))
    answer = invitation.json()
    released = answer.get("explanationsReleased") if isinstance(answer, dict) else None
    if released is False:
        raise ExplanationNotShared(
            "Your answers are explained here once the company has shared its decision, where it offers explanations"
        )
    if released is not True:
        raise UpstreamError("The interviews service gave no answer on whether this explanation is shared")
    explained = await upstreams["analysis"].request(
        "GET", f"/api/v1/analysis/{segment(invitation_id)}/explanation", headers=headers
    )
    return to_response(at_gateway(explained, request))

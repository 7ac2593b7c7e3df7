"""HTTP routes of the analysis service (`/api/v1/analysis`). The reference's routes had no guard at all;
here the identity comes from the gateway's internal-token headers, and roles and ownership are checked again.

Who may see an analysis under blind review (after rating it), and whether a candidate's explanation is released,
is interviews' to say: it holds the ratings and the decision. The gateway asks it before relaying either route,
and is the only caller that reaches them (the reference's list and candidate view, which bypassed that, are gone)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from analysis import commands, queries
from analysis.commands import Jobs
from analysis.schemas import AnalysisStatusView, AnalysisView, CandidateExplanation
from kit.auth import Principal, require_roles
from kit.db import ReadSession, Sessions, transaction

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])

ReviewerCaller = Annotated[Principal, require_roles("admin", "hr")]
CandidateCaller = Annotated[Principal, require_roles("candidate")]
AnyCaller = Annotated[Principal, require_roles("admin", "hr", "candidate")]


@router.get("/status/{invitation_id}", summary="Analysis status of an invitation")
async def get_status(invitation_id: uuid.UUID, session: ReadSession, caller: AnyCaller) -> AnalysisStatusView:
    return await queries.analysis_status(session, invitation_id, caller=caller)


@router.get("/{invitation_id}/explanation", summary="The candidate's answers explained on the rubric")
async def get_explanation(
    invitation_id: uuid.UUID, session: ReadSession, caller: CandidateCaller
) -> CandidateExplanation:
    """Per answer, each rubric criterion's band, what was looked for and a quote from the answer; never a score."""
    return await queries.explanation(session, invitation_id, caller=caller)


@router.get("/{invitation_id}", summary="The full analysis of an invitation (HR view)")
async def get_analysis(invitation_id: uuid.UUID, session: ReadSession, caller: ReviewerCaller) -> AnalysisView:
    return await queries.analysis_view(session, invitation_id, caller=caller)


@router.post("/{invitation_id}/retry", status_code=202, summary="Run a failed analysis again (admin, HR)")
async def retry_analysis(
    invitation_id: uuid.UUID, sessions: Sessions, caller: ReviewerCaller, request: Request
) -> AnalysisStatusView:
    async with transaction(sessions) as session:
        analysis = await commands.retry_analysis(session, invitation_id, caller=caller)
    jobs: Jobs = request.app.state.jobs
    # After COMMIT, so the job finds the pending row; if Redis is down, the worker's sweep picks it up.
    await jobs.analyse(analysis.id, analysis.attempts)
    return AnalysisStatusView.of(analysis)

"""HTTP routes of the analysis service (`/api/v1/analysis`). The reference's routes had no guard at all;
here the identity comes from the gateway's internal-token headers, and roles and ownership are checked again."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from analysis import commands, queries
from analysis.commands import Jobs
from analysis.schemas import AnalysisListItem, AnalysisStatusView, AnalysisView, CandidateAnalysisView
from kit.auth import Principal, require_roles
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Page, PageNumber

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])

ReviewerCaller = Annotated[Principal, require_roles("admin", "hr")]
CandidateCaller = Annotated[Principal, require_roles("candidate")]
AnyCaller = Annotated[Principal, require_roles("admin", "hr", "candidate")]
StatusFilter = Literal["waiting_for_transcripts", "pending", "in_progress", "completed", "failed"]
# The list has always served at most 100 analyses a page (the kit's PageSize allows 1000): a larger limit
# stays a 422.
AnalysisPageSize = Annotated[int, Query(ge=1, le=100)]


@router.get("", summary="List analyses (admin: all; HR: those of their invitations)")
async def list_analyses(
    session: ReadSession,
    caller: ReviewerCaller,
    status: StatusFilter | None = None,
    candidate_id: Annotated[uuid.UUID | None, Query(alias="candidateId")] = None,
    page: PageNumber = 1,
    limit: AnalysisPageSize = 20,
) -> Page[AnalysisListItem]:
    return await queries.list_analyses(
        session, caller=caller, status=status, candidate_id=candidate_id, page=page, limit=limit
    )


@router.get("/status/{invitation_id}", summary="Analysis status of an invitation")
async def get_status(invitation_id: uuid.UUID, session: ReadSession, caller: AnyCaller) -> AnalysisStatusView:
    return await queries.analysis_status(session, invitation_id, caller=caller)


@router.get("/candidate/{invitation_id}", summary="The candidate's own view of their analysis")
async def get_candidate_view(
    invitation_id: uuid.UUID, session: ReadSession, caller: CandidateCaller
) -> CandidateAnalysisView:
    return await queries.candidate_view(session, invitation_id, caller=caller)


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

"""HTTP routes of contract §6.1, guarded (the reference had no guard at all): identity from the gateway's
internal-token headers, roles and ownership checked here again."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from analysis import commands, queries
from analysis.commands import Jobs
from analysis.queries import AnalysisListItem, AnalysisStatusView, AnalysisView, CandidateAnalysisView
from kit.auth import CurrentUser
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Page

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])

StatusFilter = Literal["waiting_for_transcripts", "pending", "in_progress", "completed", "failed"]


@router.get("", summary="List analyses (admin: all; HR: those of their invitations)")
async def list_analyses(
    session: ReadSession,
    user: CurrentUser,
    status: StatusFilter | None = None,
    candidate_id: Annotated[uuid.UUID | None, Query(alias="candidateId")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[AnalysisListItem]:
    return await queries.list_analyses(session, user, status=status, candidate_id=candidate_id, page=page, limit=limit)


@router.get("/status/{invitation_id}", summary="Analysis status of an invitation")
async def get_status(invitation_id: uuid.UUID, session: ReadSession, user: CurrentUser) -> AnalysisStatusView:
    return await queries.analysis_status(session, invitation_id, user)


@router.get("/candidate/{invitation_id}", summary="The candidate's own view of their analysis")
async def get_candidate_view(
    invitation_id: uuid.UUID, session: ReadSession, user: CurrentUser
) -> CandidateAnalysisView:
    return await queries.candidate_view(session, invitation_id, user)


@router.get("/{invitation_id}", summary="The full analysis of an invitation (HR view)")
async def get_analysis(invitation_id: uuid.UUID, session: ReadSession, user: CurrentUser) -> AnalysisView:
    return await queries.analysis_view(session, invitation_id, user)


@router.post("/{invitation_id}/retry", status_code=202, summary="Run a failed analysis again (admin, HR)")
async def retry_analysis(
    invitation_id: uuid.UUID, sessions: Sessions, user: CurrentUser, request: Request
) -> AnalysisStatusView:
    async with transaction(sessions) as session:
        analysis = await commands.retry_analysis(session, invitation_id, user)
    jobs: Jobs = request.app.state.jobs
    # After COMMIT, so the job finds the pending row; if Redis is down, the worker's sweep picks it up.
    await jobs.analyse(analysis.id, analysis.attempts)
    return AnalysisStatusView(
        found=True,
        id=analysis.id,
        invitation_id=analysis.invitation_id,
        status=analysis.status,
        created_at=analysis.created_at,
        updated_at=analysis.updated_at,
    )

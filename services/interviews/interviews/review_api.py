"""Team review routes: the review list, each reviewer's ratings and note, stages (bulk), share links, the
public shared view and the CSV export. Like `api`: roles on the route, one transaction, a view after COMMIT."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from interviews import reviews
from interviews.api import HrCaller, Now
from interviews.domain import Stage
from interviews.review_schemas import (
    AiVisibility,
    ChangeStage,
    CreateShareLink,
    ReviewBoard,
    ReviewListItem,
    ReviewView,
    SaveReview,
    SharedInterview,
    ShareLinkCreated,
    ShareLinkItem,
    StageChanged,
)
from interviews.rubric_api import router as rubric_router
from interviews.settings import Settings
from kit.auth import verify_internal_token
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Page, PageNumber, PageSize

router = APIRouter(prefix="/api")
team = APIRouter(prefix="/reviews", tags=["reviews"])
shared = APIRouter(prefix="/shared", tags=["reviews"])


def share_key(request: Request) -> bytes:
    # Share tokens and address hashes are keyed with the fleet's internal secret, separated by purpose, so a
    # token cannot be forged without it and no new secret has to be distributed.
    settings: Settings = request.app.state.settings
    return b"share-links:" + settings.internal_token.get_secret_value().encode()


def client_address(request: Request) -> str:
    """The viewer's address: the gateway's `x-client-ip` when the internal token vouches for it, else the peer."""
    settings = request.app.state.settings
    forwarded = request.headers.get("x-client-ip")
    if forwarded and verify_internal_token(
        request.headers.get("x-internal-token"), settings.internal_token.get_secret_value()
    ):
        return forwarded
    return request.client.host if request.client else "unknown"


@team.get("", response_model_exclude_none=True)
async def review_list(
    caller: HrCaller,
    session: ReadSession,
    template_id: Annotated[uuid.UUID | None, Query(alias="templateId")] = None,
    stage: Stage | None = None,
    min_score: Annotated[int | None, Query(alias="minScore", ge=0, le=100)] = None,
    max_score: Annotated[int | None, Query(alias="maxScore", ge=0, le=100)] = None,
    completed_from: Annotated[datetime | None, Query(alias="completedFrom")] = None,
    completed_to: Annotated[datetime | None, Query(alias="completedTo")] = None,
    sort: Literal["completedAt", "score", "name"] = "completedAt",
    order: Literal["asc", "desc"] = "desc",
    page: PageNumber = 1,
    limit: PageSize = 10,
) -> Page[ReviewListItem]:
    """Completed interviews of the caller's company, filtered by template, stage, score and completion date."""
    return await reviews.review_list(
        session,
        caller=caller,
        template_id=template_id,
        stage=stage,
        min_score=min_score,
        max_score=max_score,
        completed_from=completed_from,
        completed_to=completed_to,
        sort=sort,
        descending=order == "desc",
        page=page,
        limit=limit,
    )


@team.post("/stage")
async def change_stage(cmd: ChangeStage, caller: HrCaller, db: Sessions, now: Now) -> StageChanged:
    """Move completed interviews to a stage, all or none; selected and rejected are the decision."""
    async with transaction(db) as session:
        changed = await reviews.change_stage(session, cmd, caller=caller, now=now)
    return StageChanged(stage=cmd.stage, changed=changed)


@team.get("/templates/{template_id}/export.csv")
async def export_csv(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> Response:
    """A template's completed interviews as CSV: stage, AI score, the team's ratings per question, dates."""
    body = await reviews.export_csv(session, template_id, caller=caller)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="candidates-{template_id}.csv"'},
    )


@team.get("/{invitation_id}", response_model_exclude_none=True)
async def review_board(invitation_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> ReviewBoard:
    """The caller's review, the team's once the caller submitted, the stage and the previous/next candidate."""
    return await reviews.review_board(session, invitation_id, caller=caller)


@team.get("/{invitation_id}/ai-visibility", response_model_exclude_none=True)
async def ai_visibility(invitation_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> AiVisibility:
    """Whether the caller may see the AI's analysis of this interview yet (blind review: after rating it)."""
    return await reviews.ai_visibility(session, invitation_id, caller=caller)


@team.put("/{invitation_id}/mine", response_model_exclude_none=True)
async def save_review(
    invitation_id: uuid.UUID, cmd: SaveReview, caller: HrCaller, db: Sessions, now: Now
) -> ReviewView:
    """Save the caller's ratings (1 to 5 per question) and private note (replaced as sent)."""
    async with transaction(db) as session:
        review = await reviews.save_review(session, invitation_id, cmd, caller=caller, now=now)
    return ReviewView.model_validate(review)


@team.post("/{invitation_id}/mine/submit", response_model_exclude_none=True)
async def submit_review(invitation_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now) -> ReviewView:
    """Submit the caller's review: the team's reviews become visible to them."""
    async with transaction(db) as session:
        review = await reviews.submit_review(session, invitation_id, caller=caller, now=now)
    return ReviewView.model_validate(review)


@team.post("/{invitation_id}/share-links", status_code=201)
async def create_share_link(
    invitation_id: uuid.UUID,
    caller: HrCaller,
    db: Sessions,
    now: Now,
    request: Request,
    cmd: CreateShareLink | None = None,
) -> ShareLinkCreated:
    """A read-only link to this interview for someone without an account, expiring in 1 to 30 days."""
    async with transaction(db) as session:
        created = await reviews.create_share_link(
            session, invitation_id, cmd or CreateShareLink(), caller=caller, now=now, key=share_key(request)
        )
    return created


@team.get("/{invitation_id}/share-links")
async def share_links(invitation_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> list[ShareLinkItem]:
    """This interview's share links with every view (time and address hash), newest first."""
    return await reviews.share_links(session, invitation_id, caller=caller)


@team.delete("/{invitation_id}/share-links/{link_id}", status_code=204)
async def revoke_share_link(
    invitation_id: uuid.UUID, link_id: uuid.UUID, caller: HrCaller, db: Sessions, now: Now
) -> None:
    """Withdraw a share link at once (410 for whoever opens it afterwards)."""
    async with transaction(db) as session:
        await reviews.revoke_share_link(session, invitation_id, link_id, caller=caller, now=now)


@shared.get("", response_model_exclude_none=True)
async def open_shared(
    token: Annotated[str, Query(min_length=1, max_length=200)], db: Sessions, now: Now, request: Request
) -> SharedInterview:
    """The interview behind a share link, read-only, for anyone holding it (each view logged)."""
    async with transaction(db) as session:
        view = await reviews.open_shared(
            session, token, address=client_address(request), now=now, key=share_key(request)
        )
    return view


router.include_router(team)
router.include_router(shared)
router.include_router(rubric_router)

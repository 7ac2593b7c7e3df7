"""Team review handlers: ratings and notes, stages (single and bulk), share links, the review list and the CSV
export. Writes follow `commands` (load, check access, change through the domain, never commit); reads follow
`queries`."""

from __future__ import annotations

import csv
import io
import sys
import uuid
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews import access
from interviews.commands import load_invitation
from interviews.consent_schemas import ConsentRecord
from interviews.domain import (
    CandidateStage,
    Decision,
    Invitation,
    InvitationNotFound,
    InvitationStatus,
    Review,
    ShareLink,
    ShareLinkNotFound,
    ShareView,
    Stage,
    Template,
    TemplateNotFound,
    TemplateVersion,
)
from interviews.domain.messages import render
from interviews.domain.reviews import (
    DECISION_STAGES,
    check_stage_change,
    hash_address,
    share_link_id,
    sign_share_token,
    stage_of,
)
from interviews.mentions import note_mentions
from interviews.messages import company_message
from interviews.review_schemas import (
    AiScores,
    AiVisibility,
    ChangeStage,
    CreateShareLink,
    QuestionCriteria,
    ReviewBoard,
    ReviewListItem,
    ReviewView,
    SaveReview,
    SharedAnswer,
    SharedInterview,
    ShareLinkCreated,
    ShareLinkItem,
    ShareViewItem,
)
from interviews.rubric_schemas import CriterionView
from interviews.rubrics import blind_to_ai, question_rubrics
from kit.auth import Principal
from kit.schemas import Page, paginate


async def _reviewable(session: AsyncSession, invitation_id: uuid.UUID, caller: Principal) -> Invitation:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationNotFound("This invitation was not found; it may have been deleted")
    access.check_team_reviewer(caller, invitation)
    return invitation


# -- ratings and notes ------------------------------------------------------------------------------------


async def save_review(
    session: AsyncSession, invitation_id: uuid.UUID, cmd: SaveReview, *, caller: Principal, now: datetime
) -> Review:
    invitation = await _reviewable(session, invitation_id, caller)
    review = await session.get(Review, (invitation_id, caller.user_id), with_for_update=True)
    if review is None:
        review = Review(invitation_id=invitation_id, reviewer_id=caller.user_id, ratings={})
        session.add(review)
    review.change(invitation, cmd.ratings, cmd.note, now)
    await note_mentions(session, invitation, review, cmd.mentions, caller=caller, now=now)
    review.rate_criteria(question_rubrics(invitation), cmd.criteria_ratings)
    return review


async def submit_review(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal, now: datetime) -> Review:
    await _reviewable(session, invitation_id, caller)
    review = await session.get(Review, (invitation_id, caller.user_id), with_for_update=True)
    if review is None:
        review = Review(invitation_id=invitation_id, reviewer_id=caller.user_id, ratings={}, updated_at=now)
    review.submit(now)
    session.add(review)
    return review


async def review_board(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> ReviewBoard:
    invitation = await _reviewable(session, invitation_id, caller)
    reviews = (await session.scalars(select(Review).where(Review.invitation_id == invitation_id))).all()
    mine = next((r for r in reviews if r.reviewer_id == caller.user_id), None)
    others = [r for r in reviews if r.reviewer_id != caller.user_id and r.submitted_at is not None]
    # Colleagues' ratings and notes stay hidden until the caller committed to their own, and so does the AI's
    # analysis when the template or the candidate asks for it.
    submitted = mine is not None and mine.submitted_at is not None
    shown = others if submitted else []
    ai_hidden = blind_to_ai(invitation) and not submitted
    previous_id, next_id = await _neighbours(session, invitation, caller)
    return ReviewBoard(
        invitation_id=invitation.id,
        candidate_name=invitation.candidate_name,
        candidate_email=invitation.candidate_email,
        stage=stage_of(invitation, await session.get(CandidateStage, invitation.id)),
        mine=ReviewView.model_validate(mine) if mine else None,
        others=[ReviewView.model_validate(r) for r in shown],
        others_hidden=len(others) - len(shown),
        rubric=[
            QuestionCriteria(question_id=q, criteria=[CriterionView.model_validate(c) for c in criteria])
            for q, criteria in question_rubrics(invitation).items()
        ],
        ai=None if ai_hidden else AiScores.of(invitation),
        ai_hidden=ai_hidden,
        previous_id=previous_id,
        next_id=next_id,
        consent=ConsentRecord.of(invitation),
        human_review_requested=invitation.human_review_requested,
    )


async def ai_visibility(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> AiVisibility:
    """Whether the caller may see the AI's analysis of this interview yet, by the rule of the board and the list
    (`_hidden_from`). The gateway asks before it relays the analysis service's view, which does not know who rated."""
    invitation = await _reviewable(session, invitation_id, caller)
    ratings = await _submitted_ratings(session, [invitation.id])
    if invitation.id not in _hidden_from(caller, [invitation], ratings):
        return AiVisibility(hidden=False)
    return AiVisibility(
        hidden=True, reason="human_review_requested" if invitation.human_review_requested else "blind_review"
    )


async def _neighbours(
    session: AsyncSession, invitation: Invitation, caller: Principal
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The completed interviews of the same template just before and after this one (by completion time)."""
    scope = access.team_scope(caller)
    base = select(Invitation.id).where(
        Invitation.template_id == invitation.template_id, Invitation.status == InvitationStatus.COMPLETED
    )
    if scope is not None:
        base = base.where(Invitation.company_id == scope)
    key = (Invitation.completed_at, Invitation.id)
    here = (invitation.completed_at, invitation.id)
    before = await session.scalar(
        base.where(func.row(*key) < func.row(*here)).order_by(Invitation.completed_at.desc(), Invitation.id.desc())
    )
    after = await session.scalar(base.where(func.row(*key) > func.row(*here)).order_by(*key))
    return before, after


# -- stages -----------------------------------------------------------------------------------------------


async def change_stage(session: AsyncSession, cmd: ChangeStage, *, caller: Principal, now: datetime) -> int:
    """Every named interview moves, or none does: the first refusal rolls the whole change back."""
    ids = list(dict.fromkeys(cmd.invitation_ids))
    message = (
        await company_message(session, cmd.message_template_id, caller=caller)
        if cmd.message_template_id is not None
        else None
    )
    for invitation_id in ids:
        invitation = await load_invitation(session, invitation_id)
        access.check_team_reviewer(caller, invitation)
        check_stage_change(invitation, cmd.stage)
        decision = DECISION_STAGES.get(cmd.stage)
        if decision is not None:
            invitation.decide(
                decision,
                note=cmd.note,
                by=caller.user_id,
                now=now,
                candidate_feedback=cmd.candidate_feedback
                if message is None
                else render(
                    message,
                    candidate_name=invitation.candidate_name,
                    role=invitation.pinned.title,
                    company=invitation.company_name,
                ),
            )
            continue
        marked = await session.get(CandidateStage, invitation_id, with_for_update=True)
        if marked is None:
            marked = CandidateStage(invitation_id=invitation_id)
            session.add(marked)
        marked.stage = cmd.stage
        marked.changed_by = caller.user_id
        marked.changed_at = now
    return len(ids)


# -- share links ------------------------------------------------------------------------------------------


async def create_share_link(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    cmd: CreateShareLink,
    *,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> ShareLinkCreated:
    await _reviewable(session, invitation_id, caller)
    link = ShareLink(
        id=uuid.uuid4(),
        invitation_id=invitation_id,
        created_by=caller.user_id,
        created_at=now,
        expires_at=now + timedelta(days=cmd.expires_in_days),
    )
    session.add(link)
    return ShareLinkCreated(id=link.id, token=sign_share_token(link, key), expires_at=link.expires_at)


async def _team_link(
    session: AsyncSession, invitation_id: uuid.UUID, link_id: uuid.UUID, caller: Principal
) -> ShareLink:
    await _reviewable(session, invitation_id, caller)
    link = await session.get(ShareLink, link_id, with_for_update=True)
    if link is None or link.invitation_id != invitation_id:
        raise ShareLinkNotFound("This share link was not found; it may have been revoked")
    return link


async def revoke_share_link(
    session: AsyncSession, invitation_id: uuid.UUID, link_id: uuid.UUID, *, caller: Principal, now: datetime
) -> None:
    link = await _team_link(session, invitation_id, link_id, caller)
    link.revoked_at = link.revoked_at or now


async def share_links(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> list[ShareLinkItem]:
    await _reviewable(session, invitation_id, caller)
    links = (
        await session.scalars(
            select(ShareLink).where(ShareLink.invitation_id == invitation_id).order_by(ShareLink.created_at.desc())
        )
    ).all()
    views = (
        await session.scalars(
            select(ShareView)
            .where(ShareView.share_link_id.in_([link.id for link in links]))
            .order_by(ShareView.viewed_at.desc())
        )
    ).all()
    return [
        ShareLinkItem(
            id=link.id,
            created_by=link.created_by,
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked_at=link.revoked_at,
            views=[
                ShareViewItem(viewed_at=v.viewed_at, ip_hash=v.ip_hash) for v in views if v.share_link_id == link.id
            ],
        )
        for link in links
    ]


async def open_shared(session: AsyncSession, token: str, *, address: str, now: datetime, key: bytes) -> SharedInterview:
    """The read-only interview behind a share link; each opening is logged (time, keyed hash of the address)."""
    link = await session.get(ShareLink, share_link_id(token, key))
    if link is None:
        raise ShareLinkNotFound("This link is not valid")
    link.check_usable(now)
    session.add(ShareView(id=uuid.uuid4(), share_link_id=link.id, viewed_at=now, ip_hash=hash_address(address, key)))
    invitation = await session.get(Invitation, link.invitation_id)
    assert invitation is not None  # the link's row goes with its invitation (ON DELETE CASCADE)
    answers = {r.question_id: r for r in invitation.responses}
    # A reviewer who must rate blind could otherwise read the score through a link they made themselves.
    ai_hidden = blind_to_ai(invitation)
    return SharedInterview(
        candidate_name=invitation.candidate_name,
        template_title=invitation.pinned.title,
        company_name=invitation.company_name,
        completed_at=invitation.completed_at,
        score=None if ai_hidden else invitation.analysis_score,
        ai_hidden=ai_hidden,
        stage=stage_of(invitation, await session.get(CandidateStage, invitation.id)),
        answers=[
            SharedAnswer(
                question_id=q.id,
                order=q.order,
                question=q.text,
                type=q.type,
                response_type=answers[q.id].response_type if q.id in answers else None,
                answer=_answer_text(invitation, q.id),
                duration=answers[q.id].duration if q.id in answers else None,
            )
            for q in invitation.pinned.questions
        ],
        expires_at=link.expires_at,
    )


def _answer_text(invitation: Invitation, question_id: uuid.UUID) -> str | None:
    response = next((r for r in invitation.responses if r.question_id == question_id), None)
    if response is None:
        return None
    return response.text_answer or response.code_answer


# -- the review list and the export -----------------------------------------------------------------------

# The stage as SQL, for filtering and listing: the decision if made, else the marker, else new.
stage_expression: ColumnElement[str] = case(
    (Invitation.decision == Decision.APPROVED, literal(Stage.SELECTED.value)),
    (Invitation.decision == Decision.REJECTED, literal(Stage.REJECTED.value)),
    else_=func.coalesce(CandidateStage.stage, literal(Stage.NEW.value)),
)
SORTS = {"completedAt": Invitation.completed_at, "score": Invitation.analysis_score, "name": Invitation.candidate_name}


def _completed(
    caller: Principal,
    *,
    template_id: uuid.UUID | None = None,
    stage: Stage | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    completed_from: datetime | None = None,
    completed_to: datetime | None = None,
) -> Select[tuple[Invitation, str]]:
    query = (
        select(Invitation, stage_expression.label("stage"))
        .outerjoin(CandidateStage, CandidateStage.invitation_id == Invitation.id)
        .where(Invitation.status == InvitationStatus.COMPLETED)
    )
    scope = access.team_scope(caller)
    if scope is not None:
        query = query.where(Invitation.company_id == scope)
    if template_id is not None:
        query = query.where(Invitation.template_id == template_id)
    if stage is not None:
        query = query.where(stage_expression == stage.value)
    if min_score is not None:
        query = query.where(Invitation.analysis_score >= min_score)
    if max_score is not None:
        query = query.where(Invitation.analysis_score <= max_score)
    if completed_from is not None:
        query = query.where(Invitation.completed_at >= completed_from)
    if completed_to is not None:
        query = query.where(Invitation.completed_at < completed_to)
    return query


async def review_list(
    session: AsyncSession,
    *,
    caller: Principal,
    template_id: uuid.UUID | None,
    stage: Stage | None,
    min_score: int | None,
    max_score: int | None,
    completed_from: datetime | None,
    completed_to: datetime | None,
    sort: str,
    descending: bool,
    page: int,
    limit: int,
) -> Page[ReviewListItem]:
    scope: dict[str, Any] = {
        "template_id": template_id,
        "stage": stage,
        "completed_from": completed_from,
        "completed_to": completed_to,
    }
    if sort == "score" or min_score is not None or max_score is not None:
        rows, total, ratings, hidden = await _by_visible_score(
            session, caller, scope, min_score, max_score, sort, descending, page, limit
        )
    else:
        column = SORTS[sort]
        order = column.desc().nulls_last() if descending else column.asc().nulls_last()
        query = _completed(caller, **scope).order_by(order, Invitation.id)
        rows, total = await paginate(session, query, page=page, limit=limit)
        ratings = await _submitted_ratings(session, [row[0].id for row in rows])
        hidden = _hidden_from(caller, [inv for inv, _ in rows], ratings)
    items = [
        ReviewListItem(
            id=inv.id,
            template_id=inv.template_id,
            template_title=inv.pinned.title,
            candidate_name=inv.candidate_name,
            candidate_email=inv.candidate_email,
            completed_at=inv.completed_at,
            score=None if inv.id in hidden else inv.analysis_score,
            recommendation=None if inv.id in hidden else inv.analysis_recommendation,
            ai_hidden=inv.id in hidden,
            stage=Stage(stage_value),
            team_rating=_mean([r for review in ratings.get(inv.id, []) for r in review.ratings.values()]),
            reviews=len(ratings.get(inv.id, [])),
            consent=ConsentRecord.of(inv),
            human_review_requested=inv.human_review_requested,
        )
        for inv, stage_value in rows
    ]
    return Page[ReviewListItem](items=items, total=total, page=page, limit=limit, total_pages=-(-total // limit))


def _hidden_from(
    caller: Principal, invitations: list[Invitation], ratings: dict[uuid.UUID, list[Review]]
) -> set[uuid.UUID]:
    """The interviews whose AI score the caller may not see yet: they rate first (see `blind_to_ai`)."""
    return {
        inv.id
        for inv in invitations
        if blind_to_ai(inv) and caller.user_id not in {r.reviewer_id for r in ratings.get(inv.id, [])}
    }


async def _by_visible_score(
    session: AsyncSession,
    caller: Principal,
    scope: dict[str, Any],
    min_score: int | None,
    max_score: int | None,
    sort: str,
    descending: bool,
    page: int,
    limit: int,
) -> tuple[list[Any], int, dict[uuid.UUID, list[Review]], set[uuid.UUID]]:
    """A score filter or order over scores the caller may see only: an interview they must rate blind counts as
    unscored (left out by a score filter, last in a score order), else its place in the list would tell its
    score. Decided here over the scope's completed interviews (a company's, hundreds), then paged."""
    rows = (await session.execute(_completed(caller, **scope).order_by(Invitation.id))).all()
    ratings = await _submitted_ratings(session, [row[0].id for row in rows])
    hidden = _hidden_from(caller, [inv for inv, _ in rows], ratings)

    def score(inv: Invitation) -> int | None:
        return None if inv.id in hidden else inv.analysis_score

    kept = [
        row
        for row in rows
        if (min_score is None or ((value := score(row[0])) is not None and value >= min_score))
        and (max_score is None or ((value := score(row[0])) is not None and value <= max_score))
    ]
    keys: dict[str, Any] = {
        "score": lambda inv: score(inv),
        "completedAt": lambda inv: inv.completed_at,
        "name": lambda inv: inv.candidate_name,
    }
    present = [row for row in kept if keys[sort](row[0]) is not None]
    present.sort(key=lambda row: keys[sort](row[0]), reverse=descending)
    ordered = present + [row for row in kept if keys[sort](row[0]) is None]  # nulls last, as in SQL
    start = (page - 1) * limit
    return ordered[start : start + limit], len(ordered), ratings, hidden


async def _submitted_ratings(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Review]]:
    found: dict[uuid.UUID, list[Review]] = {}
    if not ids:
        return found
    reviews = await session.scalars(
        select(Review).where(Review.invitation_id.in_(ids), Review.submitted_at.is_not(None))
    )
    for review in reviews:
        found.setdefault(review.invitation_id, []).append(review)
    return found


def _mean(values: list[int]) -> float | None:
    return round(fmean(values), 2) if values else None


async def export_csv(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> str:
    """A template's completed interviews, one row each: who, stage, AI score and its mean per scoring criterion,
    the template version the candidate was sent, the team's mean rating per question and overall, and the dates."""
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    scope = access.team_scope(caller)
    if scope is not None and template.company_id != scope and template.created_by != caller.user_id:
        raise access.TemplateUnauthorized("You can only export your own company's templates")
    rows = (
        await session.execute(
            _completed(caller, template_id=template_id).order_by(Invitation.completed_at, Invitation.id)
        )
    ).all()
    ratings = await _submitted_ratings(session, [row[0].id for row in rows])
    # An interview the caller must still rate blind exports without the AI's figures.
    hidden = _hidden_from(caller, [inv for inv, _ in rows], ratings)
    questions = _asked(template, [inv for inv, _ in rows])
    # One column per scoring criterion any of these analyses used, in a stable order.
    criteria = sorted({c for inv, _ in rows for c in (inv.analysis_criteria or {})})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "candidate_name",
            "candidate_email",
            "stage",
            "ai_score",
            "ai_recommendation",
            *[f"ai_{c}" for c in criteria],
            "template_version",
            *[f"rating_q{n}" for n in range(1, len(questions) + 1)],
            "team_rating",
            "reviews",
            "invited_at",
            "completed_at",
            "decided_at",
        ]
    )
    for inv, stage_value in rows:
        reviews = ratings.get(inv.id, [])
        per_question = [_mean([r.ratings[str(q)] for r in reviews if str(q) in r.ratings]) for q in questions]
        blind = inv.id in hidden
        writer.writerow(
            [
                _safe(inv.candidate_name),
                _safe(inv.candidate_email),
                stage_value,
                _cell(None if blind else inv.analysis_score),
                _cell(None if blind else inv.analysis_recommendation),
                *[_cell(None if blind else (inv.analysis_criteria or {}).get(c)) for c in criteria],
                _cell(inv.template_version.number if inv.template_version else None),
                *[_cell(v) for v in per_question],
                _cell(_mean([v for r in reviews for v in r.ratings.values()])),
                len(reviews),
                inv.created_at.isoformat(),
                _cell(inv.completed_at.isoformat() if inv.completed_at else None),
                _cell(inv.decision_at.isoformat() if inv.decision_at else None),
            ]
        )
    return out.getvalue()


def _asked(template: Template, invitations: list[Invitation]) -> list[uuid.UUID]:
    """The questions of the export's rating columns: every question these candidates were sent (each the questions
    of their own template version, which an edit of the template does not change), once, in a stable order: by
    version, oldest first, then by the question's place in it. A question keeps its id across versions, so one
    reworded or moved stays one column, and one removed later keeps the ratings it was given. Without any
    interview, the template's current questions."""
    sent = sorted(
        {inv.pinned.id: inv.pinned for inv in invitations}.values(),
        # An invitation from before versions existed was asked the template itself: after every version.
        key=lambda pinned: pinned.number if isinstance(pinned, TemplateVersion) else sys.maxsize,
    )
    asked: dict[uuid.UUID, None] = {}
    for pinned in sent or [template]:
        for question in sorted(pinned.questions, key=lambda q: q.order):
            asked.setdefault(question.id)
    return list(asked)


def _cell(value: object) -> str:
    if value is None:
        return ""
    # A mean of whole ratings reads 4 rather than 4.0, and 4.33 stays as rounded.
    return f"{value:g}" if isinstance(value, float) else str(value)


def _safe(value: str | None) -> str:
    # A candidate-typed value opening with =, +, - or @ would run as a formula in a spreadsheet.
    text = value or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text

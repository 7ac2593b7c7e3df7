"""Rubric handlers (a template's criteria and a question's own) and the calibration view of a template: how far its
reviewers agree with each other and with the AI. Writes follow `commands` (load, check access, change through the
domain, never commit); reads follow `queries`."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews import access
from interviews.calibration import (
    AI_MAPPING,
    MIN_INTERVIEWS,
    ai_on_scale,
    icc_2_1,
    reading,
    weighted_kappa,
    whole,
)
from interviews.commands import load_template
from interviews.domain import Invitation, InvitationStatus, Review, Template, TemplateNotFound
from interviews.domain.rubrics import Criterion, effective_rubric
from interviews.rubric_schemas import (
    Agreement,
    Calibration,
    CriterionView,
    QuestionRubric,
    ReviewerPair,
    ReviewerVsAi,
    RubricView,
    SetRubric,
)
from kit.auth import Principal


def question_rubrics(invitation: Invitation) -> dict[str, list[Criterion]]:
    """What each question of an interview is rated on: its rubric as the interview was sent (questions without
    one are rated as a whole)."""
    pinned = invitation.pinned
    found = {}
    for question in pinned.questions:
        rubric = effective_rubric(pinned.rubric, question.rubric)
        if rubric:
            found[str(question.id)] = rubric
    return found


def blind_to_ai(invitation: Invitation) -> bool:
    """Reviewers rate before they see the AI's analysis (the rule is the invitation's, `Invitation.blind_to_ai`)."""
    return invitation.blind_to_ai


def _criteria(rubric: list[Criterion] | None) -> list[CriterionView] | None:
    return [CriterionView.model_validate(c) for c in rubric] if rubric else None


def rubric_view(template: Template) -> RubricView:
    return RubricView(
        template_id=template.id,
        criteria=_criteria(template.rubric),
        questions=[
            QuestionRubric(
                question_id=q.id,
                order=q.order,
                text=q.text,
                own=_criteria(q.rubric),
                effective=_criteria(effective_rubric(template.rubric, q.rubric)),
            )
            for q in sorted(template.questions, key=lambda q: q.order)
        ],
        blind_to_ai=bool(template.settings.get("blindToAi")),
    )


async def _team_template(session: AsyncSession, template_id: uuid.UUID, caller: Principal) -> Template:
    """A template the caller's hiring team works with: their company's (or, outside any company, their own)."""
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    scope = access.team_scope(caller)
    if scope is not None and template.company_id != scope and template.created_by != caller.user_id:
        raise access.TemplateUnauthorized("You can only see your own company's templates")
    return template


async def get_rubric(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> RubricView:
    return rubric_view(await _team_template(session, template_id, caller))


async def set_rubric(
    session: AsyncSession, template_id: uuid.UUID, cmd: SetRubric, *, caller: Principal, now: datetime
) -> Template:
    template = await load_template(session, template_id, caller=caller)
    template.set_rubric(cmd.stored(), now)
    return template


async def set_question_rubric(
    session: AsyncSession,
    template_id: uuid.UUID,
    question_id: uuid.UUID,
    cmd: SetRubric,
    *,
    caller: Principal,
    now: datetime,
) -> Template:
    template = await load_template(session, template_id, caller=caller)
    template.set_question_rubric(question_id, cmd.stored(), now)
    return template


# -- calibration ------------------------------------------------------------------------------------------


async def calibration(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal) -> Calibration:
    """Each reviewer's rating of an interview is the mean of their question ratings (submitted reviews only);
    the AI's is its overall score on the same scale (`AI_MAPPING`)."""
    template = await _team_template(session, template_id, caller)
    completed = select(Invitation.id, Invitation.analysis_score).where(
        Invitation.template_id == template.id, Invitation.status == InvitationStatus.COMPLETED
    )
    scope = access.team_scope(caller)
    if scope is not None:
        completed = completed.where(Invitation.company_id == scope)
    ai = {row.id: row.analysis_score for row in (await session.execute(completed)).all()}
    reviews = (
        await session.scalars(
            select(Review)
            .where(Review.invitation_id.in_(ai), Review.submitted_at.is_not(None))
            .order_by(Review.submitted_at, Review.reviewer_id)
        )
    ).all()
    # {interview: {reviewer: mean rating}}, reviewers in the order they submitted.
    rated: dict[uuid.UUID, dict[str, float]] = {}
    for review in reviews:
        if review.ratings:
            rated.setdefault(review.invitation_id, {})[review.reviewer_id] = fmean(review.ratings.values())
    reviewers = sorted({r for by in rated.values() for r in by})
    pairs = []
    for a, b in itertools.combinations(reviewers, 2):
        both = [(by[a], by[b]) for by in rated.values() if a in by and b in by]
        if both:
            pairs.append(ReviewerPair(reviewer_a=a, reviewer_b=b, **_agreement(both).model_dump()))
    against_ai = []
    for reviewer in reviewers:
        both = [
            (by[reviewer], float(ai_on_scale(score)))
            for interview, by in rated.items()
            if reviewer in by and (score := ai[interview]) is not None
        ]
        if both:
            against_ai.append(ReviewerVsAi(reviewer=reviewer, **_agreement(both).model_dump()))
    # The team's ICC: the first two submitted ratings of every interview rated twice or more (raters drawn at
    # random from the team, which is the model ICC(2,1) assumes).
    team = [tuple(list(by.values())[:2]) for by in rated.values() if len(by) >= 2]
    return Calibration(
        template_id=template.id,
        interviews_rated=len(rated),
        min_interviews=MIN_INTERVIEWS,
        ai_mapping=AI_MAPPING,
        team=_agreement([(x, y) for x, y in team]),
        pairs=pairs,
        ai=against_ai,
    )


def _agreement(ratings: list[tuple[float, float]]) -> Agreement:
    """Kappa on whole ratings, ICC on the means as they are, and the reading of the kappa (else the ICC)."""
    kappa = weighted_kappa([whole(x) for x, _ in ratings], [whole(y) for _, y in ratings]) if ratings else None
    icc = icc_2_1([list(r) for r in ratings])
    return Agreement(
        kappa=None if kappa is None else round(kappa, 3),
        icc=None if icc is None else round(icc, 3),
        interviews=len(ratings),
        reading=reading(kappa if kappa is not None else icc, len(ratings)),
    )

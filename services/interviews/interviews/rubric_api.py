"""Rubric and calibration routes: a template's criteria (and a question's own), and how far its reviewers agree
with each other and with the AI. Like `api`: roles on the route, one transaction, a view after COMMIT."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from interviews import rubrics
from interviews.api import HrCaller, Now
from interviews.rubric_schemas import Calibration, RubricView, SetRubric
from kit.db import ReadSession, Sessions, transaction

# Included by `review_api`, under its `/api`.
router = APIRouter(prefix="/templates", tags=["rubrics"])


@router.get("/{template_id}/rubric", response_model_exclude_none=True)
async def get_rubric(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> RubricView:
    """The template's rubric, each question's own and what each question is scored on."""
    return await rubrics.get_rubric(session, template_id, caller=caller)


@router.put("/{template_id}/rubric", response_model_exclude_none=True)
async def set_rubric(template_id: uuid.UUID, cmd: SetRubric, caller: HrCaller, db: Sessions, now: Now) -> RubricView:
    """Replace a draft template's rubric (an empty list removes it)."""
    async with transaction(db) as session:
        template = await rubrics.set_rubric(session, template_id, cmd, caller=caller, now=now)
    return rubrics.rubric_view(template)


@router.put("/{template_id}/questions/{question_id}/rubric", response_model_exclude_none=True)
async def set_question_rubric(
    template_id: uuid.UUID, question_id: uuid.UUID, cmd: SetRubric, caller: HrCaller, db: Sessions, now: Now
) -> RubricView:
    """Give a draft template's question its own rubric (an empty list: it follows the template's again)."""
    async with transaction(db) as session:
        template = await rubrics.set_question_rubric(session, template_id, question_id, cmd, caller=caller, now=now)
    return rubrics.rubric_view(template)


@router.get("/{template_id}/calibration")
async def calibration(template_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> Calibration:
    """Agreement between the template's reviewers and between each reviewer and the AI, with the interviews
    each figure rests on."""
    return await rubrics.calibration(session, template_id, caller=caller)

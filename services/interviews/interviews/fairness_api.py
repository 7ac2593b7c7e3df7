"""Routes of voluntary self-identification (the candidate's own, nobody else's) and of the adverse-impact report
(HR of the company, admins any). Like `api`: roles on the route, one transaction, a view after COMMIT."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from interviews import fairness
from interviews.api import HrCaller, Now
from interviews.fairness_schemas import FairnessReport, SaveSelfIdentification, SelfIdentificationView
from kit.auth import Principal, require_roles
from kit.db import ReadSession, Sessions, transaction

router = APIRouter(prefix="/api")
mine = APIRouter(prefix="/self-identification", tags=["fairness"])
report = APIRouter(prefix="/fairness", tags=["fairness"])

CandidateCaller = Annotated[Principal, require_roles("candidate")]
TemplateFilter = Annotated[uuid.UUID | None, Query(alias="templateId")]
# An admin may name any company; an HR user only their own (or nothing: theirs).
CompanyFilter = Annotated[str | None, Query(alias="companyId", min_length=1, max_length=64)]


@mine.get("")
async def my_self_identification(caller: CandidateCaller, session: ReadSession) -> SelfIdentificationView:
    """The caller's own voluntary self-identification (none: `provided` is false)."""
    return await fairness.my_self_identification(session, caller=caller)


@mine.put("")
async def save_self_identification(
    cmd: SaveSelfIdentification, caller: CandidateCaller, db: Sessions, now: Now
) -> SelfIdentificationView:
    """Share or change the caller's sex and race/ethnicity; each is optional and may be "prefer not to say"."""
    async with transaction(db) as session:
        view = await fairness.save_self_identification(session, cmd, caller=caller, now=now)
    return view


@mine.delete("", status_code=204)
async def withdraw_self_identification(caller: CandidateCaller, db: Sessions) -> None:
    """Withdraw the caller's self-identification: it is deleted."""
    async with transaction(db) as session:
        await fairness.withdraw_self_identification(session, caller=caller)


@report.get("/report")
async def fairness_report(
    caller: HrCaller,
    session: ReadSession,
    now: Now,
    template_id: TemplateFilter = None,
    company_id: CompanyFilter = None,
) -> FairnessReport:
    """Selection and scoring rates and impact ratios per sex, race/ethnicity and both, over decided interviews."""
    return await fairness.fairness_report(
        session, caller=caller, company_id=company_id, template_id=template_id, now=now
    )


@report.get("/report.csv")
async def fairness_report_csv(
    caller: HrCaller,
    session: ReadSession,
    now: Now,
    template_id: TemplateFilter = None,
    company_id: CompanyFilter = None,
) -> Response:
    """The adverse-impact report as CSV, for an auditor."""
    view = await fairness.fairness_report(
        session, caller=caller, company_id=company_id, template_id=template_id, now=now
    )
    name = f"adverse-impact-{template_id or 'all'}-{now.date().isoformat()}.csv"
    return Response(
        fairness.report_csv(view),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


router.include_router(mine)
router.include_router(report)

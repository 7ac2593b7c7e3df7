"""The internal route the gateway's data export reads (what interviews holds about one person; internal token
only, the gateway's public RBAC table has no row for it) and HR's per-company retention setting."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from interviews import privacy
from interviews.api import HrCaller, Now
from kit.auth import InternalCaller
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Command, View

router = APIRouter(tags=["privacy"])


@router.get("/internal/subjects/{userId}")
async def subject_export(
    user_id: Annotated[uuid.UUID, Path(alias="userId")], _: InternalCaller, session: ReadSession, now: Now
) -> dict[str, Any]:
    """Everything interviews holds about the person: invitations, answers and the decisions shown to them."""
    return await privacy.subject_export(session, str(user_id), now=now)


RetentionDays = Annotated[int, Field(ge=privacy.MIN_RETENTION_DAYS, le=privacy.MAX_RETENTION_DAYS)]


class SetRetention(Command):
    # null turns it off: candidates' data is then kept until they or HR delete it.
    retention_days: RetentionDays | None


class RetentionView(View):
    retention_days: int | None
    min_days: int = privacy.MIN_RETENTION_DAYS
    max_days: int = privacy.MAX_RETENTION_DAYS


@router.get("/api/retention")
async def get_retention(caller: HrCaller, session: ReadSession) -> RetentionView:
    """My company's retention: candidates' data is erased this many days after the decision (null: kept)."""
    return RetentionView(retention_days=await privacy.retention_of(session, caller.account_id))


@router.put("/api/retention")
async def set_retention(cmd: SetRetention, caller: HrCaller, db: Sessions, now: Now) -> RetentionView:
    """Set or turn off my company's retention (1 to 3650 days after the decision, or null)."""
    async with transaction(db) as session:
        days = await privacy.set_retention(session, cmd.retention_days, caller=caller, now=now)
    return RetentionView(retention_days=days)

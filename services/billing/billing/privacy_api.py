"""The internal route the gateway's data export reads: what billing holds about one person (internal token
only; the gateway's public RBAC table has no row for it)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path

from billing import privacy
from kit.auth import InternalCaller
from kit.db import ReadSession

router = APIRouter(tags=["privacy"])


@router.get("/internal/subjects/{userId}")
async def subject_export(
    user_id: Annotated[uuid.UUID, Path(alias="userId")], _: InternalCaller, session: ReadSession
) -> dict[str, Any]:
    """Everything billing holds about the person: their contact and the accounts they are billing contact of."""
    return await privacy.subject_export(session, str(user_id))

"""The internal route the gateway's data export reads: what analysis holds about one person (internal token
only; the gateway's public RBAC table has no row for it)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path

from analysis import privacy
from kit.auth import InternalCaller
from kit.db import ReadSession

router = APIRouter(tags=["privacy"])


@router.get("/internal/subjects/{userId}")
async def subject_export(
    user_id: Annotated[uuid.UUID, Path(alias="userId")], _: InternalCaller, session: ReadSession
) -> dict[str, Any]:
    """Everything analysis holds about the person: scores with their evidence, and transcripts."""
    return await privacy.subject_export(session, str(user_id))

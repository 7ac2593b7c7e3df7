"""The internal route the gateway's data export reads: what media holds about one person (internal token only;
the gateway's public RBAC table has no row for it)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path

from kit.auth import InternalCaller
from kit.db import ReadSession
from media import privacy
from media.api import SettingsDep, StorageDep

router = APIRouter(tags=["privacy"])


@router.get("/internal/subjects/{userId}")
async def subject_export(
    user_id: Annotated[uuid.UUID, Path(alias="userId")],
    _: InternalCaller,
    session: ReadSession,
    settings: SettingsDep,
    storage: StorageDep,
) -> dict[str, Any]:
    """Everything media holds about the person: recordings, transcripts and short-lived download links."""
    ttl = timedelta(seconds=settings.playback_url_ttl_s)
    return await privacy.subject_export(session, str(user_id), storage=storage, link_ttl=ttl)

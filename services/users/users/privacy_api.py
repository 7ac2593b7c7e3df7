"""Routes of a person's erasure: the request (the person only, confirming with their account's address) and the
report, read with the signed link from the mail (no sign-in: the account is gone by then). Answers in the users
service's `{success, data}` envelope."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from kit.auth import CurrentUser, InternalCaller
from kit.db import ReadSession, Sessions, transaction
from kit.domain import utcnow
from kit.schemas import Command, View
from users import privacy
from users.schemas import Ok
from users.settings import Settings
from users.storage import Avatars

router = APIRouter(tags=["privacy"])
UserPath = Annotated[uuid.UUID, Path(alias="userId")]
ErasurePath = Annotated[uuid.UUID, Path(alias="erasureId")]


class RequestErasure(Command):
    # Typed by the person as the confirmation that they mean it (the web app asks for it, with a plain warning).
    confirm_email: Annotated[str, Field(min_length=3, max_length=320)]


class ErasureRequested(View):
    erasure_id: uuid.UUID
    # The signed link's path and token: the web app shows it at once; the mail repeats it once all reported.
    report_path: str


class ServiceCounts(View):
    service: str
    counts: dict[str, int]
    reported_at: datetime | None


class ErasureReportView(View):
    erasure_id: uuid.UUID
    requested_at: datetime
    status: str
    completed_at: datetime | None
    services: list[ServiceCounts]
    waiting_for: list[str]

    @classmethod
    def of(cls, progress: privacy.Progress) -> ErasureReportView:
        report = progress.report
        status = "complete" if progress.complete else "incomplete" if report.notified_at else "in_progress"
        return cls(
            erasure_id=report.id,
            requested_at=report.requested_at,
            status=status,
            completed_at=report.completed_at,
            services=[
                ServiceCounts(service=s.service, counts=s.counts, reported_at=s.reported_at) for s in progress.services
            ],
            waiting_for=progress.waiting_for,
        )


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/users/{userId}/erasure", status_code=202)
async def request_erasure(
    user_id: UserPath, cmd: RequestErasure, request: Request, sessions: Sessions, caller: CurrentUser, avatars: Avatars
) -> Ok[ErasureRequested]:
    """Erase my account and everything the platform holds about me; the report follows by mail."""
    settings = _settings(request)
    async with transaction(sessions) as session:
        report, avatar = await privacy.request_erasure(
            session,
            user_id,
            confirm_email=cmd.confirm_email,
            caller=caller,
            now=utcnow(),
            report_within=timedelta(seconds=settings.erasure_report_deadline_s),
        )
    if avatar:
        await avatars.discard(avatar)
    key = settings.erasure_report_key.get_secret_value()
    return Ok(data=ErasureRequested(erasure_id=report.id, report_path=privacy.report_path(report.id, key)))


@router.get("/erasure-reports/{erasureId}")
async def erasure_report(
    erasure_id: ErasurePath, request: Request, session: ReadSession, token: Annotated[str, Query(max_length=100)]
) -> Ok[ErasureReportView]:
    """What each service erased for a request (counts only), for the holder of the report's signed link."""
    key = _settings(request).erasure_report_key.get_secret_value()
    return Ok(data=ErasureReportView.of(await privacy.report_of(session, erasure_id, token, key=key)))


@router.get("/internal/subjects/{userId}")
async def subject_export(user_id: UserPath, _: InternalCaller, session: ReadSession) -> dict[str, Any]:
    """Everything users holds about the person (internal: the gateway's data export reads it)."""
    return await privacy.subject_export(session, user_id)

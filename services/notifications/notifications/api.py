"""HTTP routes: each opens the transaction, calls one handler and answers with a view built after COMMIT.
Every signed-in user has an inbox and preferences, so the routes need an identity and no particular role;
the unsubscribe routes are public, the signed token being the credential."""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from kit.auth import CurrentUser
from kit.db import ReadSession, Sessions, transaction
from kit.schemas import Page, QueryModel
from notifications import commands, queries
from notifications.domain import Channel, InvalidUnsubscribeToken, UnsubscribeToken
from notifications.schemas import (
    MarkedRead,
    NotificationView,
    PreferencesView,
    Success,
    UnreadCount,
    UpdatePreferences,
)
from notifications.settings import Settings

router = APIRouter(prefix="/api")


async def current_time(request: Request) -> datetime:
    # The app's clock: utcnow in production, replaceable in tests that move time.
    return request.app.state.clock()  # type: ignore[no-any-return]


async def current_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


Now = Annotated[datetime, Depends(current_time)]
AppSettings = Annotated[Settings, Depends(current_settings)]
Token = Annotated[str, Query(min_length=1, max_length=2000, description="The signed token of the e-mail's link.")]

notifications = APIRouter(prefix="/notifications", tags=["notifications"])


class InboxQuery(BaseModel):
    """The list's query parameters, read in one validation (`kit.schemas.QueryModel`)."""

    model_config = ConfigDict(frozen=True)

    page: int | None = Field(default=None, ge=1, le=1_000_000)
    limit: int = Field(default=20, ge=1, le=1000)
    offset: int | None = Field(default=None, ge=0, le=10_000_000)
    channel: Channel | None = None
    unread: bool = False


INBOX_QUERY = QueryModel(InboxQuery)


@notifications.get("", openapi_extra=INBOX_QUERY.openapi)
async def list_notifications(caller: CurrentUser, session: ReadSession, request: Request) -> Page[NotificationView]:
    """The caller's notifications, newest first (`page`/`limit`, or the reference's `limit`/`offset`)."""
    query = INBOX_QUERY(request)
    return await queries.list_notifications(
        session,
        caller=caller,
        channel=query.channel,
        unread=query.unread,
        limit=query.limit,
        page=query.page,
        offset=query.offset,
    )


@notifications.get("/unread-count")
async def unread_count(caller: CurrentUser, session: ReadSession) -> UnreadCount:
    """How many of the caller's in-app notifications are unread."""
    return await queries.unread_count(session, caller=caller)


@notifications.post("/read-all", status_code=201)
async def mark_all_read(caller: CurrentUser, db: Sessions, now: Now) -> MarkedRead:
    """Mark every unread in-app notification of the caller read."""
    async with transaction(db) as session:
        count = await commands.mark_all_read(session, caller=caller, now=now)
    return MarkedRead(count=count)


_CONFIRM_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1f2933;">
<h1 style="font-size:20px;">{title}</h1><p>{message}</p>{form}</body></html>"""


def _page(title: str, message: str, form: str = "", *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        _CONFIRM_PAGE.format(title=html.escape(title), message=html.escape(message), form=form), status_code=status
    )


@notifications.get("/unsubscribe", response_class=HTMLResponse, status_code=200)
async def confirm_unsubscribe(token: Token, settings: AppSettings, now: Now) -> HTMLResponse:
    """A page asking to confirm the unsubscribe of an e-mail's link (no sign-in; the token is the credential)."""
    try:
        claims = UnsubscribeToken.verify(token, settings.unsubscribe_secret.get_secret_value().encode(), now=now)
    except InvalidUnsubscribeToken as exc:
        return _page("Unsubscribe", exc.message, status=400)
    kind = claims.template.replace("_", " ")
    form = (
        f'<form method="post" action="?token={html.escape(token)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit" style="padding:10px 16px;">Unsubscribe</button></form>'
    )
    return _page("Unsubscribe", f"Stop receiving “{kind}” e-mails?", form)


@notifications.post("/unsubscribe", response_class=HTMLResponse, status_code=200)
async def unsubscribe(token: Token, db: Sessions, settings: AppSettings, now: Now) -> HTMLResponse:
    """One-click unsubscribe (a mail client's `List-Unsubscribe-Post`, or the confirm page's button)."""
    try:
        async with transaction(db) as session:
            template = await commands.unsubscribe(
                session, token, secret=settings.unsubscribe_secret.get_secret_value().encode(), now=now
            )
    except InvalidUnsubscribeToken as exc:
        return _page("Unsubscribe", exc.message, status=400)
    kind = template.replace("_", " ")
    return _page("Unsubscribed", f"You will no longer receive “{kind}” e-mails.")


@notifications.post("/{notification_id}/read", status_code=201)
async def mark_read(notification_id: uuid.UUID, caller: CurrentUser, db: Sessions, now: Now) -> Success:
    """Mark one of the caller's notifications read."""
    async with transaction(db) as session:
        await commands.mark_read(session, notification_id, caller=caller, now=now)
    return Success()


preferences = APIRouter(prefix="/preferences", tags=["preferences"])


@preferences.get("")
async def get_preferences(caller: CurrentUser, session: ReadSession, now: Now) -> PreferencesView:
    """The caller's notification preferences (everything on until changed)."""
    return await queries.preferences(session, caller=caller, now=now)


@preferences.put("")
async def update_preferences(cmd: UpdatePreferences, caller: CurrentUser, db: Sessions, now: Now) -> Success:
    """Change the caller's preferences; `subscriptions` is merged key by key, an unknown key is refused."""
    async with transaction(db) as session:
        await commands.update_preferences(session, cmd, caller=caller, now=now)
    return Success()


router.include_router(notifications)
router.include_router(preferences)

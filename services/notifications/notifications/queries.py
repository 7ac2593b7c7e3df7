"""The read side: the caller's inbox, its unread count and preferences, and the in-app items after a stream
position (the live stream's replay). Every read is scoped to the caller's own notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.schemas import Page, total_of_page
from notifications.domain import Channel, Notification, Preferences
from notifications.schemas import NotificationView, PreferencesView, UnreadCount


async def list_notifications(
    session: AsyncSession,
    *,
    caller: Principal,
    channel: Channel | None,
    unread: bool,
    limit: int,
    page: int | None,
    offset: int | None,
) -> Page[NotificationView]:
    """Newest first. `offset` (the reference's paging) wins over `page` when given; the page it falls on is
    reported."""
    query = select(Notification).where(Notification.recipient_id == caller.user_id)
    if channel is not None:
        query = query.where(Notification.channel == channel)
    if unread:
        query = query.where(Notification.channel == Channel.IN_APP, Notification.read_at.is_(None))
    start = offset if offset is not None else ((page or 1) - 1) * limit
    rows = list(await session.scalars(query.order_by(Notification.seq.desc()).offset(start).limit(limit)))
    total = total_of_page(start, len(rows), limit)
    if total is None:
        total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Page[NotificationView].of(
        [NotificationView.of(n) for n in rows], total=total, page=start // limit + 1, limit=limit
    )


async def unread_count(session: AsyncSession, *, caller: Principal) -> UnreadCount:
    count = await session.scalar(
        select(func.count()).where(
            Notification.recipient_id == caller.user_id,
            Notification.channel == Channel.IN_APP,
            Notification.read_at.is_(None),
        )
    )
    return UnreadCount(count=count or 0)


async def preferences(session: AsyncSession, *, caller: Principal, now: datetime) -> PreferencesView:
    """The stored preferences, or the defaults (everything on) for a user who never changed them."""
    stored = await session.get(Preferences, caller.user_id)
    return PreferencesView.of(stored or Preferences.defaults(caller.user_id, now=now))


async def in_app_after(
    session: AsyncSession, recipient_id: str, after_seq: int, *, limit: int
) -> list[NotificationView]:
    """The recipient's in-app notifications after stream position `after_seq`, oldest first: what a client
    resuming with `Last-Event-ID` missed."""
    rows = await session.scalars(
        select(Notification)
        .where(
            Notification.recipient_id == recipient_id,
            Notification.channel == Channel.IN_APP,
            Notification.seq > after_seq,
        )
        .order_by(Notification.seq)
        .limit(limit)
    )
    return [NotificationView.of(n) for n in rows]

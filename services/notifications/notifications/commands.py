"""Write handlers, called by the api, the consumers and the worker inside their transaction: reading and
marking the inbox, preferences and unsubscribing, creating notifications (`notify`, which honours
preferences, never notifies twice for one event and skips what is stale), and the e-mail delivery steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from notifications import access
from notifications.domain import (
    SWITCHABLE,
    Channel,
    Notification,
    NotificationNotFound,
    NotificationStatus,
    Preferences,
    Recipient,
    Template,
    UnsubscribeToken,
)
from notifications.mailer import Email
from notifications.outlets import Outlets
from notifications.rendering import language_of, renderer
from notifications.schemas import NotificationView, UpdatePreferences
from notifications.settings import Settings

# -- the inbox ----------------------------------------------------------------------------------------------


async def mark_read(session: AsyncSession, notification_id: uuid.UUID, *, caller: Principal, now: datetime) -> None:
    notification = await session.get(Notification, notification_id)
    if notification is None:
        raise NotificationNotFound("This notification was not found; it may have been deleted")
    access.check_recipient(caller, notification)
    notification.mark_read(now)


async def mark_all_read(session: AsyncSession, *, caller: Principal, now: datetime) -> int:
    """Every unread in-app notification of the caller; returns how many were marked."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == caller.user_id,
            Notification.channel == Channel.IN_APP,
            Notification.read_at.is_(None),
        )
        .values(read_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- preferences --------------------------------------------------------------------------------------------


async def _preferences(session: AsyncSession, user_id: str, *, now: datetime) -> Preferences:
    stored = await session.get(Preferences, user_id, with_for_update=True)
    if stored is None:
        stored = Preferences.defaults(user_id, now=now)
        session.add(stored)
    return stored


async def update_preferences(
    session: AsyncSession, cmd: UpdatePreferences, *, caller: Principal, now: datetime
) -> None:
    preferences = await _preferences(session, caller.user_id, now=now)
    preferences.change(
        email_enabled=cmd.email_enabled,
        in_app_enabled=cmd.in_app_enabled,
        subscriptions=cmd.subscriptions,
        now=now,
    )


async def unsubscribe(session: AsyncSession, token: str, *, secret: bytes, now: datetime) -> str:
    """Switch off the template the signed token names for its user; returns the template. Using a token twice
    changes nothing more."""
    claims = UnsubscribeToken.verify(token, secret, now=now)
    preferences = await _preferences(session, claims.user_id, now=now)
    preferences.change(email_enabled=None, in_app_enabled=None, subscriptions={claims.template: False}, now=now)
    return claims.template


# -- creating notifications ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The event a notification answers; `key` makes one event notify each recipient once per channel."""

    key: str
    event_type: str
    occurred_at: datetime


@dataclass(frozen=True)
class Notifier:
    settings: Settings
    outlets: Outlets


async def notify(
    session: AsyncSession,
    recipient_id: str,
    template: Template,
    channels: tuple[Channel, ...],
    data: dict[str, Any],
    *,
    link: str | None,
    source: Source,
    notifier: Notifier,
    now: datetime,
    email: str | None = None,
    skip_reason: str | None = None,
) -> list[Notification]:
    """Store one notification per channel the recipient's preferences allow, and set off its delivery after
    COMMIT. A channel already notified for this source is left alone (a redelivered event); a source older
    than `max_event_age_h`, or a `skip_reason` given, is stored `skipped` with the reason and sends nothing."""
    settings = notifier.settings
    recipient, preferences, notified = await _addressee(session, recipient_id, source.key, template)
    address = email or (recipient.email if recipient else None)
    language = language_of(recipient.language if recipient else None)
    timezone = recipient.timezone if recipient else "UTC"
    age = now - source.occurred_at
    if skip_reason is None and age > timedelta(hours=settings.max_event_age_h):
        skip_reason = (
            f"The event is {age.total_seconds() / 3600:.0f} h old, older than {settings.max_event_age_h:g} h: "
            "it was replayed or delivered late, so nothing is sent."
        )
    title, body = renderer(settings.template_version).headline(template, data, language=language, timezone=timezone)
    wanted = [c for c in channels if preferences is None or preferences.allows(c, template)]
    created: list[Notification] = []
    for channel in wanted:
        if channel in notified:
            continue
        reason = skip_reason
        if reason is None and channel == Channel.EMAIL and not address:
            reason = "No e-mail address is known for this recipient."
        notification = Notification.create(
            recipient_id=recipient_id,
            recipient_email=address if channel == Channel.EMAIL else None,
            channel=channel,
            template=template,
            data=data,
            title=title,
            body=body,
            link=link,
            locale=language,
            event_id=source.key,
            event_type=source.event_type,
            now=now,
            skipped_because=reason,
        )
        session.add(notification)
        if notification.status == NotificationStatus.SENT:
            await session.flush()  # the stream position (`seq`) the published view carries
            notifier.outlets.published(session, NotificationView.of(notification))
        elif notification.status == NotificationStatus.PENDING:
            notifier.outlets.enqueued(session, notification.id)
        created.append(notification)
    return created


# The recipient, their preferences, and the channels a source already notified them on with a template, in one
# statement (they were three). Built once: building a statement per call costs CPU of the order of a statement.
_WHO = select(bindparam("recipient_id", type_=String).label("user_id")).subquery("who")
ADDRESSEE = (
    select(
        Recipient,
        Preferences,
        func.array(
            select(Notification.channel)
            .where(
                Notification.event_id == bindparam("key"),
                Notification.template == bindparam("template"),
                Notification.recipient_id == _WHO.c.user_id,
            )
            .scalar_subquery()
        ),
    )
    .select_from(_WHO)
    .outerjoin(Recipient, Recipient.user_id == _WHO.c.user_id)
    .outerjoin(Preferences, Preferences.user_id == _WHO.c.user_id)
)


async def _addressee(
    session: AsyncSession, recipient_id: str, key: str, template: Template
) -> tuple[Recipient | None, Preferences | None, set[Channel]]:
    """A recipient the trigger holds comes back as the same object, unchanged."""
    recipient, preferences, channels = (
        await session.execute(ADDRESSEE, {"recipient_id": recipient_id, "key": key, "template": template.value})
    ).one()
    return recipient, preferences, {Channel(c) for c in channels}


# -- e-mail delivery ----------------------------------------------------------------------------------------


async def due_emails(session: AsyncSession, *, now: datetime, claim_timeout: timedelta, limit: int) -> list[uuid.UUID]:
    """E-mails owed an attempt: pending and due, or claimed by an attempt that never reported back."""
    rows = await session.scalars(
        select(Notification.id)
        .where(
            Notification.channel == Channel.EMAIL,
            or_(
                (Notification.status == NotificationStatus.PENDING) & (Notification.next_attempt_at <= now),
                (Notification.status == NotificationStatus.QUEUED) & (Notification.updated_at <= now - claim_timeout),
            ),
        )
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    )
    return list(rows)


async def claim_email(
    session: AsyncSession, notification_id: uuid.UUID, *, settings: Settings, now: datetime
) -> Email | None:
    """Take a due e-mail for one attempt (`queued`) and compose it; None when it is not due any more (sent,
    failed, or another attempt holds it)."""
    # The recipient's time zone comes with the locked row (one statement); the recipient is read, not locked.
    row = (
        await session.execute(
            select(Notification, Recipient.timezone)
            .outerjoin(Recipient, Recipient.user_id == Notification.recipient_id)
            .where(Notification.id == notification_id)
            .with_for_update(of=Notification, skip_locked=True)
        )
    ).one_or_none()
    if row is None:
        return None
    notification, timezone = row
    if notification.channel != Channel.EMAIL:
        return None
    stale_claim = notification.status == NotificationStatus.QUEUED and notification.updated_at <= now - timedelta(
        seconds=settings.email_claim_timeout_s
    )
    if stale_claim:
        notification.status = NotificationStatus.PENDING
    if notification.status == NotificationStatus.PENDING and (notification.next_attempt_at or now) > now:
        return None
    if not notification.claim(now):
        return None
    return compose(notification, settings=settings, timezone=timezone or "UTC", now=now)


def compose(notification: Notification, *, settings: Settings, timezone: str, now: datetime) -> Email:
    """The e-mail of a notification: its template in the recipient's language and time zone, with absolute
    links, and the one-click unsubscribe headers for a template the recipient may switch off."""
    unsubscribe_url: str | None = None
    headers: dict[str, str] = {}
    if notification.template in SWITCHABLE:
        token = UnsubscribeToken(
            user_id=notification.recipient_id,
            template=notification.template,
            expires_at=now + timedelta(days=settings.unsubscribe_ttl_days),
        ).sign(settings.unsubscribe_secret.get_secret_value().encode())
        unsubscribe_url = f"{settings.public_api_url}/api/notifications/unsubscribe?token={token}"
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    rendered = renderer(settings.template_version).email(
        notification.template,
        notification.data,
        language=notification.locale,
        timezone=timezone,
        links={
            "web_url": settings.web_url,
            "link": f"{settings.web_url}{notification.link}" if notification.link else None,
            "unsubscribe_url": unsubscribe_url,
            "year": now.year,
        },
    )
    headers["X-Notification-Id"] = str(notification.id)
    return Email(
        to=notification.recipient_email or "",
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        headers=headers,
    )


async def record_attempt(
    session: AsyncSession, notification_id: uuid.UUID, error: str | None, *, settings: Settings, now: datetime
) -> None:
    """The outcome of an attempt: sent, or a retry after a backoff, or failed once the attempts are spent
    (the outbox carries `notification.sent`/`notification.failed`)."""
    notification = await session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.status != NotificationStatus.QUEUED:
        return
    if error is None:
        notification.delivered(now)
    else:
        notification.attempt_failed(
            error,
            now=now,
            max_attempts=settings.email_max_attempts,
            backoff_base=timedelta(seconds=settings.email_backoff_base_s),
        )

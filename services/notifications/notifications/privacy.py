"""A data subject's erasure as far as notifications holds them: the person's inbox and e-mail log (rows that
carry their address), preferences and contact projection; and, per erased invitation, its projection, every
notification about it (HR's too, which name the candidate) and the stored webhook payloads that carried it.
Counts go to the requester's erasure report; no address or content does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Delete, String, cast, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.privacy import (
    ErasureReportReady,
    InvitationErased,
    NotificationsSubjectErased,
    SubjectErasureRequested,
)
from kit.erasure import forget_published
from kit.outbox import stage
from notifications.commands import Notifier, Source, notify
from notifications.domain import Channel, InvitationView, Notification, Preferences, Recipient, Template
from notifications.webhooks.domain import WebhookDelivery

SERVICE = "notifications"


async def _count(session: AsyncSession, statement: Delete) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def erase_subject(session: AsyncSession, event: SubjectErasureRequested, *, now: datetime) -> None:
    user_id = str(event.user_id)
    counts = {
        "notifications": await _count(session, delete(Notification).where(Notification.recipient_id == user_id)),
        "invitationProjections": await _count(
            session, delete(InvitationView).where(InvitationView.candidate_id == user_id)
        ),
        "preferences": await _count(session, delete(Preferences).where(Preferences.user_id == user_id)),
        "contacts": await _count(session, delete(Recipient).where(Recipient.user_id == user_id)),
        "publishedEvents": await forget_published(session, [user_id, event.email]),
    }
    stage(
        session,
        NotificationsSubjectErased(
            erasure_id=event.erasure_id, service=SERVICE, scope="subject", counts=counts, erased_at=now
        ),
        aggregate_id=event.erasure_id,
    )


async def erase_invitation(session: AsyncSession, event: InvitationErased, *, now: datetime) -> None:
    invitation_id = event.invitation_id
    counts = {
        "invitationProjections": await _count(
            session, delete(InvitationView).where(InvitationView.invitation_id == invitation_id)
        ),
        "notifications": await _count(
            session, delete(Notification).where(Notification.data["invitationId"].astext == invitation_id)
        ),
        # A delivery's body is the event as sent; an invitation id (a UUID) appears in no other one's.
        "webhookDeliveries": await _count(
            session,
            delete(WebhookDelivery).where(cast(WebhookDelivery.payload, String).contains(invitation_id)),
        ),
        "publishedEvents": await forget_published(session, [invitation_id]),
    }
    if event.erasure_id is None:
        return
    stage(
        session,
        NotificationsSubjectErased(
            erasure_id=event.erasure_id, service=SERVICE, scope=invitation_id, counts=counts, erased_at=now
        ),
        aggregate_id=event.erasure_id,
    )


async def subject_export(session: AsyncSession, user_id: str) -> dict[str, Any]:
    """The person's inbox and e-mails (what was sent, when, to which address) and their preferences."""
    found = await session.scalars(
        select(Notification).where(Notification.recipient_id == user_id).order_by(Notification.created_at)
    )
    preferences = await session.get(Preferences, user_id)
    return {
        "notifications": [
            {
                "channel": n.channel,
                "template": n.template,
                "title": n.title,
                "body": n.body,
                "status": n.status,
                "sentTo": n.recipient_email,
                "createdAt": n.created_at,
                "sentAt": n.sent_at,
                "readAt": n.read_at,
            }
            for n in found.all()
        ],
        "preferences": None
        if preferences is None
        else {
            "emailEnabled": preferences.email_enabled,
            "inAppEnabled": preferences.in_app_enabled,
            "subscriptions": preferences.subscriptions,
        },
    }


async def mail_erasure_report(
    session: AsyncSession, event: ErasureReportReady, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    """The erased person gets the report's signed link at the address they had. The account is gone, so the
    e-mail belongs to the erasure request, not to a user; the address is dropped once it was sent or given up
    (`FORGET_ADDRESS`), and a redelivered event sends nothing twice."""
    await notify(
        session,
        f"erasure:{event.erasure_id}",
        Template.ERASURE_REPORT,
        (Channel.EMAIL,),
        {"complete": event.complete},
        link=event.report_path,
        source=source,
        notifier=notifier,
        now=now,
        email=event.email,
    )

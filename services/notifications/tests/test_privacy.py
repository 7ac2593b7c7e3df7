"""A candidate's erasure as notifications applies it: their inbox and e-mail log, preferences and contact go; per
erased invitation its projection and every notification about it (HR's too) go; the report counts them, never an
address; a redelivery changes nothing; retention erases without a report."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts.privacy import InvitationErased, SubjectErasureRequested
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN
from notifications.domain import InvitationView, Notification, Preferences, Recipient

from .conftest import envelope, invitation_created

T = datetime(2030, 1, 16, tzinfo=UTC)


async def traces(sessions: async_sessionmaker[AsyncSession], user_id: str, invitation_id: str) -> int:
    async with sessions() as session:
        found = 0
        for query in (
            select(func.count())
            .select_from(Notification)
            .where(
                or_(Notification.recipient_id == user_id, Notification.data["invitationId"].astext == invitation_id)
            ),
            select(func.count()).select_from(InvitationView).where(InvitationView.invitation_id == invitation_id),
            select(func.count()).select_from(Recipient).where(Recipient.user_id == user_id),
            select(func.count()).select_from(Preferences).where(Preferences.user_id == user_id),
        ):
            found += int(await session.scalar(query) or 0)
        return found


async def reports(sessions: async_sessionmaker[AsyncSession], erasure_id: uuid.UUID) -> list[dict[str, Any]]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.key == str(erasure_id)))
        return [r.payload["payload"] for r in rows.all()]


async def test_an_erased_candidate_leaves_no_inbox_mail_log_contact_or_invitation_trace_and_reports_counts(
    apply: Any, client: Any, candidate: Any, hr: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    invited = invitation_created(candidate, hr, expires_at=T + timedelta(days=7))
    await apply(invited)
    put = await client.put("/api/preferences", json={"subscriptions": {"invitation": False}}, headers=candidate.headers)
    assert put.status_code == 200, put.text
    assert await traces(sessions, candidate.id, invited.invitation_id) > 0
    erasure_id = uuid.uuid4()
    requested = envelope(
        SubjectErasureRequested(
            erasure_id=erasure_id, user_id=uuid.UUID(candidate.id), email=candidate.email, requested_at=T
        )
    )
    erased = envelope(
        InvitationErased(invitation_id=invited.invitation_id, erasure_id=erasure_id, reason="subject", erased_at=T)
    )

    assert [await apply(e) for e in (requested, erased, requested, erased)] == [True, True, False, False]

    assert await traces(sessions, candidate.id, invited.invitation_id) == 0
    found = await reports(sessions, erasure_id)
    assert {r["scope"] for r in found} == {"subject", invited.invitation_id}
    subject = next(r for r in found if r["scope"] == "subject")
    assert subject["counts"]["notifications"] >= 1 and subject["counts"]["contacts"] == 1
    assert subject["counts"]["preferences"] == 1
    assert candidate.email not in str(found)


async def test_a_retention_erasure_removes_hr_notifications_about_the_invitation_without_a_report(
    apply: Any, candidate: Any, hr: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    invited = invitation_created(candidate, hr, expires_at=T + timedelta(days=7))
    await apply(invited)

    await apply(InvitationErased(invitation_id=invited.invitation_id, erasure_id=None, reason="retention", erased_at=T))

    async with sessions() as session:
        about = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.data["invitationId"].astext == invited.invitation_id)
        )
        projection = await session.get(InvitationView, invited.invitation_id)
        reported = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.event_type == "subject.erased")
            .where(OutboxMessage.payload["payload"]["scope"].astext == invited.invitation_id)
        )
    assert (about, projection, reported) == (0, None, 0)


async def test_the_export_holds_the_candidates_inbox_and_mail_log_and_needs_the_internal_token(
    apply: Any, client: Any, candidate: Any, hr: Any
) -> None:
    await apply(invitation_created(candidate, hr, expires_at=T + timedelta(days=7)))

    exported = await client.get(f"/internal/subjects/{candidate.id}", headers={"x-internal-token": INTERNAL_TOKEN})
    anonymous = await client.get(f"/internal/subjects/{candidate.id}", headers={"x-internal-token": "wrong"})

    assert exported.status_code == 200, exported.text
    sent = exported.json()["notifications"]
    assert sent and {n["channel"] for n in sent} >= {"email"}
    assert {n["sentTo"] for n in sent if n["channel"] == "email"} == {candidate.email}
    assert anonymous.status_code == 401

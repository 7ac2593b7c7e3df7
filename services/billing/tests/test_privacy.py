"""A candidate's erasure as billing applies it: their contact goes, usage counted under an erased invitation stays
as a count but no longer names the invitation, the report says so once, and a redelivery changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.domain import Contact, UsageItem
from kit.contracts import media, users
from kit.contracts.privacy import InvitationErased, SubjectErasureRequested
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN, Caller

from .conftest import Apply, envelope
from .test_usage import invitation

T = datetime(2030, 1, 16, tzinfo=UTC)


async def test_an_erased_candidate_leaves_usage_as_a_count_that_names_nobody(
    client: httpx.AsyncClient, apply: Apply, hr: Caller, candidate: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    invitation_id, recordings = str(uuid.uuid4()), [str(uuid.uuid4()), str(uuid.uuid4())]
    await apply(invitation(hr.id, invitation_id))
    for media_id in recordings:
        await apply(
            media.MediaProcessed(
                media_id=media_id, owner_id=candidate.id, invitation_id=invitation_id, question_id=str(uuid.uuid4()),
                kind="video", size=1000, container="webm", duration_seconds=2.0, video_codec="vp8",
                audio_codec="opus", width=160, height=120,
            )
        )  # fmt: skip
    await apply(
        users.UserCreated(
            user_id=uuid.UUID(candidate.id),
            company_id=uuid.UUID(candidate.id),
            external_auth_id="kc-1",
            email="cara@example.com",
            first_name="Cara",
            last_name="Diaz",
            status="active",
            role="candidate",
            created_at=T,
        )
    )
    quota = f"/api/billing/internal/quota/{hr.id}/interviews"
    internal = {"x-internal-token": INTERNAL_TOKEN}
    before = (await client.get(quota, headers=internal)).json()["used"]
    erasure_id = uuid.uuid4()
    requested = envelope(
        SubjectErasureRequested(
            erasure_id=erasure_id, user_id=uuid.UUID(candidate.id), email="cara@example.com", requested_at=T
        )
    )
    erased = envelope(
        InvitationErased(
            invitation_id=invitation_id, erasure_id=erasure_id, reason="subject", erased_at=T, media_ids=recordings
        )
    )

    assert [await apply(e) for e in (requested, erased, requested, erased)] == [True, True, False, False]

    assert (await client.get(quota, headers=internal)).json()["used"] == before == 1
    async with sessions() as session:
        named = await session.scalar(
            select(func.count()).select_from(UsageItem).where(UsageItem.key.in_([invitation_id, *recordings]))
        )
        stored = await session.scalar(
            select(func.sum(UsageItem.amount)).where(UsageItem.key.startswith("erased:"), UsageItem.company_id == hr.id)
        )
        contact = await session.get(Contact, candidate.id)
        reports = (await session.scalars(select(OutboxMessage).where(OutboxMessage.key == str(erasure_id)))).all()
    assert (named, contact) == (0, None)
    # The interview (1) and its recordings' stored bytes (2 x 1000) still count, under keys that name nothing.
    assert stored == 2001
    assert sorted((r.payload["payload"]["scope"], r.payload["payload"]["counts"]) for r in reports) == sorted(
        [
            ("subject", {"contacts": 1, "billingContactsCleared": 0, "publishedEvents": 0}),
            (invitation_id, {"usageKeptAsCounts": 3, "publishedEvents": 0}),
        ]
    )


async def test_the_export_holds_the_candidates_contact_and_needs_the_internal_token(
    client: httpx.AsyncClient, apply: Apply, candidate: Caller
) -> None:
    await apply(
        users.UserCreated(
            user_id=uuid.UUID(candidate.id),
            company_id=uuid.UUID(candidate.id),
            external_auth_id="kc-2",
            email="cara@example.com",
            first_name="Cara",
            last_name="Diaz",
            status="active",
            role="candidate",
            created_at=T,
        )
    )

    exported = await client.get(f"/internal/subjects/{candidate.id}", headers={"x-internal-token": INTERNAL_TOKEN})
    anonymous = await client.get(f"/internal/subjects/{candidate.id}")

    assert exported.status_code == 200, exported.text
    assert exported.json() == {"contact": {"name": "Cara Diaz", "email": "cara@example.com"}, "billingContactOf": []}
    assert anonymous.status_code == 401

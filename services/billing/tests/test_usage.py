"""Usage metered from events: every counter equals the distinct things counted, whatever the redeliveries
(the same envelope again, or the same thing under a new event id)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from kit.contracts import analysis, interviews, media, users
from kit.testing import INTERNAL_TOKEN, Caller

from .conftest import Apply, envelope


def invitation(account_id: str, invitation_id: str | None = None) -> interviews.InvitationCreated:
    return interviews.InvitationCreated(
        invitation_id=invitation_id or str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend Engineer",
        candidate_id=str(uuid.uuid4()),
        company_id=account_id,
        company_name="Acme",
        invited_by=account_id,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def template(account_id: str) -> interviews.TemplateCreated:
    return interviews.TemplateCreated(
        template_id=str(uuid.uuid4()), title="T", description="", created_by=account_id, company_id=account_id
    )


def analysis_done(account_id: str, invitation_id: str, tokens: int) -> analysis.AnalysisCompleted:
    return analysis.AnalysisCompleted(
        analysis_id=uuid.uuid4(),
        invitation_id=uuid.UUID(invitation_id),
        company_id=account_id,
        questions_analyzed=3,
        processing_time_ms=10,
        total_tokens_used=tokens,
        engine="offline",
        occurred_at=datetime.now(UTC),
        overall_score=70,
        recommendation="consider",
    )


async def usage_of(client: httpx.AsyncClient, hr: Caller) -> dict[str, float]:
    response = await client.get("/api/billing/usage", headers=hr.headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["usage"])


async def test_counters_equal_distinct_things_after_duplicate_deliveries(
    client: httpx.AsyncClient, apply: Apply, hr: Caller
) -> None:
    invitation_id = str(uuid.uuid4())
    created = envelope(invitation(hr.id, invitation_id))
    tpl = envelope(template(hr.id))
    tokens = envelope(analysis_done(hr.id, invitation_id, 1200))
    stored = envelope(
        media.MediaProcessed(
            media_id=str(uuid.uuid4()), owner_id=str(uuid.uuid4()), invitation_id=invitation_id,
            question_id=str(uuid.uuid4()), kind="video", size=3 * 1024 * 1024, container="webm",
            duration_seconds=3.0, video_codec="vp8", audio_codec="opus", width=640, height=480,
        )
    )  # fmt: skip
    company = envelope(
        users.CompanyCreated(company_id=uuid.UUID(hr.id), name="Acme", created_by=uuid.UUID(hr.id),
                             created_at=datetime.now(UTC))
    )  # fmt: skip

    for wrapped in (created, tpl, tokens, stored, company):
        assert await apply(wrapped) is True
        assert await apply(wrapped) is False  # the same envelope: processed_messages
        # The same thing under a new event id: the item key.
        assert await apply(wrapped.model_copy(update={"event_id": uuid.uuid4()})) is True

    usage = await usage_of(client, hr)
    assert (usage["interviewsUsed"], usage["templatesUsed"], usage["teamMembersUsed"]) == (1, 1, 1)
    assert (usage["analysisTokensUsed"], usage["storageUsedMb"]) == (1200, 3.0)


async def test_an_invitation_confirms_its_reservation_and_its_cancellation_frees_the_slot(
    client: httpx.AsyncClient, apply: Apply, hr: Caller
) -> None:
    invitation_id = str(uuid.uuid4())
    path = f"/api/billing/internal/quota/{hr.id}/interviews"
    internal = {"x-internal-token": INTERNAL_TOKEN}
    assert (await client.post(f"{path}/reservations", json={"key": invitation_id}, headers=internal)).status_code == 201

    await apply(invitation(hr.id, invitation_id))
    assert (await client.get(path, headers=internal)).json()["used"] == 1

    await apply(
        interviews.InvitationCancelled(invitation_id=invitation_id, company_id=hr.id, candidate_id=str(uuid.uuid4()),
                                       cancelled_at=datetime.now(UTC), template_title="T")
    )  # fmt: skip

    assert (await client.get(path, headers=internal)).json()["used"] == 0
    # A late redelivery of the creation under a new id does not bring it back.
    await apply(invitation(hr.id, invitation_id))
    assert (await usage_of(client, hr))["interviewsUsed"] == 0


async def test_an_archived_template_no_longer_counts(client: httpx.AsyncClient, apply: Apply, hr: Caller) -> None:
    created = template(hr.id)
    await apply(created)
    await apply(template(hr.id))

    await apply(interviews.TemplateDeleted(template_id=created.template_id))

    assert (await usage_of(client, hr))["templatesUsed"] == 1


async def test_a_user_contact_becomes_the_billing_email_of_the_account_it_touched(
    client: httpx.AsyncClient, apply: Apply, hr: Caller
) -> None:
    await client.get("/api/billing/subscription", headers=hr.headers)

    await apply(
        users.UserUpdated(user_id=uuid.UUID(hr.id), external_auth_id="kc", email=hr.email, first_name="Grace",
                          last_name="Hopper", role="hr", updated_at=datetime.now(UTC))
    )  # fmt: skip

    admin = Caller("admin")
    accounts = (await client.get("/api/billing/admin/accounts?limit=1000", headers=admin.headers)).json()["data"]
    [mine] = [a for a in accounts if a["companyId"] == hr.id]
    assert mine["billingEmail"] == hr.email

"""E-mail through Resend's official SDK, pointed at the local stand-in: the same message as over SMTP (HTML,
text, unsubscribe headers), and a refusal of the API is a failed attempt with Resend's reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from notifications import worker
from notifications.domain import Channel, Notification
from notifications.mailer import make_mailer
from standins.resend import ResendStandIn

from .conftest import invitation_created


@pytest.fixture
async def resend_api() -> AsyncIterator[ResendStandIn]:
    stand_in = ResendStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def resend_mailer(settings: Any, stand_in: ResendStandIn) -> Any:
    return make_mailer(
        settings.model_copy(
            update={
                "email_provider": "resend",
                "resend_api_url": stand_in.base_url,
                "resend_api_key": SecretStr(stand_in.api_key),
            }
        )
    )


async def test_the_resend_provider_sends_the_same_email_through_the_official_sdk(
    resend_api: ResendStandIn, settings: Any, apply: Any, worker_ctx: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    worker_ctx["mailer"] = resend_mailer(settings, resend_api)
    event = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(event)

    assert await worker.sweep_emails(worker_ctx) == 1
    [email] = resend_api.emails
    assert email["to"] == [candidate.email]
    assert email["subject"] == "You have been invited to an interview"
    assert f"/interview/{event.invitation_id}" in email["text"]
    assert f"/interview/{event.invitation_id}" in email["html"]
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_resend_error_is_a_failed_attempt_with_its_reason(
    resend_api: ResendStandIn, settings: Any, apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any,
    clock: Any,
) -> None:  # fmt: skip
    resend_api.failing = True
    worker_ctx["mailer"] = resend_mailer(settings, resend_api)
    await apply(invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7)))

    assert await worker.sweep_emails(worker_ctx) == 0
    async with sessions() as session:
        [email] = await session.scalars(
            select(Notification).where(Notification.recipient_id == candidate.id, Notification.channel == Channel.EMAIL)
        )
    assert email.retry_count == 1
    assert "Resend" in (email.error or "") and "Something went wrong" in (email.error or "")

"""Blind review (issue 18): while reviewers must rate an interview before they see the AI's analysis (its
template is `blindToAi`, or the candidate asked for a human-only review; interviews says so with
`invitation.completed`'s `aiBlind`), the inviting HR user's analysis-ready e-mail and in-app item, and the
`analysis.completed` webhook, tell that the analysis is ready without its score or verdict. Until notifications
knows the interview is not rated blind, it counts as blind."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kit.contracts import analysis, interviews
from kit.db import transaction
from notifications import worker
from notifications.domain import Channel, Notification, Recipient, Template
from notifications.webhooks.domain import WebhookDelivery, WebhookEndpoint

from .conftest import invitation_completed, invitation_created

SCORE_LINE = "Overall score: 87 / 100. Recommendation: consider."
RATE_FIRST = "open the review to rate first"
# What would give the score or verdict away (the links' ids and tokens may hold any digits, so not "87" alone).
GIVEAWAYS = ("87 / 100", "score 87", "Overall score", "Recommendation", "consider")


def analysed(created: interviews.InvitationCreated, at: datetime) -> analysis.AnalysisCompleted:
    return analysis.AnalysisCompleted(
        analysis_id=uuid.uuid4(),
        invitation_id=uuid.UUID(created.invitation_id),
        candidate_id=created.candidate_id,
        template_id=created.template_id,
        company_id=created.company_id,
        hr_user_id=created.invited_by,
        hr_email=created.hr_email,
        candidate_name="Ada Lovelace",
        template_title=created.template_title,
        questions_analyzed=3,
        processing_time_ms=1200,
        total_tokens_used=900,
        engine="offline",
        occurred_at=at,
        overall_score=87,
        recommendation="consider",
        criteria_scores={"clarity": 91.0},
    )


async def analysis_ready(sessions: Any, hr_id: str, channel: Channel) -> Notification:
    async with sessions() as session:
        return (
            await session.scalars(
                select(Notification).where(
                    Notification.recipient_id == hr_id,
                    Notification.template == Template.ANALYSIS_READY,
                    Notification.channel == channel,
                )
            )
        ).one()


async def analysis_email(mailpit: Any, address: str) -> dict[str, Any]:
    """The analysis-ready e-mail among HR's (the interview-completed e-mail is the other one)."""
    found = await mailpit.wait_for(address, 2)
    [ready] = [m for m in found if m["Subject"] == "AI Analysis is ready for review"]
    return dict(await mailpit.message(ready["ID"]))


async def test_a_blind_interview_s_analysis_ready_email_and_in_app_item_hold_no_score_or_verdict(
    apply: Any, worker_ctx: Any, sessions: Any, mailpit: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(created)
    await apply(invitation_completed(created, at=clock.now, ai_blind=True))
    await apply(analysed(created, clock.now))

    await worker.sweep_emails(worker_ctx)
    message = await analysis_email(mailpit, hr.email)
    in_app = await analysis_ready(sessions, hr.id, Channel.IN_APP)
    email = await analysis_ready(sessions, hr.id, Channel.EMAIL)

    for shown in (message["Text"], message["HTML"], in_app.title, in_app.body):
        assert [giveaway for giveaway in GIVEAWAYS if giveaway in shown] == []
    assert RATE_FIRST in message["Text"]
    assert RATE_FIRST in message["HTML"]
    assert in_app.body == f"The analysis of Ada Lovelace is ready: {RATE_FIRST}."
    # The stored data is what the inbox serves: the score is not kept either.
    for stored in (in_app, email):
        assert "score" not in stored.data
        assert "recommendation" not in stored.data


async def test_an_interview_not_rated_blind_still_tells_hr_the_score_and_verdict(
    apply: Any, worker_ctx: Any, sessions: Any, mailpit: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(created)
    await apply(invitation_completed(created, at=clock.now, ai_blind=False))
    await apply(analysed(created, clock.now))

    await worker.sweep_emails(worker_ctx)
    message = await analysis_email(mailpit, hr.email)
    in_app = await analysis_ready(sessions, hr.id, Channel.IN_APP)

    assert SCORE_LINE in message["Text"]
    assert SCORE_LINE in message["HTML"]
    assert RATE_FIRST not in message["Text"]
    assert in_app.body == "The analysis of Ada Lovelace is ready: score 87, consider."


async def test_an_analysis_announced_before_notifications_knows_whether_the_review_is_blind_counts_as_blind(
    apply: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(created)
    await apply(analysed(created, clock.now))

    in_app = await analysis_ready(sessions, hr.id, Channel.IN_APP)

    assert in_app.body == f"The analysis of Ada Lovelace is ready: {RATE_FIRST}."
    assert "score" not in in_app.data


async def test_a_german_hr_user_is_told_in_german_to_rate_a_blind_interview_first(
    apply: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(created)
    async with transaction(sessions) as session:
        recipient = await session.get(Recipient, hr.id)
        assert recipient is not None
        recipient.language = "de"
    await apply(invitation_completed(created, at=clock.now, ai_blind=True))
    await apply(analysed(created, clock.now))

    in_app = await analysis_ready(sessions, hr.id, Channel.IN_APP)

    assert in_app.body == (
        "Die Analyse von Ada Lovelace ist bereit: Öffnen Sie die Bewertung, um zuerst selbst zu bewerten."
    )


BLIND_DATA = {"aiHidden": True}
FIGURES = {"overallScore": 87, "recommendation": "consider", "criteriaScores": {"clarity": 91.0}}


@pytest.mark.parametrize(("ai_blind", "sent"), [(True, BLIND_DATA), (False, FIGURES)], ids=["blind", "not-blind"])
async def test_the_analysis_completed_webhook_omits_the_score_and_verdict_of_an_interview_rated_blind(
    ai_blind: bool, sent: dict[str, Any], apply: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    async with transaction(sessions) as session:
        endpoint = WebhookEndpoint.create(
            company_id=created.company_id,
            url="https://ats.example.test/hook",
            events=["analysis.completed"],
            created_by=hr.id,
            now=clock.now,
        )
        session.add(endpoint)
    await apply(created)
    await apply(invitation_completed(created, at=clock.now, ai_blind=ai_blind))
    await apply(analysed(created, clock.now))

    async with sessions() as session:
        [delivery] = await session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    data = delivery.payload["data"]

    assert (delivery.payload["type"], data["invitationId"]) == ("analysis.completed", created.invitation_id)
    assert {key: data[key] for key in (*FIGURES, *BLIND_DATA) if key in data} == sent
    # The rest of the analysis (what it rests on) goes either way.
    assert (data["questionsAnalyzed"], data["engine"]) == (3, "offline")

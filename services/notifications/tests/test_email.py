"""E-mail end to end against the local stack's Mailpit: every template rendered and delivered (subject,
recipient, link, HTML and text parts, one-click unsubscribe headers), the candidate's language and time zone,
links into the web app, preferences, stale events, and the outcome events through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kit.contracts import users
from kit.db import transaction
from kit.testing import outbox_events
from notifications import commands, worker
from notifications.commands import Notifier, Source
from notifications.domain import SWITCHABLE, Channel, Notification, NotificationStatus, Recipient, Template

from .conftest import invitation_completed, invitation_created

SAMPLES: dict[Template, tuple[dict[str, Any], str | None, str]] = {
    Template.WELCOME: ({"name": "Grace", "role": "hr"}, "/dashboard", "Hello Grace"),
    Template.INVITATION: (
        {"name": "Ada", "company": "Acme", "templateTitle": "Backend", "expiresAt": "2031-03-01T12:00:00+00:00"},
        "/interview/inv-1",
        "until March 1, 2031, 12:00 (UTC)",
    ),
    Template.INVITATION_REMINDER: (
        {
            "name": "Ada",
            "company": "Acme",
            "templateTitle": "Backend",
            "hoursLeft": 24,
            "expiresAt": "2031-03-01T12:00:00+00:00",
        },
        "/interview/inv-1",
        "expires in 24 hours",
    ),
    Template.INTERVIEW_STARTED: ({"candidateName": "Ada", "templateTitle": "Backend"}, "/hr/invitations", "Ada"),
    Template.INTERVIEW_COMPLETED: (
        {"candidateName": "Ada", "templateTitle": "Backend", "responseCount": 5},
        "/hr/review/inv-1",
        "with 5 responses",
    ),
    Template.ANALYSIS_READY: (
        {"candidateName": "Ada", "templateTitle": "Backend", "score": 87, "recommendation": "hire"},
        "/hr/review/inv-1",
        "Overall score: 87 / 100",
    ),
    Template.ANALYSIS_FAILED: (
        {"candidateName": "Ada", "templateTitle": "Backend", "error": "The model timed out"},
        "/hr/review/inv-1",
        "Reason: The model timed out",
    ),
    Template.CANDIDATE_APPROVED: (
        {"candidateName": "Ada", "templateTitle": "Backend", "companyName": "Acme", "note": "Welcome aboard"},
        "/candidate/results/inv-1",
        "Their note: Welcome aboard",
    ),
    Template.CANDIDATE_REJECTED: (
        {"candidateName": "Ada", "templateTitle": "Backend", "companyName": "Acme", "note": None},
        "/candidate/results/inv-1",
        "decided not to move forward",
    ),
    Template.PAYMENT_CONFIRMED: ({"planName": "Pro"}, "/pricing", "Pro subscription is active"),
    Template.PAYMENT_FAILED: ({"planName": "Pro"}, "/pricing", "payment for your Pro subscription"),
    Template.QUOTA_EXCEEDED: (
        {"resource": "interviews", "planName": "Free", "currentUsage": 3, "limit": 3},
        "/pricing",
        "used 3 of the 3 interviews",
    ),
    Template.WEEKLY_DIGEST: (
        {
            "name": "Grace",
            "completedInterviews": 4,
            "newCandidates": 7,
            "pendingReviews": 2,
            "periodStart": "2031-02-24T09:00:00+00:00",
            "periodEnd": "2031-03-03T09:00:00+00:00",
        },
        "/hr/dashboard",
        "Pending reviews: 2",
    ),
    Template.INVITATION_EXTENDED: (
        {"name": "Ada", "company": "Acme", "templateTitle": "Backend", "expiresAt": "2031-03-08T12:00:00+00:00"},
        "/interview/inv-1",
        "until March 8, 2031, 12:00 (UTC)",
    ),
    Template.INVITATION_RESET: (
        {"name": "Ada", "company": "Acme", "templateTitle": "Backend", "expiresAt": "2031-03-08T12:00:00+00:00"},
        "/interview/inv-1",
        "you can start again from the beginning",
    ),
    Template.REVIEW_MENTIONED: (
        {"authorName": "Grace", "candidateName": "Ada", "templateTitle": "Backend"},
        "/hr/review/inv-1",
        "Grace mentioned you in their note on Ada's interview",
    ),
    Template.ERASURE_REPORT: (
        {"complete": True},
        "/privacy/erasure/e-1?token=signed.part",
        "Every part of the platform has confirmed what it deleted.",
    ),
    Template.WEBHOOK_DISABLED: (
        {
            "url": "https://ats.example.com/hook",
            "reason": "Disabled after 10 consecutive failed deliveries",
            "failureCount": 10,
        },
        "/hr/companies/company-1/webhooks",
        "Failed deliveries in a row: 10",
    ),
}

SUBJECTS = {
    Template.WELCOME: "Welcome to AI Interview Platform",
    Template.INVITATION: "You have been invited to an interview",
    Template.INVITATION_REMINDER: "Interview Reminder - Don't forget!",
    Template.INTERVIEW_STARTED: "A candidate has started their interview",
    Template.INTERVIEW_COMPLETED: "Interview completed - review responses",
    Template.ANALYSIS_READY: "AI Analysis is ready for review",
    Template.ANALYSIS_FAILED: "AI Analysis could not be completed",
    Template.CANDIDATE_APPROVED: "Congratulations! You have been approved",
    Template.CANDIDATE_REJECTED: "Update on your interview",
    Template.PAYMENT_CONFIRMED: "Payment confirmed - subscription active",
    Template.PAYMENT_FAILED: "Payment failed - action required",
    Template.QUOTA_EXCEEDED: "You have reached your usage limit",
    Template.WEEKLY_DIGEST: "Your weekly interview summary",
    Template.WEBHOOK_DISABLED: "Your webhook endpoint has been disabled",
    Template.INVITATION_EXTENDED: "More time for your interview",
    Template.INVITATION_RESET: "You can start your interview again",
    Template.REVIEW_MENTIONED: "You were mentioned in a review",
    Template.ERASURE_REPORT: "Your data has been erased",
}


async def emails_of(sessions: Any, recipient_id: str) -> list[Notification]:
    async with sessions() as session:
        found = await session.scalars(
            select(Notification)
            .where(Notification.recipient_id == recipient_id, Notification.channel == Channel.EMAIL)
            .order_by(Notification.seq)
        )
        return list(found)


@pytest.mark.parametrize("template", list(Template))
async def test_every_template_is_rendered_and_delivered_with_its_link_text_part_and_unsubscribe_headers(
    template: Template,
    settings: Any,
    sessions: Any,
    outlets: Any,
    worker_ctx: Any,
    mailpit: Any,
    make_user: Any,
    clock: Any,
) -> None:
    user = make_user("hr")
    data, link, phrase = SAMPLES[template]
    now = clock.now
    async with transaction(sessions) as session:
        await commands.notify(
            session,
            user.id,
            template,
            (Channel.EMAIL,),
            data,
            link=link,
            source=Source(key=str(uuid.uuid4()), event_type="test", occurred_at=now),
            notifier=Notifier(settings, outlets),
            now=now,
            email=user.email,
        )

    assert await worker.sweep_emails(worker_ctx) >= 1
    [summary] = await mailpit.wait_for(user.email)
    message = await mailpit.message(summary["ID"])
    headers = await mailpit.headers(summary["ID"])
    [stored] = await emails_of(sessions, user.id)

    assert message["Subject"] == SUBJECTS[template]
    assert [to["Address"] for to in message["To"]] == [user.email]
    assert phrase in message["Text"]
    assert f"{settings.web_url}{link}" in message["Text"]
    assert f'href="{settings.web_url}{link}"' in message["HTML"]
    assert message["HTML"].startswith("<!DOCTYPE html>")
    assert (stored.status, stored.sent_at is not None) == (NotificationStatus.SENT, True)
    if template not in SWITCHABLE:
        assert "List-Unsubscribe" not in headers
    else:
        [unsubscribe] = headers["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<{settings.public_api_url}/api/notifications/unsubscribe?token=")
        assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
        assert unsubscribe.strip("<>") in message["Text"]


async def invitation_of(mailpit: Any, candidate: Any) -> dict[str, Any]:
    """The invitation among the candidate's e-mails (their account's welcome e-mail is the other one)."""
    found = await mailpit.wait_for(candidate.email, 2)
    [invitation] = [m for m in found if not m["Subject"].startswith(("Welcome", "Willkommen"))]
    return dict(await mailpit.message(invitation["ID"]))


def user_created(user: Any, *, language: str | None = None, timezone: str | None = None) -> Any:
    return users.UserCreated(
        user_id=uuid.UUID(user.id),
        company_id=uuid.UUID(user.id),
        external_auth_id=f"kc-{user.id}",
        email=user.email,
        first_name="Ada",
        last_name="Lovelace",
        status="active",
        role="candidate",
        created_at=datetime.now(UTC),
        language=language,
        timezone=timezone,
    )


async def test_the_invitation_email_reaches_the_candidate_from_the_projection_with_a_working_link(
    apply: Any, worker_ctx: Any, mailpit: Any, settings: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    await apply(user_created(candidate))
    invitation = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7), email=False)
    await apply(invitation)

    await worker.sweep_emails(worker_ctx)
    message = await invitation_of(mailpit, candidate)

    assert message["Subject"] == "You have been invited to an interview"
    assert f"{settings.web_url}/interview/{invitation.invitation_id}" in message["Text"]
    assert "Hello Ada Lovelace," in message["Text"]
    assert "Acme has invited you" in message["Text"]


async def test_a_german_candidate_gets_the_invitation_in_german_with_dates_in_their_time_zone(
    apply: Any, worker_ctx: Any, mailpit: Any, candidate: Any, hr: Any
) -> None:
    await apply(user_created(candidate, language="de-DE", timezone="Europe/Berlin"))
    await apply(invitation_created(candidate, hr, expires_at=datetime(2031, 7, 1, 10, 30, tzinfo=UTC)))

    await worker.sweep_emails(worker_ctx)
    message = await invitation_of(mailpit, candidate)

    assert message["Subject"] == "Sie wurden zu einem Interview eingeladen"
    assert "bis 1. Juli 2031, 12:30 (Europe/Berlin)" in message["Text"]
    assert "Diese E-Mails abbestellen" in message["Text"]
    assert 'lang="de"' in message["HTML"]


async def test_the_same_candidate_in_english_gets_the_english_invitation(
    apply: Any, worker_ctx: Any, mailpit: Any, candidate: Any, hr: Any
) -> None:
    await apply(user_created(candidate, timezone="America/New_York"))
    await apply(invitation_created(candidate, hr, expires_at=datetime(2031, 7, 1, 10, 30, tzinfo=UTC)))

    await worker.sweep_emails(worker_ctx)
    message = await invitation_of(mailpit, candidate)

    assert message["Subject"] == "You have been invited to an interview"
    assert "until July 1, 2031, 06:30 (America/New_York)" in message["Text"]


async def test_a_redelivered_event_sends_one_email(
    wrap: Any, apply: Any, worker_ctx: Any, mailpit: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    event = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    wrapped = wrap(event)  # the same envelope, delivered twice
    assert await apply(wrapped) is True
    assert await apply(wrapped) is False
    # A second envelope of the same event id past the processed-message mark (a replay) notifies no one again.
    async with transaction(sessions) as session:
        from notifications.consumers import handlers

        await handlers(Notifier(worker_ctx["settings"], worker_ctx["outlets"]), clock=clock)[wrapped.event_type](
            session, wrapped
        )
    await worker.sweep_emails(worker_ctx)
    await mailpit.wait_for(candidate.email)
    await worker.sweep_emails(worker_ctx)

    assert len(await mailpit.messages_to(candidate.email)) == 1
    assert len(await emails_of(sessions, candidate.id)) == 1


async def test_an_invitation_switched_off_in_preferences_sends_nothing(
    client: Any, apply: Any, worker_ctx: Any, mailpit: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    await client.put("/api/preferences", json={"subscriptions": {"invitation": False}}, headers=candidate.headers)
    await apply(invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7)))

    await worker.sweep_emails(worker_ctx)

    assert await emails_of(sessions, candidate.id) == []
    assert await mailpit.messages_to(candidate.email) == []


async def test_an_old_event_replayed_is_recorded_skipped_with_the_reason_and_sends_nothing(
    wrap: Any, apply: Any, worker_ctx: Any, mailpit: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    event = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(wrap(event, occurred_at=clock.now - timedelta(days=3)))

    await worker.sweep_emails(worker_ctx)
    [skipped] = await emails_of(sessions, candidate.id)

    assert skipped.status == NotificationStatus.SKIPPED
    assert "72 h old" in (skipped.error or "")
    assert await mailpit.messages_to(candidate.email) == []


async def test_an_invitation_already_completed_when_its_event_is_replayed_sends_no_invitation(
    apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    event = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(event)
    await apply(invitation_completed(event, at=clock.now))
    # The invitation's event again, under a new id: what replaying the topic from an earlier offset delivers.
    await apply(event)

    first, replayed = await emails_of(sessions, candidate.id)

    assert first.status == NotificationStatus.PENDING
    assert (replayed.status, replayed.error) == (NotificationStatus.SKIPPED, "The invitation is already completed.")


async def test_a_sent_email_publishes_notification_sent_through_the_outbox(
    apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    await apply(invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7)))
    await worker.sweep_emails(worker_ctx)
    [email] = await emails_of(sessions, candidate.id)

    async with sessions() as session:
        sent = [e for e in await outbox_events(session) if e.payload["payload"].get("notificationId") == str(email.id)]

    assert [(e.topic, e.event_type) for e in sent] == [("notification-events", "notification.sent")]
    assert sent[0].payload["payload"] == {
        "notificationId": str(email.id),
        "recipientId": candidate.id,
        "channel": "email",
        "template": "invitation",
        "status": "sent",
        "error": None,
    }


async def test_a_recipient_without_a_known_address_is_recorded_skipped(
    apply: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    await apply(invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7), email=False))

    [email] = await emails_of(sessions, candidate.id)
    async with sessions() as session:
        projected = await session.get(Recipient, candidate.id)

    assert (email.status, email.error) == (NotificationStatus.SKIPPED, "No e-mail address is known for this recipient.")
    assert projected is not None and projected.email is None

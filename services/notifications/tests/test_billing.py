"""Billing's events told to the account's billing contact, in-app and by e-mail at the billing address:
a plan upgrade or renewal confirms the payment, a failed payment asks for a new payment method before the grace
period ends, a refused reservation says which limit was reached. Preferences apply, a redelivered event tells no
one twice, and an account without a known contact is told nothing. A cancelled invitation gets no reminder."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kit.contracts import billing, interviews
from notifications import worker
from notifications.domain import Channel, InvitationView, Notification

from .conftest import invitation_created


def contact(user: Any) -> dict[str, Any]:
    return {"company_id": str(uuid.uuid4()), "billing_user_id": user.id, "billing_email": user.email}


def upgraded(user: Any, **changes: Any) -> billing.SubscriptionUpgraded:
    fields: dict[str, Any] = {
        **contact(user),
        "plan_type": "plus",
        "subscription_id": str(uuid.uuid4()),
        "previous_plan": "free",
        "new_plan": "plus",
        "stripe_subscription_id": "sub_123",
        "amount": 2900,
        "currency": "usd",
    }
    return billing.SubscriptionUpgraded(**(fields | changes))


async def stored(sessions: Any, recipient_id: str) -> list[Notification]:
    async with sessions() as session:
        found = await session.scalars(
            select(Notification).where(Notification.recipient_id == recipient_id).order_by(Notification.seq)
        )
        return list(found)


async def test_an_upgrade_confirms_the_payment_in_app_and_by_email_once(
    wrap: Any, apply: Any, worker_ctx: Any, mailpit: Any, sessions: Any, hr: Any
) -> None:
    event = wrap(upgraded(hr))

    assert await apply(event) is True
    assert await apply(event) is False
    await worker.sweep_emails(worker_ctx)
    [email] = await mailpit.wait_for(hr.email)
    message = await mailpit.message(email["ID"])
    notes = await stored(sessions, hr.id)

    assert sorted((n.channel, n.template) for n in notes) == [
        (Channel.EMAIL, "payment_confirmed"),
        (Channel.IN_APP, "payment_confirmed"),
    ]
    in_app = next(n for n in notes if n.channel == Channel.IN_APP)
    assert (in_app.title, in_app.body, in_app.link) == (
        "Payment confirmed - subscription active",
        "Your Plus subscription is active.",
        "/profile/billing",
    )
    assert message["Subject"] == "Payment confirmed - subscription active"
    assert "your Plus subscription is active" in message["Text"]
    assert [to["Address"] for to in message["To"]] == [hr.email]


async def test_a_renewal_confirms_the_payment_of_the_current_plan(
    apply: Any, sessions: Any, hr: Any, clock: Any
) -> None:
    await apply(
        billing.SubscriptionRenewed(
            **contact(hr),
            plan_type="pro",
            subscription_id=str(uuid.uuid4()),
            current_period_start=clock.now,
            current_period_end=clock.now + timedelta(days=30),
            amount_paid=9900,
            currency="usd",
        )
    )

    notes = await stored(sessions, hr.id)

    assert {(n.template, n.body) for n in notes} == {("payment_confirmed", "Your Pro subscription is active.")}
    assert {n.data["amount"] for n in notes} == {9900}


async def test_a_failed_payment_asks_for_a_new_payment_method_before_the_grace_period_ends(
    apply: Any, worker_ctx: Any, mailpit: Any, sessions: Any, hr: Any, clock: Any
) -> None:
    await apply(
        billing.SubscriptionPastDue(
            **contact(hr),
            plan_type="plus",
            subscription_id=str(uuid.uuid4()),
            grace_until=clock.now + timedelta(days=7),
            amount_due=2900,
            currency="usd",
            hosted_invoice_url="https://invoice.stripe.com/i/acct_1/test",
        )
    )

    await worker.sweep_emails(worker_ctx)
    [email] = await mailpit.wait_for(hr.email)
    message = await mailpit.message(email["ID"])

    assert message["Subject"] == "Payment failed - action required"
    assert "payment for your Plus subscription" in message["Text"]
    # The test clock's start plus the seven days of grace, in the recipient's (default UTC) time zone.
    grace = clock.now + timedelta(days=7)
    assert f"moves to the Free plan on {grace:%B} {grace.day}, {grace.year}" in message["Text"]
    assert f"{worker_ctx['settings'].web_url}/profile/billing" in message["Text"]
    assert {n.channel for n in await stored(sessions, hr.id)} == {Channel.EMAIL, Channel.IN_APP}


async def test_a_refused_reservation_says_which_limit_was_reached(apply: Any, sessions: Any, hr: Any) -> None:
    def exceeded(resource: str, used: int) -> billing.QuotaExceeded:
        return billing.QuotaExceeded(
            **contact(hr), plan_type="free", resource=resource, limit=used, used=used, period="2030-01"
        )

    await apply(exceeded("interviews", 3))
    await apply(exceeded("teamMembers", 1))

    in_app = [n for n in await stored(sessions, hr.id) if n.channel == Channel.IN_APP]

    assert [n.body for n in in_app] == ["You used 3 of 3 interviews on Free.", "You used 1 of 1 team members on Free."]
    assert {n.link for n in in_app} == {"/profile/billing"}


async def test_billing_mail_switched_off_in_preferences_is_shown_in_app_only(
    client: Any, apply: Any, sessions: Any, hr: Any
) -> None:
    await client.put("/api/preferences", json={"emailEnabled": False}, headers=hr.headers)

    await apply(upgraded(hr))

    assert [n.channel for n in await stored(sessions, hr.id)] == [Channel.IN_APP]


async def test_an_account_without_a_known_billing_contact_is_told_nothing(
    wrap: Any, apply: Any, sessions: Any, hr: Any
) -> None:
    event = wrap(upgraded(hr, billing_user_id=None, billing_email=None))

    assert await apply(event) is True

    async with sessions() as session:
        found = await session.scalars(select(Notification).where(Notification.event_id == str(event.event_id)))
        assert list(found) == []


async def test_a_cancelled_invitation_gets_no_reminder(
    apply: Any, worker_ctx: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    expires = clock.now + timedelta(days=3)
    created = invitation_created(candidate, hr, expires_at=expires)
    await apply(created)
    await apply(
        interviews.InvitationCancelled(
            invitation_id=created.invitation_id,
            company_id=hr.id,
            candidate_id=candidate.id,
            cancelled_at=clock.now,
            template_title=created.template_title,
        )
    )

    clock.now = expires - timedelta(hours=1)

    assert await worker.send_invitation_reminders(worker_ctx) == 0
    async with sessions() as session:
        projected = await session.get(InvitationView, created.invitation_id)
        assert projected is not None and projected.status == "cancelled"
    assert [n.template for n in await stored(sessions, candidate.id)] == ["invitation"]

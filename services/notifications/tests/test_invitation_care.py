"""HR's care of a sent invitation reaches the candidate: a moved deadline e-mails the new date (with the link
signed for it when they have no account yet) and reopens an expired invitation here too; a reset after a
technical failure e-mails "you can start again" without HR's reason. Delivered to the real Mailpit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kit.contracts import interviews
from notifications import worker
from notifications.domain import InvitationStatus, InvitationView

from .conftest import invitation_created


async def projection(sessions: Any, invitation_id: str) -> InvitationView:
    async with sessions() as session:
        view = await session.scalar(select(InvitationView).where(InvitationView.invitation_id == invitation_id))
    assert view is not None
    return view


async def the_mail(mailpit: Any, address: str, subject: str) -> dict[str, Any]:
    found = await mailpit.wait_for(address, 2)
    [summary] = [m for m in found if m["Subject"] == subject]
    return dict(await mailpit.message(summary["ID"]))


async def test_an_extended_deadline_emails_the_candidate_the_new_date_with_the_link_signed_for_it(
    apply: Any, worker_ctx: Any, mailpit: Any, settings: Any, sessions: Any, make_user: Any, hr: Any, clock: Any
) -> None:
    invitee = make_user("candidate")
    created = invitation_created(invitee, hr, expires_at=clock.now + timedelta(days=2))
    stand_in = f"invitee:{created.invitation_id}"
    created = created.model_copy(update={"candidate_id": stand_in, "join_link": "/join?token=old.sig"})
    new_deadline = created.expires_at + timedelta(days=5)

    await apply(created)
    await apply(
        interviews.InvitationExtended(
            invitation_id=created.invitation_id,
            candidate_id=stand_in,
            expires_at=new_deadline,
            status="pending",
            candidate_email=invitee.email,
            join_link="/join?token=new.sig",
        )
    )
    await worker.sweep_emails(worker_ctx)
    message = await the_mail(mailpit, invitee.email, "More time for your interview")

    assert "Hello Ada Lovelace," in message["Text"]
    assert 'Acme has moved the deadline of your interview "Backend Engineer"' in message["Text"]
    assert f"until {new_deadline.strftime('%B')} {new_deadline.day}, {new_deadline.year}" in message["Text"]
    assert f"{settings.web_url}/join?token=new.sig" in message["Text"]
    assert "old.sig" not in message["Text"]
    assert (await projection(sessions, created.invitation_id)).expires_at == new_deadline


async def test_an_expired_invitation_extended_is_open_again_and_its_reminders_count_from_the_new_deadline(
    apply: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(hours=1))
    await apply(created)
    await apply(
        interviews.InvitationExpired(
            invitation_id=created.invitation_id,
            candidate_id=candidate.id,
            template_id=created.template_id,
            hr_user_id=hr.id,
            company_id=hr.id,
            previous_status="pending",
            expired_at=clock.now,
        )
    )
    assert (await projection(sessions, created.invitation_id)).status == InvitationStatus.EXPIRED

    await apply(
        interviews.InvitationExtended(
            invitation_id=created.invitation_id,
            candidate_id=candidate.id,
            expires_at=clock.now + timedelta(days=3),
            status="pending",
            candidate_email=candidate.email,
        )
    )
    view = await projection(sessions, created.invitation_id)

    assert view.status == InvitationStatus.PENDING
    assert (view.reminder_24h_sent_at, view.reminder_2h_sent_at) == (None, None)


async def test_a_reset_emails_the_candidate_that_they_can_start_again_without_hrs_reason(
    apply: Any, worker_ctx: Any, mailpit: Any, settings: Any, sessions: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    await apply(created)
    await apply(
        interviews.InvitationStarted(
            invitation_id=created.invitation_id,
            candidate_id=candidate.id,
            started_at=clock.now,
            hr_user_id=hr.id,
        )
    )
    await apply(
        interviews.InvitationReset(
            invitation_id=created.invitation_id,
            candidate_id=candidate.id,
            reset_by=hr.id,
            reason="Camera froze on question two (ticket 4711)",
            reset_at=clock.now,
        )
    )
    await worker.sweep_emails(worker_ctx)
    message = await the_mail(mailpit, candidate.email, "You can start your interview again")
    view = await projection(sessions, created.invitation_id)

    assert "Acme has reset your interview" in message["Text"]
    assert "start again from the beginning" in message["Text"]
    assert f"{settings.web_url}/interview/{created.invitation_id}" in message["Text"]
    assert "4711" not in message["Text"] and "4711" not in message["HTML"]
    assert (view.status, view.started_at) == (InvitationStatus.PENDING, None)


async def test_a_redelivered_reset_sends_one_email(
    apply: Any, wrap: Any, worker_ctx: Any, mailpit: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    reset = wrap(
        interviews.InvitationReset(
            invitation_id=created.invitation_id,
            candidate_id=candidate.id,
            reset_by=hr.id,
            reason="Upload failed",
            reset_at=clock.now,
        ),
        aggregate_id=str(uuid.uuid4()),
    )
    await apply(created)

    assert await apply(reset) is True
    assert await apply(reset) is False
    await worker.sweep_emails(worker_ctx)
    found = await mailpit.wait_for(candidate.email, 2)

    assert [m["Subject"] for m in found].count("You can start your interview again") == 1

"""A person invited by e-mail without an account: the invitation e-mail carries the signed link, a resend sends
the link as it is now (a rotated one), and once their account claims the invitation it is theirs here too."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kit.contracts import interviews
from notifications import worker
from notifications.domain import InvitationView

from .conftest import invitation_created


async def test_the_invitation_email_to_someone_without_an_account_carries_its_link_and_a_resend_the_new_one(
    apply: Any, worker_ctx: Any, mailpit: Any, settings: Any, sessions: Any, make_user: Any, hr: Any, clock: Any
) -> None:
    invitee = make_user("candidate")
    created = invitation_created(invitee, hr, expires_at=clock.now + timedelta(days=7))
    stand_in = f"invitee:{created.invitation_id}"
    created = created.model_copy(update={"candidate_id": stand_in, "join_link": "/join?token=first.sig"})
    resent = interviews.InvitationResent(
        invitation_id=created.invitation_id,
        candidate_id=stand_in,
        template_title=created.template_title,
        company_name=created.company_name,
        expires_at=created.expires_at,
        candidate_email=invitee.email,
        candidate_name="Ada Lovelace",
        join_link="/join?token=rotated.sig",
    )
    account = str(uuid.uuid4())

    await apply(created)
    await apply(resent)
    await apply(
        interviews.InvitationClaimed(invitation_id=created.invitation_id, candidate_id=account, claimed_at=clock.now)
    )
    await worker.sweep_emails(worker_ctx)

    found = await mailpit.wait_for(invitee.email, 2)
    texts = [(await mailpit.message(m["ID"]))["Text"] for m in found]
    # One e-mail with the first link, the other with the rotated one.
    linked = sorted(
        t for text in texts for t in ("first", "rotated") if f"{settings.web_url}/join?token={t}.sig" in text
    )
    assert linked == ["first", "rotated"]
    async with sessions() as session:
        view = await session.scalar(select(InvitationView).where(InvitationView.invitation_id == created.invitation_id))
    assert view is not None
    assert view.candidate_id == account

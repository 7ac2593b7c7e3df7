"""The consumers' commands: for each event, the projections it keeps current and the notifications it sends.
Recipients' addresses, language and time zone, and an invitation's HR user and template, come from the event
when it carries them and from the local projections otherwise, so no message waits on another service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts import analysis, billing, interviews, users
from notifications.commands import Notifier, Source, notify
from notifications.domain import Channel, InvitationStatus, InvitationView, Recipient, Template

log = structlog.get_logger("notifications.triggers")

T = TypeVar("T")

EMAIL = (Channel.EMAIL,)
IN_APP = (Channel.IN_APP,)
BOTH = (Channel.EMAIL, Channel.IN_APP)

# How far an invitation has got; an event arriving late never moves it back.
_PROGRESS = {
    InvitationStatus.PENDING: 0,
    InvitationStatus.IN_PROGRESS: 1,
    InvitationStatus.COMPLETED: 2,
    InvitationStatus.EXPIRED: 2,
    InvitationStatus.CANCELLED: 2,
    InvitationStatus.APPROVED: 3,
    InvitationStatus.REJECTED: 3,
}


# -- projections --------------------------------------------------------------------------------------------


def _held(session: AsyncSession, row: T) -> T:
    """The row, kept for the rest of the transaction: the session's identity map holds rows weakly, so a row a
    trigger loaded (and locked) and let go of would be selected again by the next `get` of it (by `notify`, or
    by the webhook fan-out after the trigger)."""
    held: list[object] = session.info.setdefault("notifications.held", [])
    held.append(row)
    return row


# Locked in user id order, so that two events locking the same users never wait on each other. Built once, as
# building it per call costs CPU of the order of a statement.
RECIPIENTS_LOCKED = (
    select(Recipient)
    .where(Recipient.user_id.in_(bindparam("user_ids", expanding=True)))
    .order_by(Recipient.user_id)
    .with_for_update()
)


async def _recipients(session: AsyncSession, *user_ids: str, now: datetime) -> list[Recipient]:
    """The users' recipient rows, locked in one statement (an interview's candidate and HR user were a statement
    each); one not known yet is added."""
    locked = await session.scalars(RECIPIENTS_LOCKED, {"user_ids": list(user_ids)})
    found = {recipient.user_id: recipient for recipient in locked}
    for user_id in user_ids:
        if user_id not in found:
            found[user_id] = Recipient(user_id=user_id, language="en", timezone="UTC", updated_at=now)
            session.add(found[user_id])
    return [_held(session, found[user_id]) for user_id in user_ids]


async def _recipient(session: AsyncSession, user_id: str, *, now: datetime) -> Recipient:
    return (await _recipients(session, user_id, now=now))[0]


async def _remember(
    session: AsyncSession, user_id: str, *, now: datetime, email: str | None = None, name: str | None = None
) -> Recipient:
    return _learn(await _recipient(session, user_id, now=now), email=email, name=name)


def _learn(recipient: Recipient, *, email: str | None = None, name: str | None = None) -> Recipient:
    """Contact details an event carries about a user the projection may not know yet."""
    if email and not recipient.email:
        recipient.email = email
    if name and not recipient.first_name:
        recipient.first_name, _, last = name.partition(" ")
        recipient.last_name = last or None
    return recipient


async def _invitation(session: AsyncSession, invitation_id: str) -> InvitationView | None:
    invitation = await session.get(InvitationView, invitation_id, with_for_update=True)
    return _held(session, invitation) if invitation is not None else None


def _advance(invitation: InvitationView, status: str, *, now: datetime) -> None:
    if _PROGRESS[status] >= _PROGRESS.get(invitation.status, 0):
        invitation.status = status
    invitation.updated_at = now


def _name(given: str | None, recipient: Recipient | None, fallback: str) -> str:
    return given or (recipient.name if recipient else None) or fallback


# -- user-events --------------------------------------------------------------------------------------------


async def user_created(
    session: AsyncSession, event: users.UserCreated, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    recipient = await _recipient(session, str(event.user_id), now=now)
    recipient.email, recipient.first_name, recipient.last_name = event.email, event.first_name, event.last_name
    recipient.role, recipient.company_id = event.role, str(event.company_id)
    recipient.language, recipient.timezone = event.language or recipient.language, event.timezone or recipient.timezone
    recipient.updated_at = now
    await notify(
        session,
        str(event.user_id),
        Template.WELCOME,
        EMAIL,
        {"name": event.first_name or "there", "role": event.role},
        link="/select-role" if event.role == "pending" else "/dashboard",
        source=source,
        notifier=notifier,
        now=now,
    )


async def user_updated(session: AsyncSession, event: users.UserUpdated, *, now: datetime) -> None:
    recipient = await _recipient(session, str(event.user_id), now=now)
    recipient.email, recipient.first_name, recipient.last_name = event.email, event.first_name, event.last_name
    recipient.role = event.role
    recipient.language, recipient.timezone = event.language or recipient.language, event.timezone or recipient.timezone
    recipient.updated_at = now


async def user_deleted(session: AsyncSession, event: users.UserDeleted, *, now: datetime) -> None:
    """A deleted user gets no more mail: the address is forgotten."""
    recipient = await session.get(Recipient, str(event.user_id))
    if recipient is not None:
        await session.delete(recipient)


async def role_selected(
    session: AsyncSession, event: users.UserRoleSelected, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    recipient = await _remember(session, str(event.user_id), now=now, email=event.email)
    recipient.role, recipient.updated_at = event.role, now
    await notify(
        session,
        str(event.user_id),
        Template.WELCOME,
        IN_APP,
        {"name": recipient.first_name or "there", "role": event.role},
        link="/dashboard",
        source=source,
        notifier=notifier,
        now=now,
    )


# -- interview-events ---------------------------------------------------------------------------------------


async def invitation_created(
    session: AsyncSession, event: interviews.InvitationCreated, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    invitation = await _invitation(session, event.invitation_id)
    if invitation is None:
        invitation = InvitationView(
            invitation_id=event.invitation_id,
            candidate_id=event.candidate_id,
            hr_user_id=event.invited_by,
            status=InvitationStatus.PENDING,
            created_at=source.occurred_at,
        )
        session.add(invitation)
    invitation.template_id, invitation.template_title = event.template_id, event.template_title
    invitation.company_id, invitation.company_name = event.company_id, event.company_name
    invitation.expires_at, invitation.updated_at = event.expires_at, now
    candidate, hr = await _recipients(session, event.candidate_id, event.invited_by, now=now)
    _learn(candidate, email=event.candidate_email, name=event.candidate_name)
    _learn(hr, email=event.hr_email, name=event.hr_name)
    await _send_invitation(session, event, candidate, _finished(invitation, now), source, notifier, now)


async def invitation_resent(
    session: AsyncSession, event: interviews.InvitationResent, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    """HR sent the invitation again: the same e-mail, with the link as it is now (perhaps a new one)."""
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        invitation.expires_at, invitation.updated_at = event.expires_at, now
    candidate = await _remember(
        session, event.candidate_id, now=now, email=event.candidate_email, name=event.candidate_name
    )
    await _send_invitation(session, event, candidate, _finished(invitation, now), source, notifier, now)


async def _send_invitation(
    session: AsyncSession,
    event: interviews.InvitationCreated | interviews.InvitationResent,
    candidate: Recipient | None,
    skip_reason: str | None,
    source: Source,
    notifier: Notifier,
    now: datetime,
) -> None:
    """The invitation e-mail, first sent or sent again. Someone without an account yet gets the signed link
    that lets them sign up and claim the invitation."""
    await notify(
        session,
        event.candidate_id,
        Template.INVITATION,
        EMAIL,
        {
            "name": _name(event.candidate_name, candidate, "Candidate"),
            "company": event.company_name,
            "templateTitle": event.template_title,
            "invitationId": event.invitation_id,
            "expiresAt": event.expires_at.isoformat(),
        },
        link=event.join_link or f"/interview/{event.invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        email=event.candidate_email,
        skip_reason=skip_reason,
    )


async def invitation_claimed(session: AsyncSession, event: interviews.InvitationClaimed, *, now: datetime) -> None:
    """The person invited by e-mail now has an account: later messages about the interview go to it."""
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None and invitation.candidate_id != event.candidate_id:
        invitation.candidate_id, invitation.updated_at = event.candidate_id, now


async def invitation_extended(
    session: AsyncSession, event: interviews.InvitationExtended, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    """HR moved the deadline: the candidate hears of the new one (an expired invitation nobody started is open
    again), and the reminders count from it."""
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        invitation.expires_at = event.expires_at
        # The one move back `_advance` never makes: interviews reopened the invitation.
        if invitation.status == InvitationStatus.EXPIRED and event.status == InvitationStatus.PENDING:
            invitation.status = InvitationStatus.PENDING
        invitation.reminder_24h_sent_at = invitation.reminder_2h_sent_at = None
        invitation.updated_at = now
    candidate = await _remember(session, event.candidate_id, now=now, email=event.candidate_email)
    await notify(
        session,
        event.candidate_id,
        Template.INVITATION_EXTENDED,
        EMAIL,
        _changed_invitation(event.invitation_id, invitation, candidate, event.expires_at),
        # An unclaimed invitation's link is signed with its deadline: the e-mail carries the one for the new date.
        link=event.join_link or f"/interview/{event.invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        email=event.candidate_email,
        skip_reason=_finished(invitation, now),
    )


async def invitation_reset(
    session: AsyncSession, event: interviews.InvitationReset, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    """HR reset the interview after a technical failure: it is open again, and the candidate is told they can
    start from the beginning (HR's reason stays with HR)."""
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None and invitation.status in (InvitationStatus.IN_PROGRESS, InvitationStatus.COMPLETED):
        invitation.status = InvitationStatus.PENDING
        invitation.started_at = invitation.completed_at = None
        invitation.updated_at = now
    candidate = await session.get(Recipient, event.candidate_id)
    expires_at = invitation.expires_at if invitation is not None else None
    await notify(
        session,
        event.candidate_id,
        Template.INVITATION_RESET,
        EMAIL,
        _changed_invitation(event.invitation_id, invitation, candidate, expires_at),
        link=f"/interview/{event.invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        skip_reason=_finished(invitation, now),
    )


def _changed_invitation(
    invitation_id: str, invitation: InvitationView | None, candidate: Recipient | None, expires_at: datetime | None
) -> dict[str, Any]:
    """What the e-mail about a change to an invitation (a new deadline, a reset) says of it, named as
    notifications last saw it (the change's event carries no names)."""
    return {
        "name": _name(None, candidate, "Candidate"),
        "company": (invitation.company_name if invitation else None) or "The company",
        "templateTitle": (invitation.template_title if invitation else None) or "Interview",
        "invitationId": invitation_id,
        "expiresAt": expires_at.isoformat() if expires_at else None,
    }


def _finished(invitation: InvitationView | None, now: datetime) -> str | None:
    """Why an invitation e-mail would be stale: the interview is done, or can no longer be taken. An invitation
    the projection does not hold yet is taken to be open."""
    if invitation is None:
        return None
    if invitation.finished:
        return f"The invitation is already {invitation.status}."
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "The invitation has expired."
    return None


async def invitation_started(
    session: AsyncSession, event: interviews.InvitationStarted, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        _advance(invitation, InvitationStatus.IN_PROGRESS, now=now)
        invitation.started_at = event.started_at
    candidate, hr = await _recipients(session, event.candidate_id, event.hr_user_id, now=now)
    _learn(candidate, name=event.candidate_name)
    _learn(hr, email=event.hr_email)
    await notify(
        session,
        event.hr_user_id,
        Template.INTERVIEW_STARTED,
        EMAIL,
        {
            "candidateName": _name(event.candidate_name, candidate, "A candidate"),
            "templateTitle": (invitation.template_title if invitation else None) or "Interview",
            "invitationId": event.invitation_id,
        },
        link="/hr/invitations",
        source=source,
        notifier=notifier,
        now=now,
        email=event.hr_email,
    )


async def invitation_completed(
    session: AsyncSession, event: interviews.InvitationCompleted, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        _advance(invitation, InvitationStatus.COMPLETED, now=now)
        invitation.completed_at = event.completed_at
        invitation.template_title = invitation.template_title or event.template_title
        if event.ai_blind is not None:
            invitation.ai_blind = event.ai_blind
    candidate, hr = await _recipients(session, event.candidate_id, event.hr_user_id, now=now)
    _learn(candidate, email=event.candidate_email, name=event.candidate_name)
    _learn(hr, email=event.hr_email, name=event.hr_name)
    await notify(
        session,
        event.hr_user_id,
        Template.INTERVIEW_COMPLETED,
        BOTH,
        {
            "candidateName": _name(event.candidate_name, candidate, "A candidate"),
            "templateTitle": event.template_title,
            "responseCount": event.response_count,
            "invitationId": event.invitation_id,
        },
        link=f"/hr/review/{event.invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        email=event.hr_email,
    )


async def invitation_expired(session: AsyncSession, event: interviews.InvitationExpired, *, now: datetime) -> None:
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        _advance(invitation, InvitationStatus.EXPIRED, now=now)


async def invitation_cancelled(session: AsyncSession, event: interviews.InvitationCancelled, *, now: datetime) -> None:
    """HR withdrew the invitation: no reminder goes out for it any more."""
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        _advance(invitation, InvitationStatus.CANCELLED, now=now)


async def candidate_decided(
    session: AsyncSession,
    event: interviews.CandidateApproved | interviews.CandidateRejected,
    source: Source,
    *,
    notifier: Notifier,
    now: datetime,
) -> None:
    approved = isinstance(event, interviews.CandidateApproved)
    invitation = await _invitation(session, event.invitation_id)
    if invitation is not None:
        _advance(invitation, InvitationStatus.APPROVED if approved else InvitationStatus.REJECTED, now=now)
        invitation.decided_at = event.decided_at
    candidate = await _remember(
        session, event.candidate_id, now=now, email=event.candidate_email, name=event.candidate_name
    )
    await notify(
        session,
        event.candidate_id,
        Template.CANDIDATE_APPROVED if approved else Template.CANDIDATE_REJECTED,
        BOTH,
        {
            "candidateName": _name(event.candidate_name, candidate, "Candidate"),
            "templateTitle": event.template_title,
            "companyName": event.company_name,
            "note": event.note,
            "invitationId": event.invitation_id,
        },
        link=f"/candidate/results/{event.invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        email=event.candidate_email,
    )


async def review_mentioned(
    session: AsyncSession, event: interviews.ReviewMentioned, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    """Each teammate a review note newly mentions is told in-app (inbox and live stream), linked to the review."""
    author = await session.get(Recipient, event.author_id)
    for user_id in event.mentioned_user_ids:
        await notify(
            session,
            user_id,
            Template.REVIEW_MENTIONED,
            IN_APP,
            {
                "authorName": _name(None, author, "A teammate"),
                "candidateName": event.candidate_name or "a candidate",
                "templateTitle": event.template_title,
                "invitationId": event.invitation_id,
            },
            link=f"/hr/review/{event.invitation_id}",
            source=source,
            notifier=notifier,
            now=now,
        )


# -- analysis-events ----------------------------------------------------------------------------------------


async def analysis_finished(
    session: AsyncSession,
    event: analysis.AnalysisCompleted | analysis.AnalysisFailed,
    source: Source,
    *,
    notifier: Notifier,
    now: datetime,
) -> None:
    """The inviting HR user hears of the outcome: from the event, or from the invitations projection; of the
    score and verdict only when the interview is not rated blind to the AI."""
    invitation_id = str(event.invitation_id)
    invitation = await session.get(InvitationView, invitation_id)
    if invitation is not None:
        _held(session, invitation)
    hr_user_id = event.hr_user_id or (invitation.hr_user_id if invitation else None)
    if hr_user_id is None:
        raise LookupError(f"analysis of invitation {invitation_id}: the inviting HR user is not known yet")
    await _remember(session, hr_user_id, now=now, email=event.hr_email, name=event.hr_name)
    candidate_id = event.candidate_id or (invitation.candidate_id if invitation else None)
    candidate = await session.get(Recipient, candidate_id) if candidate_id else None
    data: dict[str, Any] = {
        "candidateName": _name(event.candidate_name, candidate, "A candidate"),
        "templateTitle": event.template_title or (invitation.template_title if invitation else None) or "Interview",
        "invitationId": invitation_id,
    }
    if isinstance(event, analysis.AnalysisCompleted):
        template = Template.ANALYSIS_READY
        # Under blind review the HR user rates first: the message (and its stored data, which the inbox serves)
        # never holds the score, also while the projection does not know yet whether the review is blind.
        if invitation is not None and invitation.ai_shown:
            data |= {"score": event.overall_score, "recommendation": event.recommendation}
        else:
            data |= {"aiHidden": True}
    else:
        template = Template.ANALYSIS_FAILED
        data |= {"error": event.error_message}
    await notify(
        session,
        hr_user_id,
        template,
        BOTH,
        data,
        link=f"/hr/review/{invitation_id}",
        source=source,
        notifier=notifier,
        now=now,
        email=event.hr_email,
    )


# -- billing-events -----------------------------------------------------------------------------------------

PLAN_NAMES = {"free": "Free", "plus": "Plus", "pro": "Pro"}
BILLING_PAGE = "/profile/billing"


async def _tell_billing_contact(
    session: AsyncSession,
    event: billing.BillingEvent,
    template: Template,
    data: dict[str, Any],
    source: Source,
    *,
    notifier: Notifier,
    now: datetime,
) -> None:
    """Tell the account's billing user, in-app and by e-mail at the billing address, linked to the billing page
    (a path of the web app; the page leads to the payment portal). While billing knows no contact for the
    account nobody can be told, and retrying would not change that."""
    if event.billing_user_id is None:
        log.info("billing.no_contact", event_type=event.TYPE, company_id=event.company_id)
        return
    await _remember(session, event.billing_user_id, now=now, email=event.billing_email)
    await notify(
        session,
        event.billing_user_id,
        template,
        BOTH,
        data,
        link=BILLING_PAGE,
        source=source,
        notifier=notifier,
        now=now,
        email=event.billing_email,
    )


async def payment_confirmed(
    session: AsyncSession,
    event: billing.SubscriptionUpgraded | billing.SubscriptionRenewed,
    source: Source,
    *,
    notifier: Notifier,
    now: datetime,
) -> None:
    plan = event.new_plan if isinstance(event, billing.SubscriptionUpgraded) else event.plan_type
    paid = event.amount if isinstance(event, billing.SubscriptionUpgraded) else event.amount_paid
    data = {"planName": PLAN_NAMES[plan], "planType": plan, "amount": paid, "currency": event.currency}
    await _tell_billing_contact(session, event, Template.PAYMENT_CONFIRMED, data, source, notifier=notifier, now=now)


async def payment_failed(
    session: AsyncSession, event: billing.SubscriptionPastDue, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    data = {
        "planName": PLAN_NAMES[event.plan_type],
        "planType": event.plan_type,
        "graceUntil": event.grace_until.isoformat(),
        "amountDue": event.amount_due,
        "currency": event.currency,
        "invoiceUrl": event.hosted_invoice_url,
    }
    await _tell_billing_contact(session, event, Template.PAYMENT_FAILED, data, source, notifier=notifier, now=now)


async def quota_exceeded(
    session: AsyncSession, event: billing.QuotaExceeded, source: Source, *, notifier: Notifier, now: datetime
) -> None:
    data = {
        "resource": event.resource,
        "planName": PLAN_NAMES[event.plan_type],
        "currentUsage": event.used,
        "limit": event.limit,
        "period": event.period,
    }
    await _tell_billing_contact(session, event, Template.QUOTA_EXCEEDED, data, source, notifier=notifier, now=now)


# -- scheduled ----------------------------------------------------------------------------------------------

# The reminders before an invitation expires, nearest first: at most one of each per invitation.
REMINDERS = ((2, "reminder_2h_sent_at"), (24, "reminder_24h_sent_at"))


async def remind_expiring(session: AsyncSession, *, notifier: Notifier, now: datetime) -> int:
    """Remind candidates of open invitations 24 h and 2 h before they expire. An invitation created inside a
    window gets no reminder for it (its invitation e-mail is that recent); when both windows are due, only the
    nearer reminder goes, and both count as sent. Returns how many reminders were sent."""
    due = await session.scalars(
        select(InvitationView)
        .where(
            InvitationView.status.in_((InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS)),
            InvitationView.expires_at > now,
            InvitationView.expires_at <= now + timedelta(hours=REMINDERS[-1][0]),
            or_(*(getattr(InvitationView, column).is_(None) for _, column in REMINDERS)),
        )
        .with_for_update(skip_locked=True)
    )
    sent = 0
    for invitation in due:
        assert invitation.expires_at is not None
        windows = [
            (hours, column)
            for hours, column in REMINDERS
            if invitation.expires_at - timedelta(hours=hours) <= now
            and invitation.created_at <= invitation.expires_at - timedelta(hours=hours)
        ]
        if not windows or getattr(invitation, windows[0][1]) is not None:
            continue
        hours, _ = windows[0]
        for _, column in windows:
            setattr(invitation, column, now)
        candidate = await session.get(Recipient, invitation.candidate_id)
        await notify(
            session,
            invitation.candidate_id,
            Template.INVITATION_REMINDER,
            EMAIL,
            {
                "name": _name(None, candidate, "Candidate"),
                "company": invitation.company_name or "",
                "templateTitle": invitation.template_title or "Interview",
                "hoursLeft": hours,
                "invitationId": invitation.invitation_id,
                "expiresAt": invitation.expires_at.isoformat(),
            },
            link=f"/interview/{invitation.invitation_id}",
            source=Source(key=f"reminder-{hours}h:{invitation.invitation_id}", event_type="reminder", occurred_at=now),
            notifier=notifier,
            now=now,
        )
        sent += 1
    return sent


async def weekly_digest(session: AsyncSession, *, notifier: Notifier, now: datetime) -> int:
    """Each HR user with activity in the last 7 days gets a summary: interviews completed, candidates invited,
    and completed interviews still waiting for a decision. Returns how many digests were sent."""
    start = now - timedelta(days=7)
    completed = func.count().filter(InvitationView.completed_at >= start)
    invited = func.count().filter(InvitationView.created_at >= start)
    pending = func.count().filter(
        InvitationView.completed_at >= start, InvitationView.status == InvitationStatus.COMPLETED
    )
    rows = await session.execute(
        select(InvitationView.hr_user_id, completed, invited, pending)
        .where(or_(InvitationView.completed_at >= start, InvitationView.created_at >= start))
        .group_by(InvitationView.hr_user_id)
        .order_by(InvitationView.hr_user_id)
    )
    sent = 0
    for hr_user_id, completed_count, invited_count, pending_count in rows.all():
        hr = await session.get(Recipient, hr_user_id)
        created = await notify(
            session,
            hr_user_id,
            Template.WEEKLY_DIGEST,
            EMAIL,
            {
                "name": _name(None, hr, "there"),
                "completedInterviews": completed_count,
                "newCandidates": invited_count,
                "pendingReviews": pending_count,
                "periodStart": start.isoformat(),
                "periodEnd": now.isoformat(),
            },
            link="/hr/dashboard",
            source=Source(key=f"digest:{now.date().isoformat()}", event_type="digest", occurred_at=now),
            notifier=notifier,
            now=now,
        )
        sent += bool(created)
    return sent

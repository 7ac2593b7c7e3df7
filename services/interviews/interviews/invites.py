"""Inviting people by e-mail (one, a list or a CSV's rows, each row's outcome reported), the signed link they
open and claim with their verified e-mail, and HR's resend, extend and reset of a sent invitation, each audited.
Like `commands`: load, check who may act (`access`), change through the domain, leave the commit to the route."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews import access
from interviews.commands import load_invitation
from interviews.domain import (
    DuplicateInvitation,
    Invitation,
    InvitationAudit,
    InvitationNotFound,
    InvitationStatus,
    KnownCompany,
    Template,
    TemplateNotFound,
    invitation_company_name,
)
from interviews.domain import invites as domain
from interviews.invite_schemas import (
    AuditEntry,
    BulkInvite,
    BulkInviteResult,
    ExtendInvitation,
    Invitee,
    InviteToken,
    JoinView,
    ResendInvitation,
    ResetInvitation,
    RowResult,
    RowStatus,
)
from interviews.quota import Quota, QuotaExceeded
from kit.auth import Principal

# Deliberately loose (one @, a dot in the domain, no spaces): the verification e-mail is the real check.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


async def bulk_invite(
    session: AsyncSession, cmd: BulkInvite, *, caller: Principal, now: datetime, quota: Quota, key: bytes
) -> BulkInviteResult:
    """Invite each row's person by e-mail; a refused row is reported and the others still go out. Rows after the
    plan's quota ran out are refused without asking billing again."""
    template = await session.get(Template, cmd.template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_may_invite_to(caller, template)
    Invitation.check_invitable(template, cmd.expires_at, now)
    company = await session.get(KnownCompany, caller.company_id) if caller.company_id is not None else None
    company_name = invitation_company_name(caller.company_id, company, cmd.company_name)
    invited_already = set(
        await session.scalars(
            select(func.lower(Invitation.candidate_email)).where(
                Invitation.template_id == template.id,
                func.lower(Invitation.candidate_email).in_([row.email.lower() for row in cmd.candidates]),
                Invitation.status != InvitationStatus.CANCELLED,
            )
        )
    )
    seen: set[str] = set()
    quota_left = True
    rows: list[RowResult] = []
    for number, row in enumerate(cmd.candidates, start=1):
        status, message, invitation_id = await _invite_row(
            session, cmd, row, template, seen, invited_already, quota_left, company_name, caller, now, quota, key
        )
        quota_left = quota_left and status != "over_quota"
        rows.append(
            RowResult(
                row=number,
                email=row.email,
                name=row.name or None,
                status=status,
                message=message,
                invitation_id=invitation_id,
            )
        )
    invited = sum(1 for r in rows if r.status in ("invited", "ready"))
    return BulkInviteResult(invited=invited, refused=len(rows) - invited, rows=rows)


async def _invite_row(
    session: AsyncSession,
    cmd: BulkInvite,
    row: Invitee,
    template: Template,
    seen: set[str],
    invited_already: set[str],
    quota_left: bool,
    company_name: str,
    caller: Principal,
    now: datetime,
    quota: Quota,
    key: bytes,
) -> tuple[RowStatus, str | None, uuid.UUID | None]:
    email = row.email.lower()
    if not EMAIL.match(email):
        return "invalid_email", "This is not a valid e-mail address.", None
    if email in seen:
        return "duplicate", "This address appears earlier in the list.", None
    seen.add(email)
    if email in invited_already:
        return "already_invited", "This person is already invited to this interview.", None
    if cmd.dry_run:
        return "ready", None, None
    if not quota_left:
        return "over_quota", "Your plan's interview quota is used up.", None
    invitation_id, nonce = uuid.uuid4(), domain.new_nonce()
    token = domain.sign_link(invitation_id, nonce, cmd.expires_at, key)
    invitation = Invitation.create(
        template=template,
        candidate_id=domain.unclaimed_candidate_id(invitation_id),
        invited_by=caller.user_id,
        company_id=caller.account_id,
        company_name=company_name,
        expires_at=cmd.expires_at,
        allow_pause=bool(template.settings.get("allowPause", True)),
        show_timer=bool(template.settings.get("showTimer", True)),
        contacts={
            "candidate_email": row.email,
            "candidate_name": row.name or None,
            "hr_email": cmd.hr_email,
            "hr_name": cmd.hr_name,
        },
        now=now,
        invitation_id=invitation_id,
        join_link=domain.join_link(token),
    )
    invitation.link_nonce = nonce
    try:
        await quota.reserve(invitation.company_id, "interviews", invitation.id)
    except QuotaExceeded as exc:
        return "over_quota", exc.message, None
    session.add(invitation)
    return "invited", None, invitation.id


async def _linked(session: AsyncSession, token: str, *, now: datetime, key: bytes, lock: bool) -> Invitation:
    invitation_id, nonce = domain.link_invitation_id(token, key, now=now)
    invitation = await (load_invitation(session, invitation_id) if lock else session.get(Invitation, invitation_id))
    if invitation is None:
        raise domain.InviteLinkInvalid("This invitation link is not valid.")
    domain.check_link(invitation, nonce)
    return invitation


async def join_view(session: AsyncSession, token: str, *, now: datetime, key: bytes) -> JoinView:
    """What the link shows to anyone holding it (it names only the invitation it was sent for)."""
    invitation = await _linked(session, token, now=now, key=key, lock=False)
    return JoinView(
        invitation_id=invitation.id,
        company_name=invitation.company_name,
        template_title=invitation.pinned.title,
        candidate_name=invitation.candidate_name,
        candidate_email=invitation.candidate_email,
        expires_at=invitation.expires_at,
        status=invitation.status,
        claimed=not domain.is_unclaimed(invitation),
    )


async def claim(
    session: AsyncSession,
    cmd: InviteToken,
    *,
    caller: Principal,
    verified_email: str | None,
    now: datetime,
    key: bytes,
) -> uuid.UUID:
    """The signed-in person with the invited, verified e-mail takes the invitation for their account, once."""
    invitation = await _linked(session, cmd.token, now=now, key=key, lock=True)
    if domain.is_unclaimed(invitation):
        theirs = await session.scalar(
            select(Invitation.id).where(
                Invitation.candidate_id == caller.user_id, Invitation.template_id == invitation.template_id
            )
        )
        if theirs is not None:
            raise DuplicateInvitation("You already have an invitation to this interview.")
    if domain.claim(invitation, user_id=caller.user_id, verified_email=verified_email, now=now):
        session.add(domain.audit(invitation, "claimed", caller.user_id, now))
    return invitation.id


async def resend(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    cmd: ResendInvitation,
    *,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> None:
    invitation = await load_invitation(session, invitation_id)
    access.check_inviter(caller, invitation)
    rotate = cmd.rotate_link and invitation.link_nonce is not None
    if rotate:
        invitation.link_nonce = domain.new_nonce()
    link = domain.join_link(domain.sign_link_token(invitation, key)) if invitation.link_nonce else None
    domain.resend(invitation, join_link=link, now=now)
    session.add(domain.audit(invitation, "link_rotated" if rotate else "resent", caller.user_id, now))


async def extend(
    session: AsyncSession,
    invitation_id: uuid.UUID,
    cmd: ExtendInvitation,
    *,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> Invitation:
    invitation = await load_invitation(session, invitation_id)
    access.check_inviter(caller, invitation)
    link = None
    if invitation.link_nonce is not None and domain.is_unclaimed(invitation):
        link = domain.join_link(domain.sign_link(invitation.id, invitation.link_nonce, cmd.expires_at, key))
    domain.extend(invitation, cmd.expires_at, join_link=link, now=now)
    session.add(domain.audit(invitation, "extended", caller.user_id, now, f"until {cmd.expires_at.isoformat()}"))
    return invitation


async def reset(
    session: AsyncSession, invitation_id: uuid.UUID, cmd: ResetInvitation, *, caller: Principal, now: datetime
) -> None:
    invitation = await load_invitation(session, invitation_id)
    access.check_inviter(caller, invitation)
    domain.reset(invitation, reason=cmd.reason, by=caller.user_id, now=now)
    session.add(domain.audit(invitation, "reset", caller.user_id, now, cmd.reason))


async def audit_log(session: AsyncSession, invitation_id: uuid.UUID, *, caller: Principal) -> list[AuditEntry]:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationNotFound("This invitation was not found; it may have been deleted")
    access.check_inviter(caller, invitation)
    entries = await session.scalars(
        select(InvitationAudit).where(InvitationAudit.invitation_id == invitation_id).order_by(InvitationAudit.at)
    )
    return [AuditEntry(action=e.action, actor_id=e.actor_id, reason=e.reason, at=e.at) for e in entries]

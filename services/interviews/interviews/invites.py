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


async def plan_bulk_invite(
    session: AsyncSession, cmd: BulkInvite, *, caller: Principal, now: datetime
) -> BulkInviteResult:
    """Each row's outcome before anything is reserved or written: the rows that can be invited are `ready` (the
    preview's answer). Refuses the whole list for a template the caller may not invite to or a deadline it can't
    have."""
    template = await _invitable_template(session, cmd, caller=caller, now=now)
    invited_already = await _invited_already(session, template, [row.email for row in cmd.candidates])
    seen: set[str] = set()
    rows: list[RowResult] = []
    for number, row in enumerate(cmd.candidates, start=1):
        status, message = _row_outcome(row.email.lower(), seen, invited_already)
        rows.append(RowResult(row=number, email=row.email, name=row.name or None, status=status, message=message))
    return _result(rows)


async def reserve_bulk_invite(plan: BulkInviteResult, *, account_id: str, quota: Quota) -> BulkInviteResult:
    """A slot of the plan's quota for each ready row, in the list's order and outside any transaction (a list of
    500 would otherwise hold a database connection across 500 calls to billing): a reserved row carries its
    invitation's id. Rows after the quota ran out are refused without asking billing again. When billing can't
    answer, what was reserved is given back and the whole list is refused."""
    rows: list[RowResult] = []
    message: str | None = None
    try:
        for row in plan.rows:
            if row.status != "ready":
                rows.append(row)
            elif message is not None:
                rows.append(row.model_copy(update={"status": "over_quota", "message": message}))
            else:
                invitation_id = uuid.uuid4()
                try:
                    await quota.reserve(account_id, "interviews", invitation_id)
                except QuotaExceeded as exc:
                    rows.append(row.model_copy(update={"status": "over_quota", "message": exc.message}))
                    message = "Your plan's interview quota is used up."
                else:
                    rows.append(row.model_copy(update={"invitation_id": invitation_id}))
    except BaseException:
        await release_bulk_invite(_result(rows), account_id=account_id, quota=quota)
        raise
    return _result(rows)


async def release_bulk_invite(reserved: BulkInviteResult, *, account_id: str, quota: Quota) -> None:
    """Gives back the slots of rows that were reserved and not invited."""
    for row in reserved.rows:
        if row.invitation_id is not None and row.status != "invited":
            await quota.release(account_id, "interviews", row.invitation_id)


async def send_bulk_invite(
    session: AsyncSession,
    cmd: BulkInvite,
    reserved: BulkInviteResult,
    *,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> BulkInviteResult:
    """Creates the reserved rows' invitations under their reserved ids, checking the template and the rows again
    (the list was planned in an earlier transaction): a row invited by someone else meanwhile is reported as
    already invited, and its slot is for the caller to give back."""
    template = await _invitable_template(session, cmd, caller=caller, now=now)
    company = await session.get(KnownCompany, caller.company_id) if caller.company_id is not None else None
    company_name = invitation_company_name(caller.company_id, company, cmd.company_name)
    to_send = [row for row in reserved.rows if row.invitation_id is not None]
    invited_already = await _invited_already(session, template, [row.email for row in to_send])
    rows: list[RowResult] = []
    for row in reserved.rows:
        if row.invitation_id is None:
            rows.append(row)
        elif row.email.lower() in invited_already:
            rows.append(row.model_copy(update={"status": "already_invited", "message": ALREADY_INVITED}))
        else:
            session.add(_invitation(cmd, row, row.invitation_id, template, company_name, caller, now, key))
            rows.append(row.model_copy(update={"status": "invited"}))
    return _result(rows)


ALREADY_INVITED = "This person is already invited to this interview."


async def _invitable_template(session: AsyncSession, cmd: BulkInvite, *, caller: Principal, now: datetime) -> Template:
    template = await session.get(Template, cmd.template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_may_invite_to(caller, template)
    Invitation.check_invitable(template, cmd.expires_at, now)
    return template


async def _invited_already(session: AsyncSession, template: Template, emails: list[str]) -> set[str]:
    """Of `emails`, those (lower-cased) with a live invitation to `template`."""
    if not emails:
        return set()
    return set(
        await session.scalars(
            select(func.lower(Invitation.candidate_email)).where(
                Invitation.template_id == template.id,
                func.lower(Invitation.candidate_email).in_([email.lower() for email in emails]),
                Invitation.status != InvitationStatus.CANCELLED,
            )
        )
    )


def _row_outcome(email: str, seen: set[str], invited_already: set[str]) -> tuple[RowStatus, str | None]:
    if not EMAIL.match(email):
        return "invalid_email", "This is not a valid e-mail address."
    if email in seen:
        return "duplicate", "This address appears earlier in the list."
    seen.add(email)
    if email in invited_already:
        return "already_invited", ALREADY_INVITED
    return "ready", None


def _result(rows: list[RowResult]) -> BulkInviteResult:
    invited = sum(1 for r in rows if r.status in ("invited", "ready"))
    return BulkInviteResult(invited=invited, refused=len(rows) - invited, rows=rows)


def _invitation(
    cmd: BulkInvite,
    row: RowResult,
    invitation_id: uuid.UUID,
    template: Template,
    company_name: str,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> Invitation:
    nonce = domain.new_nonce()
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
            "candidate_name": row.name,
            "hr_email": cmd.hr_email,
            "hr_name": cmd.hr_name,
        },
        now=now,
        invitation_id=invitation_id,
        join_link=domain.join_link(token),
    )
    invitation.link_nonce = nonce
    return invitation


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

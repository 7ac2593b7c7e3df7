"""A template's public apply link: HR opens, rotates or closes it; anyone with it sees the role and applies with a
name and an e-mail, which invites them like a person invited by e-mail (the invitation e-mail's signed link is the
confirmation). Like `commands`: load, check who may act (`access`), change through the domain, leave the commit
to the route."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from interviews import access
from interviews.domain import (
    Invitation,
    InvitationStatus,
    KnownCompany,
    Template,
    TemplateNotFound,
    TemplateStatus,
    invitation_company_name,
)
from interviews.domain import invites as links
from interviews.domain.apply import (
    APPLICATION_DEADLINE,
    PER_ADDRESS_PER_HOUR,
    PER_EMAIL_PER_HOUR,
    WINDOW,
    ApplyLink,
    ApplyRequest,
    RoleNotOpen,
    TooManyApplications,
    apply_token_parts,
    check_open,
    hash_value,
    sign_apply_token,
)
from interviews.domain.invites import InvitationNotOpen
from interviews.invite_schemas import Apply, ApplyLinkSettings, ApplyLinkView, ApplyPage
from interviews.quota import Quota, QuotaExceeded, QuotaUnavailable
from kit.auth import Principal
from kit.errors import Conflict, ServiceUnavailable
from kit.http import UpstreamUnavailable

# Who the audit names for what an applicant set off themselves.
APPLICANT = "apply-link"


class ApplyLinkNeedsActiveTemplate(Conflict):
    code = "TEMPLATE_NOT_ACTIVE"


class ApplicationsPaused(Conflict):
    code = "APPLICATIONS_PAUSED"


async def _own_template(session: AsyncSession, template_id: uuid.UUID, caller: Principal) -> Template:
    template = await session.get(Template, template_id)
    if template is None:
        raise TemplateNotFound("This interview template was not found; it may have been deleted")
    access.check_may_invite_to(caller, template)
    return template


def _view(link: ApplyLink | None, key: bytes) -> ApplyLinkView:
    if link is None:
        return ApplyLinkView(enabled=False)
    return ApplyLinkView(
        enabled=True, token=sign_apply_token(link, key), company_name=link.company_name, changed_at=link.changed_at
    )


async def apply_link(session: AsyncSession, template_id: uuid.UUID, *, caller: Principal, key: bytes) -> ApplyLinkView:
    await _own_template(session, template_id, caller)
    return _view(await session.get(ApplyLink, template_id), key)


async def set_apply_link(
    session: AsyncSession,
    template_id: uuid.UUID,
    cmd: ApplyLinkSettings,
    *,
    caller: Principal,
    now: datetime,
    key: bytes,
) -> ApplyLinkView:
    """Open (or keep open), rotate or close the link; the template's creator or an admin."""
    template = await _own_template(session, template_id, caller)
    link = await session.get(ApplyLink, template_id, with_for_update=True)
    if not cmd.enabled:
        if link is not None:
            await session.delete(link)
        return ApplyLinkView(enabled=False)
    if template.status != TemplateStatus.ACTIVE:
        raise ApplyLinkNeedsActiveTemplate("Publish the template before opening an apply link for it.")
    if link is None or cmd.rotate:
        company = await session.get(KnownCompany, caller.company_id) if caller.company_id is not None else None
        company_name = invitation_company_name(caller.company_id, company, cmd.company_name)
        if link is None:
            link = ApplyLink(template_id=template_id)
            session.add(link)
        link.company_name = company_name
        link.nonce = links.new_nonce()
        link.changed_by, link.changed_at = caller.user_id, now
    return _view(link, key)


async def _open(session: AsyncSession, token: str, key: bytes) -> tuple[ApplyLink, Template]:
    template_id, nonce = apply_token_parts(token, key)
    link = check_open(await session.get(ApplyLink, template_id), nonce)
    template = await session.get(Template, template_id)
    if template is None or template.status != TemplateStatus.ACTIVE or not template.questions:
        raise RoleNotOpen("This role is not taking applications at the moment.")
    return link, template


async def apply_page(session: AsyncSession, token: str, *, key: bytes) -> ApplyPage:
    """What anyone holding the link sees."""
    link, template = await _open(session, token, key)
    return ApplyPage(
        company_name=link.company_name,
        template_title=template.title,
        template_description=template.description,
        questions=len(template.questions),
        expected_duration=sum(q.time_limit + q.think_time for q in template.questions),
    )


@dataclass(frozen=True)
class Admitted:
    """An application within the limits from someone the role has not invited yet: the invitation to create once
    its slot of the plan's quota is reserved."""

    account_id: str
    invitation_id: uuid.UUID


async def admit(session: AsyncSession, cmd: Apply, *, address: str, now: datetime, key: bytes) -> Admitted | None:
    """The application's first step: refuses it beyond the per-address and per-e-mail limits; when this address was
    invited to the role already, sends that open invitation's e-mail again (None). The reply is the same either way,
    so the page tells nobody who applied; each request counts towards the limits."""
    _, template = await _open(session, cmd.token, key)
    await _check_limits(session, cmd, address=address, now=now, key=key)
    invited = await _invited(session, template, cmd.email)
    if invited is not None:
        _count(session, template, cmd, address=address, now=now, key=key)
        _remind(session, invited, now=now, key=key)
        return None
    return Admitted(account_id=template.company_id, invitation_id=uuid.uuid4())


async def reserve(quota: Quota, admitted: Admitted) -> None:
    """The new invitation's slot, reserved outside any transaction (a burst of applications would otherwise hold
    the pool's connections while billing answers), refused in the applicant's words."""
    try:
        await quota.reserve(admitted.account_id, "interviews", admitted.invitation_id)
    except QuotaExceeded as exc:
        # The plan's details are the company's business, not the applicant's.
        raise ApplicationsPaused(
            "This role is not taking more applications right now. Please try again later."
        ) from exc
    except (QuotaUnavailable, UpstreamUnavailable) as exc:
        raise ServiceUnavailable(
            "We could not take your application just now. Please try again in a minute.", headers=exc.headers
        ) from exc


async def invite_applicant(
    session: AsyncSession, cmd: Apply, admitted: Admitted, *, address: str, now: datetime, key: bytes
) -> bool:
    """The application's last step, its slot reserved: counts the request and invites the applicant under the
    reserved id. The link and the role are checked again; when the same address was invited meanwhile (two
    requests at once), that invitation is sent again instead and False says the slot is the caller's to give back."""
    link, template = await _open(session, cmd.token, key)
    _count(session, template, cmd, address=address, now=now, key=key)
    invited = await _invited(session, template, cmd.email)
    if invited is not None:
        _remind(session, invited, now=now, key=key)
        return False
    invitation_id, nonce = admitted.invitation_id, links.new_nonce()
    expires_at = now + APPLICATION_DEADLINE
    invitation = Invitation.create(
        template=template,
        candidate_id=links.unclaimed_candidate_id(invitation_id),
        invited_by=template.created_by,
        company_id=template.company_id,
        company_name=link.company_name,
        expires_at=expires_at,
        allow_pause=bool(template.settings.get("allowPause", True)),
        show_timer=bool(template.settings.get("showTimer", True)),
        contacts={"candidate_email": cmd.email, "candidate_name": cmd.name},
        now=now,
        invitation_id=invitation_id,
        join_link=links.join_link(links.sign_link(invitation_id, nonce, expires_at, key)),
    )
    invitation.link_nonce = nonce
    session.add(invitation)
    return True


async def _check_limits(session: AsyncSession, cmd: Apply, *, address: str, now: datetime, key: bytes) -> None:
    email_hash, ip_hash = hash_value(cmd.email.lower(), key), hash_value(address, key)
    since = now - WINDOW
    from_address = await session.scalar(
        select(func.count()).where(ApplyRequest.ip_hash == ip_hash, ApplyRequest.at > since)
    )
    for_email = await session.scalar(
        select(func.count()).where(ApplyRequest.email_hash == email_hash, ApplyRequest.at > since)
    )
    if (from_address or 0) >= PER_ADDRESS_PER_HOUR or (for_email or 0) >= PER_EMAIL_PER_HOUR:
        raise TooManyApplications(
            "Too many applications were sent from here in the last hour. Please try again later.",
            headers={"Retry-After": str(int(WINDOW.total_seconds()))},
        )


def _count(session: AsyncSession, template: Template, cmd: Apply, *, address: str, now: datetime, key: bytes) -> None:
    email_hash, ip_hash = hash_value(cmd.email.lower(), key), hash_value(address, key)
    session.add(ApplyRequest(template_id=template.id, email_hash=email_hash, ip_hash=ip_hash, at=now))


async def _invited(session: AsyncSession, template: Template, email: str) -> Invitation | None:
    """The latest live invitation of `email` to the role, locked until COMMIT."""
    invitation: Invitation | None = await session.scalar(
        select(Invitation)
        .where(
            Invitation.template_id == template.id,
            func.lower(Invitation.candidate_email) == email.lower(),
            Invitation.status != InvitationStatus.CANCELLED,
        )
        .order_by(Invitation.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    return invitation


def _remind(session: AsyncSession, invitation: Invitation, *, now: datetime, key: bytes) -> None:
    """An applicant already invited gets their open, unclaimed invitation's e-mail again; anything else (they
    started, finished or signed in already) sends nothing, and the reply says no more."""
    if not links.is_unclaimed(invitation) or invitation.link_nonce is None:
        return
    try:
        links.resend(invitation, join_link=links.join_link(links.sign_link_token(invitation, key)), now=now)
    except InvitationNotOpen:
        return
    session.add(links.audit(invitation, "resent", APPLICANT, now))

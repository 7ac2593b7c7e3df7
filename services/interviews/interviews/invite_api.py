"""Routes for inviting by e-mail: the bulk invitation with per-row outcomes, the signed link (public) and its
claim, HR's resend, extend, reset and audit of an invitation, and a template's public apply link (HR opens it;
anyone with it applies). Like `api`: roles on the route, one transaction, a view after COMMIT."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from interviews import applications, invites, metrics
from interviews.api import HrCaller, Now, QuotaCheck
from interviews.invite_schemas import (
    Apply,
    ApplyAccepted,
    ApplyLinkSettings,
    ApplyLinkView,
    ApplyPage,
    AuditEntry,
    BulkInvite,
    BulkInviteResult,
    ExtendInvitation,
    InviteToken,
    JoinView,
    ResendInvitation,
    ResetInvitation,
)
from interviews.review_api import client_address
from interviews.schemas import Created, Success
from interviews.settings import Settings
from kit.auth import CurrentUser
from kit.db import ReadSession, Sessions, transaction

router = APIRouter(prefix="/api")
public = APIRouter(prefix="/invites", tags=["invites"])
care = APIRouter(prefix="/invitations", tags=["invitations"])

# The gateway forwards the caller's e-mail in this header only when Keycloak marks it verified (and strips any
# value a client sends); the service trusts it, like every x-user-* header, only with the internal token.
VERIFIED_EMAIL = "x-user-verified-email"


def link_key(request: Request) -> bytes:
    settings: Settings = request.app.state.settings
    secret = settings.invite_link_secret.get_secret_value()
    # Separated by purpose from the share links' key derived from the same internal token.
    return (secret or "invite-links:" + settings.internal_token.get_secret_value()).encode()


@public.post("/bulk")
async def bulk_invite(
    cmd: BulkInvite, caller: HrCaller, read: ReadSession, db: Sessions, now: Now, quota: QuotaCheck, request: Request
) -> BulkInviteResult:
    """Invite people by e-mail (a list or a CSV's rows): each row's outcome; `dryRun` previews without sending."""
    # The plan only reads: no write transaction (BEGIN and COMMIT) for it, nor for a preview.
    plan = await invites.plan_bulk_invite(read, cmd, caller=caller, now=now)
    await read.close()  # its connection goes back before billing is asked (and a test's savepoint ends)
    if cmd.dry_run:
        return plan
    # Reserved at billing between two transactions, so no connection of the pool waits on billing's answers.
    reserved = await invites.reserve_bulk_invite(plan, account_id=caller.account_id, quota=quota)
    try:
        async with transaction(db) as session:
            result = await invites.send_bulk_invite(
                session, cmd, reserved, caller=caller, now=now, key=link_key(request)
            )
    except BaseException:
        await invites.release_bulk_invite(reserved, account_id=caller.account_id, quota=quota)
        raise
    await invites.release_bulk_invite(result, account_id=caller.account_id, quota=quota)
    metrics.INVITATIONS_SENT.inc(result.invited)
    return result


@public.get("/join", response_model_exclude_none=True)
async def join(
    token: Annotated[str, Query(min_length=1, max_length=500)], session: ReadSession, now: Now, request: Request
) -> JoinView:
    """What an invitation link shows before sign-in (404 forged or replaced, 410 expired or withdrawn)."""
    return await invites.join_view(session, token, now=now, key=link_key(request))


@public.post("/claim")
async def claim(cmd: InviteToken, caller: CurrentUser, db: Sessions, now: Now, request: Request) -> Created:
    """The signed-in person whose verified e-mail the link was sent to takes the invitation for their account."""
    async with transaction(db) as session:
        invitation_id = await invites.claim(
            session,
            cmd,
            caller=caller,
            verified_email=request.headers.get(VERIFIED_EMAIL) or None,
            now=now,
            key=link_key(request),
        )
    return Created(id=invitation_id)


@care.post("/{invitation_id}/resend")
async def resend(
    invitation_id: uuid.UUID,
    cmd: ResendInvitation,
    caller: HrCaller,
    db: Sessions,
    now: Now,
    request: Request,
) -> Success:
    """Send a pending invitation's e-mail again, optionally with a new link (the old one then stops working)."""
    async with transaction(db) as session:
        await invites.resend(session, invitation_id, cmd, caller=caller, now=now, key=link_key(request))
    return Success()


@care.post("/{invitation_id}/extend")
async def extend(
    invitation_id: uuid.UUID, cmd: ExtendInvitation, caller: HrCaller, db: Sessions, now: Now, request: Request
) -> Success:
    """Move the deadline later (an expired invitation nobody started opens again)."""
    async with transaction(db) as session:
        await invites.extend(session, invitation_id, cmd, caller=caller, now=now, key=link_key(request))
    return Success()


@care.post("/{invitation_id}/reset")
async def reset(invitation_id: uuid.UUID, cmd: ResetInvitation, caller: HrCaller, db: Sessions, now: Now) -> Success:
    """After a technical failure HR confirmed: the answers are discarded and the candidate starts again."""
    async with transaction(db) as session:
        await invites.reset(session, invitation_id, cmd, caller=caller, now=now)
    return Success()


@care.get("/{invitation_id}/audit")
async def audit(invitation_id: uuid.UUID, caller: HrCaller, session: ReadSession) -> list[AuditEntry]:
    """Who resent, extended, reset or claimed this invitation, and why, oldest first."""
    return await invites.audit_log(session, invitation_id, caller=caller)


# -- the public apply link ----------------------------------------------------------------------------------

APPLIED = (
    "Thank you. If this address can take the interview, an e-mail with your personal link is on its way. "
    "Open it to confirm your address and start."
)


@public.get("/apply-links/{template_id}", response_model_exclude_none=True)
async def apply_link(template_id: uuid.UUID, caller: HrCaller, session: ReadSession, request: Request) -> ApplyLinkView:
    """Whether the template's apply link is open, and its token."""
    return await applications.apply_link(session, template_id, caller=caller, key=link_key(request))


@public.put("/apply-links/{template_id}", response_model_exclude_none=True)
async def set_apply_link(
    template_id: uuid.UUID, cmd: ApplyLinkSettings, caller: HrCaller, db: Sessions, now: Now, request: Request
) -> ApplyLinkView:
    """Open, rotate (the old link stops working) or close the template's apply link."""
    async with transaction(db) as session:
        view = await applications.set_apply_link(
            session, template_id, cmd, caller=caller, now=now, key=link_key(request)
        )
    return view


@public.get("/apply")
async def apply_page(
    token: Annotated[str, Query(min_length=1, max_length=500)], session: ReadSession, request: Request
) -> ApplyPage:
    """What the public apply link shows: company, role and expected duration (404 forged, 410 closed or not open)."""
    return await applications.apply_page(session, token, key=link_key(request))


@public.post("/apply", status_code=202)
async def apply(cmd: Apply, db: Sessions, now: Now, quota: QuotaCheck, request: Request) -> ApplyAccepted:
    """Apply with a name and an e-mail: the invitation e-mail confirms the address (the same reply for everyone)."""
    address, key = client_address(request), link_key(request)
    async with transaction(db) as session:
        admitted = await applications.admit(session, cmd, address=address, now=now, key=key)
    if admitted is not None:
        # Reserved between the two transactions, so no connection of the pool waits on billing.
        await applications.reserve(quota, admitted)
        created = False
        try:
            async with transaction(db) as session:
                invited = await applications.invite_applicant(session, cmd, admitted, address=address, now=now, key=key)
            created = invited
        finally:
            if not created:  # refused, failed, or the address was invited meanwhile: the slot goes back
                await quota.release(admitted.account_id, "interviews", admitted.invitation_id)
    return ApplyAccepted(message=APPLIED)


router.include_router(public)
router.include_router(care)

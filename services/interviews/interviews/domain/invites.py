"""Inviting people who have no account yet, and HR's care of an invitation once sent.

A person invited by e-mail gets an invitation whose `candidate_id` is a stand-in no account can have
(`invitee:<invitation id>`): every event contract carries a candidate id, and nobody can act on the interview
until the person claims it. The e-mail carries a signed link (HMAC over the invitation id, the link's nonce and
its expiry); opening it shows the briefing, and signing in with that verified e-mail claims the invitation for
the account, once. A resend may rotate the nonce (the old link stops working), a cancellation (revoke) ends
every link, and every HR step on an invitation is written to `invitation_audit`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviews.domain.invitations import InvalidInvitationState, Invitation, InvitationStatus
from kit.contracts import interviews as events
from kit.db import Base
from kit.errors import Conflict, Forbidden, Gone, Invalid, NotFound

UNCLAIMED_PREFIX = "invitee:"


def unclaimed_candidate_id(invitation_id: uuid.UUID) -> str:
    return f"{UNCLAIMED_PREFIX}{invitation_id}"


def is_unclaimed(invitation: Invitation) -> bool:
    return invitation.candidate_id.startswith(UNCLAIMED_PREFIX)


def new_nonce() -> str:
    return secrets.token_hex(8)


class InvitationAudit(Base):
    """Who did what to an invitation, and why (a reset's reason, a claim's account)."""

    __tablename__ = "invitation_audit"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def audit(
    invitation: Invitation, action: str, actor_id: str, now: datetime, reason: str | None = None
) -> InvitationAudit:
    return InvitationAudit(invitation_id=invitation.id, action=action, actor_id=actor_id, reason=reason, at=now)


# -- the signed link ------------------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def sign_link(invitation_id: uuid.UUID, nonce: str, expires_at: datetime, key: bytes) -> str:
    """A link's token: valid until `expires_at`, for that nonce of that invitation."""
    payload = f"{invitation_id}.{nonce}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(payload, key)}"


def sign_link_token(invitation: Invitation, key: bytes) -> str:
    """The link for the invitation's current nonce and deadline."""
    if invitation.link_nonce is None:
        raise InvalidInvitationState("This invitation has no e-mail link")
    return sign_link(invitation.id, invitation.link_nonce, invitation.expires_at, key)


def join_link(token: str) -> str:
    """The web app's page for the link (a path: the notifications service prefixes its web address)."""
    return f"/join?token={token}"


def link_invitation_id(token: str, key: bytes, *, now: datetime) -> tuple[uuid.UUID, str]:
    """The invitation and nonce a token names, if its signature holds and it has not expired."""
    payload, _, signature = token.rpartition(".")
    if not payload or not hmac.compare_digest(signature.encode(), _signature(payload, key).encode()):
        raise InviteLinkInvalid("This invitation link is not valid. Please use the link from your latest e-mail.")
    try:
        raw_id, nonce, raw_expiry = payload.split(".")
        invitation_id = uuid.UUID(raw_id)
        expiry = datetime.fromtimestamp(int(raw_expiry), tz=UTC)
    except ValueError as exc:
        raise InviteLinkInvalid("This invitation link is not valid.") from exc
    if now > expiry:
        raise InviteLinkExpired("This invitation link has expired. Ask the company to send you a new one.")
    return invitation_id, nonce


def check_link(invitation: Invitation, nonce: str) -> None:
    """A token signed for this invitation is honoured only for its current nonce and while it can be taken."""
    if invitation.status == InvitationStatus.CANCELLED:
        raise InviteLinkRevoked("This invitation was withdrawn by the company.")
    if invitation.link_nonce is None or not hmac.compare_digest(nonce.encode(), invitation.link_nonce.encode()):
        raise InviteLinkInvalid("This invitation link was replaced by a newer one. Please use your latest e-mail.")


# -- HR's care of an invitation -------------------------------------------------------------------------------


def claim(invitation: Invitation, *, user_id: str, verified_email: str | None, now: datetime) -> bool:
    """The signed-in person takes the invitation for their account, once; True when it was claimed now."""
    if invitation.candidate_id == user_id:
        return False
    if not is_unclaimed(invitation):
        raise InvitationClaimedByAnother("This invitation already belongs to another account.")
    if verified_email is None:
        raise EmailNotVerified("Please verify your e-mail address first, then open the link again.")
    if (invitation.candidate_email or "").casefold() != verified_email.casefold():
        raise EmailMismatch(
            "This invitation was sent to a different e-mail address. Sign in with the address it was sent to."
        )
    invitation.candidate_id = user_id
    invitation.claimed_at = now
    invitation.updated_at = now
    invitation.record(
        events.InvitationClaimed(
            invitation_id=str(invitation.id), candidate_id=user_id, claimed_at=now, company_id=invitation.company_id
        )
    )
    return True


def resend(invitation: Invitation, *, join_link: str | None, now: datetime) -> None:
    """Send the invitation e-mail again, with the link as it is now (a rotated nonce ends the old link)."""
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationNotOpen(
            f"Only an invitation not yet started can be sent again; this one is {invitation.status}."
        )
    if invitation.expires_at <= now:
        raise InvitationNotOpen("This invitation's deadline has passed; extend it first.")
    invitation.updated_at = now
    invitation.record(
        events.InvitationResent(
            invitation_id=str(invitation.id),
            candidate_id=invitation.candidate_id,
            template_title=invitation.pinned.title,
            company_name=invitation.company_name,
            expires_at=invitation.expires_at,
            candidate_email=invitation.candidate_email,
            candidate_name=invitation.candidate_name,
            join_link=join_link,
        )
    )


def extend(invitation: Invitation, expires_at: datetime, *, join_link: str | None, now: datetime) -> None:
    """Move the deadline later; an invitation that expired before anyone started it is open again."""
    if expires_at <= now or expires_at <= invitation.expires_at:
        raise InvalidDeadline("The new deadline must be later than both now and the current deadline.")
    if invitation.status == InvitationStatus.EXPIRED and invitation.started_at is None:
        invitation.status = InvitationStatus.PENDING
    elif invitation.status not in (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS):
        raise InvitationNotOpen(f"An invitation that is {invitation.status} cannot be extended.")
    invitation.expires_at = expires_at
    invitation.updated_at = now
    invitation.record(
        events.InvitationExtended(
            invitation_id=str(invitation.id),
            candidate_id=invitation.candidate_id,
            expires_at=expires_at,
            status=invitation.status,
            candidate_email=invitation.candidate_email,
            join_link=join_link,
        )
    )


def reset(invitation: Invitation, *, reason: str, by: str, now: datetime) -> None:
    """After a technical failure HR confirmed: the answers and clocks are discarded and the candidate starts
    again (the briefing stays seen). A decided interview is never reset."""
    if invitation.status not in (InvitationStatus.IN_PROGRESS, InvitationStatus.COMPLETED):
        raise InvitationNotOpen(f"Only a started or completed interview can be reset; this one is {invitation.status}.")
    if invitation.decision is not None:
        raise InvitationNotOpen("A decision was already made on this interview; it cannot be reset.")
    if invitation.expires_at <= now:
        raise InvitationNotOpen("This invitation's deadline has passed; extend it first.")
    invitation.status = InvitationStatus.PENDING
    invitation.started_at = invitation.completed_at = invitation.last_activity_at = None
    invitation.completed_reason = None
    invitation.analysis_id = invitation.analysis_status = invitation.analysis_recommendation = None
    invitation.analysis_score = None
    invitation.analysis_completed_at = invitation.analysis_event_at = None
    invitation.analysis_error_message = None
    invitation.analysis_criteria = None
    invitation.responses.clear()
    invitation.openings.clear()
    invitation.updated_at = now
    invitation.record(
        events.InvitationReset(
            invitation_id=str(invitation.id),
            candidate_id=invitation.candidate_id,
            reset_by=by,
            reason=reason,
            reset_at=now,
        )
    )


class InviteLinkInvalid(NotFound):
    code = "INVITE_LINK_INVALID"


class InviteLinkExpired(Gone):
    code = "INVITE_LINK_EXPIRED"


class InviteLinkRevoked(Gone):
    code = "INVITE_LINK_REVOKED"


class InvitationClaimedByAnother(Forbidden):
    code = "INVITATION_CLAIMED"


class EmailNotVerified(Forbidden):
    code = "EMAIL_NOT_VERIFIED"


class EmailMismatch(Forbidden):
    code = "EMAIL_MISMATCH"


class InvitationNotOpen(Conflict):
    code = "INVALID_INVITATION_STATE"


class InvalidDeadline(Invalid):
    code = "INVALID_DEADLINE"

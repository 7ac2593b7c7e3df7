"""A template's public apply link: HR switches it on (and may rotate it, which ends the old one); anyone holding it
sees the company, the role and the expected duration, and gives a name and an e-mail. That creates an ordinary
invitation for a person without an account (`domain.invites`), whose e-mailed signed link is the confirmation:
opening it and verifying the address leads to the briefing.

The link's token is an HMAC over the template id and the link's nonce (no expiry: it lives until HR rotates or
closes it). Requests through it are logged by keyed hashes of the e-mail and the address, never the values, so
they can be rate-limited per address and per e-mail."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from interviews.domain.invites import _b64
from kit.db import Base
from kit.errors import DomainError, Gone, NotFound

# How long an applicant has to take the interview; the deadline an invitation made through the link carries.
APPLICATION_DEADLINE = timedelta(days=7)
# Requests per hour through apply links: from one network address (a shared office may apply for several people)
# and for one e-mail address (a typo corrected, a lost e-mail asked again).
PER_ADDRESS_PER_HOUR = 10
PER_EMAIL_PER_HOUR = 3
WINDOW = timedelta(hours=1)


class ApplyLink(Base):
    """An open apply link of a template; no row means the link is off."""

    __tablename__ = "apply_links"

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interview_templates.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(32))
    company_name: Mapped[str] = mapped_column(String(200))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApplyRequest(Base):
    """One application through a link, for the rate limits: keyed hashes only."""

    __tablename__ = "apply_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview_templates.id", ondelete="CASCADE"), index=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _apply_key(key: bytes) -> bytes:
    # Separated by purpose from the invitation links signed with the same secret.
    return hmac.new(key, b"apply-links", hashlib.sha256).digest()


def sign_apply_token(link: ApplyLink, key: bytes) -> str:
    payload = f"{link.template_id}.{link.nonce}"
    return f"{payload}.{_b64(hmac.new(_apply_key(key), payload.encode(), hashlib.sha256).digest())}"


def apply_token_parts(token: str, key: bytes) -> tuple[uuid.UUID, str]:
    """The template and nonce a token names, if its signature holds."""
    payload, _, signature = token.rpartition(".")
    expected = _b64(hmac.new(_apply_key(key), payload.encode(), hashlib.sha256).digest())
    if not payload or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise ApplyLinkInvalid("This application link is not valid. Please check that you copied all of it.")
    template_id, _, nonce = payload.partition(".")
    try:
        return uuid.UUID(template_id), nonce
    except ValueError as exc:
        raise ApplyLinkInvalid("This application link is not valid.") from exc


def check_open(link: ApplyLink | None, nonce: str) -> ApplyLink:
    """A link switched off, or replaced by a newer one, takes no applications."""
    if link is None or not hmac.compare_digest(link.nonce.encode(), nonce.encode()):
        raise ApplyLinkClosed("This application link is no longer open. Please ask the company for their current link.")
    return link


def hash_value(value: str, key: bytes) -> str:
    # Keyed, so the log cannot be reversed by hashing every address or a list of e-mails.
    return hmac.new(_apply_key(key), value.encode(), hashlib.sha256).hexdigest()


class ApplyLinkInvalid(NotFound):
    code = "APPLY_LINK_INVALID"


class ApplyLinkClosed(Gone):
    code = "APPLY_LINK_CLOSED"


class RoleNotOpen(Gone):
    code = "ROLE_NOT_OPEN"


class TooManyApplications(DomainError):
    status, code = 429, "TOO_MANY_REQUESTS"

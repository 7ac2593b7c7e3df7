"""Pseudonyms of the audit trail: what lets an append-only log forget a person.

Audit rows are never changed or deleted (Postgres refuses it), yet a candidate may have everything about them
erased. So a row names a candidate, an interview, a recording or a share link only by a random pseudonym, and a
reason written about an interview (a decision's or a stage move's note, which may name the candidate) is stored
encrypted (AES-GCM) under that interview's own key. Pseudonym and key live in `audit_pseudonyms`, an ordinary
table beside the log. While a mapping exists the trail reads as before (and filters by candidate or interview);
erasing a person (`subject.erasure-requested`) or an interview (`invitation.erased`, the person's or the
company's retention) deletes its mappings, and the rows left behind say who did what and when about someone
no one can name any more: crypto-shredding.

A mapping belongs to an interview (`invitation_id`: the interview itself, its recordings and share links) and,
when the gateway learnt it, to a candidate (`candidate_id`); deleting either owner's mappings forgets them."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import structlog

# `cryptography` comes with the gateway's `pyjwt[crypto]` (it verifies the tokens' signatures with it).
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import DateTime, LargeBinary, String, UniqueConstraint, Uuid, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import Base

log = structlog.get_logger(__name__)

CANDIDATE, INVITATION, MEDIA, SHARE_LINK = "candidate", "invitation", "media", "share_link"
# Subject types whose id is a person's (a template, an export of the audit, are not).
PERSONAL_SUBJECTS = frozenset({INVITATION, MEDIA, SHARE_LINK})
SEALED = "aesgcm:"


class AuditPseudonym(Base):
    __tablename__ = "audit_pseudonyms"
    __table_args__ = (UniqueConstraint("kind", "real_id", name="uq_audit_pseudonyms_kind_real_id"),)

    pseudonym: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    real_id: Mapped[str] = mapped_column(String(64))
    invitation_id: Mapped[str | None] = mapped_column(String(64))
    candidate_id: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class Mapping:
    pseudonym: uuid.UUID
    key: bytes


async def pseudonym_of(
    session: AsyncSession, kind: str, real_id: str, *, invitation: str | None = None, candidate: str | None = None
) -> Mapping:
    """The id's pseudonym and key, made on first use; owners learnt later are added to an existing mapping."""
    statement = (
        insert(AuditPseudonym)
        .values(
            pseudonym=uuid.uuid4(),
            kind=kind,
            real_id=real_id,
            invitation_id=invitation,
            candidate_id=candidate,
            key=AESGCM.generate_key(bit_length=256),
        )
        .on_conflict_do_update(
            constraint="uq_audit_pseudonyms_kind_real_id",
            set_={
                "invitation_id": func.coalesce(AuditPseudonym.invitation_id, invitation),
                "candidate_id": func.coalesce(AuditPseudonym.candidate_id, candidate),
            },
        )
        .returning(AuditPseudonym.pseudonym, AuditPseudonym.key)
    )
    row = (await session.execute(statement)).one()
    return Mapping(row.pseudonym, row.key)


async def existing(session: AsyncSession, kind: str, real_id: str) -> uuid.UUID | None:
    """The pseudonym of an id that has one (a filter by an id never recorded, or forgotten, matches nothing)."""
    found: uuid.UUID | None = await session.scalar(
        select(AuditPseudonym.pseudonym).where(AuditPseudonym.kind == kind, AuditPseudonym.real_id == real_id)
    )
    return found


def seal(text: str, key: bytes, row_id: uuid.UUID) -> str:
    """The text encrypted under the key, bound to its audit row (it cannot be moved to another)."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), row_id.bytes)
    return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(stored: str, key: bytes | None, row_id: uuid.UUID) -> str | None:
    """A sealed text in clear while its key exists; None once it was shredded. Unsealed text is returned as is."""
    if not stored.startswith(SEALED):
        return stored
    if key is None:
        return None
    raw = base64.urlsafe_b64decode(stored.removeprefix(SEALED))
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], row_id.bytes).decode()
    except InvalidTag:
        log.error("audit.reason_unreadable", row=str(row_id))
        return None


@dataclass
class Resolved:
    """The mappings of a page of audit rows, by pseudonym (as stored in the rows)."""

    by_pseudonym: dict[str, AuditPseudonym] = field(default_factory=dict)

    def real(self, stored: str | None) -> str | None:
        """The real id behind a stored pseudonym; a forgotten one (or a row from before pseudonyms) as stored."""
        if stored is None:
            return None
        found = self.by_pseudonym.get(stored.lower())
        return found.real_id if found else stored

    def key(self, stored: str | None) -> bytes | None:
        found = self.by_pseudonym.get(stored.lower()) if stored else None
        return found.key if found else None


async def resolve(session: AsyncSession, stored: Iterable[str | None]) -> Resolved:
    ids = set()
    for value in stored:
        try:
            ids.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not ids:
        return Resolved()
    found = await session.scalars(select(AuditPseudonym).where(AuditPseudonym.pseudonym.in_(ids)))
    return Resolved({str(m.pseudonym): m for m in found.all()})


async def forget_invitation(session: AsyncSession, invitation_id: str) -> int:
    """An erased interview: its pseudonym, its recordings' and share links', and their keys go; so does its
    candidate's while no account claimed it (interviews names such a candidate after the invitation)."""
    result = await session.execute(
        delete(AuditPseudonym)
        .where(
            or_(
                AuditPseudonym.invitation_id == invitation_id,
                AuditPseudonym.candidate_id.contains(invitation_id, autoescape=True),
            )
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def forget_person(session: AsyncSession, user_id: str) -> int:
    """An erased person: their pseudonym and every mapping the gateway knew was theirs."""
    result = await session.execute(
        delete(AuditPseudonym)
        .where(AuditPseudonym.candidate_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

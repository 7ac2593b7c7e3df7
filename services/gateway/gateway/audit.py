"""The audit trail: an append-only log, per company, of who saw a candidate's answers, recordings and AI scores,
who exported what, who decided about or moved a candidate and why, and share links made, revoked and opened.

The gateway writes it because it sees every such request with the verified caller and their company, whichever
service answers it: after an upstream's 2xx on a route listed in `AUDITED`, one small insert in the same request
(an indexed append, no lock on anything else). Postgres keeps the table append-only (migration 0003).

Rows name a candidate, their interview, recordings and share links only by pseudonym, and a reason written
about an interview is sealed under that interview's key (`gateway.pseudonyms`), so an erasure forgets the person
without touching a row.

When the row cannot be written the request does not pass silently: a read (a view, a playback URL, an export) is
answered 503 `AUDIT_UNAVAILABLE` instead of handing out what was not recorded; a change (a decision, a stage, a
share link) has already happened upstream, so its reply is passed on and the failure is logged with the whole row
and counted (`gateway_audit_write_failures_total`), for an operator to restore from the log."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from fastapi import Request
from multidict import CIMultiDict
from prometheus_client import Counter
from sqlalchemy import DateTime, String, Text, Uuid, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from gateway import pseudonyms
from gateway.identity import Identity
from gateway.saga import SYSTEM_HEADERS
from gateway.upstream import UpstreamResponse
from kit.db import Base, transaction
from kit.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

AUDIT_WRITE_FAILURES = Counter("gateway_audit_write_failures_total", "Audit rows that could not be written", ["kind"])

NO_WRITTEN_REASON = {
    "decision.approved": "approved without a written reason",
    "stage.changed": "moved without a written reason",
}


class AuditUnavailable(ServiceUnavailable):
    code = "AUDIT_UNAVAILABLE"


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # The moment of writing (not the transaction's start), so rows written in one transaction keep their order.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("clock_timestamp()"))
    # The company whose candidate it concerns (the caller's, resolved from membership); null for an admin
    # without one, and for a share link made before the trail existed.
    company_id: Mapped[str | None] = mapped_column(String(64))
    # Null when nobody signed in: a share link opened by its holder.
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    candidate_id: Mapped[str | None] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(64))
    # Why, in the actor's words (a decision's or a stage move's note).
    reason: Mapped[str | None] = mapped_column(Text)
    # What else identifies it: the stage moved to, an export's filters.
    detail: Mapped[str | None] = mapped_column(Text)
    correlation_id: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class Audited:
    """A proxied route whose 2xx is recorded: the action, what it is about (`subject` names the path parameter,
    or how the subject is found) and whether it changes something (`change`) or hands data out."""

    action: str
    subject_type: str
    subject: str
    change: bool = False


AUDITED: dict[tuple[str, str], Audited] = {
    ("GET", "/api/reviews/{invitation_id}"): Audited("answers.viewed", "invitation", "invitation_id"),
    ("GET", "/api/invitations/{invitation_id}"): Audited("answers.viewed", "invitation", "invitation_id"),
    ("GET", "/api/analysis/{invitation_id}"): Audited("ai_scores.viewed", "invitation", "invitation_id"),
    ("GET", "/api/media/{media_id}/stream"): Audited("recording.played", "media", "media_id"),
    ("GET", "/api/media/{media_id}/download"): Audited("recording.downloaded", "media", "media_id"),
    ("GET", "/api/media/{media_id}/transcription"): Audited("transcript.viewed", "media", "media_id"),
    ("GET", "/api/reviews/templates/{template_id}/export.csv"): Audited("export.review_csv", "template", "template_id"),
    ("POST", "/api/invitations/{invitation_id}/approve"): Audited(
        "decision.approved", "invitation", "invitation_id", change=True
    ),
    ("POST", "/api/invitations/{invitation_id}/reject"): Audited(
        "decision.rejected", "invitation", "invitation_id", change=True
    ),
    ("POST", "/api/reviews/stage"): Audited("stage.changed", "invitation", "body:invitationIds", change=True),
    ("POST", "/api/reviews/{invitation_id}/share-links"): Audited(
        "share_link.created", "share_link", "response:id", change=True
    ),
    ("DELETE", "/api/reviews/{invitation_id}/share-links/{link_id}"): Audited(
        "share_link.revoked", "share_link", "link_id", change=True
    ),
    ("GET", "/api/shared"): Audited("shared_link.viewed", "share_link", "query:token"),
    ("GET", "/api/fairness/report.csv"): Audited("export.fairness_csv", "template", "query:templateId"),
}

# What a signed-in caller reads about themselves is not audited (a candidate's own answers and recordings); the
# trail is about the people who review candidates, and about share links, which anyone holding one may open.
REVIEWER_ROLES = ("hr", "admin")


def _as_dict(row: AuditEvent) -> dict[str, str | None]:
    columns = ("company_id", "actor_id", "action", "invitation_id", "subject_type", "subject_id", "reason", "detail")
    return {name: None if getattr(row, name) is None else str(getattr(row, name)) for name in columns}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _share_link_of(token: str) -> str | None:
    # The upstream verified the token's signature before answering 2xx; its first part is the link's id.
    try:
        return str(uuid.UUID(token.split(".", 1)[0]))
    except ValueError:
        return None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def media_owner(request: Request, media_id: str) -> tuple[str | None, str | None]:
    """The interview and candidate a recording belongs to, asked of media (its playback answers name neither):
    the recording's pseudonym must be forgotten with them."""
    upstream = request.app.state.upstreams["media"]
    found = await upstream.request("GET", f"/api/v1/media/{uuid.UUID(media_id)}", headers=CIMultiDict(SYSTEM_HEADERS))
    media = _json(found.body) if found.status == 200 else None
    if not isinstance(media, dict):
        raise AuditUnavailable("This could not be recorded in the audit trail, so it is not shown. Try again.")
    invitation, owner = media.get("invitationId"), media.get("ownerId")
    return (str(invitation) if invitation else None), (str(owner) if owner else None)


async def rows_for(
    request: Request,
    audited: Audited,
    caller: Identity | None,
    company_id: str | None,
    upstream: UpstreamResponse,
    session: AsyncSession,
    owner: tuple[str | None, str | None] = (None, None),
) -> list[AuditEvent]:
    """The rows one audited 2xx makes (a bulk stage move makes one per invitation), naming the candidate, their
    interview, recordings and share links by pseudonym and sealing the reason under the interview's key
    (`gateway.pseudonyms`). `owner` is a recording's interview and candidate (`media_owner`)."""
    params = request.path_params
    body = _json(await request.body()) if audited.change else None
    response = _json(upstream.body) if "json" in upstream.headers.get("content-type", "") else None
    note = body.get("note") if isinstance(body, dict) else None
    reason = note.strip() if isinstance(note, str) and note.strip() else NO_WRITTEN_REASON.get(audited.action)
    detail: str | None = None
    invitation = str(_uuid(params["invitation_id"])) if "invitation_id" in params else None
    candidate = response.get("candidateId") if isinstance(response, dict) else None
    candidate = str(candidate) if candidate else owner[1]
    subjects: list[str]
    if audited.subject == "body:invitationIds":
        ids = body.get("invitationIds") if isinstance(body, dict) else None
        subjects = [str(i) for i in ids] if isinstance(ids, list) else []
        detail = f"stage={body.get('stage')}" if isinstance(body, dict) else None
    elif audited.subject == "response:id":
        subjects = [str(response.get("id"))] if isinstance(response, dict) and response.get("id") else []
    elif audited.subject == "query:token":
        link = _share_link_of(request.query_params.get("token", ""))
        subjects = [link] if link else []
        mapping = None
        if link:
            mapping = await session.scalar(
                select(pseudonyms.AuditPseudonym).where(
                    pseudonyms.AuditPseudonym.kind == pseudonyms.SHARE_LINK,
                    pseudonyms.AuditPseudonym.real_id == link,
                )
            )
        if mapping is not None:
            # A share link belongs to the company and interview it was created for, as recorded then.
            invitation = mapping.invitation_id
            company_id = await session.scalar(
                select(AuditEvent.company_id)
                .where(
                    AuditEvent.subject_type == "share_link",
                    AuditEvent.subject_id == str(mapping.pseudonym),
                    AuditEvent.action == "share_link.created",
                )
                .limit(1)
            )
    elif audited.subject.startswith("query:"):
        # An export over the company's interviews, or one template's: its filters are the detail.
        subjects = [request.query_params.get(audited.subject.removeprefix("query:")) or "all"]
        detail = request.url.query or None
    else:
        subjects = [str(params[audited.subject])]
        if audited.subject_type == "media":
            invitation = owner[0]
        if audited.subject_type == "template" and request.url.query:
            detail = request.url.query
    correlation = request.headers.get("x-correlation-id")
    rows = []
    for subject in subjects:
        row_id = uuid.uuid4()
        about = _uuid(subject) if audited.subject == "body:invitationIds" else _uuid(invitation)
        interview = await pseudonyms.pseudonym_of(
            session, pseudonyms.INVITATION, str(about), invitation=str(about), candidate=candidate
        ) if about else None  # fmt: skip
        person = await pseudonyms.pseudonym_of(
            session, pseudonyms.CANDIDATE, candidate, candidate=candidate
        ) if candidate else None  # fmt: skip
        stored_subject = subject
        if audited.subject_type in pseudonyms.PERSONAL_SUBJECTS:
            named = await pseudonyms.pseudonym_of(
                session, audited.subject_type, subject, invitation=str(about) if about else None, candidate=candidate
            )
            stored_subject = str(named.pseudonym)
        rows.append(
            AuditEvent(
                id=row_id,
                company_id=company_id,
                actor_id=caller.user_id if caller else None,
                actor_role=caller.role if caller else "share_link",
                action=audited.action,
                invitation_id=interview.pseudonym if interview else None,
                candidate_id=str(person.pseudonym) if person else None,
                subject_type=audited.subject_type,
                subject_id=stored_subject,
                # What was written about an interview may name its candidate: sealed under the interview's key.
                reason=pseudonyms.seal(reason, interview.key, row_id) if reason and interview else reason,
                detail=detail,
                correlation_id=correlation[:64] if correlation else None,
            )
        )
    return rows


async def account_of(request: Request, caller: Identity) -> str | None:
    """Whose trail a row belongs to: the caller's company, else, for HR working without a company, their own
    account (the billed account interviews uses too); none for an admin outside any company."""
    company = await request.app.state.companies(caller)
    if company is None and not caller.has("admin"):
        return caller.user_id
    return company  # type: ignore[no-any-return]


async def record(
    request: Request,
    method: str,
    path: str,
    caller: Identity | None,
    upstream: UpstreamResponse,
    company_id: str | None = None,
) -> None:
    """Write the audit rows of a proxied request that succeeded, if its route is audited (see the module)."""
    audited = AUDITED.get((method, path))
    if audited is None or not 200 <= upstream.status < 300:
        return
    if caller is not None and not caller.has(*REVIEWER_ROLES):
        return
    if caller is None and audited.subject != "query:token":
        return
    if caller is not None and company_id is None:
        company_id = await account_of(request, caller)
    sessions = request.app.state.sessions
    rows: list[AuditEvent] = []
    owner: tuple[str | None, str | None] = (None, None)
    if audited.subject_type == "media":
        owner = await media_owner(request, str(request.path_params[audited.subject]))
    try:
        async with transaction(sessions) as session:
            rows = await rows_for(request, audited, caller, company_id, upstream, session, owner)
            session.add_all(rows)
    except (SQLAlchemyError, OSError) as exc:
        AUDIT_WRITE_FAILURES.labels("change" if audited.change else "read").inc()
        log.error(
            "audit.write_failed",
            action=audited.action,
            path=request.url.path,
            actor=caller.user_id if caller else None,
            rows=[_as_dict(row) for row in rows],
            error=str(exc),
        )
        if not audited.change:
            raise AuditUnavailable(
                "This could not be recorded in the audit trail, so it is not shown. Try again."
            ) from exc

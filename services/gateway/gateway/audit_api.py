"""The audit trail for HR and admins: filtered, paginated, and exported as CSV (the export is audited too). HR sees
their own company's rows (the company resolved from membership, never taken from the client); an admin sees every
row, or one company's with `companyId`."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select, false, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import pseudonyms
from gateway.audit import AuditEvent, AuditUnavailable, account_of
from gateway.identity import Caller, GatedRouter, Identity
from gateway.schemas import AuditEntry
from kit.db import ReadSession, transaction
from kit.errors import Invalid
from kit.schemas import Page, PageNumber, PageSize, paginate

router = GatedRouter(tags=["audit"])

# A CSV export holds at most this many rows, newest first; narrower filters reach further back.
CSV_MAX_ROWS = 50_000
CSV_COLUMNS = (
    "at",
    "company_id",
    "actor_id",
    "actor_role",
    "action",
    "invitation_id",
    "candidate_id",
    "subject_type",
    "subject_id",
    "reason",
    "detail",
)


@dataclass(frozen=True)
class AuditFilters:
    """The list's and the export's filters."""

    actor: str | None
    action: str | None
    invitation_id: uuid.UUID | None
    candidate_id: str | None
    since: datetime | None
    until: datetime | None
    company_id: str | None


# An async function, not the class itself: FastAPI runs a class or a plain `def` dependency in its thread pool.
async def audit_filters(
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    invitation_id: Annotated[uuid.UUID | None, Query(alias="invitationId")] = None,
    candidate_id: Annotated[str | None, Query(alias="candidateId", max_length=64)] = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    company_id: Annotated[str | None, Query(alias="companyId", max_length=64)] = None,
) -> AuditFilters:
    """The filters, as query parameters."""
    if since is not None and until is not None and since > until:
        raise Invalid(
            "Request validation failed",
            details=[
                {"field": "from", "location": "query", "message": "must not be after 'to'", "type": "value_error"}
            ],
        )
    return AuditFilters(actor, action, invitation_id, candidate_id, since, until, company_id)


Filters = Annotated[AuditFilters, Depends(audit_filters)]


async def _query(
    request: Request, caller: Identity, filters: AuditFilters, session: AsyncSession
) -> Select[Any] | None:
    """The rows the caller may see under the filters, newest first; None when they may see none."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id)
    if caller.has("admin"):
        if filters.company_id is not None:
            query = query.where(AuditEvent.company_id == filters.company_id)
    else:
        company = await account_of(request, caller)
        if company is None:
            return None
        query = query.where(AuditEvent.company_id == company)
    if filters.actor is not None:
        query = query.where(AuditEvent.actor_id == filters.actor)
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    # Rows name interviews and candidates by pseudonym: one never recorded, or forgotten, matches no row.
    if filters.invitation_id is not None:
        interview = await pseudonyms.existing(session, pseudonyms.INVITATION, str(filters.invitation_id))
        query = query.where(AuditEvent.invitation_id == interview if interview else false())
    if filters.candidate_id is not None:
        person = await pseudonyms.existing(session, pseudonyms.CANDIDATE, filters.candidate_id)
        query = query.where(AuditEvent.candidate_id == str(person) if person else false())
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at <= filters.until)
    return query


async def _names(session: AsyncSession, rows: list[AuditEvent]) -> pseudonyms.Resolved:
    stored = [v for row in rows for v in (row.invitation_id, row.candidate_id, row.subject_id)]
    return await pseudonyms.resolve(session, (str(v) if v else None for v in stored))


def _readable(row: AuditEvent, names: pseudonyms.Resolved) -> dict[str, Any]:
    """A row with the real ids behind its pseudonyms and its reason unsealed, while their mappings exist; once a
    person or interview is erased, its pseudonyms stay (rows about one still read together) and the reason is
    gone."""
    invitation = str(row.invitation_id) if row.invitation_id else None
    personal = row.subject_type in pseudonyms.PERSONAL_SUBJECTS
    return {
        "id": row.id,
        "at": row.at,
        "company_id": row.company_id,
        "actor_id": row.actor_id,
        "actor_role": row.actor_role,
        "action": row.action,
        "invitation_id": names.real(invitation),
        "candidate_id": names.real(row.candidate_id),
        "subject_type": row.subject_type,
        "subject_id": names.real(row.subject_id) if personal else row.subject_id,
        "reason": pseudonyms.unseal(row.reason, names.key(invitation), row.id) if row.reason else None,
        "detail": row.detail,
    }


async def _pseudonymous_query(session: AsyncSession, request: Request) -> str | None:
    """The export's filters as its detail, an interview's or candidate's id by its pseudonym."""
    kinds = {"invitationId": pseudonyms.INVITATION, "candidateId": pseudonyms.CANDIDATE}
    pairs = []
    for name, value in parse_qsl(request.url.query, keep_blank_values=True):
        if name in kinds:
            value = str(await pseudonyms.existing(session, kinds[name], value) or "unknown")
        pairs.append((name, value))
    return urlencode(pairs) or None


@router.get("/api/hr/audit", summary="The audit trail", response_model_exclude_none=True)
async def audit_trail(
    request: Request,
    caller: Caller,
    session: ReadSession,
    filters: Filters,
    page: PageNumber = 1,
    limit: PageSize = 50,
) -> Page[AuditEntry]:
    """Who viewed, exported, decided or shared what about the caller's company's candidates, newest first."""
    query = await _query(request, caller, filters, session)
    if query is None:
        return Page(items=[], total=0, page=page, limit=limit, total_pages=0)
    rows, total = await paginate(session, query, page=page, limit=limit)
    found = [row for (row,) in rows]
    names = await _names(session, found)
    items = [AuditEntry.model_validate(_readable(row, names)) for row in found]
    return Page(items=items, total=total, page=page, limit=limit, total_pages=-(-total // limit))


def _cell(value: object) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    # A value opening with =, +, - or @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@router.get(
    "/api/hr/audit.csv",
    summary="The audit trail as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def audit_trail_csv(request: Request, caller: Caller, session: ReadSession, filters: Filters) -> Response:
    """The audit trail under the same filters as CSV (newest first, at most 50,000 rows); the export is audited."""
    query = await _query(request, caller, filters, session)
    company = await account_of(request, caller)
    # Recorded first, in its own transaction: an export that cannot be recorded is not given.
    try:
        async with transaction(request.app.state.sessions) as write:
            write.add(
                AuditEvent(
                    id=uuid.uuid4(),
                    company_id=company,
                    actor_id=caller.user_id,
                    actor_role=caller.role,
                    action="export.audit_csv",
                    subject_type="audit",
                    subject_id=filters.company_id or company or "all",
                    detail=await _pseudonymous_query(write, request),
                )
            )
    except (SQLAlchemyError, OSError) as exc:
        raise AuditUnavailable("The export could not be recorded in the audit trail, so it is not given.") from exc
    rows = [] if query is None else list((await session.scalars(query.limit(CSV_MAX_ROWS))).all())
    names = await _names(session, rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        readable = _readable(row, names)
        writer.writerow([_cell(readable[column]) for column in CSV_COLUMNS])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit-trail.csv"'},
    )

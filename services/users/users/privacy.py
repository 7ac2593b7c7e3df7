"""A person's erasure (GDPR Art. 17), as the users service starts and reports it.

`request_erasure` deletes the account (profile, skills, memberships and applications cascade) and records
`subject.erasure-requested`, which interviews, notifications and billing act on (and, per erased invitation,
media, analysis, notifications and billing). Each reports with `subject.erased`; `record_report` keeps the counts
under the request's id, which is the only identifier the report holds. The report is complete once interviews
said how many invitations it erased and every service reported for the person and for each of them. The mail with
the report's signed link is announced by the report that completes it (`record_report`), or by the worker's sweep
once the deadline passed (`send_due_reports`, also the safety net); the person's address is held only until then."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import DateTime, ForeignKey, Integer, String, Uuid, or_, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kit.auth import Principal
from kit.contracts.privacy import ErasureReportReady, SubjectErased, SubjectErasureRequested
from kit.db import Base
from kit.erasure import forget_published
from kit.errors import Invalid, NotFound
from kit.outbox import stage
from users import access
from users.commands import load_user
from users.domain import CandidateApplication, CandidateProfile, CandidateSkill

log = structlog.get_logger("users.privacy")

SUBJECT = "subject"
# Who reports for the person as a whole, and who once per erased invitation.
FOR_THE_PERSON = ("interviews", "notifications", "billing")
PER_INVITATION = ("media", "analysis", "notifications", "billing")


class ErasureConfirmationMismatch(Invalid):
    code = "ERASURE_NOT_CONFIRMED"


class ErasureReportNotFound(NotFound):
    code = "ERASURE_REPORT_NOT_FOUND"


class ErasureReport(Base):
    __tablename__ = "erasure_reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # After it the report is sent as it stands, naming the services that have not reported.
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invitations: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notify_email: Mapped[str | None] = mapped_column(String(320))
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ErasureReportEntry(Base):
    __tablename__ = "erasure_report_entries"

    erasure_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("erasure_reports.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSONB)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def scope_digest(erasure_id: uuid.UUID, scope: str) -> str:
    """The scope (an erased invitation's id) only as a digest: enough to count each report once."""
    if scope == SUBJECT:
        return SUBJECT
    return hashlib.sha256(f"{erasure_id}:{scope}".encode()).hexdigest()


def sign(erasure_id: uuid.UUID, key: str) -> str:
    mac = hmac.new(key.encode(), str(erasure_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def verify(erasure_id: uuid.UUID, token: str, key: str) -> bool:
    return hmac.compare_digest(sign(erasure_id, key), token)


def report_path(erasure_id: uuid.UUID, key: str) -> str:
    """The report's signed link, relative to the web app."""
    return f"/privacy/erasure/{erasure_id}?token={sign(erasure_id, key)}"


@dataclass
class ServiceReport:
    service: str
    counts: dict[str, int] = field(default_factory=dict)
    reported_at: datetime | None = None


@dataclass
class Progress:
    report: ErasureReport
    services: list[ServiceReport]
    waiting_for: list[str]

    @property
    def complete(self) -> bool:
        return not self.waiting_for


async def request_erasure(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    confirm_email: str,
    caller: Principal,
    now: datetime,
    report_within: timedelta,
) -> tuple[ErasureReport, str | None]:
    """Erase the caller's account and start the cascade; returns the report and the avatar object to discard."""
    access.require_self(caller, user_id, "Only you can ask for your own data to be erased")
    user = await load_user(session, user_id)
    if confirm_email.strip().lower() != user.email.strip().lower():
        raise ErasureConfirmationMismatch(
            "Type the e-mail address of your account to confirm the erasure",
            details=[{"field": "confirmEmail", "message": "does not match your account's e-mail address"}],
        )
    report = ErasureReport(id=uuid.uuid4(), requested_at=now, deadline_at=now + report_within, notify_email=user.email)
    session.add(report)
    stage(
        session,
        SubjectErasureRequested(erasure_id=report.id, user_id=user.id, email=user.email, requested_at=now),
        aggregate_id=report.id,
    )
    avatar = user.avatar_key
    # The account's own rows go now (profile, skills, memberships and applications cascade); user.deleted
    # tells the services that only forget a user (analytics) as they do for any deletion.
    user.record_deletion()
    await session.delete(user)
    await forget_published(session, [str(user.id), user.email])
    return report, avatar


async def record_report(session: AsyncSession, event: SubjectErased, *, now: datetime, key: str) -> None:
    """One service's counts, once per scope (a repeated request reports zeros under a scope already kept). The
    report that completes it announces the mail at once; the report row's lock makes that one report only, and a
    report arriving after it (a redelivery, a repeated request) finds it completed and mails nothing."""
    report = await session.get(ErasureReport, event.erasure_id, with_for_update=True)
    if report is None:
        log.info("users.erasure_report_unknown", erasure_id=str(event.erasure_id), service=event.service)
        return
    await session.execute(
        insert(ErasureReportEntry)
        .values(
            erasure_id=event.erasure_id,
            service=event.service,
            scope_digest=scope_digest(event.erasure_id, event.scope),
            counts=dict(event.counts),
            reported_at=event.erased_at,
        )
        .on_conflict_do_nothing()
    )
    if event.service == "interviews" and event.scope == SUBJECT and report.invitations is None:
        report.invitations = event.invitations or 0
    if report.completed_at is not None:
        return
    done = await progress(session, report)
    if done.complete:
        report.completed_at = now
        if report.notified_at is None:
            _hand_over(session, done, now=now, key=key)


async def progress(session: AsyncSession, report: ErasureReport) -> Progress:
    entries = (
        await session.scalars(select(ErasureReportEntry).where(ErasureReportEntry.erasure_id == report.id))
    ).all()
    by_service: dict[str, ServiceReport] = {}
    subject: set[str] = set()
    per_invitation: dict[str, int] = defaultdict(int)
    for entry in entries:
        summary = by_service.setdefault(entry.service, ServiceReport(entry.service))
        for kind, n in entry.counts.items():
            summary.counts[kind] = summary.counts.get(kind, 0) + n
        summary.reported_at = max(filter(None, (summary.reported_at, entry.reported_at)))
        if entry.scope_digest == SUBJECT:
            subject.add(entry.service)
        else:
            per_invitation[entry.service] += 1
    waiting = {s for s in FOR_THE_PERSON if s not in subject}
    if report.invitations is None:
        # Until interviews reported, nobody knows how many invitations the others owe reports for.
        waiting.update(s for s in PER_INVITATION if per_invitation[s] == 0)
    else:
        waiting.update(s for s in PER_INVITATION if per_invitation[s] < report.invitations)
    services = [ServiceReport("users", {"accounts": 1}, report.requested_at)]
    services += sorted(by_service.values(), key=lambda s: s.service)
    return Progress(report, services, sorted(waiting))


async def report_of(session: AsyncSession, erasure_id: uuid.UUID, token: str, *, key: str) -> Progress:
    """The report for the holder of its signed link; a wrong token is answered like an unknown report."""
    report = await session.get(ErasureReport, erasure_id)
    if report is None or not verify(erasure_id, token, key):
        raise ErasureReportNotFound("There is no erasure report at this link")
    return await progress(session, report)


def _hand_over(session: AsyncSession, state: Progress, *, now: datetime, key: str) -> bool:
    """The report's mail is announced and its address cleared in one transaction (notifications sends the mail from
    the event and keeps no copy): the address is held no longer. False when there was no address to mail."""
    report = state.report
    address = report.notify_email
    report.notify_email, report.notified_at = None, now
    if not address:
        return False
    stage(
        session,
        ErasureReportReady(
            erasure_id=report.id,
            email=address,
            report_path=report_path(report.id, key),
            complete=state.complete,
            waiting_for=state.waiting_for,
        ),
        aggregate_id=report.id,
    )
    return True


async def send_due_reports(session: AsyncSession, *, now: datetime, key: str, limit: int = 100) -> int:
    """Announces the mail of each report not mailed yet that is complete (should its completing report not have
    announced it) or past its deadline (it then names who has not reported); the number of mails announced."""
    found = await session.scalars(
        select(ErasureReport)
        .where(ErasureReport.notified_at.is_(None))
        .where(or_(ErasureReport.completed_at.is_not(None), ErasureReport.deadline_at <= now))
        .order_by(ErasureReport.requested_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    announced = 0
    for report in found.all():
        announced += _hand_over(session, await progress(session, report), now=now, key=key)
    return announced


async def subject_export(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """The person's account, candidate profile, skills and the accounts they applied to."""
    user = await load_user(session, user_id)
    profile = await session.get(CandidateProfile, user_id)
    skills = await session.scalars(select(CandidateSkill).where(CandidateSkill.candidate_id == user_id))
    applications = await session.scalars(
        select(CandidateApplication).where(CandidateApplication.candidate_id == user_id)
    )
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "bio": user.bio,
            "phone": user.phone,
            "timezone": user.timezone,
            "language": user.language,
            "emailVerified": user.email_verified,
            "role": user.role,
            "status": user.status,
            "hasAvatar": user.avatar_key is not None,
            "createdAt": user.created_at,
            "lastLoginAt": user.last_login_at,
        },
        "experienceLevel": profile.experience_level if profile else None,
        "skills": [
            {
                "skill": s.skill.name,
                "proficiency": s.proficiency_level,
                "yearsOfExperience": s.years_of_experience,
                "description": s.description,
            }
            for s in skills.all()
        ],
        "appliedTo": [{"account": a.account_id, "appliedAt": a.applied_at} for a in applications.all()],
    }

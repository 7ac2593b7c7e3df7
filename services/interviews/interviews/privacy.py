"""A data subject's erasure and the per-company retention, as far as interviews holds them.

Erasing an invitation deletes it with everything under it (answers, reviewers' ratings and notes, stages, share
links, the audit of its changes, question openings; the foreign keys cascade) and the projection of its
recordings, then announces `invitation.erased`, which media, analysis and notifications follow for it. The counts
go to the requester's erasure report; no content does."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    LABEL_STYLE_TABLENAME_PLUS_COL,
    DateTime,
    Delete,
    Integer,
    String,
    bindparam,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from interviews.domain import (
    DEFAULT_CANDIDATE_FEEDBACK,
    CandidateFeedback,
    Invitation,
    InvitationAudit,
    MediaObject,
    Response,
    released_outcome,
)
from interviews.domain.fairness import SelfIdentification
from interviews.domain.invites import UNCLAIMED_PREFIX
from interviews.domain.reviews import CandidateStage, Review, ShareLink
from interviews.domain.timing import QuestionOpening
from kit.auth import Principal
from kit.contracts.privacy import InterviewsSubjectErased, InvitationErased, SubjectErasureRequested
from kit.db import Base
from kit.erasure import forget_published
from kit.outbox import stage

SERVICE = "interviews"
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3650


class CompanyRetention(Base):
    """A company's choice to erase its candidates' data N days after the decision; no row: kept (the default)."""

    __tablename__ = "company_retention"

    company_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Where a session remembers the retention periods it read: most companies set none, and a missing row is not in
# the identity map, so the briefing's notice and its view would otherwise each ask again.
RETENTION_READ = "interviews.retention_read"


# The statement `session.get` sends, built once: `get` builds it and its cache key per call (0.12 ms of CPU on the
# briefing and on the notice's acceptance, a third of the read's). Unlike `get` it does not look in the identity map
# first: `RETENTION_READ` does that job, and the row is only ever held after `set_retention`, which forgets the read.
RETENTION = (
    select(CompanyRetention)
    .where(CompanyRetention.company_id == bindparam("company_id"))
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)


async def retention_of(session: AsyncSession, company_id: str) -> int | None:
    read: dict[str, int | None] = session.info.setdefault(RETENTION_READ, {})
    if company_id not in read:
        row = await session.scalar(RETENTION, {"company_id": company_id})
        read[company_id] = row.retention_days if row else None
    return read[company_id]


async def set_retention(session: AsyncSession, days: int | None, *, caller: Principal, now: datetime) -> int | None:
    """The caller's company's retention period in days, or None to keep data (bounds are the schema's)."""
    row = await session.get(CompanyRetention, caller.account_id, with_for_update=True)
    session.info.get(RETENTION_READ, {}).pop(caller.account_id, None)
    if days is None:
        if row is not None:
            await session.delete(row)
        return None
    if row is None:
        row = CompanyRetention(company_id=caller.account_id)
        session.add(row)
    row.retention_days, row.updated_by, row.updated_at = days, caller.user_id, now
    return days


async def erase_expired(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """One batch of decided invitations past their company's retention period, erased as the retention's; the
    job calls it in one transaction per batch until it returns fewer than `batch`."""
    due = await session.scalars(
        select(Invitation.id)
        .join(CompanyRetention, CompanyRetention.company_id == Invitation.company_id)
        .where(Invitation.decision_at.is_not(None))
        .where(Invitation.decision_at < now - func.make_interval(0, 0, 0, CompanyRetention.retention_days))
        .order_by(Invitation.decision_at)
        .limit(batch)
        .with_for_update(of=Invitation, skip_locked=True)
    )
    ids = list(due.all())
    await erase_invitations(session, ids, erasure_id=None, reason="retention", now=now)
    return len(ids)


async def _count(session: AsyncSession, statement: Delete) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def erase_invitations(
    session: AsyncSession,
    invitation_ids: Sequence[uuid.UUID],
    *,
    erasure_id: uuid.UUID | None,
    reason: Literal["subject", "retention"],
    now: datetime,
) -> Counter[str]:
    """Delete the invitations and what hangs off them, announce each; returns what was deleted, by kind."""
    counts: Counter[str] = Counter()
    if not invitation_ids:
        return counts
    ids = list(invitation_ids)
    recordings: dict[uuid.UUID, list[str]] = {}
    known = select(MediaObject.id, MediaObject.invitation_id).where(MediaObject.invitation_id.in_(ids))
    for media_id, invitation_id in (await session.execute(known)).all():
        recordings.setdefault(invitation_id, []).append(str(media_id))
    # Children first, each counted; the foreign keys would cascade them anyway (and any table added later).
    counts["answers"] = await _count(session, delete(Response).where(Response.invitation_id.in_(ids)))
    counts["reviews"] = await _count(session, delete(Review).where(Review.invitation_id.in_(ids)))
    counts["stages"] = await _count(session, delete(CandidateStage).where(CandidateStage.invitation_id.in_(ids)))
    counts["shareLinks"] = await _count(session, delete(ShareLink).where(ShareLink.invitation_id.in_(ids)))
    counts["auditEntries"] = await _count(
        session, delete(InvitationAudit).where(InvitationAudit.invitation_id.in_(ids))
    )
    counts["questionOpenings"] = await _count(
        session, delete(QuestionOpening).where(QuestionOpening.invitation_id.in_(ids))
    )
    counts["recordingRefs"] = await _count(session, delete(MediaObject).where(MediaObject.invitation_id.in_(ids)))
    counts["invitations"] = await _count(session, delete(Invitation).where(Invitation.id.in_(ids)))
    counts["publishedEvents"] = await forget_published(session, [str(i) for i in ids])
    for invitation_id in ids:
        stage(
            session,
            InvitationErased(
                invitation_id=str(invitation_id),
                erasure_id=erasure_id,
                reason=reason,
                erased_at=now,
                media_ids=sorted(recordings.get(invitation_id, [])),
            ),
            aggregate_id=invitation_id,
        )
    return counts


async def erase_subject(session: AsyncSession, event: SubjectErasureRequested, *, now: datetime) -> None:
    """Every invitation of the person, by account or (not yet claimed) by address, their recordings' projection
    and their voluntary self-identification; a redelivery finds nothing left and reports zeros under the same
    scope, which the report ignores."""
    user_id = str(event.user_id)
    found = await session.scalars(
        select(Invitation.id).where(
            or_(
                Invitation.candidate_id == user_id,
                # Only while no account claimed it: a claimed invitation is its claimant's, whatever the address.
                Invitation.candidate_id.startswith(UNCLAIMED_PREFIX)
                & (func.lower(Invitation.candidate_email) == event.email.lower()),
            )
        )
    )
    ids = list(found.all())
    counts = await erase_invitations(session, ids, erasure_id=event.erasure_id, reason="subject", now=now)
    counts["recordingRefs"] += await _count(session, delete(MediaObject).where(MediaObject.owner_id == user_id))
    # Their voluntary self-identification (the adverse-impact report then counts no one for it).
    counts["selfIdentification"] = await _count(
        session, delete(SelfIdentification).where(SelfIdentification.candidate_id == user_id)
    )
    counts["publishedEvents"] += await forget_published(session, [user_id, event.email])
    stage(
        session,
        InterviewsSubjectErased(
            erasure_id=event.erasure_id,
            service=SERVICE,
            scope="subject",
            counts=dict(counts),
            invitations=len(ids),
            erased_at=now,
        ),
        aggregate_id=event.erasure_id,
    )


async def subject_export(session: AsyncSession, user_id: str, *, now: datetime) -> dict[str, Any]:
    """The person's invitations with their answers, and of each decision what the company lets candidates see."""
    found = await session.scalars(
        select(Invitation).where(Invitation.candidate_id == user_id).order_by(Invitation.created_at)
    )
    invitations = []
    for invitation in found.all():
        settings = invitation.pinned.settings
        decision, decided_at, feedback = released_outcome(
            CandidateFeedback(settings.get("candidateFeedback") or DEFAULT_CANDIDATE_FEEDBACK),
            invitation.decision,
            invitation.decision_at,
            invitation.candidate_feedback,
            invitation.feedback_release_at,
            now,
        )
        invitations.append(
            {
                "id": invitation.id,
                "interview": invitation.pinned.title,
                "company": invitation.company_name,
                "status": invitation.status,
                "invitedAs": {"name": invitation.candidate_name, "email": invitation.candidate_email},
                "createdAt": invitation.created_at,
                "expiresAt": invitation.expires_at,
                "openedAt": invitation.opened_at,
                "startedAt": invitation.started_at,
                "completedAt": invitation.completed_at,
                "decision": decision,
                "decidedAt": decided_at,
                "feedback": feedback,
                "answers": [
                    {
                        "questionIndex": r.question_index,
                        "question": r.question_text,
                        "type": r.response_type,
                        "text": r.text_answer,
                        "code": r.code_answer,
                        "selectedOptionId": r.selected_option_id,
                        "recordingId": r.media_id,
                        "durationSeconds": r.duration,
                        "submittedAt": r.submitted_at,
                    }
                    for r in sorted(invitation.responses, key=lambda r: r.question_index)
                ],
            }
        )
    return {"invitations": invitations}

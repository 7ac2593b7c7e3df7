"""Team review of a completed interview: each reviewer's ratings (1 to 5 per question) and private note, the
candidate's stage in the hiring pipeline, and read-only share links for someone without an account (every
view logged).

A stage before the decision (shortlisted, next round) is stored here; the final stages are the invitation's
decision (approved is `selected`, rejected is `rejected`), so the reference's approve/reject and the stage
bar can never disagree."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviews.domain.invitations import Decision, Invitation, InvitationStatus
from interviews.domain.rubrics import Criterion, weighted_rating
from kit.db import Base, stored_enum
from kit.errors import Conflict, Gone, Invalid, NotFound


class Stage(StrEnum):
    NEW = "new"
    SHORTLISTED = "shortlisted"
    NEXT_ROUND = "next_round"
    SELECTED = "selected"
    REJECTED = "rejected"


# The final stages are decisions; the others are only a marker on the way there.
DECISION_STAGES = {Stage.SELECTED: Decision.APPROVED, Stage.REJECTED: Decision.REJECTED}
RATING_RANGE = range(1, 6)


class CandidateStage(Base):
    __tablename__ = "candidate_stages"

    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[Stage] = mapped_column(stored_enum(Stage, length=20), index=True)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def stage_of(invitation: Invitation, marked: CandidateStage | None) -> Stage:
    """The decision, once made, is the stage; before it, the marker set by the team (new when none)."""
    if invitation.decision == Decision.APPROVED:
        return Stage.SELECTED
    if invitation.decision == Decision.REJECTED:
        return Stage.REJECTED
    return marked.stage if marked is not None else Stage.NEW


def check_stage_change(invitation: Invitation, stage: Stage) -> None:
    """Only a completed interview moves through the pipeline, and a decision is final (as approve/reject are)."""
    if invitation.status != InvitationStatus.COMPLETED:
        raise StageChangeRefused(f"Only a completed interview can be moved to a stage; this one is {invitation.status}")
    if invitation.decision is not None:
        raise StageChangeRefused("A decision was already made for this candidate")
    if stage == Stage.NEW:
        raise InvalidReview("A candidate cannot be moved back to new", details=[_field("stage", "not allowed")])


class Review(Base):
    """One reviewer's ratings and private note on one interview. Others see it once they submitted their own, so
    a first impression is formed without anchoring on a colleague's."""

    __tablename__ = "reviews"

    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    reviewer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {question id: 1..5}
    ratings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # {question id: {criterion name: 1..5}} for the questions scored on a rubric; their entry in `ratings` is the
    # weighted mean of these, so lists and exports keep one rating per question.
    criteria_ratings: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    # The teammates the note mentions (user ids), so a re-saved note tells only those newly mentioned.
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def change(self, invitation: Invitation, ratings: dict[str, int], note: str | None, now: datetime) -> None:
        questions = {str(q.id) for q in invitation.pinned.questions}
        unknown = sorted(set(ratings) - questions)
        if unknown:
            raise InvalidReview(
                "Ratings name questions this interview does not have",
                details=[_field(f"ratings.{q}", "not a question of this interview") for q in unknown],
            )
        out_of_range = sorted(q for q, r in ratings.items() if r not in RATING_RANGE)
        if out_of_range:
            raise InvalidReview(
                "A rating is a whole number from 1 to 5",
                details=[_field(f"ratings.{q}", "must be from 1 to 5") for q in out_of_range],
            )
        self.ratings = dict(ratings)
        self.note = (note or "").strip() or None
        self.updated_at = now

    def rate_criteria(
        self, rubrics: Mapping[str, Sequence[Criterion]], criteria_ratings: Mapping[str, Mapping[str, int]]
    ) -> None:
        """After `change`: a question scored on a rubric (`rubrics`: question id to its criteria) is rated per
        criterion, never as a whole, so the team's ratings line up with the AI's criteria scores."""
        problems = [
            _field(f"ratings.{q}", "this question has a rubric: rate each of its criteria")
            for q in self.ratings
            if q in rubrics
        ]
        for question, by_criterion in criteria_ratings.items():
            if question not in rubrics:
                problems.append(_field(f"criteriaRatings.{question}", "not a question of this interview with a rubric"))
                continue
            names = {c["name"] for c in rubrics[question]}
            problems += [
                _field(f"criteriaRatings.{question}.{name}", "not a criterion of this question's rubric")
                for name in by_criterion
                if name not in names
            ]
            problems += [
                _field(f"criteriaRatings.{question}.{name}", "must be from 1 to 5")
                for name, rating in by_criterion.items()
                if rating not in RATING_RANGE
            ]
        if problems:
            raise InvalidReview("Some ratings do not fit this interview's rubric", details=problems)
        rated = {q: dict(by) for q, by in criteria_ratings.items() if by}
        self.criteria_ratings = rated
        self.ratings = {**self.ratings, **{q: weighted_rating(by, rubrics[q]) for q, by in rated.items()}}

    def submit(self, now: datetime) -> None:
        if not self.ratings:
            raise InvalidReview("Rate at least one answer before submitting", details=[_field("ratings", "empty")])
        self.submitted_at = self.submitted_at or now
        self.updated_at = now


class ShareLink(Base):
    """A read-only link to one candidate's interview for someone without an account, until it expires or is
    revoked. The token carries the link's id and expiry, signed; the row is the revocation list."""

    __tablename__ = "share_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def check_usable(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise ShareLinkRevoked("This link was withdrawn by the company that shared it")
        if now >= self.expires_at:
            raise ShareLinkExpired("This link has expired; ask the company for a new one")


class ShareView(Base):
    """One opening of a share link: when, and from where (a hash of the address, never the address)."""

    __tablename__ = "share_views"
    __table_args__ = (Index("ix_share_views_link", "share_link_id", "viewed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    share_link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("share_links.id", ondelete="CASCADE"))
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip_hash: Mapped[str] = mapped_column(String(64))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign_share_token(link: ShareLink, key: bytes) -> str:
    payload = f"{link.id}.{int(link.expires_at.timestamp())}"
    return f"{payload}.{_b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())}"


def share_link_id(token: str, key: bytes) -> uuid.UUID:
    """The link a token names, if its signature holds; a forged or mangled token is simply not found."""
    payload, _, signature = token.rpartition(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not payload or not hmac.compare_digest(signature, expected):
        raise ShareLinkNotFound("This link is not valid")
    try:
        return uuid.UUID(payload.split(".", 1)[0])
    except ValueError as exc:
        raise ShareLinkNotFound("This link is not valid") from exc


def hash_address(address: str, key: bytes) -> str:
    # Keyed, so the log cannot be reversed by hashing every IPv4 address.
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _field(field: str, message: str) -> dict[str, str]:
    return {"field": field, "location": "body", "message": message, "type": "value_error"}


class InvalidReview(Invalid):
    code = "VALIDATION_ERROR"


class StageChangeRefused(Conflict):
    code = "STAGE_CHANGE_REFUSED"


class ShareLinkNotFound(NotFound):
    code = "SHARE_LINK_NOT_FOUND"


class ShareLinkRevoked(Gone):
    code = "SHARE_LINK_REVOKED"


class ShareLinkExpired(Gone):
    code = "SHARE_LINK_EXPIRED"

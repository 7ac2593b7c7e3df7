"""Wire models of the AI-use notice and the candidate's consent: what the briefing shows and takes, and the
consent record HR sees on the review."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from interviews.domain import Invitation
from interviews.domain.consent import Notice
from kit.schemas import Command, View


class GiveConsent(Command):
    """The candidate accepts the notice of `noticeVersion` (and, when sent, of exactly the text hashed as
    `noticeHash`); `humanReviewRequested` asks for reviewers to score before they see the AI's analysis."""

    accepted: Literal[True]
    notice_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    notice_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    human_review_requested: bool = False


class OpenBriefing(Command):
    """The briefing's body: empty to read it, with `consent` to accept its notice."""

    consent: GiveConsent | None = None


class NoticeView(View):
    """The notice as rendered for this invitation: its wording's version, the hash of its English text, the text
    and the facts it states (for a screen that renders it in the candidate's language)."""

    version: str
    hash: str
    paragraphs: list[str]
    company_name: str
    criteria: list[str]
    retention_days: int | None = None
    contact_email: str | None = None

    @classmethod
    def of(cls, notice: Notice) -> NoticeView:
        return cls(
            version=notice.version,
            hash=notice.text_hash,
            paragraphs=notice.paragraphs,
            company_name=notice.company_name,
            criteria=list(notice.criteria),
            retention_days=notice.retention_days,
            contact_email=notice.contact_email,
        )


class ConsentRecord(View):
    """What the candidate accepted and when."""

    notice_version: str
    notice_hash: str
    accepted_at: datetime
    human_review_requested: bool

    @classmethod
    def of(cls, invitation: Invitation) -> ConsentRecord | None:
        if (
            invitation.consent_accepted_at is None
            or invitation.consent_notice_version is None
            or invitation.consent_notice_hash is None
        ):
            return None
        return cls(
            notice_version=invitation.consent_notice_version,
            notice_hash=invitation.consent_notice_hash,
            accepted_at=invitation.consent_accepted_at,
            human_review_requested=invitation.human_review_requested,
        )

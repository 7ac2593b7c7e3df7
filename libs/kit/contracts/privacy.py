"""Contracts of a data subject's rights (GDPR Art. 17) and of per-company retention.

The cascade: the users service records `subject.erasure-requested` on `user-events`; interviews erases the
subject's invitations and announces each as `invitation.erased` on `interview-events` (the per-company retention
job announces the invitations it erases the same way, without an erasure id), which media, analysis and
notifications follow for that invitation. Every service that erased something for a request says so with
`subject.erased` on its own topic (one class per topic below, one TYPE): counts per kind of record, never what
was in them, so the users service's erasure report holds no personal data besides the request's id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from kit.domain import IntegrationEvent

ERASURE_REQUESTED = "subject.erasure-requested"
INVITATION_ERASED = "invitation.erased"
SUBJECT_ERASED = "subject.erased"


class _Contract(IntegrationEvent):
    model_config = ConfigDict(frozen=True, populate_by_name=True, alias_generator=to_camel)


class SubjectErasureRequested(_Contract):
    """A user asked for everything about them to be erased (their account is already gone from users)."""

    TYPE: ClassVar[str] = ERASURE_REQUESTED
    TOPIC: ClassVar[str] = "user-events"

    erasure_id: UUID
    user_id: UUID
    # So invitations sent to the address before an account claimed them are found too; no consumer stores it.
    email: str
    requested_at: datetime


class InvitationErased(_Contract):
    """An invitation and everything under it is gone from interviews; the other services follow for it."""

    TYPE: ClassVar[str] = INVITATION_ERASED
    TOPIC: ClassVar[str] = "interview-events"

    invitation_id: str
    # The request it belongs to; None when the company's retention period erased it.
    erasure_id: UUID | None
    reason: Literal["subject", "retention"]
    erased_at: datetime
    # Its recordings as interviews knew them: billing counts stored bytes under a recording's id.
    media_ids: list[str] = []


class SubjectErased(_Contract):
    """What one service erased for one request: `scope` is "subject" for the whole person, else the invitation
    id it erased (media and analysis erase per invitation, so they report once per invitation)."""

    TYPE: ClassVar[str] = SUBJECT_ERASED
    TOPIC: ClassVar[str] = "user-events"

    erasure_id: UUID
    service: str
    scope: str
    counts: dict[str, int]
    # interviews only: how many invitations it erased, so the report knows how many per-invitation reports
    # media and analysis still owe.
    invitations: int | None = None
    erased_at: datetime


class InterviewsSubjectErased(SubjectErased):
    TOPIC: ClassVar[str] = "interview-events"


class MediaSubjectErased(SubjectErased):
    TOPIC: ClassVar[str] = "media-events"


class AnalysisSubjectErased(SubjectErased):
    TOPIC: ClassVar[str] = "analysis-events"


class NotificationsSubjectErased(SubjectErased):
    TOPIC: ClassVar[str] = "notification-events"


class BillingSubjectErased(SubjectErased):
    TOPIC: ClassVar[str] = "billing-events"


class ErasureReportReady(_Contract):
    """The users service's erasure report is ready to be mailed (complete, or past its deadline): notifications
    sends `email` the report's signed link and keeps no copy of the address."""

    TYPE: ClassVar[str] = "subject.erasure-reported"
    TOPIC: ClassVar[str] = "user-events"

    erasure_id: UUID
    email: str
    # Relative to the web app: `/privacy/erasure/<id>?token=<signature>`.
    report_path: str
    complete: bool
    waiting_for: list[str]

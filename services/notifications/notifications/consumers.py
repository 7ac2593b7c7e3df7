"""`python -m notifications.consumers`: the service's Kafka consumer process.

Each handler parses its event's contract and calls the trigger that keeps the projections current and sends
the event's notifications: to users, candidates and HR about interviews, and to an account's billing contact
about its payments and quota.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts import analysis, billing, interviews, users
from kit.contracts.privacy import ErasureReportReady, InvitationErased, SubjectErasureRequested
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handler, Handlers, run_consumer
from notifications import privacy, triggers
from notifications.commands import Notifier, Source
from notifications.outlets import Outlets
from notifications.settings import Settings
from notifications.webhooks import commands as webhooks

TOPICS: list[str] = [users.USER_EVENTS, interviews.TOPIC, analysis.TOPIC, billing.TOPIC]

E = TypeVar("E", bound=BaseModel)
Clock = Callable[[], datetime]


def source_of(envelope: Envelope) -> Source:
    return Source(key=str(envelope.event_id), event_type=envelope.event_type, occurred_at=envelope.occurred_at)


def handlers(notifier: Notifier, *, clock: Clock = utcnow) -> Handlers:
    """The handlers with their notifier (settings and after-commit outlets) and clock."""

    def sending(contract: type[E], trigger: Callable[..., Awaitable[None]]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            event = contract.model_validate(envelope.payload)
            await trigger(session, event, source_of(envelope), notifier=notifier, now=clock())
            # After the trigger, whose projections tell the company of an event that does not name it.
            await webhooks.fan_out(session, envelope, now=clock())

        return handle

    def mailing(contract: type[E], trigger: Callable[..., Awaitable[None]]) -> Handler:
        """An e-mail that concerns no company, so no webhook hears of it."""

        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            event = contract.model_validate(envelope.payload)
            await trigger(session, event, source_of(envelope), notifier=notifier, now=clock())

        return handle

    def projecting(contract: type[E], trigger: Callable[..., Awaitable[None]]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            await trigger(session, contract.model_validate(envelope.payload), now=clock())

        return handle

    table: dict[str, Handler] = {
        users.UserCreated.TYPE: sending(users.UserCreated, triggers.user_created),
        users.UserUpdated.TYPE: projecting(users.UserUpdated, triggers.user_updated),
        users.UserDeleted.TYPE: projecting(users.UserDeleted, triggers.user_deleted),
        users.UserRoleSelected.TYPE: sending(users.UserRoleSelected, triggers.role_selected),
        interviews.InvitationCreated.TYPE: sending(interviews.InvitationCreated, triggers.invitation_created),
        interviews.InvitationResent.TYPE: sending(interviews.InvitationResent, triggers.invitation_resent),
        interviews.InvitationClaimed.TYPE: projecting(interviews.InvitationClaimed, triggers.invitation_claimed),
        interviews.InvitationExtended.TYPE: sending(interviews.InvitationExtended, triggers.invitation_extended),
        interviews.InvitationReset.TYPE: sending(interviews.InvitationReset, triggers.invitation_reset),
        interviews.ReviewMentioned.TYPE: sending(interviews.ReviewMentioned, triggers.review_mentioned),
        interviews.InvitationStarted.TYPE: sending(interviews.InvitationStarted, triggers.invitation_started),
        interviews.InvitationCompleted.TYPE: sending(interviews.InvitationCompleted, triggers.invitation_completed),
        interviews.InvitationExpired.TYPE: projecting(interviews.InvitationExpired, triggers.invitation_expired),
        interviews.InvitationCancelled.TYPE: projecting(interviews.InvitationCancelled, triggers.invitation_cancelled),
        interviews.CandidateApproved.TYPE: sending(interviews.CandidateApproved, triggers.candidate_decided),
        interviews.CandidateRejected.TYPE: sending(interviews.CandidateRejected, triggers.candidate_decided),
        analysis.AnalysisCompleted.TYPE: sending(analysis.AnalysisCompleted, triggers.analysis_finished),
        analysis.AnalysisFailed.TYPE: sending(analysis.AnalysisFailed, triggers.analysis_finished),
        billing.SubscriptionUpgraded.TYPE: sending(billing.SubscriptionUpgraded, triggers.payment_confirmed),
        billing.SubscriptionRenewed.TYPE: sending(billing.SubscriptionRenewed, triggers.payment_confirmed),
        billing.SubscriptionPastDue.TYPE: sending(billing.SubscriptionPastDue, triggers.payment_failed),
        billing.QuotaExceeded.TYPE: sending(billing.QuotaExceeded, triggers.quota_exceeded),
        SubjectErasureRequested.TYPE: projecting(SubjectErasureRequested, privacy.erase_subject),
        InvitationErased.TYPE: projecting(InvitationErased, privacy.erase_invitation),
        ErasureReportReady.TYPE: mailing(ErasureReportReady, privacy.mail_erasure_report),
    }
    return table


SETTINGS = Settings()
HANDLERS: Handlers = handlers(Notifier(SETTINGS, Outlets(SETTINGS)))


if __name__ == "__main__":
    run_consumer(SETTINGS, HANDLERS, TOPICS)

"""`python -m billing.consumers`: the service's Kafka consumer process, metering usage from events.

Every handler is idempotent twice over: the consumer loop records each event id in `processed_messages`, and
every usage item is unique by what it counts (an invitation, a template, `companyId:userId`, an analysis, a
recording), so a redelivery under a new event id counts nothing either. An event naming an account that has
no subscription yet creates its Free one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import structlog
from pydantic import BaseModel
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from billing import commands, privacy
from billing.cache import QuotaCache
from billing.domain import period_of
from billing.plans import Metered
from billing.settings import Settings
from kit.contracts import analysis, interviews, media, users
from kit.contracts.privacy import InvitationErased, SubjectErasureRequested
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handler, Handlers, run_consumer

log = structlog.get_logger("billing.consumers")

TOPICS: list[str] = [users.USER_EVENTS, interviews.TOPIC, analysis.TOPIC, media.TOPIC]

E = TypeVar("E", bound=BaseModel)
Clock = Callable[[], datetime]


def handlers(cache: QuotaCache, *, clock: Clock = utcnow) -> Handlers:
    """The handlers with the quota cache they invalidate after COMMIT, and their clock."""

    def on(contract: type[E], apply: Callable[[AsyncSession, E, Envelope, datetime], Awaitable[None]]) -> Handler:
        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            await apply(session, contract.model_validate(envelope.payload), envelope, clock())

        return handle

    async def invitation_created(
        s: AsyncSession, e: interviews.InvitationCreated, env: Envelope, now: datetime
    ) -> None:
        # Counted in the month it was created, which is the month its reservation was taken in.
        await commands.count_item(
            s,
            Metered.INTERVIEWS,
            e.invitation_id,
            account_id=e.company_id,
            period=period_of(env.occurred_at),
            cache=cache,
            now=now,
        )

    async def invitation_cancelled(
        s: AsyncSession, e: interviews.InvitationCancelled, env: Envelope, now: datetime
    ) -> None:
        await commands.remove_item(
            s, Metered.INTERVIEWS, e.invitation_id, account_id=e.company_id, cache=cache, now=now
        )

    async def template_created(s: AsyncSession, e: interviews.TemplateCreated, env: Envelope, now: datetime) -> None:
        # Events from before templates named their account bill the creator, as accounts did then.
        await commands.count_item(
            s,
            Metered.TEMPLATES,
            e.template_id,
            account_id=e.company_id or e.created_by,
            period=None,
            cache=cache,
            now=now,
        )

    async def template_deleted(s: AsyncSession, e: interviews.TemplateDeleted, env: Envelope, now: datetime) -> None:
        await commands.remove_item(s, Metered.TEMPLATES, e.template_id, account_id=None, cache=cache, now=now)

    async def company_created(s: AsyncSession, e: users.CompanyCreated, env: Envelope, now: datetime) -> None:
        account_id, creator = str(e.company_id), str(e.created_by)
        await commands.name_account(s, account_id, e.name, creator=creator, now=now)
        await commands.count_item(
            s, Metered.TEAM_MEMBERS, f"{account_id}:{creator}", account_id=account_id, period=None, cache=cache, now=now
        )

    async def member_added(s: AsyncSession, e: users.CompanyMemberAdded, env: Envelope, now: datetime) -> None:
        # Confirms the seat the users service reserved under the membership's id.
        await commands.count_item(
            s,
            Metered.TEAM_MEMBERS,
            str(e.membership_id),
            account_id=str(e.company_id),
            period=None,
            cache=cache,
            now=now,
        )

    async def member_removed(s: AsyncSession, e: users.CompanyMemberRemoved, env: Envelope, now: datetime) -> None:
        await commands.remove_item(
            s, Metered.TEAM_MEMBERS, str(e.membership_id), account_id=str(e.company_id), cache=cache, now=now
        )

    async def company_updated(s: AsyncSession, e: users.CompanyUpdated, env: Envelope, now: datetime) -> None:
        await commands.name_account(s, str(e.company_id), e.name, creator=None, now=now)

    async def user_created(s: AsyncSession, e: users.UserCreated, env: Envelope, now: datetime) -> None:
        await commands.project_contact(
            s, str(e.user_id), email=e.email, name=f"{e.first_name} {e.last_name}".strip(), now=now
        )

    async def user_updated(s: AsyncSession, e: users.UserUpdated, env: Envelope, now: datetime) -> None:
        await commands.project_contact(
            s, str(e.user_id), email=e.email, name=f"{e.first_name} {e.last_name}".strip(), now=now
        )

    async def analysis_finished(
        s: AsyncSession, e: analysis.AnalysisCompleted | analysis.AnalysisFailed, env: Envelope, now: datetime
    ) -> None:
        if e.company_id is None:
            log.info("billing.analysis_without_account", analysis_id=str(e.analysis_id))
            return
        await commands.count_item(
            s,
            Metered.ANALYSIS_TOKENS,
            str(e.analysis_id),
            account_id=e.company_id,
            amount=e.total_tokens_used,
            period=period_of(e.occurred_at),
            cache=cache,
            now=now,
        )

    async def media_processed(s: AsyncSession, e: media.MediaProcessed, env: Envelope, now: datetime) -> None:
        account_id = await commands.account_of_interview(s, e.invitation_id)
        if account_id is None:
            # An invitation billing never saw (created before it ran): nobody to bill the bytes to.
            log.info("billing.media_of_unknown_invitation", media_id=e.media_id, invitation_id=e.invitation_id)
            return
        await commands.count_item(
            s, Metered.STORAGE, e.media_id, account_id=account_id, amount=e.size, period=None, cache=cache, now=now
        )

    async def media_deleted(s: AsyncSession, e: media.MediaDeleted, env: Envelope, now: datetime) -> None:
        await commands.remove_item(s, Metered.STORAGE, e.media_id, account_id=None, cache=cache, now=now)

    async def erasure_requested(s: AsyncSession, e: SubjectErasureRequested, env: Envelope, now: datetime) -> None:
        await privacy.erase_subject(s, e, now=now)

    async def invitation_erased(s: AsyncSession, e: InvitationErased, env: Envelope, now: datetime) -> None:
        await privacy.erase_invitation(s, e, now=now)

    return {
        SubjectErasureRequested.TYPE: on(SubjectErasureRequested, erasure_requested),
        InvitationErased.TYPE: on(InvitationErased, invitation_erased),
        interviews.InvitationCreated.TYPE: on(interviews.InvitationCreated, invitation_created),
        interviews.InvitationCancelled.TYPE: on(interviews.InvitationCancelled, invitation_cancelled),
        interviews.TemplateCreated.TYPE: on(interviews.TemplateCreated, template_created),
        interviews.TemplateDeleted.TYPE: on(interviews.TemplateDeleted, template_deleted),
        users.CompanyCreated.TYPE: on(users.CompanyCreated, company_created),
        users.CompanyUpdated.TYPE: on(users.CompanyUpdated, company_updated),
        users.CompanyMemberAdded.TYPE: on(users.CompanyMemberAdded, member_added),
        users.CompanyMemberRemoved.TYPE: on(users.CompanyMemberRemoved, member_removed),
        users.UserCreated.TYPE: on(users.UserCreated, user_created),
        users.UserUpdated.TYPE: on(users.UserUpdated, user_updated),
        analysis.AnalysisCompleted.TYPE: on(analysis.AnalysisCompleted, analysis_finished),
        analysis.AnalysisFailed.TYPE: on(analysis.AnalysisFailed, analysis_finished),
        media.MediaProcessed.TYPE: on(media.MediaProcessed, media_processed),
        media.MediaDeleted.TYPE: on(media.MediaDeleted, media_deleted),
    }


SETTINGS = Settings()
HANDLERS: Handlers = handlers(QuotaCache(Redis.from_url(SETTINGS.redis_url), ttl_s=SETTINGS.quota_cache_ttl_s))


if __name__ == "__main__":
    run_consumer(SETTINGS, HANDLERS, TOPICS)

"""`python -m users.consumers`: logins from `auth-events`, administrative commands from `user-commands` and,
from `interview-events`, which candidates applied to which account (HR of that account finds them in search).

Each handler runs in the consumer's transaction beside the processed_messages row, so a redelivered
record changes nothing twice; the command handlers are the same ones the HTTP routes run."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from kit.contracts.interviews import InvitationClaimed, InvitationCreated
from kit.contracts.privacy import SubjectErased
from kit.contracts.users import (
    ActivateUserCommand,
    AssignRoleCommand,
    DeleteUserCommand,
    SuspendUserCommand,
    UserCommand,
)
from kit.domain import utcnow
from kit.events import Envelope
from kit.kafka import Handler, Handlers, run_consumer
from users import commands, privacy
from users.access import SYSTEM
from users.domain import InvalidUserOperation, Role, User, UserNotFound
from users.settings import Settings

log = structlog.get_logger("users.consumers")

# The others' topics carry only their `subject.erased` reports for this service's erasure reports.
TOPICS: list[str] = [
    "auth-events",
    "user-commands",
    "interview-events",
    "media-events",
    "analysis-events",
    "notification-events",
    "billing-events",
]

C = TypeVar("C", bound=UserCommand)


class Login(BaseModel):
    """A tolerant reader of the gateway's `user.authenticated` (kit.contracts.gateway): only the field
    this consumer needs, so additions to the producer's payload never break it."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    external_auth_id: str = Field(alias="externalAuthId", min_length=1)


async def on_user_authenticated(session: AsyncSession, envelope: Envelope) -> None:
    login = Login.model_validate(envelope.payload)
    if not await commands.record_login(session, login.external_auth_id):
        # The login event can outrun the registration saga's create; nothing to stamp yet.
        log.info("users.login_of_unknown_user", external_auth_id=login.external_auth_id)


async def on_invitation_created(session: AsyncSession, envelope: Envelope) -> None:
    """The invitation's account (`companyId`, the billed account) now finds the candidate in search. A
    withdrawn invitation changes nothing: the candidate applied all the same."""
    invitation = InvitationCreated.model_validate(envelope.payload)
    try:
        candidate_id = uuid.UUID(invitation.candidate_id)
    except ValueError:
        # Not one of this service's user ids, so no one search could return.
        log.warning("users.invitation_of_unknown_candidate", invitation_id=invitation.invitation_id)
        return
    applied = await commands.record_application(
        session, account_id=invitation.company_id, candidate_id=candidate_id, applied_at=envelope.occurred_at
    )
    if not applied:
        log.info("users.invitation_of_unknown_candidate", invitation_id=invitation.invitation_id)


async def on_invitation_claimed(session: AsyncSession, envelope: Envelope) -> None:
    """Someone invited by e-mail before they had an account took the invitation with the account they made: the
    inviting account now finds them in search, as if it had invited that account."""
    claimed = InvitationClaimed.model_validate(envelope.payload)
    if claimed.company_id is None:
        return  # recorded before the account was carried; nothing to file it under
    try:
        candidate_id = uuid.UUID(claimed.candidate_id)
    except ValueError:
        log.warning("users.invitation_of_unknown_candidate", invitation_id=claimed.invitation_id)
        return
    await commands.record_application(
        session, account_id=claimed.company_id, candidate_id=candidate_id, applied_at=envelope.occurred_at
    )


def _command(
    contract: type[C], apply: Callable[[AsyncSession, C, User], Awaitable[None]]
) -> Callable[[AsyncSession, Envelope], Awaitable[None]]:
    """A command naming a user who no longer exists, or asking for a state already reached, is
    settled (logged), not retried: retrying cannot make it succeed."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        cmd = contract.model_validate(envelope.payload)
        try:
            user = await commands.find_user(session, user_id=cmd.user_id, external_auth_id=cmd.external_auth_id)
            await apply(session, cmd, user)
        except (UserNotFound, InvalidUserOperation) as exc:
            log.warning("users.command_rejected", event_type=envelope.event_type, reason=exc.message)

    return handle


async def _suspend(session: AsyncSession, cmd: SuspendUserCommand, user: User) -> None:
    await commands.suspend_user(session, user.id, cmd.reason)


async def _activate(session: AsyncSession, cmd: ActivateUserCommand, user: User) -> None:
    await commands.activate_user(session, user.id)


async def _delete(session: AsyncSession, cmd: DeleteUserCommand, user: User) -> None:
    await commands.delete_user(session, user.id)


async def _assign_role(session: AsyncSession, cmd: AssignRoleCommand, user: User) -> None:
    await commands.select_role(session, user.id, Role(cmd.role), caller=SYSTEM)


def on_subject_erased(report_key: str) -> Handler:
    """A service's erasure report; the one that completes the report announces its mail, with the link signed by
    `report_key`."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = SubjectErased.model_validate(envelope.payload)
        await privacy.record_report(session, event, now=utcnow(), key=report_key)

    return handle


def make_handlers(settings: Settings) -> Handlers:
    return {
        "user.authenticated": on_user_authenticated,
        InvitationCreated.TYPE: on_invitation_created,
        InvitationClaimed.TYPE: on_invitation_claimed,
        SuspendUserCommand.TYPE: _command(SuspendUserCommand, _suspend),
        ActivateUserCommand.TYPE: _command(ActivateUserCommand, _activate),
        DeleteUserCommand.TYPE: _command(DeleteUserCommand, _delete),
        AssignRoleCommand.TYPE: _command(AssignRoleCommand, _assign_role),
        SubjectErased.TYPE: on_subject_erased(settings.erasure_report_key.get_secret_value()),
    }


HANDLERS: Handlers = make_handlers(Settings())

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)

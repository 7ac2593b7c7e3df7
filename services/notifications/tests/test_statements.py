"""What the consumer costs per journey event, in statements: each costs far more CPU along the ORM's path than
its round trip (bench/README, round 9), so the counts are pinned here, and a redelivery still notifies once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from kit.contracts import interviews
from kit.db import transaction
from kit.events import Envelope
from notifications.commands import Notifier
from notifications.consumers import handlers
from notifications.domain import Notification

from .conftest import invitation_completed, invitation_created


def counting(engine: Any, apply: Callable[[Envelope], Awaitable[bool]]) -> Callable[[Envelope], Awaitable[list[str]]]:
    """Apply an envelope; returns the statements the service sent (the test's savepoints left out)."""

    async def run(envelope: Envelope) -> list[str]:
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if "SAVEPOINT" not in statement:
                statements.append(" ".join(statement.split()))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            assert await apply(envelope) is True
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        return statements

    return run


async def test_an_interview_event_that_notifies_hr_takes_seven_statements_and_a_redelivery_notifies_once(
    apply: Any, wrap: Any, engine: Any, sessions: Any, settings: Any, outlets: Any, candidate: Any, hr: Any, clock: Any
) -> None:
    created = invitation_created(candidate, hr, expires_at=clock.now + timedelta(days=7))
    applied = counting(engine, apply)
    await applied(wrap(created))
    started = interviews.InvitationStarted(
        invitation_id=created.invitation_id,
        candidate_id=candidate.id,
        started_at=clock.now,
        candidate_name="Ada Lovelace",
        hr_user_id=hr.id,
        hr_email=hr.email,
    )
    completed = wrap(invitation_completed(created, at=clock.now))

    # The processed-message mark, the projection's lock and UPDATE, the candidate's and HR's recipient rows
    # locked in one, HR's row with their preferences and the channels this event already notified, the
    # notifications' INSERT and the webhook endpoints' query.
    started_statements = await applied(wrap(started))
    assert len(started_statements) == 7, started_statements
    assert sum(s.startswith("SELECT recipients.") for s in started_statements) == 2
    assert len(await applied(completed)) == 7

    # A redelivery past the processed-message mark (a replay) finds the channels already notified.
    async with transaction(sessions) as session:
        await handlers(Notifier(settings, outlets), clock=clock)[completed.event_type](session, completed)
    async with sessions() as session:
        told = (
            await session.scalars(
                select(Notification.channel).where(
                    Notification.recipient_id == hr.id, Notification.template == "interview_completed"
                )
            )
        ).all()
    assert sorted(told) == ["email", "in_app"]

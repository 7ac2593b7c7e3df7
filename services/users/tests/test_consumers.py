"""The consumer's handlers on records read back from the real Kafka: logins from `auth-events`,
commands from `user-commands`, applications from `interview-events`; a redelivered record takes effect once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts.interviews import InvitationClaimed, InvitationCreated
from kit.db import transaction
from kit.events import Envelope
from kit.kafka import Consumer, make_producer
from kit.testing import consume, outbox_events
from users import commands
from users.consumers import HANDLERS, TOPICS
from users.domain import CandidateApplication, User
from users.schemas import CreateUser
from users.settings import Settings

Records = Callable[..., Awaitable[list[ConsumerRecord[bytes, bytes]]]]


async def register(sessions: async_sessionmaker[AsyncSession]) -> User:
    tag = uuid.uuid4().hex[:10]
    async with transaction(sessions) as session:
        return await commands.create_user(
            session,
            CreateUser(
                user_id=uuid.uuid4(),
                external_auth_id=f"kc-{tag}",
                email=f"c-{tag}@example.com",
                first_name="Cy",
                last_name="Borg",
            ),
        )


async def reload(sessions: async_sessionmaker[AsyncSession], user_id: uuid.UUID) -> User | None:
    async with sessions() as session:
        return await session.scalar(select(User).where(User.id == user_id).execution_options(populate_existing=True))


async def test_a_login_stamps_last_login_once_even_when_the_event_is_delivered_twice(
    settings: Settings, sessions, make_topics, kafka_bootstrap: str
) -> None:
    await make_topics(*TOPICS)
    user = await register(sessions)
    envelope = Envelope(
        event_type="user.authenticated",
        source="gateway",
        aggregate_id=user.external_auth_id,
        payload={"externalAuthId": user.external_auth_id, "email": user.email, "sessionId": "s-1", "extra": 1},
    )
    [record] = await _publish(settings, kafka_bootstrap, "auth-events", envelope)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    first = await consumer.handle(record)
    after_login = await reload(sessions, user.id)
    assert after_login is not None
    stamped = after_login.last_login_at
    second = await consumer.handle(record)
    await consumer.close()

    assert (first, second) == ("ok", "duplicate")
    assert stamped is not None
    assert (after_login.updated_at, after_login.version) == (user.updated_at, user.version)
    assert (await reload(sessions, user.id)).last_login_at == stamped  # type: ignore[union-attr]


async def test_user_commands_suspend_and_reactivate_a_user_named_by_keycloak_id_once_each(
    settings: Settings, sessions, make_topics, kafka_bootstrap: str
) -> None:
    await make_topics(*TOPICS)
    user = await register(sessions)
    suspend = Envelope(
        event_type="user.suspend",
        source="gateway",
        aggregate_id=str(user.id),
        payload={"externalAuthId": user.external_auth_id, "reason": "disabled in Keycloak"},
    )
    activate = Envelope(
        event_type="user.activate", source="gateway", aggregate_id=str(user.id), payload={"userId": str(user.id)}
    )
    records = await _publish(settings, kafka_bootstrap, "user-commands", suspend, suspend, activate)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    results = [await consumer.handle(r) for r in records]
    await consumer.close()

    assert results == ["ok", "duplicate", "ok"]
    assert (await reload(sessions, user.id)).status == "active"  # type: ignore[union-attr]
    async with sessions() as session:
        types = [m.event_type for m in await outbox_events(session) if m.key == str(user.id)]
    assert types == ["user.created", "user.suspended", "user.activated"]


async def test_a_command_for_a_missing_user_is_settled_and_a_malformed_one_goes_to_the_dlq(
    settings: Settings, sessions, make_topics, kafka_bootstrap: str
) -> None:
    await make_topics(*TOPICS)
    missing = Envelope(
        event_type="user.delete", source="gateway", aggregate_id="x", payload={"externalAuthId": "kc-nobody"}
    )
    malformed = Envelope(event_type="user.suspend", source="gateway", aggregate_id="x", payload={"reason": "who?"})
    records = await _publish(settings, kafka_bootstrap, "user-commands", missing, malformed)
    consumer = Consumer(settings.model_copy(update={"consumer_max_attempts": 2}), sessions, HANDLERS, TOPICS)

    results = [await consumer.handle(r) for r in records]
    await consumer.close()

    assert results == ["ok", "dlq"]
    [dead] = await consume(kafka_bootstrap, settings.topic("user-commands-dlq"), 1)
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["dlq-error-type"] == "ValidationError"
    assert "userId or externalAuthId" in headers["dlq-error-message"]


def _invitation(candidate_id: str, account: str) -> Envelope:
    invitation = InvitationCreated(
        invitation_id=str(uuid.uuid4()),
        template_id=str(uuid.uuid4()),
        template_title="Backend interview",
        candidate_id=candidate_id,
        company_id=account,
        company_name="Acme",
        invited_by=str(uuid.uuid4()),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    return Envelope.wrap(invitation, source="interviews", aggregate_id=invitation.invitation_id, correlation_id=None)


async def test_an_invitation_records_one_application_per_account_and_candidate_however_often_it_arrives(
    settings: Settings, sessions, make_topics, kafka_bootstrap: str
) -> None:
    await make_topics(*TOPICS)
    candidate = await register(sessions)
    account, other = str(uuid.uuid4()), str(uuid.uuid4())
    first, again, elsewhere = (_invitation(str(candidate.id), a) for a in (account, account, other))
    again = again.model_copy(update={"occurred_at": first.occurred_at + timedelta(days=1)})
    # A second invitation by the same account, one by another account, and two naming no user here
    # (deleted since, or not a user id at all): settled, not retried.
    unknown, malformed = _invitation(str(uuid.uuid4()), account), _invitation("not-a-user-id", account)
    arrival = [again, first, first, elsewhere, unknown, malformed]
    published = await _publish(settings, kafka_bootstrap, "interview-events", *arrival)
    # Records are keyed by invitation, so partitions may deliver a later invitation first: handle `again`
    # before `first` (a stable sort keeps the redelivered copy after its original).
    order = [str(e.event_id) for e in arrival]
    records = sorted(published, key=lambda r: order.index(json.loads(r.value)["eventId"]))
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    results = [await consumer.handle(r) for r in records]
    await consumer.close()

    assert results == ["ok", "ok", "duplicate", "ok", "ok", "ok"]
    async with sessions() as session:
        applications = await session.scalars(
            select(CandidateApplication).where(CandidateApplication.account_id.in_([account, other]))
        )
        rows = {(a.account_id, a.candidate_id, a.applied_at) for a in applications}
    # One row per account, dated by its earliest invitation though a later one arrived first.
    assert rows == {(account, candidate.id, first.occurred_at), (other, candidate.id, elsewhere.occurred_at)}


async def test_an_invitation_claimed_by_a_new_account_files_the_application_under_that_account(
    settings: Settings, sessions, make_topics, kafka_bootstrap: str
) -> None:
    await make_topics(*TOPICS)
    candidate = await register(sessions)
    account = str(uuid.uuid4())
    invitation_id = str(uuid.uuid4())
    # Invited by e-mail: the invitation names a stand-in until the person makes an account and claims it.
    invited = _invitation(f"invitee:{invitation_id}", account)
    claim = InvitationClaimed(
        invitation_id=invitation_id, candidate_id=str(candidate.id), claimed_at=datetime.now(UTC), company_id=account
    )
    claimed = Envelope.wrap(claim, source="interviews", aggregate_id=invitation_id, correlation_id=None)
    published = await _publish(settings, kafka_bootstrap, "interview-events", invited, claimed, claimed)
    consumer = Consumer(settings, sessions, HANDLERS, TOPICS)

    results = [await consumer.handle(r) for r in published]
    await consumer.close()

    # The two are keyed apart (partitions may return them in any order); the claim's copy is a duplicate.
    assert sorted(results) == ["duplicate", "ok", "ok"]
    async with sessions() as session:
        applications = await session.scalars(
            select(CandidateApplication).where(CandidateApplication.account_id == account)
        )
        rows = {(a.account_id, a.candidate_id, a.applied_at) for a in applications}
    assert rows == {(account, candidate.id, claimed.occurred_at)}


async def _publish(
    settings: Settings, bootstrap: str, topic: str, *envelopes: Envelope
) -> list[ConsumerRecord[bytes, bytes]]:
    producer = await make_producer(settings)
    try:
        for envelope in envelopes:
            await producer.send_and_wait(settings.topic(topic), envelope.to_json(), key=envelope.aggregate_id.encode())
    finally:
        await producer.stop()
    records = await consume(bootstrap, settings.topic(topic), len(envelopes))
    return sorted(records, key=lambda r: (r.partition, r.offset))

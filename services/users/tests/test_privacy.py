"""A person's erasure as the users service starts and reports it: only the person may ask, confirming with
their address; the account goes and the cascade starts; each service's counts are kept once under the request's
id (and nothing that names the person or an invitation); the report is complete once everyone reported for the
person and for each invitation, and its signed link (only) shows it; the mail's event goes out once, clearing
the address: as soon as the last service reported, or from the sweep when a service never reported."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts.privacy import (
    AnalysisSubjectErased,
    BillingSubjectErased,
    InterviewsSubjectErased,
    MediaSubjectErased,
    NotificationsSubjectErased,
    SubjectErased,
)
from kit.events import Envelope
from kit.kafka import Consumer
from kit.outbox import OutboxMessage
from kit.testing import INTERNAL_TOKEN
from users.consumers import TOPICS, make_handlers
from users.domain import User
from users.settings import Settings
from users.worker import send_erasure_reports

from .conftest import identity

T = datetime(2030, 1, 16, tzinfo=UTC)
Make = Callable[..., Awaitable[dict[str, Any]]]
Deliver = Callable[..., Awaitable[list[str]]]


async def erase(client: httpx.AsyncClient, user: dict[str, Any], confirm: str | None = None) -> httpx.Response:
    return await client.post(
        f"/users/{user['id']}/erasure",
        json={"confirmEmail": confirm if confirm is not None else user["email"].upper()},
        headers=identity(user["id"], "candidate"),
    )


def report(kind: type[SubjectErased], erasure_id: str, scope: str = "subject", **extra: Any) -> Envelope:
    event = kind(
        erasure_id=uuid.UUID(erasure_id),
        service={
            InterviewsSubjectErased: "interviews",
            MediaSubjectErased: "media",
            AnalysisSubjectErased: "analysis",
            NotificationsSubjectErased: "notifications",
            BillingSubjectErased: "billing",
        }[kind],
        scope=scope,
        counts=extra.pop("counts", {"rows": 1}),
        erased_at=T,
        **extra,
    )
    return Envelope.wrap(event, source=event.service, aggregate_id=erasure_id, correlation_id=None)


@pytest.fixture
async def deliver(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Deliver]:
    """Hands envelopes to the consumer's handlers as its loop does: each in a transaction, once per record."""
    handlers = make_handlers(settings)
    consumer = Consumer(settings, sessions, handlers, TOPICS)

    async def apply(*envelopes: Envelope) -> list[str]:
        return [await consumer._apply(handlers[e.event_type], e) for e in envelopes]

    yield apply
    await consumer.close()


async def report_all_but_the_last(deliver: Deliver, erasure_id: str, invitation: str) -> None:
    """After interviews' report of one invitation, every other report owed but billing's for the invitation."""
    for kind in (NotificationsSubjectErased, BillingSubjectErased):
        await deliver(report(kind, erasure_id))
    for kind in (MediaSubjectErased, AnalysisSubjectErased, NotificationsSubjectErased):
        await deliver(report(kind, erasure_id, scope=invitation))


async def test_only_the_person_may_ask_and_only_with_their_own_address(
    client: httpx.AsyncClient, make_user: Make
) -> None:
    user = await make_user("candidate")
    other = await make_user("candidate")

    wrong = await erase(client, user, confirm="someone@example.com")
    foreign = await client.post(
        f"/users/{user['id']}/erasure", json={"confirmEmail": user["email"]}, headers=identity(other["id"])
    )
    admin = await client.post(
        f"/users/{user['id']}/erasure", json={"confirmEmail": user["email"]}, headers=identity(other["id"], "admin")
    )
    unknown_field = await client.post(
        f"/users/{user['id']}/erasure", json={"confirmEmail": user["email"], "x": 1}, headers=identity(user["id"])
    )

    assert wrong.status_code == 422 and wrong.json()["details"][0]["field"] == "confirmEmail"
    assert (foreign.status_code, admin.status_code) == (403, 403)
    assert unknown_field.status_code == 422
    assert (await client.get(f"/users/{user['id']}", headers=identity(user["id"]))).status_code == 200


async def test_the_report_is_kept_once_per_service_and_invitation_and_is_complete_when_all_reported(
    client: httpx.AsyncClient, make_user: Make, sessions: async_sessionmaker[AsyncSession], deliver: Deliver
) -> None:
    user = await make_user("candidate")
    asked = await erase(client, user)
    assert asked.status_code == 202, asked.text
    erasure_id = asked.json()["data"]["erasureId"]
    path = asked.json()["data"]["reportPath"]
    token = parse_qs(urlsplit(path).query)["token"][0]
    async with sessions() as session:
        assert await session.get(User, uuid.UUID(user["id"])) is None
        requested = await session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.key == erasure_id, OutboxMessage.event_type == "subject.erasure-requested"
            )
        )
    assert requested is not None and requested.payload["payload"]["userId"] == user["id"]
    invitation = str(uuid.uuid4())

    async def seen() -> dict[str, Any]:
        got = await client.get(f"/erasure-reports/{erasure_id}", params={"token": token})
        assert got.status_code == 200, got.text
        return got.json()["data"]  # type: ignore[no-any-return]

    interviews = report(InterviewsSubjectErased, erasure_id, counts={"invitations": 1, "answers": 3}, invitations=1)
    assert await deliver(interviews, interviews) == ["ok", "duplicate"]
    # A repeated request finds nothing left and reports zeros under a scope already kept: it changes nothing.
    again = report(InterviewsSubjectErased, erasure_id, counts={"invitations": 0}, invitations=0)
    assert await deliver(again) == ["ok"]
    await report_all_but_the_last(deliver, erasure_id, invitation)
    halfway = await seen()
    await deliver(report(BillingSubjectErased, erasure_id, scope=invitation))
    done = await seen()

    assert (halfway["status"], halfway["waitingFor"]) == ("in_progress", ["billing"])
    assert done["status"] == "complete" and done["waitingFor"] == []
    by_service = {s["service"]: s["counts"] for s in done["services"]}
    assert by_service["interviews"] == {"invitations": 1, "answers": 3}
    assert by_service["notifications"] == {"rows": 2}
    assert set(by_service) == {"users", "interviews", "media", "analysis", "notifications", "billing"}
    forged = await client.get(f"/erasure-reports/{erasure_id}", params={"token": token[:-2] + "xx"})
    assert forged.status_code == 404
    async with sessions() as session:
        stored = await session.scalar(
            text("SELECT string_agg(e::text, ' ') FROM erasure_report_entries e WHERE erasure_id = :id"),
            {"id": erasure_id},
        )
    assert invitation not in stored and user["id"] not in stored and user["email"] not in stored


async def mails_of(sessions: async_sessionmaker[AsyncSession], erasure_id: str) -> list[dict[str, Any]]:
    """The payloads of the report mail's events for this erasure, in order."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.key == erasure_id, OutboxMessage.event_type == "subject.erasure-reported")
            .order_by(OutboxMessage.id)
        )
        return [row.payload["payload"] for row in rows.all()]


async def address_kept(sessions: async_sessionmaker[AsyncSession], erasure_id: str) -> bool:
    async with sessions() as session:
        held = await session.scalar(
            text("SELECT count(*) FROM erasure_reports WHERE id = :id AND notify_email IS NOT NULL"), {"id": erasure_id}
        )
    return bool(held)


async def test_the_last_report_announces_the_mail_at_once_and_a_repeated_report_sends_nothing_twice(
    client: httpx.AsyncClient,
    make_user: Make,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
) -> None:
    user = await make_user("candidate")
    erasure_id = (await erase(client, user)).json()["data"]["erasureId"]
    invitation = str(uuid.uuid4())

    await deliver(report(InterviewsSubjectErased, erasure_id, counts={"invitations": 1}, invitations=1))
    await report_all_but_the_last(deliver, erasure_id, invitation)
    before_the_last = await mails_of(sessions, erasure_id), await address_kept(sessions, erasure_id)
    last = report(BillingSubjectErased, erasure_id, scope=invitation)
    # The same record redelivered, then the same report in a new record (a service that reported twice).
    outcomes = await deliver(last, last, report(BillingSubjectErased, erasure_id, scope=invitation))
    mails = await mails_of(sessions, erasure_id)
    # The sweep, the safety net, finds nothing of this report left to mail.
    await send_erasure_reports({"settings": settings, "sessions": sessions, "clock": lambda: datetime.now(UTC)})

    assert before_the_last == ([], True)
    assert outcomes == ["ok", "duplicate", "ok"]
    (mail,) = mails
    assert (mail["email"], mail["complete"], mail["waitingFor"]) == (user["email"], True, [])
    assert await mails_of(sessions, erasure_id) == mails
    assert await address_kept(sessions, erasure_id) is False
    shown = await client.get(f"/erasure-reports/{mail['reportPath'].removeprefix('/privacy/erasure/')}")
    assert shown.status_code == 200 and shown.json()["data"]["status"] == "complete"


async def test_the_report_mail_goes_once_when_complete_or_late_and_the_address_is_then_forgotten(
    client: httpx.AsyncClient,
    make_user: Make,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user("candidate")
    erasure_id = (await erase(client, user)).json()["data"]["erasureId"]
    ctx: dict[str, Any] = {"settings": settings, "sessions": sessions, "clock": lambda: datetime.now(UTC)}

    await send_erasure_reports(ctx)
    ctx["clock"] = lambda: datetime.now(UTC) + timedelta(seconds=settings.erasure_report_deadline_s + 1)
    late = await send_erasure_reports(ctx)
    again = await send_erasure_reports(ctx)

    mails = await mails_of(sessions, erasure_id)

    # Reports other runs committed may be due too; this one's mail went exactly once, and nothing twice.
    assert late >= 1 and again == 0
    (mail,) = mails
    assert (mail["email"], mail["complete"]) == (user["email"], False)
    assert mail["waitingFor"] == ["analysis", "billing", "interviews", "media", "notifications"]
    assert await address_kept(sessions, erasure_id) is False
    link = mail["reportPath"].removeprefix("/privacy/erasure/")
    after = await client.get(f"/erasure-reports/{link}")
    assert after.status_code == 200 and after.json()["data"]["status"] == "incomplete"


async def test_the_export_holds_the_persons_account_and_needs_the_internal_token(
    client: httpx.AsyncClient, make_user: Make
) -> None:
    user = await make_user("candidate")

    exported = await client.get(f"/internal/subjects/{user['id']}", headers={"x-internal-token": INTERNAL_TOKEN})
    anonymous = await client.get(f"/internal/subjects/{user['id']}")

    assert exported.status_code == 200, exported.text
    assert exported.json()["account"]["email"] == user["email"]
    assert exported.json()["skills"] == []
    assert anonymous.status_code == 401

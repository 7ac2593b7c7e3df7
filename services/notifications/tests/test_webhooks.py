"""Outgoing webhooks end to end: endpoints managed through the API, events fanned out to them, attempts made
by the worker's jobs (a real arq worker on the test Redis) against a receiver served on 127.0.0.1 that checks
every signature with the `standardwebhooks` library, not with the service's own code. An endpoint disabled
after repeated failures tells its owner in-app and by an e-mail the worker sends to the local stack's Mailpit.

Names are resolved through a stub, and the destination tests hand the sender a transport that fails the test
if it is ever asked to connect: a refused destination must be refused before any connection is opened."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from arq import ArqRedis
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker, func
from fastapi import FastAPI, Request, Response
from sqlalchemy import func as sql_func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook, WebhookVerificationError

from kit.contracts import interviews
from kit.db import transaction
from kit.domain import IntegrationEvent
from kit.events import Envelope
from kit.testing import INTERNAL_TOKEN, Clock, in_process_client, settings_for_tests
from kit.worker import queue_name
from notifications import worker as notifications_worker
from notifications.commands import Notifier, notify
from notifications.domain import Channel, Notification, NotificationStatus, Recipient, Template
from notifications.main import create_app
from notifications.outlets import DELIVER_JOB, Outlets
from notifications.settings import Settings
from notifications.webhooks import commands
from notifications.webhooks.delivery import InvalidWebhookUrl, Outcome, Sender, check_url
from notifications.webhooks.domain import WebhookDelivery, WebhookEndpoint
from notifications.webhooks.jobs import DELIVER, deliver_webhook, sweep_webhooks
from standins.server import HttpStandIn

COMPANY = str(uuid.uuid4())
OTHER_COMPANY = str(uuid.uuid4())
RECEIVER_NAME = "ats.example.test"


@pytest.fixture(scope="module")
def hook_settings() -> Settings:
    return settings_for_tests(
        Settings,
        "notifications",
        webhooks_allow_insecure_loopback=True,
        webhooks_retry_schedule_s=[10.0, 20.0, 30.0],
        webhooks_disable_after_failures=3,
        webhooks_timeout_s=5.0,
    )


def caller(role: str = "hr", company: str | None = COMPANY, user: str | None = None) -> dict[str, str]:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user or f"{role}-{uuid.uuid4().hex[:8]}"}
    headers["x-user-role"] = role
    if company is not None:
        headers["x-company-id"] = company
    return headers


HR = caller(user="hr-owner")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def verifies_with(self, secret: str) -> bool:
        try:
            Webhook(secret).verify(self.body, self.headers)
        except WebhookVerificationError:
            return False
        return True


@dataclass
class Receiver(HttpStandIn):
    """An applicant-tracking system's endpoint: records what it gets and answers the statuses queued in
    `answers` (then 200)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.received.append(Received(dict(request.headers), await request.body()))
            return Response(status_code=self.answers.pop(0) if self.answers else 200)

        return app

    def url(self, host: str = RECEIVER_NAME) -> str:
        return f"http://{host}:{self.port}/hook"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


async def to_loopback(host: str, port: int) -> list[str]:
    assert host == RECEIVER_NAME
    return ["127.0.0.1"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client(
    hook_settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(hook_settings)
    async with in_process_client(app, sessions) as client:
        app.state.clock = clock
        yield client


@pytest.fixture
async def queue(hook_settings: Settings) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(
        RedisSettings.from_dsn(hook_settings.redis_url), default_queue_name=queue_name(hook_settings)
    )
    yield pool
    await pool.delete(queue_name(hook_settings))
    await pool.aclose()


Run = Callable[[], Awaitable[int]]


@pytest.fixture
async def hook_outlets(hook_settings: Settings, queue: ArqRedis) -> AsyncIterator[Outlets]:
    outlets = Outlets(hook_settings, redis=queue)
    yield outlets
    await outlets.aclose()


@pytest.fixture
def run_worker(
    hook_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    queue: ArqRedis,
    hook_outlets: Outlets,
    worker_ctx: dict[str, Any],
) -> Run:
    """The sweep, then a real arq worker running every queued delivery job until the queue is empty, e-mails
    (an endpoint's owner told it was disabled) sent to the local stack's Mailpit; answers how many
    deliveries the sweep found due."""
    sender = Sender(timeout_s=5.0, allow_insecure_loopback=True, resolver=to_loopback)
    ctx: dict[str, Any] = {
        "settings": hook_settings,
        "sessions": sessions,
        "clock": clock,
        "webhook_sender": sender,
        "redis": queue,
        "outlets": hook_outlets,
        "mailer": worker_ctx["mailer"],
    }

    async def burst() -> None:
        worker = Worker(
            [func(deliver_webhook, name=DELIVER), func(notifications_worker.deliver_email, name=DELIVER_JOB)],
            queue_name=queue_name(hook_settings),
            redis_pool=queue,
            burst=True,
            ctx=ctx,
            # The test's sessions share one connection: one job at a time.
            max_jobs=1,
            poll_delay=0.05,
            handle_signals=False,
        )
        await worker.main()

    async def run() -> int:
        due = await sweep_webhooks(ctx)
        await burst()
        # Jobs enqueued after a job's COMMIT (an e-mail it created) may land after the burst saw the queue
        # empty: once they are all in, a second burst runs them.
        await hook_outlets.drain()
        await burst()
        return due

    return run


async def create(client: httpx.AsyncClient, url: str, events: list[str], headers: dict[str, str] = HR) -> Any:
    response = await client.post(
        "/api/webhooks", json={"companyId": COMPANY, "url": url, "events": events}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    event_type: str,
    payload: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
) -> int:
    envelope = Envelope(
        event_id=event_id or uuid.uuid4(),
        event_type=event_type,
        source="interviews",
        aggregate_id=str(uuid.uuid4()),
        payload=payload,
    )
    async with transaction(sessions) as session:
        return await commands.fan_out(session, envelope, now=clock())


async def log_of(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/webhooks/{endpoint_id}/deliveries", headers=HR)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_hr_user_registers_an_endpoint_of_their_company_and_sees_its_secret_only_once(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    created = await create(client, receiver.url(), ["invitation.completed", "candidate.approved"])

    listed = (await client.get(f"/api/webhooks/company/{COMPANY}", headers=HR)).json()

    assert created["secret"].startswith("whsec_")
    assert listed == [
        {
            "id": created["id"],
            "companyId": COMPANY,
            "url": receiver.url(),
            "events": ["invitation.completed", "candidate.approved"],
            "status": "active",
            "failureCount": 0,
            "disabledReason": None,
            "lastDeliveryAt": None,
            "createdAt": listed[0]["createdAt"],
        }
    ]


async def test_an_event_reaches_its_subscribers_signed_is_retried_while_the_receiver_fails_and_is_logged(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    receiver: Receiver,
    clock: Clock,
    run_worker: Run,
) -> None:
    endpoint = await create(client, receiver.url(), ["invitation.completed"])
    other = await client.post(
        "/api/webhooks",
        json={"companyId": OTHER_COMPANY, "url": receiver.url(), "events": ["invitation.completed"]},
        headers=caller(company=OTHER_COMPANY),
    )
    assert other.status_code == 201
    receiver.answers = [500, 503]
    event_id = uuid.uuid4()
    payload = {"invitationId": str(uuid.uuid4()), "companyId": COMPANY, "candidateName": "Ada"}

    created = await publish(sessions, clock, "invitation.completed", payload, event_id=event_id)
    again = await publish(sessions, clock, "invitation.completed", payload, event_id=event_id)
    unsubscribed = await publish(sessions, clock, "candidate.rejected", {"companyId": COMPANY})
    assert (created, again, unsubscribed) == (1, 0, 0)

    await run_worker()
    first = await log_of(client, endpoint["id"])
    clock.advance(seconds=5)
    not_yet = await run_worker()
    clock.advance(seconds=5)
    await run_worker()
    clock.advance(seconds=20)
    await run_worker()
    final = await log_of(client, endpoint["id"])

    assert not_yet == 0
    assert [r.verifies_with(endpoint["secret"]) for r in receiver.received] == [True, True, True]
    assert {r.headers["webhook-id"] for r in receiver.received} == {f"msg_{event_id}"}
    assert {r.headers["host"] for r in receiver.received} == {f"{RECEIVER_NAME}:{receiver.port}"}
    body = Webhook(endpoint["secret"]).verify(receiver.received[-1].body, receiver.received[-1].headers)
    assert (body["type"], body["data"]) == ("invitation.completed", payload)
    assert (first[0]["status"], first[0]["attempt"], first[0]["responseCode"]) == ("failed", 1, 500)
    assert first[0]["error"] == "The receiver answered 500"
    assert first[0]["nextAttemptAt"] is not None
    [delivery] = final
    assert (delivery["status"], delivery["attempt"], delivery["responseCode"], delivery["error"]) == (
        "succeeded",
        3,
        200,
        None,
    )
    assert delivery["durationMs"] >= 0 and delivery["deliveredAt"] is not None


async def test_a_redelivery_sends_the_same_message_again_as_a_new_delivery(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    receiver: Receiver,
    clock: Clock,
    run_worker: Run,
) -> None:
    endpoint = await create(client, receiver.url(), ["candidate.approved"])
    await publish(sessions, clock, "candidate.approved", {"companyId": COMPANY, "note": "welcome aboard"})
    await run_worker()
    [original] = await log_of(client, endpoint["id"])
    clock.advance(seconds=1)

    response = await client.post(f"/api/webhooks/{endpoint['id']}/deliveries/{original['id']}/redeliver", headers=HR)
    await run_worker()

    assert response.status_code == 202
    redelivered = response.json()["deliveryId"]
    assert [d["id"] for d in await log_of(client, endpoint["id"])] == [redelivered, original["id"]]
    first, second = receiver.received
    assert (second.headers["webhook-id"], second.body) == (first.headers["webhook-id"], first.body)
    assert second.verifies_with(endpoint["secret"])


async def notifications_to(sessions: async_sessionmaker[AsyncSession], recipient_id: str) -> list[Notification]:
    async with sessions() as session:
        found = await session.scalars(
            select(Notification).where(Notification.recipient_id == recipient_id).order_by(Notification.seq)
        )
        return list(found)


async def test_an_endpoint_failing_again_and_again_is_disabled_its_owner_told_and_a_successful_test_send_revives_it(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    receiver: Receiver,
    clock: Clock,
    run_worker: Run,
    mailpit: Any,
    hook_settings: Settings,
) -> None:
    owner_id = f"hr-{uuid.uuid4()}"
    owner_email = f"{owner_id}@example.test"
    async with transaction(sessions) as session:
        # The owner reads German: the e-mail test of every template covers the English text.
        session.add(Recipient(user_id=owner_id, email=owner_email, language="de", timezone="UTC", updated_at=clock()))
    endpoint = await create(client, receiver.url(), ["analysis.completed"], headers=caller(user=owner_id))
    receiver.answers = [500] * 3
    for _ in range(2):
        await publish(sessions, clock, "analysis.completed", {"companyId": COMPANY, "overallScore": 80})
    await run_worker()
    clock.advance(seconds=10)
    await run_worker()

    [disabled] = (await client.get(f"/api/webhooks/company/{COMPANY}", headers=HR)).json()
    log = await log_of(client, endpoint["id"])
    ignored = await publish(sessions, clock, "analysis.completed", {"companyId": COMPANY, "overallScore": 90})
    test = await client.post(f"/api/webhooks/{endpoint['id']}/test", headers=HR)
    await run_worker()
    [revived] = (await client.get(f"/api/webhooks/company/{COMPANY}", headers=HR)).json()

    assert (disabled["status"], disabled["failureCount"]) == ("disabled", 3)
    assert disabled["disabledReason"] == "Disabled after 3 consecutive failed deliveries"
    assert sorted(d["status"] for d in log) == ["dead", "dead"]
    assert ignored == 0
    assert test.status_code == 202
    assert (revived["status"], revived["failureCount"], revived["disabledReason"]) == ("active", 0, None)
    assert receiver.received[-1].verifies_with(endpoint["secret"])
    assert Webhook(endpoint["secret"]).verify(receiver.received[-1].body, receiver.received[-1].headers)["type"] == (
        "webhook.test"
    )
    told = await notifications_to(sessions, owner_id)
    assert [(n.channel, n.template, n.status) for n in told] == [
        (Channel.EMAIL, "webhook_disabled", NotificationStatus.SENT),
        (Channel.IN_APP, "webhook_disabled", NotificationStatus.SENT),
    ]
    settings_page = f"/hr/companies/{COMPANY}/webhooks"
    in_app = told[1]
    assert (in_app.title, in_app.link, in_app.locale) == ("Ihr Webhook-Endpunkt wurde deaktiviert", settings_page, "de")
    assert in_app.body == (
        f"Der Webhook-Endpunkt {receiver.url()} wurde nach 3 fehlgeschlagenen Zustellungen deaktiviert."
    )
    [summary] = await mailpit.wait_for(owner_email)
    message = await mailpit.message(summary["ID"])
    headers = await mailpit.headers(summary["ID"])
    web_url = hook_settings.web_url
    assert message["Subject"] == "Ihr Webhook-Endpunkt wurde deaktiviert"
    for part in (message["Text"], message["HTML"]):
        assert receiver.url() in part
        assert "Disabled after 3 consecutive failed deliveries" in part
        assert f"{web_url}{settings_page}" in part
    assert f'href="{web_url}{settings_page}"' in message["HTML"]
    assert "List-Unsubscribe" not in headers


async def test_an_owner_without_a_known_address_is_told_in_app_and_the_email_is_recorded_skipped_once(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    hook_settings: Settings,
    hook_outlets: Outlets,
    clock: Clock,
) -> None:
    owner_id = f"hr-{uuid.uuid4()}"
    # The owner switched every e-mail and in-app item off: a disabled endpoint is told regardless.
    switched_off = await client.put(
        "/api/preferences", json={"emailEnabled": False, "inAppEnabled": False}, headers=caller(user=owner_id)
    )
    assert switched_off.status_code == 200, switched_off.text
    endpoint = await create(
        client, "https://ats.example.com/hook", ["candidate.rejected"], headers=caller(user=owner_id)
    )
    await publish(sessions, clock, "candidate.rejected", {"companyId": COMPANY})
    [delivery] = await log_of(client, endpoint["id"])
    notifier = Notifier(hook_settings, hook_outlets)
    failure = Outcome(ok=False, status_code=500, duration_ms=3, error="The receiver answered 500")

    for _ in range(3):
        clock.advance(seconds=10)
        async with transaction(sessions) as session:
            await commands.record_outcome(
                session, uuid.UUID(delivery["id"]), failure, now=clock(), settings=hook_settings, notifier=notifier
            )
    async with transaction(sessions) as session:
        stored = await session.get(WebhookEndpoint, uuid.UUID(endpoint["id"]))
        assert stored is not None
        again = await notify(
            session,
            owner_id,
            Template.WEBHOOK_DISABLED,
            (Channel.EMAIL, Channel.IN_APP),
            {"url": stored.url, "reason": "again", "failureCount": 3},
            link=None,
            source=commands.disabled_source(stored, clock()),
            notifier=notifier,
            now=clock(),
        )
    await hook_outlets.drain()

    told = await notifications_to(sessions, owner_id)
    assert again == []
    assert [(n.channel, n.status, n.error) for n in told] == [
        (Channel.EMAIL, NotificationStatus.SKIPPED, "No e-mail address is known for this recipient."),
        (Channel.IN_APP, NotificationStatus.SENT, None),
    ]
    assert {n.template for n in told} == {"webhook_disabled"}
    assert told[1].title == "Your webhook endpoint has been disabled"


async def test_after_a_rotation_messages_are_signed_with_the_new_secret_only(
    client: httpx.AsyncClient, receiver: Receiver, run_worker: Run
) -> None:
    endpoint = await create(client, receiver.url(), ["invitation.created"])

    rotated = await client.post(f"/api/webhooks/{endpoint['id']}/rotate-secret", headers=HR)
    await client.post(f"/api/webhooks/{endpoint['id']}/test", headers=HR)
    await run_worker()

    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert rotated.json()["id"] == endpoint["id"] and new_secret != endpoint["secret"]
    [received] = receiver.received
    assert received.verifies_with(new_secret) and not received.verifies_with(endpoint["secret"])


async def test_deleting_an_endpoint_deletes_it_and_its_delivery_log(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], receiver: Receiver, clock: Clock
) -> None:
    endpoint = await create(client, receiver.url(), ["invitation.started"])
    await publish(sessions, clock, "invitation.started", {"companyId": COMPANY})

    deleted = await client.delete(f"/api/webhooks/{endpoint['id']}", headers=HR)
    again = await client.delete(f"/api/webhooks/{endpoint['id']}", headers=HR)

    assert deleted.json() == {"success": True, "message": "Webhook endpoint deleted"}
    assert again.status_code == 404 and again.json()["code"] == "WEBHOOK_NOT_FOUND"
    assert (await client.get(f"/api/webhooks/company/{COMPANY}", headers=HR)).json() == []
    async with sessions() as session:
        rows = await session.scalar(
            select(sql_func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == uuid.UUID(endpoint["id"]))
        )
        assert rows == 0
        assert await session.get(WebhookEndpoint, uuid.UUID(endpoint["id"])) is None


async def test_only_hr_users_of_the_endpoints_company_and_admins_manage_it(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], receiver: Receiver, clock: Clock
) -> None:
    endpoint = await create(client, receiver.url(), ["invitation.completed"])
    await publish(sessions, clock, "invitation.completed", {"companyId": COMPANY})
    [delivery] = await log_of(client, endpoint["id"])
    base = f"/api/webhooks/{endpoint['id']}"
    calls = [
        ("POST", "/api/webhooks", {"companyId": COMPANY, "url": receiver.url(), "events": ["invitation.completed"]}),
        ("GET", f"/api/webhooks/company/{COMPANY}", None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/test", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/deliveries/{delivery['id']}/redeliver", None),
        ("DELETE", base, None),
    ]

    async def statuses(headers: dict[str, str]) -> list[tuple[int, str]]:
        answers = [await client.request(m, path, json=body, headers=headers) for m, path, body in calls]
        return [(a.status_code, a.json()["code"] if a.is_error else "") for a in answers]

    other_hr = await statuses(caller(company=OTHER_COMPANY))
    companyless_hr = await statuses(caller(company=None))
    candidate = await statuses(caller("candidate"))
    admin = await statuses(caller("admin", company=None))

    denied = [(403, "WEBHOOK_ACCESS_DENIED")] * len(calls)
    assert other_hr == denied and companyless_hr == denied
    assert candidate == [(403, "FORBIDDEN")] * len(calls)
    assert [status for status, _ in admin] == [201, 200, 200, 202, 200, 202, 200]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://ats.example.com/hook", "only https URLs are accepted"),
        ("https://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://192.168.1.20/hook", "192.168.1.20 is a private address"),
        ("http://8.8.8.8/hook", "plain http is accepted only for loopback receivers"),
        ("https://[fd00::1]/hook", "fd00::1 is a unique-local address"),
        ("https://0.0.0.0/hook", "0.0.0.0 is the unspecified address"),
        ("https://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ("https://user:secret@ats.example.com/hook", "credentials in the URL are not accepted"),
    ],
)
async def test_a_destination_that_breaks_the_rules_is_refused_with_a_422_naming_the_url(
    client: httpx.AsyncClient, url: str, reason: str
) -> None:
    response = await client.post(
        "/api/webhooks", json={"companyId": COMPANY, "url": url, "events": ["invitation.completed"]}, headers=HR
    )

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["details"]) == (
        "INVALID_WEBHOOK_URL",
        [{"field": "url", "message": reason}],
    )


async def test_an_unknown_event_type_is_refused_with_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/webhooks",
        json={"companyId": COMPANY, "url": "https://ats.example.com/hook", "events": ["user.deleted"]},
        headers=HR,
    )

    assert response.status_code == 422
    assert [d["field"] for d in response.json()["details"]] == ["events.0"]


def test_without_the_loopback_setting_only_https_is_accepted_and_loopback_literals_are_refused() -> None:
    for url, reason in [
        ("http://127.0.0.1:8080/hook", "only https URLs are accepted"),
        ("https://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("https://[::1]/hook", "::1 is a loopback address"),
        ("https://[::ffff:10.0.0.1]/hook", "10.0.0.1 is a private address"),
    ]:
        with pytest.raises(InvalidWebhookUrl) as refused:
            check_url(url, allow_insecure_loopback=False)
        assert refused.value.details == [{"field": "url", "message": reason}]
    assert check_url("https://ats.example.com/in?x=1", allow_insecure_loopback=False).path == "/in?x=1"


class NoConnections(httpx.AsyncBaseTransport):
    """The network of a test that must never connect: any request fails the test."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pytest.fail(f"a connection to {request.url} was attempted")


def stub_resolver(*addresses: str) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    ("url", "addresses", "allow_loopback", "reason"),
    [
        ("https://10.0.0.1/hook", (), False, "10.0.0.1 is a private address"),
        ("https://169.254.169.254/latest", (), False, "169.254.169.254 is a link-local address"),
        ("https://ats.example.com/hook", ("127.0.0.1",), False, "127.0.0.1 is a loopback address"),
        ("https://ats.example.com/hook", ("93.184.215.14", "10.1.2.3"), True, "10.1.2.3 is a private address"),
        ("https://ats.example.com/hook", ("169.254.169.254",), True, "169.254.169.254 is a link-local address"),
        ("https://ats.example.com/hook", ("fe80::1",), True, "fe80::1 is a link-local address"),
        ("http://ats.example.com/hook", ("93.184.215.14",), True, "plain http is accepted only for loopback"),
    ],
)
async def test_a_destination_refused_at_send_time_is_refused_before_any_connection_is_opened(
    url: str, addresses: tuple[str, ...], allow_loopback: bool, reason: str
) -> None:
    sender = Sender(
        timeout_s=1.0,
        allow_insecure_loopback=allow_loopback,
        resolver=stub_resolver(*addresses),
        transport=NoConnections,
    )

    outcome = await sender.send(url, secret="whsec_" + "A" * 44, message_id="msg_1", payload={"type": "t"})

    assert (outcome.ok, outcome.status_code) == (False, None)
    assert outcome.error is not None and reason in outcome.error


async def test_a_name_that_rebinds_to_a_private_address_after_registration_gets_a_failed_attempt_and_no_connection(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    hook_settings: Settings,
    hook_outlets: Outlets,
    clock: Clock,
) -> None:
    endpoint = await create(client, "https://ats.example.com/hook", ["candidate.rejected"])
    await publish(sessions, clock, "candidate.rejected", {"companyId": COMPANY})
    [delivery] = await log_of(client, endpoint["id"])
    ctx = {
        "settings": hook_settings,
        "sessions": sessions,
        "clock": clock,
        "webhook_sender": Sender(
            timeout_s=1.0, allow_insecure_loopback=True, resolver=stub_resolver("10.0.0.1"), transport=NoConnections
        ),
        "outlets": hook_outlets,
    }

    status = await deliver_webhook(ctx, delivery["id"])

    [logged] = await log_of(client, endpoint["id"])
    assert (status, logged["attempt"], logged["responseCode"]) == ("failed", 1, None)
    assert logged["error"] == "ats.example.com resolves to a refused address: 10.0.0.1 is a private address"


async def test_the_consumer_fans_an_event_out_to_the_company_of_its_invitation_when_the_event_names_none(
    client: httpx.AsyncClient, receiver: Receiver, apply: Callable[[IntegrationEvent], Awaitable[bool]], clock: Clock
) -> None:
    endpoint = await create(client, receiver.url(), ["invitation.created", "candidate.approved"])
    invitation = str(uuid.uuid4())
    created = interviews.InvitationCreated(
        invitation_id=invitation,
        template_id=str(uuid.uuid4()),
        template_title="Backend engineer",
        candidate_id="candidate-1",
        company_id=COMPANY,
        company_name="Acme",
        invited_by="hr-owner",
        expires_at=clock() + timedelta(days=7),
    )
    approved = interviews.CandidateApproved(
        invitation_id=invitation,
        candidate_id="candidate-1",
        template_id=created.template_id,
        template_title="Backend engineer",
        company_name="Acme",
        hr_user_id="hr-owner",
        decided_at=clock(),
    )

    assert await apply(created) and await apply(approved)

    log = await log_of(client, endpoint["id"])
    assert sorted(d["eventType"] for d in log) == ["candidate.approved", "invitation.created"]

"""Plan quotas enforced across services, for real: the billing service served over HTTP on 127.0.0.1 (its
migrated schema, its consumer as a process reading real Kafka) and the interviews service in process with quota
enforcement on, its outbox relayed by its worker process. An HR user on Free has 3 invitations a month and 5
templates: 20 invitations sent at once give exactly 3, the rest are refused with billing's 402 and its details;
a sixth template is refused too; and cancelling a pending invitation gives its slot back once billing has read
`invitation.cancelled`."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from billing.main import create_app as billing_app
from billing.settings import Settings as BillingSettings
from interviews.main import create_app as interviews_app
from interviews.settings import Settings as InterviewsSettings
from kit.testing import (
    INTERNAL_TOKEN,
    AppServer,
    alembic_upgrade,
    create_topics,
    delete_topics,
    make_service_engine,
    process_env,
    retire_stale_outbox_rows,
    settings_for_tests,
)

ROOT = Path(__file__).resolve().parents[1]
# What billing's consumer reads (interviews' relay writes interview-events among them).
TOPICS = ("user-events", "interview-events", "analysis-events", "media-events")


@dataclass
class Platform:
    interviews: httpx.AsyncClient
    billing: httpx.AsyncClient

    async def quota(self, account_id: str, resource: str) -> dict[str, Any]:
        response = await self.billing.get(f"/api/billing/internal/quota/{account_id}/{resource}")
        assert response.status_code == 200, response.text
        return dict(response.json())


def identity(role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": role}


async def serve_billing(settings: BillingSettings, stack: AsyncExitStack) -> str:
    """The billing app on a free loopback port, until the stack closes."""
    server = await stack.enter_async_context(AppServer(billing_app(settings), lifespan="on"))
    return server.url


async def forget_what_was_created(interviews: InterviewsSettings, since: datetime) -> None:
    """The invitations and templates this module committed are deleted: they would otherwise stay pending in the
    interviews test schema, where the interviews suite's expiry job (its clock in 2030) would find them."""
    engine = make_service_engine(interviews)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM invitations WHERE created_at >= :since"), {"since": since})
            await connection.execute(
                text("DELETE FROM interview_templates WHERE created_at >= :since"), {"since": since}
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def platform(kafka_bootstrap: str) -> AsyncIterator[Platform]:
    billing = settings_for_tests(BillingSettings, "billing")
    await asyncio.to_thread(alembic_upgrade, ROOT / "services" / "billing", billing)
    topics = [billing.topic(t) for t in TOPICS]
    await create_topics(kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
    async with AsyncExitStack() as stack:
        stack.push_async_callback(delete_topics, kafka_bootstrap, [*topics, *(f"{t}-dlq" for t in topics)])
        billing_url = await serve_billing(billing, stack)
        interviews = settings_for_tests(
            InterviewsSettings,
            "interviews",
            quota_enforcement=True,
            billing_url=billing_url,
            # Twenty reservations queue on one account's row lock; a slow shared machine must not turn that
            # wait into a refusal.
            quota_timeout_s=60.0,
        )
        await asyncio.to_thread(alembic_upgrade, ROOT / "services" / "interviews", interviews)
        await retire_stale_outbox_rows(interviews)
        commands = [
            (interviews, [sys.executable, "-m", "arq", "interviews.worker.WorkerSettings"]),
            (billing, [sys.executable, "-m", "billing.consumers"]),
        ]
        processes = [
            await asyncio.create_subprocess_exec(
                *argv, env=process_env(settings), cwd=ROOT,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )
            for settings, argv in commands
        ]  # fmt: skip

        async def stop_processes() -> None:
            for process in processes:
                if process.returncode is None:
                    process.terminate()
            await asyncio.gather(*(asyncio.wait_for(p.wait(), 30) for p in processes))

        stack.push_async_callback(stop_processes)
        stack.push_async_callback(forget_what_was_created, interviews, datetime.now(UTC))
        manager = await stack.enter_async_context(LifespanManager(interviews_app(interviews)))
        yield Platform(
            interviews=await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://test")
            ),
            billing=await stack.enter_async_context(
                httpx.AsyncClient(base_url=billing_url, headers={"x-internal-token": INTERNAL_TOKEN})
            ),
        )


async def eventually(fetch: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout_s: float = 120) -> Any:
    async with asyncio.timeout(timeout_s):
        while not done(value := await fetch()):
            await asyncio.sleep(0.5)
    return value


async def published_template(platform: Platform, hr: dict[str, str]) -> str:
    client = platform.interviews
    created = await client.post("/api/templates", json={"title": "Backend", "description": "Role"}, headers=hr)
    assert created.status_code == 201, created.text
    template_id = str(created.json()["id"])
    question = {"text": "Describe a production incident.", "type": "text", "order": 1, "timeLimit": 60}
    added = await client.post(f"/api/templates/{template_id}/questions", json=question, headers=hr)
    assert added.status_code == 201, added.text
    published = await client.put(f"/api/templates/{template_id}/publish", headers=hr)
    assert published.status_code == 200, published.text
    return template_id


async def invite(
    platform: Platform, hr: dict[str, str], template_id: str, candidate_id: str | None = None
) -> httpx.Response:
    body = {
        "templateId": template_id,
        "candidateId": candidate_id or str(uuid.uuid4()),
        "companyName": "Acme",
        "expiresAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }
    return await platform.interviews.post("/api/invitations", json=body, headers=hr)


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def test_twenty_invitations_sent_at_once_on_free_give_exactly_three(platform: Platform) -> None:
    hr = identity("hr")
    template_id = await published_template(platform, hr)

    answers = await asyncio.gather(*(invite(platform, hr, template_id) for _ in range(20)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 3 + [402] * 17, [a.text for a in answers if a.status_code not in (201, 402)]
    refusals = [a.json() for a in answers if a.status_code == 402]
    assert {r["code"] for r in refusals} == {"QUOTA_EXCEEDED"}
    assert all(r["details"] == {"resource": "interviews", "limit": 3, "used": 3, "plan": "free",
                                "period": this_month()} for r in refusals)  # fmt: skip
    # Billing's own sentence reaches the HR user.
    assert {r["error"] for r in refusals} == {
        "Your Free plan allows 3 interviews per month; 3 are used. Upgrade to invite more."
    }
    listed = (await platform.interviews.get("/api/invitations/hr", headers=hr)).json()
    assert listed["total"] == 3
    assert sorted(i["id"] for i in listed["items"]) == sorted(a.json()["id"] for a in answers if a.status_code == 201)
    quota = await platform.quota(hr["x-user-id"], "interviews")
    assert (quota["used"], quota["remaining"], quota["allowed"]) == (3, 0, False)


async def test_a_sixth_template_on_free_is_refused_with_402(platform: Platform) -> None:
    hr = identity("hr")
    body = {"title": "Backend", "description": "Role"}
    created = [await platform.interviews.post("/api/templates", json=body, headers=hr) for _ in range(5)]

    sixth = await platform.interviews.post("/api/templates", json=body, headers=hr)

    assert [c.status_code for c in created] == [201] * 5
    assert sixth.status_code == 402, sixth.text
    assert sixth.json()["code"] == "QUOTA_EXCEEDED"
    assert (sixth.json()["details"]["resource"], sixth.json()["details"]["limit"]) == ("templates", 5)
    assert (await platform.interviews.get("/api/templates", headers=hr)).json()["total"] == 5


async def test_cancelling_a_pending_invitation_frees_its_slot_once_billing_reads_the_event(
    platform: Platform,
) -> None:
    hr = identity("hr")
    account = hr["x-user-id"]
    template_id = await published_template(platform, hr)
    sent = [await invite(platform, hr, template_id) for _ in range(3)]
    assert [s.status_code for s in sent] == [201] * 3
    assert (await invite(platform, hr, template_id)).status_code == 402

    cancelled = await platform.interviews.post(f"/api/invitations/{sent[0].json()['id']}/cancel", headers=hr)
    assert cancelled.status_code == 200, cancelled.text
    # The interviews worker relays `invitation.cancelled`; billing's consumer releases the slot.
    freed = await eventually(lambda: platform.quota(account, "interviews"), lambda q: q["used"] == 2)
    again = await invite(platform, hr, template_id)

    assert (freed["remaining"], freed["allowed"]) == (1, True)
    assert again.status_code == 201, again.text
    assert (await invite(platform, hr, template_id)).status_code == 402
    assert (await platform.quota(account, "interviews"))["used"] == 3


async def test_an_invitation_refused_after_its_reservation_gives_the_slot_back(platform: Platform) -> None:
    hr = identity("hr")
    template_id = await published_template(platform, hr)
    candidate_id = str(uuid.uuid4())
    first = await invite(platform, hr, template_id, candidate_id)

    # Each is reserved at billing before interviews' transaction opens, then refused inside it.
    duplicates = [await invite(platform, hr, template_id, candidate_id) for _ in range(3)]
    unknown_template = await invite(platform, hr, str(uuid.uuid4()))

    assert first.status_code == 201, first.text
    assert [(d.status_code, d.json()["code"]) for d in duplicates] == [(409, "DUPLICATE_INVITATION")] * 3
    assert unknown_template.status_code == 404, unknown_template.text
    assert (await platform.quota(hr["x-user-id"], "interviews"))["used"] == 1
    # Free's other two slots are still there.
    assert [(await invite(platform, hr, template_id)).status_code for _ in range(3)] == [201, 201, 402]

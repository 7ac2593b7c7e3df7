"""The internal quota route and reservations: counted under the account's row lock on a limited plan and without
any lock on an unlimited one, idempotent per key, refused with 402 and a `quota.exceeded` once per period and
resource, internal callers only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from billing import commands, worker
from billing.cache import QuotaCache, quota_key
from billing.domain import QuotaNotice, Subscription, UsageItem
from billing.plans import PlanType, Resource
from billing.settings import Settings
from kit.db import make_sessionmaker
from kit.testing import INTERNAL_TOKEN, Clock, outbox_events

INTERNAL = {"x-internal-token": INTERNAL_TOKEN}


def quota_path(account_id: str, resource: str = "interviews") -> str:
    return f"/api/billing/internal/quota/{account_id}/{resource}"


async def reserve(client: httpx.AsyncClient, account_id: str, key: str, resource: str = "interviews") -> httpx.Response:
    return await client.post(f"{quota_path(account_id, resource)}/reservations", json={"key": key}, headers=INTERNAL)


async def test_a_new_account_is_allowed_its_free_plan_quota(client: httpx.AsyncClient) -> None:
    account_id = str(uuid.uuid4())

    response = await client.get(quota_path(account_id), headers=INTERNAL)

    assert response.status_code == 200
    assert response.json() == {
        "allowed": True,
        "remaining": 3,
        "limit": 3,
        "used": 0,
        "currentPlan": "free",
        "resource": "interviews",
        "period": response.json()["period"],
    }


@pytest.mark.parametrize("headers", [{}, {"x-internal-token": "wrong"}])
async def test_internal_routes_refuse_a_caller_without_the_internal_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    account_id = str(uuid.uuid4())
    responses = [
        await client.get(quota_path(account_id), headers=headers),
        await client.post(f"{quota_path(account_id)}/reservations", json={"key": "k"}, headers=headers),
        await client.delete(f"{quota_path(account_id)}/reservations/k", headers=headers),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(401, "UNAUTHORIZED")] * 3


async def test_an_unknown_resource_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.get(quota_path(str(uuid.uuid4()), "storage"), headers=INTERNAL)

    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "resource"


async def test_a_reservation_counts_once_per_key_and_is_released_on_request(client: httpx.AsyncClient) -> None:
    account_id = str(uuid.uuid4())

    first, again = await reserve(client, account_id, "inv-1"), await reserve(client, account_id, "inv-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["used"] == again.json()["used"] == 1
    assert first.json()["remaining"] == 2

    released = await client.delete(f"{quota_path(account_id)}/reservations/inv-1", headers=INTERNAL)
    released_again = await client.delete(f"{quota_path(account_id)}/reservations/inv-1", headers=INTERNAL)

    assert (released.status_code, released_again.status_code) == (204, 204)
    assert (await client.get(quota_path(account_id), headers=INTERNAL)).json()["used"] == 0


async def test_a_reservation_key_of_another_account_is_refused(client: httpx.AsyncClient) -> None:
    await reserve(client, str(uuid.uuid4()), "shared-key")

    response = await reserve(client, str(uuid.uuid4()), "shared-key")

    assert (response.status_code, response.json()["code"]) == (409, "RESERVATION_KEY_TAKEN")


@pytest.mark.parametrize("body", [{}, {"key": ""}, {"key": "k" * 65}, {"key": 5}, {"key": "k", "extra": 1}])
async def test_a_malformed_reservation_is_a_422_envelope(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post(f"{quota_path(str(uuid.uuid4()))}/reservations", json=body, headers=INTERNAL)

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["success"]) == ("VALIDATION_ERROR", False)
    assert response.json()["details"]


async def test_over_quota_is_a_402_with_the_plan_and_the_event_is_sent_once_per_period_and_resource(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    account_id = str(uuid.uuid4())
    for n in range(3):
        assert (await reserve(client, account_id, f"inv-{n}")).status_code == 201

    refusals = [await reserve(client, account_id, f"inv-over-{n}") for n in range(2)]

    assert [r.status_code for r in refusals] == [402, 402]
    body = refusals[0].json()
    assert body["code"] == "QUOTA_EXCEEDED"
    assert body["error"] == "Your Free plan allows 3 interviews per month; 3 are used. Upgrade to invite more."
    period = body["details"]["period"]
    assert body["details"] == {"resource": "interviews", "limit": 3, "used": 3, "plan": "free", "period": period}
    # Another resource refused in the same month is its own notice.
    for n in range(5):
        assert (await reserve(client, account_id, f"tpl-{n}", "templates")).status_code == 201
    assert (await reserve(client, account_id, "tpl-over", "templates")).status_code == 402
    async with sessions() as session:
        notices = [m.payload["payload"] for m in await outbox_events(session) if m.event_type == "quota.exceeded"]
    mine = [n for n in notices if n["companyId"] == account_id]
    assert sorted((n["resource"], n["limit"], n["used"]) for n in mine) == [("interviews", 3, 3), ("templates", 5, 5)]


async def test_a_reservation_never_confirmed_is_released_by_the_worker(
    client: httpx.AsyncClient, clock: Clock, worker_ctx: dict[str, Any]
) -> None:
    account_id = str(uuid.uuid4())
    await reserve(client, account_id, "inv-lost")

    clock.advance(seconds=worker_ctx["settings"].reservation_ttl_s + 1)
    assert await worker.release_stale_reservations(worker_ctx) >= 1

    assert (await client.get(quota_path(account_id), headers=INTERNAL)).json()["used"] == 0


async def test_twenty_concurrent_reservations_with_three_slots_left_give_exactly_three(
    committing_client: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    account_id = str(uuid.uuid4())
    try:
        answers = await asyncio.gather(*(reserve(committing_client, account_id, f"inv-{n}") for n in range(20)))

        statuses = sorted(r.status_code for r in answers)
        assert statuses == [201] * 3 + [402] * 17
        final = (await committing_client.get(quota_path(account_id), headers=INTERNAL)).json()
        assert (final["used"], final["remaining"], final["allowed"]) == (3, 0, False)
    finally:
        sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
        async with sessions() as session, session.begin():
            for table in (UsageItem, QuotaNotice, Subscription):
                await session.execute(delete(table).where(table.company_id == account_id))


@pytest.fixture
async def pro_account(settings: Settings, engine: AsyncEngine) -> AsyncIterator[str]:
    """A committed account on Pro (every resource unlimited), removed afterwards."""
    account_id = str(uuid.uuid4())
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with sessions() as session, session.begin():
        subscription = await commands.touch(session, account_id, now=datetime.now(UTC))
        subscription.plan_type = PlanType.PRO
    try:
        yield account_id
    finally:
        async with sessions() as session, session.begin():
            for table in (UsageItem, QuotaNotice, Subscription):
                await session.execute(delete(table).where(table.company_id == account_id))


async def test_on_an_unlimited_plan_a_reservation_is_taken_while_the_account_row_is_locked(
    committing_client: httpx.AsyncClient, pro_account: str, settings: Settings, engine: AsyncEngine
) -> None:
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with sessions() as holder, holder.begin():
        # Another writer of the account (a Stripe event, a job) holds its row until it commits.
        await holder.execute(select(Subscription).where(Subscription.company_id == pro_account).with_for_update())

        # A generous deadline, not a timing: a reservation that queued for the lock would wait for ever here.
        answer = await asyncio.wait_for(reserve(committing_client, pro_account, "inv-1"), timeout=120)

        assert answer.status_code == 201, answer.text
        assert (answer.json()["limit"], answer.json()["used"], answer.json()["currentPlan"]) == (-1, 1, "pro")


async def test_on_an_unlimited_plan_twenty_concurrent_reservations_of_one_key_count_it_once(
    committing_client: httpx.AsyncClient, pro_account: str
) -> None:
    answers = await asyncio.gather(*(reserve(committing_client, pro_account, "inv-same") for _ in range(20)))
    others = await asyncio.gather(*(reserve(committing_client, pro_account, f"inv-{n}") for n in range(20)))

    assert sorted(a.status_code for a in answers) == [200] * 19 + [201], [a.text for a in answers]
    assert [o.status_code for o in others] == [201] * 20
    assert (await committing_client.get(quota_path(pro_account), headers=INTERNAL)).json()["used"] == 21


async def test_a_released_reservation_is_taken_again_by_its_key(client: httpx.AsyncClient) -> None:
    account_id = str(uuid.uuid4())
    await reserve(client, account_id, "inv-1")
    await client.delete(f"{quota_path(account_id)}/reservations/inv-1", headers=INTERNAL)

    again = await reserve(client, account_id, "inv-1")

    assert (again.status_code, again.json()["used"]) == (201, 1)
    other = await reserve(client, str(uuid.uuid4()), "inv-1")
    assert (other.status_code, other.json()["code"]) == (409, "RESERVATION_KEY_TAKEN")


async def test_an_answer_read_before_a_change_is_not_cached_after_it(
    client: httpx.AsyncClient, cache: QuotaCache
) -> None:
    account_id = str(uuid.uuid4())
    stale = (await client.get(quota_path(account_id), headers=INTERNAL)).content
    await cache.redis.delete(quota_key(account_id, Resource.INTERVIEWS))
    # A reader misses the cache and reads the database; a reservation commits before it stores its answer.
    _, generation = await cache.get(account_id, Resource.INTERVIEWS)
    await reserve(client, account_id, "inv-1")

    await cache.put(account_id, Resource.INTERVIEWS, stale, generation=generation)

    assert (await cache.get(account_id, Resource.INTERVIEWS))[0] is None
    fresh = await client.get(quota_path(account_id), headers=INTERNAL)
    assert fresh.json()["used"] == 1
    assert (await cache.get(account_id, Resource.INTERVIEWS))[0] == fresh.content


async def test_a_refusal_in_a_new_month_is_announced_again(
    client: httpx.AsyncClient, clock: Clock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    account_id = str(uuid.uuid4())
    for n in range(5):
        await reserve(client, account_id, f"tpl-{n}", "templates")

    first = await reserve(client, account_id, "tpl-over", "templates")
    clock.advance(days=32)
    next_month = await reserve(client, account_id, "tpl-over", "templates")

    assert (first.status_code, next_month.status_code) == (402, 402)
    async with sessions() as session:
        notices = [m.payload["payload"] for m in await outbox_events(session) if m.event_type == "quota.exceeded"]
    periods = [n["period"] for n in notices if n["companyId"] == account_id]
    assert periods == [first.json()["details"]["period"], next_month.json()["details"]["period"]]
    assert periods[0] != periods[1]

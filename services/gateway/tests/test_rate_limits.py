"""Per-caller limits on the API: a signed-in caller by their own id, an anonymous one by address, counted in Redis
so that every gateway replica shares the count; over the limit is a 429 envelope with Retry-After. A caller seen
lately is counted in the process and the count synced to Redis every interval."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from structlog.testing import capture_logs

from gateway import limits as limits_module
from gateway.limits import Admission, ApiLimiter
from gateway.main import create_app
from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN, REDIS_URL

from .conftest import RedisLink

Replica = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def replica(
    migrated: Settings, stub: tuple[Any, Any], settings_with_upstreams_down: Callable[..., Settings]
) -> AsyncIterator[Replica]:
    """Gateway replicas with the given limits, whose clients come from one made-up address per test (the
    counts are in Redis, which outlives a test run)."""
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    url = stub[0].url
    async with AsyncExitStack() as stack:

        async def make(**limits: Any) -> httpx.AsyncClient:
            settings = settings_with_upstreams_down(users_url=url, interviews_url=url, billing_url=url, **limits)
            app = create_app(settings)
            manager = await stack.enter_async_context(LifespanManager(app))
            transport = httpx.ASGITransport(app=manager.app, client=(address, 40000))
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://gw"))
            client.app_state = app.state  # type: ignore[attr-defined]
            return client

        yield make


def as_user(user_id: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": "hr"}


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert (body["success"], body["code"], body["path"]) == (False, "TOO_MANY_REQUESTS", "/api/templates")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert body["correlationId"] == response.headers["x-correlation-id"]


async def test_a_user_over_the_limit_gets_429_with_retry_after_and_another_user_is_unaffected(
    replica: Replica,
) -> None:
    gateway = await replica(api_rate_limit="3/minute")
    busy, other = str(uuid.uuid4()), str(uuid.uuid4())
    for _ in range(3):
        assert (await gateway.get("/api/templates", headers=as_user(busy))).status_code == 200
    assert_throttled(await gateway.get("/api/templates", headers=as_user(busy)))
    assert (await gateway.get("/api/templates", headers=as_user(other))).status_code == 200
    # Probes are never throttled.
    assert (await gateway.get("/health/live", headers=as_user(busy))).status_code == 200


async def test_replicas_counting_every_hit_in_redis_share_the_count_exactly(replica: Replica) -> None:
    first, second = [await replica(api_rate_limit="4/minute", api_rate_limit_sync_interval_s=0) for _ in range(2)]
    user = as_user(str(uuid.uuid4()))
    for gateway in (first, second, first, second):
        assert (await gateway.get("/api/templates", headers=user)).status_code == 200
    assert_throttled(await second.get("/api/templates", headers=user))
    assert_throttled(await first.get("/api/templates", headers=user))


def counting_round_trips(limiter: ApiLimiter, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The callers whose hits went to Redis one by one (not admitted from the process's count)."""
    counted: list[str] = []
    admit = limiter.admit

    async def counted_admit(key: str, **kwargs: Any) -> Admission:
        counted.append(key)
        return await admit(key, **kwargs)

    monkeypatch.setattr(limiter, "admit", counted_admit)
    return counted


async def redis_count(limiter: ApiLimiter, key: str) -> int:
    """The caller's current window as Redis holds it."""
    current = limiter.window_keys(limiter.signed_in, key)[1]
    return int(await limiter.redis.get(current) or 0)


async def test_one_replica_counting_locally_admits_exactly_the_limit_and_redis_gets_every_hit(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = await replica(api_rate_limit="5/minute", api_rate_limit_sync_interval_s=3600)
    limiter: ApiLimiter = gateway.app_state.api_limiter  # type: ignore[attr-defined]
    counted = counting_round_trips(limiter, monkeypatch)
    user_id = str(uuid.uuid4())
    for _ in range(5):
        assert (await gateway.get("/api/templates", headers=as_user(user_id))).status_code == 200
    assert_throttled(await gateway.get("/api/templates", headers=as_user(user_id)))
    # The first hit primed the caller's window in Redis; the next four were admitted from it without a round trip;
    # the sixth reached the limit and went to Redis, with the four before it.
    assert counted == [f"user:{user_id}", f"user:{user_id}"]
    assert await redis_count(limiter, f"user:{user_id}") == 5


async def test_the_sync_adds_the_local_hits_to_redis_where_retry_after_and_other_replicas_see_them(
    replica: Replica,
) -> None:
    gateway = await replica(api_rate_limit="10/minute", api_rate_limit_sync_interval_s=3600)
    limiter: ApiLimiter = gateway.app_state.api_limiter  # type: ignore[attr-defined]
    user_id = str(uuid.uuid4())
    for _ in range(4):
        assert (await gateway.get("/api/templates", headers=as_user(user_id))).status_code == 200
    assert await redis_count(limiter, f"user:{user_id}") == 1
    await limiter.sync()
    assert (await limiter.limiter.get_window_stats(limiter.signed_in, f"user:{user_id}")).remaining == 6


async def test_two_replicas_counting_locally_stay_within_the_documented_bound_and_agree_after_a_sync(
    replica: Replica,
) -> None:
    # Syncs only when the test asks: the widest gap between replicas' counts the interval allows.
    first, second = [await replica(api_rate_limit="4/minute", api_rate_limit_sync_interval_s=3600) for _ in range(2)]
    user_id = str(uuid.uuid4())
    admitted = 0
    for gateway in [first, second] * 6:
        admitted += (await gateway.get("/api/templates", headers=as_user(user_id))).status_code == 200
    # At most the limit plus what the other replica admitted between two syncs: within 2 x the limit.
    assert 4 <= admitted <= 8
    for gateway in (first, second):
        await gateway.app_state.api_limiter.sync()  # type: ignore[attr-defined]
    limiter: ApiLimiter = first.app_state.api_limiter  # type: ignore[attr-defined]
    assert await redis_count(limiter, f"user:{user_id}") == admitted
    for gateway in (first, second):
        assert_throttled(await gateway.get("/api/templates", headers=as_user(user_id)))


async def test_with_redis_gone_a_failed_sync_drops_the_local_counts_and_a_hit_fails_as_before(
    redis_link: RedisLink,
) -> None:
    url = await redis_link.start()
    redis = Redis.from_url(url)
    limiter = ApiLimiter(redis, url, signed_in="10/minute", anonymous="5/minute", sync_interval_s=3600)
    user = f"user:{uuid.uuid4()}"
    assert (await limiter.admit(user)).wait is None
    assert limiter.admit_locally(user)
    await redis_link.cut()
    with pytest.raises((RedisConnectionError, OSError)):
        await limiter.sync()
    assert not limiter.admit_locally(user)
    with pytest.raises((RedisConnectionError, OSError)):
        await limiter.admit(user)
    await limiter.aclose()
    await redis.aclose()


async def test_with_redis_cut_for_many_syncs_the_loss_is_logged_once_and_the_recovery_once(
    redis_link: RedisLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await redis_link.start()
    redis = Redis.from_url(url)
    limiter = ApiLimiter(redis, url, signed_in="1000/minute", anonymous="5/minute", sync_interval_s=0.01)
    syncs = 0
    sync = limiter.sync

    async def counted() -> bool:
        nonlocal syncs
        syncs += 1
        return await sync()

    monkeypatch.setattr(limiter, "sync", counted)
    user = f"user:{uuid.uuid4()}"
    assert (await limiter.admit(user)).wait is None
    assert limiter.admit_locally(user)
    limiter.start()
    with capture_logs() as logs:
        await redis_link.cut()
        outage = syncs
        # The caller keeps coming throughout: each hit goes to Redis, and fails, while the syncs go on.
        while syncs < outage + 20:
            if not limiter.admit_locally(user):
                with pytest.raises((RedisConnectionError, OSError)):
                    await limiter.admit(user)
            await asyncio.sleep(0.01)
        await redis_link.restore()
        assert (await limiter.admit(user)).wait is None
        for _ in range(1000):
            if "ratelimit.sync_recovered" in [line["event"] for line in logs]:
                break
            await asyncio.sleep(0.01)
    events = [line["event"] for line in logs if line["log_level"] in ("warning", "info")]
    assert events.count("ratelimit.sync_failed") == 1
    assert events.count("ratelimit.sync_recovered") == 1
    await limiter.aclose()
    await redis.aclose()


async def test_anonymous_callers_are_counted_by_address_and_made_up_tokens_do_not_reset_the_count(
    replica: Replica,
) -> None:
    gateway = await replica(api_anonymous_rate_limit="2/minute")
    for _ in range(2):
        assert (await gateway.get("/api/templates")).status_code == 401
    assert_throttled(await gateway.get("/api/templates"))
    forged = {"authorization": f"Bearer {uuid.uuid4().hex}.e30.sig"}
    assert_throttled(await gateway.get("/api/templates", headers=forged))


async def test_a_signed_in_user_is_counted_by_their_keycloak_id(replica: Replica, dev_tokens: dict[str, str]) -> None:
    token = dev_tokens["candidate"]
    subject = jwt.decode(token, options={"verify_signature": False})["sub"]
    redis = Redis.from_url(REDIS_URL)
    async for key in redis.scan_iter(match=f"*api-ratelimit*{subject}*"):
        await redis.delete(key)  # the dev user's count from earlier runs
    await redis.aclose()
    gateway = await replica(api_rate_limit="5/minute")
    bearer = {"authorization": f"Bearer {token}"}
    statuses = [(await gateway.get("/api/templates", headers=bearer)).status_code for _ in range(5)]
    assert 429 not in statuses
    assert_throttled(await gateway.get("/api/templates", headers=bearer))


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def test_hits_are_counted_in_the_windows_limits_reads_so_retry_after_sees_them(redis: Redis) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute")
    user, address = f"user:{uuid.uuid4()}", f"ip:{uuid.uuid4()}"
    for _ in range(3):
        assert (await limiter.admit(user)).wait is None
    assert (await limiter.admit(address)).wait is None
    assert (await limiter.limiter.get_window_stats(limiter.signed_in, user)).remaining == 7
    assert (await limiter.limiter.get_window_stats(limiter.anonymous, address)).remaining == 4


async def test_the_keys_read_with_a_hit_come_back_with_its_answer(redis: Redis) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="2/minute", anonymous="2/minute")
    user, present, absent = f"user:{uuid.uuid4()}", f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    await redis.set(present, "1", ex=60)
    assert await limiter.admit(user, read=[present, absent]) == Admission(None, [b"1", None])
    await limiter.admit(user)
    refused = await limiter.admit(user, read=[present, absent])
    assert refused.reads == [b"1", None]
    assert refused.wait is not None and 1 <= refused.wait <= 60


async def test_a_redis_that_does_not_know_the_script_yet_is_taught_it_and_the_hit_counts(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A script text no Redis has seen (a comment of its own): its first call meets NOSCRIPT, as after a restart.
    monkeypatch.setattr(limits_module, "ACQUIRE_SCRIPT", f"{limits_module.ACQUIRE_SCRIPT}\n-- {uuid.uuid4()}")
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute")
    user = f"user:{uuid.uuid4()}"
    assert (await limiter.admit(user)).wait is None
    assert (await limiter.limiter.get_window_stats(limiter.signed_in, user)).remaining == 9


async def test_the_round_trips_reuse_one_connection_of_the_limiters_own_without_the_pools_checkout(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute")

    async def no_checkout(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a connection was checked out of the pool (and polled for unread data)")

    monkeypatch.setattr(redis.connection_pool, "get_connection", no_checkout)
    user = f"user:{uuid.uuid4()}"
    for _ in range(3):
        assert (await limiter.admit(user, read=[f"test:{uuid.uuid4()}"])).wait is None
    assert len(limiter._idle) == 1
    await limiter.aclose()
    assert limiter._idle == []


async def test_a_kept_connection_redis_closed_is_replaced_and_the_hit_counts(redis: Redis) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute")
    user = f"user:{uuid.uuid4()}"
    await limiter.admit(user)
    [kept] = limiter._idle
    await kept.send_command("CLIENT", "ID")
    await redis.client_kill_filter(_id=str(await kept.read_response()))  # as a Redis restart closes it
    assert (await limiter.admit(user)).wait is None
    assert (await limiter.limiter.get_window_stats(limiter.signed_in, user)).remaining == 8
    assert len(limiter._idle) == 1 and limiter._idle[0] is not kept
    await limiter.aclose()


async def test_a_round_trip_interrupted_before_its_answer_drops_its_connection(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute")
    user = f"user:{uuid.uuid4()}"
    reply = limits_module._reply
    stalled = asyncio.Event()

    async def stall(connection: Any) -> Any:
        stalled.set()
        await asyncio.sleep(60)
        return await reply(connection)

    monkeypatch.setattr(limits_module, "_reply", stall)
    interrupted = asyncio.create_task(limiter.admit(user))
    await stalled.wait()
    interrupted.cancel()
    with pytest.raises(asyncio.CancelledError):
        await interrupted
    # Its answer is still on the way: the connection is not kept for the next caller to read it as theirs.
    assert limiter._idle == []
    monkeypatch.setattr(limits_module, "_reply", reply)
    present = f"test:{uuid.uuid4()}"
    await redis.set(present, "1", ex=60)
    assert await limiter.admit(user, read=[present]) == Admission(None, [b"1"])
    await limiter.aclose()


async def test_a_gateway_that_stops_sends_the_hits_it_admitted_since_its_last_sync(redis: Redis) -> None:
    limiter = ApiLimiter(redis, REDIS_URL, signed_in="10/minute", anonymous="5/minute", sync_interval_s=3600)
    limiter.start()
    key = f"user:{uuid.uuid4()}"
    assert (await limiter.admit(key)).wait is None  # counted in Redis, and the window kept here
    for _ in range(3):
        assert limiter.admit_locally(key)
    assert await redis_count(limiter, key) == 1

    await limiter.aclose()

    assert await redis_count(limiter, key) == 4

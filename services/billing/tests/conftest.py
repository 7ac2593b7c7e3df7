"""Fixtures: the service's test settings (Stripe = the local stripe-mock, driven by the real SDK), its migrated
schema and per-test rollback sessions (from the kit), the in-process app with a clock the tests move,
identities with the internal token, Stripe's webhook signing, the consumer's handlers applied as the
consumer loop applies them, and the worker's job context."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from billing.cache import QuotaCache
from billing.consumers import handlers
from billing.main import create_app
from billing.settings import Settings
from kit.db import make_sessionmaker, transaction
from kit.domain import IntegrationEvent
from kit.events import Envelope
from kit.outbox import mark_processed
from kit.testing import Caller, Clock, database_fixtures, free_port, in_process_client, settings_for_tests

ROOT = Path(__file__).resolve().parents[3]
STRIPE_MOCK_PORT = int(os.environ.get("STRIPE_MOCK_PORT", "12111"))
STRIPE_MOCK_BINARY = ROOT / ".local" / "bin" / "stripe-mock"
WEBHOOK_SECRET = "whsec_billing_tests"
# A second, retired secret is configured too: verification accepts any of them during a rotation.
OLD_WEBHOOK_SECRET = "whsec_billing_tests_old"


def _stripe_mock_answers(url: str) -> bool:
    try:
        response = httpx.get(f"{url}/v1/customers", headers={"Authorization": "Bearer sk_test_123"}, timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@pytest.fixture(scope="session")
def stripe_mock() -> Iterator[str]:
    """The local stack's stripe-mock (`uv run devstack infra` starts it), else one started here from the
    binary devstack built."""
    url = f"http://127.0.0.1:{STRIPE_MOCK_PORT}"
    if _stripe_mock_answers(url):
        yield url
        return
    if not STRIPE_MOCK_BINARY.is_file():
        pytest.fail("stripe-mock is not running and not built: run `uv run devstack infra`")
    http_port, https_port = free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    process = subprocess.Popen(
        [STRIPE_MOCK_BINARY, "-http-addr", f"127.0.0.1:{http_port}", "-https-addr", f"127.0.0.1:{https_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _stripe_mock_answers(url):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("stripe-mock did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def settings(stripe_mock: str) -> Settings:
    return settings_for_tests(
        Settings,
        "billing",
        stripe_secret_key="sk_test_123",
        stripe_api_base=stripe_mock,
        stripe_webhook_secrets=f"{OLD_WEBHOOK_SECRET},{WEBHOOK_SECRET}",
        web_url="http://localhost:3000",
    )


migrated, engine = database_fixtures(Path(__file__).resolve().parents[1])


@pytest.fixture
async def committing_client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The app on real, committing sessions from a pool: concurrent requests hold concurrent transactions."""
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    async with in_process_client(create_app(settings), sessions) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hr() -> Caller:
    return Caller("hr")


@pytest.fixture
def candidate() -> Caller:
    return Caller("candidate")


@pytest.fixture
def admin() -> Caller:
    return Caller("admin")


Client = httpx.AsyncClient


@pytest.fixture
async def client(settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> AsyncIterator[Client]:
    app = create_app(settings)
    async with in_process_client(app, sessions) as client:
        app.state.clock = clock
        yield client


@pytest.fixture
async def disabled_client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> AsyncIterator[Client]:
    """The app without a Stripe key: "payments disabled"."""
    app = create_app(settings.model_copy(update={"stripe_secret_key": SecretStr("")}))
    async with in_process_client(app, sessions) as client:
        app.state.clock = clock
        yield client


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header as Stripe builds it: HMAC-SHA256 of `{t}.{payload}` with the secret."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def stripe_event(event_type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "api_version": "2024-12-18.acacia",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "data": {"object": obj},
    }


def body_of(event: dict[str, Any]) -> bytes:
    # Spaced and indented like Stripe's own payloads: the signature must hold on these exact bytes.
    return json.dumps(event, indent=2).encode()


Post = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def post_webhook(client: Client) -> Post:
    async def post(event: dict[str, Any], **sign_options: Any) -> httpx.Response:
        payload = body_of(event)
        return await client.post(
            "/api/billing/webhooks/stripe",
            content=payload,
            headers={"stripe-signature": sign(payload, **sign_options), "content-type": "application/json"},
        )

    return post


@pytest.fixture
async def cache(settings: Settings) -> AsyncIterator[QuotaCache]:
    redis = Redis.from_url(settings.redis_url)
    yield QuotaCache(redis, ttl_s=settings.quota_cache_ttl_s)
    await redis.aclose()


Apply = Callable[..., Awaitable[bool]]


def envelope(event: IntegrationEvent, *, occurred_at: datetime | None = None) -> Envelope:
    wrapped = Envelope.wrap(event, source="test", aggregate_id=str(uuid.uuid4()), correlation_id=None)
    if occurred_at is not None:
        wrapped = wrapped.model_copy(update={"occurred_at": occurred_at})
    return wrapped


@pytest.fixture
def apply(sessions: async_sessionmaker[AsyncSession], cache: QuotaCache, clock: Clock) -> Apply:
    """Handle an envelope as the consumer loop does: the handler and the processed-message mark in one
    transaction, a redelivered envelope a no-op. Returns whether it was handled."""
    table = handlers(cache, clock=clock)

    async def run(event: Envelope | IntegrationEvent) -> bool:
        wrapped = event if isinstance(event, Envelope) else envelope(event)
        async with transaction(sessions) as session:
            if not await mark_processed(session, consumer="billing", message_id=str(wrapped.event_id)):
                return False
            await table[wrapped.event_type](session, wrapped)
        await cache.drain()
        return True

    return run


@pytest.fixture
def worker_ctx(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], cache: QuotaCache, clock: Clock
) -> dict[str, Any]:
    return {"settings": settings, "sessions": sessions, "quota_cache": cache, "clock": clock}

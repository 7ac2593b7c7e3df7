"""A Stripe webhook through the gateway: the gateway (in process) forwards a signed `checkout.session.completed`
to the billing service served by uvicorn on 127.0.0.1, and the account is on Plus within the test. The
signature covers the exact bytes Stripe sent (indented JSON, non-ASCII text), so this holds only if the
gateway relays the raw body unchanged; a body tampered on the way is refused with billing's 400, not hidden."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import delete, select

from billing.domain import PaymentEvent, Subscription
from billing.main import create_app as billing_app
from billing.settings import Settings as BillingSettings
from gateway.main import create_app as gateway_app
from gateway.settings import Settings as GatewaySettings
from kit.db import make_sessionmaker
from kit.testing import INTERNAL_TOKEN, AppServer, alembic_upgrade, free_port, make_service_engine, settings_for_tests

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_gateway_journey"


@pytest.fixture
async def billing_url() -> AsyncIterator[str]:
    settings = settings_for_tests(BillingSettings, "billing", stripe_webhook_secrets=SECRET)
    await asyncio.to_thread(alembic_upgrade, ROOT / "services" / "billing", settings)
    async with AppServer(billing_app(settings)) as server:
        yield server.url


@pytest.fixture
async def gateway(billing_url: str) -> AsyncIterator[httpx.AsyncClient]:
    down = f"http://127.0.0.1:{free_port()}"
    settings = settings_for_tests(
        GatewaySettings,
        "gateway",
        billing_url=billing_url,
        users_url=down,
        interviews_url=down,
        media_url=down,
        analysis_url=down,
        notifications_url=down,
    )
    await asyncio.to_thread(alembic_upgrade, ROOT / "services" / "gateway", settings)
    async with LifespanManager(gateway_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8001") as client:
            yield client


@pytest.fixture
async def account() -> AsyncIterator[str]:
    account_id = str(uuid.uuid4())
    yield account_id
    settings = settings_for_tests(BillingSettings, "billing")
    engine = make_service_engine(settings)
    sessions = make_sessionmaker(engine, service="billing", schema="billing")
    async with sessions() as session, session.begin():
        mine = select(Subscription.id).where(Subscription.company_id == account_id)
        await session.execute(delete(PaymentEvent).where(PaymentEvent.subscription_id.in_(mine)))
        await session.execute(delete(Subscription).where(Subscription.company_id == account_id))
    await engine.dispose()


def stripe_body(account_id: str) -> bytes:
    event: dict[str, Any] = {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"cs_test_{uuid.uuid4().hex}",
                "object": "checkout.session",
                "client_reference_id": account_id,
                "customer": "cus_gateway_journey",
                "subscription": f"sub_{uuid.uuid4().hex[:14]}",
                "amount_total": 2900,
                "currency": "usd",
                "customer_details": {"name": "Zoë Ærøskøbing"},
                "metadata": {"companyId": account_id, "planType": "plus"},
            }
        },
    }
    # Stripe's own layout: indented, non-ASCII kept as UTF-8. Re-serialising would change the bytes.
    return json.dumps(event, indent=2, ensure_ascii=False).encode()


def signature(payload: bytes) -> str:
    t = int(time.time())
    return f"t={t},v1={hmac.new(SECRET.encode(), f'{t}.'.encode() + payload, hashlib.sha256).hexdigest()}"


async def plan_of(billing_url: str, account_id: str) -> str:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": account_id, "x-user-role": "hr"}
    async with httpx.AsyncClient(base_url=billing_url) as billing:
        response = await billing.get("/api/billing/subscription", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["planType"])


async def test_a_signed_checkout_completion_through_the_gateway_upgrades_the_account(
    gateway: httpx.AsyncClient, billing_url: str, account: str
) -> None:
    payload = stripe_body(account)

    response = await gateway.post(
        "/api/billing/webhooks/stripe",
        content=payload,
        headers={"stripe-signature": signature(payload), "content-type": "application/json"},
    )

    assert (response.status_code, response.json()) == (200, {"received": True})
    assert await plan_of(billing_url, account) == "plus"


async def test_a_body_tampered_before_the_gateway_is_refused_by_billing_through_it(
    gateway: httpx.AsyncClient, billing_url: str, account: str
) -> None:
    payload = stripe_body(account)
    tampered = payload.replace(b'"plus"', b'"pro"')

    response = await gateway.post(
        "/api/billing/webhooks/stripe",
        content=tampered,
        headers={"stripe-signature": signature(payload), "content-type": "application/json"},
    )

    assert (response.status_code, response.json()["code"]) == (400, "INVALID_SIGNATURE")
    assert await plan_of(billing_url, account) == "free"

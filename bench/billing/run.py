"""Billing's hot path and its webhooks, measured over real HTTP against the real app (uvicorn on 127.0.0.1),
the test database (`aivi_test`) and the test Redis db:

- the internal quota check (`GET /api/billing/internal/quota/{account}/interviews`, on every invitation):
  p50/p99 and requests per second with the Redis cache on, then with it off (`quota_cache_ttl_s=0`), in the
  same run, over the same accounts;
- a signed `checkout.session.completed` webhook → the subscription reads Plus: p50/p99.

Rows it creates are deleted afterwards. Usage: `uv run python bench/billing/run.py [--requests N]`."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import delete, select

from billing.domain import PaymentEvent, Subscription, UsageItem
from billing.main import create_app
from billing.settings import Settings
from kit.db import make_sessionmaker
from kit.testing import INTERNAL_TOKEN, alembic_upgrade, free_port, make_service_engine, settings_for_tests

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_bench"
INTERNAL = {"x-internal-token": INTERNAL_TOKEN}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):.2f} ms / p99 {ordered[int(0.99 * (len(ordered) - 1))]:.2f} ms"


class Served:
    """The app served by uvicorn in this process on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Served:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        await self.task


async def quota_round(url: str, accounts: list[str], requests: int, concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, headers=INTERNAL, timeout=10) as client:
        for account in accounts:  # warm: every account exists and (cache on) is cached
            (await client.get(f"/api/billing/internal/quota/{account}/interviews")).raise_for_status()
        queue = list(range(requests))

        async def worker() -> None:
            while queue:
                n = queue.pop()
                started = time.perf_counter()
                response = await client.get(f"/api/billing/internal/quota/{accounts[n % len(accounts)]}/interviews")
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, requests / elapsed


def signed(event: dict[str, Any]) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    t = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={t},v1={digest}"


async def webhook_round(url: str, count: int) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        for _ in range(count):
            account = str(uuid.uuid4())
            hr = {**INTERNAL, "x-user-id": account, "x-user-role": "hr"}
            event = {
                "id": f"evt_{uuid.uuid4().hex}", "type": "checkout.session.completed", "created": int(time.time()),
                "data": {"object": {"id": "cs_bench", "client_reference_id": account, "customer": "cus_bench",
                                    "subscription": f"sub_{uuid.uuid4().hex[:12]}", "amount_total": 2900,
                                    "currency": "usd", "metadata": {"companyId": account, "planType": "plus"}}},
            }  # fmt: skip
            payload, signature = signed(event)
            started = time.perf_counter()
            response = await client.post("/api/billing/webhooks/stripe", content=payload,
                                         headers={"stripe-signature": signature})  # fmt: skip
            response.raise_for_status()
            while (await client.get("/api/billing/subscription", headers=hr)).json()["planType"] != "plus":
                await asyncio.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def main(base: Settings, requests: int, concurrency: int, accounts_n: int, webhooks: int) -> None:
    accounts = [f"bench-{uuid.uuid4().hex[:12]}" for _ in range(accounts_n)]
    try:
        results = {}
        for label, ttl in (("cache on", 60), ("cache off", 0)):
            async with Served(base.model_copy(update={"quota_cache_ttl_s": ttl})) as served:
                results[label] = await quota_round(served.url, accounts, requests, concurrency)
        async with Served(base) as served:
            hooks = await webhook_round(served.url, webhooks)
    finally:
        engine = make_service_engine(base)
        sessions = make_sessionmaker(engine, service="billing", schema="billing")
        async with sessions() as session, session.begin():
            await session.execute(delete(UsageItem).where(UsageItem.company_id.in_(accounts)))
            bench = select(Subscription.id).where(Subscription.stripe_customer_id == "cus_bench")
            await session.execute(delete(PaymentEvent).where(PaymentEvent.subscription_id.in_(bench)))
            await session.execute(delete(Subscription).where(Subscription.company_id.in_(accounts)))
            await session.execute(delete(Subscription).where(Subscription.stripe_customer_id == "cus_bench"))
        await engine.dispose()
    print(f"billing internal quota check, {requests} requests, {concurrency} concurrent, {accounts_n} accounts:")
    for label, (latencies, rps) in results.items():
        print(f"  {label:<9}  {percentiles(latencies)}  {rps:,.0f} req/s")
    print(f"billing webhook → subscription reads Plus, {webhooks} signed checkout.session.completed:")
    print(f"  {percentiles(hooks)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--webhooks", type=int, default=100)
    args = parser.parse_args()
    settings = settings_for_tests(Settings, "billing", stripe_webhook_secrets=SECRET, log_level="WARNING")
    # Synchronous, before the loop: Alembic's async env runs its own.
    alembic_upgrade(ROOT / "services" / "billing", settings)
    asyncio.run(main(settings, args.requests, args.concurrency, args.accounts, args.webhooks))

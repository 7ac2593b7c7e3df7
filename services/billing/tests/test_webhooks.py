"""Stripe's webhooks: verified on the raw bytes as Stripe signs them, applied once, in Stripe's order, with
the state machine's transitions and their events; the scheduled fall-backs to Free."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing import stripe_events, worker
from billing.domain import PaymentEvent, Subscription
from kit.testing import Caller, Clock, outbox_events

from .conftest import OLD_WEBHOOK_SECRET, WEBHOOK_SECRET, Post, body_of, sign, stripe_event

WEBHOOK = "/api/billing/webhooks/stripe"


def checkout_completed(account_id: str, plan: str = "plus", **extra: Any) -> dict[str, Any]:
    return stripe_event(
        "checkout.session.completed",
        {
            "id": f"cs_test_{uuid.uuid4().hex}",
            "object": "checkout.session",
            "client_reference_id": account_id,
            "metadata": {"companyId": account_id, "planType": plan},
            "customer": f"cus_{uuid.uuid4().hex[:14]}",
            "subscription": f"sub_{uuid.uuid4().hex[:14]}",
            "amount_total": 2900 if plan == "plus" else 9900,
            "currency": "usd",
            "mode": "subscription",
        },
        **extra,
    )


def subscription_object(
    account_id: str, stripe_id: str, *, price: str, status: str = "active", cancel: bool = False
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": stripe_id,
        "object": "subscription",
        "customer": "cus_test",
        "status": status,
        "cancel_at_period_end": cancel,
        "canceled_at": None,
        "current_period_start": now,
        "current_period_end": now + 30 * 86400,
        "metadata": {"companyId": account_id},
        "items": {"data": [{"price": {"id": price, "unit_amount": 9900, "currency": "usd"}}]},
    }


def invoice(stripe_subscription_id: str, *, billing_reason: str = "subscription_cycle") -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": f"in_{uuid.uuid4().hex[:14]}",
        "object": "invoice",
        "customer": "cus_test",
        "subscription": stripe_subscription_id,
        "amount_due": 2900,
        "amount_paid": 0,
        "currency": "usd",
        "billing_reason": billing_reason,
        "hosted_invoice_url": "https://invoice.stripe.com/i/test",
        "lines": {"data": [{"period": {"start": now, "end": now + 30 * 86400}}]},
    }


async def subscription_of(client: httpx.AsyncClient, caller: Caller) -> dict[str, Any]:
    response = await client.get("/api/billing/subscription", headers=caller.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def events_of(
    sessions: async_sessionmaker[AsyncSession], event_type: str, account_id: str
) -> list[dict[str, Any]]:
    """The account's events of a type (the outbox also holds rows other suites and benches committed)."""
    async with sessions() as session:
        found = [m.payload["payload"] for m in await outbox_events(session) if m.event_type == event_type]
    return [event for event in found if event["companyId"] == account_id]


async def test_a_signed_checkout_completion_upgrades_the_account_and_tells_the_previous_plan(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await subscription_of(client, hr)
    event = checkout_completed(hr.id)

    response = await post_webhook(event)

    assert (response.status_code, response.json()) == (200, {"received": True})
    subscription = await subscription_of(client, hr)
    assert (subscription["planType"], subscription["status"]) == ("plus", "active")
    assert subscription["stripeCustomerId"] == event["data"]["object"]["customer"]
    [upgraded] = await events_of(sessions, "subscription.upgraded", hr.id)
    assert (upgraded["previousPlan"], upgraded["newPlan"], upgraded["companyId"]) == ("free", "plus", hr.id)
    assert (upgraded["amount"], upgraded["currency"], upgraded["billingUserId"]) == (2900, "usd", hr.id)


async def test_a_webhook_signed_with_the_retired_secret_still_verifies_during_a_rotation(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    response = await post_webhook(checkout_completed(hr.id), secret=OLD_WEBHOOK_SECRET)

    assert response.status_code == 200
    assert (await subscription_of(client, hr))["planType"] == "plus"


async def refused(client: httpx.AsyncClient, payload: bytes, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(WEBHOOK, content=payload, headers=headers)
    assert response.status_code == 400, response.text
    body = dict(response.json())
    assert body["code"] == "INVALID_SIGNATURE"
    return body


async def test_a_forged_signature_is_refused_and_changes_nothing(client: httpx.AsyncClient, hr: Caller) -> None:
    payload = body_of(checkout_completed(hr.id))

    await refused(client, payload, {"stripe-signature": sign(payload, secret="whsec_attacker")})

    assert (await subscription_of(client, hr))["planType"] == "free"


async def test_a_stale_signature_is_refused_as_a_replay(client: httpx.AsyncClient, hr: Caller) -> None:
    payload = body_of(checkout_completed(hr.id))

    await refused(client, payload, {"stripe-signature": sign(payload, timestamp=int(time.time()) - 301)})

    assert (await subscription_of(client, hr))["planType"] == "free"


async def test_a_webhook_without_a_signature_header_is_refused(client: httpx.AsyncClient, hr: Caller) -> None:
    body = await refused(client, body_of(checkout_completed(hr.id)), {})

    assert "missing" in body["error"]
    assert (await subscription_of(client, hr))["planType"] == "free"


async def test_a_tampered_body_under_a_valid_signature_is_refused(client: httpx.AsyncClient, hr: Caller) -> None:
    payload = body_of(checkout_completed(hr.id, plan="plus"))
    tampered = payload.replace(b'"plus"', b'"pro"')
    assert tampered != payload

    await refused(client, tampered, {"stripe-signature": sign(payload)})

    assert (await subscription_of(client, hr))["planType"] == "free"


async def test_a_webhook_body_over_two_mebibytes_is_refused_with_413(client: httpx.AsyncClient) -> None:
    payload = b'{"id": "evt_big", "padding": "' + b"x" * (2 * 1024 * 1024) + b'"}'

    response = await client.post(WEBHOOK, content=payload, headers={"stripe-signature": sign(payload)})

    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_the_same_event_delivered_twice_has_one_effect(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event = checkout_completed(hr.id)

    first, second = await post_webhook(event), await post_webhook(event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(await events_of(sessions, "subscription.upgraded", hr.id)) == 1
    async with sessions() as session:
        stored = await session.scalar(
            select(func.count()).select_from(PaymentEvent).where(PaymentEvent.stripe_event_id == event["id"])
        )
    assert stored == 1


async def test_an_older_subscription_update_arriving_last_is_ignored(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    now = int(time.time())
    stripe_id = f"sub_{uuid.uuid4().hex[:14]}"
    newer = stripe_event(
        "customer.subscription.updated", subscription_object(hr.id, stripe_id, price="price_pro"), created=now
    )
    older = stripe_event(
        "customer.subscription.updated", subscription_object(hr.id, stripe_id, price="price_plus"), created=now - 60
    )

    assert (await post_webhook(newer)).status_code == 200
    assert (await post_webhook(older)).status_code == 200

    assert (await subscription_of(client, hr))["planType"] == "pro"


async def test_a_lower_price_chosen_in_the_portal_downgrades_with_reason_portal(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    stripe_id = f"sub_{uuid.uuid4().hex[:14]}"
    now = int(time.time())
    for price, created in (("price_pro", now - 10), ("price_plus", now)):
        obj = subscription_object(hr.id, stripe_id, price=price)
        response = await post_webhook(stripe_event("customer.subscription.updated", obj, created=created))
        assert response.status_code == 200

    [downgraded] = await events_of(sessions, "subscription.downgraded", hr.id)
    assert (downgraded["previousPlan"], downgraded["newPlan"], downgraded["reason"]) == ("pro", "plus", "portal")


async def test_a_failed_payment_makes_the_subscription_past_due_and_announces_the_grace(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await subscription_of(client, hr)  # the HR user touching the account first becomes its billing contact
    checkout = checkout_completed(hr.id)
    await post_webhook(checkout)
    stripe_id = checkout["data"]["object"]["subscription"]

    response = await post_webhook(stripe_event("invoice.payment_failed", invoice(stripe_id)))

    assert response.status_code == 200
    subscription = await subscription_of(client, hr)
    assert subscription["status"] == "past_due"
    assert subscription["pastDueSince"] is not None
    [past_due] = await events_of(sessions, "subscription.past_due", hr.id)
    assert (past_due["planType"], past_due["amountDue"], past_due["billingUserId"]) == ("plus", 2900, hr.id)
    assert past_due["hostedInvoiceUrl"] == "https://invoice.stripe.com/i/test"


async def test_a_paid_renewal_reactivates_and_announces_but_the_first_invoice_does_not(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    checkout = checkout_completed(hr.id)
    await post_webhook(checkout)
    stripe_id = checkout["data"]["object"]["subscription"]
    await post_webhook(stripe_event("invoice.paid", invoice(stripe_id, billing_reason="subscription_create")))
    await post_webhook(stripe_event("invoice.payment_failed", invoice(stripe_id)))

    await post_webhook(stripe_event("invoice.paid", invoice(stripe_id)))

    subscription = await subscription_of(client, hr)
    assert (subscription["status"], subscription["pastDueSince"]) == ("active", None)
    assert len(await events_of(sessions, "subscription.renewed", hr.id)) == 1


async def test_a_subscription_deleted_in_stripe_falls_back_to_free_now(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, sessions: async_sessionmaker[AsyncSession]
) -> None:
    checkout = checkout_completed(hr.id)
    await post_webhook(checkout)
    stripe_id = checkout["data"]["object"]["subscription"]

    obj = subscription_object(hr.id, stripe_id, price="price_plus", status="canceled")
    await post_webhook(stripe_event("customer.subscription.deleted", obj))

    assert (await subscription_of(client, hr))["planType"] == "free"
    [downgraded] = await events_of(sessions, "subscription.downgraded", hr.id)
    assert (downgraded["previousPlan"], downgraded["reason"]) == ("plus", "canceled")


async def test_an_unhandled_event_type_is_acknowledged_and_ignored(
    post_webhook: Post, sessions: async_sessionmaker[AsyncSession]
) -> None:
    event = stripe_event("customer.created", {"id": "cus_x", "object": "customer"})

    assert (await post_webhook(event)).status_code == 200
    async with sessions() as session:
        assert await session.scalar(select(PaymentEvent).where(PaymentEvent.stripe_event_id == event["id"])) is None


async def test_a_signed_checkout_naming_an_overlong_account_is_acknowledged_and_changes_no_account(
    post_webhook: Post, sessions: async_sessionmaker[AsyncSession]
) -> None:
    overlong = "a" * 65
    event = checkout_completed(overlong)

    response = await post_webhook(event)

    assert (response.status_code, response.json()) == (200, {"received": True})
    async with sessions() as session:
        assert await session.scalar(select(Subscription).where(Subscription.company_id == overlong)) is None


async def test_a_canceled_subscription_becomes_free_when_the_job_runs_after_its_period_ended(
    client: httpx.AsyncClient,
    post_webhook: Post,
    hr: Caller,
    clock: Clock,
    worker_ctx: dict[str, Any],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await post_webhook(checkout_completed(hr.id))
    cancel = await client.post("/api/billing/cancel", headers=hr.headers)
    assert (cancel.status_code, cancel.json()["message"]) == (
        201, "Subscription will be canceled at the end of the current period")  # fmt: skip
    period_end = (await subscription_of(client, hr))["currentPeriodEnd"]

    assert await worker.end_canceled_periods(worker_ctx) == 0
    assert (await subscription_of(client, hr))["planType"] == "plus"
    clock.advance(days=31)
    assert await worker.end_canceled_periods(worker_ctx) == 1

    subscription = await subscription_of(client, hr)
    assert (subscription["planType"], subscription["cancelAtPeriodEnd"]) == ("free", False)
    assert subscription["currentPeriodStart"] > period_end
    [canceled] = await events_of(sessions, "subscription.canceled", hr.id)
    assert canceled["cancelAtPeriodEnd"] is True
    [downgraded] = await events_of(sessions, "subscription.downgraded", hr.id)
    assert (downgraded["previousPlan"], downgraded["newPlan"], downgraded["reason"]) == ("plus", "free", "canceled")


async def test_a_past_due_subscription_becomes_free_once_the_grace_period_is_over(
    client: httpx.AsyncClient,
    post_webhook: Post,
    hr: Caller,
    clock: Clock,
    worker_ctx: dict[str, Any],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    checkout = checkout_completed(hr.id)
    await post_webhook(checkout)
    await post_webhook(stripe_event("invoice.payment_failed", invoice(checkout["data"]["object"]["subscription"])))

    clock.advance(days=6)
    assert await worker.end_payment_grace(worker_ctx) == 0
    clock.advance(days=2)
    assert await worker.end_payment_grace(worker_ctx) == 1

    subscription = await subscription_of(client, hr)
    assert (subscription["planType"], subscription["status"]) == ("free", "active")
    [downgraded] = await events_of(sessions, "subscription.downgraded", hr.id)
    assert downgraded["reason"] == "payment_failed"


async def test_a_quota_answer_cached_before_an_upgrade_shows_the_new_limit_right_after_it(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    internal = {"x-internal-token": hr.headers["x-internal-token"]}
    quota = f"/api/billing/internal/quota/{hr.id}/interviews"
    before = (await client.get(quota, headers=internal)).json()
    assert (before["limit"], before["currentPlan"]) == (3, "free")
    assert (await client.get(quota, headers=internal)).json() == before  # now served from Redis

    await post_webhook(checkout_completed(hr.id, plan="pro"))

    after = (await client.get(quota, headers=internal)).json()
    assert (after["limit"], after["remaining"], after["currentPlan"]) == (-1, -1, "pro")


def test_the_signature_helper_matches_the_sdk(hr: Caller) -> None:
    """The tests sign as Stripe does; the SDK's own verification agrees, so the refusals above are real."""
    import stripe

    payload = body_of(checkout_completed(hr.id))
    header = sign(payload)

    stripe.WebhookSignature.verify_header(payload.decode(), header, WEBHOOK_SECRET, tolerance=300)
    assert json.loads(payload)["type"] == "checkout.session.completed"


def webhooks(result: str) -> float:
    return REGISTRY.get_sample_value("billing_stripe_webhooks_total", {"result": result}) or 0.0


async def test_webhook_deliveries_are_counted_as_processed_rejected_or_failed(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {result: webhooks(result) for result in ("processed", "rejected", "failed")}

    applied = await post_webhook(checkout_completed(hr.id))
    forged = await post_webhook(checkout_completed(hr.id), secret="whsec_attacker")

    async def database_gone(*_: Any, **__: Any) -> None:
        raise ConnectionError("the database went away")

    # A verified event that cannot be applied (here: the database is gone) is what the alert watches for.
    monkeypatch.setattr(stripe_events, "apply", database_gone)
    unapplied = await post_webhook(checkout_completed(hr.id))

    assert (applied.status_code, forged.status_code, unapplied.status_code) == (200, 400, 500)
    assert webhooks("processed") == before["processed"] + 1
    assert webhooks("rejected") == before["rejected"] + 1
    assert webhooks("failed") == before["failed"] + 1

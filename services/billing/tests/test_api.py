"""The customer's routes: plans, subscription, checkout and portal through the Stripe SDK (against
stripe-mock), cancel and resume, usage, invoices, the admins' accounts; who may call them and what is refused."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from billing.domain import QuotaNotice, Subscription, UsageItem
from billing.main import create_app
from billing.payments import UNAVAILABLE_MESSAGE
from billing.settings import Settings
from kit.db import make_sessionmaker
from kit.testing import INTERNAL_TOKEN, Caller, free_port, in_process_client

from .conftest import Post
from .test_webhooks import checkout_completed

HR_ROUTES = [
    ("GET", "/api/billing/subscription", None),
    ("POST", "/api/billing/checkout", {"planType": "plus"}),
    ("POST", "/api/billing/portal", None),
    ("POST", "/api/billing/cancel", None),
    ("POST", "/api/billing/resume", None),
    ("GET", "/api/billing/usage", None),
    ("GET", "/api/billing/invoices", None),
    ("GET", "/api/billing/admin/accounts", None),
]


async def test_the_plans_are_public_with_limits_prices_and_what_can_be_bought(client: httpx.AsyncClient) -> None:
    plans = (await client.get("/api/billing/plans")).json()

    assert [(p["type"], p["priceMonthly"], p["purchasable"]) for p in plans] == [
        ("free", 0, False), ("plus", 2900, True), ("pro", 9900, True)]  # fmt: skip
    assert plans[0]["limits"] == {"interviewsPerMonth": 3, "maxTemplates": 5, "maxTeamMembers": 1}
    assert plans[2]["limits"]["interviewsPerMonth"] == -1
    assert plans[1]["currency"] == "usd" and "pdf_export" in plans[1]["features"]


async def test_an_account_gets_the_free_plan_on_first_touch(client: httpx.AsyncClient, hr: Caller) -> None:
    first = (await client.get("/api/billing/subscription", headers=hr.headers)).json()
    again = (await client.get("/api/billing/subscription", headers=hr.headers)).json()

    assert again == first  # the settled read (columns, no aggregate) answers what the first touch did
    assert (first["companyId"], first["planType"], first["status"]) == (hr.id, "free", "active")
    assert (first["paymentsEnabled"], first["cancelAtPeriodEnd"], first["stripeCustomerId"]) == (True, False, None)


async def test_the_billed_account_is_the_callers_company(client: httpx.AsyncClient, hr: Caller) -> None:
    company_id = str(uuid.uuid4())

    body = (await client.get("/api/billing/subscription", headers={**hr.headers, "x-company-id": company_id})).json()

    assert body["companyId"] == company_id


@pytest.mark.parametrize(("method", "path", "body"), HR_ROUTES)
async def test_a_candidate_sees_no_billing(
    client: httpx.AsyncClient, candidate: Caller, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, path, json=body, headers=candidate.headers)

    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")


async def test_only_admins_list_the_billed_accounts(client: httpx.AsyncClient, hr: Caller, admin: Caller) -> None:
    await client.get("/api/billing/subscription", headers=hr.headers)

    refused = await client.get("/api/billing/admin/accounts", headers=hr.headers)
    listed = await client.get("/api/billing/admin/accounts", params={"limit": 1000}, headers=admin.headers)

    assert refused.status_code == 403
    assert listed.status_code == 200
    [mine] = [a for a in listed.json()["data"] if a["companyId"] == hr.id]
    assert (mine["planType"], mine["usage"]["interviewsUsed"], mine["limits"]["maxTemplates"]) == ("free", 0, 5)


async def test_checkout_creates_a_stripe_session_through_the_sdk(client: httpx.AsyncClient, hr: Caller) -> None:
    response = await client.post(
        "/api/billing/checkout",
        json={"planType": "pro", "successUrl": "http://localhost:3000/profile/billing?ok=1"},
        headers=hr.headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["sessionId"].startswith("cs_")
    assert response.json()["checkoutUrl"].startswith("https://")


async def test_checkout_to_the_same_or_a_lower_plan_is_not_an_upgrade(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    await post_webhook(checkout_completed(hr.id, plan="pro"))

    response = await client.post("/api/billing/checkout", json={"planType": "plus"}, headers=hr.headers)

    assert (response.status_code, response.json()["code"]) == (422, "INVALID_PLAN_TRANSITION")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"planType": "free"}, "planType"),
        ({"planType": "gold"}, "planType"),
        ({"planType": 3}, "planType"),
        ({"planType": "plus", "coupon": "FREE"}, "coupon"),
        ({"planType": "plus", "successUrl": "https://evil.example/phish"}, "successUrl"),
        ({"planType": "plus", "cancelUrl": "javascript:alert(1)"}, "cancelUrl"),
    ],
)
async def test_a_malformed_checkout_is_a_422_naming_the_field(
    client: httpx.AsyncClient, hr: Caller, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/billing/checkout", json=body, headers=hr.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in [d["field"] for d in response.json()["details"]]


async def test_without_a_stripe_key_plans_work_and_payment_routes_say_why_not(
    disabled_client: httpx.AsyncClient, hr: Caller
) -> None:
    plans = (await disabled_client.get("/api/billing/plans")).json()
    checkout = await disabled_client.post("/api/billing/checkout", json={"planType": "plus"}, headers=hr.headers)
    portal = await disabled_client.post("/api/billing/portal", headers=hr.headers)
    subscription = (await disabled_client.get("/api/billing/subscription", headers=hr.headers)).json()

    assert not any(p["purchasable"] for p in plans)
    assert subscription["paymentsEnabled"] is False
    for refused in (checkout, portal):
        assert (refused.status_code, refused.json()["code"]) == (503, "PAYMENTS_DISABLED")
        assert refused.json()["error"] == "Online payment is not enabled on this installation"
    assert (await disabled_client.get("/api/billing/invoices", headers=hr.headers)).json() == []


async def test_the_portal_needs_a_stripe_customer_first(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    before = await client.post("/api/billing/portal", headers=hr.headers)
    await post_webhook(checkout_completed(hr.id))
    after = await client.post("/api/billing/portal", headers=hr.headers)

    assert (before.status_code, before.json()) == (
        201, {"portalUrl": None, "message": "No Stripe customer found. Upgrade first."})  # fmt: skip
    assert after.status_code == 201 and after.json()["portalUrl"].startswith("https://")
    assert "message" not in after.json()


async def test_cancel_and_resume_are_refused_when_they_change_nothing(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    free_cancel = await client.post("/api/billing/cancel", headers=hr.headers)
    await post_webhook(checkout_completed(hr.id))
    not_canceling = await client.post("/api/billing/resume", headers=hr.headers)
    canceled = await client.post("/api/billing/cancel", headers=hr.headers)
    twice = await client.post("/api/billing/cancel", headers=hr.headers)
    resumed = await client.post("/api/billing/resume", headers=hr.headers)

    for refused in (free_cancel, not_canceling, twice):
        assert (refused.status_code, refused.json()["code"]) == (422, "INVALID_SUBSCRIPTION_STATE")
    assert (canceled.status_code, resumed.status_code) == (201, 201)
    assert resumed.json() == {"message": "Subscription resumed"}
    subscription = (await client.get("/api/billing/subscription", headers=hr.headers)).json()
    assert (subscription["cancelAtPeriodEnd"], subscription["canceledAt"]) == (False, None)


async def test_invoices_come_from_stripe_for_a_customer(
    client: httpx.AsyncClient, post_webhook: Post, hr: Caller
) -> None:
    assert (await client.get("/api/billing/invoices", headers=hr.headers)).json() == []
    await post_webhook(checkout_completed(hr.id))

    invoices = (await client.get("/api/billing/invoices", params={"limit": 3}, headers=hr.headers)).json()

    assert invoices and invoices[0]["id"].startswith("in_")
    assert set(invoices[0]) >= {"amountDue", "amountPaid", "currency", "periodStart", "hostedInvoiceUrl", "pdfUrl"}


@pytest.mark.parametrize("query", [{"period": "2026-13"}, {"period": "26-01"}, {"period": "x"}])
async def test_a_malformed_usage_period_is_a_422(client: httpx.AsyncClient, hr: Caller, query: dict[str, str]) -> None:
    response = await client.get("/api/billing/usage", params=query, headers=hr.headers)

    assert (response.status_code, response.json()["details"][0]["field"]) == (422, "period")


@pytest.mark.parametrize("limit", [0, 101, "ten"])
async def test_an_invoice_limit_outside_one_to_a_hundred_is_a_422(
    client: httpx.AsyncClient, hr: Caller, limit: Any
) -> None:
    response = await client.get("/api/billing/invoices", params={"limit": limit}, headers=hr.headers)

    assert response.status_code == 422


async def test_a_past_period_shows_its_own_usage(client: httpx.AsyncClient, hr: Caller) -> None:
    usage = (await client.get("/api/billing/usage", params={"period": "2020-01"}, headers=hr.headers)).json()

    assert (usage["period"], usage["planType"], usage["usage"]["interviewsUsed"]) == ("2020-01", "free", 0)
    assert usage["usage"]["interviewsLimit"] == usage["limits"]["interviewsPerMonth"] == 3


async def test_hr_of_another_company_reads_their_own_account_never_yours(
    client: httpx.AsyncClient, post_webhook: Post
) -> None:
    ours, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await post_webhook(checkout_completed(ours, plan="pro"))

    mine = await client.get("/api/billing/subscription", headers={**Caller("hr").headers, "x-company-id": ours})
    other = await client.get("/api/billing/subscription", headers={**Caller("hr").headers, "x-company-id": theirs})

    assert (mine.json()["companyId"], mine.json()["planType"]) == (ours, "pro")
    assert (other.json()["companyId"], other.json()["planType"]) == (theirs, "free")


async def test_a_cancel_stripe_does_not_take_is_not_kept(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], post_webhook: Post, hr: Caller
) -> None:
    """Cancel is sent to Stripe inside the transaction: Stripe unreachable, nothing changes here either."""
    await post_webhook(checkout_completed(hr.id))
    unreachable = settings.model_copy(update={"stripe_api_base": f"http://127.0.0.1:{free_port()}"})
    async with in_process_client(create_app(unreachable), sessions) as offline:
        response = await offline.post("/api/billing/cancel", headers=hr.headers)
        subscription = (await offline.get("/api/billing/subscription", headers=hr.headers)).json()

    assert (response.status_code, response.json()["code"]) == (503, "PAYMENT_PROVIDER_UNAVAILABLE")
    assert response.json()["error"] == UNAVAILABLE_MESSAGE  # plain words; Stripe's own message is only logged
    assert (subscription["planType"], subscription["cancelAtPeriodEnd"]) == ("plus", False)


async def all_load_with_the_caller_adopted(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], hr: Caller, paths: list[str]
) -> None:
    """`paths` asked at once by `hr` all answer 200, and the account names `hr` its contact."""
    answers = await asyncio.gather(*(client.get(path, headers=hr.headers) for path in paths))

    assert [a.status_code for a in answers] == [200] * len(paths), [a.text for a in answers]
    async with sessions() as session:
        subscription = await session.scalar(select(Subscription).where(Subscription.company_id == hr.id))
    assert subscription is not None and subscription.billing_user_id == hr.id


async def forget_account(sessions: async_sessionmaker[AsyncSession], company_id: str) -> None:
    """What a committed test left of the account."""
    async with sessions() as session, session.begin():
        for table in (UsageItem, QuotaNotice, Subscription):
            await session.execute(delete(table).where(table.company_id == company_id))


async def test_a_first_visit_loading_the_plan_and_the_invoices_at_once_gets_both(
    committing_client: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    hr = Caller("hr")
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    # The account exists without a billing contact, as after its first template's reservation.
    reserved = await committing_client.post(
        f"/api/billing/internal/quota/{hr.id}/templates/reservations",
        json={"key": str(uuid.uuid4())},
        headers={"x-internal-token": INTERNAL_TOKEN},
    )
    assert reserved.status_code == 201, reserved.text
    try:
        # The billing page asks for both at once; each names the caller as the account's contact.
        paths = ["/api/billing/subscription", "/api/billing/invoices?limit=12"] * 4
        await all_load_with_the_caller_adopted(committing_client, sessions, hr, paths)
    finally:
        await forget_account(sessions, hr.id)


async def test_a_brand_new_accounts_first_visits_at_once_all_load_with_the_caller_adopted(
    committing_client: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    hr = Caller("hr")
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    try:
        paths = ["/api/billing/subscription", "/api/billing/invoices?limit=12", "/api/billing/usage"] * 3
        await all_load_with_the_caller_adopted(committing_client, sessions, hr, paths)
    finally:
        await forget_account(sessions, hr.id)


async def test_the_first_visit_that_creates_the_account_adopts_its_contact_without_locking_the_row_again(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    hr = Caller("hr")
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        response = await client.get("/api/billing/subscription", headers=hr.headers)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert response.status_code == 200, response.text
    assert response.json()["companyId"] == hr.id
    # The row it inserted is its own until COMMIT: nobody else can adopt a contact there meanwhile.
    assert [s for s in statements if "FOR UPDATE" in s] == []

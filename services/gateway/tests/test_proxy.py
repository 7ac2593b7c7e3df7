"""The proxy against a real upstream (uvicorn on 127.0.0.1): identity headers set by the gateway only,
raw bodies, honest error mapping, and a breaker that opens on a stopped upstream and recovers."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN

from .conftest import GatewayFactory, password_token, serving


def internal(user_id: str, role: str, company: str | None = None) -> dict[str, str]:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}
    if company:
        headers["x-company-id"] = company
    return headers


async def test_forged_identity_headers_are_replaced_by_the_verified_identity(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    # A user of its own: the test database is shared, and another suite running meanwhile provisions the dev users
    # through its own stand-in users service (their registrations then name users this suite's stub does not know).
    user = await fresh_user("forged", roles=("hr",))
    token = (await password_token(user["email"], user["password"]))["access_token"]
    response = await gateway.get(
        "/api/templates",
        params={"page": "2", "q": "a b"},
        headers={
            "authorization": f"Bearer {token}",
            "x-user-id": "forged-user",
            "x-user-role": "admin",
            "x-company-id": "forged-company",
            "x-internal-token": "forged-token",
            "x-correlation-id": "corr-123",
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
        cookies={"access_token": "ignored-when-bearer-present"},
    )
    assert response.status_code == 200, response.text
    echoed = response.json()
    assert echoed["path"] == "/api/templates"
    assert echoed["query"] == "page=2&q=a+b"
    forwarded = echoed["headers"]
    assert forwarded["x-user-role"] == "hr"
    assert forwarded["x-user-id"] not in ("forged-user", "")
    assert forwarded["x-internal-token"] == INTERNAL_TOKEN
    assert forwarded["x-correlation-id"] == "corr-123"
    assert "x-company-id" not in forwarded
    assert "authorization" not in forwarded
    assert "cookie" not in forwarded
    assert response.headers["x-correlation-id"] == "corr-123"

    me = await gateway.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
    assert me.json()["seenUserId"] == forwarded["x-user-id"] == me.json()["id"]


async def test_only_a_verified_email_from_the_token_is_forwarded_never_the_clients_own(
    gateway: httpx.AsyncClient, dev_tokens: dict[str, str], make_gateway: Any
) -> None:
    forged = {"x-user-verified-email": "attacker@example.com"}

    signed_in = await gateway.get("/api/templates", headers={"authorization": f"Bearer {dev_tokens['hr']}", **forged})
    internal_caller = await (await make_gateway()).get("/api/templates", headers={**internal("u-1", "hr"), **forged})

    # The dev realm's hr@test.com is verified; an internal-token caller has no token claims, so no address.
    assert signed_in.json()["headers"]["x-user-verified-email"] == "hr@test.com"
    assert "x-user-verified-email" not in internal_caller.json()["headers"]


async def test_the_internal_token_mode_takes_identity_from_headers_only_when_enabled(
    make_gateway: Any,
) -> None:
    enabled = await make_gateway()
    ok = await enabled.get("/api/templates", headers=internal("u-1", "hr", "c-1"))
    assert ok.status_code == 200
    assert ok.json()["headers"]["x-user-id"] == "u-1"
    assert ok.json()["headers"]["x-company-id"] == "c-1"
    wrong = await enabled.get("/api/templates", headers={**internal("u-1", "hr"), "x-internal-token": "nope"})
    assert wrong.status_code == 401
    bad_role = await enabled.get("/api/templates", headers=internal("u-1", "superuser"))
    assert bad_role.status_code == 401

    disabled = await make_gateway(internal_auth_enabled=False)
    refused = await disabled.get("/api/templates", headers=internal("u-1", "hr"))
    assert refused.status_code == 401


async def test_the_stripe_webhook_reaches_billing_as_the_exact_raw_bytes(gateway: httpx.AsyncClient) -> None:
    raw = b'{ "id":"evt_1",  "type" : "invoice.paid",\n "data":{"amount": 1.50}}  '
    response = await gateway.post(
        "/api/billing/webhooks/stripe",
        content=raw,
        headers={"content-type": "application/json", "stripe-signature": "t=1,v1=abc"},
    )
    assert response.status_code == 200
    echoed = response.json()
    assert base64.b64decode(echoed["body"]) == raw
    assert echoed["headers"]["stripe-signature"] == "t=1,v1=abc"
    assert "x-user-id" not in echoed["headers"]


async def test_the_notification_stream_is_relayed_as_it_arrives(make_gateway: Any, own_upstream: Any) -> None:
    server = await own_upstream()
    gateway = await make_gateway(notifications_url=server.url)
    async with gateway.stream("GET", "/api/notifications/stream", headers=internal("u-7", "candidate")) as response:
        assert response.status_code == 200
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    echoed = json.loads(body)
    assert echoed["path"] == "/api/notifications/stream"
    assert echoed["headers"]["x-user-id"] == "u-7"


async def test_upstream_errors_map_to_passthrough_502_504_and_503(gateway: httpx.AsyncClient) -> None:
    hr = internal("u-1", "hr")
    not_found = await gateway.get("/api/templates", params={"status": "404"}, headers=hr)
    assert not_found.status_code == 404
    assert not_found.json() == {"code": "STUB", "error": "stub answered 404"}
    conflict = await gateway.post("/api/templates", params={"status": "409"}, headers=hr, json={})
    assert conflict.status_code == 409

    failed = await gateway.get("/api/templates", params={"status": "500"}, headers=hr)
    assert failed.status_code == 502
    assert failed.json()["code"] == "BAD_GATEWAY"
    assert failed.json()["correlationId"]

    slow = await gateway.get("/api/templates", params={"sleep": "10"}, headers=hr)
    assert slow.status_code == 504
    assert slow.json()["code"] == "GATEWAY_TIMEOUT"

    down = await gateway.get("/api/notifications", headers=hr)
    assert down.status_code == 503
    assert int(down.headers["retry-after"]) >= 1
    media = await gateway.post("/api/media/upload/initiate", headers=hr, json={})
    assert media.status_code == 503
    assert "retry-after" in media.headers


async def test_a_stopped_upstream_opens_its_breaker_and_it_recovers(make_gateway: Any, own_upstream: Any) -> None:
    server = await own_upstream()
    gateway = await make_gateway(billing_url=server.url)
    hr = internal("u-1", "hr")
    assert (await gateway.get("/api/billing/plans")).status_code == 200

    await server.stop()
    statuses = [(await gateway.get("/api/billing/plans", headers=hr)).status_code for _ in range(5)]
    assert set(statuses) == {503}
    circuits = (await gateway.get("/health/circuits")).json()["circuits"]
    assert circuits["billing"]["state"] == "opened"
    assert circuits["users"]["state"] == "closed"
    open_answer = await gateway.get("/api/billing/plans")
    assert open_answer.status_code == 503
    assert int(open_answer.headers["retry-after"]) >= 1
    assert "circuit open" in open_answer.json()["error"]

    await server.start()
    # After the reset timeout (2 s in tests) one probe goes through and closes the breaker.
    async with asyncio.timeout(60):
        while (await gateway.get("/api/billing/plans")).status_code != 200:
            await asyncio.sleep(0.25)
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "closed"


async def test_a_slow_upstream_answers_504s_without_opening_its_breaker_while_it_answers_other_calls(
    make_gateway: Any,
) -> None:
    # Billing opens after 3 failures in a row; six calls that time out at once are a burst it was too slow for.
    gateway = await make_gateway(upstream_timeout_s=0.5)
    hr = internal("u-1", "hr")
    slow = await asyncio.gather(
        *(gateway.get("/api/billing/plans", params={"sleep": "2"}, headers=hr) for _ in range(6))
    )
    assert {r.status_code for r in slow} == {504}
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "closed"
    assert (await gateway.get("/api/billing/plans", headers=hr)).status_code == 200


async def test_a_busy_upstream_s_503_with_retry_after_reaches_the_caller_and_leaves_its_breaker_closed(
    make_gateway: Any,
) -> None:
    # Billing opens after 3 failures in a row; a service that sheds load answers, so six of its 503s do not.
    gateway = await make_gateway()
    hr = internal("u-1", "hr")
    busy = [
        await gateway.get("/api/billing/plans", params={"status": "503", "retryAfter": "7"}, headers=hr)
        for _ in range(6)
    ]
    assert {r.status_code for r in busy} == {503}
    assert {r.headers["retry-after"] for r in busy} == {"7"}
    assert busy[0].json() == {"code": "STUB", "error": "stub answered 503"}
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "closed"
    assert (await gateway.get("/api/billing/plans", headers=hr)).status_code == 200
    # A 503 without Retry-After is a failure like any other 5xx.
    failed = [
        (await gateway.get("/api/billing/plans", params={"status": "503"}, headers=hr)).status_code for _ in range(3)
    ]
    assert failed == [502, 502, 502]
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "opened"


async def test_calls_past_an_upstream_s_bound_wait_their_turn_and_one_that_waits_too_long_is_a_503_to_retry(
    make_gateway: Any,
) -> None:
    gateway = await make_gateway(upstream_max_inflight=2, upstream_queue_timeout_s=0.5)
    hr = internal("u-1", "hr")
    # Two slow calls take both places; the third waits 0.5 s for one and is refused, never sent.
    slow = [
        asyncio.create_task(gateway.get("/api/billing/plans", params={"sleep": "1.5"}, headers=hr)) for _ in range(2)
    ]
    await asyncio.sleep(0.2)
    refused = await gateway.get("/api/billing/plans", headers=hr)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["code"] == "SERVICE_UNAVAILABLE"
    assert refused.json()["error"] == "billing is busy; try again shortly"
    assert [r.status_code for r in await asyncio.gather(*slow)] == [200, 200]
    # A call that finds a place within the wait goes through, and the refusals did not open the breaker.
    waiting = asyncio.create_task(gateway.get("/api/billing/plans", params={"sleep": "0.3"}, headers=hr))
    queued = await asyncio.gather(
        *(gateway.get("/api/billing/plans", params={"sleep": "0.1"}, headers=hr) for _ in range(2))
    )
    assert (await waiting).status_code == 200 and [r.status_code for r in queued] == [200, 200]
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "closed"


async def test_an_upstream_that_answers_nothing_has_its_breaker_opened_by_a_run_of_timeouts(
    make_gateway: Any,
) -> None:
    # The second timeout in a row counts against the breaker, and the third counted one (the fourth call) opens it.
    gateway = await make_gateway(upstream_timeout_s=0.5, upstream_timeout_threshold=2)
    hr = internal("u-1", "hr")
    slow = await asyncio.gather(
        *(gateway.get("/api/billing/plans", params={"sleep": "2"}, headers=hr) for _ in range(4))
    )
    assert {r.status_code for r in slow} == {504}
    assert (await gateway.get("/health/circuits")).json()["circuits"]["billing"]["state"] == "opened"
    refused = await gateway.get("/api/billing/plans", headers=hr)
    assert refused.status_code == 503
    assert "circuit open" in refused.json()["error"]


async def test_idle_upstream_connections_are_dropped_before_the_upstream_would_close_them(
    make_gateway: Any, own_upstream: Any
) -> None:
    # A request sent down a keep-alive connection the service is closing fails before reaching it.
    assert Settings().upstream_keepalive_s < uvicorn.Config(app=None).timeout_keep_alive
    server = await own_upstream()
    gateway = await make_gateway(billing_url=server.url, upstream_keepalive_s=1.0)
    first = (await gateway.get("/api/billing/plans")).json()["clientPort"]
    assert (await gateway.get("/api/billing/plans")).json()["clientPort"] == first
    await asyncio.sleep(2.0)
    assert (await gateway.get("/api/billing/plans")).json()["clientPort"] != first


async def test_webhook_routes_carry_the_callers_company_and_unsubscribe_carries_no_identity(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(notifications_url=stub[0].url)
    hr = internal("u-1", "hr", "c-1")
    # Path ids are UUIDs (anything else is refused at the gateway); the canonical form is forwarded.
    company, webhook, delivery = (str(uuid.uuid4()) for _ in range(3))
    for method, path in (
        ("GET", f"/api/webhooks/company/{company}"),
        ("POST", f"/api/webhooks/{webhook}/deliveries/{delivery}/redeliver"),
        ("DELETE", f"/api/webhooks/{webhook}"),
    ):
        echoed = (await gateway.request(method, path, headers=hr)).json()
        assert (echoed["method"], echoed["path"]) == (method, path)
        assert echoed["headers"]["x-company-id"] == "c-1"
    candidate = internal("u-2", "candidate")
    assert (await gateway.get(f"/api/webhooks/company/{company}", headers=candidate)).status_code == 403

    one_click = await gateway.post(
        "/api/notifications/unsubscribe",
        params={"token": "signed.token"},
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    echoed = one_click.json()
    assert echoed["query"] == "token=signed.token"
    assert base64.b64decode(echoed["body"]) == b"List-Unsubscribe=One-Click"
    assert "x-user-id" not in echoed["headers"]


async def test_a_cookie_an_upstream_sets_reaches_its_caller_and_goes_out_with_no_later_call(
    make_gateway: GatewayFactory,
) -> None:
    upstream = FastAPI()

    @upstream.get("/api/templates")
    async def templates(request: Request) -> JSONResponse:
        answer = JSONResponse({"cookie": request.headers.get("cookie")})
        answer.set_cookie("upstream-session", "for-the-first-caller")
        return answer

    async with serving(upstream) as url:
        # By a host name, as in a deployment: a client's cookie jar keeps no cookie of a bare IP address.
        gateway = await make_gateway(interviews_url=url.replace("127.0.0.1", "localhost"))
        first = await gateway.get("/api/templates", headers=internal(str(uuid.uuid4()), "hr"))
        gateway.cookies.clear()  # the test's client keeps cookies; a second caller has none
        second = await gateway.get("/api/templates", headers=internal(str(uuid.uuid4()), "hr"))
    assert "upstream-session=for-the-first-caller" in first.headers["set-cookie"]
    assert (first.json(), second.json()) == ({"cookie": None}, {"cookie": None})

"""The web app's login, done without a browser: the gateway's authorization URL, Keycloak's real login
form posted by the test, the callback with the server-side `state`, cookies, refresh and logout."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import text

from gateway.keycloak import SIGN_IN_UNAVAILABLE
from kit.db import transaction
from kit.kafka import make_producer
from kit.outbox import Relay
from kit.testing import consume

from .conftest import GatewayFactory


async def _keycloak_login(auth_url: str, username: str, password: str) -> dict[str, str]:
    """Fetches Keycloak's login page, posts the credentials to its form action, and returns the query of
    the redirect back to the web app (not followed: nothing listens there)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=20.0) as browser:
        page = await browser.get(auth_url)
        assert page.status_code == 200, page.text[:500]
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        # Keycloak marks its session cookies Secure; a browser sends them to 127.0.0.1 (a secure context),
        # httpx's cookie jar does not over http, so the test carries them as a browser would.
        jar = "; ".join(c.split(";", 1)[0] for c in page.headers.get_list("set-cookie"))
        posted = await browser.post(
            action,
            data={"username": username, "password": password, "credentialId": ""},
            headers={"cookie": jar},
        )
        assert posted.status_code == 302, posted.text[:500]
        location = posted.headers["location"]
    assert location.startswith("http://localhost:3000/auth/callback")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def test_login_callback_cookies_refresh_and_logout_end_the_session(
    gateway: httpx.AsyncClient, make_topics: Any, kafka_bootstrap: str, fresh_user: Any
) -> None:
    # A user of its own: the test database is shared, and another suite running meanwhile provisions the dev users
    # through its own stand-in users service (their registrations then name users this suite's stub does not know).
    user = await fresh_user("browser", roles=("hr",))
    (topic,) = await make_topics("auth-events")
    settings = gateway.app_state.settings
    async with transaction(gateway.app_state.sessions) as session:
        # Rows earlier tests committed without relaying them are not this test's to publish.
        await session.execute(text("UPDATE outbox SET published_at = now() WHERE published_at IS NULL"))
    started = await gateway.get("/auth/login")
    assert started.status_code == 200
    body = started.json()
    assert body["success"] is True
    query = parse_qs(urlsplit(body["authUrl"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [body["state"]]

    redirect = await _keycloak_login(body["authUrl"], user["email"], user["password"])
    assert redirect["state"] == body["state"]

    callback = await gateway.get("/auth/callback", params={"code": redirect["code"], "state": redirect["state"]})
    assert callback.status_code == 200, callback.text
    assert callback.json()["success"] is True
    set_cookies = callback.headers.get_list("set-cookie")
    # The ID token stays with the gateway: no cookie, no body.
    assert not any(c.startswith("id_token=") for c in set_cookies)
    for name in ("access_token", "refresh_token"):
        cookie = next(c for c in set_cookies if c.startswith(f"{name}="))
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
    old_refresh = gateway.cookies["refresh_token"]

    me = await gateway.get("/api/users/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == user["email"]
    probe = await gateway.get("/protected")
    assert probe.status_code == 200
    assert probe.json()["user"]["role"] == "hr"

    # A browser names the web app's origin on every write; cookie-authenticated writes need it.
    refreshed = await gateway.post("/auth/refresh", headers={"origin": "http://localhost:3000"})
    assert refreshed.status_code == 201, refreshed.text
    assert refreshed.json()["success"] is True
    new_refresh = gateway.cookies["refresh_token"]

    # /protected refreshes a session whose access cookie is gone, and sets the new cookies.
    gateway.cookies.delete("access_token")
    revived = await gateway.get("/protected")
    assert revived.status_code == 200, revived.text
    assert any(c.startswith("access_token=") for c in revived.headers.get_list("set-cookie"))
    assert gateway.cookies["access_token"]

    logout = await gateway.post("/auth/logout", headers={"origin": "http://localhost:3000"})
    assert logout.status_code == 201
    assert logout.json()["endSessionEndpoint"].startswith("http://127.0.0.1:8090/realms/ai-video-interview-test/")
    assert "access_token" not in gateway.cookies
    assert (await gateway.get("/api/users/me")).status_code == 401

    for token in (old_refresh, new_refresh):
        again = await gateway.post("/auth/refresh", json={"refreshToken": token})
        assert again.status_code == 400
        assert again.json()["code"] == "INVALID_REFRESH_TOKEN"

    metrics = (await gateway.get("/metrics")).text
    assert 'auth_requests_total{status="success",type="callback"}' in metrics
    assert 'auth_requests_total{status="failure",type="refresh"}' in metrics
    assert 'service_calls_total{method="GET",service="users",status="200"}' in metrics

    # Both auth events leave through the gateway's outbox and its relay, keyed by the Keycloak id.
    relay = Relay(
        gateway.app_state.sessions,
        lambda: make_producer(settings),
        service="gateway",
        schema="gateway",
        topic_prefix=settings.topic_prefix,
    )
    while await relay.relay_once():
        pass
    await relay.close()
    records = await consume(kafka_bootstrap, topic, 2, timeout_s=60)
    envelopes = [json.loads(r.value) for r in records]
    assert [e["eventType"] for e in envelopes] == ["user.authenticated", "user.logged_out"]
    assert envelopes[0]["payload"]["email"] == user["email"]
    assert envelopes[0]["payload"]["authMethod"] == "oauth2"
    assert envelopes[0]["payload"]["externalAuthId"] == envelopes[1]["payload"]["externalAuthId"]
    assert records[0].key == envelopes[0]["payload"]["externalAuthId"].encode()
    assert envelopes[0]["source"] == "gateway"


async def test_a_callback_with_an_unknown_or_replayed_state_is_refused(gateway: httpx.AsyncClient) -> None:
    forged = await gateway.get("/auth/callback", params={"code": "whatever", "state": "never-issued"})
    assert forged.status_code == 400
    assert forged.json()["code"] == "INVALID_STATE"

    started = (await gateway.get("/auth/login")).json()
    redirect = await _keycloak_login(started["authUrl"], "candidate@test.com", "Candidate123!")
    first = await gateway.get("/auth/callback", params=redirect)
    assert first.status_code == 200, first.text
    replay = await gateway.get("/auth/callback", params=redirect)
    assert replay.status_code == 400
    assert replay.json()["code"] == "INVALID_STATE"


async def test_login_refuses_a_redirect_off_the_web_origin_and_register_asks_for_sign_up(
    gateway: httpx.AsyncClient,
) -> None:
    evil = await gateway.get("/auth/login", params={"redirect_uri": "https://evil.example/cb"})
    assert evil.status_code == 422
    register = (await gateway.get("/auth/register")).json()
    assert parse_qs(urlsplit(register["authUrl"]).query)["prompt"] == ["create"]


async def test_keycloak_down_is_a_502_that_says_sign_in_is_unavailable_in_plain_words(
    make_gateway: GatewayFactory, down_url: str
) -> None:
    gateway = await make_gateway(keycloak_url=down_url)

    refreshed = await gateway.post("/auth/refresh", json={"refreshToken": "a-refresh-token"})

    assert (refreshed.status_code, refreshed.json()["code"]) == (502, "AUTH_SERVICE_ERROR")
    assert refreshed.json()["error"] == SIGN_IN_UNAVAILABLE


async def test_auth_routes_are_rate_limited(make_gateway) -> None:  # type: ignore[no-untyped-def]
    gateway = await make_gateway(auth_login_rate_limit="3/minute")
    await _forget_rate_limits(gateway)
    codes = [(await gateway.get("/auth/login")).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    limited = await gateway.get("/auth/login")
    assert int(limited.headers["retry-after"]) >= 1
    await _forget_rate_limits(gateway)


async def _forget_rate_limits(gateway: httpx.AsyncClient) -> None:
    # Only the gateway's counters: Redis db 15 is shared with the other services' tests.
    redis = gateway.app_state.redis
    async for key in redis.scan_iter(match="gateway:ratelimit*"):
        await redis.delete(key)


async def test_cors_admits_the_web_origin_with_credentials_and_security_headers_are_set(
    gateway: httpx.AsyncClient,
) -> None:
    preflight = await gateway.options(
        "/api/users/me",
        headers={"origin": "http://localhost:3000", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    other = await gateway.options(
        "/api/users/me", headers={"origin": "https://evil.example", "access-control-request-method": "GET"}
    )
    assert "access-control-allow-origin" not in other.headers
    response = await gateway.get("/health/live")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-correlation-id"]


async def test_change_password_sets_the_keycloak_password_of_the_caller(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("pw")
    token_url = "http://127.0.0.1:8090/realms/ai-video-interview-test/protocol/openid-connect/token"
    form = {"grant_type": "password", "client_id": "ai-video-interview-app", "username": user["email"]}
    async with httpx.AsyncClient() as http:
        token = (await http.post(token_url, data={**form, "password": user["password"]})).json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        current = user["password"]
        short = await gateway.post(
            "/auth/change-password", headers=auth, json={"currentPassword": current, "newPassword": "short"}
        )
        assert short.status_code == 422
        changed = await gateway.post(
            "/auth/change-password", headers=auth, json={"currentPassword": current, "newPassword": "N3w-Passw0rd!"}
        )
        assert changed.status_code == 201, changed.text
        assert (await http.post(token_url, data={**form, "password": "N3w-Passw0rd!"})).status_code == 200
        assert (await http.post(token_url, data={**form, "password": user["password"]})).status_code in (400, 401)

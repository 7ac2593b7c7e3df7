"""Sessions and tokens at the gateway: only the app's access tokens open the API; a password change proves
the account holder; no response hands out the ID token; a login finishes only in the browser that started
it; over https the cookies are Secure `__Host-` cookies; cookie-authenticated writes come from the web
app's origin with JSON bodies; and a logout, suspension or deletion ends the tokens at once."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from keycloak import KeycloakAdmin
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from structlog.testing import capture_logs

from gateway import revocation
from gateway.revocation import DenyList, revocation_keys
from gateway.settings import Settings
from kit.testing import INTERNAL_TOKEN, REDIS_URL, settings_for_tests

from .conftest import RedisLink

KEYCLOAK_REALM = "http://127.0.0.1:8090/realms/ai-video-interview-test"
TOKEN_URL = f"{KEYCLOAK_REALM}/protocol/openid-connect/token"
CLIENT_ID = "ai-video-interview-app"
WEB_ORIGIN = "http://localhost:3000"
FROM_WEB = {"origin": WEB_ORIGIN}
ADMIN = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": str(uuid.uuid4()), "x-user-role": "admin"}


async def _password_grant(username: str, password: str, *, client_id: str = CLIENT_ID) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            TOKEN_URL,
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": username,
                "password": password,
                "scope": "openid",
            },
        )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


async def _password_works(username: str, password: str) -> bool:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            TOKEN_URL,
            data={"grant_type": "password", "client_id": CLIENT_ID, "username": username, "password": password},
        )
    return response.status_code == 200


async def _keycloak_redirect(auth_url: str, username: str, password: str) -> dict[str, str]:
    """Keycloak's real login form, posted as a browser would; the query of its redirect to the web app."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=20.0) as browser:
        page = await browser.get(auth_url)
        assert page.status_code == 200, page.text[:500]
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        jar = "; ".join(c.split(";", 1)[0] for c in page.headers.get_list("set-cookie"))
        posted = await browser.post(
            action, data={"username": username, "password": password, "credentialId": ""}, headers={"cookie": jar}
        )
        assert posted.status_code == 302, posted.text[:500]
        location = posted.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def _sign_in(gateway: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """The web app's sign-in through the gateway, in the browser whose cookie jar is the client's."""
    started = (await gateway.get("/auth/login")).json()
    redirect = await _keycloak_redirect(started["authUrl"], username, password)
    callback = await gateway.get("/auth/callback", params=redirect)
    assert callback.status_code == 200, callback.text
    return callback


def _cookie_value(set_cookies: list[str], name: str) -> str:
    line = next(c for c in set_cookies if c.startswith(f"{name}="))
    return line.split(";", 1)[0].split("=", 1)[1]


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["correlationId"]


# Only access tokens of this app


async def test_an_id_token_is_refused_where_an_access_token_is_expected(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("idtok")
    tokens = await _password_grant(user["email"], user["password"])
    accepted = await gateway.get("/auth/me", headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert accepted.status_code == 200, accepted.text
    # Same issuer, audience and signature: only its type tells the ID token apart.
    _refused(
        await gateway.get("/auth/me", headers={"authorization": f"Bearer {tokens['id_token']}"}),
        401,
        "INVALID_ACCESS_TOKEN",
    )
    gateway.cookies.set("access_token", tokens["id_token"])
    _refused(await gateway.get("/auth/me"), 401, "INVALID_ACCESS_TOKEN")


async def test_a_token_issued_to_another_client_or_of_another_type_is_refused(make_gateway: Any) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "session-test-key", "use": "sig", "alg": "RS256"})
    gateway = await make_gateway()
    verifier = gateway.app_state.tokens
    verifier._keys = {"session-test-key": jwt.PyJWK(jwk, algorithm="RS256")}
    verifier.min_refresh_interval_s = 3600.0
    verifier._fetched_at = time.monotonic()

    def signed(**overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": KEYCLOAK_REALM,
            "aud": CLIENT_ID,
            "sub": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 300,
            "typ": "Bearer",
            "azp": CLIENT_ID,
            "jti": str(uuid.uuid4()),
            "email": "forged@example.com",
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "session-test-key"})

    for name, token in {
        "another client's token naming this app as audience": signed(azp="another-client"),
        "no authorized party": signed(azp=None),
        "a refresh token": signed(typ="Refresh"),
        "no type": signed(typ=None),
    }.items():
        response = await gateway.get("/auth/me", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
    assert (await gateway.get("/auth/me", headers={"authorization": f"Bearer {signed()}"})).status_code == 200


# Changing the password


async def test_a_password_change_with_a_wrong_current_password_is_refused_and_the_old_one_stays(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("pwcheck")
    token = (await _password_grant(user["email"], user["password"]))["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    wrong = await gateway.post(
        "/auth/change-password", headers=auth, json={"currentPassword": "not-my-password", "newPassword": "N3w-Pass!"}
    )
    _refused(wrong, 403, "CURRENT_PASSWORD_INCORRECT")
    assert "current password" in wrong.json()["error"].lower()
    assert await _password_works(user["email"], user["password"])
    assert not await _password_works(user["email"], "N3w-Pass!")

    right = await gateway.post(
        "/auth/change-password", headers=auth, json={"currentPassword": user["password"], "newPassword": "N3w-Pass!"}
    )
    assert right.status_code == 201, right.text
    assert await _password_works(user["email"], "N3w-Pass!")
    assert not await _password_works(user["email"], user["password"])


async def test_a_password_change_without_the_current_password_needs_a_fresh_sign_in(
    gateway: httpx.AsyncClient, fresh_user: Any, make_gateway: Any
) -> None:
    user = await fresh_user("pwfresh")
    # A password grant records no sign-in time: nothing shows the holder signed in recently.
    token = (await _password_grant(user["email"], user["password"]))["access_token"]
    stale = await gateway.post(
        "/auth/change-password", headers={"authorization": f"Bearer {token}"}, json={"newPassword": "N3w-Pass!"}
    )
    _refused(stale, 401, "REAUTHENTICATION_REQUIRED")
    assert await _password_works(user["email"], user["password"])

    # A sign-in older than allowed is refused as well (every sign-in is older than 0 s plus a second).
    strict = await make_gateway(password_reauth_max_age_s=-1)
    await _sign_in(strict, user["email"], user["password"])
    old = await strict.post("/auth/change-password", headers=FROM_WEB, json={"newPassword": "N3w-Pass!"})
    _refused(old, 401, "REAUTHENTICATION_REQUIRED")

    await _sign_in(gateway, user["email"], user["password"])
    fresh = await gateway.post("/auth/change-password", headers=FROM_WEB, json={"newPassword": "N3w-Pass!"})
    assert fresh.status_code == 201, fresh.text
    assert await _password_works(user["email"], "N3w-Pass!")


async def _refresh_works(refresh_token: str) -> bool:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            TOKEN_URL, data={"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": refresh_token}
        )
    return response.status_code == 200


async def test_a_password_change_ends_every_other_session_of_the_account_and_keeps_the_current_one(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("pwsessions")
    mine = await _password_grant(user["email"], user["password"])
    # A second sign-in, e.g. on a device that has the leaked password.
    other = await _password_grant(user["email"], user["password"])
    other_auth = {"authorization": f"Bearer {other['access_token']}"}
    assert (await gateway.get("/auth/me", headers=other_auth)).status_code == 200

    changed = await gateway.post(
        "/auth/change-password",
        headers={"authorization": f"Bearer {mine['access_token']}"},
        json={"currentPassword": user["password"], "newPassword": "N3w-Pass!"},
    )
    assert changed.status_code == 201, changed.text

    # The other session's access token is refused now, not when it expires, and it cannot be refreshed.
    _refused(await gateway.get("/auth/me", headers=other_auth), 401, "ACCESS_TOKEN_REVOKED")
    assert not await _refresh_works(other["refresh_token"])
    # The session that changed the password goes on.
    mine_auth = {"authorization": f"Bearer {mine['access_token']}"}
    assert (await gateway.get("/auth/me", headers=mine_auth)).status_code == 200
    assert await _refresh_works(mine["refresh_token"])


@pytest.fixture
async def client_without_password_grant(keycloak_admin: KeycloakAdmin) -> AsyncIterator[str]:
    """A public client of the test realm with direct access grants off, as in the production realm."""
    client_id = f"no-grant-{uuid.uuid4().hex[:8]}"
    internal_id = await keycloak_admin.a_create_client(
        {
            "clientId": client_id,
            "enabled": True,
            "publicClient": True,
            "standardFlowEnabled": True,
            "directAccessGrantsEnabled": False,
            "redirectUris": [f"{WEB_ORIGIN}/*"],
            "webOrigins": [WEB_ORIGIN],
            "attributes": {"pkce.code.challenge.method": "S256"},
            "protocolMappers": [
                {
                    "name": "audience",
                    "protocol": "openid-connect",
                    "protocolMapper": "oidc-audience-mapper",
                    "config": {"included.client.audience": client_id, "access.token.claim": "true"},
                }
            ],
        }
    )
    yield client_id
    await keycloak_admin.a_delete_client(internal_id)


async def test_where_the_realm_refuses_password_grants_a_fresh_sign_in_is_what_allows_the_change(
    make_gateway: Any, fresh_user: Any, client_without_password_grant: str
) -> None:
    user = await fresh_user("pwnogrant")
    gateway = await make_gateway(keycloak_client_id=client_without_password_grant)
    await _sign_in(gateway, user["email"], user["password"])
    changed = await gateway.post(
        "/auth/change-password",
        headers=FROM_WEB,
        json={"currentPassword": user["password"], "newPassword": "N3w-Pass!"},
    )
    assert changed.status_code == 201, changed.text
    assert await _password_works(user["email"], "N3w-Pass!")


# The ID token stays with the gateway


async def test_no_response_of_the_session_carries_the_id_token(gateway: httpx.AsyncClient, fresh_user: Any) -> None:
    user = await fresh_user("noid")
    callback = await _sign_in(gateway, user["email"], user["password"])
    refreshed = await gateway.post("/auth/refresh", headers=FROM_WEB, json={})
    assert refreshed.status_code == 201, refreshed.text
    signed_out = await gateway.post("/auth/logout", headers=FROM_WEB, json={})
    assert signed_out.status_code == 201, signed_out.text
    for response in (callback, refreshed, signed_out):
        assert "idtoken" not in response.text.lower()
        assert "id_token" not in response.text.lower()
        assert not any(
            c.lower().startswith("id_token=") and "max-age=0" not in c.lower()
            for c in response.headers.get_list("set-cookie")
        )
    assert signed_out.json()["endSessionEndpoint"].startswith(f"{KEYCLOAK_REALM}/protocol/openid-connect/logout?")


# The login belongs to the browser that started it


async def test_a_callback_is_honoured_only_in_the_browser_that_started_the_login(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("bound")
    started = await gateway.get("/auth/login")
    nonce_cookie = next(c for c in started.headers.get_list("set-cookie") if c.startswith("login_nonce="))
    assert "HttpOnly" in nonce_cookie
    nonce = gateway.cookies["login_nonce"]
    redirect = await _keycloak_redirect(started.json()["authUrl"], user["email"], user["password"])

    # The callback URL opened in another browser: no nonce, or that browser's own.
    gateway.cookies.clear()
    _refused(await gateway.get("/auth/callback", params=redirect), 400, "INVALID_STATE")
    await gateway.get("/auth/login")
    assert gateway.cookies["login_nonce"] != nonce
    _refused(await gateway.get("/auth/callback", params=redirect), 400, "INVALID_STATE")
    assert "access_token" not in gateway.cookies

    # Those refusals did not spend the state: the browser that started the login finishes it, once.
    gateway.cookies.clear()
    gateway.cookies.set("login_nonce", nonce)
    finished = await gateway.get("/auth/callback", params=redirect)
    assert finished.status_code == 200, finished.text
    assert gateway.cookies["access_token"]
    _refused(await gateway.get("/auth/callback", params=redirect), 400, "INVALID_STATE")


async def test_two_logins_started_in_one_browser_both_finish(gateway: httpx.AsyncClient, fresh_user: Any) -> None:
    user = await fresh_user("twotabs")
    first = (await gateway.get("/auth/login")).json()
    second = (await gateway.get("/auth/login")).json()
    for started in (second, first):
        redirect = await _keycloak_redirect(started["authUrl"], user["email"], user["password"])
        assert (await gateway.get("/auth/callback", params=redirect)).status_code == 200


# Cookies over https


async def test_over_https_the_cookies_are_secure_host_prefixed_and_hsts_is_sent(
    make_gateway: Any, fresh_user: Any
) -> None:
    user = await fresh_user("https")
    gateway = await make_gateway(cookie_secure=True)
    # httpx keeps Secure cookies away from http://, so this test carries them itself, as a browser on https would.
    started = await gateway.get("/auth/login")
    assert started.headers["strict-transport-security"].startswith("max-age=")
    nonce_cookie = next(c for c in started.headers.get_list("set-cookie") if c.startswith("__Host-login_nonce="))
    assert "Secure" in nonce_cookie and "Path=/" in nonce_cookie and "Domain" not in nonce_cookie
    nonce = _cookie_value(started.headers.get_list("set-cookie"), "__Host-login_nonce")
    redirect = await _keycloak_redirect(started.json()["authUrl"], user["email"], user["password"])
    callback = await gateway.get("/auth/callback", params=redirect, headers={"cookie": f"__Host-login_nonce={nonce}"})
    assert callback.status_code == 200, callback.text
    set_cookies = callback.headers.get_list("set-cookie")
    for name in ("__Host-access_token", "__Host-refresh_token"):
        cookie = next(c for c in set_cookies if c.startswith(f"{name}="))
        for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=lax"):
            assert attribute in cookie, (name, attribute)
        assert "Domain" not in cookie
    assert not any(c.startswith(("access_token=", "refresh_token=")) for c in set_cookies)

    access = _cookie_value(set_cookies, "__Host-access_token")
    me = await gateway.get("/auth/me", headers={"cookie": f"__Host-access_token={access}"})
    assert me.status_code == 200, me.text
    # An unprefixed cookie could have been planted by a sibling subdomain: over https it is not read.
    _refused(await gateway.get("/auth/me", headers={"cookie": f"access_token={access}"}), 401, "MISSING_ACCESS_TOKEN")


def test_https_cookies_are_the_production_default_and_off_in_the_local_stack() -> None:
    production = settings_for_tests(
        Settings,
        "gateway",
        service_env="prod",
        internal_token="p" * 64,
        internal_auth_enabled=False,
        keycloak_admin_client_id="gateway-admin",
        keycloak_admin_client_secret="s" * 32,
    )
    assert production.cookie_secure is True
    assert settings_for_tests(Settings, "gateway", service_env="dev").cookie_secure is False
    assert (
        settings_for_tests(
            Settings,
            "gateway",
            service_env="prod",
            internal_token="p" * 64,
            cookie_secure=False,
            keycloak_admin_client_id="gateway-admin",
            keycloak_admin_client_secret="s" * 32,
        ).cookie_secure
        is False
    )


# Cross-site writes


async def test_cookie_authenticated_writes_must_come_from_the_web_apps_origin(
    gateway: httpx.AsyncClient, dev_tokens: dict[str, str]
) -> None:
    path = f"/api/invitations/{uuid.uuid4()}/heartbeat"
    gateway.cookies.set("access_token", dev_tokens["candidate"])
    for name, headers in {
        "no origin": {},
        "another site": {"origin": "https://evil.example"},
        "an opaque origin": {"origin": "null"},
        "a referer on another site": {"referer": "https://evil.example/page"},
        "a look-alike host": {"origin": "http://localhost:3000.evil.example"},
    }.items():
        response = await gateway.post(path, json={}, headers=headers)
        assert response.status_code == 403, name
        assert response.json()["code"] == "ORIGIN_NOT_ALLOWED", name
    assert (await gateway.post(path, json={}, headers=FROM_WEB)).status_code == 200
    assert (await gateway.post(path, json={}, headers={"referer": f"{WEB_ORIGIN}/interview/x"})).status_code == 200
    # Reading needs no origin; the session's own routes are writes too.
    assert (await gateway.get("/auth/me")).status_code == 200
    _refused(
        await gateway.post("/auth/logout", json={}, headers={"origin": "https://evil.example"}),
        403,
        "ORIGIN_NOT_ALLOWED",
    )
    _refused(await gateway.post("/auth/refresh", json={}), 403, "ORIGIN_NOT_ALLOWED")

    # A bearer token is not sent by a browser on its own: no origin check.
    gateway.cookies.clear()
    bearer = {"authorization": f"Bearer {dev_tokens['candidate']}", "origin": "https://evil.example"}
    assert (await gateway.post(path, json={}, headers=bearer)).status_code == 200


async def test_authenticated_bodies_must_be_json_except_the_avatar_upload(
    gateway: httpx.AsyncClient, dev_tokens: dict[str, str]
) -> None:
    auth = {"authorization": f"Bearer {dev_tokens['candidate']}"}
    path = f"/api/invitations/{uuid.uuid4()}/heartbeat"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {**auth, **({"content-type": content_type} if content_type else {})}
        response = await gateway.post(path, content=b'{"a": 1}', headers=headers)
        _refused(response, 415, "BODY_NOT_JSON")
    for content_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
        response = await gateway.post(path, content=b"{}", headers={**auth, "content-type": content_type})
        assert response.status_code == 200, content_type
    assert (await gateway.post(path, headers=auth)).status_code == 200  # no body at all

    upload = await gateway.post(
        "/api/users/me/avatar", headers=auth, files={"file": ("a.png", b"\x89PNG", "image/png")}
    )
    assert upload.status_code == 200, upload.text
    text_avatar = await gateway.post(
        "/api/users/me/avatar", headers={**auth, "content-type": "text/plain"}, content=b"x"
    )
    _refused(text_avatar, 415, "BODY_NOT_JSON")


# Revocation at the gateway


async def test_after_logout_the_same_access_token_is_refused_at_once(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    user = await fresh_user("logout")
    session = await _password_grant(user["email"], user["password"])
    other = await _password_grant(user["email"], user["password"])
    auth = {"authorization": f"Bearer {session['access_token']}"}
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    out = await gateway.post(
        "/auth/logout", json={"accessToken": session["access_token"], "refreshToken": session["refresh_token"]}
    )
    assert out.status_code == 201, out.text
    _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")
    # Only that session ended: the user's other sign-in goes on.
    assert (
        await gateway.get("/auth/me", headers={"authorization": f"Bearer {other['access_token']}"})
    ).status_code == 200


async def test_a_cookie_session_ends_at_the_gateway_on_logout(gateway: httpx.AsyncClient, fresh_user: Any) -> None:
    user = await fresh_user("cookieout")
    await _sign_in(gateway, user["email"], user["password"])
    access = gateway.cookies["access_token"]
    assert (await gateway.get("/auth/me")).status_code == 200
    assert (await gateway.post("/auth/logout", headers=FROM_WEB, json={})).status_code == 201
    _refused(await gateway.get("/auth/me", headers={"authorization": f"Bearer {access}"}), 401, "ACCESS_TOKEN_REVOKED")


async def test_suspending_or_deleting_a_user_refuses_their_tokens_at_once(
    gateway: httpx.AsyncClient, fresh_user: Any
) -> None:
    for action in ("suspend", "delete"):
        user = await fresh_user(action)
        token = (await _password_grant(user["email"], user["password"]))["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
        if action == "suspend":
            done = await gateway.post(f"/api/admin/users/{user['id']}/suspend", headers=ADMIN, json={"reason": "test"})
        else:
            done = await gateway.delete(f"/api/admin/users/{user['id']}", headers=ADMIN)
        assert done.status_code in (200, 201), done.text
        _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")


async def test_a_users_revocation_spares_tokens_issued_after_it_so_a_reactivated_user_can_sign_in(
    gateway: Any, fresh_user: Any
) -> None:
    user = await fresh_user("reactivated")
    token = (await _password_grant(user["email"], user["password"]))["access_token"]
    issued_at = jwt.decode(token, options={"verify_signature": False})["iat"]
    auth = {"authorization": f"Bearer {token}"}
    await gateway.app_state.deny_list.revoke_subject(user["id"], ttl_s=60, now=issued_at - 1)
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    await gateway.app_state.deny_list.revoke_subject(user["id"], ttl_s=60, now=issued_at)
    _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")


async def test_the_deny_list_needs_no_round_trip_of_its_own_and_a_revocation_still_counts_at_once(
    gateway: Any, fresh_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await fresh_user("oneread")
    token = (await _password_grant(user["email"], user["password"]))["access_token"]
    auth = {"authorization": f"Bearer {token}"}
    redis = gateway.app_state.redis

    async def second_read(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the deny-list was read in a round trip of its own")

    monkeypatch.setattr(redis, "mget", second_read)
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    await gateway.app_state.deny_list.revoke_subject(user["id"], ttl_s=60)
    _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")


async def test_when_the_deny_list_cannot_be_read_tokens_are_not_let_through(
    make_gateway: Any, dev_tokens: dict[str, str], down_url: str
) -> None:
    gateway = await make_gateway(redis_url=down_url.replace("http://", "redis://") + "/0")
    response = await gateway.get("/auth/me", headers={"authorization": f"Bearer {dev_tokens['hr']}"})
    _refused(response, 503, "SESSION_CHECK_UNAVAILABLE")


async def until(condition: Callable[[], bool]) -> None:
    """Waits, a bounded while, for what another task or process does in its own time."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not reached within 10 s")


async def test_a_token_signed_out_on_one_replica_is_refused_by_another_sharing_redis(
    make_gateway: Any, fresh_user: Any
) -> None:
    first, second = await make_gateway(), await make_gateway()
    user = await fresh_user("replicas")
    session = await _password_grant(user["email"], user["password"])
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    auth = {"authorization": f"Bearer {session['access_token']}"}
    for gateway in (first, second):
        await until(lambda gateway=gateway: gateway.app_state.deny_list.healthy)
        assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    out = await first.post(
        "/auth/logout", json={"accessToken": session["access_token"], "refreshToken": session["refresh_token"]}
    )
    assert out.status_code == 201, out.text
    # The second replica learns of it from the published message, not from a read of its own.
    await until(lambda: second.app_state.deny_list.entries(claims)[0] is not None)
    _refused(await second.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")


async def test_a_revocation_made_while_the_subscription_is_down_is_refused_during_and_after_its_recovery(
    gateway: Any, fresh_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deny_list: DenyList = gateway.app_state.deny_list
    await until(lambda: deny_list.healthy)
    user = await fresh_user("resubscribed")
    token = (await _password_grant(user["email"], user["password"]))["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    auth = {"authorization": f"Bearer {token}"}
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    # The reload after the reconnection waits for the test, so the revocation surely falls in the gap.
    load, loading, go_on = deny_list._load, asyncio.Event(), asyncio.Event()

    async def held_load() -> None:
        loading.set()
        await go_on.wait()
        await load()

    monkeypatch.setattr(deny_list, "_load", held_load)
    redis = Redis.from_url(REDIS_URL)
    try:
        [subscription] = [c for c in await redis.client_list() if c["name"] == deny_list.client_name]
        await redis.client_kill_filter(_id=subscription["id"])
        await asyncio.wait_for(loading.wait(), timeout=10)
        assert not deny_list.healthy
        # Revoked elsewhere while this replica was not subscribed: the message is gone, the entry is in Redis.
        await redis.set(revocation_keys(claims)[0], "1", ex=60)
        _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")
        go_on.set()
        await until(lambda: deny_list.healthy)
        assert deny_list.entries(claims)[0] == b"1"
        _refused(await gateway.get("/auth/me", headers=auth), 401, "ACCESS_TOKEN_REVOKED")
    finally:
        await redis.aclose()


async def gateway_on_a_cuttable_redis(
    make_gateway: Any, redis_link: RedisLink, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[Any, DenyList]:
    """A gateway reaching Redis through the test's relay, its deny-list subscribed and loaded. With `monkeypatch`,
    its re-subscription retries within milliseconds, so that many tries fail while the test holds Redis cut."""
    if monkeypatch is not None:
        monkeypatch.setattr(revocation, "RECONNECT_S", 0.01)
        monkeypatch.setattr(revocation, "RECONNECT_MAX_S", 0.04)
    gateway = await make_gateway(redis_url=await redis_link.start())
    deny_list: DenyList = gateway.app_state.deny_list
    await until(lambda: deny_list.healthy)
    return gateway, deny_list


async def test_with_redis_gone_the_local_copy_is_not_trusted_and_tokens_are_refused_as_before(
    make_gateway: Any, dev_tokens: dict[str, str], redis_link: RedisLink
) -> None:
    gateway, deny_list = await gateway_on_a_cuttable_redis(make_gateway, redis_link)
    auth = {"authorization": f"Bearer {dev_tokens['hr']}"}
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    await redis_link.cut()
    await until(lambda: not deny_list.healthy)
    _refused(await gateway.get("/auth/me", headers=auth), 503, "SESSION_CHECK_UNAVAILABLE")


async def test_with_redis_cut_for_many_tries_the_loss_is_logged_once_and_the_recovery_once(
    make_gateway: Any, dev_tokens: dict[str, str], redis_link: RedisLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway, deny_list = await gateway_on_a_cuttable_redis(make_gateway, redis_link, monkeypatch)
    tries = 0
    mirror = deny_list._mirror

    async def counted(*args: Any) -> None:
        nonlocal tries
        tries += 1
        await mirror(*args)

    monkeypatch.setattr(deny_list, "_mirror", counted)
    auth = {"authorization": f"Bearer {dev_tokens['hr']}"}
    with capture_logs() as logs:
        await redis_link.cut()
        await until(lambda: tries >= 20)
        _refused(await gateway.get("/auth/me", headers=auth), 503, "SESSION_CHECK_UNAVAILABLE")
        await redis_link.restore()
        await until(lambda: deny_list.healthy)
    events = [line["event"] for line in logs if line["log_level"] in ("warning", "info")]
    assert events.count("revocation.subscription_lost") == 1
    assert events.count("revocation.subscribed") == 1
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200


def unavailable(check: str) -> float:
    return REGISTRY.get_sample_value("gateway_redis_unavailable_total", {"check": check}) or 0.0


async def test_with_redis_cut_every_request_is_counted_but_the_outage_is_logged_once_and_its_end_once(
    make_gateway: Any, dev_tokens: dict[str, str], redis_link: RedisLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway, deny_list = await gateway_on_a_cuttable_redis(make_gateway, redis_link, monkeypatch)
    auth = {"authorization": f"Bearer {dev_tokens['hr']}"}
    assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    unlimited, refused = unavailable("rate_limit"), unavailable("deny_list")
    with capture_logs() as logs:
        await redis_link.cut()
        await until(lambda: not deny_list.healthy)
        # Each request goes through the rate limit unlimited and is then refused by the deny-list (fails closed).
        for _ in range(10):
            _refused(await gateway.get("/auth/me", headers=auth), 503, "SESSION_CHECK_UNAVAILABLE")
        outage = [(line["event"], line["log_level"]) for line in logs if line["log_level"] != "debug"]
        await redis_link.restore()
        for _ in range(3):
            assert (await gateway.get("/auth/me", headers=auth)).status_code == 200
    ended = [(line["event"], line["log_level"]) for line in logs if line["log_level"] != "debug"][len(outage) :]
    assert unavailable("rate_limit") - unlimited == 10
    assert unavailable("deny_list") - refused == 10
    assert [line for line in outage if line[0] in ("ratelimit.unavailable", "revocation.check_failed")] == [
        ("ratelimit.unavailable", "warning"),
        ("revocation.check_failed", "error"),
    ]
    assert ended.count(("ratelimit.available", "info")) == 1
    assert ended.count(("revocation.check_recovered", "info")) == 1
    assert not {event for event, _ in ended} & {"ratelimit.unavailable", "revocation.check_failed"}

"""Ids in paths never climb out of their segment: every route with a path id answers 404 or 422 with the error
envelope for dot segments (plain and percent-encoded) and for anything that is not a UUID, before Keycloak's
admin API or an upstream is called. The requests go over a real socket with the path exactly as written
(httpx would normalize `..` away before sending), so the gateway sees what `curl --path-as-is` sends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpcore
import pytest
from fastapi.routing import iter_route_contexts
from keycloak import KeycloakAdmin

from gateway.main import create_app
from gateway.rbac import RULES
from gateway.settings import Settings
from kit.testing import AppServer

REALM = "ai-video-interview-test"
VARIANTS = ("..", ".", "%2e%2e", "%2E.", "%2e", "not-a-uuid", "%252e%252e", "..%2F..", "1234")
# The routes whose answer comes from the gateway itself whatever the id (a role name is checked by name).
ROUTES = sorted(
    (method, str(context.path))
    for context in iter_route_contexts(create_app(Settings()).routes)
    if "{" in str(context.path)
    for method in context.methods or ()
)
PROBE_ROLES = ("admin", "hr", "candidate")


class RecordingAccounts:
    """The gateway's Keycloak admin client, recording each call before making it."""

    def __init__(self, accounts: Any) -> None:
        self.accounts = accounts
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.accounts, name)

        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return record


class Served:
    def __init__(self, port: int, accounts: RecordingAccounts) -> None:
        self.port = port
        self.accounts = accounts

    async def send(self, method: str, raw_path: str, token: str | None) -> httpcore.Response:
        url = httpcore.URL(scheme=b"http", host=b"127.0.0.1", port=self.port, target=raw_path.encode())
        headers: dict[bytes | str, bytes | str] = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = b'{"reason": "probe", "roleName": "hr", "firstName": "Probe"}' if method in ("POST", "PUT") else b""
        async with httpcore.AsyncConnectionPool() as pool:
            return await pool.request(method, url, headers=headers, content=body)


@pytest.fixture(scope="module")
async def served(
    migrated: Settings, stub: tuple[Any, Any], settings_with_upstreams_down: Callable[..., Settings]
) -> AsyncIterator[Served]:
    """A gateway on a real socket whose real upstreams are the echo stub (media and notifications are down)."""
    url = stub[0].url
    settings = settings_with_upstreams_down(
        users_url=url, interviews_url=url, analysis_url=url, billing_url=url, internal_auth_enabled=False
    )
    app = create_app(settings)
    async with AppServer(app) as server:
        accounts = RecordingAccounts(app.state.accounts)
        app.state.accounts = accounts
        yield Served(server.port, accounts)


def with_id(path: str, value: str) -> str:
    return "".join(value if part.startswith("{") else part for part in _split(path))


def _split(path: str) -> list[str]:
    parts: list[str] = []
    for chunk in path.split("{"):
        if "}" in chunk:
            name, rest = chunk.split("}", 1)
            parts += ["{" + name + "}", rest]
        else:
            parts.append(chunk)
    return parts


def token_for(method: str, path: str, tokens: dict[str, str]) -> str | None:
    rule = RULES[(method, path)]
    if rule.public:
        return None
    return next(tokens[role] for role in PROBE_ROLES if rule.allows(frozenset({role})))


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_a_path_id_that_is_not_a_uuid_is_refused_before_keycloak_or_an_upstream_is_called(
    method: str, path: str, served: Served, dev_tokens: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    token = token_for(method, path, dev_tokens)
    served.accounts.calls.clear()
    for variant in VARIANTS:
        response = await served.send(method, with_id(path, variant), token)
        body = response.content.decode()
        assert response.status in (404, 422), f"{variant}: {response.status} {body[:300]}"
        assert '"success":false' in body
    assert served.accounts.calls == []
    # Nothing about other users reaches the logs (a realm's user list once did, in a traceback).
    logs = "".join(capfd.readouterr())
    assert "hr@test.com" not in logs
    assert "candidate@test.com" not in logs
    assert "Traceback" not in logs


async def test_dot_segments_on_the_admin_routes_leave_the_realm_and_its_users_as_they_were(
    served: Served, dev_tokens: dict[str, str], keycloak_admin: KeycloakAdmin
) -> None:
    users_before = await keycloak_admin.a_users_count()
    for method, raw in (
        ("GET", "/api/admin/users/.."),
        ("DELETE", "/api/admin/users/.."),
        ("POST", "/api/admin/users/../suspend"),
        ("PUT", "/api/admin/users/%2e%2e"),
        ("GET", "/api/admin/users/."),
        ("POST", "/api/admin/users/%2E./roles"),
    ):
        response = await served.send(method, raw, dev_tokens["admin"])
        assert response.status in (404, 422), raw
        assert b'"realm"' not in response.content
    realm = await keycloak_admin.a_get_realm(REALM)
    assert realm["enabled"] is True
    assert await keycloak_admin.a_users_count() == users_before


async def test_a_proxied_route_forwards_the_canonical_uuid(
    served: Served, dev_tokens: dict[str, str], stub: tuple[Any, Any]
) -> None:
    template_id = uuid.uuid4()
    response = await served.send("GET", f"/api/templates/{template_id.hex.upper()}", dev_tokens["hr"])
    assert response.status == 200
    assert f'"path":"/api/templates/{template_id}"' in response.content.decode()


async def test_a_name_keycloak_refuses_is_a_422_naming_the_field_not_a_bad_gateway(
    gateway: Any, dev_tokens: dict[str, str], fresh_user: Callable[..., Any]
) -> None:
    user = await fresh_user("kc-refuses")
    response = await gateway.put(
        f"/api/admin/users/{user['id']}",
        json={"firstName": "<script>x</script>"},
        headers={"authorization": f"Bearer {dev_tokens['admin']}"},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "KEYCLOAK_REJECTED"
    assert body["details"] == [{"field": "firstName", "message": "error-person-name-invalid-character"}]


async def test_an_account_keycloak_does_not_know_is_a_404(gateway: Any, dev_tokens: dict[str, str]) -> None:
    response = await gateway.get(
        f"/api/admin/users/{uuid.uuid4()}/roles", headers={"authorization": f"Bearer {dev_tokens['admin']}"}
    )
    assert (response.status_code, response.json()["code"]) == (404, "USER_NOT_FOUND")
    assert "Keycloak" not in response.json()["error"]

"""Token verification at the gateway: only RS256 tokens signed by the realm's current keys, for this
realm and client, inside their validity window, reach a route."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "http://127.0.0.1:8090/realms/ai-video-interview-test"
CLIENT_ID = "ai-video-interview-app"


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
        "typ": "Bearer",
        "azp": CLIENT_ID,
        "email": "forged@example.com",
        "realm_access": {"roles": ["admin"]},
    }
    claims.update(overrides)
    return claims


@pytest.fixture(scope="module")
async def realm_kid() -> str:
    async with httpx.AsyncClient() as http:
        keys = (await http.get(f"{ISSUER}/protocol/openid-connect/certs")).json()["keys"]
    return next(k["kid"] for k in keys if k.get("use") == "sig" and k["kty"] == "RSA")


@pytest.fixture(scope="module")
async def realm_public_pem(realm_kid: str) -> bytes:
    async with httpx.AsyncClient() as http:
        keys = (await http.get(f"{ISSUER}/protocol/openid-connect/certs")).json()["keys"]
    jwk = next(k for k in keys if k["kid"] == realm_kid)
    public = jwt.PyJWK(jwk, algorithm="RS256").key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _own_key_token(kid: str, **claims: Any) -> str:
    """Signed with a key the test generated: valid RS256, but not the realm's key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(**claims), key, algorithm="RS256", headers={"kid": kid})


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["realm_access"] = {"roles": ["admin"]}
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _alg_none(kid: str) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims()).encode())}."


def _hs256_with_public_key(kid: str, pem: bytes) -> str:
    # The classic confusion attack: the public key (known to anyone) used as an HMAC secret.
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


async def test_every_kind_of_bad_token_is_refused_with_401(
    gateway: httpx.AsyncClient, dev_tokens: dict[str, str], realm_kid: str, realm_public_pem: bytes
) -> None:
    # Signature and header attacks against the real realm keys; the claim checks are the next test.
    bad = {
        "alg none": _alg_none(realm_kid),
        "HS256 signed with the public key": _hs256_with_public_key(realm_kid, realm_public_pem),
        "tampered payload": _tampered(dev_tokens["candidate"]),
        "unknown kid": _own_key_token("not-a-realm-key"),
        "realm kid but another key": _own_key_token(realm_kid),
        "garbage": "not.a.jwt",
        "empty bearer segments": "..",
    }
    for name, token in bad.items():
        response = await gateway.get("/api/users/me", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json()["success"] is False
        assert response.json()["correlationId"]
    gateway.cookies.set("access_token", bad["tampered payload"])
    assert (await gateway.get("/api/users/me")).status_code == 401


async def test_claims_are_checked_expired_not_yet_valid_wrong_issuer_wrong_audience(
    make_gateway: Any,
) -> None:
    """A gateway whose JWKS is a test key set, so the claims, not the signature, decide."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "test-key", "use": "sig", "alg": "RS256"})
    gateway = await make_gateway()
    verifier = gateway.app_state.tokens
    verifier._keys = {"test-key": jwt.PyJWK(jwk, algorithm="RS256")}
    verifier.min_refresh_interval_s = 3600.0
    verifier._fetched_at = time.monotonic()

    def signed(**claims: Any) -> str:
        return jwt.encode(_claims(**claims), key, algorithm="RS256", headers={"kid": "test-key"})

    now = int(time.time())
    bad = {
        "expired": signed(exp=now - 3600, iat=now - 7200),
        "not yet valid": signed(nbf=now + 3600),
        "wrong issuer": signed(iss="http://127.0.0.1:8090/realms/another-realm"),
        "wrong audience": signed(aud="another-client"),
        "no subject": jwt.encode(
            {k: v for k, v in _claims().items() if k != "sub"}, key, algorithm="RS256", headers={"kid": "test-key"}
        ),
    }
    for name, token in bad.items():
        response = await gateway.get("/auth/me", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
    # The same key with valid claims is accepted (and provisioned by the saga against the stub users).
    good = await gateway.get("/auth/me", headers={"authorization": f"Bearer {signed()}"})
    assert good.status_code == 200, good.text


async def test_a_missing_token_is_401_and_a_realm_token_passes(
    gateway: httpx.AsyncClient, dev_tokens: dict[str, str]
) -> None:
    missing = await gateway.get("/auth/me")
    assert missing.status_code == 401
    assert missing.json()["code"] == "MISSING_ACCESS_TOKEN"
    me = await gateway.get("/auth/me", headers={"authorization": f"Bearer {dev_tokens['hr']}"})
    assert me.status_code == 200, me.text
    assert me.json()["user"]["role"] == "hr"
    assert me.json()["user"]["email"] == "hr@test.com"


async def test_unknown_key_ids_refetch_the_jwks_at_most_once_per_interval(
    make_gateway: Any, dev_tokens: dict[str, str]
) -> None:
    gateway = await make_gateway(jwks_min_refresh_interval_s=3600.0)
    fetched: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/certs"):
            fetched.append(str(request.url))

    gateway.app_state.http.event_hooks["request"].append(count)
    assert (await gateway.get("/auth/me", headers={"authorization": f"Bearer {dev_tokens['hr']}"})).status_code == 200
    assert len(fetched) == 1
    for n in range(5):
        forged = _own_key_token(f"rotated-{n}")
        assert (await gateway.get("/auth/me", headers={"authorization": f"Bearer {forged}"})).status_code == 401
    # The realm's keys are cached; forged kids inside the interval do not reach Keycloak.
    assert len(fetched) == 1
    assert (
        await gateway.get("/auth/me", headers={"authorization": f"Bearer {dev_tokens['admin']}"})
    ).status_code == 200
    assert len(fetched) == 1

"""Access-token verification: RS256 only, signature via the realm's JWKS (cached; refetched when a token
names an unknown `kid`, at most once per interval so forged kids cannot hammer Keycloak), `iss`, `aud`,
`exp`, `nbf`, and that it is an access token issued to this app (`typ` Bearer, `azp` the app's client): an
ID token carries the same issuer, audience and signature, but is a statement about a sign-in for the
client, not a credential for the API."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import structlog

from kit.errors import Unauthorized

log = structlog.get_logger("gateway.tokens")

ALGORITHMS = ["RS256"]
# Keycloak's `typ` of access tokens (ID tokens are "ID", refresh tokens "Refresh").
ACCESS_TOKEN_TYPE = "Bearer"
LEEWAY_S = 5
VERIFIED_CACHE_SIZE = 10_000


class InvalidToken(Unauthorized):
    code = "INVALID_ACCESS_TOKEN"


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str,
        http: httpx.AsyncClient,
        min_refresh_interval_s: float = 30.0,
        client_id: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        # The client the tokens must have been issued to (`azp`); the app's client is also the audience.
        self.client_id = client_id or audience
        self.jwks_url = jwks_url
        self.http = http
        self.min_refresh_interval_s = min_refresh_interval_s
        self._keys: dict[str, jwt.PyJWK] = {}
        # Verified tokens → their claims: a browser sends the same token on every request until it
        # expires, and full verification (base64 checks, RSA) dominates the proxy's own cost.
        self._verified: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        cached = self._verified.get(token)
        if cached is not None:
            if cached["exp"] + LEEWAY_S > time.time():
                return cached
            del self._verified[token]
            raise InvalidToken("Access token expired")
        claims = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            # Oldest first (insertion order): a bounded memory, whatever the token churn.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = claims
        return claims

    async def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("Malformed access token") from exc
        # Checked before any key lookup: `none` and HMAC tokens never reach a verifier.
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("Access token algorithm is not allowed")
        key = await self._key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("Access token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"Invalid access token: {exc}") from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("Only access tokens are accepted")
        if claims.get("azp") != self.client_id:
            raise InvalidToken("Access token was issued to another client")
        return claims

    async def _key(self, kid: Any) -> jwt.PyJWK:
        if not isinstance(kid, str):
            raise InvalidToken("Access token has no key id")
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at >= self.min_refresh_interval_s:
                await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("Access token signed with an unknown key")
        return key

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            response = await self.http.get(self.jwks_url, timeout=5.0)
            response.raise_for_status()
            # Only RSA signing keys: Keycloak also publishes an encryption key under the same set.
            signing = [k for k in response.json().get("keys", []) if k.get("kty") == "RSA" and k.get("use") == "sig"]
            keys = [jwt.PyJWK(k, algorithm="RS256") for k in signing if k.get("kid")]
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
            # Keep the keys we had: a Keycloak hiccup must not log everybody out.
            log.warning("jwks.refresh_failed", error=repr(exc))
            return
        self._keys = {str(k.key_id): k for k in keys}
        log.info("jwks.refreshed", kids=sorted(self._keys))

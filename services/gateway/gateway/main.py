from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.middleware import Middleware

from gateway import admin_api, analysis_api, audit_api, auth_api, dispatch, hr_api, me_api, ops, proxy
from gateway.companies import CompanyResolver
from gateway.docs import Aggregator
from gateway.keycloak import KeycloakAccounts, Oidc
from gateway.limits import ApiLimiter, RateLimitMiddleware
from gateway.revocation import DenyList
from gateway.saga import RegistrationSaga
from gateway.settings import Settings
from gateway.tokens import TokenVerifier
from gateway.upstream import UpstreamClient, upstreams_from
from kit.app import create_service_app
from kit.bodylimit import MIB

# Every other request body is bounded by `settings.max_body_bytes` (1 MiB): the avatar's multipart body (an
# image of at most 5 MB, which the users service checks) and Stripe's events may be larger.
BODY_LIMITS = {"/api/users/me/avatar": 5 * MIB + 64 * 1024, "/api/billing/webhooks/stripe": 2 * MIB}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        http = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=settings.upstream_keepalive_s),
            auto_decompress=False,
            # Calls are made for many callers: a cookie one upstream answer set must never go out with another's
            # call (and keeping none spares every call the jar's work). Set-Cookie still reaches the caller.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        token = settings.internal_token.get_secret_value()
        upstreams = {
            u.name: UpstreamClient(u, session, service=settings.service_name, internal_token=token)
            for u in upstreams_from(settings)
        }
        accounts = KeycloakAccounts(settings)
        storage = RedisStorage(f"async+{settings.redis_url}", key_prefix="gateway:ratelimit")
        app.state.http = http
        app.state.upstreams = upstreams
        app.state.oidc = Oidc(settings, http)
        app.state.accounts = accounts
        app.state.tokens = TokenVerifier(
            issuer=settings.issuer,
            audience=settings.keycloak_client_id,
            jwks_url=f"{settings.oidc_base}/certs",
            http=http,
            min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
        )
        sessions, read_sessions = app.state.read_sessions
        app.state.saga = RegistrationSaga(
            sessions, read_sessions, upstreams["users"], accounts, cache_ttl_s=settings.identity_cache_ttl_s
        )
        app.state.companies = CompanyResolver(upstreams["users"], ttl_s=settings.identity_cache_ttl_s)
        app.state.limiter = MovingWindowRateLimiter(storage)
        app.state.api_limiter = ApiLimiter(
            app.state.redis,
            settings.redis_url,
            signed_in=settings.api_rate_limit,
            anonymous=settings.api_anonymous_rate_limit,
            sync_interval_s=settings.api_rate_limit_sync_interval_s,
        )
        app.state.api_limiter.start()
        app.state.deny_list = DenyList(app.state.redis)
        app.state.deny_list.start()
        app.state.docs = Aggregator(http, {u.name: u.base_url for u in upstreams_from(settings)})
        try:
            yield
        finally:
            await app.state.deny_list.aclose()
            await app.state.api_limiter.aclose()
            await session.close()
            await http.aclose()

    app = create_service_app(
        settings,
        routers=[
            ops.router,
            auth_api.router,
            me_api.router,
            hr_api.router,
            audit_api.router,
            admin_api.router,
            analysis_api.router,
            proxy.proxy_router(),
            ops.docs_router(),
        ],
        lifespan=lifespan,
        title="AI video interview platform: public API",
        description="The API gateway: Keycloak OIDC, RBAC, proxy with circuit breakers, registration saga.",
        own_health=True,  # /health reports the upstreams it probes, as the reference gateway's does
        body_limits=BODY_LIMITS,
        middleware=[
            Middleware(ops.OpsAllowlist, clients=settings.ops_allowed_clients),
            Middleware(RateLimitMiddleware),
        ],
        serve_directly=dispatch.direct,
    )
    app.add_middleware(ops.RefreshingAuth)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.web_origin, *settings.cors_origins],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["x-correlation-id", "retry-after"],
    )
    app.add_middleware(ops.SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    return app


app = create_app()

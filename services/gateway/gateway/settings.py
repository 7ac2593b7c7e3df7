from typing import Self

from pydantic import Field, SecretStr, model_validator

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://gateway:gateway-dev@127.0.0.1:5432/aivi"

    keycloak_url: str = "http://127.0.0.1:8090"
    keycloak_realm: str = "ai-video-interview"
    keycloak_client_id: str = "ai-video-interview-app"
    # The admin API (create/disable/delete users, realm roles) runs as a master-realm administrator in the
    # local stack ...
    keycloak_admin_user: str = "admin"
    keycloak_admin_password: SecretStr = SecretStr("admin")
    keycloak_admin_realm: str = "master"
    # ... and, when this client is set (production), as the service account of a confidential client of the
    # gateway's own realm (client credentials) holding only the realm-management roles the gateway uses.
    keycloak_admin_client_id: str = ""
    keycloak_admin_client_secret: SecretStr = SecretStr("")
    # Where browsers reach Keycloak and the issuer its tokens carry (KC_HOSTNAME), when that differs from
    # keycloak_url, the in-network address the gateway calls; empty means the same.
    keycloak_public_url: str = ""
    # A JWKS refetch for an unknown `kid` happens at most this often, so forged kids cannot flood Keycloak.
    jwks_min_refresh_interval_s: float = 30.0

    # Identity from x-user-* headers with a valid x-internal-token: local stack and tests only.
    internal_auth_enabled: bool = False

    web_origin: str = "http://localhost:3000"
    # Served over https: session cookies are Secure with `__Host-` names and responses carry HSTS. On by
    # default in production (SERVICE_ENV=prod), off elsewhere (the local stack is plain http).
    cookie_secure: bool = False
    auth_state_ttl_s: int = 600
    # How long the gateway refuses a signed-out session's or a suspended user's tokens: at least the
    # realm's access-token lifespan (900 s in the shipped realms), after which such tokens expire anyway.
    revocation_ttl_s: int = 3600
    # Changing the password without the current one needs a sign-in at most this old (`auth_time`).
    password_reauth_max_age_s: int = 300

    # Rate limits on /auth/* per client address (`limits` notation).
    auth_rate_limit: str = "20/minute"
    auth_login_rate_limit: str = "10/minute"
    auth_register_rate_limit: str = "5/minute"
    # Every other route, per signed-in user (their Keycloak id) or, for anonymous calls, per client address: room
    # for the web app's bursts (a page loads several resources at once), not for a scraper.
    api_rate_limit: str = "3000/minute"
    api_anonymous_rate_limit: str = "1200/minute"
    # A caller seen lately is admitted from this process's count, which is added to Redis's every this many
    # seconds (gateway.limits): N replicas may together admit up to (N - 1) * the caller's rate * this interval
    # above the limit. 0: every request is counted in Redis before it goes on.
    api_rate_limit_sync_interval_s: float = Field(default=0.1, ge=0)

    # Who may read /metrics and the detailed health routes (/health, /health/ready, /health/circuits, /ready):
    # addresses, networks or host names (a scraper's compose service name). Everyone else gets a 404.
    ops_allowed_clients: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # Liveness endpoints of the services' consumers and workers (kit.liveness, on their metrics port), by process
    # name `<service>-consumer` / `<service>-worker`: /health shows each one's state, consumer lag and outbox
    # backlog. Empty: /health shows no processes. A list asks every replica of the role (the local stack and
    # bench/journey with replicas, `<service>-api` too for the replicated gateway); in Kubernetes one URL per role
    # is a Service, which answers from one ready pod of several: per-pod state is Kubernetes' own (readiness).
    process_health_urls: dict[str, str | list[str]] = Field(default_factory=dict)

    users_url: str = "http://127.0.0.1:8002"
    interviews_url: str = "http://127.0.0.1:8003"
    media_url: str = "http://127.0.0.1:8004"
    analysis_url: str = "http://127.0.0.1:8005"
    notifications_url: str = "http://127.0.0.1:8006"
    billing_url: str = "http://127.0.0.1:8007"
    analytics_url: str = "http://127.0.0.1:8008"

    # Overrides every upstream's breaker reset timeout when > 0 (tests); 0 keeps the per-upstream defaults.
    upstream_reset_timeout_s: float = 0.0
    # Overrides every upstream's call timeout when > 0 (tests).
    upstream_timeout_s: float = 0.0
    # Calls in a row an upstream connected but did not answer in time before its timeouts count against its breaker
    # (refusals and 5xx count from the first): a burst that starves it of CPU is slow, not down (gateway.upstream).
    upstream_timeout_threshold: int = Field(default=20, ge=1)
    # Calls this process has in flight to one upstream at once (0: no bound), and how long a call waits for its
    # turn before the caller gets a 503 with Retry-After (0: half the upstream's timeout) (gateway.upstream).
    upstream_max_inflight: int = Field(default=16, ge=0)
    upstream_queue_timeout_s: float = Field(default=0.0, ge=0)

    # Idle upstream connections are dropped after this long: below uvicorn's 5 s keep-alive, so the gateway never
    # sends a request down a connection the service is closing (which surfaced as a spurious 503).
    upstream_keepalive_s: float = 4.0

    # How long a resolved identity (Keycloak id → internal user id, company) stays in the process cache.
    identity_cache_ttl_s: float = 60.0

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if not (self.keycloak_admin_client_id and self.keycloak_admin_client_secret.get_secret_value()):
            problems.append(
                "KEYCLOAK_ADMIN_CLIENT_ID/KEYCLOAK_ADMIN_CLIENT_SECRET are unset: the gateway would manage users "
                "as the master-realm administrator instead of its realm's service account"
            )
        return problems

    @model_validator(mode="after")
    def _https_in_production(self) -> Self:
        if "cookie_secure" not in self.model_fields_set:
            self.cookie_secure = self.service_env == "prod"
        return self

    @property
    def issuer(self) -> str:
        return f"{(self.keycloak_public_url or self.keycloak_url).rstrip('/')}/realms/{self.keycloak_realm}"

    @property
    def oidc_base(self) -> str:
        """The OIDC endpoints the gateway itself calls (token, revoke, certs), in-network."""
        return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}/protocol/openid-connect"

    @property
    def public_oidc_base(self) -> str:
        """The OIDC endpoints a browser is sent to (authorize, end session)."""
        return f"{self.issuer}/protocol/openid-connect"

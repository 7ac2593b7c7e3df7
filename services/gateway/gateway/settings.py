from pydantic import SecretStr

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://gateway:gateway-dev@127.0.0.1:5432/aivi"

    keycloak_url: str = "http://127.0.0.1:8090"
    keycloak_realm: str = "ai-video-interview"
    keycloak_client_id: str = "ai-video-interview-app"
    # The admin API (create/disable/delete users, realm roles) runs as a master-realm administrator.
    keycloak_admin_user: str = "admin"
    keycloak_admin_password: SecretStr = SecretStr("admin")
    keycloak_admin_realm: str = "master"
    # A JWKS refetch for an unknown `kid` happens at most this often, so forged kids cannot flood Keycloak.
    jwks_min_refresh_interval_s: float = 30.0

    # Identity from x-user-* headers with a valid x-internal-token: local stack and tests only.
    internal_auth_enabled: bool = False

    web_origin: str = "http://localhost:3000"
    cookie_secure: bool = False
    auth_state_ttl_s: int = 600

    # Rate limits on /auth/* per client address (`limits` notation).
    auth_rate_limit: str = "20/minute"
    auth_login_rate_limit: str = "10/minute"
    auth_register_rate_limit: str = "5/minute"

    users_url: str = "http://127.0.0.1:8002"
    interviews_url: str = "http://127.0.0.1:8003"
    media_url: str = "http://127.0.0.1:8004"
    analysis_url: str = "http://127.0.0.1:8005"
    notifications_url: str = "http://127.0.0.1:8006"
    billing_url: str = "http://127.0.0.1:8007"

    # Overrides every upstream's breaker reset timeout when > 0 (tests); 0 keeps the per-upstream defaults.
    upstream_reset_timeout_s: float = 0.0
    # Overrides every upstream's call timeout when > 0 (tests).
    upstream_timeout_s: float = 0.0

    # Idle upstream connections are dropped after this long: below uvicorn's 5 s keep-alive, so the gateway never
    # sends a request down a connection the service is closing (which surfaced as a spurious 503).
    upstream_keepalive_s: float = 4.0

    # How long a resolved identity (Keycloak id → internal user id, company) stays in the process cache.
    identity_cache_ttl_s: float = 60.0

    @property
    def issuer(self) -> str:
        return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}"

    @property
    def oidc_base(self) -> str:
        return f"{self.issuer}/protocol/openid-connect"

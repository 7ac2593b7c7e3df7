from pydantic import SecretStr

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "users"
    port: int = 8002
    database_url: str = "postgresql+asyncpg://users:users-dev@127.0.0.1:5432/aivi"

    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = "aivi"
    s3_secret_key: SecretStr = SecretStr("aivi-dev-secret")
    s3_region: str = "us-east-1"
    s3_bucket_prefix: str = ""
    avatar_bucket: str = "avatars"
    avatar_max_bytes: int = 5 * 1024 * 1024
    # Avatars are private objects; readers get a presigned GET that expires quickly.
    avatar_url_ttl_s: int = 900

    # Company e-mail domains (exact, e.g. ["acme.com"]) whose verified addresses may take the hr role without
    # an administrator's approval. Empty: every self-selected hr waits for an administrator.
    hr_email_domains: list[str] = []

    billing_url: str = "http://127.0.0.1:8007"
    # A member added to a company takes a team seat of its plan at billing; a billing outage refuses it (503).
    quota_enforcement: bool = True
    quota_timeout_s: float = 2.0

    # Signs the erasure report's link (the person has no account left to sign in with); set it in production.
    erasure_report_key: SecretStr = SecretStr("aivi-dev-erasure-report-key")
    # The report is mailed when every service reported, or after this long naming those that have not.
    erasure_report_deadline_s: int = 3600

    @property
    def avatars_bucket(self) -> str:
        return f"{self.s3_bucket_prefix}{self.avatar_bucket}"

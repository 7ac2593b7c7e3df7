from pydantic import SecretStr

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "interviews"
    port: int = 8003
    database_url: str = "postgresql+asyncpg://interviews:interviews-dev@127.0.0.1:5432/aivi"

    billing_url: str = "http://127.0.0.1:8007"
    # Invitations and templates are reserved against the plan at billing; a billing outage refuses them (503).
    quota_enforcement: bool = True
    quota_timeout_s: float = 2.0
    # Reservations in flight to billing at once per process (the rest wait their turn without a connection).
    quota_concurrency: int = 8
    # Non-pausable interviews without a heartbeat or answer for this long are completed (`auto_timeout`).
    inactivity_timeout_minutes: int = 30
    # An answer may arrive this long after its time limit (the network's delay) and still count.
    answer_grace_seconds: int = 10
    # A recording's answer may additionally take this long to upload and be processed.
    media_upload_allowance_seconds: int = 900
    # Signs the links in invitation e-mails to people without an account (HMAC-SHA256). Empty: a key derived
    # from the internal token, so a dev stack needs no extra secret; production sets its own.
    invite_link_secret: SecretStr = SecretStr("")

"""The notifications service's settings: the kit's, with its name, port and database defaults, and the knobs
of e-mail delivery, links, unsubscribe tokens and stale-event handling."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from kit.settings import ServiceSettings
from notifications.webhooks.settings import WebhookSettings


class Settings(ServiceSettings, WebhookSettings):
    service_name: str = "notifications"
    port: int = 8006
    database_url: str = "postgresql+asyncpg://notifications:notifications-dev@127.0.0.1:5432/aivi"

    # The web app, for links in messages (`/interview/{invitationId}`, `/profile/notifications`, …).
    web_url: str = "http://127.0.0.1:3000"
    # Where a mail client reaches the public unsubscribe route: the gateway.
    public_api_url: str = "http://127.0.0.1:8001"
    # Signs unsubscribe tokens; a deployment sets its own.
    unsubscribe_secret: SecretStr = SecretStr("dev-unsubscribe-secret")
    unsubscribe_ttl_days: int = 60

    email_provider: Literal["smtp", "resend"] = "smtp"
    email_from: str = "AI Interview <noreply@aiinterview.dev>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    resend_api_key: SecretStr = SecretStr("")
    resend_api_url: str = "https://api.resend.com"

    # Attempts per e-mail before it is `failed`; the n-th retry waits base · 2^(n-1).
    email_max_attempts: int = 8
    email_backoff_base_s: float = 30.0
    # A claimed e-mail whose attempt never reported back (a worker died) is retried after this long.
    email_claim_timeout_s: float = 300.0
    # How many due e-mails one sweep sends.
    email_sweep_batch: int = 200
    # E-mails one sweep sends at a time: enough to drain a backlog, few enough to stay polite to the SMTP server.
    email_sweep_concurrency: int = 8

    # An event older than this is recorded as `skipped` instead of sending anything (a replayed topic).
    max_event_age_h: float = 24.0

    template_version: str = "v1"

    # The live stream sends a `: ping` comment after this long without an event, so proxies and browsers
    # keep an idle connection open and a vanished client is noticed.
    stream_heartbeat_s: float = 15.0

"""Settings every service shares; a service subclasses ServiceSettings with its own knobs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    service_name: str
    service_env: Literal["dev", "test", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    database_url: str = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/aivi"
    db_schema: str = ""
    db_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    kafka_request_timeout_s: float = 10.0
    consumer_max_attempts: int = 5
    consumer_backoff_base_s: float = 0.2
    consumer_backoff_max_s: float = 10.0

    redis_url: str = "redis://127.0.0.1:6379/0"

    internal_token: SecretStr = SecretStr("")
    otlp_endpoint: str = ""

    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
    outbox_retention_days: int = 7

    # Consumer and worker processes serve /metrics here when set (the API serves its own).
    metrics_port: int = 0

    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000"])

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service_name

    def topic(self, name: str) -> str:
        """The physical topic for a logical topic name; tests run under their own prefix."""
        return f"{self.topic_prefix}{name}"

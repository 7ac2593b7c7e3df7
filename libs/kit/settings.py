"""Settings every service shares; a service subclasses ServiceSettings with its own knobs."""

from __future__ import annotations

import ssl
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Internal tokens this repository has shipped or uses in tests: whoever read the code knows them, so a
# production process must never accept them.
KNOWN_INTERNAL_TOKENS = frozenset(
    {"dev-only-internal-token-change-me", "test-internal-token", "change-me", "changeme", "secret", "internal-token"}
)
# 32 bytes is what `openssl rand -hex 16` gives at the least; anything shorter is guessable in bulk.
MIN_INTERNAL_TOKEN_BYTES = 32


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    service_name: str
    service_env: Literal["dev", "test", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    database_url: str = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/aivi"
    db_schema: str = ""
    # The most connections the API's engine opens, each kept once opened. They used to be 10 kept and 10 more
    # opened past those and closed on return, so a load above 10 requests at once opened and closed a server
    # connection for most of its reads: at 16 connections a by-id read cost the service 911 µs of CPU instead of
    # 564 (bench/README.md, "The pool's overflow"). The same 20 at most, now never closed after one statement.
    db_pool_size: int = Field(default=20, ge=1)
    # A pooled connection is pinged before use only after it sat idle this long: the asyncpg dialect's ping is
    # three round trips (BEGIN, ";", ROLLBACK), a fifth of a by-id read's CPU when paid on every checkout, and
    # a connection in steady use is one the server has not dropped. 0 pings on every checkout.
    db_pool_ping_idle_seconds: float = Field(default=10.0, ge=0)
    # Off: no ping at all; a connection the server dropped then fails one statement and invalidates the pool.
    db_pool_pre_ping: bool = True

    kafka_bootstrap: str = "127.0.0.1:9092"
    # The local stack's broker is PLAINTEXT on 127.0.0.1; the compose broker requires SASL/SCRAM, one
    # user per service, whose ACLs allow writing only the service's own topics.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    kafka_username: str = ""
    kafka_password: SecretStr = SecretStr("")
    topic_prefix: str = ""
    kafka_request_timeout_s: float = 10.0
    consumer_max_attempts: int = 5
    consumer_backoff_base_s: float = 0.2
    consumer_backoff_max_s: float = 10.0

    redis_url: str = "redis://127.0.0.1:6379/0"

    internal_token: SecretStr = SecretStr("")
    # Identity from x-user-* headers carrying the internal token, honoured by the gateway: the local stack
    # and tests only. Declared for every process so each one refuses it in production (see below).
    internal_auth_enabled: bool = False
    otlp_endpoint: str = ""
    # The share of traces started here that are recorded and exported (a caller's sampled trace is always
    # continued: parent-based). Unrecorded requests still get trace ids, for logs and propagation. Without an
    # OTLP endpoint nothing is recorded.
    trace_sample_ratio: float = Field(default=0.1, ge=0.0, le=1.0)

    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
    outbox_retention_days: int = 7

    # Consumer and worker processes serve /metrics here when set (the API serves its own).
    metrics_port: int = 0

    # Request bodies above this many bytes are refused with 413 before they are read (kit.bodylimit); a route
    # that takes more (an upload) declares its own limit.
    max_body_bytes: int = 1024 * 1024

    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000"])

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        """A production process does not start on settings that let anyone who has read this repository in."""
        if self.service_env == "prod" and (problems := self.production_problems()):
            raise ValueError("unsafe settings for SERVICE_ENV=prod: " + "; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe in production; a service extends the list with its own checks."""
        problems = []
        token = self.internal_token.get_secret_value()
        if not token:
            problems.append("INTERNAL_TOKEN is empty (e.g. `openssl rand -hex 32`)")
        elif token in KNOWN_INTERNAL_TOKENS:
            problems.append("INTERNAL_TOKEN is a development value published in this repository")
        elif len(token.encode()) < MIN_INTERNAL_TOKEN_BYTES:
            problems.append(f"INTERNAL_TOKEN is shorter than {MIN_INTERNAL_TOKEN_BYTES} bytes")
        if self.internal_auth_enabled:
            problems.append("INTERNAL_AUTH_ENABLED is on: the gateway would take identities from request headers")
        if self.kafka_security_protocol != "PLAINTEXT" and not (
            self.kafka_username and self.kafka_password.get_secret_value()
        ):
            problems.append(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_USERNAME and KAFKA_PASSWORD"
            )
        return problems

    def kafka_client_options(self) -> dict[str, Any]:
        """Connection options every aiokafka client of the service (producer, consumer, admin) is given."""
        if self.kafka_security_protocol == "PLAINTEXT":
            return {"security_protocol": "PLAINTEXT"}
        options: dict[str, Any] = {
            "security_protocol": self.kafka_security_protocol,
            "sasl_mechanism": self.kafka_sasl_mechanism,
            "sasl_plain_username": self.kafka_username,
            "sasl_plain_password": self.kafka_password.get_secret_value(),
        }
        if self.kafka_security_protocol == "SASL_SSL":
            options["ssl_context"] = ssl.create_default_context()
        return options

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service_name

    def topic(self, name: str) -> str:
        """The physical topic for a logical topic name; tests run under their own prefix."""
        return f"{self.topic_prefix}{name}"

"""A production process refuses settings that anyone who has read this repository could exploit."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from kit.settings import KNOWN_INTERNAL_TOKENS, ServiceSettings

STRONG = secrets.token_hex(32)


def production(**overrides: Any) -> ServiceSettings:
    return ServiceSettings(service_name="probe", service_env="prod", **{"internal_token": STRONG, **overrides})


def test_a_production_process_starts_with_a_long_random_internal_token() -> None:
    assert production().internal_token.get_secret_value() == STRONG


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "INTERNAL_TOKEN is empty"),
        ("dev-only-internal-token-change-me", "development value"),
        ("test-internal-token", "development value"),
        ("x" * 31, "shorter than 32 bytes"),
        ("\N{EURO SIGN}" * 10, "shorter than 32 bytes"),  # 10 characters, 30 bytes
    ],
    ids=["empty", "compose-default", "tests-token", "31-bytes", "30-bytes-in-10-characters"],
)
def test_a_production_process_refuses_an_internal_token_that_is(token: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        production(internal_token=token)


def test_every_known_development_token_is_refused_in_production() -> None:
    for token in KNOWN_INTERNAL_TOKENS:
        with pytest.raises(ValidationError):
            production(internal_token=token)


def test_a_production_process_refuses_identity_from_headers() -> None:
    with pytest.raises(ValidationError, match="INTERNAL_AUTH_ENABLED"):
        production(internal_auth_enabled=True)


def test_the_environment_is_read_like_the_compose_file_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_ENV", "prod")
    monkeypatch.setenv("INTERNAL_TOKEN", "dev-only-internal-token-change-me")
    with pytest.raises(ValidationError, match="development value"):
        ServiceSettings(service_name="probe")
    monkeypatch.setenv("INTERNAL_TOKEN", STRONG)
    monkeypatch.setenv("INTERNAL_AUTH_ENABLED", "true")
    with pytest.raises(ValidationError, match="INTERNAL_AUTH_ENABLED"):
        ServiceSettings(service_name="probe")


@pytest.mark.parametrize("env", ["dev", "test"])
def test_the_local_stack_and_tests_keep_their_short_tokens_and_header_identities(env: str) -> None:
    settings = ServiceSettings(
        service_name="probe", service_env=env, internal_token="test-internal-token", internal_auth_enabled=True
    )
    assert settings.internal_auth_enabled


def test_sasl_without_credentials_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="KAFKA_USERNAME"):
        production(kafka_security_protocol="SASL_PLAINTEXT")


def test_kafka_clients_get_scram_credentials_when_sasl_is_configured() -> None:
    settings = production(kafka_security_protocol="SASL_PLAINTEXT", kafka_username="users", kafka_password="pw")
    assert settings.kafka_client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "users",
        "sasl_plain_password": "pw",
    }
    assert ServiceSettings(service_name="probe").kafka_client_options() == {"security_protocol": "PLAINTEXT"}


def test_the_dead_letter_tool_signs_in_to_kafka_as_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from kit.dlq import _connection

    assert _connection() == {"security_protocol": "PLAINTEXT"}
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_USERNAME", "operator")
    monkeypatch.setenv("KAFKA_PASSWORD", "s3cret")

    assert _connection() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "operator",
        "sasl_plain_password": "s3cret",
    }

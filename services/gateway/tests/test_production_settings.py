"""The production gateway manages users through its realm's service account, never as the master administrator."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from gateway.settings import Settings

STRONG = secrets.token_hex(32)


def test_the_production_gateway_refuses_to_manage_users_as_the_master_administrator() -> None:
    with pytest.raises(ValidationError, match="KEYCLOAK_ADMIN_CLIENT_ID"):
        Settings(service_env="prod", internal_token=STRONG)
    gateway = Settings(
        service_env="prod",
        internal_token=STRONG,
        keycloak_admin_client_id="gateway-admin",
        keycloak_admin_client_secret=secrets.token_hex(16),
    )
    assert gateway.keycloak_admin_client_id == "gateway-admin"


def test_browsers_are_sent_to_the_public_keycloak_url_and_tokens_carry_its_issuer() -> None:
    settings = Settings(keycloak_url="http://keycloak:8090", keycloak_public_url="https://auth.example.test")
    assert settings.issuer == "https://auth.example.test/realms/ai-video-interview"
    assert settings.public_oidc_base == "https://auth.example.test/realms/ai-video-interview/protocol/openid-connect"
    assert settings.oidc_base == "http://keycloak:8090/realms/ai-video-interview/protocol/openid-connect"
    local = Settings(keycloak_url="http://127.0.0.1:8090")
    assert local.issuer == "http://127.0.0.1:8090/realms/ai-video-interview"
    assert local.public_oidc_base == local.oidc_base

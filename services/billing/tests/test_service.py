"""The service runs for real on the kit's fixtures and subscribes to the topics it meters usage from."""

from __future__ import annotations

import httpx
import pytest

from billing.consumers import HANDLERS, TOPICS
from billing.settings import Settings


async def test_the_api_runs_in_process_and_documents_itself(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert spec["info"]["title"] == "billing service"
    assert "/api/billing/webhooks/stripe" in spec["paths"]


def test_the_consumer_subscribes_to_the_topics_of_the_events_it_meters() -> None:
    assert TOPICS == ["user-events", "interview-events", "analysis-events", "media-events"]
    assert {"invitation.created", "invitation.cancelled", "template.created", "media.processed"} <= set(HANDLERS)


def test_production_refuses_payments_without_webhook_secrets_or_real_price_ids() -> None:
    production = {"service_env": "prod", "internal_token": "s" * 40}

    with pytest.raises(ValueError, match="unsafe settings for SERVICE_ENV=prod") as refused:
        Settings(**production, stripe_secret_key="sk_live_x", stripe_webhook_secrets="", stripe_price_plus="")

    assert "STRIPE_WEBHOOK_SECRETS" in str(refused.value)
    assert "STRIPE_PRICE_PLUS" in str(refused.value)
    assert "STRIPE_PRICE_PRO" in str(refused.value)
    payments_off = Settings(**production)
    assert not payments_off.payments_enabled
    selling = Settings(
        **production,
        stripe_secret_key="sk_live_x",
        stripe_webhook_secrets="whsec_a,whsec_b",
        stripe_price_plus="price_1Plus",
        stripe_price_pro="price_1Pro",
    )
    assert selling.webhook_secrets == ["whsec_a", "whsec_b"]

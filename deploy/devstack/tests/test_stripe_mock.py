from __future__ import annotations

import httpx

from devstack.component import Component
from devstack.config import Config
from devstack.stripe_mock import STRIPE_MOCK_KEY
from devstack.supervisor import service_env


def test_stripe_mock_answers_stripe_api_calls_over_http(cfg: Config, infra: dict[str, Component]) -> None:
    response = httpx.post(
        f"http://127.0.0.1:{cfg.ports.stripe_mock}/v1/checkout/sessions",
        headers={"Authorization": f"Bearer {STRIPE_MOCK_KEY}"},
        data={
            "mode": "subscription",
            "line_items[0][price]": "price_plus",
            "line_items[0][quantity]": "1",
            "success_url": "http://127.0.0.1:3000/profile/billing",
        },
        timeout=10,
    )

    assert response.status_code == 200, response.text
    assert response.json()["object"] == "checkout.session"


def test_the_local_billing_service_runs_the_stripe_sdk_against_stripe_mock(cfg: Config) -> None:
    env = service_env(cfg, "billing")

    assert env["STRIPE_API_BASE"] == f"http://127.0.0.1:{cfg.ports.stripe_mock}"
    assert env["STRIPE_SECRET_KEY"] and env["STRIPE_WEBHOOK_SECRETS"]

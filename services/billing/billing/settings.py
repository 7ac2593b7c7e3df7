"""The billing service's settings: the kit's, with its name, port and database defaults, Stripe's keys and
prices, and the knobs of quotas, reservations and payment grace."""

from __future__ import annotations

from pydantic import SecretStr

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "billing"
    port: int = 8007
    database_url: str = "postgresql+asyncpg://billing:billing-dev@127.0.0.1:5432/aivi"

    # The web app: checkout's return URLs must be on it, and the defaults point at its billing page.
    web_url: str = "http://localhost:3000"

    # Empty: "payments disabled" (plans, usage and quotas work; checkout and portal answer 503).
    stripe_secret_key: SecretStr = SecretStr("")
    # Comma-separated; any one verifies a webhook, so a secret can be rotated without losing events.
    stripe_webhook_secrets: SecretStr = SecretStr("")
    # Stripe's API, or the local stripe-mock in the local stack and the tests.
    stripe_api_base: str = "https://api.stripe.com"
    stripe_price_plus: str = "price_plus"
    stripe_price_pro: str = "price_pro"
    stripe_timeout_s: float = 10.0
    # Stripe's signature tolerance: a webhook signed longer ago than this is refused as a replay.
    stripe_webhook_tolerance_s: int = 300

    # Seconds a quota answer stays in Redis; 0 turns the cache off. Every change deletes the key after COMMIT.
    quota_cache_ttl_s: int = 60
    # A reservation its creation event has not confirmed after this long is released (the caller's
    # transaction failed after reserving).
    reservation_ttl_s: int = 900
    # A past_due subscription unpaid for this long falls back to Free.
    past_due_grace_days: int = 7

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.payments_enabled:
            if not self.webhook_secrets:
                problems.append("STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRETS: no payment would ever land")
            for name, price in (
                ("STRIPE_PRICE_PLUS", self.stripe_price_plus),
                ("STRIPE_PRICE_PRO", self.stripe_price_pro),
            ):
                if not price.startswith("price_") or price in ("price_plus", "price_pro"):
                    problems.append(f"{name} must be the Stripe price id of the plan (price_...)")
        return problems

    @property
    def payments_enabled(self) -> bool:
        return bool(self.stripe_secret_key.get_secret_value())

    @property
    def webhook_secrets(self) -> list[str]:
        return [s.strip() for s in self.stripe_webhook_secrets.get_secret_value().split(",") if s.strip()]

"""Billing's own metrics: Stripe webhook deliveries by outcome, so an operator sees payments stop applying."""

from __future__ import annotations

from prometheus_client import Counter

# processed: applied (or a duplicate acknowledged); rejected: not provably Stripe's (bad, stale or missing
# signature); failed: verified but not applied (Stripe retries it, and the account's plan lags meanwhile).
STRIPE_WEBHOOKS = Counter("billing_stripe_webhooks_total", "Stripe webhook deliveries by outcome", ["result"])

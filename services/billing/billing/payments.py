"""Stripe, through the official SDK: Checkout and Billing Portal sessions, cancel/resume at period end,
invoices, and webhook signatures. The API version is pinned; the base URL is a setting, so the local stack
and the tests drive the same SDK calls against the local `stripe-mock`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
import structlog

from billing.plans import PlanType
from billing.settings import Settings
from kit.errors import DomainError, ServiceUnavailable

log = structlog.get_logger("billing.payments")

API_VERSION = "2024-12-18.acacia"


class PaymentsDisabled(ServiceUnavailable):
    code = "PAYMENTS_DISABLED"


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "PAYMENT_PROVIDER_UNAVAILABLE"


class InvalidSignature(DomainError):
    """400: the webhook is not provably Stripe's (missing, forged, stale or tampered)."""

    code = "INVALID_SIGNATURE"


DISABLED_MESSAGE = "Online payment is not enabled on this installation"
UNAVAILABLE_MESSAGE = "Payments cannot be handled right now; try again in a few minutes"


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    checkout_url: str


@dataclass(frozen=True)
class Invoice:
    id: str
    number: str | None
    status: str | None
    amount_due: int
    amount_paid: int
    currency: str
    period_start: int
    period_end: int
    hosted_invoice_url: str | None
    pdf_url: str | None
    created: int


class Payments:
    """One per process. `client` is None in "payments disabled" mode."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: stripe.StripeClient | None = None
        self._http: stripe.HTTPXClient | None = None
        if settings.payments_enabled:
            self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_s)
            self.client = stripe.StripeClient(
                settings.stripe_secret_key.get_secret_value(),
                stripe_version=API_VERSION,
                base_addresses={"api": settings.stripe_api_base},
                http_client=self._http,
                max_network_retries=1,
            )
        self.prices = {PlanType.PLUS: settings.stripe_price_plus, PlanType.PRO: settings.stripe_price_pro}

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close_async()  # type: ignore[no-untyped-call]

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def plan_of_price(self, price_id: str | None) -> PlanType | None:
        return next((plan for plan, price in self.prices.items() if price == price_id), None)

    def _require(self) -> stripe.StripeClient:
        if self.client is None:
            raise PaymentsDisabled(DISABLED_MESSAGE)
        return self.client

    async def checkout(
        self,
        *,
        account_id: str,
        plan: PlanType,
        customer_id: str | None,
        customer_email: str | None,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        client = self._require()
        metadata = {"companyId": account_id, "planType": plan.value}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": self.prices[plan], "quantity": 1}],
            "client_reference_id": account_id,
            "metadata": metadata,
            # The subscription carries the account too, so its own events find it before checkout's does.
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id
        elif customer_email:
            params["customer_email"] = customer_email
        async with _Provider("checkout"):
            session = await client.v1.checkout.sessions.create_async(params=params)  # type: ignore[arg-type]
        return CheckoutSession(session_id=session.id, checkout_url=session.url or "")

    async def portal(self, *, customer_id: str, return_url: str) -> str:
        client = self._require()
        async with _Provider("portal"):
            session = await client.v1.billing_portal.sessions.create_async(
                params={"customer": customer_id, "return_url": return_url}
            )
        return session.url

    async def set_cancel_at_period_end(self, stripe_subscription_id: str, cancel: bool) -> None:
        if self.client is None:
            return
        async with _Provider("subscription update"):
            await self.client.v1.subscriptions.update_async(
                stripe_subscription_id, params={"cancel_at_period_end": cancel}
            )

    async def invoices(self, *, customer_id: str, limit: int) -> list[Invoice]:
        if self.client is None:
            return []
        async with _Provider("invoices"):
            page = await self.client.v1.invoices.list_async(params={"customer": customer_id, "limit": limit})
        return [
            Invoice(
                id=i.id or "",
                number=i.number,
                status=i.status,
                amount_due=i.amount_due,
                amount_paid=i.amount_paid,
                currency=i.currency,
                period_start=i.period_start,
                period_end=i.period_end,
                hosted_invoice_url=i.hosted_invoice_url,
                pdf_url=i.invoice_pdf,
                created=i.created,
            )
            for i in page.data
        ]

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event, if `signature` is Stripe's for these exact bytes with one of the configured secrets and
        signed within the tolerance; else `InvalidSignature`."""
        if not signature:
            raise InvalidSignature("The Stripe-Signature header is missing")
        for secret in self.settings.webhook_secrets:
            try:
                stripe.WebhookSignature.verify_header(
                    payload, signature, secret, tolerance=self.settings.stripe_webhook_tolerance_s
                )
            except (stripe.SignatureVerificationError, UnicodeDecodeError):
                continue
            try:
                event: Any = json.loads(payload)
            except ValueError as exc:
                raise InvalidSignature("The signed body is not a JSON event") from exc
            if not isinstance(event, dict) or not isinstance(event.get("id"), str):
                raise InvalidSignature("The signed body is not a Stripe event")
            return event
        raise InvalidSignature("The Stripe signature does not match, or it is too old")


class _Provider:
    """Stripe failing (network, API error) is a 503 in plain words, logged with Stripe's own message."""

    def __init__(self, action: str) -> None:
        self.action = action

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, stripe.StripeError):
            log.warning("stripe.failed", action=self.action, error=str(exc))
            raise PaymentProviderUnavailable(UNAVAILABLE_MESSAGE) from exc

"""Who may manage a company's webhooks: its HR users and admins. The caller's company is the one the gateway
resolved from the users service's membership (`x-company-id`), never one the client names, so an HR user
reaches only the endpoints of that company."""

from __future__ import annotations

from kit.auth import Principal
from kit.errors import Forbidden
from notifications.webhooks.domain import WebhookEndpoint


class WebhookAccessDenied(Forbidden):
    code = "WEBHOOK_ACCESS_DENIED"


def check_company_manager(caller: Principal, company_id: str) -> None:
    """Admins manage every company's webhooks; an HR user those of the company they belong to."""
    if caller.has("admin"):
        return
    if caller.company_id is None or caller.company_id != company_id:
        raise WebhookAccessDenied("You can only manage the webhooks of your own company")


def check_endpoint_manager(caller: Principal, endpoint: WebhookEndpoint) -> None:
    check_company_manager(caller, endpoint.company_id)

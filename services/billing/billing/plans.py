"""The plans, declared once: limits, prices and features. `-1` is unlimited. Stripe knows a plan by its price
id (settings `stripe_price_plus`, `stripe_price_pro`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNLIMITED = -1


class PlanType(StrEnum):
    FREE = "free"
    PLUS = "plus"
    PRO = "pro"


class Resource(StrEnum):
    """What a plan limits (the internal quota route's `resource`)."""

    INTERVIEWS = "interviews"
    TEMPLATES = "templates"
    TEAM_MEMBERS = "teamMembers"


class Metered(StrEnum):
    """What usage is recorded for: the limited resources and the measured ones."""

    INTERVIEWS = "interviews"
    TEMPLATES = "templates"
    TEAM_MEMBERS = "teamMembers"
    ANALYSIS_TOKENS = "analysisTokens"
    STORAGE = "storage"


@dataclass(frozen=True)
class Plan:
    type: PlanType
    name: str
    price_monthly: int  # cents
    interviews_per_month: int
    max_templates: int
    max_team_members: int
    features: tuple[str, ...]
    # Order of plans, for telling an upgrade from a downgrade.
    rank: int

    def limit(self, resource: Resource) -> int:
        return {
            Resource.INTERVIEWS: self.interviews_per_month,
            Resource.TEMPLATES: self.max_templates,
            Resource.TEAM_MEMBERS: self.max_team_members,
        }[resource]


PLANS: dict[PlanType, Plan] = {
    PlanType.FREE: Plan(PlanType.FREE, "Free", 0, 3, 5, 1, ("basic_analysis",), rank=0),
    PlanType.PLUS: Plan(
        PlanType.PLUS, "Plus", 2900, 100, 50, 5, ("full_analysis", "pdf_export", "email_support"), rank=1
    ),
    PlanType.PRO: Plan(
        PlanType.PRO,
        "Pro",
        9900,
        UNLIMITED,
        UNLIMITED,
        UNLIMITED,
        (
            "full_analysis",
            "pdf_export",
            "csv_export",
            "api_access",
            "webhooks",
            "priority_support",
        ),
        rank=2,
    ),
}

CURRENCY = "usd"

# How resources read in a refusal ("Your Free plan allows 3 interviews per month").
RESOURCE_WORDS: dict[Resource, tuple[str, str]] = {
    Resource.INTERVIEWS: ("interviews per month", "invite more"),
    Resource.TEMPLATES: ("templates", "create more"),
    Resource.TEAM_MEMBERS: ("team members", "add more"),
}

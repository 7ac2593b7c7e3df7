"""The service runs for real on the kit's fixtures; the fleet test checks what every service shares (health,
readiness, metrics, the messaging tables, the registered port and topics)."""

from __future__ import annotations

import httpx

from kit.contracts import analysis, billing, interviews, users
from kit.testing import threaded_calls
from notifications.consumers import HANDLERS, TOPICS
from notifications.main import create_app
from notifications.settings import Settings


async def test_the_api_runs_in_process_and_documents_itself(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert spec["info"]["title"] == "notifications service"


def test_the_consumer_reads_the_topics_whose_events_it_handles() -> None:
    assert TOPICS == [users.USER_EVENTS, interviews.TOPIC, analysis.TOPIC, billing.TOPIC]
    assert {
        "user.created",
        "invitation.created",
        "invitation.cancelled",
        "analysis.completed",
        "candidate.rejected",
        "subscription.upgraded",
        "subscription.renewed",
        "subscription.past_due",
        "quota.exceeded",
    } <= HANDLERS.keys()


def test_no_route_hands_its_endpoint_or_a_dependency_to_the_thread_pool(settings: Settings) -> None:
    # A plain `def` dependency costs a thread hand-off on every request.
    assert threaded_calls(create_app(settings)) == []

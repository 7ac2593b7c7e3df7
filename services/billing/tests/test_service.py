"""The service runs for real on the kit's fixtures and subscribes to the topics it meters usage from."""

from __future__ import annotations

import httpx

from billing.consumers import HANDLERS, TOPICS


async def test_the_api_runs_in_process_and_documents_itself(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert spec["info"]["title"] == "billing service"
    assert "/api/billing/webhooks/stripe" in spec["paths"]


def test_the_consumer_subscribes_to_the_topics_of_the_events_it_meters() -> None:
    assert TOPICS == ["user-events", "interview-events", "analysis-events", "media-events"]
    assert {"invitation.created", "invitation.cancelled", "template.created", "media.processed"} <= set(HANDLERS)

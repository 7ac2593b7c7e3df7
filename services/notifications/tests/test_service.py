"""The scaffold runs for real on the kit's fixtures; the fleet test checks what every service shares (health,
readiness, metrics, the messaging tables, the registered port and topics)."""

from __future__ import annotations

import httpx

from notifications.consumers import HANDLERS, TOPICS


async def test_the_api_runs_in_process_and_documents_itself(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert spec["info"]["title"] == "notifications service"


def test_the_consumer_subscribes_to_no_topic_until_it_handles_an_event_from_it() -> None:
    assert (HANDLERS, TOPICS) == ({}, [])

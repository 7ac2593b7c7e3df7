"""A committed write reaches `user-events` through the outbox relay, keyed by the user, in the
reference's envelope."""

from __future__ import annotations

import json

import httpx

from kit.kafka import make_producer
from kit.outbox import Relay
from kit.testing import consume
from users.settings import Settings


async def test_a_registration_and_a_role_choice_reach_user_events_in_order_keyed_by_the_user(
    live_client: httpx.AsyncClient,
    committed,
    cleanup,
    settings: Settings,
    make_topics,
    kafka_bootstrap,
    internal,
    as_user,
    new_user_body,
) -> None:
    (topic,) = await make_topics("user-events")
    body = new_user_body()
    cleanup["users"].append(body["userId"])
    await live_client.post("/users", json=body, headers=internal)
    await live_client.post(
        f"/users/{body['userId']}/roles", json={"role": "candidate"}, headers=as_user(body["userId"], "pending")
    )
    relay = Relay(
        committed,
        lambda: make_producer(settings),
        service="users",
        schema=settings.schema_name,
        topic_prefix=settings.topic_prefix,
    )
    relayed = 0
    while sent := await relay.relay_once():
        relayed += sent
    await relay.close()

    # The topic is this run's own; it may also carry rows other tests committed and left unpublished.
    records = await consume(kafka_bootstrap, topic, relayed, timeout_s=60)
    mine = [r for r in records if r.key == body["userId"].encode()]

    envelopes = [json.loads(r.value) for r in mine]
    assert [r.key for r in mine] == [body["userId"].encode()] * 2
    assert [e["eventType"] for e in envelopes] == ["user.created", "user.role-selected"]
    created, selected = envelopes
    assert created["source"] == "users"
    assert created["aggregateId"] == body["userId"]
    assert isinstance(created["timestamp"], int)
    assert created["payload"]["email"] == body["email"]
    assert selected["payload"]["role"] == "candidate"
    assert dict(mine[0].headers)["eventType"] == b"user.created"

"""Analytics through the real gateway with real Keycloak tokens: the gateway resolves the HR caller's company
from membership (the real users service) and the analytics service (served by uvicorn, its consumer filling an
embedded ClickHouse from Kafka) answers only that company's numbers: asking for another company's is refused,
and a candidate reads nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from analytics.consumers import TOPICS
from analytics.main import create_app as analytics_app
from analytics.settings import Settings as AnalyticsSettings
from kit.contracts import interviews
from kit.events import Envelope
from kit.kafka import make_producer
from kit.testing import (
    KAFKA_BOOTSTRAP,
    TOPIC_PREFIX,
    AppServer,
    alembic_upgrade,
    create_topics,
    delete_topics,
    settings_for_tests,
)

from .test_with_users_service import _token

ROOT = Path(__file__).resolve().parents[3]
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RANGE = {"from": "2026-03-01", "to": "2026-03-04"}


@pytest.fixture
async def analytics(tmp_path: Path) -> AsyncIterator[tuple[str, AnalyticsSettings]]:
    settings = settings_for_tests(
        AnalyticsSettings,
        "analytics",
        ingest_flush_ms=100,
        topic_prefix=f"{TOPIC_PREFIX}gw-analytics-{uuid.uuid4().hex[:8]}-",
        clickhouse_dsn=f"chdb://{tmp_path / 'clickhouse'}",
    )
    await asyncio.to_thread(alembic_upgrade, ROOT / "services" / "analytics", settings)
    topics = [settings.topic(t) for t in TOPICS]
    topics += [f"{t}-dlq" for t in topics]
    await create_topics(KAFKA_BOOTSTRAP, topics, partitions=1)
    app = analytics_app(settings)
    try:
        async with AppServer(app, start_timeout_s=120) as server:
            await app.state.warehouse.ready(timeout_s=120)
            yield server.url, settings
    finally:
        await delete_topics(KAFKA_BOOTSTRAP, topics)


def invited(company_id: str) -> Envelope:
    invitation_id = str(uuid.uuid4())
    event = interviews.InvitationCreated(
        invitation_id=invitation_id,
        template_id=str(uuid.uuid4()),
        template_title="Backend engineer",
        candidate_id=str(uuid.uuid4()),
        company_id=company_id,
        company_name="Acme",
        invited_by=str(uuid.uuid4()),
        expires_at=DAY + timedelta(days=7),
    )
    wrapped = Envelope.wrap(event, source="test", aggregate_id=invitation_id, correlation_id=None)
    return wrapped.model_copy(update={"occurred_at": DAY})


async def company_of(gateway: httpx.AsyncClient, auth: dict[str, str], name: str) -> str:
    created = await gateway.post(
        "/api/hr/companies", headers=auth, json={"name": name, "industry": "Software", "size": "11-50"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["companyId"])


async def test_hr_sees_only_their_company_s_numbers_and_neither_another_company_s_nor_a_candidate_any(
    make_gateway: Any, users_process: str, fresh_user: Any, analytics: tuple[str, AnalyticsSettings]
) -> None:
    analytics_url, settings = analytics
    gateway = await make_gateway(users_url=users_process, analytics_url=analytics_url)
    hr_a = await _token(await fresh_user("hr-analytics-a", roles=("hr",)))
    hr_b = await _token(await fresh_user("hr-analytics-b", roles=("hr",)))
    as_candidate = await _token(await fresh_user("cand-analytics", roles=("candidate",)))
    company_a = await company_of(gateway, hr_a, f"Acme {uuid.uuid4().hex[:8]}")
    company_b = await company_of(gateway, hr_b, f"Globex {uuid.uuid4().hex[:8]}")
    producer = await make_producer(settings)
    try:
        for envelope in [invited(company_a), invited(company_a), *(invited(company_b) for _ in range(3))]:
            topic = settings.topic(interviews.TOPIC)
            await producer.send_and_wait(topic, envelope.to_json(), key=envelope.aggregate_id.encode())
    finally:
        await producer.stop()

    async def overview(auth: dict[str, str], **params: str) -> httpx.Response:
        return await gateway.get("/api/analytics/overview", params={**RANGE, **params}, headers=auth)

    # The consumer is asynchronous: B's numbers arrive when B's HR sees all three.
    async with asyncio.timeout(60):
        while (await overview(hr_b)).json().get("invitations") != 3:
            await asyncio.sleep(0.2)
    own = await overview(hr_a)
    foreign = await overview(hr_a, companyId=company_b)
    candidate = await overview(as_candidate)
    candidate_foreign = await overview(as_candidate, companyId=company_a)

    assert own.status_code == 200, own.text
    assert own.json()["invitations"] == 2
    assert foreign.status_code == 403, foreign.text
    assert foreign.json()["code"] == "ANALYTICS_OTHER_COMPANY"
    assert candidate.status_code == 403 and candidate_foreign.status_code == 403
    assert company_b not in foreign.text and "invitations" not in foreign.text

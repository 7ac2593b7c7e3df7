"""`make demo` (deploy/demo/aivi_demo.py) against the real fleet: the gateway and every service (API, consumer,
worker) on the test database, test realm, test buckets and this run's topics; billing verifies Stripe webhooks
with a secret of this run, as `make up` gives it the local one. Transcription goes to the stand-in of the hosted
API, analysis runs the offline scorer. The demo runs twice (the second run changes nothing), then is removed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from devstack.config import ALL_TOPICS, KEYCLOAK_TEST_REALM
from kit.testing import (
    create_topics,
    delete_topics,
    free_port,
    load_script,
    make_service_engine,
    process_env,
    retire_stale_outbox_rows,
)
from standins.transcription import WhisperStandIn

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("gateway", "users", "interviews", "media", "analysis", "notifications", "billing")
WEBHOOK_SECRET = "whsec_demo_test"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


demo_module = load_script("aivi_demo", ROOT / "deploy" / "demo" / "aivi_demo.py")
# The browser journey's fleet helpers: processes with logs, stopped together; migrations in their own process.
web_test = load_script("aivi_test_web", ROOT / "tests" / "test_web.py")


async def forget_the_demo(interviews: Any, since: datetime) -> None:
    """The demo's invitations and templates are deleted from the interviews test schema (`--remove` leaves
    what the platform keeps after an account is deleted), where the interviews suite's expiry job, its clock in
    2030, would find the open ones."""
    engine = make_service_engine(interviews)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM invitations WHERE company_name = :name AND created_at >= :since"),
                {"name": demo_module.COMPANY, "since": since},
            )
            await connection.execute(
                text("DELETE FROM interview_templates WHERE title = ANY(:titles) AND created_at >= :since"),
                {"titles": list(demo_module.TEMPLATES), "since": since},
            )
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def run_fleet(kafka_bootstrap: str) -> AsyncIterator[str]:
    """Every service up and answering behind the gateway, whose URL it yields; all stopped on exit."""
    started_at = datetime.now(UTC)
    whisper = WhisperStandIn()
    await whisper.start()
    settings = {name: web_test.service_settings(name) for name in SERVICES}
    for name, s in settings.items():
        await asyncio.to_thread(web_test.migrate, name, s)
        await retire_stale_outbox_rows(s)
    topics = [f"{settings['gateway'].topic_prefix}{t}" for t in ALL_TOPICS]
    await create_topics(kafka_bootstrap, topics)
    ports = {name: free_port() for name in SERVICES}
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    extra = {
        "gateway": {
            "KEYCLOAK_REALM": KEYCLOAK_TEST_REALM,
            "KEYCLOAK_URL": web_test.KEYCLOAK,
            "API_RATE_LIMIT": "100000/minute",
            "AUTH_RATE_LIMIT": "1000/minute",
            **urls,
        },
        "users": {"S3_ENDPOINT": web_test.S3, "S3_BUCKET_PREFIX": "test-", "BILLING_URL": urls["BILLING_URL"]},
        "interviews": {"BILLING_URL": urls["BILLING_URL"], "QUOTA_ENFORCEMENT": "true"},
        "media": {
            "S3_ENDPOINT": web_test.S3,
            "S3_BUCKET_PREFIX": "test-",
            "TRANSCRIPTION_API_KEY": "stand-in-key",
            "TRANSCRIPTION_BASE_URL": whisper.base_url,
        },
        "analysis": {"LLM_API_KEY": ""},
        "notifications": {
            "EMAIL_PROVIDER": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(web_test.MAIL_PORTS.smtp),
        },
        "billing": {
            # Nothing listens here: the demo must not need Stripe's API, only its signed webhook.
            "STRIPE_SECRET_KEY": "sk_test_demo",
            "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}",
            "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
        },
    }
    fleet = web_test.Fleet()
    try:
        apis = []
        for name in SERVICES:
            common = {"PORT": str(ports[name]), "INTERNAL_AUTH_ENABLED": "false", "LOG_LEVEL": "WARNING"}
            env = process_env(settings[name], **{**common, "PYTHONUNBUFFERED": "1", **extra[name]})
            api = await fleet.spawn_service(name, ports[name], env, prefix="demo-")
            apis.append((api, f"http://127.0.0.1:{ports[name]}/health"))
        for proc, url in apis:
            await web_test.wait_until_up(fleet, proc, url)
        yield urls["GATEWAY_URL"]
    except BaseException:
        print(fleet.tails())
        raise
    finally:
        await fleet.stop()
        await delete_topics(kafka_bootstrap, topics)
        await whisper.stop()
        await forget_the_demo(settings["interviews"], started_at)


@pytest.fixture
async def gateway_url(kafka_bootstrap: str) -> AsyncIterator[str]:
    async with run_fleet(kafka_bootstrap) as url:
        yield url


def stack(gateway_url: str, marker: Path) -> Any:
    return demo_module.Stack(
        gateway_url=gateway_url,
        declined_marker=marker,
        keycloak_url=web_test.KEYCLOAK,
        realm=KEYCLOAK_TEST_REALM,
        stripe_webhook_secret=WEBHOOK_SECRET,
        timeout_s=240.0,
    )


def invitations_by_candidate(demo: Any) -> dict[str, dict[str, Any]]:
    seen = {}
    for hr in demo_module.HR:
        api = demo.api(hr)
        for invitation in demo_module.items(api.get("/api/invitations/hr", params={"limit": 100})):
            seen[str(invitation["candidateId"])] = api.get(f"/api/invitations/{invitation['id']}")
    return seen


async def test_the_demo_fills_every_state_once_and_removes_cleanly(gateway_url: str, tmp_path: Path) -> None:
    demo = demo_module.Demo(stack(gateway_url, tmp_path / "demo-removed"))
    try:
        await asyncio.to_thread(demo.run)
        first = await asyncio.to_thread(invitations_by_candidate, demo)
        assert len(first) == 12
        states = {}
        for person, _, target in demo_module.CANDIDATES:
            invitation = first[str(demo.me(person)["id"])]
            states[target] = states.get(target, 0) + 1
            expected_status = {"invited": "pending", "in_progress": "in_progress"}.get(target, "completed")
            assert invitation["status"] == expected_status, (person.email, invitation["status"])
            if target in ("approved", "rejected"):
                assert invitation["decision"] == target
            if target in ("analysed", "approved", "rejected"):
                assert invitation["analysis"]["status"] == "completed"
        assert set(states) == set(demo_module.STATES)
        # Both HR users are on the company's hiring team, so either reviews its interviews.
        company = await asyncio.to_thread(demo.company)
        team_path = f"/api/hr/companies/{company['id']}/members"
        team = demo_module.items(await asyncio.to_thread(demo.api(demo_module.HR[1]).get, team_path))
        assert {member["email"] for member in team} == {hr.email for hr in demo_module.HR}

        # A recorded answer is a real video with speech: media probed it and the transcription engine heard it.
        lucas = next(p for p, _, t in demo_module.CANDIDATES if t == "analysed")
        candidate = demo.api(lucas)
        recordings = demo_module.items(candidate.get("/api/media"))
        assert recordings and recordings[0]["audioCodec"] == "opus" and recordings[0]["durationSeconds"] > 2

        started = time.monotonic()
        again = demo_module.Demo(stack(gateway_url, tmp_path / "demo-removed"))
        await asyncio.to_thread(again.run)
        second_run_s = time.monotonic() - started
        assert await asyncio.to_thread(invitations_by_candidate, again) == first
        print(f"second demo run: {second_run_s:.1f}s")
    finally:
        await asyncio.to_thread(demo_module.Demo(stack(gateway_url, tmp_path / "demo-removed")).remove)
    assert (tmp_path / "demo-removed").exists()  # make up does not bring a removed demo back
    remaining = demo_module.Keycloak(stack(gateway_url, tmp_path / "demo-removed")).demo_users()
    assert remaining == []
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{gateway_url}/health")).status_code == 200

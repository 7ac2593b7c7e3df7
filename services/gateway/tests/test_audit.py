"""The audit trail written by the gateway: views, playback URLs, exports, decisions (with their reason), stage moves
and share links of HR callers are recorded after the upstream's 2xx; a share link opened without an account is
attributed to its company; HR reads and exports only their company's rows; the table is append-only in Postgres."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from gateway import analysis_api, consumers
from gateway.audit import AUDITED
from gateway.proxy import TABLE
from gateway.saga import Registration
from gateway.settings import Settings
from kit.contracts.privacy import ERASURE_REQUESTED, INVITATION_ERASED, InvitationErased, SubjectErasureRequested
from kit.db import transaction
from kit.events import Envelope
from kit.testing import INTERNAL_TOKEN, superuser_url

from .conftest import GatewayFactory, free_port, serving

RECORDED_IN = str(uuid.uuid4())
# The candidate every stub interview and recording belongs to, but UNCLAIMED's, whom no account claimed.
CANDIDATE = str(uuid.uuid4())
UNCLAIMED = str(uuid.uuid4())


def upstream_app() -> FastAPI:
    """The services behind the audited routes, answering as they do (a rejection without a note is refused)."""
    app = FastAPI()
    links: dict[str, str] = {}

    @app.get("/api/reviews/{invitation_id}")
    async def board(invitation_id: str) -> dict[str, Any]:
        return {"invitationId": invitation_id, "stage": "new"}

    @app.get("/api/invitations/{invitation_id}")
    async def invitation(invitation_id: str) -> dict[str, Any]:
        # An invitation no account claimed yet names its candidate after itself, as interviews does.
        unclaimed = invitation_id == UNCLAIMED
        return {"id": invitation_id, "candidateId": f"invitee:{invitation_id}" if unclaimed else CANDIDATE}

    @app.get("/api/v1/analysis/{invitation_id}")
    async def analysis(invitation_id: str) -> dict[str, Any]:
        return {"invitationId": invitation_id, "overallScore": 71}

    @app.get("/api/reviews/{invitation_id}/ai-visibility")
    async def ai_visibility(invitation_id: str) -> dict[str, Any]:
        return {"hidden": False}

    @app.get("/api/v1/media/{media_id}/stream")
    async def stream(media_id: str) -> dict[str, Any]:
        return {"mediaId": media_id, "url": "http://127.0.0.1/signed"}

    @app.get("/api/v1/media/{media_id}")
    async def media(media_id: str, request: Request) -> JSONResponse:
        # Asked by the gateway as the system (its playback answer names no interview); every recording here
        # belongs to one interview and candidate, the test's RECORDED_IN.
        if request.headers.get("x-user-id") != "system":
            return JSONResponse({"code": "MEDIA_NOT_FOUND"}, 404)
        return JSONResponse({"id": media_id, "invitationId": RECORDED_IN, "ownerId": CANDIDATE})

    @app.get("/api/reviews/templates/{template_id}/export.csv")
    async def export(template_id: str) -> PlainTextResponse:
        return PlainTextResponse("name,score\n", media_type="text/csv")

    @app.post("/api/invitations/{invitation_id}/{decision}")
    async def decide(invitation_id: str, decision: str, request: Request) -> JSONResponse:
        body = await request.json() if await request.body() else {}
        if decision == "reject" and not body.get("note"):
            return JSONResponse({"code": "VALIDATION_ERROR", "error": "A rejection needs a note"}, 422)
        return JSONResponse({"success": True})

    @app.post("/api/reviews/stage")
    async def stage(request: Request) -> dict[str, Any]:
        body = await request.json()
        return {"stage": body["stage"], "changed": len(body["invitationIds"])}

    @app.post("/api/reviews/{invitation_id}/share-links", status_code=201)
    async def share(invitation_id: str) -> dict[str, Any]:
        link = str(uuid.uuid4())
        token = f"{link}.4102444800.signature"
        links[token] = invitation_id
        return {"id": link, "token": token, "expiresAt": "2100-01-01T00:00:00Z"}

    @app.get("/api/shared")
    async def shared(token: str) -> JSONResponse:
        if token not in links:
            return JSONResponse({"code": "SHARE_LINK_NOT_FOUND", "error": "This link is not valid"}, 404)
        return JSONResponse({"templateTitle": "Backend engineer", "answers": []})

    @app.delete("/api/reviews/{invitation_id}/share-links/{link_id}", status_code=204)
    async def revoke(invitation_id: str, link_id: str) -> None:
        return None

    return app


@pytest.fixture(scope="module")
async def services() -> AsyncIterator[str]:
    async with serving(upstream_app()) as url:
        yield url


@pytest.fixture
async def gateway(make_audited_gateway: GatewayFactory, services: str) -> httpx.AsyncClient:
    return await make_audited_gateway(interviews_url=services, analysis_url=services, media_url=services)


def as_user(role: str, company: str | None, user: str | None = None) -> dict[str, str]:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user or str(uuid.uuid4()), "x-user-role": role}
    return {**headers, "x-company-id": company} if company else headers


async def trail(gateway: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await gateway.get("/api/hr/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_views_playback_exports_decisions_stages_and_share_links_are_recorded_with_their_reasons(
    gateway: httpx.AsyncClient,
) -> None:
    company, lead = str(uuid.uuid4()), str(uuid.uuid4())
    hr = as_user("hr", company, lead)
    one, two, media, template = (str(uuid.uuid4()) for _ in range(4))

    assert (await gateway.get(f"/api/reviews/{one}", headers=hr)).status_code == 200
    assert (await gateway.get(f"/api/invitations/{one}", headers=hr)).status_code == 200
    assert (await gateway.get(f"/api/analysis/{one}", headers=hr)).status_code == 200
    assert (await gateway.get(f"/api/media/{media}/stream", headers=hr)).status_code == 200
    exported = await gateway.get(f"/api/reviews/templates/{template}/export.csv?stage=new", headers=hr)
    assert exported.status_code == 200
    assert (await gateway.post(f"/api/invitations/{one}/approve", json={}, headers=hr)).status_code == 200
    refused = await gateway.post(f"/api/invitations/{two}/reject", json={}, headers=hr)
    assert refused.status_code == 422
    rejected = await gateway.post(f"/api/invitations/{two}/reject", json={"note": "No tests written"}, headers=hr)
    assert rejected.status_code == 200
    moved = await gateway.post(
        "/api/reviews/stage", json={"invitationIds": [one, two], "stage": "shortlisted"}, headers=hr
    )
    assert moved.status_code == 200
    link = (await gateway.post(f"/api/reviews/{one}/share-links", json={}, headers=hr)).json()
    opened = await gateway.get("/api/shared", params={"token": link["token"]})
    forged = await gateway.get("/api/shared", params={"token": f"{uuid.uuid4()}.1.forged"})
    assert (opened.status_code, forged.status_code) == (200, 404)
    revoked = await gateway.delete(f"/api/reviews/{one}/share-links/{link['id']}", headers=hr)
    assert revoked.status_code == 204
    # A candidate reading their own invitation is not what the trail is about.
    assert (await gateway.get(f"/api/invitations/{one}", headers=as_user("candidate", None))).status_code == 200

    rows = await trail(gateway, hr)

    got = [(r["action"], r.get("invitationId"), r["subjectId"], r.get("reason")) for r in reversed(rows)]
    assert got == [
        ("answers.viewed", one, one, None),
        ("answers.viewed", one, one, None),
        ("ai_scores.viewed", one, one, None),
        ("recording.played", RECORDED_IN, media, None),
        ("export.review_csv", None, template, None),
        ("decision.approved", one, one, "approved without a written reason"),
        ("decision.rejected", two, two, "No tests written"),
        ("stage.changed", one, one, "moved without a written reason"),
        ("stage.changed", two, two, "moved without a written reason"),
        ("share_link.created", one, link["id"], None),
        ("shared_link.viewed", one, link["id"], None),
        ("share_link.revoked", one, link["id"], None),
    ]
    by_action = {r["action"]: r for r in rows}
    assert all(r["companyId"] == company for r in rows)
    assert by_action["answers.viewed"]["actorId"] == lead
    assert by_action["shared_link.viewed"].get("actorId") is None
    assert by_action["shared_link.viewed"]["actorRole"] == "share_link"
    assert [r.get("candidateId") for r in rows if r["action"] == "answers.viewed"].count(CANDIDATE) == 1
    assert by_action["export.review_csv"]["detail"] == "stage=new"
    assert by_action["stage.changed"]["detail"] == "stage=shortlisted"


async def test_hr_sees_only_their_company_and_filters_by_actor_action_interview_and_dates_admins_see_all(
    gateway: httpx.AsyncClient,
) -> None:
    acme, globex = str(uuid.uuid4()), str(uuid.uuid4())
    ada, bob = as_user("hr", acme), as_user("hr", acme)
    eve = as_user("hr", globex)
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    await gateway.get(f"/api/reviews/{one}", headers=ada)
    await gateway.get(f"/api/analysis/{two}", headers=bob)
    await gateway.get(f"/api/reviews/{two}", headers=eve)
    now = datetime.now(UTC)

    everything = await trail(gateway, ada)
    by_bob = await trail(gateway, ada, actor=bob["x-user-id"])
    scores = await trail(gateway, ada, action="ai_scores.viewed")
    about_one = await trail(gateway, ada, invitationId=one)
    later = await trail(gateway, ada, **{"from": (now + timedelta(hours=1)).isoformat()})
    paged = (await gateway.get("/api/hr/audit", params={"limit": 1, "page": 2}, headers=ada)).json()
    as_admin = await trail(gateway, as_user("admin", None), companyId=globex)
    backwards = await gateway.get(
        "/api/hr/audit", params={"from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()}, headers=ada
    )
    not_an_id = await gateway.get("/api/hr/audit", params={"invitationId": "../x"}, headers=ada)
    by_candidate = await gateway.get("/api/hr/audit", headers=as_user("candidate", acme))

    assert {r["subjectId"] for r in everything} == {one, two}
    assert [r["action"] for r in by_bob] == [r["action"] for r in scores] == ["ai_scores.viewed"]
    assert [r["subjectId"] for r in about_one] == [one]
    assert later == []
    assert (paged["total"], paged["totalPages"], len(paged["items"])) == (2, 2, 1)
    assert [(r["companyId"], r["subjectId"]) for r in as_admin] == [(globex, two)]
    assert backwards.status_code == 422
    assert [d["field"] for d in backwards.json()["details"]] == ["from"]
    assert not_an_id.status_code == 422
    assert by_candidate.status_code == 403


async def test_hr_working_without_a_company_keeps_a_trail_of_their_own(gateway: httpx.AsyncClient) -> None:
    solo, other = as_user("hr", None), as_user("hr", None)
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await gateway.get(f"/api/reviews/{mine}", headers=solo)
    await gateway.get(f"/api/reviews/{theirs}", headers=other)

    rows = await trail(gateway, solo)

    # The solo recruiter's account is the trail's owner, as it is the billed account of their interviews.
    assert [(r["subjectId"], r["companyId"]) for r in rows] == [(mine, solo["x-user-id"])]


async def test_the_csv_export_holds_the_filtered_rows_and_is_itself_recorded(gateway: httpx.AsyncClient) -> None:
    company = str(uuid.uuid4())
    hr = as_user("hr", company)
    one = str(uuid.uuid4())
    await gateway.post(f"/api/invitations/{one}/approve", json={"note": "=HYPERLINK(1)"}, headers=hr)
    await gateway.get(f"/api/reviews/{one}", headers=hr)

    exported = await gateway.get("/api/hr/audit.csv", params={"action": "decision.approved"}, headers=hr)

    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["action"], r["invitation_id"], r["reason"]) for r in rows] == [
        ("decision.approved", one, "'=HYPERLINK(1)")
    ]
    [export] = await trail(gateway, hr, action="export.audit_csv")
    assert (export["actorId"], export["detail"]) == (hr["x-user-id"], "action=decision.approved")


async def test_a_view_that_cannot_be_recorded_is_refused_and_nothing_is_handed_out(
    make_gateway: GatewayFactory, services: str
) -> None:
    client = await make_gateway(interviews_url=services)
    nowhere = create_async_engine(f"postgresql+asyncpg://gateway:x@127.0.0.1:{free_port()}/none")
    client.app_state.sessions = async_sessionmaker(nowhere)  # type: ignore[attr-defined]
    try:
        response = await client.get(f"/api/reviews/{uuid.uuid4()}", headers=as_user("hr", str(uuid.uuid4())))
    finally:
        await nowhere.dispose()

    assert (response.status_code, response.json()["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert "stage" not in response.text


async def test_no_role_can_change_or_remove_an_audit_row(engine: AsyncEngine, migrated: Settings) -> None:
    row = {"id": uuid.uuid4(), "subject": str(uuid.uuid4())}
    insert = text(
        "INSERT INTO audit_events (id, actor_role, action, subject_type, subject_id) "
        "VALUES (:id, 'hr', 'answers.viewed', 'invitation', :subject)"
    )
    refused: list[str] = []
    async with engine.connect() as conn:
        outer = await conn.begin()
        await conn.execute(insert, row)
        for statement in (
            "UPDATE audit_events SET reason = 'edited' WHERE id = :id",
            "DELETE FROM audit_events WHERE id = :id",
            "TRUNCATE audit_events",
        ):
            savepoint = await conn.begin_nested()
            with pytest.raises(DBAPIError) as failed:
                await conn.execute(text(statement), {"id": row["id"]})
            refused.append(str(failed.value.orig))
            await savepoint.rollback()
        await outer.rollback()
    # Even a role with every privilege (the superuser) is stopped by the trigger.
    owner = create_async_engine(superuser_url(), connect_args={"server_settings": {"search_path": "gateway"}})
    try:
        async with owner.connect() as conn:
            outer = await conn.begin()
            await conn.execute(insert, row)
            with pytest.raises(DBAPIError) as by_superuser:
                await conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": row["id"]})
            await outer.rollback()
    finally:
        await owner.dispose()

    assert all("permission denied" in message for message in refused), refused
    assert "append-only" in str(by_superuser.value.orig)


def test_every_audited_route_is_a_proxied_route() -> None:
    # The analysis is relayed by its own route, which records the view itself once interviews let it through.
    proxied = {(forward.method, forward.path) for forward in TABLE} | {("GET", analysis_api.ROUTE)}

    assert set(AUDITED) <= proxied


async def audit_rows_as_stored(sessions: async_sessionmaker[Any], company: str) -> str:
    """Every column of the company's rows as Postgres holds them, as one text."""
    async with sessions() as session:
        found = await session.execute(
            text("SELECT audit_events::text FROM audit_events WHERE company_id = :c"), {"c": company}
        )
        return "\n".join(row[0] for row in found)


async def hr_reviews_one_candidate(gateway: httpx.AsyncClient, hr: dict[str, str], one: str, media: str) -> str:
    """HR reads the interview and its recording, rejects it with a note naming the candidate, shares it; returns
    the share link's id."""
    assert (await gateway.get(f"/api/invitations/{one}", headers=hr)).status_code == 200
    assert (await gateway.get(f"/api/media/{media}/stream", headers=hr)).status_code == 200
    rejected = await gateway.post(f"/api/invitations/{one}/reject", json={"note": "Ida Example was vague"}, headers=hr)
    assert rejected.status_code == 200
    link = (await gateway.post(f"/api/reviews/{one}/share-links", json={}, headers=hr)).json()
    assert (await gateway.get("/api/shared", params={"token": link["token"]})).status_code == 200
    return str(link["id"])


async def test_rows_name_candidates_interviews_recordings_and_links_by_pseudonym_and_seal_the_reason(
    gateway: httpx.AsyncClient, sessions: async_sessionmaker[Any]
) -> None:
    company = str(uuid.uuid4())
    hr = as_user("hr", company)
    media = str(uuid.uuid4())
    link = await hr_reviews_one_candidate(gateway, hr, RECORDED_IN, media)

    stored = await audit_rows_as_stored(sessions, company)
    by_candidate = await trail(gateway, hr, candidateId=CANDIDATE)
    by_interview = await trail(gateway, hr, invitationId=RECORDED_IN)

    assert stored.count("\n") == 4  # five rows
    for real in (RECORDED_IN, CANDIDATE, media, link, "Ida Example"):
        assert real not in stored
    # While the mappings exist, HR reads and filters the trail by the real ids as before.
    assert [(r["action"], r["subjectId"]) for r in reversed(by_candidate)] == [
        ("answers.viewed", RECORDED_IN),
        ("recording.played", media),
    ]
    assert [(r["action"], r.get("reason")) for r in reversed(by_interview)] == [
        ("answers.viewed", None),
        ("recording.played", None),
        ("decision.rejected", "Ida Example was vague"),
        ("share_link.created", None),
        ("shared_link.viewed", None),
    ]
    assert {r["subjectId"] for r in by_interview if r["subjectType"] == "share_link"} == {link}


async def test_an_erased_person_and_interview_leave_rows_that_say_who_did_what_when_about_no_one(
    gateway: httpx.AsyncClient, sessions: async_sessionmaker[Any]
) -> None:
    company = str(uuid.uuid4())
    hr = as_user("hr", company)
    media, other = str(uuid.uuid4()), str(uuid.uuid4())
    link = await hr_reviews_one_candidate(gateway, hr, RECORDED_IN, media)
    kept = await gateway.post(f"/api/invitations/{other}/reject", json={"note": "Bo Other was late"}, headers=hr)
    assert kept.status_code == 200
    before = await trail(gateway, hr)
    now = datetime.now(UTC)
    requested = SubjectErasureRequested(
        erasure_id=uuid.uuid4(), user_id=uuid.UUID(CANDIDATE), email="ida@example.com", requested_at=now
    )

    async with transaction(sessions) as session:
        await consumers.person_erased(session, envelope(requested))
    async with transaction(sessions) as session:
        erased = InvitationErased(invitation_id=RECORDED_IN, erasure_id=uuid.uuid4(), reason="subject", erased_at=now)
        await consumers.invitation_erased(session, envelope(erased))
        await consumers.invitation_erased(session, envelope(erased))  # a redelivery finds nothing to forget

    after = await trail(gateway, hr)
    shown = repr(after)

    assert [(r["id"], r["at"], r.get("actorId"), r["action"]) for r in after] == [
        (r["id"], r["at"], r.get("actorId"), r["action"]) for r in before
    ]
    for real in (RECORDED_IN, CANDIDATE, media, link, "Ida Example"):
        assert real not in shown
    assert [r.get("reason") for r in after if r["action"] == "decision.rejected"] == ["Bo Other was late", None]
    # Rows about the erased interview still read together, under a pseudonym that leads nowhere.
    assert len({r["invitationId"] for r in after if r.get("invitationId") != other}) == 1
    assert await trail(gateway, hr, candidateId=CANDIDATE) == []
    assert await trail(gateway, hr, invitationId=RECORDED_IN) == []
    assert [r["action"] for r in await trail(gateway, hr, invitationId=other)] == ["decision.rejected"]


def envelope(event: Any) -> Envelope:
    return Envelope.wrap(event, source="test", aggregate_id=str(uuid.uuid4()), correlation_id=None)


def test_the_consumer_follows_every_erasure_the_trail_must_forget() -> None:
    assert set(consumers.HANDLERS) == {ERASURE_REQUESTED, INVITATION_ERASED}
    assert set(consumers.TOPICS) == {SubjectErasureRequested.TOPIC, InvitationErased.TOPIC}


async def test_an_erased_persons_registration_goes_with_them_and_no_one_elses(
    sessions: async_sessionmaker[Any],
) -> None:
    erased, kept = uuid.uuid4(), uuid.uuid4()
    async with transaction(sessions) as session:
        for user in (erased, kept):
            session.add(
                Registration(keycloak_id=str(uuid.uuid4()), user_id=user, email=f"{user}@x.io", status="completed")
            )
    requested = SubjectErasureRequested(
        erasure_id=uuid.uuid4(), user_id=erased, email=f"{erased}@x.io", requested_at=datetime.now(UTC)
    )

    async with transaction(sessions) as session:
        await consumers.person_erased(session, envelope(requested))
    async with sessions() as session:
        found = await session.scalars(select(Registration.user_id).where(Registration.user_id.in_([erased, kept])))
        left = found.all()

    assert left == [kept]


async def test_an_erased_unclaimed_invitation_takes_its_candidates_pseudonym_along(
    gateway: httpx.AsyncClient, sessions: async_sessionmaker[Any]
) -> None:
    hr = as_user("hr", str(uuid.uuid4()))
    assert (await gateway.get(f"/api/invitations/{UNCLAIMED}", headers=hr)).status_code == 200
    [viewed] = await trail(gateway, hr)
    erased = InvitationErased(invitation_id=UNCLAIMED, erasure_id=None, reason="retention", erased_at=datetime.now(UTC))

    async with transaction(sessions) as session:
        await consumers.invitation_erased(session, envelope(erased))
    async with sessions() as session:
        left = await session.execute(
            text("SELECT count(*) FROM audit_pseudonyms WHERE real_id LIKE :id"), {"id": f"%{UNCLAIMED}%"}
        )
    [after] = await trail(gateway, hr)

    assert viewed["candidateId"] == f"invitee:{UNCLAIMED}"
    assert left.scalar() == 0
    assert UNCLAIMED not in repr(after)

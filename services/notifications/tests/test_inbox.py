"""The inbox and preferences through the API: events become in-app items and e-mails for the right user, the
list pages both ways, the unread count counts only unread in-app items, reading one or all sets `readAt`,
and preferences merge key by key and refuse unknown keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.contracts import interviews, users
from kit.testing import INTERNAL_TOKEN
from notifications.domain import SWITCHABLE, Notification
from notifications.schemas import NotificationView


def decision(
    candidate: Any, hr: Any, *, approved: bool = True
) -> interviews.CandidateApproved | interviews.CandidateRejected:
    kind = interviews.CandidateApproved if approved else interviews.CandidateRejected
    return kind(
        invitation_id=str(uuid.uuid4()),
        candidate_id=candidate.id,
        candidate_email=candidate.email,
        candidate_name="Ada Lovelace",
        template_id=str(uuid.uuid4()),
        template_title="Backend Engineer",
        company_name="Acme",
        hr_user_id=hr.id,
        note="Great answers.",
        decided_at=datetime.now(UTC),
    )


async def test_a_decision_reaches_the_candidate_in_app_and_by_email_and_nobody_else(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    await apply(decision(candidate, hr))

    mine = (await client.get("/api/notifications", headers=candidate.headers)).json()
    theirs = (await client.get("/api/notifications", headers=hr.headers)).json()

    assert {(i["channel"], i["template"], i["status"]) for i in mine["items"]} == {
        ("in_app", "candidate_approved", "sent"),
        ("email", "candidate_approved", "pending"),
    }
    in_app = next(i for i in mine["items"] if i["channel"] == "in_app")
    assert in_app["title"] == "Congratulations! You have been approved"
    assert in_app["body"] == 'Acme approved you for "Backend Engineer".'
    assert in_app["link"].startswith("/candidate/results/")
    assert in_app["readAt"] is None
    assert (mine["total"], mine["page"], mine["totalPages"]) == (2, 1, 1)
    assert theirs["items"] == []


async def test_the_list_pages_by_page_and_by_the_references_offset(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    for _ in range(3):
        await apply(decision(candidate, hr))

    by_page = (await client.get("/api/notifications?channel=in_app&page=2&limit=2", headers=candidate.headers)).json()
    by_offset = (
        await client.get("/api/notifications?channel=in_app&offset=2&limit=2", headers=candidate.headers)
    ).json()
    newest = (await client.get("/api/notifications?channel=in_app&limit=1", headers=candidate.headers)).json()

    assert by_page == by_offset
    assert (by_page["total"], by_page["page"], by_page["limit"], by_page["totalPages"]) == (3, 2, 2, 2)
    assert len(by_page["items"]) == 1
    assert newest["items"][0]["seq"] > by_page["items"][0]["seq"]


async def test_a_full_page_and_a_page_past_the_end_both_count_every_matching_item(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    for _ in range(3):
        await apply(decision(candidate, hr))

    async def listed(query: str) -> dict[str, Any]:
        return (await client.get(f"/api/notifications?{query}", headers=candidate.headers)).json()  # type: ignore[no-any-return]

    full = await listed("channel=in_app&limit=2")
    past = await listed("channel=in_app&page=5&limit=2")
    unread_past = await listed("unread=true&offset=7&limit=2")

    assert (full["total"], full["totalPages"], len(full["items"])) == (3, 2, 2)
    assert (past["total"], past["page"], past["items"]) == (3, 5, [])
    assert (unread_past["total"], unread_past["page"], unread_past["items"]) == (3, 4, [])


async def test_the_unread_count_counts_unread_in_app_items_only_and_read_all_clears_it(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    await apply(decision(candidate, hr))
    await apply(decision(candidate, hr, approved=False))

    before = (await client.get("/api/notifications/unread-count", headers=candidate.headers)).json()
    first = (await client.get("/api/notifications?unread=true", headers=candidate.headers)).json()["items"][0]
    read_one = await client.post(f"/api/notifications/{first['id']}/read", headers=candidate.headers)
    after_one = (await client.get("/api/notifications/unread-count", headers=candidate.headers)).json()
    read_all = await client.post("/api/notifications/read-all", headers=candidate.headers)
    after_all = (await client.get("/api/notifications/unread-count", headers=candidate.headers)).json()
    items = (await client.get("/api/notifications?channel=in_app", headers=candidate.headers)).json()["items"]

    assert before == {"count": 2}  # two in-app items; the two e-mails are not counted
    assert (read_one.status_code, read_one.json()) == (201, {"success": True})
    assert after_one == {"count": 1}
    assert (read_all.status_code, read_all.json()) == (201, {"success": True, "count": 1})
    assert after_all == {"count": 0}
    assert all(i["readAt"] is not None for i in items)


async def test_another_users_notification_cannot_be_read_and_answers_not_found(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    await apply(decision(candidate, hr))
    item = (await client.get("/api/notifications", headers=candidate.headers)).json()["items"][0]

    stranger = await client.post(f"/api/notifications/{item['id']}/read", headers=hr.headers)
    missing = await client.post(f"/api/notifications/{uuid.uuid4()}/read", headers=hr.headers)

    assert (stranger.status_code, stranger.json()["code"]) == (404, "NOTIFICATION_NOT_FOUND")
    assert missing.status_code == 404


async def test_the_inbox_needs_the_gateways_identity_not_a_bare_user_header(
    client: httpx.AsyncClient, candidate: Any
) -> None:
    bare = await client.get("/api/notifications", headers={"x-user-id": candidate.id})
    forged = await client.get("/api/notifications", headers={"x-user-id": candidate.id, "x-internal-token": "guess"})

    assert bare.status_code == forged.status_code == 401


async def test_preferences_default_to_everything_on_and_merge_key_by_key(
    client: httpx.AsyncClient, candidate: Any
) -> None:
    defaults = (await client.get("/api/preferences", headers=candidate.headers)).json()
    first = await client.put(
        "/api/preferences", json={"subscriptions": {"invitation": False}}, headers=candidate.headers
    )
    await client.put(
        "/api/preferences",
        json={"emailEnabled": False, "subscriptions": {"weekly_digest": False, "invitation": True}},
        headers=candidate.headers,
    )
    await client.put("/api/preferences", json={"subscriptions": {"analysis_ready": False}}, headers=candidate.headers)
    stored = (await client.get("/api/preferences", headers=candidate.headers)).json()

    assert (defaults["emailEnabled"], defaults["inAppEnabled"], defaults["subscriptions"]) == (True, True, {})
    assert (first.status_code, first.json()) == (200, {"success": True})
    assert stored["userId"] == candidate.id
    assert (stored["emailEnabled"], stored["inAppEnabled"]) == (False, True)
    assert stored["subscriptions"] == {"invitation": True, "weekly_digest": False, "analysis_ready": False}


async def test_an_unknown_or_unswitchable_preference_key_is_refused_naming_it(
    client: httpx.AsyncClient, candidate: Any
) -> None:
    unknown = await client.put(
        "/api/preferences", json={"subscriptions": {"lottery": False}}, headers=candidate.headers
    )
    welcome = await client.put(
        "/api/preferences", json={"subscriptions": {"welcome": False}}, headers=candidate.headers
    )
    webhook_disabled = await client.put(
        "/api/preferences", json={"subscriptions": {"webhook_disabled": False}}, headers=candidate.headers
    )
    bad_field = await client.put("/api/preferences", json={"smsEnabled": True}, headers=candidate.headers)
    bad_value = await client.put(
        "/api/preferences", json={"subscriptions": {"invitation": "nope"}}, headers=candidate.headers
    )

    assert (unknown.status_code, unknown.json()["code"]) == (422, "UNKNOWN_SUBSCRIPTION")
    assert "lottery" in unknown.json()["error"]
    assert unknown.json()["details"][0]["field"] == "subscriptions.lottery"
    assert welcome.status_code == 422 and "welcome" in welcome.json()["error"]
    assert webhook_disabled.status_code == 422
    assert webhook_disabled.json()["details"][0]["field"] == "subscriptions.webhook_disabled"
    assert bad_field.status_code == bad_value.status_code == 422


def test_the_switchable_templates_are_the_twelve_a_user_may_opt_out_of() -> None:
    switchable = set(SWITCHABLE)

    assert switchable == {
        "invitation",
        "invitation_reminder",
        "interview_started",
        "interview_completed",
        "analysis_ready",
        "analysis_failed",
        "candidate_approved",
        "candidate_rejected",
        "payment_confirmed",
        "payment_failed",
        "quota_exceeded",
        "weekly_digest",
    }


async def test_a_channel_switched_off_stores_nothing_on_it(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    await client.put("/api/preferences", json={"inAppEnabled": False}, headers=candidate.headers)
    await client.put(
        "/api/preferences", json={"subscriptions": {"candidate_rejected": False}}, headers=candidate.headers
    )

    await apply(decision(candidate, hr))
    await apply(decision(candidate, hr, approved=False))
    items = (await client.get("/api/notifications", headers=candidate.headers)).json()["items"]

    assert [(i["channel"], i["template"]) for i in items] == [("email", "candidate_approved")]


async def test_the_welcome_email_goes_out_even_with_every_email_switched_off(
    client: httpx.AsyncClient, apply: Any, clock: Any, make_user: Any
) -> None:
    user = make_user("pending")
    await client.put("/api/preferences", json={"emailEnabled": False}, headers=user.headers)

    await apply(
        users.UserCreated(
            user_id=uuid.UUID(user.id),
            company_id=uuid.UUID(user.id),
            external_auth_id="kc-1",
            email=user.email,
            first_name="Grace",
            last_name="Hopper",
            status="active",
            role="pending",
            created_at=clock.now - timedelta(seconds=1),
        )
    )
    items = (await client.get("/api/notifications", headers=user.headers)).json()["items"]

    assert [(i["channel"], i["template"], i["recipientEmail"]) for i in items] == [("email", "welcome", user.email)]
    assert INTERNAL_TOKEN  # the identity above is the gateway's: the internal token with the user headers


async def test_bad_list_parameters_are_refused_with_a_422_naming_each_in_the_query(
    client: httpx.AsyncClient, candidate: Any
) -> None:
    cases = {
        "limit=0": "limit",
        "limit=1001": "limit",
        "page=abc": "page",
        "offset=-1": "offset",
        "channel=fax": "channel",
        "unread=maybe": "unread",
    }
    for query, field in cases.items():
        answer = await client.get(f"/api/notifications?{query}", headers=candidate.headers)
        body = answer.json()
        assert (answer.status_code, body["code"]) == (422, "VALIDATION_ERROR"), query
        assert [(d["field"], d["location"]) for d in body["details"]] == [(field, "query")], query
    both = (await client.get("/api/notifications?limit=0&channel=fax", headers=candidate.headers)).json()
    assert sorted(d["field"] for d in both["details"]) == ["channel", "limit"]


async def test_the_list_takes_the_last_of_a_repeated_parameter_and_ignores_unknown_ones(
    client: httpx.AsyncClient, apply: Any, candidate: Any, hr: Any
) -> None:
    await apply(decision(candidate, hr))
    await apply(decision(candidate, hr, approved=False))

    page = (await client.get("/api/notifications?limit=5&limit=1&colour=red", headers=candidate.headers)).json()

    assert (page["limit"], len(page["items"])) == (1, 1)


async def test_the_api_document_lists_the_inbox_query_parameters_with_their_bounds_and_its_422(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/notifications"]["get"]["parameters"]}

    assert list(parameters) == ["page", "limit", "offset", "channel", "unread"]
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert (parameters["limit"]["schema"]["minimum"], parameters["limit"]["schema"]["maximum"]) == (1, 1000)
    assert parameters["limit"]["schema"]["default"] == 20
    assert parameters["channel"]["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/Channel"}
    assert "Channel" in spec["components"]["schemas"]
    assert spec["paths"]["/api/notifications"]["get"]["responses"]["422"]["content"]["application/json"] == {
        "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}
    }


async def test_each_listed_item_is_the_notifications_own_view_for_every_filter_and_page(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], candidate: Any
) -> None:
    now = datetime.now(UTC)
    data: list[dict[str, Any]] = [
        {},
        {"invitationId": str(uuid.uuid4()), "companyName": 'Acme "Ltd" é😀'},
        {"n": 123456789012345678901234567890, "x": 0.30000000000000004, "f": 1.0, "nested": [{"a": None}, [], True]},
    ]
    rows = [
        {
            "id": uuid.uuid4(),
            "recipient_id": candidate.id,
            "recipient_email": candidate.email if n % 4 else None,
            "channel": "in_app" if n % 3 else "email",
            "template": "candidate_approved",
            "status": ("sent", "pending", "failed")[n % 3],
            "data": data[n % 3],
            "title": f"Title {n}",
            "body": "Line one\nline two",
            "link": f"/candidate/results/{n}" if n % 2 else None,
            "locale": "en",
            "read_at": now - timedelta(seconds=n) if n % 2 else None,
            "sent_at": now.replace(microsecond=0) if n % 3 else None,
            "error": "smtp said no" if n % 3 == 2 else None,
            "retry_count": n % 3,
            "created_at": now - timedelta(minutes=n),
            "updated_at": now,
        }
        for n in range(7)
    ]
    async with sessions() as session, session.begin():
        await session.execute(insert(Notification.__table__), rows)  # type: ignore[arg-type]
    async with sessions() as session:
        stored = (
            await session.scalars(
                select(Notification).where(Notification.recipient_id == candidate.id).order_by(Notification.seq.desc())
            )
        ).all()
    views = [NotificationView.of(n).model_dump(mode="json", by_alias=True) for n in stored]

    def of(predicate: Any) -> list[dict[str, Any]]:
        return [view for view in views if predicate(view)]

    cases = {
        "": views,
        "limit=3&page=2": views[3:6],
        "offset=5&limit=3": views[5:],
        "channel=email": of(lambda v: v["channel"] == "email"),
        "unread=true": of(lambda v: v["channel"] == "in_app" and v["readAt"] is None),
        "channel=in_app&unread=true&limit=1": of(lambda v: v["channel"] == "in_app" and v["readAt"] is None)[:1],
        "page=9": [],
    }
    for query, expected in cases.items():
        answer = (await client.get(f"/api/notifications?{query}", headers=candidate.headers)).json()
        assert answer["items"] == expected, query

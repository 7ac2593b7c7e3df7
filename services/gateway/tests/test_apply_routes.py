"""The public apply link and saved messages at the edge: anyone reaches the apply page and the application
without signing in (with their address for the service's rate limits); managing the link and the company's saved
messages is HR's, in their company's name."""

from __future__ import annotations

import uuid
from typing import Any

from kit.testing import INTERNAL_TOKEN


def internal(user_id: str, role: str, company: str | None = None) -> dict[str, str]:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}
    if company:
        headers["x-company-id"] = company
    return headers


async def test_the_apply_page_and_the_application_reach_interviews_without_signing_in(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)

    page = (await gateway.get("/api/invites/apply", params={"token": "t.n.sig"})).json()
    applied = await gateway.post(
        "/api/invites/apply", json={"token": "t.n.sig", "name": "Ada", "email": "ada@example.com"}
    )

    assert (page["method"], page["path"], page["query"]) == ("GET", "/api/invites/apply", "token=t.n.sig")
    assert "x-user-id" not in page["headers"]
    assert (applied.json()["method"], applied.json()["path"]) == ("POST", "/api/invites/apply")
    assert applied.json()["headers"]["x-client-ip"]


async def test_only_hr_manages_an_apply_link_and_the_change_carries_their_company(make_gateway: Any, stub: Any) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    path = f"/api/invites/apply-links/{uuid.uuid4()}"

    candidate = await gateway.put(path, json={"enabled": True}, headers=internal("u-1", "candidate"))
    anonymous = await gateway.get(path)
    changed = (await gateway.put(path, json={"enabled": True}, headers=internal("u-2", "hr", "c-1"))).json()
    read = (await gateway.get(path, headers=internal("u-2", "hr", "c-1"))).json()

    assert candidate.status_code == 403
    assert anonymous.status_code == 401
    assert (changed["method"], changed["path"], changed["headers"]["x-company-id"]) == ("PUT", path, "c-1")
    assert (read["method"], read["path"]) == ("GET", path)


async def test_saved_messages_are_hrs_and_reach_interviews_with_the_callers_company(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    one = f"/api/message-templates/{uuid.uuid4()}"

    candidate = await gateway.get("/api/message-templates", headers=internal("u-1", "candidate"))
    answers = [
        (await gateway.request(method, path, json=body, headers=internal("u-2", "hr", "c-1"))).json()
        for method, path, body in (
            ("GET", "/api/message-templates", None),
            ("POST", "/api/message-templates", {"name": "Polite", "body": "Hi"}),
            ("PUT", one, {"name": "Polite", "body": "Hello"}),
            ("DELETE", one, None),
        )
    ]

    assert candidate.status_code == 403
    assert [(a["method"], a["path"], a["headers"]["x-company-id"]) for a in answers] == [
        ("GET", "/api/message-templates", "c-1"),
        ("POST", "/api/message-templates", "c-1"),
        ("PUT", one, "c-1"),
        ("DELETE", one, "c-1"),
    ]

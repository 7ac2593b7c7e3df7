"""The template version routes at the edge: HR's revise and version history reach the interviews service as sent,
and a candidate is refused before any upstream is called; the template list's search travels with it."""

from __future__ import annotations

import uuid
from typing import Any

from kit.testing import INTERNAL_TOKEN


def internal(user_id: str, role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}


async def test_hr_revises_a_template_and_reads_its_versions_through_the_gateway(make_gateway: Any, stub: Any) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    template = str(uuid.uuid4())

    revised = (await gateway.post(f"/api/templates/{template}/revise", headers=internal("u-1", "hr"))).json()
    versions = (await gateway.get(f"/api/templates/{template}/versions", headers=internal("u-1", "hr"))).json()
    searched = (
        await gateway.get("/api/templates", params={"search": "Berlin Q1"}, headers=internal("u-1", "hr"))
    ).json()

    assert (revised["method"], revised["path"]) == ("POST", f"/api/templates/{template}/revise")
    assert (versions["method"], versions["path"]) == ("GET", f"/api/templates/{template}/versions")
    assert searched["query"] == "search=Berlin+Q1"


async def test_a_candidate_may_neither_revise_a_template_nor_read_its_versions(make_gateway: Any, stub: Any) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    template = str(uuid.uuid4())

    revise = await gateway.post(f"/api/templates/{template}/revise", headers=internal("u-2", "candidate"))
    versions = await gateway.get(f"/api/templates/{template}/versions", headers=internal("u-2", "candidate"))

    assert (revise.status_code, versions.status_code) == (403, 403)
    assert revise.json()["success"] is False

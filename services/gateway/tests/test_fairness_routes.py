"""The fairness routes at the edge: the adverse-impact report reaches the interviews service with the caller's
company and its filters, and self-identification is a candidate's alone."""

from __future__ import annotations

import uuid
from typing import Any

from kit.testing import INTERNAL_TOKEN


def internal(user_id: str, role: str, company: str | None = None) -> dict[str, str]:
    headers = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}
    if company:
        headers["x-company-id"] = company
    return headers


async def test_the_report_and_its_csv_reach_interviews_with_the_callers_company_and_filters(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    template = str(uuid.uuid4())
    for path in ("/api/fairness/report", "/api/fairness/report.csv"):
        echoed = (await gateway.get(path, params={"templateId": template}, headers=internal("u-1", "hr", "c-1"))).json()
        assert (echoed["method"], echoed["path"], echoed["query"]) == ("GET", path, f"templateId={template}")
        assert echoed["headers"]["x-company-id"] == "c-1"


async def test_self_identification_is_refused_at_the_edge_to_anyone_but_a_candidate(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    for role in ("hr", "admin"):
        for method in ("GET", "PUT", "DELETE"):
            answer = await gateway.request(method, "/api/self-identification", headers=internal("u-2", role))
            assert answer.status_code == 403, (role, method)
    mine = await gateway.put("/api/self-identification", json={"sex": "female"}, headers=internal("u-3", "candidate"))
    assert (mine.json()["path"], mine.json()["headers"]["x-user-id"]) == ("/api/self-identification", "u-3")
    refused = await gateway.get("/api/fairness/report", headers=internal("u-3", "candidate"))
    assert refused.status_code == 403

"""The rubric and calibration routes at the edge: HR's reads and writes reach the interviews service as sent, and
a candidate is refused before any upstream is called."""

from __future__ import annotations

import uuid
from typing import Any

from kit.testing import INTERNAL_TOKEN


def internal(user_id: str, role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}


async def test_hr_reads_and_sets_rubrics_and_reads_the_calibration_through_the_gateway(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    template, question = str(uuid.uuid4()), str(uuid.uuid4())
    hr = internal("u-1", "hr")

    read = (await gateway.get(f"/api/templates/{template}/rubric", headers=hr)).json()
    saved = (await gateway.put(f"/api/templates/{template}/rubric", json={"criteria": []}, headers=hr)).json()
    own = (
        await gateway.put(f"/api/templates/{template}/questions/{question}/rubric", json={"criteria": []}, headers=hr)
    ).json()
    calibration = (await gateway.get(f"/api/templates/{template}/calibration", headers=hr)).json()

    assert (read["method"], read["path"]) == ("GET", f"/api/templates/{template}/rubric")
    assert (saved["method"], saved["path"]) == ("PUT", f"/api/templates/{template}/rubric")
    assert (own["method"], own["path"]) == ("PUT", f"/api/templates/{template}/questions/{question}/rubric")
    assert (calibration["method"], calibration["path"]) == ("GET", f"/api/templates/{template}/calibration")


async def test_a_candidate_may_neither_read_nor_set_a_rubric_nor_read_the_calibration(
    make_gateway: Any, stub: Any
) -> None:
    gateway = await make_gateway(interviews_url=stub[0].url)
    template = str(uuid.uuid4())
    candidate = internal("u-2", "candidate")

    refused = [
        await gateway.get(f"/api/templates/{template}/rubric", headers=candidate),
        await gateway.put(f"/api/templates/{template}/rubric", json={"criteria": []}, headers=candidate),
        await gateway.get(f"/api/templates/{template}/calibration", headers=candidate),
    ]

    assert [r.status_code for r in refused] == [403, 403, 403]
    assert all(r.json()["success"] is False for r in refused)

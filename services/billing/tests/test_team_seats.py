"""Team seats: the users service reserves one per member it adds (key: the membership's id), its
`company.member_added` confirms the seat and `company.member_removed` frees it; the company's creator holds the
first seat, so Free (one seat) refuses a second person with 402."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from kit.contracts import users
from kit.testing import INTERNAL_TOKEN, Caller

from .conftest import Apply

INTERNAL = {"x-internal-token": INTERNAL_TOKEN}


def member_event(
    company: str, membership: str, *, added: bool
) -> users.CompanyMemberAdded | users.CompanyMemberRemoved:
    ids = {"company_id": uuid.UUID(company), "user_id": uuid.uuid4(), "membership_id": uuid.UUID(membership)}
    if added:
        return users.CompanyMemberAdded(**ids, added_by=uuid.UUID(company), added_at=datetime.now(UTC))
    return users.CompanyMemberRemoved(**ids, removed_by=uuid.UUID(company), removed_at=datetime.now(UTC))


async def test_a_member_added_takes_a_seat_until_removed_and_free_has_one_seat_only(
    client: httpx.AsyncClient, apply: Apply, hr: Caller
) -> None:
    path = f"/api/billing/internal/quota/{hr.id}/teamMembers"
    first = str(uuid.uuid4())
    reserved = await client.post(f"{path}/reservations", json={"key": first}, headers=INTERNAL)
    assert reserved.status_code == 201, reserved.text
    await apply(member_event(hr.id, first, added=True))
    assert (await client.get(path, headers=INTERNAL)).json()["used"] == 1

    refused = await client.post(f"{path}/reservations", json={"key": str(uuid.uuid4())}, headers=INTERNAL)
    assert (refused.status_code, refused.json()["code"]) == (402, "QUOTA_EXCEEDED")
    assert refused.json()["details"]["resource"] == "teamMembers"

    await apply(member_event(hr.id, first, added=False))
    assert (await client.get(path, headers=INTERNAL)).json()["used"] == 0
    again = await client.post(f"{path}/reservations", json={"key": str(uuid.uuid4())}, headers=INTERNAL)
    assert again.status_code == 201

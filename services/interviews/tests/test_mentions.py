# ruff: noqa: F811
"""@-mentions in review notes: the company's hiring team is projected from the users service's events (its
creator, members added and removed), a saved note records `review.mentioned` for the members it newly mentions,
and anyone else (another company's user, the author, someone who left) stays plain text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from kit.contracts import users
from kit.events import Envelope

from .conftest import Member

# The review tests' fixtures (a finished interview), taken as parameters below.
from .test_reviews import board, finished  # noqa: F401

COMPANY = str(uuid.uuid4())
NOW = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def lead() -> Member:
    return Member("hr", id=str(uuid.uuid4()), company=COMPANY)


@pytest.fixture
def teammate() -> Member:
    return Member("hr", id=str(uuid.uuid4()), company=COMPANY)


def event(contract: type, **fields: object) -> Envelope:
    return Envelope.wrap(contract(**fields), source="users", aggregate_id=COMPANY, correlation_id=None)


def member_added(user: Member) -> Envelope:
    return event(
        users.CompanyMemberAdded,
        company_id=uuid.UUID(COMPANY),
        user_id=uuid.UUID(user.id),
        membership_id=uuid.uuid4(),
        added_by=uuid.uuid4(),
        added_at=NOW,
    )


async def mentioned_events(new_events) -> list[list[str]]:
    return [r.payload["payload"]["mentionedUserIds"] for r in await new_events() if r.event_type == "review.mentioned"]


async def test_a_note_tells_the_company_members_it_newly_mentions_and_no_one_else(
    client, deliver, finished, lead, teammate, new_events
) -> None:
    colleague, leaver, outsider = (Member("hr", id=str(uuid.uuid4()), company=COMPANY) for _ in range(3))
    created = event(
        users.CompanyCreated, company_id=uuid.UUID(COMPANY), name="Acme", created_by=uuid.UUID(lead.id), created_at=NOW
    )
    removed = event(
        users.CompanyMemberRemoved,
        company_id=uuid.UUID(COMPANY),
        user_id=uuid.UUID(leaver.id),
        membership_id=uuid.uuid4(),
        removed_by=uuid.UUID(lead.id),
        removed_at=NOW,
    )
    assert (
        await deliver(created, member_added(teammate), member_added(colleague), member_added(leaver), removed)
        == ["ok"] * 5
    )
    interview = await finished()
    save = f"{board(interview)}/mine"

    first = await client.put(
        save,
        json={"note": "@Tea @Out @Lea @Me please look", "mentions": [teammate.id, outsider.id, leaver.id, lead.id]},
        headers=lead.headers,
    )
    again = await client.put(save, json={"note": "@Tea please look", "mentions": [teammate.id]}, headers=lead.headers)
    more = await client.put(
        save, json={"note": "@Tea @Col both of you", "mentions": [teammate.id, colleague.id]}, headers=lead.headers
    )
    by_teammate = await client.put(save, json={"note": "@Lead agreed", "mentions": [lead.id]}, headers=teammate.headers)

    assert first.status_code == again.status_code == more.status_code == by_teammate.status_code == 200
    assert await mentioned_events(new_events) == [[teammate.id], [colleague.id], [lead.id]]
    [payload, *_] = [r.payload["payload"] for r in await new_events() if r.event_type == "review.mentioned"]
    assert (payload["invitationId"], payload["companyId"], payload["authorId"]) == (
        interview.invitation_id,
        COMPANY,
        lead.id,
    )
    assert (payload["candidateName"], payload["templateTitle"]) == ("Cand Idate", "Backend engineer")


async def test_a_mention_without_a_note_or_beyond_twenty_people_is_not_taken(
    client, deliver, finished, lead, teammate, new_events
) -> None:
    assert await deliver(member_added(teammate)) == ["ok"]
    interview = await finished()
    save = f"{board(interview)}/mine"

    no_note = await client.put(save, json={"mentions": [teammate.id]}, headers=lead.headers)
    too_many = await client.put(
        save, json={"note": "all", "mentions": [str(uuid.uuid4()) for _ in range(21)]}, headers=lead.headers
    )

    assert no_note.status_code == 200
    assert await mentioned_events(new_events) == []
    assert too_many.status_code == 422 and too_many.json()["details"][0]["field"] == "mentions"

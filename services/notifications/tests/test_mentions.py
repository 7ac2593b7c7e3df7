"""A teammate mentioned in a review note is told in-app (inbox, and the live stream that follows the same
after-commit outlet), linked to the review; the author and anyone not mentioned get nothing, and no e-mail goes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from kit.contracts import interviews, users


async def test_each_mentioned_teammate_gets_an_in_app_notification_linking_to_the_review(
    client: httpx.AsyncClient, apply: Any, make_user: Any
) -> None:
    author, mentioned, other = make_user("hr"), make_user("hr"), make_user("hr")
    await apply(
        users.UserCreated(
            user_id=uuid.UUID(author.id),
            company_id=uuid.UUID(author.id),
            external_auth_id=f"kc-{author.id}",
            email=author.email,
            first_name="Grace",
            last_name="Hopper",
            status="active",
            role="hr",
            created_at=datetime.now(UTC),
        )
    )
    invitation_id = str(uuid.uuid4())

    await apply(
        interviews.ReviewMentioned(
            invitation_id=invitation_id,
            company_id=str(uuid.uuid4()),
            author_id=author.id,
            mentioned_user_ids=[mentioned.id],
            candidate_name="Ada Lovelace",
            template_title="Backend Engineer",
            mentioned_at=datetime.now(UTC),
        )
    )
    theirs = (await client.get("/api/notifications", headers=mentioned.headers)).json()["items"]
    authors = [
        i
        for i in (await client.get("/api/notifications", headers=author.headers)).json()["items"]
        if i["template"] != "welcome"
    ]
    others = (await client.get("/api/notifications", headers=other.headers)).json()["items"]

    assert [(i["channel"], i["template"], i["status"]) for i in theirs] == [("in_app", "review_mentioned", "sent")]
    assert theirs[0]["title"] == "You were mentioned in a review"
    assert theirs[0]["body"] == 'Grace Hopper mentioned you in the review of Ada Lovelace ("Backend Engineer").'
    assert theirs[0]["link"] == f"/hr/review/{invitation_id}"
    assert authors == [] and others == []

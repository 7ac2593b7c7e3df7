"""The AI-use notice on the briefing and the candidate's consent: what it says, that starting requires accepting
the current notice, what is kept (version, hash, time, the human-only request) and what HR sees of it."""

from __future__ import annotations

from types import SimpleNamespace

from interviews.domain.consent import DEFAULT_CRITERIA, NOTICE_VERSION, Notice, notice_for, rubric_criteria

from .conftest import Member, accept_notice


def briefing_path(interview) -> str:
    return f"/api/invitations/{interview.invitation_id}/briefing"


async def test_the_notice_names_the_company_the_criteria_the_human_decision_retention_and_a_contact(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate, companyName="Acme", hrEmail="jobs@acme.example")

    shown = await client.post(briefing_path(interview), headers=candidate.headers)

    assert shown.status_code == 200, shown.text
    notice = shown.json()["notice"]
    assert (notice["version"], notice["companyName"], notice["contactEmail"]) == (
        NOTICE_VERSION,
        "Acme",
        "jobs@acme.example",
    )
    assert notice["criteria"] == list(DEFAULT_CRITERIA)
    text = " ".join(notice["paragraphs"])
    for words in (
        "Acme is hiring for Backend engineer",
        "recorded",
        "scores them on these criteria: relevance, completeness, clarity, depth",
        "The AI does not decide. A person at Acme",
        "kept until Acme deletes them",
        "human-only review",
        "write to jobs@acme.example",
    ):
        assert words in text
    assert len(notice["hash"]) == 64
    assert shown.json()["consent"] is None


async def test_starting_without_accepting_the_notice_is_refused_and_nothing_is_timed(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)
    await client.post(briefing_path(interview), headers=candidate.headers)

    started = await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)

    assert (started.status_code, started.json()["code"]) == (409, "CONSENT_REQUIRED")
    seen = (await client.get(f"/api/invitations/{interview.invitation_id}", headers=candidate.headers)).json()
    assert (seen["status"], seen.get("startedAt")) == ("pending", None)


async def test_an_older_notice_or_another_text_is_refused_as_outdated_and_declining_is_a_field_error(
    client, hr, candidate, make_invitation
) -> None:
    interview = await make_invitation(hr, candidate)
    notice = (await client.post(briefing_path(interview), headers=candidate.headers)).json()["notice"]

    def consent(**fields: object) -> dict[str, object]:
        return {"consent": {"accepted": True, "noticeVersion": notice["version"], **fields}}

    old_version = await client.post(
        briefing_path(interview), json=consent(noticeVersion="2020-01-01"), headers=candidate.headers
    )
    other_text = await client.post(
        briefing_path(interview), json=consent(noticeHash="0" * 64), headers=candidate.headers
    )
    declined = await client.post(briefing_path(interview), json=consent(accepted=False), headers=candidate.headers)
    unknown = await client.post(briefing_path(interview), json=consent(agreed=True), headers=candidate.headers)

    assert (old_version.status_code, old_version.json()["code"]) == (409, "NOTICE_OUTDATED")
    assert (other_text.status_code, other_text.json()["code"]) == (409, "NOTICE_OUTDATED")
    assert declined.status_code == 422
    assert [d["field"] for d in declined.json()["details"]] == ["consent.accepted"]
    assert unknown.status_code == 422
    assert "consent.agreed" in [d["field"] for d in unknown.json()["details"]]
    briefing = (await client.post(briefing_path(interview), headers=candidate.headers)).json()
    assert briefing["consent"] is None


async def test_the_accepted_notice_is_kept_with_its_hash_and_time_and_the_interview_starts(
    client, hr, candidate, make_invitation, clock
) -> None:
    interview = await make_invitation(hr, candidate)

    accepted = await accept_notice(client, interview.invitation_id, candidate, human_review=True)
    started = await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)
    late = await client.post(
        briefing_path(interview),
        json={"consent": {"accepted": True, "noticeVersion": NOTICE_VERSION, "humanReviewRequested": False}},
        headers=candidate.headers,
    )

    assert accepted["consent"] == {
        "noticeVersion": NOTICE_VERSION,
        "noticeHash": accepted["notice"]["hash"],
        "acceptedAt": clock.now.isoformat().replace("+00:00", "Z"),
        "humanReviewRequested": True,
    }
    assert started.status_code == 200, started.text
    # Once started, what the candidate agreed to stays as it was.
    assert (late.status_code, late.json()["code"]) == (422, "INVALID_INVITATION_STATE")
    kept = (await client.post(briefing_path(interview), headers=candidate.headers)).json()["consent"]
    assert kept["humanReviewRequested"] is True


async def test_hr_sees_the_consent_and_the_human_only_request_on_the_review_and_in_the_list(
    client, candidate, make_template, make_invitation
) -> None:
    lead = Member("hr")
    template = await make_template(lead)
    interview = await make_invitation(lead, candidate, interview=template)
    accepted = await accept_notice(client, interview.invitation_id, candidate, human_review=True)
    await client.post(f"/api/invitations/{interview.invitation_id}/start", headers=candidate.headers)
    for question_id, text in zip(interview.question_ids, ("We added a canary stage.", "PUT"), strict=True):
        await client.post(
            f"/api/invitations/{interview.invitation_id}/responses",
            json={"questionId": question_id, "textAnswer": text},
            headers=candidate.headers,
        )
    completed = await client.post(f"/api/invitations/{interview.invitation_id}/complete", headers=candidate.headers)
    assert completed.status_code == 200, completed.text

    board = (await client.get(f"/api/reviews/{interview.invitation_id}", headers=lead.headers)).json()
    listed = (
        await client.get("/api/reviews", params={"templateId": template.template_id}, headers=lead.headers)
    ).json()

    assert board["humanReviewRequested"] is True
    assert board["consent"] == accepted["consent"]
    [item] = listed["items"]
    assert (item["humanReviewRequested"], item["consent"]["noticeVersion"]) == (True, NOTICE_VERSION)


def test_the_rubrics_name_the_criteria_and_retention_and_contact_change_the_text_and_its_hash() -> None:
    template = SimpleNamespace(
        title="Support agent",
        settings={},
        rubric=[{"name": "empathy", "weight": 2}, {"name": "accuracy"}, {"weight": 1}],
        questions=[SimpleNamespace(rubric=None), SimpleNamespace(rubric=[{"name": "accuracy"}, {"name": "tone"}])],
    )
    invitation = SimpleNamespace(company_name="Acme", template=template, hr_email=None)

    notice = notice_for(invitation, retention_days=90)  # type: ignore[arg-type]
    plain = Notice("Acme", "Support agent", notice.criteria, None, None)

    assert notice.criteria == ("empathy", "accuracy", "tone")
    assert rubric_criteria({"criteria": [{"name": "tone"}]}) == ("tone",)
    assert rubric_criteria(None) == ()
    assert "kept for 90 days after the decision" in " ".join(notice.paragraphs)
    assert "reply to Acme's invitation" in " ".join(notice.paragraphs)
    assert notice.text_hash != plain.text_hash

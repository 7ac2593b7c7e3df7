"""Voluntary self-identification and the adverse-impact report through the HTTP API: a seeded population whose
rates and ratios are worked out by hand below, the 2% exclusion, the four-fifths flag, the small-sample warning,
scoping to the caller's company, and that no route, view, export or event ever shows one person's category."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interviews.domain import Decision, Invitation, InvitationStatus
from interviews.domain.fairness import SelfIdentification
from kit.contracts.interviews import InvitationCompleted
from kit.contracts.privacy import SubjectErasureRequested
from kit.events import Envelope
from kit.testing import Caller

STAMP = datetime(2030, 1, 10, tzinfo=UTC)
# Every category's wire value and label: none may appear in anything a reviewer or another service sees.
CATEGORY_WORDS = [
    "hispanic",
    "latino",
    "african",
    "asian",
    "pacific",
    "alaska",
    "two_or_more",
    "prefer_not_to_say",
    "raceEthnicity",
    "race_ethnicity",
    "selfIdentification",
]


# A block of decided interviews: (how many, sex, race/ethnicity, approved, AI score). A sex and race of None means
# no self-identification row at all; "prefer_not_to_say" is an explicit answer. Both count as not provided.
Block = tuple[int, str | None, str | None, bool, int | None]

# 100 decided interviews. Approved ones score 70 and rejected ones 30, except approved white women (60) and the
# four people who never self-identified, who have no AI score.
POPULATION: list[Block] = [
    (20, "male", "white", True, 70),
    (10, "male", "white", False, 30),
    (10, "male", "asian", True, 70),
    (10, "male", "asian", False, 30),
    (12, "female", "white", True, 60),
    (8, "female", "white", False, 30),
    (6, "female", "black_or_african_american", True, 70),
    (14, "female", "black_or_african_american", False, 30),
    (1, "another", "white", True, 70),
    (1, "prefer_not_to_say", "hispanic_or_latino", True, 70),
    (4, "prefer_not_to_say", "hispanic_or_latino", False, 30),
    (2, None, None, True, None),
    (2, None, None, False, None),
]
# Scored: 46 x 30, 12 x 60, 38 x 70 (96). The 48th and 49th of the 96 are both 60: the median is 60, and "above
# the median" is the 38 who scored 70.


def invitation_row(
    candidate: str, template_id: str, company: str, decision: str | None, score: int | None
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "template_id": uuid.UUID(template_id),
        "candidate_id": candidate,
        "company_id": company,
        "company_name": company.title(),
        "invited_by": "seeded-hr",
        "status": "completed",
        "allow_pause": True,
        "show_timer": True,
        "expires_at": STAMP + timedelta(days=7),
        "completed_at": STAMP,
        "total_questions": 2,
        "analysis_status": None if score is None else "completed",
        "analysis_score": score,
        "decision": decision,
        "decision_at": None if decision is None else STAMP,
        "decision_by": None if decision is None else "seeded-hr",
        "version": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    template_id: str,
    blocks: list[Block],
    *,
    company: str = "acme",
    undecided: int = 0,
) -> None:
    """Decided interviews of new candidates (and `undecided` completed ones awaiting a decision), written as rows:
    the report reads rows, and 100 interviews through the API would test the interview flow, not the report."""
    invitations: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for count, sex, race, approved, score in blocks:
        for _ in range(count):
            candidate = str(uuid.uuid4())
            decision = "approved" if approved else "rejected"
            invitations.append(invitation_row(candidate, template_id, company, decision, score))
            if sex is not None or race is not None:
                answers.append(
                    {"candidate_id": candidate, "sex": sex, "race_ethnicity": race}
                    | {"created_at": STAMP, "updated_at": STAMP}
                )
    for _ in range(undecided):
        invitations.append(invitation_row(str(uuid.uuid4()), template_id, company, None, 95))
    async with sessions() as session, session.begin():
        await session.execute(insert(Invitation), invitations)
        if answers:
            await session.execute(insert(SelfIdentification), answers)


def table(report: dict[str, Any], dimension: str) -> dict[str, dict[str, Any]]:
    (found,) = [t for t in report["tables"] if t["dimension"] == dimension]
    return {r["category"]: r for r in found["rows"]} | {"unknown": found["unknown"]}


async def get_report(client: Any, caller: Caller, **params: str) -> dict[str, Any]:
    answer = await client.get("/api/fairness/report", params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


# -- the report's figures -------------------------------------------------------------------------------------


async def test_selection_rates_and_impact_ratios_by_sex_are_the_hand_computed_ones(
    client, make_template, sessions, lead
):
    template = await make_template(lead)
    await seed(sessions, template.template_id, POPULATION, undecided=3)

    report = await get_report(client, lead)

    # The 3 undecided interviews are not applicants with a decision: 100, not 103.
    assert (report["decided"], report["scored"], report["medianScore"]) == (100, 96, 60)
    assert report["sampleTooSmall"] is False
    sex = table(report, "sex")
    # Male 30 of 50 approved, the highest compared rate; female 18 of 40: 0.45 / 0.6 = 0.75, below four-fifths.
    assert (sex["male"]["applicants"], sex["male"]["selected"]) == (50, 30)
    assert sex["male"]["selectionRate"] == pytest.approx(0.6)
    assert sex["male"]["selectionImpactRatio"] == pytest.approx(1.0)
    assert sex["female"]["selectionRate"] == pytest.approx(0.45)
    assert sex["female"]["selectionImpactRatio"] == pytest.approx(0.75)
    assert (sex["male"]["flagged"], sex["female"]["flagged"]) == (False, True)
    # Scoring: 30 of 50 men scored 70 (above 60); 6 of 40 women did: 0.15 / 0.6 = 0.25.
    assert sex["male"]["scoringRate"] == pytest.approx(0.6)
    assert sex["female"]["scoringRate"] == pytest.approx(0.15)
    assert sex["female"]["scoringImpactRatio"] == pytest.approx(0.25)
    # "Another" is 1 of 100, under 2%: reported with its rate, excluded from the ratios. Counted, its 100% would
    # have been the highest rate and made men's ratio 0.6.
    assert sex["another"]["applicants"] == 1
    assert sex["another"]["selectionRate"] == pytest.approx(1.0)
    assert sex["another"]["excluded"] is True
    assert sex["another"]["selectionImpactRatio"] is None
    assert sex["another"]["flagged"] is False
    # Not provided: 5 "prefer not to say" and 4 without any answer; 3 approved; 1 of the 5 scored above the median.
    unknown = sex["unknown"]
    assert (unknown["applicants"], unknown["selected"], unknown["scored"], unknown["aboveMedian"]) == (9, 3, 5, 1)
    assert (unknown["selectionImpactRatio"], unknown["excluded"]) == (None, False)


async def test_race_and_intersectional_tables_compare_against_their_own_highest_group(
    client, make_template, sessions, lead
):
    template = await make_template(lead)
    await seed(sessions, template.template_id, POPULATION)

    report = await get_report(client, lead)

    race = table(report, "raceEthnicity")
    white = 33 / 51  # 20 + 12 + 1 approved of 30 + 20 + 1
    assert race["white"]["applicants"] == 51
    assert race["white"]["selectionRate"] == pytest.approx(white)
    assert race["asian"]["selectionImpactRatio"] == pytest.approx(0.5 / white)
    assert race["black_or_african_american"]["selectionImpactRatio"] == pytest.approx(0.3 / white)
    # Hispanic or Latino: 5 of 100 is above 2%, so compared, but marked as a small group (fewer than 10).
    hispanic = race["hispanic_or_latino"]
    assert hispanic["selectionImpactRatio"] == pytest.approx(0.2 / white)
    assert (hispanic["excluded"], hispanic["smallGroup"], hispanic["flagged"]) == (False, True, True)
    # Scoring: Asian 10 of 20 above the median is the highest rate; white 21 of 51 is 0.8235 of it, not flagged.
    assert race["asian"]["scoringRate"] == pytest.approx(0.5)
    assert race["white"]["scoringImpactRatio"] == pytest.approx((21 / 51) / 0.5)
    assert race["white"]["flagged"] is False
    assert race["unknown"]["applicants"] == 4
    assert race["unknown"]["scoringRate"] is None

    both = table(report, "intersectional")
    best = 20 / 30  # white men
    assert both["male:white"]["selectionImpactRatio"] == pytest.approx(1.0)
    assert both["male:asian"]["selectionImpactRatio"] == pytest.approx(0.5 / best)
    assert both["female:white"]["selectionImpactRatio"] == pytest.approx(0.6 / best)
    assert both["female:black_or_african_american"]["selectionImpactRatio"] == pytest.approx(0.3 / best)
    # White women pass on selection (0.9) but are flagged on scoring: the 12 approved scored 60, the median itself,
    # which is not above it, so none of the 20 counts: a scoring ratio of 0.
    assert both["female:white"]["scoringImpactRatio"] == 0
    assert [c for c, r in both.items() if r["flagged"]] == [
        "male:asian",
        "female:white",
        "female:black_or_african_american",
    ]
    assert both["another:white"]["excluded"] is True
    # Not provided for either question: the 5 who kept their sex to themselves and the 4 who said nothing.
    assert both["unknown"]["applicants"] == 9
    assert both["female:white"]["label"] == "Female · White"


async def test_a_sample_under_fifty_decisions_carries_the_too_small_warning(client, make_template, sessions, lead):
    template = await make_template(lead)
    await seed(sessions, template.template_id, [(25, "male", "white", True, 70), (24, "female", "asian", False, 30)])

    report = await get_report(client, lead)

    assert (report["decided"], report["minimumSample"], report["sampleTooSmall"]) == (49, 50, True)
    await seed(sessions, template.template_id, [(1, "female", "asian", True, 70)])
    assert (await get_report(client, lead))["sampleTooSmall"] is False


async def test_a_median_between_two_whole_scores_counts_the_scores_above_it(client, make_template, sessions, lead):
    template = await make_template(lead)
    blocks: list[Block] = [(1, "female", "asian", False, 60), (1, "female", "asian", True, 61)]
    await seed(sessions, template.template_id, [*blocks, (2, "male", "asian", True, 10)])

    report = await get_report(client, lead)

    # 10, 10, 60, 61: the median is 35.0; the two women scored above it, the two men did not.
    assert report["medianScore"] == 35.0
    sex = table(report, "sex")
    assert (sex["female"]["aboveMedian"], sex["male"]["aboveMedian"]) == (2, 0)


async def test_a_report_with_no_decisions_has_no_rates_and_says_the_sample_is_too_small(client, lead):
    report = await get_report(client, lead)

    assert (report["decided"], report["medianScore"], report["sampleTooSmall"]) == (0, None, True)
    assert all(t["rows"] == [] and t["unknown"]["selectionRate"] is None for t in report["tables"])


async def test_the_template_filter_counts_only_that_templates_decisions(client, make_template, sessions, lead):
    first, second = await make_template(lead), await make_template(lead, title="Data engineer")
    await seed(sessions, first.template_id, POPULATION)
    await seed(sessions, second.template_id, [(7, "female", "asian", True, 70)])

    report = await get_report(client, lead, templateId=second.template_id)

    assert (report["decided"], report["templateTitle"]) == (7, "Data engineer")
    assert table(report, "sex")["female"]["selectionRate"] == pytest.approx(1.0)
    listed = {t["id"]: t["decided"] for t in report["templates"]}
    assert listed == {first.template_id: 100, second.template_id: 7}


# -- scope: a company's report counts that company's decisions only --------------------------------------------


async def test_another_companys_decisions_are_never_counted(client, make_template, sessions, lead, outsider):
    ours, theirs = await make_template(lead), await make_template(outsider)
    await seed(sessions, ours.template_id, POPULATION)
    await seed(sessions, theirs.template_id, [(60, "female", "white", True, 70)], company="globex")

    mine = await get_report(client, lead)
    other = await get_report(client, outsider)

    assert (mine["companyId"], mine["decided"]) == ("acme", 100)
    assert table(mine, "sex")["female"]["applicants"] == 40
    assert (other["companyId"], other["decided"]) == ("globex", 60)
    assert [t["id"] for t in other["templates"]] == [theirs.template_id]


async def test_hr_cannot_ask_for_another_companys_report_or_template(client, make_template, sessions, lead, outsider):
    theirs = await make_template(outsider, title="Globex night shift")
    await seed(sessions, theirs.template_id, [(3, "male", "white", True, 70)], company="globex")

    named = await client.get("/api/fairness/report", params={"companyId": "globex"}, headers=lead.headers)
    template = await client.get("/api/fairness/report", params={"templateId": theirs.template_id}, headers=lead.headers)
    as_csv = await client.get("/api/fairness/report.csv", params={"companyId": "globex"}, headers=lead.headers)

    assert (named.status_code, named.json()["code"]) == (403, "FAIRNESS_SCOPE_DENIED")
    assert (template.status_code, template.json()["code"]) == (404, "TEMPLATE_NOT_FOUND")
    assert "Globex" not in template.text
    assert as_csv.status_code == 403


async def test_an_admin_reads_any_company_or_all_of_them(client, make_template, sessions, lead, outsider, admin):
    ours, theirs = await make_template(lead), await make_template(outsider)
    await seed(sessions, ours.template_id, POPULATION)
    await seed(sessions, theirs.template_id, [(60, "female", "white", True, 70)], company="globex")

    one = await get_report(client, admin, companyId="globex")
    every = await get_report(client, admin)

    assert (one["companyId"], one["decided"]) == ("globex", 60)
    # Every company's (the whole table, including other tests' committed rows if any): at least both of ours.
    assert every["companyId"] is None
    assert every["decided"] >= 160


@pytest.mark.parametrize("role", ["candidate", "pending"])
async def test_only_hr_and_admins_read_the_report(client, role):
    caller = Caller(role)

    answer = await client.get("/api/fairness/report", headers=caller.headers)
    as_csv = await client.get("/api/fairness/report.csv", headers=caller.headers)

    assert (answer.status_code, as_csv.status_code) == (403, 403)


async def test_malformed_filters_are_refused_with_the_field_named(client, lead):
    bad_template = await client.get("/api/fairness/report", params={"templateId": "nope"}, headers=lead.headers)
    long_company = await client.get("/api/fairness/report", params={"companyId": "x" * 65}, headers=lead.headers)

    assert bad_template.status_code == 422
    assert "templateId" in bad_template.text
    assert long_company.status_code == 422
    assert "companyId" in long_company.text


# -- the CSV ----------------------------------------------------------------------------------------------------


async def test_the_csv_holds_every_row_of_the_three_tables_with_the_method_figures(
    client, make_template, sessions, lead
):
    template = await make_template(lead)
    await seed(sessions, template.template_id, POPULATION)

    answer = await client.get(
        "/api/fairness/report.csv", params={"templateId": template.template_id}, headers=lead.headers
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    lines = answer.text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert any("decided interviews 100" in line and "median AI score 60.0000" in line for line in comments)
    assert not any("Warning" in line for line in comments)
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in lines if not line.startswith("#")))))
    female = next(r for r in rows if (r["table"], r["category"]) == ("Sex", "Female"))
    assert (female["applicants"], female["selection_rate"], female["selection_impact_ratio"]) == (
        "40",
        "0.4500",
        "0.7500",
    )
    assert female["below_four_fifths"] == "yes"
    another = next(r for r in rows if (r["table"], r["category"]) == ("Sex", "Another sex"))
    assert (another["excluded_under_2_percent"], another["selection_impact_ratio"]) == ("yes", "")
    assert [r["table"] for r in rows].count("Sex and race/ethnicity") == 6  # 5 groups + not provided
    assert sum(r["category"] == "Unknown / not provided" for r in rows) == 3


# -- self-identification: the candidate's own, voluntary, changeable, withdrawable ------------------------------


async def test_a_candidate_shares_changes_and_withdraws_their_self_identification(client, candidate, clock):
    empty = await client.get("/api/self-identification", headers=candidate.headers)
    shared = await client.put(
        "/api/self-identification", json={"sex": "female", "raceEthnicity": "asian"}, headers=candidate.headers
    )
    clock.advance(minutes=5)
    changed = await client.put(
        "/api/self-identification", json={"raceEthnicity": "prefer_not_to_say"}, headers=candidate.headers
    )
    read = await client.get("/api/self-identification", headers=candidate.headers)
    withdrawn = await client.delete("/api/self-identification", headers=candidate.headers)
    after = await client.get("/api/self-identification", headers=candidate.headers)
    again = await client.delete("/api/self-identification", headers=candidate.headers)

    assert empty.json() == {"provided": False, "sex": None, "raceEthnicity": None, "updatedAt": None}
    assert shared.status_code == 200
    assert (shared.json()["sex"], shared.json()["raceEthnicity"]) == ("female", "asian")
    # A question left out is unanswered: the change replaces the answers as sent.
    assert (read.json()["sex"], read.json()["raceEthnicity"]) == (None, "prefer_not_to_say")
    assert read.json()["updatedAt"] == changed.json()["updatedAt"] != shared.json()["updatedAt"]
    assert withdrawn.status_code == 204
    assert after.json()["provided"] is False
    assert (again.status_code, again.json()["code"]) == (404, "SELF_IDENTIFICATION_NOT_FOUND")


async def test_a_candidate_sees_only_their_own_answers(client, candidate, other_candidate):
    await client.put("/api/self-identification", json={"sex": "male"}, headers=candidate.headers)

    theirs = await client.get("/api/self-identification", headers=other_candidate.headers)

    assert theirs.json()["provided"] is False


async def test_answers_outside_the_categories_or_unknown_fields_are_refused_with_the_field_named(client, candidate):
    wrong = await client.put("/api/self-identification", json={"sex": "robot"}, headers=candidate.headers)
    extra = await client.put(
        "/api/self-identification", json={"sex": "male", "candidateId": "someone"}, headers=candidate.headers
    )

    assert wrong.status_code == 422
    assert "sex" in json.dumps(wrong.json()["details"])
    assert extra.status_code == 422
    assert "candidateId" in extra.text


@pytest.mark.parametrize("role", ["hr", "admin", "pending"])
async def test_nobody_but_a_candidate_reads_or_writes_self_identification(client, role):
    caller = Caller(role)

    read = await client.get("/api/self-identification", headers=caller.headers)
    write = await client.put("/api/self-identification", json={"sex": "male"}, headers=caller.headers)

    assert (read.status_code, write.status_code) == (403, 403)


async def test_a_self_identified_candidate_counts_in_the_report_from_their_answer(
    client, make_invitation, candidate, lead, sessions
):
    interview = await make_invitation(lead, candidate)
    await client.put(
        "/api/self-identification", json={"sex": "female", "raceEthnicity": "white"}, headers=candidate.headers
    )
    async with sessions() as session, session.begin():
        invitation = await session.get(Invitation, uuid.UUID(interview.invitation_id))
        assert invitation is not None
        invitation.status = InvitationStatus.COMPLETED
        invitation.decision = Decision.APPROVED

    report = await get_report(client, lead)

    assert table(report, "intersectional")["female:white"]["selected"] == 1
    await client.delete("/api/self-identification", headers=candidate.headers)
    withdrawn = await get_report(client, lead)
    assert "female:white" not in table(withdrawn, "intersectional")
    assert table(withdrawn, "sex")["unknown"]["applicants"] == 1


# -- nobody sees one person's category: not reviewers, not events, not the analysis ----------------------------


async def test_no_review_view_export_or_event_carries_a_candidates_self_identification(
    client, make_invitation, complete_interview, analyse, new_events, candidate, lead
):
    await client.put(
        "/api/self-identification",
        json={"sex": "female", "raceEthnicity": "native_hawaiian_or_other_pacific_islander"},
        headers=candidate.headers,
    )
    interview = await make_invitation(lead, candidate, start=True)
    await complete_interview(interview, candidate)
    await analyse(interview, score=64)

    seen = [
        await client.get(f"/api/reviews/{interview.invitation_id}", headers=lead.headers),
        await client.get("/api/reviews", headers=lead.headers),
        await client.get(f"/api/reviews/templates/{interview.template_id}/export.csv", headers=lead.headers),
        await client.get(f"/api/invitations/{interview.invitation_id}", headers=lead.headers),
        await client.get(f"/api/invitations/{interview.invitation_id}", headers=candidate.headers),
    ]
    events = [json.dumps(e.payload) for e in await new_events()]

    assert all(answer.status_code == 200 for answer in seen), [a.text for a in seen]
    assert interview.invitation_id in seen[0].text  # the views are the real ones, not error pages
    exposed = [word for text in [*(a.text for a in seen), *events] for word in CATEGORY_WORDS if word in text]
    assert exposed == []
    # The analysis service builds the LLM's input from `invitation.completed` alone: its contract has no such field.
    assert "invitation.completed" in "".join(events)
    assert not {"sex", "race_ethnicity", "self_identification"} & InvitationCompleted.model_fields.keys()


async def test_an_erased_candidates_self_identification_is_deleted_and_counted_in_the_erasure_report(
    client, candidate, other_candidate, deliver, new_events, sessions
):
    for person in (candidate, other_candidate):
        await client.put("/api/self-identification", json={"sex": "male"}, headers=person.headers)
    event = SubjectErasureRequested(
        erasure_id=uuid.uuid4(),
        user_id=uuid.UUID(candidate.id),
        email="gone@example.com",
        requested_at=STAMP,
    )
    request = Envelope.wrap(event, source="users", aggregate_id=event.erasure_id, correlation_id=None)

    assert await deliver(request) == ["ok"]

    async with sessions() as session:
        assert await session.get(SelfIdentification, candidate.id) is None
        assert await session.get(SelfIdentification, other_candidate.id) is not None
    (report,) = [e for e in await new_events() if e.event_type == "subject.erased"]
    assert report.payload["payload"]["counts"]["selfIdentification"] == 1

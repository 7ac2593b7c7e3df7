"""Real Kafka → the analytics consumer → embedded ClickHouse → the API: a scripted population of
invitations through every stage gives exactly the expected funnel, per template and company, whatever is
redelivered; companies see only their own numbers; erasure reaches analytics."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from kit.contracts import billing, interviews, media, notifications, users
from kit.contracts.privacy import AnalysisSubjectErased, InvitationErased, SubjectErasureRequested
from kit.events import Envelope
from kit.testing import consume

from .conftest import DAY, Invitation, Stack, admin, candidate, envelope, hr_of, ids

RANGE = {"from": "2026-03-01", "to": "2026-03-04"}


def population(company: str, t1: str, t2: str) -> tuple[list[Envelope], list[Invitation]]:
    """Company A: template 1 with seven invitations stopping at each step (one started without a reported
    briefing view), template 2 with one invited and one decided."""
    at = [Invitation(company, t1) for _ in range(7)] + [Invitation(company, t2, "Designer") for _ in range(2)]
    _i1, i2, i3, i4, i5, i6, i7, _j1, j2 = at
    events = [inv.created() for inv in at]
    events += [i.opened() for i in (i2, i3, i4, i5, i6, j2)]
    events += [i.started() for i in (i3, i4, i5, i6, i7, j2)]
    events += [i.completed() for i in (i4, i5, i6, i7, j2)]
    events += [
        i5.analysed(80, "hire"),
        i6.analysed(30, "reject"),
        i7.analysed(90, "hire"),
        j2.analysed(55, "consider"),
    ]
    events += [
        i6.decided(False, "reviewer-1"),
        i7.decided(True, "reviewer-1", after=timedelta(hours=5)),
        j2.decided(True, "reviewer-2"),
    ]
    return events, at


def steps(view: dict) -> dict[str, int]:
    return {s["step"]: s["count"] for s in view["steps"]}


async def test_a_scripted_population_gives_exactly_the_expected_funnel_per_company_and_template(
    stack: Stack,
) -> None:
    company_a, company_b, t1, t2, t3 = (ids() for _ in range(5))
    events, _ = population(company_a, t1, t2)
    other = [Invitation(company_b, t3) for _ in range(3)]
    events += [e for inv in other for e in (inv.created(), inv.opened(), inv.started())]
    await stack.publish(*events)
    await stack.ingested()

    funnel = (await stack.client.get("/api/analytics/funnel", params=RANGE, headers=hr_of(company_a))).json()

    assert funnel["from"] == "2026-03-01" and funnel["to"] == "2026-03-04"
    assert steps(funnel) == {"invited": 9, "opened": 7, "started": 6, "completed": 5, "analysed": 4, "decided": 3}
    by_step = {s["step"]: s for s in funnel["steps"]}
    assert by_step["invited"]["conversion"] is None
    assert by_step["opened"]["conversion"] == 7 / 9
    assert by_step["decided"]["conversion"] == 3 / 4
    # Each step an hour after the last, analysis 30 minutes after completion; i7's start has no reported
    # briefing view, so it adds no 0 s to the opened → started median.
    assert by_step["opened"]["medianSecondsFromPrevious"] == 3600
    assert by_step["started"]["medianSecondsFromPrevious"] == 3600
    assert by_step["analysed"]["medianSecondsFromPrevious"] == 1800
    templates = {t["templateId"]: t for t in funnel["templates"]}
    assert set(templates) == {t1, t2}
    assert templates[t2]["templateTitle"] == "Designer"
    assert list(steps(templates[t1]).values()) == [7, 6, 5, 4, 3, 2]
    assert list(steps(templates[t2]).values()) == [2, 1, 1, 1, 1, 1]

    only_t2 = await stack.client.get(
        "/api/analytics/funnel", params={**RANGE, "templateId": t2}, headers=hr_of(company_a)
    )
    assert steps(only_t2.json())["invited"] == 2

    b = (await stack.client.get("/api/analytics/overview", params=RANGE, headers=hr_of(company_b))).json()
    assert b == {
        "invitations": 3,
        "started": 3,
        "completed": 0,
        "analysed": 0,
        "decided": 0,
        "completionRate": 0.0,
        "medianHoursToDecision": None,
    }
    a = (await stack.client.get("/api/analytics/overview", params=RANGE, headers=hr_of(company_a))).json()
    # Decisions 24 h, 2 h and 24 h after completion.
    assert a == {
        "invitations": 9,
        "started": 6,
        "completed": 5,
        "analysed": 4,
        "decided": 3,
        "completionRate": 5 / 9,
        "medianHoursToDecision": 24.0,
    }
    everyone = (await stack.client.get("/api/analytics/overview", params=RANGE, headers=admin())).json()
    assert everyone["invitations"] == 12

    outside = await stack.client.get(
        "/api/analytics/overview", params={"from": "2026-03-05", "to": "2026-03-09"}, headers=hr_of(company_a)
    )
    assert outside.json()["invitations"] == 0


async def test_redelivered_events_change_no_number(stack: Stack) -> None:
    company, t1, t2 = ids(), ids(), ids()
    events, _ = population(company, t1, t2)
    await stack.publish(*events)
    await stack.ingested()
    before = (await stack.client.get("/api/analytics/funnel", params=RANGE, headers=hr_of(company))).json()

    # The same envelopes again, in another batch, as after a consumer crash before its offset commit.
    await stack.publish(*events[:20])
    await stack.publish(*events)
    await stack.ingested()
    after = (await stack.client.get("/api/analytics/funnel", params=RANGE, headers=hr_of(company))).json()

    assert after == before
    ((distinct,),) = await stack.warehouse.rows("SELECT count() FROM events FINAL")
    assert distinct == len(events)


async def test_drop_off_per_question_counts_who_reached_answered_abandoned_and_retook_each(stack: Stack) -> None:
    company, template = ids(), ids()
    questions = [(ids(), "Tell us about you"), (ids(), "A hard bug"), (ids(), "Why us")]
    (q1, _), (q2, _), (q3, _) = questions
    added = [
        envelope(
            interviews.TemplateQuestionAdded(
                template_id=template, question_id=qid, question_text=text, question_type="video", order=i + 1
            ),
            DAY - timedelta(days=1),
        )
        for i, (qid, text) in enumerate(questions)
    ]
    quits_at_q2, quits_at_q1, finishes, retakes = (Invitation(company, template) for _ in range(4))
    events = [*added, *(i.created() for i in (quits_at_q2, quits_at_q1, finishes, retakes))]
    events += [i.started() for i in (quits_at_q2, quits_at_q1, finishes, retakes)]
    events += [quits_at_q2.answered(q1, timedelta(hours=2, minutes=5))]
    events += [finishes.answered(q, timedelta(hours=2, minutes=n)) for n, q in enumerate((q1, q2, q3))]
    events += [retakes.answered(q, timedelta(hours=2, minutes=n)) for n, q in enumerate((q1, q2, q2, q3))]
    events += [finishes.completed(questions, {q1: 30, q2: 90, q3: 60})]
    events += [retakes.completed(questions, {q1: 50, q2: 110, q3: 60})]
    await stack.publish(*events)
    await stack.ingested()

    answer = await stack.client.get(
        "/api/analytics/questions", params={**RANGE, "templateId": template}, headers=hr_of(company)
    )

    assert answer.status_code == 200, answer.text
    rows = [
        (q["order"], q["text"], q["reached"], q["answered"], q["abandonedHere"], q["medianAnswerLength"], q["retakes"])
        for q in answer.json()["questions"]
    ]
    assert rows == [
        (1, "Tell us about you", 4, 3, 1, 40.0, 0),
        (2, "A hard bug", 3, 2, 1, 100.0, 1),
        (3, "Why us", 2, 2, 0, 60.0, 0),
    ]


async def test_scores_agreement_and_reviewer_times_come_from_analyses_and_decisions(stack: Stack) -> None:
    company, t1, t2 = ids(), ids(), ids()
    events, _ = population(company, t1, t2)
    await stack.publish(*events)
    await stack.ingested()

    scores = (await stack.client.get("/api/analytics/scores", params=RANGE, headers=hr_of(company))).json()

    (overall,) = scores["criteria"]
    assert overall["criterion"] == "overall"
    assert overall["median"] in (55, 80)  # the exact median of an even sample is one of its two middle members
    assert {b["from"]: b["count"] for b in overall["buckets"] if b["count"]} == {30: 1, 50: 1, 80: 1, 90: 1}
    assert overall["buckets"][-1] == {"from": 90, "to": 100, "count": 1}
    matrix = {(c["ai"], c["human"]): c["count"] for c in scores["agreement"]["matrix"]}
    assert matrix == {
        ("hire", "approved"): 1,
        ("hire", "rejected"): 0,
        ("consider", "approved"): 1,
        ("consider", "rejected"): 0,
        ("reject", "approved"): 0,
        ("reject", "rejected"): 1,
    }
    assert scores["agreement"]["total"] == 3
    assert scores["agreement"]["agreementRate"] == 2 / 3
    assert scores["decisions"]["medianHours"] == 24.0
    reviewers = {r["reviewerId"]: (r["decisions"], r["medianHours"]) for r in scores["decisions"]["reviewers"]}
    assert reviewers["reviewer-2"] == (1, 24.0)
    assert reviewers["reviewer-1"][0] == 2


async def test_notifications_count_invitation_emails_and_open_to_start(stack: Stack) -> None:
    company, template = ids(), ids()
    a, b, c = (Invitation(company, template) for _ in range(3))
    stranger = ids()
    events = [i.created() for i in (a, b, c)] + [a.opened(), b.opened(), a.started()]
    events += [
        email(a.candidate_id, sent=True),
        email(b.candidate_id, sent=True),
        email(c.candidate_id, sent=False),
        # Another company's candidate: not this company's e-mail.
        email(stranger, sent=True),
    ]
    await stack.publish(*events)
    await stack.ingested()

    answer = (await stack.client.get("/api/analytics/notifications", params=RANGE, headers=hr_of(company))).json()

    assert answer == {
        "invitationEmails": {"sent": 2, "failed": 1},
        "openToStart": {"opened": 2, "started": 1, "conversion": 0.5},
    }


def email(recipient: str, *, sent: bool) -> Envelope:
    kind = notifications.NotificationSent if sent else notifications.NotificationFailed
    event = kind(
        notification_id=ids(),
        recipient_id=recipient,
        channel="email",
        template="invitation",
        status="sent" if sent else "failed",
        error=None if sent else "mailbox unavailable",
    )
    return envelope(event, DAY + timedelta(minutes=1))


async def test_admins_see_usage_per_company_plan_and_day(stack: Stack) -> None:
    company_a, company_b = ids(), ids()
    a1, a2 = Invitation(company_a, ids()), Invitation(company_a, ids(), at=DAY + timedelta(days=1))
    b1 = Invitation(company_b, ids())
    upgraded = billing.SubscriptionUpgraded(
        company_id=company_a,
        plan_type="plus",
        subscription_id=ids(),
        previous_plan="free",
        new_plan="plus",
        stripe_subscription_id=None,
        amount=2900,
        currency="usd",
    )
    recording = media.MediaProcessed(
        media_id=ids(),
        owner_id=a1.candidate_id,
        invitation_id=a1.id,
        question_id=ids(),
        kind="video",
        size=1_000_000,
        container="webm",
        duration_seconds=30.0,
        video_codec="vp9",
        audio_codec="opus",
        width=1280,
        height=720,
    )
    await stack.publish(
        a1.created(),
        a2.created(),
        b1.created(),
        a1.analysed(70, "hire"),
        envelope(recording, DAY + timedelta(hours=3)),
        envelope(upgraded, DAY - timedelta(days=10)),
    )
    await stack.ingested()

    usage = await stack.client.get("/api/analytics/admin/usage", params={**RANGE, "interval": "day"}, headers=admin())

    assert usage.status_code == 200, usage.text
    series = {(p["period"], p["companyId"]): p for p in usage.json()["series"]}
    assert series[("2026-03-02", company_a)] == {
        "period": "2026-03-02",
        "companyId": company_a,
        "plan": "plus",
        "invitations": 1,
        "analyses": 1,
        "storageBytes": 1_000_000,
        "llmTokens": 1500,
    }
    assert series[("2026-03-03", company_a)]["invitations"] == 1
    assert series[("2026-03-02", company_b)]["plan"] == "free"
    monthly = await stack.client.get(
        "/api/analytics/admin/usage", params={**RANGE, "interval": "month", "companyId": company_b}, headers=admin()
    )
    assert [(p["period"], p["invitations"]) for p in monthly.json()["series"]] == [("2026-03-01", 1)]
    hr = await stack.client.get("/api/analytics/admin/usage", headers=hr_of(company_a))
    assert hr.status_code == 403


async def test_hr_reads_only_their_company_and_candidates_read_nothing(stack: Stack) -> None:
    own, other = ids(), ids()
    await stack.publish(Invitation(other, ids()).created())
    await stack.ingested()

    foreign = await stack.client.get("/api/analytics/funnel", params={"companyId": other}, headers=hr_of(own))
    as_candidate = await stack.client.get("/api/analytics/overview", headers=candidate())
    anonymous = await stack.client.get("/api/analytics/overview")
    admin_view = await stack.client.get(
        "/api/analytics/overview", params={**RANGE, "companyId": other}, headers=admin()
    )

    assert foreign.status_code == 403
    assert foreign.json()["code"] == "ANALYTICS_OTHER_COMPANY"
    assert as_candidate.status_code == 403
    assert anonymous.status_code == 401
    assert admin_view.json()["invitations"] == 1


async def test_bad_filters_are_refused_with_the_field_named(stack: Stack) -> None:
    hr = hr_of(ids())
    cases = {
        "unknown": {"colour": "blue"},
        "not a date": {"from": "yesterday"},
        "reversed": {"from": "2026-03-04", "to": "2026-03-01"},
        "too wide": {"from": "2024-01-01", "to": "2026-03-01"},
        "not a template id": {"templateId": "12"},
        "no such format": {"format": "xml"},
    }
    for name, params in cases.items():
        answer = await stack.client.get("/api/analytics/funnel", params=params, headers=hr)
        assert answer.status_code == 422, name
        assert answer.json()["details"], name
    bad_interval = await stack.client.get("/api/analytics/admin/usage", params={"interval": "hour"}, headers=admin())
    assert bad_interval.status_code == 422


async def test_every_chart_downloads_as_csv(stack: Stack) -> None:
    company, t1, t2 = ids(), ids(), ids()
    events, _ = population(company, t1, t2)
    await stack.publish(*events)
    await stack.ingested()

    for chart in ("overview", "funnel", "questions", "scores", "notifications", "admin/usage"):
        headers = admin() if chart.startswith("admin") else hr_of(company)
        answer = await stack.client.get(f"/api/analytics/{chart}", params={**RANGE, "format": "csv"}, headers=headers)
        assert answer.status_code == 200, chart
        assert answer.headers["content-type"].startswith("text/csv"), chart
        assert "attachment" in answer.headers["content-disposition"], chart
    funnel = await stack.client.get("/api/analytics/funnel", params={**RANGE, "format": "csv"}, headers=hr_of(company))
    rows = list(csv.DictReader(io.StringIO(funnel.text)))
    overall = {r["step"]: int(r["count"]) for r in rows if r["templateId"] == ""}
    assert overall == {"invited": 9, "opened": 7, "started": 6, "completed": 5, "analysed": 4, "decided": 3}
    assert {r["templateId"] for r in rows} == {"", t1, t2}


async def test_an_erased_candidate_leaves_counts_but_no_trace_of_them(stack: Stack) -> None:
    company, template = ids(), ids()
    erased, kept = Invitation(company, template), Invitation(company, template)
    await stack.publish(*(e for i in (erased, kept) for e in (i.created(), i.opened(), i.started(), i.completed())))
    # Their own account's event names them as its company too.
    account = users.UserCreated(
        user_id=uuid.UUID(erased.candidate_id),
        company_id=uuid.UUID(erased.candidate_id),
        external_auth_id=ids(),
        email="gone@example.test",
        first_name="Gone",
        last_name="Person",
        status="active",
        role="candidate",
        created_at=DAY,
    )
    await stack.publish(envelope(account, DAY))
    await stack.ingested()
    deleted = users.UserDeleted(
        user_id=uuid.UUID(erased.candidate_id),
        external_auth_id=ids(),
        email="gone@example.test",
        deleted_at=DAY + timedelta(days=2),
    )
    await stack.publish(envelope(deleted, DAY + timedelta(days=2)))
    await stack.ingested()

    ((traces,),) = await stack.warehouse.rows(
        "SELECT count() FROM events WHERE candidate_id = {c:String} OR company_id = {c:String} "
        "OR position(payload, {c:String}) > 0",
        {"c": erased.candidate_id},
    )
    ((facts,),) = await stack.warehouse.rows(
        "SELECT count() FROM invitation_facts WHERE candidate_id = {c:String}", {"c": erased.candidate_id}
    )
    ((kept_rows,),) = await stack.warehouse.rows(
        "SELECT count() FROM events FINAL WHERE candidate_id = {c:String}", {"c": kept.candidate_id}
    )
    overview = (await stack.client.get("/api/analytics/overview", params=RANGE, headers=hr_of(company))).json()

    assert traces == 0
    assert facts == 0
    assert kept_rows == 4
    assert (overview["invitations"], overview["completed"]) == (2, 2)


async def test_an_erased_invitation_keeps_its_counts_under_a_key_that_names_nothing(stack: Stack) -> None:
    company, template = ids(), ids()
    erased, kept = Invitation(company, template), Invitation(company, template)
    await stack.publish(*(e for i in (erased, kept) for e in (i.created(), i.opened(), i.started(), i.completed())))
    await stack.ingested()
    at = DAY + timedelta(days=2)
    erasure = uuid.uuid4()
    requested = SubjectErasureRequested(
        erasure_id=erasure, user_id=uuid.UUID(erased.candidate_id), email="Gone@Example.test", requested_at=at
    )
    gone = InvitationErased(invitation_id=erased.id, erasure_id=erasure, reason="subject", erased_at=at)
    # A service's report names the invitation it erased, and arrives after the erasure was applied.
    report = AnalysisSubjectErased(
        erasure_id=erasure, service="analysis", scope=erased.id, counts={"analyses": 1}, erased_at=at
    )
    await stack.publish(envelope(requested, at), envelope(gone, at))
    await stack.ingested()
    await stack.publish(envelope(report, at))
    await stack.ingested()

    needles = {"i": erased.id, "c": erased.candidate_id, "e": "gone@example.test"}
    ((traces,),) = await stack.warehouse.rows(
        "SELECT count() FROM events WHERE invitation_id IN ({i:String}, {c:String}) OR candidate_id = {c:String} "
        "OR positionCaseInsensitive(payload, {i:String}) > 0 OR positionCaseInsensitive(payload, {c:String}) > 0 "
        "OR positionCaseInsensitive(payload, {e:String}) > 0",
        needles,
    )
    ((facts,),) = await stack.warehouse.rows(
        "SELECT count() FROM invitation_facts WHERE invitation_id = {i:String} OR candidate_id = {c:String}", needles
    )
    ((erasure_rows,),) = await stack.warehouse.rows(
        "SELECT countIf(payload = '{}' AND invitation_id = '' AND candidate_id = '') = count() FROM events FINAL "
        "WHERE type IN ('subject.erasure-requested', 'invitation.erased', 'subject.erased')"
    )
    overview = (await stack.client.get("/api/analytics/overview", params=RANGE, headers=hr_of(company))).json()
    funnel = await stack.client.get("/api/analytics/funnel", params={**RANGE, "format": "csv"}, headers=hr_of(company))
    steps = {r["step"]: int(r["count"]) for r in csv.DictReader(io.StringIO(funnel.text)) if r["templateId"] == ""}

    assert (traces, facts, erasure_rows) == (0, 0, 1)
    assert (overview["invitations"], overview["completed"]) == (2, 2)
    assert steps == {"invited": 2, "opened": 2, "started": 2, "completed": 2, "analysed": 0, "decided": 0}


async def test_a_record_that_is_no_event_or_out_of_range_goes_to_the_dead_letter_topic(
    stack: Stack, kafka_bootstrap: str
) -> None:
    await stack.publish_raw("media-events", b"not json at all")
    ancient = Invitation(ids(), ids(), at=datetime(1969, 12, 31, tzinfo=UTC))
    await stack.publish_raw("interview-events", ancient.created().to_json())
    invitation = Invitation(ids(), ids())
    await stack.publish(invitation.created())
    await stack.ingested()

    (dead,) = await consume(kafka_bootstrap, stack.settings.topic("media-events") + "-dlq", 1)
    (too_old,) = await consume(kafka_bootstrap, stack.settings.topic("interview-events") + "-dlq", 1)

    assert dead.value == b"not json at all"
    assert dict(dead.headers)["dlq-error-type"] == b"PoisonMessage"
    assert b"outside" in dict(too_old.headers)["dlq-error-message"]
    assert await stack.applied("dlq") == 2
    ((kept,),) = await stack.warehouse.rows("SELECT count() FROM events FINAL")
    assert kept == 1
    # Both records consumed: the lag the consumer reports for the partitions it read is 0.
    lags = [
        sample.value
        for family in text_string_to_metric_families((await stack.client.get("/metrics")).text)
        for sample in family.samples
        if sample.name == "kafka_consumer_lag" and sample.labels["topic"].startswith(stack.settings.topic_prefix)
    ]
    assert lags and set(lags) == {0.0}

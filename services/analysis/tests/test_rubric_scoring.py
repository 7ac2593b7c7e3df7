"""Scoring against the hiring team's rubric: the LLM engine (through the real groq SDK and the local stand-in) and
the offline engine score the rubric's criteria under their names and weights, the question's score is their
weighted mean and evidence must still be quoted from the answer; without a rubric nothing changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from analysis.domain import InterviewSnapshot, SnapshotQuestion
from analysis.llm import LlmEngine
from analysis.offline import OfflineEngine
from analysis.scoring import score_interview, verify_quote
from analysis.settings import Settings
from kit.contracts.interviews import CriterionSnapshot, InvitationCompleted, QuestionSnapshot, ResponseSnapshot
from standins.llm import INVENTED_QUOTE, LlmStandIn

RUBRIC = [
    {"name": "Story", "weight": 2, "good": "Situation, action and result with numbers", "poor": "Vague generalities"},
    {"name": "Ownership", "weight": 1, "good": "Says what they personally decided", "poor": "Only says 'we'"},
    {"name": "Learning", "weight": 1, "good": "Names a change made afterwards", "poor": "Blames others"},
]
ANSWER = (
    "Our checkout failed during a sale and 30% of orders errored. I decided to roll back the release myself. "
    "Afterwards I added a canary stage, which changed how we deploy."
)


def snapshot(questions: list[dict[str, Any]], answers: dict[str, str]) -> InterviewSnapshot:
    return InterviewSnapshot.model_validate(
        {
            "invitationId": str(uuid.uuid4()),
            "templateTitle": "Site reliability engineer",
            "questions": questions,
            "responses": [{"questionId": q, "textAnswer": a} for q, a in answers.items()],
        }
    )


async def test_the_llm_scores_a_rubric_question_on_its_criteria_weights_and_anchors_with_checked_evidence(
    llm_settings: Settings, llm: LlmStandIn
) -> None:
    question = {"id": "q1", "text": "Tell us about an incident you handled.", "order": 1, "rubric": RUBRIC}
    generic = {"id": "q2", "text": "Why do you want this job?", "order": 2}
    engine = LlmEngine(llm_settings)
    try:
        outcome = await score_interview(engine, snapshot([question, generic], {"q1": ANSWER, "q2": "I like uptime."}))
    finally:
        await engine.close()

    scored, plain = outcome.questions
    rows = {r["criterion"]: r for r in scored.criteria_scores}
    # The stand-in scores the criteria 90, 70, 50 in order (the second written in capitals, matched anyway).
    assert [(name, r["score"], r["weight"]) for name, r in rows.items()] == [
        ("Story", 90, 2.0),
        ("Ownership", 70, 1.0),
        ("Learning", 50, 1.0),
    ]
    assert scored.score == round((90 * 2 + 70 + 50) / 4)
    assert rows["Story"]["evidenceStatus"] == "verified" and rows["Story"]["evidence"] in ANSWER
    assert (rows["Learning"]["evidence"], rows["Learning"]["evidenceStatus"]) == (None, "not_found")
    assert [r["criterion"] for r in plain.criteria_scores] == ["relevance", "completeness", "clarity", "depth"]

    asked = [r.user for r in llm.requests if r.kind == "question"]
    assert len(asked) == 2
    # The rubric's anchors and weights are in the prompt the model saw for the rubric question only.
    prompts = [await _system_prompt(engine, q) for q in (question, generic)]
    assert "Situation, action and result with numbers" in prompts[0] and "weight 2, 50% of the score" in prompts[0]
    assert "Situation" not in prompts[1]
    assert INVENTED_QUOTE not in str(outcome.model_dump())


async def _system_prompt(engine: LlmEngine, question: dict[str, Any]) -> str:
    parsed = SnapshotQuestion.model_validate(question)
    return engine.prompts.rubric_system(parsed.rubric) if parsed.rubric else engine.prompts.question_system


async def test_the_offline_engine_scores_the_rubrics_criteria_and_rewards_an_answer_that_meets_an_anchor() -> None:
    question = {"id": "q1", "text": "Tell us about an incident you handled.", "order": 1, "rubric": RUBRIC}
    meets = "We rolled back. Afterwards I made a change: a canary stage, so we learned from it and changed deploys."
    misses = "We rolled back the release quickly and everything was fine again for the customers."

    good = await score_interview(OfflineEngine(), snapshot([question], {"q1": meets}))
    poor = await score_interview(OfflineEngine(), snapshot([question], {"q1": misses}))

    [good_q], [poor_q] = good.questions, poor.questions
    good_rows = {r["criterion"]: r for r in good_q.criteria_scores}
    poor_rows = {r["criterion"]: r for r in poor_q.criteria_scores}
    assert list(good_rows) == ["Story", "Ownership", "Learning"]
    assert [r["weight"] for r in good_rows.values()] == [2.0, 1.0, 1.0]
    assert good_rows["Learning"]["score"] > poor_rows["Learning"]["score"]
    assert good_q.score == round(sum(r["score"] * r["weight"] for r in good_rows.values()) / 4)
    assert all(verify_quote(r["evidence"], meets)[1] == "verified" for r in good_rows.values())
    assert good_q.feedback.startswith("Offline heuristic scoring (no language model)")
    assert "rubric" in good_q.feedback
    # The summary reads each criterion's mean by name, whatever the criteria are called.
    assert "not from a language model" in good.summary


async def test_the_offline_summary_handles_rubric_and_generic_questions_side_by_side() -> None:
    questions = [
        {"id": "q1", "text": "Tell us about an incident you handled.", "order": 1, "rubric": RUBRIC},
        {"id": "q2", "text": "How would you design a scalable cache?", "order": 2},
    ]
    outcome = await score_interview(OfflineEngine(), snapshot(questions, {"q1": ANSWER, "q2": ANSWER}))
    assert [len(q.criteria_scores) for q in outcome.questions] == [3, 4]


def test_an_event_from_the_interviews_service_carries_the_rubric_and_an_older_event_without_one_still_parses() -> None:
    base: dict[str, Any] = {
        "invitation_id": str(uuid.uuid4()),
        "candidate_id": "c",
        "company_id": "acme",
        "template_id": str(uuid.uuid4()),
        "template_title": "SRE",
        "company_name": "Acme",
        "completed_at": datetime.now(UTC),
        "completed_reason": "manual",
        "language": "en",
        "responses": [ResponseSnapshot(id="r", question_id="q1", response_type="text", text_answer="x", duration=3)],
        "hr_user_id": "hr",
        "response_count": 1,
    }
    question: dict[str, Any] = {
        "id": "q1",
        "text": "Incident?",
        "type": "text",
        "order": 1,
        "order_index": 0,
        "time_limit": 60,
        "required": True,
    }
    with_rubric = InvitationCompleted(
        **base,
        questions=[QuestionSnapshot(**question, rubric=[CriterionSnapshot(**c) for c in RUBRIC])],
    )
    parsed = InterviewSnapshot.model_validate(with_rubric.model_dump(mode="json", by_alias=True))
    assert [(c.name, c.weight, c.good) for c in parsed.questions[0].rubric] == [
        (c["name"], c["weight"], c["good"]) for c in RUBRIC
    ]
    older = InvitationCompleted(**base, questions=[QuestionSnapshot(**question)]).model_dump(mode="json", by_alias=True)
    del older["questions"][0]["rubric"]
    assert InterviewSnapshot.model_validate(older).questions[0].rubric == []

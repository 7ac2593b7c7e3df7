"""The offline scorer, used when no LLM key is configured, so an installation without one still
scores every interview: plain text measures anyone can re-check by hand, reported as such in every feedback
line and labelled `engine: "offline"`.

A question with a rubric is scored on the rubric's criteria: each one is half the general quality of the answer
(the mean of the four generic measures) and half how many of the criterion's own terms (its name and its
good-answer anchor) the answer uses; its evidence is the sentence using most of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from analysis.domain import Engine, InterviewSnapshot, QuestionOutcome, SnapshotCriterion, SnapshotQuestion
from analysis.scoring import CRITERIA, MAX_QUOTE_CHARS, Judgement, Summary, clamp

FULL_ANSWER_WORDS = 120
VARIED_VOCABULARY_WORDS = 40
CONNECTIVES = (
    "because",
    "therefore",
    "so that",
    "however",
    "although",
    "first",
    "second",
    "then",
    "finally",
    "for example",
    "for instance",
    "as a result",
    "which means",
    "instead",
    "if",
)
STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "also",
        "because",
        "been",
        "before",
        "being",
        "could",
        "does",
        "doing",
        "during",
        "each",
        "from",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "more",
        "most",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "you",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'+#-]*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_SPECIFIC = re.compile(r"\d|for example|for instance|e\.g\.|such as", re.IGNORECASE)


def _stems(text: str) -> set[str]:
    # Five-letter prefixes let "scaling" meet "scalable" without a stemmer dependency.
    return {w.lower()[:5] for w in _WORD.findall(text) if len(w) > 3 and w.lower() not in STOPWORDS}


def _sentences(answer: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(answer) if s.strip()]


def _quote(sentence: str) -> str:
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    return sentence[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]


def _connectives(text: str) -> int:
    lowered = f" {text.lower()} "
    return sum(lowered.count(f" {c} ") + lowered.count(f" {c},") for c in CONNECTIVES)


def _on_rubric(
    rubric: Sequence[SnapshotCriterion], generic: dict[str, int], sentences: list[str], answer: str, feedback: str
) -> Judgement:
    quality = sum(generic.values()) / len(generic)
    answered = _stems(answer)
    criteria: dict[str, int] = {}
    evidence: dict[str, str | None] = {}
    notes = []
    for criterion in rubric:
        terms = _stems(f"{criterion.name} {criterion.good}")
        used = terms & answered
        share = len(used) / len(terms) if terms else 0.5
        criteria[criterion.name] = clamp(quality / 2 + 50 * share)
        evidence[criterion.name] = _quote(max(sentences, key=lambda s: len(_stems(s) & terms)))
        notes.append(f"{criterion.name}: {len(used)} of {len(terms)} of its terms used")
    return Judgement(
        criteria=criteria,
        feedback=f"{feedback} Scored on the rubric's criteria, each half the general measures and half the "
        f"criterion's own terms ({'; '.join(notes)}).",
        evidence=evidence,
    )


class OfflineEngine:
    name: ClassVar[Engine] = "offline"
    model: str | None = None
    prompt_version: str | None = None

    async def judge(self, question: SnapshotQuestion, answer: str, *, language: str) -> Judgement:
        words = _WORD.findall(answer)
        sentences = _sentences(answer) or [answer.strip()]
        asked = _stems(question.text)
        covered = asked & _stems(answer)
        connectives = _connectives(answer)
        vocabulary = _stems(answer)
        specifics = len(_SPECIFIC.findall(answer))
        coverage = len(covered) / len(asked) if asked else 1.0
        criteria = {
            "relevance": clamp(25 + 75 * coverage),
            "completeness": clamp(100 * len(words) / FULL_ANSWER_WORDS),
            "clarity": clamp(30 + 20 * min(connectives, 3) + 10 * min(len(sentences) - 1, 1)),
            "depth": clamp(100 * len(vocabulary) / VARIED_VOCABULARY_WORDS * 0.8 + 10 * min(specifics, 2)),
        }
        evidence = {
            "relevance": max(sentences, key=lambda s: len(_stems(s) & asked)),
            "completeness": max(sentences, key=len),
            "clarity": next((s for s in sentences if _connectives(s)), sentences[0]),
            "depth": max(sentences, key=lambda s: (len(_SPECIFIC.findall(s)), len(_stems(s)))),
        }
        feedback = (
            f"Offline heuristic scoring (no language model): {len(words)} words "
            f"(a full answer is about {FULL_ANSWER_WORDS}); {len(covered)} of {len(asked)} key terms of the question "
            f"addressed; {len(sentences)} sentence(s) with {connectives} reasoning connective(s); "
            f"{len(vocabulary)} distinct content words and {specifics} concrete detail(s)."
        )
        if question.rubric:
            return _on_rubric(question.rubric, criteria, sentences, answer, feedback)
        return Judgement(
            criteria=criteria,
            feedback=feedback,
            evidence={c: _quote(evidence[c]) for c in CRITERIA},
        )

    async def summarise(self, snapshot: InterviewSnapshot, questions: Sequence[QuestionOutcome]) -> Summary:
        # Each criterion's mean over the answers scored on it (a rubric names its own criteria).
        by_criterion: dict[str, list[int]] = {}
        for q in questions:
            for row in q.criteria_scores:
                by_criterion.setdefault(str(row["criterion"]), []).append(int(row["score"]))
        averages = {c: round(sum(scores) / len(scores)) for c, scores in by_criterion.items()}
        strengths = [f"{c.capitalize()} {avg}/100 on average" for c, avg in averages.items() if avg >= 70]
        weaknesses = [f"{c.capitalize()} {avg}/100 on average" for c, avg in averages.items() if avg < 50]
        choices = [q for q in questions if q.is_correct is not None]
        if choices:
            right = sum(1 for q in choices if q.is_correct)
            line = f"{right} of {len(choices)} multiple-choice questions answered correctly"
            (strengths if right * 2 >= len(choices) else weaknesses).append(line)
        unanswered = sum(1 for q in questions if q.response_text is None and q.score == 0)
        if unanswered:
            weaknesses.append(f"{unanswered} question(s) left unanswered")
        scored = [q.score for q in questions if q.score is not None]
        overall = clamp(sum(scored) / len(scored)) if scored else 0
        summary = (
            f"Offline heuristic assessment of {len(questions)} question(s)"
            f"{f' for {snapshot.template_title}' if snapshot.template_title else ''}: {overall}/100 overall. "
            "The scores come from transparent text measures (answer length, coverage of the question's terms, "
            "reasoning connectives, vocabulary and concrete details), not from a language model; "
            "treat them as a rough guide and read the answers."
        )
        return Summary(summary=summary, strengths=strengths, weaknesses=weaknesses, recommendation=None)

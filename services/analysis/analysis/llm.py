"""The LLM engine: Groq's official SDK in JSON mode against any OpenAI-compatible chat-completions API.

Calls run concurrently, paced by a token-bucket limiter sized to the provider's per-minute limits, so
no fixed sleep sits between calls. A 429 pauses every caller for the `retry-after` the provider sent;
an answer that is not the JSON object asked for is asked again; both are bounded, then the analysis
fails with the reason."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from email.utils import parsedate_to_datetime
from importlib.resources import files
from string import Template
from typing import Any, ClassVar, TypeVar

import groq
import httpx
import structlog
from groq.types.chat import ChatCompletion
from prometheus_client import Counter, Histogram
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from analysis.domain import Engine, InterviewSnapshot, QuestionOutcome, SnapshotCriterion, SnapshotQuestion, Usage
from analysis.scoring import CRITERIA, Judgement, ScoringFailed, Summary, clamp, criteria_of
from analysis.settings import Settings

log = structlog.get_logger("analysis.llm")

LLM_REQUESTS = Counter(
    "analysis_service_llm_requests_total",
    "LLM calls by outcome (success, rate_limited, daily_limit, invalid_json, error) and kind",
    ["status", "type"],
)
LLM_TOKENS = Counter("analysis_service_llm_tokens_used", "Tokens spent on LLM calls", ["type"])
# The provider's answer time alone: waits for the rate limiter and for a free slot are not in it.
LLM_DURATION = Histogram(
    "analysis_service_llm_request_duration_seconds",
    "Time the LLM provider took to answer one call, whatever the outcome",
    ["type"],
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
)

# Time a call waited for this process's rate limiter (its buckets or a provider's 429 pause) before it was sent:
# where analyses queue when the LLM budget, not the provider or the fleet, is the bound.
LLM_LIMITER_WAIT = Histogram(
    "analysis_service_llm_limiter_wait_seconds",
    "Time an LLM call waited for the process's rate limiter before it was sent",
    buckets=(0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)

# Why an analysis failed, as the HR user reads it beside the retry button; the technical detail is logged.
DAILY_LIMIT = "The AI scoring service has reached its limit for today. Retry the analysis tomorrow."
TOO_BUSY = "The AI scoring service was too busy to answer. Retry the analysis in a few minutes."
UNREACHABLE = "The AI scoring service could not be reached. Retry the analysis in a few minutes."
REFUSED = "The AI scoring service refused to score this interview. Retry the analysis; ask support if it happens again."
UNREADABLE = "The AI scoring service answered in a way that could not be read. Retry the analysis."

MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 4000
MAX_SUMMARY_ANSWER_CHARS = 600
RESPONSE_MARKER = "<<<RESPONSE>>>"
M = TypeVar("M", bound=BaseModel)
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?)\s*(ms|s)", re.IGNORECASE)


class RateLimiter:
    """Two token buckets, requests and tokens per minute, refilled continuously, so that no 60 seconds carry more
    than the provider's limits: each bucket holds a tenth of a minute's worth (`BURST`) and refills at the rest,
    burst plus refill being the limit. (A bucket of a whole minute refilled at the limit lets up to twice the
    limit through in the minute after a quiet spell, which a provider answers with 429s.) A caller waits exactly
    as long as both buckets need (FIFO, through the lock); a call larger than a bucket waits for a full one and
    leaves a debt later callers wait for; a 429 pauses everyone until its retry-after."""

    BURST = 0.1

    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        limits = (float(requests_per_minute), float(tokens_per_minute))
        self._capacity = tuple(max(1.0, limit * self.BURST) for limit in limits)
        self._rates = tuple(
            (limit - cap) / 60.0 if limit > cap else limit / 60.0
            for limit, cap in zip(limits, self._capacity, strict=True)
        )
        self._levels = list(self._capacity)
        self._clock, self._sleep = clock, sleep
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        elapsed, self._updated = now - self._updated, now
        limits = zip(self._levels, self._rates, self._capacity, strict=True)
        self._levels = [min(cap, lvl + rate * elapsed) for lvl, rate, cap in limits]

    async def acquire(self, tokens: int) -> None:
        charge = (1.0, float(tokens))
        need = (1.0, min(float(tokens), self._capacity[1]))
        asked = self._clock()
        async with self._lock:
            while True:
                now = self._clock()
                self._refill(now)
                wait = max(
                    self._paused_until - now,
                    *((n - lvl) / rate for n, lvl, rate in zip(need, self._levels, self._rates, strict=True)),
                )
                # A microsecond's shortfall is rounding in the refill, not a wait (and a clock may not move by it).
                if wait <= 1e-6:
                    self._levels = [lvl - c for lvl, c in zip(self._levels, charge, strict=True)]
                    LLM_LIMITER_WAIT.observe(now - asked)
                    return
                await self._sleep(wait)

    def settle(self, estimated: int, actual: int) -> None:
        """Charge the tokens really used instead of the estimate (a debt delays later callers)."""
        self._levels[1] -= actual - estimated

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)


class _Criterion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criterion: str
    score: float
    evidence: str | None = None
    quote: str | None = None


class _Judgement(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    score: float | None = None
    feedback: str = ""
    criteria_scores: list[_Criterion] = Field(default_factory=list, alias="criteriaScores")

    @field_validator("criteria_scores", mode="before")
    @classmethod
    def _keep_objects(cls, value: Any) -> Any:
        return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []

    @model_validator(mode="after")
    def _scored(self, info: ValidationInfo) -> _Judgement:
        # An answer without any score is as useless as invalid JSON: it is asked again. The criteria asked
        # for come in the validation context (a rubric's names), else they are the generic ones.
        asked = {c.casefold() for c in (info.context or {}).get("criteria", CRITERIA)}
        if self.score is None and not any(c.criterion.strip().casefold() in asked for c in self.criteria_scores):
            raise ValueError("neither a score nor any known criterion")
        return self


class _Summary(BaseModel):
    model_config = ConfigDict(extra="ignore")

    summary: str
    strengths: list[str] = Field(default_factory=list)
    weaknesses: list[str] = Field(default_factory=list)
    recommendation: str | None = None

    @field_validator("strengths", "weaknesses", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        return [str(v) for v in value if v] if isinstance(value, list) else []


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "... [truncated]"


def _language_instruction(language: str) -> str:
    return "" if language in ("", "en") else f"\nWrite the feedback in this language: {language}.\n"


def retry_after_seconds(response: httpx.Response, message: str, attempt: int) -> float:
    """The provider's retry-after (seconds, milliseconds or an HTTP date), else its message, else backoff."""
    headers = response.headers
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    if "retry-after" in headers:
        value = headers["retry-after"]
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    if match := _TRY_AGAIN.search(message):
        amount = float(match.group(1))
        return amount / 1000 if match.group(2).lower() == "ms" else amount
    return float(2**attempt)


class Prompts:
    def __init__(self, version: str) -> None:
        folder = files("analysis") / "prompts" / version
        self.version = version
        self.question_system = (folder / "question_system.txt").read_text()
        self.question_user = Template((folder / "question_user.txt").read_text())
        self.summary_system = (folder / "summary_system.txt").read_text()
        self.summary_user = Template((folder / "summary_user.txt").read_text())
        self.question_rubric_system = Template((folder / "question_rubric_system.txt").read_text())

    def rubric_system(self, rubric: Sequence[SnapshotCriterion]) -> str:
        """The question prompt for a rubric: each criterion with its weight and anchors, and the answer's shape
        naming exactly those criteria."""
        total = sum(c.weight for c in rubric)
        criteria = "\n".join(
            f"- {c.name} (weight {c.weight:g}, {c.weight / total:.0%} of the score)\n"
            f"  good answer: {c.good or '(not described)'}\n  poor answer: {c.poor or '(not described)'}"
            for c in rubric
        )
        shape = ",\n".join(
            f'   {{"criterion": {json.dumps(c.name)}, "score": 0-100, "evidence": "verbatim quote or null"}}'
            for c in rubric
        )
        return self.question_rubric_system.substitute(criteria=criteria, answer_shape=shape)


class LlmEngine:
    name: ClassVar[Engine] = "llm"

    def __init__(self, settings: Settings, *, limiter: RateLimiter | None = None) -> None:
        self.settings = settings
        self.model: str | None = settings.llm_model
        self.prompts = Prompts(settings.prompt_version)
        self.prompt_version: str | None = settings.prompt_version
        # The SDK's own retries are off: ours share the limiter, honour retry-after and are counted.
        self.client = groq.AsyncGroq(
            api_key=settings.llm_api_key.get_secret_value(),
            base_url=settings.llm_base_url,
            max_retries=0,
            timeout=settings.llm_timeout_s,
        )
        self.limiter = limiter or RateLimiter(settings.llm_requests_per_minute, settings.llm_tokens_per_minute)
        self._slots = asyncio.Semaphore(settings.llm_max_concurrency)

    async def close(self) -> None:
        await self.client.close()

    async def judge(self, question: SnapshotQuestion, answer: str, *, language: str) -> Judgement:
        user = self.prompts.question_user.substitute(
            question_type=question.type,
            question=_truncate(question.text, MAX_QUESTION_CHARS),
            # The candidate cannot close the data markers and talk to the model as the instructions.
            answer=_truncate(answer.replace(RESPONSE_MARKER, ""), MAX_ANSWER_CHARS),
            language_instruction=_language_instruction(language),
        )
        system = self.prompts.rubric_system(question.rubric) if question.rubric else self.prompts.question_system
        # Criteria are matched by name whatever the case the model wrote them in; other names are ignored.
        names = {name.casefold(): name for name, _ in criteria_of(question)}
        parsed, usage = await self._ask("question", system, user, _Judgement, criteria=list(names))
        criteria: dict[str, int] = {}
        evidence: dict[str, str | None] = {}
        for c in parsed.criteria_scores:
            name = names.get(c.criterion.strip().casefold())
            if name is not None:
                criteria[name] = clamp(c.score)
                evidence[name] = c.evidence or c.quote
        return Judgement(
            score=clamp(parsed.score) if parsed.score is not None else None,
            feedback=parsed.feedback,
            criteria=criteria,
            evidence=evidence,
            usage=usage,
        )

    async def summarise(self, snapshot: InterviewSnapshot, questions: Sequence[QuestionOutcome]) -> Summary:
        lines = []
        for i, q in enumerate(questions, 1):
            answer = _truncate(q.response_text or "[no answer]", MAX_SUMMARY_ANSWER_CHARS)
            score = "not scored" if q.score is None else f"{q.score}/100"
            lines.append(f"{i}. Q: {q.question_text}\n   A: {answer}\n   Score: {score}\n   Feedback: {q.feedback}")
        user = self.prompts.summary_user.substitute(
            position=snapshot.template_title or "(not given)",
            company=snapshot.company_name or "(not given)",
            language_instruction=_language_instruction(snapshot.language),
            questions="\n".join(lines),
        )
        parsed, usage = await self._ask("summary", self.prompts.summary_system, user, _Summary)
        recommendation = (parsed.recommendation or "").strip().lower()
        return Summary(
            summary=parsed.summary.strip() or "No summary provided.",
            strengths=parsed.strengths,
            weaknesses=parsed.weaknesses,
            recommendation=recommendation if recommendation in ("hire", "consider", "reject") else None,
            usage=usage,
        )

    async def _ask(
        self, kind: str, system: str, user: str, shape: type[M], *, criteria: Sequence[str] = CRITERIA
    ) -> tuple[M, Usage]:
        """One JSON answer of the given shape; retried on 429, invalid JSON and transient errors."""
        settings = self.settings
        estimate = (len(system) + len(user)) // 4 + settings.llm_max_tokens
        spent = Usage()
        attempts = rate_limited = 0
        while True:
            await self.limiter.acquire(estimate)
            try:
                async with self._slots:
                    started = time.perf_counter()
                    try:
                        completion = await self.client.post(
                            settings.llm_chat_path,
                            cast_to=ChatCompletion,
                            body={
                                "model": settings.llm_model,
                                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
                                "temperature": settings.llm_temperature,
                                "max_tokens": settings.llm_max_tokens,
                                "response_format": {"type": "json_object"},
                            },
                        )
                    finally:
                        LLM_DURATION.labels(kind).observe(time.perf_counter() - started)
            except groq.RateLimitError as exc:
                rate_limited += 1
                message = str(exc)
                if re.search(r"tokens per day|\bTPD\b|per day", message, re.IGNORECASE):
                    LLM_REQUESTS.labels("daily_limit", kind).inc()
                    log.warning("llm.daily_limit", kind=kind, error=message[:300])
                    raise ScoringFailed(DAILY_LIMIT) from exc
                LLM_REQUESTS.labels("rate_limited", kind).inc()
                delay = retry_after_seconds(exc.response, message, rate_limited)
                if rate_limited > settings.llm_max_rate_limit_retries or delay > settings.llm_max_retry_after_s:
                    log.warning("llm.rate_limited_too_often", kind=kind, times=rate_limited, retry_after_s=delay)
                    raise ScoringFailed(TOO_BUSY) from exc
                log.warning("llm.rate_limited", kind=kind, retry_after_s=delay, times=rate_limited)
                self.limiter.pause(delay)
                continue
            except (groq.APIConnectionError, groq.InternalServerError) as exc:
                LLM_REQUESTS.labels("error", kind).inc()
                attempts += 1
                if attempts >= settings.llm_max_attempts:
                    log.warning("llm.gave_up", kind=kind, attempts=attempts, error=repr(exc))
                    raise ScoringFailed(UNREACHABLE) from exc
                log.warning("llm.transient_error", kind=kind, attempt=attempts, error=repr(exc))
                await asyncio.sleep(min(2.0**attempts, 30.0))
                continue
            except groq.APIStatusError as exc:
                LLM_REQUESTS.labels("error", kind).inc()
                log.warning("llm.refused", kind=kind, status=exc.status_code, error=str(exc)[:300])
                raise ScoringFailed(REFUSED) from exc
            usage = Usage(
                prompt_tokens=completion.usage.prompt_tokens if completion.usage else 0,
                completion_tokens=completion.usage.completion_tokens if completion.usage else 0,
            )
            spent += usage
            self.limiter.settle(estimate, usage.total_tokens)
            LLM_TOKENS.labels(kind).inc(usage.total_tokens)
            content = completion.choices[0].message.content if completion.choices else None
            try:
                data = json.loads(content or "")
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                parsed = shape.model_validate(data, context={"criteria": criteria})
            except (ValueError, ValidationError) as exc:
                LLM_REQUESTS.labels("invalid_json", kind).inc()
                attempts += 1
                log.warning("llm.invalid_json", kind=kind, attempt=attempts, error=str(exc)[:200])
                if attempts >= settings.llm_max_attempts:
                    raise ScoringFailed(UNREADABLE) from exc
                continue
            LLM_REQUESTS.labels("success", kind).inc()
            return parsed, spent

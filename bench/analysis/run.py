"""Analysis benchmark: wall time to score a 10-question interview through the real groq SDK against a
local OpenAI-compatible stand-in that answers after a fixed latency, with the questions analysed
concurrently beside the same interview analysed one call at a time, and beside a single call, in one run.

Needs no server of the stack (the stand-in listens on 127.0.0.1). Usage: `uv run python bench/analysis/run.py`."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import SecretStr

from analysis.domain import InterviewSnapshot
from analysis.llm import LlmEngine
from analysis.scoring import score_interview
from analysis.settings import Settings
from standins.llm import LlmStandIn


def interview(questions: int) -> InterviewSnapshot:
    return InterviewSnapshot.model_validate(
        {
            "invitationId": str(uuid.uuid4()),
            "templateTitle": "Backend engineer",
            "questions": [
                {"id": f"q{i}", "text": f"How would you approach design problem number {i}?", "order": i}
                for i in range(questions)
            ],
            "responses": [
                {"questionId": f"q{i}", "textAnswer": f"First I would measure problem {i}, then iterate on it."}
                for i in range(questions)
            ],
        }
    )


async def timed(runs: int, action: Callable[[], Awaitable[Any]]) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def main(args: argparse.Namespace) -> None:
    stand_in = LlmStandIn()
    await stand_in.start()
    stand_in.reset(latency_s=args.latency_ms / 1000)
    base = Settings(
        llm_api_key=SecretStr("bench"),
        llm_base_url=stand_in.base_url,
        # Limits far above what the run needs, so the figures show the concurrency, not the pacing.
        llm_requests_per_minute=100_000,
        llm_tokens_per_minute=100_000_000,
    )
    concurrent = LlmEngine(base.model_copy(update={"llm_max_concurrency": args.questions}))
    sequential = LlmEngine(base.model_copy(update={"llm_max_concurrency": 1}))
    snapshot = interview(args.questions)
    question = snapshot.questions[0]
    try:
        one_call = await timed(args.runs, lambda: concurrent.judge(question, "An answer.", language="en"))
        parallel = await timed(args.runs, lambda: score_interview(concurrent, snapshot))
        serial = await timed(args.runs, lambda: score_interview(sequential, snapshot))
    finally:
        await concurrent.close()
        await sequential.close()
        await stand_in.stop()

    calls = args.questions + 1
    print(
        f"analysis benchmark ({args.questions} open questions + 1 summary = {calls} LLM calls; "
        f"stand-in latency {args.latency_ms} ms; median of {args.runs} runs)"
    )
    print(f"  one call                          : {one_call * 1000:8.0f} ms")
    print(f"  interview, questions concurrent   : {parallel * 1000:8.0f} ms  ({parallel / one_call:5.2f}x one call)")
    print(f"  interview, one call at a time     : {serial * 1000:8.0f} ms  ({serial / one_call:5.2f}x one call)")
    print(f"  sequential / concurrent           : {serial / parallel:8.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args()))

"""A local stand-in of an OpenAI-compatible chat-completions API (Groq's path), for the analysis tests, the
journey tests and the benchmark: the real `groq` SDK talks to it over HTTP on 127.0.0.1. It answers valid
JSON, invalid JSON or a 429 with `retry-after`, after a configurable latency, and records when each request arrived."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from standins.server import HttpStandIn

Behaviour = Literal["valid", "invalid_json", "rate_limited"]
CHAT_PATH = "/openai/v1/chat/completions"
# A quote the stand-in claims as evidence although no answer contains it: it must be dropped.
INVENTED_QUOTE = "I have led a team of forty engineers at a unicorn"


@dataclass
class Recorded:
    arrived: float
    kind: str
    user: str
    status: int
    answered: float = 0.0


@dataclass
class LlmStandIn(HttpStandIn):
    latency_s: float = 0.0
    retry_after_s: float = 1.0
    default: Behaviour = "valid"
    script: deque[Behaviour] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)

    def reset(
        self,
        *,
        default: Behaviour = "valid",
        script: tuple[Behaviour, ...] = (),
        latency_s: float = 0.0,
        retry_after_s: float = 1.0,
    ) -> None:
        self.default, self.script, self.latency_s = default, deque(script), latency_s
        self.retry_after_s = retry_after_s
        self.requests.clear()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post(CHAT_PATH)
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            system, user = (m["content"] for m in body["messages"][:2])
            kind = "summary" if "overall assessment" in system else "question"
            record = Recorded(arrived=time.monotonic(), kind=kind, user=user, status=200)
            self.requests.append(record)
            behaviour = self.script.popleft() if self.script else self.default
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            record.answered = time.monotonic()
            if behaviour == "rate_limited":
                record.status = 429
                return JSONResponse(
                    {"error": {"message": "Rate limit reached for requests per minute", "type": "requests"}},
                    status_code=429,
                    headers={"retry-after": str(self.retry_after_s)},
                )
            content = "this is not { json" if behaviour == "invalid_json" else json.dumps(_answer(kind, user, system))
            return JSONResponse(_completion(body["model"], content))

        return app


GENERIC = ["relevance", "completeness", "clarity", "depth"]


def _answer(kind: str, user: str, system: str = "") -> dict[str, Any]:
    if kind == "summary":
        return {
            "summary": "A solid candidate who explains trade-offs clearly.",
            "strengths": ["Structured reasoning"],
            "weaknesses": ["Few concrete numbers"],
            "recommendation": "hire",
        }
    match = re.search(r"<<<RESPONSE>>>\n(.*)\n<<<RESPONSE>>>", user, re.DOTALL)
    answer = match.group(1) if match else ""
    words = answer.split()
    # A rubric prompt names its own criteria in the answer's shape: each is scored 90, 70, 50, ... in order, the
    # first quoting the answer's opening words and the last quoting nothing the answer says.
    asked = re.findall(r'\{"criterion": ("(?:[^"\\]|\\.)*")', system)
    names = [json.loads(n) for n in asked]
    if names and names != GENERIC:
        return {
            "score": 70,
            "feedback": "Judged on the hiring team's rubric.",
            "criteriaScores": [
                {
                    "criterion": name.upper() if i == 1 else name,
                    "score": max(0, 90 - 20 * i),
                    "evidence": " ".join(words[:6]) if i == 0 else INVENTED_QUOTE if i == len(names) - 1 else None,
                }
                for i, name in enumerate(names)
            ],
        }
    return {
        "score": 80,
        "feedback": "Clear and relevant answer.",
        "criteriaScores": [
            {"criterion": "relevance", "score": 85, "evidence": " ".join(words[:6])},
            {"criterion": "completeness", "score": 75, "evidence": " ".join(words[-5:]).upper()},
            {"criterion": "clarity", "score": 80, "evidence": None},
            {"criterion": "depth", "score": 70, "evidence": INVENTED_QUOTE},
            {"criterion": "charisma", "score": 100},
        ],
    }


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
    }

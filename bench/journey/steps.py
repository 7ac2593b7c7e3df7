"""CPU time and SQL statements per candidate step of the interviews service, in process (httpx's ASGI transport,
one request at a time): the steps the journey sends through interviews-1, its busiest process. A figure that holds
on a busy machine, where the journey's latencies swing with other load; the client's own CPU is included.

N invitations to one template of five text questions (quota off: billing is not in the process), then per
candidate: the briefing, the briefing again accepting its notice, start, five answers, complete. Runs on the
journey's database (`aivi_journey`, migrated first) and deletes what it made. `--profile FILE` samples the run
with py-spy (a speedscope or collapsed file, by the extension given; needs root).
Usage: `uv run python bench/journey/steps.py [--candidates 100] [--profile /tmp/steps.txt]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).parent))

from fleet import migrate, provision_database, service_settings

from kit.db import make_engine
from kit.testing import INTERNAL_TOKEN

DATABASE = "aivi_journey"
ANSWER = "I would measure first, then change one thing at a time and measure again."
STEPS = ("briefing", "consent", "start", "answer", "complete")


def caller(user_id: str, role: str) -> dict[str, str]:
    return {"x-internal-token": INTERNAL_TOKEN, "x-user-id": user_id, "x-user-role": role}


class Statements:
    """SQL statements the app's engine sends (SQLAlchemy's; a `kit.db.Query` on the driver is not seen)."""

    def __init__(self, show: bool) -> None:
        self.count = 0
        self.show = show

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        if self.show:
            print("   ", " ".join(statement.split())[:300])


async def run(candidates: int, show_sql: bool) -> dict[str, tuple[float, float, int]]:
    from interviews.main import create_app

    settings = service_settings("interviews", DATABASE).model_copy(update={"quota_enforcement": False})
    app = create_app(settings)  # type: ignore[arg-type]
    hr = caller(str(uuid.uuid4()), "hr")
    cpu: dict[str, float] = defaultdict(float)
    statements: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    started_at = datetime.now(UTC)
    template_id = ""
    async with LifespanManager(app) as manager:
        counter = Statements(show=False)
        event.listen(app.state.sessions.kw["bind"].sync_engine, "before_cursor_execute", counter)
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def call(step: str, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
                if counter.show:
                    print(step)
                before, sent = time.process_time(), counter.count
                response = await client.request(method, path, headers=headers, **kw)
                cpu[step] += time.process_time() - before
                statements[step] += counter.count - sent
                calls[step] += 1
                if response.status_code >= 300:
                    raise SystemExit(f"{step}: {response.status_code} {response.text}")
                return response.json()

            template = await call("setup", "POST", "/api/templates", hr, json={"title": "Steps", "description": "CPU"})
            template_id = template["id"]
            for order in range(1, 6):
                question = {"text": f"Question {order}?", "type": "text", "order": order, "timeLimit": 300}
                await call("setup", "POST", f"/api/templates/{template_id}/questions", hr, json=question)
            await call("setup", "PUT", f"/api/templates/{template_id}/publish", hr)
            shown = await call("setup", "GET", f"/api/templates/{template_id}", hr)
            questions = shown["questions"]
            expires = (datetime.now(UTC) + timedelta(days=7)).isoformat()
            people = []
            for _ in range(candidates):
                person = caller(str(uuid.uuid4()), "candidate")
                body = {"templateId": template_id, "candidateId": person["x-user-id"], "companyName": "Acme",
                        "expiresAt": expires, "candidateEmail": "c@bench.invalid", "candidateName": "C"}  # fmt: skip
                invitation = await call("invite", "POST", "/api/invitations", hr, json=body)
                people.append((person, f"/api/invitations/{invitation['id']}"))
            for number, (person, base) in enumerate(people):
                # The first candidate's statements, step by step, with --show-sql.
                counter.show = show_sql and number == 0
                notice = (await call("briefing", "POST", f"{base}/briefing", person))["notice"]
                consent = {"accepted": True, "noticeVersion": notice["version"], "noticeHash": notice["hash"]}
                await call("consent", "POST", f"{base}/briefing", person, json={"consent": consent})
                await call("start", "POST", f"{base}/start", person)
                for index, question in enumerate(questions):
                    answer = {"questionId": question["id"], "questionIndex": index, "questionText": question["text"],
                              "responseType": "text", "textAnswer": ANSWER, "duration": 30}  # fmt: skip
                    await call("answer", "POST", f"{base}/responses", person, json=answer)
                await call("complete", "POST", f"{base}/complete", person, json={"reason": "manual"})
    await forget(settings, template_id, started_at)
    return {s: (cpu[s] / calls[s] * 1e3, statements[s] / calls[s], calls[s]) for s in ("invite", *STEPS)}


async def forget(settings: Any, template_id: str, since: datetime) -> None:
    """The bench's rows, and the outbox rows its requests staged (no fleet is to relay them)."""
    engine = make_engine(settings.database_url, settings.schema_name)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM invitations WHERE template_id = :t"), {"t": template_id})
            await connection.execute(text("DELETE FROM interview_templates WHERE id = :t"), {"t": template_id})
            await connection.execute(
                text("DELETE FROM outbox WHERE created_at >= :since AND published_at IS NULL"), {"since": since}
            )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--profile", default="", help="py-spy output file (.txt: collapsed, else speedscope)")
    parser.add_argument("--show-sql", action="store_true", help="print the first candidate's statements")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile and not args.child:
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        kind = "raw" if args.profile.endswith(".txt") else "speedscope"
        command = [py_spy, "record", "-r", "200", "-f", kind, "-o", args.profile, "--"]
        command += [sys.executable, __file__, "--child", "--candidates", str(args.candidates)]
        subprocess.run(command, check=True, env=os.environ)
        return
    settings = service_settings("interviews", DATABASE)
    asyncio.run(provision_database(DATABASE))
    migrate("interviews", settings)
    figures = asyncio.run(run(args.candidates, args.show_sql))
    print(f"interviews in process, {args.candidates} candidates, one request at a time; load {os.getloadavg()[0]:.1f}")
    print(f"{'step':12}{'CPU ms/call':>13}{'statements/call':>17}{'calls':>7}")
    for step, (ms, sql, n) in figures.items():
        print(f"{step:12}{ms:>13.2f}{sql:>17.1f}{n:>7}")


if __name__ == "__main__":
    main()

"""The adverse-impact report over 10,000 decided interviews (issue 18, Measure): the time of the whole report as
the route computes it (the scope's template list, the one joined read of decisions, scores and self-identification,
and the three tables), p50 and max over repeated runs, printed.

Runs against the test database (`aivi_test`, migrated first) inside one transaction that is rolled back, so no
row stays behind. The population: one company, ten templates, every candidate a mix of the self-identification
answers (a tenth without any), about half approved, AI scores 0 to 100 with some missing.
Usage: `uv run python bench/fairness/run.py [--decided N] [--runs N]`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interviews.domain import Invitation, Template
from interviews.domain.fairness import RaceEthnicity, SelfIdentification, Sex
from interviews.fairness import fairness_report
from interviews.settings import Settings
from kit.auth import Principal
from kit.db import make_engine
from kit.testing import alembic_upgrade, settings_for_tests

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "interviews"
NOW = datetime(2030, 1, 15, tzinfo=UTC)
COMPANY = f"bench-fairness-{uuid.uuid4().hex[:8]}"


def population(
    decided: int, templates: list[uuid.UUID], seed: int = 18
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    invitations, answers = [], []
    for _ in range(decided):
        candidate = str(uuid.uuid4())
        score = None if rng.random() < 0.05 else rng.randrange(101)
        invitations.append(
            {
                "id": uuid.uuid4(),
                "template_id": rng.choice(templates),
                "candidate_id": candidate,
                "company_id": COMPANY,
                "company_name": "Bench",
                "invited_by": "bench",
                "status": "completed",
                "allow_pause": True,
                "show_timer": True,
                "expires_at": NOW + timedelta(days=7),
                "completed_at": NOW,
                "total_questions": 3,
                "analysis_score": score,
                "decision": "approved" if rng.random() < 0.5 else "rejected",
                "decision_at": NOW,
                "decision_by": "bench",
                "version": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        if rng.random() < 0.9:
            answers.append(
                {
                    "candidate_id": candidate,
                    "sex": rng.choice(list(Sex)),
                    "race_ethnicity": rng.choice(list(RaceEthnicity)),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
    return invitations, answers


async def seed(session: AsyncSession, decided: int) -> None:
    templates = []
    for i in range(10):
        template_id = uuid.uuid4()
        templates.append(template_id)
        session.add(
            Template(
                id=template_id,
                title=f"Bench template {i}",
                description="",
                created_by="bench",
                company_id=COMPANY,
                status="published",
                settings={},
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    await session.flush()
    invitations, answers = population(decided, templates)
    for start in range(0, len(invitations), 2000):
        await session.execute(insert(Invitation), invitations[start : start + 2000])
    for start in range(0, len(answers), 2000):
        await session.execute(insert(SelfIdentification), answers[start : start + 2000])


async def main(decided: int, runs: int) -> None:
    settings = settings_for_tests(Settings, "interviews")
    engine = make_engine(settings.database_url, settings.schema_name, pool_size=1)
    caller = Principal(user_id="bench-hr", role="hr", company_id=COMPANY)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            session = AsyncSession(bind=connection, expire_on_commit=False)
            try:
                started = time.perf_counter()
                await seed(session, decided)
                print(f"seeded {decided} decided interviews in {time.perf_counter() - started:.1f} s")
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    report = await fairness_report(session, caller=caller, company_id=None, template_id=None, now=NOW)
                    timings.append(time.perf_counter() - started)
                assert report.decided == decided, report.decided
                print(
                    f"adverse-impact report over {report.decided} decided interviews: "
                    f"p50 {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms ({runs} runs)"
                )
            finally:
                await session.close()
                await transaction.rollback()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decided", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    # Alembic's env runs its own event loop: migrate before ours starts.
    alembic_upgrade(SERVICE_DIR, settings_for_tests(Settings, "interviews"))
    asyncio.run(main(args.decided, args.runs))

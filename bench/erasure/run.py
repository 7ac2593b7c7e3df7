"""`bench/erasure`: how long a candidate's erasure takes end to end, from the request to the report saying done.

The whole fleet (bench/journey's, with analytics, transcription on the Whisper stand-in and analysis on the LLM
stand-in) on a database of its own, the test realm, buckets and this run's topics. A candidate with `--invitations`
interviews of `--recorded` recordings each (default 4 x 5 = 20 recorded answers, each uploaded to S3,
transcribed and scored) and everything else scenario.py gives them; HR reviews and decides. Then the candidate
asks for the erasure through the gateway and the report is polled (every 0.25 s) until it says complete.

Printed: the seconds from the request to the report saying complete, and when each service's last report
arrived after the request (the report's own timestamps). Then the scan of tests/test_erasure.py runs once
and its findings are printed, so a run that measured an erasure which left something behind says so.

Run under the fleet lock: `flock /tmp/fleet.lock uv run python bench/erasure/run.py [--invitations 4]
[--recorded 5]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario

from kit.testing import KAFKA_BOOTSTRAP
from standins.llm import LlmStandIn
from standins.transcription import WhisperStandIn


async def main(invitations: int, recorded: int) -> int:
    llm, whisper = LlmStandIn(), WhisperStandIn()
    await llm.start()
    await whisper.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-erasure-") as folder:
            work = Path(folder)
            async with scenario.run_platform(
                KAFKA_BOOTSTRAP, llm_url=llm.base_url, whisper_url=whisper.base_url, work=work, label="bench-erasure"
            ) as platform:
                since = datetime.now(UTC) - timedelta(minutes=1)
                print(f"building the footprint: {invitations} interviews x {recorded} recordings", flush=True)
                who = await scenario.build_footprint(platform, invitations=invitations, recorded=recorded, work=work)
                print(f"{len(who.recordings)} recorded answers, {len(who.invitations)} interviews; erasing", flush=True)
                erasure = await scenario.erase(platform, who)
                requested = datetime.fromisoformat(erasure.report["requestedAt"].replace("Z", "+00:00"))
                done = f"report complete after {erasure.seconds:.1f}s"
                print(f"\nerasure of {len(who.recordings)} recorded answers: {done}")
                for service in erasure.report["services"]:
                    at = service.get("reportedAt")
                    after = (datetime.fromisoformat(at.replace("Z", "+00:00")) - requested).total_seconds() if at else 0
                    print(f"  {service['service']:<14} last report +{after:6.1f}s  {service['counts']}")
                # What follows from the same events without reporting (the report's mail, the audit's keys) is
                # timed too: until no identifier of the person is left in any schema or bucket but the erasure's own
                # events, which name what they erase and go with the outbox retention.
                started = time.monotonic() - erasure.seconds
                seen: set[str] = set()
                while time.monotonic() - started < 300:
                    waiting = {h.where.split(".")[0] + f" [{h.needle}]" for h in scenario.unexplained(
                        await scenario.scan_stores(who, since))}  # fmt: skip
                    if not waiting:
                        break
                    if waiting != seen:
                        print(f"  +{time.monotonic() - started:5.1f}s still there:", ", ".join(sorted(waiting)))
                        seen = waiting
                    await asyncio.sleep(0.5)
                print(f"nothing of the person left in Postgres and S3 after {time.monotonic() - started:.1f}s")
                await asyncio.sleep(10)  # analytics applies the erasure in its next batch
                await scenario.stop_analytics(platform)
                left = await scenario.scan_stores(who, since)
                left += await asyncio.to_thread(scenario.scan_clickhouse, platform.analytics_dir, who.needles())
                kept = len(left) - len(scenario.unexplained(left))
                print(f"\nleft after the erasure: {kept} of the erasure's own events in the outboxes, and:")
                for hit in scenario.unexplained(left):
                    print(f"  {hit.where} [{hit.needle}] {hit.detail}")
    finally:
        await whisper.stop()
        await llm.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=4)
    parser.add_argument("--recorded", type=int, default=5)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.invitations, args.recorded)))

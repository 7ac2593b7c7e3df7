"""The live notification stream: event → SSE client latency, and open streams held by one API process.

Starts one notifications API process (uvicorn on 127.0.0.1) against the test database (`aivi_test`) and the
test Redis db, then measures, in one run:

- committed → received: an in-app notification committed and published after COMMIT the way the service
  publishes it, until its frame is parsed by a connected SSE client (p50/p99 over `--events`);
- published → received: the same from a raw Redis PUBLISH, the stream's own share of it;
- `--connections` concurrent streams (one user each, so as many channels) held by that one process: its
  RSS before and after, the channels subscribed on Redis, and one event published to every user at once,
  received by every stream (fan-out latency p50/p99).

Rows it stores are deleted afterwards. Usage: `uv run python bench/notifications/sse.py`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import httpx
from redis.asyncio import Redis
from sqlalchemy import delete

from kit.db import make_sessionmaker, transaction
from kit.testing import alembic_upgrade, free_port, make_service_engine, process_env, settings_for_tests
from notifications.domain import Channel, Notification, Template
from notifications.outlets import Outlets, channel_of
from notifications.schemas import NotificationView
from notifications.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PREFIX = f"bench-sse-{uuid.uuid4().hex[:8]}-"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS")


def headers(user_id: str) -> dict[str, str]:
    return {"x-internal-token": "bench-internal-token", "x-user-id": user_id, "x-user-role": "hr"}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):.1f} ms / p99 {ordered[int(0.99 * (len(ordered) - 1))]:.1f} ms"


class Client:
    """One SSE connection; `arrived[seq]` is when the frame with that id was parsed."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.arrived: dict[int, float] = {}
        self.waiting: dict[int, asyncio.Event] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        seq = None
        async for raw in self.response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("id: "):
                seq = int(line[4:])
            elif line == "" and seq is not None:
                self.arrived[seq] = time.perf_counter()
                self.waiting.setdefault(seq, asyncio.Event()).set()
                seq = None

    async def wait(self, seq: int) -> float:
        async with asyncio.timeout(30):
            await self.waiting.setdefault(seq, asyncio.Event()).wait()
        return self.arrived[seq]

    def close(self) -> None:
        self.task.cancel()
        self.response.close()


async def connect(http: aiohttp.ClientSession, url: str, user_id: str) -> Client:
    response = await http.get(f"{url}/api/notifications/stream", headers=headers(user_id))
    if response.status != 200:
        raise SystemExit(f"stream answered {response.status}: {await response.text()}")
    return Client(response)


async def measure(url: str, pid: int, settings: Settings, events: int, connections: int) -> None:
    engine = make_service_engine(settings)
    sessions = make_sessionmaker(engine, service=settings.service_name, schema=settings.schema_name)
    outlets = Outlets(settings)
    redis = Redis.from_url(settings.redis_url)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
            user = f"{PREFIX}latency"
            client = await connect(http, url, user)
            await asyncio.sleep(0.2)
            committed, published = [], []
            for n in range(events):
                async with transaction(sessions) as session:
                    notification = Notification.create(
                        recipient_id=user,
                        recipient_email=None,
                        channel=Channel.IN_APP,
                        template=Template.INTERVIEW_COMPLETED,
                        data={},
                        title=f"Bench {n}",
                        body="A candidate finished the interview",
                        link="/hr/interviews",
                        locale="en",
                        event_id=None,
                        event_type=None,
                        now=datetime.now(UTC),
                    )
                    session.add(notification)
                    await session.flush()
                    await session.refresh(notification)
                    view = NotificationView.of(notification)
                    outlets.published(session, view)
                started = time.perf_counter()
                committed.append((await client.wait(view.seq) - started) * 1000)

            body = json.loads(view.model_dump_json(by_alias=True))
            for n in range(events):
                seq = 10**12 + n
                message = json.dumps({**body, "seq": seq})
                started = time.perf_counter()
                await redis.publish(channel_of(user), message)
                published.append((await client.wait(seq) - started) * 1000)
            client.close()
            print(f"committed → received over {events} notifications: {percentiles(committed)}")
            print(f"published → received over {events} messages:      {percentiles(published)}")

            await asyncio.sleep(0.5)
            before = rss_mib(pid)
            users = [f"{PREFIX}{n}" for n in range(connections)]
            started = time.perf_counter()
            clients = []
            # In batches, so the listen backlog of the one process is not the thing measured.
            for batch in range(0, connections, 100):
                clients += await asyncio.gather(*(connect(http, url, u) for u in users[batch : batch + 100]))
            opened_s = time.perf_counter() - started
            await asyncio.sleep(1.0)
            after = rss_mib(pid)
            channels = len(await redis.pubsub_channels(f"notifications:{PREFIX}*"))
            print(
                f"{connections} open streams in {opened_s:.1f} s, {channels} channels subscribed on Redis: API RSS "
                f"{before:.1f} MiB before, {after:.1f} MiB after (+{(after - before) * 1024 / connections:.1f} KiB "
                "per stream)"
            )
            seq = 2 * 10**12
            message = json.dumps({**body, "seq": seq})
            started = time.perf_counter()
            await asyncio.gather(*(redis.publish(channel_of(u), message) for u in users))
            arrived = await asyncio.gather(*(c.wait(seq) for c in clients))
            fan_out = [(t - started) * 1000 for t in arrived]
            print(f"one event to each of the {connections} users, all received: {percentiles(fan_out)}")
            still_open = sum(1 for c in clients if not c.task.done())
            print(f"streams still open after the fan-out: {still_open}/{connections}, API RSS {rss_mib(pid):.1f} MiB")
            for c in clients:
                c.close()
    finally:
        await outlets.aclose()
        await redis.aclose()
        async with transaction(sessions) as session:
            await session.execute(delete(Notification).where(Notification.recipient_id.startswith(PREFIX)))
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--connections", type=int, default=1000)
    args = parser.parse_args()

    settings = settings_for_tests(Settings, "notifications", internal_token="bench-internal-token")
    alembic_upgrade(ROOT / "services/notifications", settings)
    port = free_port()
    env = process_env(settings, LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "uvicorn", "notifications.main:app", "--host", "127.0.0.1", "--port", str(port)]
    api = subprocess.Popen([*command, "--no-access-log", "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if api.poll() is not None:
                raise SystemExit("the notifications API exited during start-up")
            try:
                if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        print(f"one notifications API process (pid {api.pid}), uvicorn, {os.cpu_count()} cores")
        asyncio.run(measure(url, api.pid, settings, args.events, args.connections))
    finally:
        api.terminate()
        api.wait(timeout=30)


if __name__ == "__main__":
    main()

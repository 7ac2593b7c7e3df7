"""The supervisor's restart policy on tiny scripts: backoff, giving up, the reset after a stable run, and the
state `devstack status` reads. Delays are milliseconds and nothing asserts a duration: counts and states."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from devstack.cli import cmd_status
from devstack.config import Config
from devstack.supervisor import AppSpec, AppState, RestartPolicy, Supervisor, app_status
from kit.liveness import start_metrics_server
from kit.testing import free_port

TINY = RestartPolicy(first_delay_s=0.001, max_delay_s=0.004, stable_after_s=3600.0, give_up_after=4)


def script(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def supervisor(tmp_path: Path, policy: RestartPolicy = TINY, clock: object = None) -> Supervisor:
    kwargs = {"clock": clock} if clock is not None else {}
    return Supervisor(Config(root=tmp_path), set(), 0.0, policy=policy, **kwargs)  # type: ignore[arg-type]


def test_the_delay_doubles_from_one_second_up_to_thirty() -> None:
    policy = RestartPolicy()

    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


async def test_a_process_that_keeps_crashing_is_restarted_then_given_up_and_still_listed(tmp_path: Path) -> None:
    sup = supervisor(tmp_path)

    code = await sup.supervise(AppSpec("crasher", script("import sys; sys.exit(3)"), port=None))

    assert code == 3
    state = sup.states["crasher"]
    assert (state.state, state.restarts, state.quick_exits, state.last_exit) == ("given-up", 3, 4, 3)
    assert sup.failed == ["crasher"]
    (row,) = app_status(sup.cfg)
    assert (row.name, row.running, row.state, row.restarts) == ("crasher", False, "given-up", 3)
    assert row.last_exit.startswith("code 3 at ")


def test_status_lists_a_given_up_process_and_says_it_is_down(tmp_path: Path, capsys: object) -> None:
    cfg = Config(root=tmp_path)
    AppState("analysis-consumer", state="given-up", restarts=7, last_exit=-9, last_exit_at=0.0).save(cfg)

    cmd_status(cfg)

    out = capsys.readouterr().out  # type: ignore[attr-defined]
    line = next(line for line in out.splitlines() if line.startswith("analysis-consumer"))
    assert "given-up" in line
    assert "code -9 at" in line
    assert "DOWN: analysis-consumer" in out


async def test_a_run_that_lasted_long_enough_starts_the_crash_count_again(tmp_path: Path) -> None:
    # Each run "lasts" 10 clock units (two readings per run) against stable_after 5: never a quick exit in a row.
    readings = iter(range(0, 10_000, 5))
    policy = RestartPolicy(first_delay_s=0.001, max_delay_s=0.001, stable_after_s=5.0, give_up_after=2)
    sup = supervisor(tmp_path, policy, clock=lambda: next(readings))
    spec = AppSpec("flaky", script("import sys; sys.exit(1)"))

    async def stop_after_five_restarts() -> None:
        while sup.states.get("flaky") is None or sup.states["flaky"].restarts < 5:
            await asyncio.sleep(0.001)
        sup.stopping.set()

    stopper = asyncio.create_task(stop_after_five_restarts())
    await sup.supervise(spec)
    await stopper

    state = sup.states["flaky"]
    assert state.state == "stopped"
    assert state.restarts >= 5
    assert state.quick_exits == 1
    assert sup.failed == []


async def test_the_restarted_process_runs_again_with_the_same_command(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    # Appends one line per run, crashes the first two times, then stays up until stopped.
    body = (
        f"import pathlib, sys, time; p = pathlib.Path({str(counter)!r}); "
        "p.open('a').write('run\\n'); n = len(p.read_text().splitlines()); "
        "sys.exit(1) if n < 3 else time.sleep(60)"
    )
    sup = supervisor(tmp_path)
    task = asyncio.create_task(sup.supervise(AppSpec("comeback", script(body))))
    async with asyncio.timeout(30):
        while not (counter.exists() and len(counter.read_text().splitlines()) == 3):
            await asyncio.sleep(0.01)
        while sup.states["comeback"].state != "running" or sup.procs["comeback"].returncode is not None:
            await asyncio.sleep(0.01)

    assert sup.states["comeback"].restarts == 2
    assert [r.state for r in app_status(sup.cfg)] == ["running"]
    sup.stopping.set()
    await sup.stop_apps()
    await task
    assert sup.states["comeback"].state == "stopped"


async def test_a_failed_one_shot_step_is_not_restarted_but_stays_listed(tmp_path: Path) -> None:
    sup = supervisor(tmp_path)

    code = await sup.run_to_end(AppSpec("users-migrate", script("import sys; sys.exit(2)")))

    assert code == 2
    (row,) = app_status(sup.cfg)
    assert (row.name, row.state, row.restarts) == ("users-migrate", "failed", 0)


def test_status_asks_a_consumer_its_liveness_rather_than_only_whether_its_port_is_open(tmp_path: Path) -> None:
    cfg = Config(root=tmp_path)
    state = {"alive": False}
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1", lambda: (state["alive"], {"reason": "stuck"}))
    try:
        # This test's own process stands in for a running consumer.
        AppState("users-consumer", port=port, state="running", pid=os.getpid(), health_path="/health").save(cfg)

        (stuck,) = app_status(cfg)
        state["alive"] = True
        (alive,) = app_status(cfg)
    finally:
        server.shutdown()
        server.server_close()

    assert (stuck.running, stuck.healthy) == (True, False)
    assert (alive.running, alive.healthy) == (True, True)

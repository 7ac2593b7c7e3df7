"""kit.testing's processes for tests and benches that start servers: each in a session of its own with a log of
its own, stopped together (SIGTERM, then SIGKILL after a grace), their logs' tails for a failure's message; and a
service's migrations run in a process apart."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from kit.settings import ServiceSettings
from kit.testing import LoggedProcess, alembic_upgrade_apart, log_tails, start_logged, stop_logged

# Prints, then waits to be stopped; with "ignore" it ignores SIGTERM first (a server that will not stop).
SCRIPT = """
import signal, sys, time
if sys.argv[1:] == ["ignore"]:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(120)
"""


async def started(tmp_path: Path, name: str, *args: str) -> LoggedProcess:
    proc = await start_logged(
        name, [sys.executable, "-c", SCRIPT, *args], env=dict(os.environ), cwd=tmp_path, log=tmp_path / f"{name}.log"
    )
    deadline = time.monotonic() + 120
    while "ready" not in proc.log.read_text():
        assert time.monotonic() < deadline, f"{name} did not start"
        await asyncio.sleep(0.1)
    return proc


async def test_stopped_processes_end_and_their_logs_tails_name_each_with_its_exit(tmp_path: Path) -> None:
    procs = [await started(tmp_path, "first"), await started(tmp_path, "second")]

    await stop_logged(procs, grace_s=60.0)

    assert [p.process.returncode for p in procs] == [-signal.SIGTERM, -signal.SIGTERM]
    tails = log_tails(procs, 5)
    assert f"----- first (exit {-signal.SIGTERM}) {tmp_path / 'first.log'}\nready" in tails
    assert f"----- second (exit {-signal.SIGTERM}) {tmp_path / 'second.log'}\nready" in tails


async def test_a_process_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    stubborn = await started(tmp_path, "stubborn", "ignore")

    await stop_logged([stubborn], grace_s=0.5)

    assert stubborn.process.returncode == -signal.SIGKILL


async def test_a_process_already_ended_is_left_as_it_ended(tmp_path: Path) -> None:
    done = await start_logged(
        "done", [sys.executable, "-c", "print('bye')"], env=dict(os.environ), cwd=tmp_path, log=tmp_path / "done.log"
    )
    await done.process.wait()

    await stop_logged([done], grace_s=60.0)

    assert done.process.returncode == 0
    assert log_tails([done], 1).endswith("(exit 0) " + str(tmp_path / "done.log") + "\nbye")


def test_failed_migrations_raise_naming_the_service_and_alembics_output(
    tmp_path: Path, settings: ServiceSettings
) -> None:
    service_dir = tmp_path / "nowhere"
    service_dir.mkdir()

    with pytest.raises(RuntimeError, match=r"^nowhere migrations failed:\n") as failure:
        alembic_upgrade_apart(service_dir, settings)

    # No alembic.ini there: alembic's own complaint is in the message.
    assert "No 'script_location' key found in configuration" in str(failure.value)

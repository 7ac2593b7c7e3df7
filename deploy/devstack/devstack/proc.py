"""Process helpers: detached spawning, pid files, clean stops, port probes, memory."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


class DevstackError(RuntimeError):
    """A failure to report to the user as one line, without a traceback."""


def log(message: str) -> None:
    print(f"devstack │ {message}", flush=True)


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in pid_file if that process is still alive."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid) else None


def spawn_detached(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    log_file: Path,
    pid_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start cmd in its own session so it outlives the CLI and ignores the terminal's Ctrl-C.

    Its pid is also its process-group id, which lets stop() reach wrapper scripts' children.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as out:
        proc = subprocess.Popen(
            [os.fspath(c) for c in cmd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    if pid_file is not None:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f"{proc.pid}\n")
    return proc


def signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def stop_pid(
    pid: int,
    *,
    timeout: float = 30.0,
    proc: subprocess.Popen[bytes] | None = None,
    sig: signal.Signals = signal.SIGTERM,
) -> bool:
    """Signal the process group (SIGTERM by default), wait, then SIGKILL. True if it stopped within timeout."""
    signal_group(pid, sig)
    if wait_dead(pid, timeout, proc):
        return True
    signal_group(pid, signal.SIGKILL)
    wait_dead(pid, 5.0, proc)
    return False


def kill_pid(pid: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    signal_group(pid, signal.SIGKILL)
    wait_dead(pid, 5.0, proc)


def wait_dead(pid: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Our own child must be reaped, otherwise it lingers as a zombie that looks alive.
        if proc is not None and proc.poll() is not None:
            return True
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    proc: subprocess.Popen[bytes] | None = None,
    log_file: Path | None = None,
    interval: float = 0.25,
) -> None:
    """Poll check() until true; fail early if proc exits, pointing at its log."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        hint = f"; see {log_file}" if log_file else ""
        if proc is not None and proc.poll() is not None:
            raise DevstackError(f"{what}: process exited with code {proc.returncode}{hint}")
        if time.monotonic() > deadline:
            raise DevstackError(f"{what}: not ready after {timeout:.0f}s{hint}")
        time.sleep(interval)


def tree_pids(pid: int) -> list[int]:
    """pid and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of pid and its descendants."""
    total = 0
    for p in tree_pids(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def run(cmd: Sequence[str | os.PathLike[str]], *, what: str, **kwargs: object) -> str:
    """Run a short command; on failure raise with its output so the cause is visible."""
    result = subprocess.run(
        [os.fspath(c) for c in cmd],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    if result.returncode != 0:
        raise DevstackError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return str(result.stdout)

"""deploy/bootstrap.sh, the first step of `make up`, `make test` and CI: what it asks for on a machine that
lacks packages. Run as an unprivileged user with a PATH holding only the shell's basic tools, so every
command the bootstrap looks for is "missing" without touching this machine's packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO / "deploy" / "bootstrap.sh"
# What the script itself runs before it knows what is missing.
BASICS = ("bash", "dirname", "date", "id", "sort")


@pytest.fixture
def homes() -> Iterator[Path]:
    """Outside pytest's private temp directory, which the unprivileged user cannot enter."""
    with tempfile.TemporaryDirectory(prefix="bootstrap-test-") as directory:
        Path(directory).chmod(0o755)
        yield Path(directory)


def bare_path(home: Path) -> str:
    bin_dir = home / "bin"
    bin_dir.mkdir()
    for tool in BASICS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def run_unprivileged(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The bootstrap as a user who is not root (nobody, when the tests run as root)."""
    home.mkdir(exist_ok=True)
    env = {"PATH": bare_path(home), "HOME": str(home)}
    command = ["bash", str(BOOTSTRAP), *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) drops root for this test"
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def apt_line(result: subprocess.CompletedProcess[str]) -> list[str]:
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("sudo apt-get install")]
    return line.split()


def test_without_root_it_prints_the_one_apt_get_line_and_stops(homes: Path) -> None:
    result = run_unprivileged(homes / "home")

    assert result.returncode == 1
    words = apt_line(result)
    assert words[:5] == ["sudo", "apt-get", "install", "-y", "--no-install-recommends"]
    packages = words[5:]
    assert {"python3", "redis-server", "maven", "ffmpeg", "prometheus", "nodejs", "npm"} <= set(packages)
    assert packages == sorted(set(packages)), "each package once"
    # Nothing was installed or synced: it stopped before uv.
    assert "installing uv" not in result.stdout
    assert not (homes / "home" / ".local").exists()


def test_make_tests_bootstrap_also_asks_for_the_browser_compose_and_speech(homes: Path) -> None:
    up = set(apt_line(run_unprivileged(homes / "up"))[5:])
    test = set(apt_line(run_unprivileged(homes / "test", "test"))[5:])

    # Chromium is looked for at /usr/bin/chromium, which the bare PATH does not hide.
    assert {"docker-compose", "espeak-ng"} <= test - up <= {"chromium", "docker-compose", "espeak-ng"}


def test_an_unknown_purpose_is_refused(homes: Path) -> None:
    result = run_unprivileged(homes / "home", "deploy")

    assert result.returncode == 2
    assert "usage:" in result.stderr

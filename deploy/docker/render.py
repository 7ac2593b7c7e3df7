"""Render services/<svc>/Dockerfile (and its .dockerignore) from the one template in this directory.

The service images differ only by name, port and extra Debian packages, all read from the registry
(deploy/services.toml), so they are generated rather than copied by hand. Run from anywhere:
``uv run python deploy/docker/render.py``.
``deploy/tests/test_compose.py`` fails when a rendered file is out of date.
"""

from __future__ import annotations

from pathlib import Path

from devstack.registry import REGISTRY, load

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVICES = load(REPO / REGISTRY)


def _apt(packages: tuple[str, ...]) -> str:
    if not packages:
        return ""
    return (
        "apt-get update \\\n"
        f"    && apt-get install -y --no-install-recommends {' '.join(packages)} \\\n"
        "    && rm -rf /var/lib/apt/lists/* \\\n"
        "    && "
    )


def render(service: str) -> dict[Path, str]:
    """Return {path: content} of the files generated for one service."""
    svc = SERVICES[service]
    dockerfile = (
        (HERE / "Dockerfile.service.in")
        .read_text()
        .replace("{{apt}}", _apt(svc.apt))
        .replace("{{svc}}", service)
        .replace("{{port}}", str(svc.port))
    )
    ignore = (HERE / "Dockerfile.dockerignore.in").read_text()
    base = REPO / "services" / service
    return {base / "Dockerfile": dockerfile, base / "Dockerfile.dockerignore": ignore}


def main() -> None:
    for service in SERVICES:
        for path, content in render(service).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != content:
                path.write_text(content)
                print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()

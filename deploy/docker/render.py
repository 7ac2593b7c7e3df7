"""Render services/<svc>/Dockerfile (and its .dockerignore) from the one template in this directory, and
deploy/postgres/init.sql from its templates there.

The service images differ only by name, port and extra Debian packages, and the Postgres init script's blocks
(a role and a schema per service) only by name, all read from the registry (deploy/services.toml), so they are
generated rather than copied by hand. Run from anywhere: ``uv run python deploy/docker/render.py``.
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


def render_postgres() -> dict[Path, str]:
    """Return {path: content} of the Postgres init script: one role and schema block per service."""
    postgres = REPO / "deploy" / "postgres"
    role = (postgres / "role.sql.in").read_text()
    roles = "".join(role.replace("{{svc}}", service).replace("{{SVC}}", service.upper()) for service in SERVICES)
    return {postgres / "init.sql": (postgres / "init.sql.in").read_text().replace("{{roles}}\n", roles)}


def main() -> None:
    files = render_postgres()
    for service in SERVICES:
        files.update(render(service))
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != content:
            path.write_text(content)
            print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()

"""The fleet as deploy/services.toml declares it: the one list of services, their ports and topics.

`python -m devstack.registry` prints the service names, one a line (the Makefile's package list).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

REGISTRY = Path("deploy") / "services.toml"


@dataclass(frozen=True)
class Service:
    """One service. Its name is also its package, its Postgres role and schema and its containers' prefix."""

    name: str
    port: int
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    apt: tuple[str, ...]


_KEYS = {"port", "consumes", "produces", "apt"}


def load(path: Path) -> dict[str, Service]:
    """The services of a registry file, in the file's order."""
    services = {}
    for name, entry in tomllib.loads(path.read_text()).items():
        if unknown := set(entry) - _KEYS:
            raise ValueError(f"{path}: [{name}] has unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
        services[name] = Service(
            name=name,
            port=int(entry["port"]),
            consumes=tuple(entry.get("consumes", ())),
            produces=tuple(entry.get("produces", ())),
            apt=tuple(entry.get("apt", ())),
        )
    return services


def topics(services: dict[str, Service]) -> tuple[str, ...]:
    """Every topic a service consumes or produces, each once, in the registry's order."""
    seen: dict[str, None] = {}
    for svc in services.values():
        seen.update(dict.fromkeys((*svc.consumes, *svc.produces)))
    return tuple(seen)


if __name__ == "__main__":
    from devstack.config import FLEET

    print("\n".join(FLEET))

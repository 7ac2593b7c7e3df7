"""Fixtures for the devstack tests: they run against the infrastructure `devstack infra` started."""

from __future__ import annotations

import pytest

from devstack.component import Component
from devstack.config import Config
from devstack.stack import components


@pytest.fixture(scope="session")
def cfg() -> Config:
    return Config()


@pytest.fixture(scope="session")
def infra(cfg: Config) -> dict[str, Component]:
    comps = {c.name: c for c in components(cfg)}
    down = [name for name, comp in comps.items() if not comp.healthy()]
    if down:
        pytest.fail(f"infrastructure not running ({', '.join(down)}): run `uv run devstack infra` first")
    return comps

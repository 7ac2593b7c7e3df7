"""Every service's migrations end in one head: compose, the Helm chart's Job and the docs run `alembic upgrade
head`, which refuses a tree of several heads (parallel branches need a merge revision)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from devstack.registry import load

DEPLOY = Path(__file__).resolve().parents[1]
SERVICES = DEPLOY.parent / "services"


@pytest.mark.parametrize("service", sorted(load(DEPLOY / "services.toml")))
def test_each_service_has_one_migration_head(service: str) -> None:
    config = Config(str(SERVICES / service / "alembic.ini"))
    config.set_main_option("script_location", str(SERVICES / service / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"{service} has several migration heads {heads}: add a merge revision"

"""`make up` skips a service's alembic run only when its schema records exactly the heads of its revision files."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from devstack.component import Component
from devstack.config import PG_SUPERUSER_PASSWORD, Config
from devstack.migrations import is_current, script_heads


def revision_file(versions: Path, revision: str, down: str | tuple[str, ...] | None) -> None:
    versions.mkdir(parents=True, exist_ok=True)
    (versions / f"{revision}_step.py").write_text(
        f'"""step"""\nfrom alembic import op\n\nrevision: str = {revision!r}\ndown_revision = {down!r}\n'
        "branch_labels = None\n\n\ndef upgrade() -> None:\n    op.execute('SELECT 1')\n",
        encoding="utf-8",
    )


@pytest.fixture
async def scratch(cfg: Config, infra: dict[str, Component]) -> AsyncIterator[tuple[str, str]]:
    dsn = f"postgresql://postgres:{PG_SUPERUSER_PASSWORD}@127.0.0.1:{cfg.ports.postgres}/aivi_test"
    schema = f"devstack_mig_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield dsn, schema
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()


def test_the_heads_of_a_branched_history_are_the_revisions_nobody_names_as_parent(tmp_path: Path) -> None:
    versions = tmp_path / "migrations" / "versions"
    revision_file(versions, "0001", None)
    revision_file(versions, "0002", "0001")
    revision_file(versions, "0003", "0002")
    revision_file(versions, "0004", "0002")
    assert script_heads(versions) == {"0003", "0004"}
    revision_file(versions, "0005", ("0003", "0004"))
    assert script_heads(versions) == {"0005"}


def test_a_revision_file_that_is_not_plain_literals_means_no_answer(tmp_path: Path) -> None:
    versions = tmp_path / "migrations" / "versions"
    revision_file(versions, "0001", None)
    (versions / "0002_computed.py").write_text('revision = "00" + "02"\ndown_revision = "0001"\n', encoding="utf-8")
    assert script_heads(versions) is None


async def test_a_schema_is_current_only_at_exactly_the_heads(tmp_path: Path, scratch: tuple[str, str]) -> None:
    dsn, schema = scratch
    versions = tmp_path / "migrations" / "versions"
    revision_file(versions, "0001", None)
    revision_file(versions, "0002", "0001")
    assert not await is_current(tmp_path, dsn, schema), "no version table yet: alembic must run"

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE TABLE {schema}.alembic_version (version_num varchar(32) PRIMARY KEY)")
        await conn.execute(f"INSERT INTO {schema}.alembic_version VALUES ('0001')")
        assert not await is_current(tmp_path, dsn, schema), "one revision behind"
        await conn.execute(f"UPDATE {schema}.alembic_version SET version_num = '0002'")
        assert await is_current(tmp_path, dsn, schema)
        revision_file(versions, "0003", "0002")
        assert not await is_current(tmp_path, dsn, schema), "a new revision file"
    finally:
        await conn.close()

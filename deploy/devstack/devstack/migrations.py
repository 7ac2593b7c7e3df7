"""Whether a service's schema is already at its migration heads, decided without starting alembic.

`make up` used to run `alembic upgrade heads` for every service on every start: eight interpreters importing
SQLAlchemy and alembic at once, about 2.5 CPU-seconds each, on a stack whose schemas were almost always current.
The heads are read from the revision files' `revision`/`down_revision` assignments (literals by alembic's own
template) and compared with the schema's `alembic_version` rows; only a schema that differs, or any doubt, runs
alembic as before."""

from __future__ import annotations

import ast
from pathlib import Path

import asyncpg


def script_heads(versions_dir: Path) -> frozenset[str] | None:
    """The revisions no other revision names as its parent; None when a file can't be read as literals."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions_dir.glob("*.py"):
        values: dict[str, object] = {}
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
                    values[target.id] = ast.literal_eval(value)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            return None
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(parent) for parent in down)
        elif down is not None:
            return None
    return frozenset(revisions - parents) if revisions else None


async def applied_heads(dsn: str, schema: str) -> frozenset[str] | None:
    """The schema's recorded revisions; None when there is no version table yet (or the database can't say)."""
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        rows = await connection.fetch(f'SELECT version_num FROM "{schema}".alembic_version')
    except asyncpg.PostgresError:
        return None
    finally:
        await connection.close()
    return frozenset(row["version_num"] for row in rows)


async def is_current(service_dir: Path, dsn: str, schema: str) -> bool:
    """True only when the schema records exactly the heads of the service's revision files."""
    heads = script_heads(service_dir / "migrations" / "versions")
    return heads is not None and heads == await applied_heads(dsn, schema)

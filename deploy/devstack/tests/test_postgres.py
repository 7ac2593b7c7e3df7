from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from devstack.component import Component
from devstack.config import Config


@pytest.fixture
async def users_conn(cfg: Config, infra: dict[str, Component]) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(
        host="127.0.0.1", port=cfg.ports.postgres, user="users", password="users-dev", database="aivi_test"
    )
    try:
        yield conn
    finally:
        await conn.close()


async def test_a_service_role_creates_tables_in_its_own_schema_by_default(users_conn: asyncpg.Connection) -> None:
    tx = users_conn.transaction()
    await tx.start()
    try:
        await users_conn.execute("CREATE TABLE devstack_probe (id int)")
        schema = await users_conn.fetchval(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'devstack_probe'"
        )
    finally:
        await tx.rollback()
    assert schema == "users"


async def test_a_service_role_cannot_create_tables_in_another_services_schema(
    users_conn: asyncpg.Connection,
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await users_conn.execute("CREATE TABLE interviews.devstack_probe (id int)")


async def test_a_service_role_cannot_read_another_services_schema(cfg: Config, users_conn: asyncpg.Connection) -> None:
    owner = await asyncpg.connect(
        host="127.0.0.1",
        port=cfg.ports.postgres,
        user="interviews",
        password="interviews-dev",
        database="aivi_test",
    )
    try:
        await owner.execute("CREATE TABLE IF NOT EXISTS interviews.devstack_probe (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await users_conn.fetch("SELECT * FROM interviews.devstack_probe")
    finally:
        await owner.execute("DROP TABLE IF EXISTS interviews.devstack_probe")
        await owner.close()


async def test_no_role_can_use_the_public_schema(users_conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await users_conn.execute("CREATE TABLE public.devstack_probe (id int)")


async def test_a_service_role_cannot_create_new_schemas(users_conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await users_conn.execute("CREATE SCHEMA devstack_probe")

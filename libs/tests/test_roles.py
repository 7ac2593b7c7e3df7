"""kit.roles: which roles a process runs, and how a process of several roles answers its liveness probe."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kit.roles import Role, combined_liveness, main, parse_roles


def test_the_roles_are_read_in_order_without_repeats() -> None:
    assert parse_roles(" api, worker ,api") == ("api", "worker")


@pytest.mark.parametrize("value", ["", " , ", "api,scheduler"])
def test_an_empty_or_unknown_role_list_is_refused_naming_the_known_roles(value: str) -> None:
    with pytest.raises(ValueError, match="SERVICE_ROLES must name some of api, consumer, worker"):
        parse_roles(value)


def test_the_process_refuses_to_start_with_an_unknown_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_ROLES", "api,cron")

    with pytest.raises(SystemExit, match="SERVICE_ROLES must name some of"):
        main(["users"])


def test_the_process_refuses_to_start_without_a_service() -> None:
    with pytest.raises(SystemExit, match=r"usage: python -m kit\.roles <service package>"):
        main([])


async def test_a_process_is_alive_only_while_every_role_is_and_names_the_dead_one() -> None:
    task = asyncio.create_task(asyncio.sleep(60))
    consumer: dict[str, Any] = {"alive": True}

    def broken() -> tuple[bool, dict[str, Any]]:
        raise RuntimeError("boom")

    roles = [
        Role("api", task, lambda: (True, {"role": "api"}), task.cancel),
        Role(
            "consumer",
            task,
            lambda: (consumer["alive"], {"role": "consumer", "reason": "the consume loop has ended"}),
            task.cancel,
        ),
    ]
    try:
        alive, details = combined_liveness(roles)
        assert alive and "reason" not in details
        assert details["roles"]["api"] == {"alive": True, "role": "api"}

        consumer["alive"] = False
        alive, details = combined_liveness(roles)
        assert not alive
        assert details["reason"] == "consumer: the consume loop has ended"
        assert details["roles"]["api"]["alive"] is True

        alive, details = combined_liveness([Role("worker", task, broken, task.cancel)])
        assert (alive, details["reason"]) == (False, "worker: probe failed: RuntimeError")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

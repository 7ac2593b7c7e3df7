"""A change that spans Keycloak and the users service is undone in Keycloak when the users half fails."""

from __future__ import annotations

import pytest

from gateway.compensation import compensated
from gateway.relay import UpstreamRefusal


async def test_a_failed_block_is_undone_with_the_steps_result_and_its_error_reaches_the_caller() -> None:
    undone: list[str] = []

    async def create() -> str:
        return "account-1"

    async def delete(account: str) -> None:
        undone.append(account)

    with pytest.raises(UpstreamRefusal) as refused:
        async with compensated(create(), delete) as account:
            assert account == "account-1"
            raise UpstreamRefusal("Role already chosen", status=422, code="ROLE_ALREADY_SELECTED")
    assert undone == ["account-1"]
    assert (refused.value.status, refused.value.code) == (422, "ROLE_ALREADY_SELECTED")


async def test_a_completed_block_is_not_undone() -> None:
    undone: list[object] = []

    async def change() -> None:
        return None

    async def undo(result: object) -> None:
        undone.append(result)

    async with compensated(change(), undo):
        pass
    assert undone == []


async def test_when_the_undo_fails_too_the_blocks_error_still_reaches_the_caller() -> None:
    async def change() -> None:
        return None

    async def undo(_: object) -> None:
        raise RuntimeError("Keycloak is down")

    with pytest.raises(UpstreamRefusal):
        async with compensated(change(), undo):
            raise UpstreamRefusal("User not found", status=404, code="USER_NOT_FOUND")


def test_refusals_of_different_upstream_answers_share_one_class() -> None:
    conflict = UpstreamRefusal("Stale", status=409, code="VERSION_CONFLICT")
    missing = UpstreamRefusal("Missing", status=404, code="USER_NOT_FOUND")
    assert type(conflict) is type(missing)
    assert (conflict.status, conflict.code, missing.status, missing.code) == (
        409,
        "VERSION_CONFLICT",
        404,
        "USER_NOT_FOUND",
    )

"""Every list answers with the page its route declares (`Page[Item]`), so FastAPI takes it as it is instead of
validating the whole page again (6.5 µs for ten invitations, more for a longer page)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import routing

from kit import direct
from kit.testing import Caller

from .conftest import Member


async def test_each_list_returns_the_page_type_its_route_declares(
    client: httpx.AsyncClient, hr: Caller, candidate: Caller, lead: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    returned: list[tuple[Any, type]] = []
    serialize = routing.serialize_response

    async def spied(*, field: Any = None, response_content: Any, **kwargs: Any) -> Any:
        returned.append((field.field_info.annotation, type(response_content)))
        return await serialize(field=field, response_content=response_content, **kwargs)

    # FastAPI's own path and the kit's direct one both serialize through it.
    monkeypatch.setattr(routing, "serialize_response", spied)
    monkeypatch.setattr(direct, "serialize_response", spied)
    for path, caller in [
        ("/api/templates", hr),
        ("/api/invitations/hr", hr),
        ("/api/invitations/candidate", candidate),
        ("/api/reviews", lead),
    ]:
        returned.clear()
        response = await client.get(path, headers=caller.headers)
        assert response.status_code == 200, (path, response.text)
        [(declared, actual)] = returned
        assert actual is declared, path

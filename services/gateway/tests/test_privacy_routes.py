"""A candidate's erasure through the gateway, against the real users service and Keycloak: a wrong confirmation
changes nothing; the right one erases the account in both, signs the person out everywhere and answers with
the report's signed link, which works without signing in while a forged one does not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from keycloak.exceptions import KeycloakGetError

from kit.testing import INTERNAL_TOKEN

from .test_with_users_service import _token


@pytest.fixture
async def real_gateway(make_gateway: Any, users_process: str) -> httpx.AsyncClient:
    return await make_gateway(users_url=users_process)  # type: ignore[no-any-return]


async def test_a_confirmed_erasure_removes_the_account_everywhere_and_the_signed_report_link_opens_it(
    real_gateway: httpx.AsyncClient, fresh_user: Any, keycloak_admin: Any
) -> None:
    user = await fresh_user("erase", roles=("candidate",))
    auth = await _token(user)
    me = await real_gateway.get("/api/users/me", headers=auth)
    assert me.status_code == 200, me.text

    wrong = await real_gateway.post("/api/users/me/erasure", headers=auth, json={"confirmEmail": "x@example.com"})
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["details"][0]["field"] == "confirmEmail"
    assert (await real_gateway.get("/api/users/me", headers=auth)).status_code == 200

    erased = await real_gateway.post("/api/users/me/erasure", headers=auth, json={"confirmEmail": user["email"]})

    assert erased.status_code == 202, erased.text
    path = erased.json()["reportPath"]
    erasure_id, token = path.removeprefix("/privacy/erasure/").split("?token=")
    with pytest.raises(KeycloakGetError):
        await keycloak_admin.a_get_user(user["id"])
    assert (await real_gateway.get("/api/users/me", headers=auth)).status_code == 401
    report = await real_gateway.get(f"/api/privacy/erasure-reports/{erasure_id}", params={"token": token})
    forged = await real_gateway.get(f"/api/privacy/erasure-reports/{erasure_id}", params={"token": "forged"})
    assert report.status_code == 200, report.text
    # A fleet whose consumers share this database and topics (another suite's) may already have finished it.
    shown = report.json()
    assert shown["status"] == "complete" or (shown["status"] == "in_progress" and shown["waitingFor"]), shown
    assert shown["services"][0] == {"service": "users", "counts": {"accounts": 1}, "reportedAt": shown["requestedAt"]}
    assert forged.status_code == 404


async def test_the_data_export_gathers_every_service_as_json_or_a_page_and_is_refused_whole_when_one_is_down(
    make_gateway: Any, stub: Any, fresh_user: Any
) -> None:
    everyone = await make_gateway(media_url=stub[0].url, notifications_url=stub[0].url)
    two_down = await make_gateway()
    user = await fresh_user("export", roles=("candidate",))
    auth = await _token(user)

    exported = await everyone.get("/api/users/me/data-export", headers=auth)
    page = await everyone.get("/api/users/me/data-export", params={"format": "html"}, headers=auth)
    incomplete = await two_down.get("/api/users/me/data-export", headers=auth)
    bad_format = await everyone.get("/api/users/me/data-export", params={"format": "pdf"}, headers=auth)

    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"] == 'attachment; filename="my-data.json"'
    data = exported.json()
    for source in ("users", "interviews", "media", "analysis", "notifications", "billing"):
        assert data[source]["path"] == f"/internal/subjects/{data['userId']}", source
        assert data[source]["headers"]["x-internal-token"]
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h2>media</h2>" in page.text and f"/internal/subjects/{data['userId']}" in page.text
    assert incomplete.status_code == 503
    assert incomplete.json()["code"] == "EXPORT_INCOMPLETE"
    assert [d["message"] for d in incomplete.json()["details"]] == [
        "media did not answer",
        "notifications did not answer",
    ]
    assert bad_format.status_code == 422


async def test_the_data_export_is_limited_to_a_few_an_hour_per_person(
    make_gateway: Any, stub: Any, fresh_user: Any
) -> None:
    gateway = await make_gateway(media_url=stub[0].url, notifications_url=stub[0].url)
    auth = await _token(await fresh_user("export-limit", roles=("candidate",)))

    answers = [(await gateway.get("/api/users/me/data-export", headers=auth)).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    limited = await gateway.get("/api/users/me/data-export", headers=auth)
    assert limited.json()["code"] == "TOO_MANY_REQUESTS" and int(limited.headers["retry-after"]) > 0


async def test_hr_reads_and_sets_their_companys_retention_through_the_gateway_and_candidates_cannot(
    make_gateway: Any,
) -> None:
    gateway = await make_gateway()
    hr = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u-hr", "x-user-role": "hr", "x-company-id": "c-1"}
    candidate = {"x-internal-token": INTERNAL_TOKEN, "x-user-id": "u-c", "x-user-role": "candidate"}

    read = await gateway.get("/api/retention", headers=hr)
    saved = await gateway.put("/api/retention", json={"retentionDays": 30}, headers=hr)
    refused = await gateway.put("/api/retention", json={"retentionDays": 30}, headers=candidate)

    assert read.status_code == 200 and read.json()["path"] == "/api/retention"
    assert saved.json()["method"] == "PUT" and saved.json()["headers"]["x-company-id"] == "c-1"
    assert refused.status_code == 403

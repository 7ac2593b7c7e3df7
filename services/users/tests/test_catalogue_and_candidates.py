"""Companies and membership, the seeded skills taxonomy and its admin CRUD, candidate profiles, skills and
search."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from kit.testing import outbox_events

MakeUser = Callable[..., Awaitable[dict[str, Any]]]


async def skill_id(client: httpx.AsyncClient, headers: dict[str, str], slug: str) -> str:
    found = await client.get("/skills", params={"search": slug, "limit": 100}, headers=headers)
    return next(s["id"] for s in found.json()["data"] if s["slug"] == slug)


async def test_the_taxonomy_is_seeded_with_twelve_ordered_categories_and_their_skills(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")

    categories = (await client.get("/skills/categories", headers=me)).json()["data"]
    languages = await client.get("/skills", params={"categoryId": categories[0]["id"], "limit": 100}, headers=me)
    python = (await client.get("/skills", params={"search": "pyth"}, headers=me)).json()["data"]

    assert [c["slug"] for c in categories] == [
        "programming-languages",
        "frontend-frameworks",
        "backend-frameworks",
        "databases",
        "devops-cloud",
        "mobile-development",
        "testing-qa",
        "tools-ides",
        "customer-support",
        "sales",
        "operations",
        "communication-languages",
    ]
    assert [c["sortOrder"] for c in categories] == list(range(1, 13))
    slugs = {s["slug"] for s in languages.json()["data"]}
    assert {"javascript", "typescript", "python", "go", "rust", "csharp", "cpp"} <= slugs
    assert python[0]["categoryName"] == "Programming Languages"
    assert python[0]["category"]["slug"] == "programming-languages"


async def test_the_catalogue_covers_support_sales_and_operations_roles(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    me = as_user((await make_user())["id"], "pending")
    categories = {c["slug"]: c["id"] for c in (await client.get("/skills/categories", headers=me)).json()["data"]}

    def slugs_in(category: str) -> Any:
        return client.get("/skills", params={"categoryId": categories[category], "limit": 100}, headers=me)

    support = {s["slug"] for s in (await slugs_in("customer-support")).json()["data"]}
    sales = {s["slug"] for s in (await slugs_in("sales")).json()["data"]}
    operations = {s["slug"] for s in (await slugs_in("operations")).json()["data"]}
    negotiation = (await client.get("/skills", params={"search": "negoti"}, headers=me)).json()["data"]

    assert {"customer-service", "complaint-handling", "zendesk"} <= support
    assert {"prospecting", "negotiation", "salesforce"} <= sales
    assert {"logistics", "scheduling", "inventory-management"} <= operations
    assert [(s["slug"], s["categoryName"]) for s in negotiation] == [("negotiation", "Sales")]


async def test_an_admin_manages_the_catalogue_and_inactive_skills_cannot_be_newly_added(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    candidate = await make_user("candidate")
    me = as_user(candidate["id"], "candidate")
    slug = f"zig-{uuid.uuid4().hex[:6]}"

    created = await client.post("/skills", json={"name": "Zig", "slug": slug, "description": "Lang"}, headers=admin)
    new_id = created.json()["data"]["skillId"]
    duplicate = await client.post("/skills", json={"name": "Zig 2", "slug": slug}, headers=admin)
    bad_category = await client.post(
        "/skills", json={"name": "Q", "slug": f"q-{slug}", "categoryId": str(uuid.uuid4())}, headers=admin
    )
    renamed = await client.put(f"/skills/{new_id}", json={"name": "Ziglang"}, headers=admin)
    deactivated = await client.post(f"/skills/{new_id}/deactivate", headers=admin)
    refused = await client.post(f"/candidates/{candidate['id']}/skills", json={"skillId": new_id}, headers=me)
    activated = await client.post(f"/skills/{new_id}/activate", headers=admin)
    added = await client.post(f"/candidates/{candidate['id']}/skills", json={"skillId": new_id}, headers=me)
    deleted = await client.delete(f"/skills/{new_id}", headers=admin)
    gone = await client.get(f"/skills/{new_id}", headers=admin)
    skills_after = (await client.get(f"/candidates/{candidate['id']}/skills", headers=me)).json()["data"]

    assert created.status_code == 201
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "SKILL_ALREADY_EXISTS")
    assert (bad_category.status_code, bad_category.json()["code"]) == (422, "SKILL_CATEGORY_NOT_FOUND")
    assert (renamed.json()["data"]["name"], renamed.json()["data"]["description"]) == ("Ziglang", "Lang")
    assert deactivated.json()["data"]["isActive"] is False
    assert (refused.status_code, refused.json()["code"]) == (422, "SKILL_NOT_ACTIVE")
    assert activated.json()["data"]["isActive"] is True
    assert added.status_code == 201
    assert deleted.status_code == 204
    assert (gone.status_code, gone.json()["code"]) == (404, "SKILL_NOT_FOUND")
    assert skills_after == []


async def test_a_candidate_keeps_skills_and_experience_level_and_only_changes_the_fields_sent(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    candidate = await make_user("candidate")
    me = as_user(candidate["id"], "candidate")
    python = await skill_id(client, me, "python")
    docker = await skill_id(client, me, "docker")
    base = f"/candidates/{candidate['id']}"

    first = await client.post(
        f"{base}/skills",
        json={"skillId": python, "proficiencyLevel": "advanced", "yearsOfExperience": 6, "description": "ML"},
        headers=me,
    )
    await client.post(f"{base}/skills", json={"skillId": docker}, headers=me)
    again = await client.post(f"{base}/skills", json={"skillId": python}, headers=me)
    too_many_years = await client.post(f"{base}/skills", json={"skillId": docker, "yearsOfExperience": 51}, headers=me)
    nothing = await client.put(f"{base}/skills/{python}", json={}, headers=me)
    years_only = await client.put(f"{base}/skills/{python}", json={"yearsOfExperience": 7}, headers=me)
    not_mine = await client.put(f"{base}/skills/{uuid.uuid4()}", json={"yearsOfExperience": 1}, headers=me)
    level = await client.put(f"{base}/experience-level", json={"experienceLevel": "senior"}, headers=me)
    bad_level = await client.put(f"{base}/experience-level", json={"experienceLevel": "guru"}, headers=me)
    groups = (await client.get(f"{base}/skills", headers=me)).json()["data"]
    removed = await client.delete(f"{base}/skills/{docker}", headers=me)
    removed_twice = await client.delete(f"{base}/skills/{docker}", headers=me)

    assert first.status_code == 201 and "candidateSkillId" in first.json()["data"]
    assert (again.status_code, again.json()["code"]) == (409, "CANDIDATE_SKILL_ALREADY_EXISTS")
    assert too_many_years.status_code == 422
    assert (nothing.status_code, nothing.json()["code"]) == (400, "NO_FIELDS_TO_UPDATE")
    assert years_only.json() == {"success": True, "message": "Skill updated successfully"}
    assert (not_mine.status_code, not_mine.json()["code"]) == (404, "CANDIDATE_SKILL_NOT_FOUND")
    assert level.json()["data"]["experienceLevel"] == "senior"
    assert (bad_level.status_code, bad_level.json()["code"]) == (400, "INVALID_EXPERIENCE_LEVEL")
    by_category = {g["categoryName"]: g["skills"] for g in groups}
    [py] = by_category["Programming Languages"]
    assert (py["proficiencyLevel"], py["yearsOfExperience"], py["description"]) == ("advanced", 7, "ML")
    [dk] = by_category["DevOps & Cloud"]
    assert (dk["proficiencyLevel"], dk["yearsOfExperience"]) == ("beginner", 0)
    assert removed.status_code == 204
    assert removed_twice.status_code == 404


async def test_only_the_candidate_hr_and_admins_read_a_profile_and_only_the_candidate_changes_it(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    candidate = await make_user("candidate")
    other = await make_user("candidate")
    hr = await make_user("hr")
    pending = await make_user()
    python = await skill_id(client, admin, "python")
    base = f"/candidates/{candidate['id']}"

    by_hr = await client.get(f"{base}/profile", headers=as_user(hr["id"], "hr"))
    by_admin = await client.get(f"{base}/skills", headers=admin)
    by_other = await client.get(f"{base}/profile", headers=as_user(other["id"], "candidate"))
    hr_writes = await client.post(f"{base}/skills", json={"skillId": python}, headers=as_user(hr["id"], "hr"))
    no_profile = await client.post(
        f"/candidates/{pending['id']}/skills", json={"skillId": python}, headers=as_user(pending["id"], "pending")
    )

    assert by_hr.json()["data"]["fullName"] == "Ada Lovelace"
    assert by_admin.status_code == 200
    assert (by_other.status_code, by_other.json()["code"]) == (403, "ACCESS_DENIED")
    assert hr_writes.status_code == 403
    assert (no_profile.status_code, no_profile.json()["code"]) == (404, "CANDIDATE_PROFILE_NOT_FOUND")


async def test_candidate_search_matches_all_requested_skills_with_minimums_and_ranks_by_years(
    client: httpx.AsyncClient, make_user: MakeUser, as_user, admin
) -> None:
    tag = uuid.uuid4().hex[:6]
    # A private skill per run keeps other tests' candidates out of the result.
    rare = (await client.post("/skills", json={"name": f"Rare {tag}", "slug": f"rare-{tag}"}, headers=admin)).json()
    rare_id = rare["data"]["skillId"]
    go = await skill_id(client, admin, "go")
    people = {}
    for name, level, rows in [
        ("senior", "senior", [(rare_id, "expert", 9), (go, "advanced", 5)]),
        ("junior", "junior", [(rare_id, "beginner", 1), (go, "intermediate", 2)]),
        ("partial", "mid", [(rare_id, "advanced", 4)]),
    ]:
        person = await make_user("candidate", firstName=name.title())
        me = as_user(person["id"], "candidate")
        # Search finds only candidates who opted in (test_hr_access covers those who did not).
        await client.put("/users/me", json={"discoverable": True}, headers=me)
        await client.put(f"/candidates/{person['id']}/experience-level", json={"experienceLevel": level}, headers=me)
        for sid, proficiency, years in rows:
            await client.post(
                f"/candidates/{person['id']}/skills",
                json={"skillId": sid, "proficiencyLevel": proficiency, "yearsOfExperience": years},
                headers=me,
            )
        people[name] = person["id"]
    hr = as_user((await make_user("hr"))["id"], "hr")

    both = await client.get("/candidates/search", params={"skillIds": [rare_id, go, go]}, headers=hr)
    strong = await client.get(
        "/candidates/search", params={"skillIds": rare_id, "minProficiency": "advanced", "minYears": 4}, headers=hr
    )
    mid = await client.get("/candidates/search", params={"skillIds": rare_id, "experienceLevel": "mid"}, headers=hr)
    paged = await client.get("/candidates/search", params={"skillIds": rare_id, "limit": 2, "page": 2}, headers=hr)
    by_candidate = await client.get("/candidates/search", headers=as_user(people["junior"], "candidate"))
    bad_id = await client.get("/candidates/search", params={"skillIds": "python"}, headers=hr)

    hits = both.json()["data"]
    assert [h["userId"] for h in hits] == [people["senior"], people["junior"]]
    assert [h["matchScore"] for h in hits] == [14, 3]
    assert {s["skillId"] for s in hits[0]["matchedSkills"]} == {rare_id, go}
    assert both.json()["pagination"]["total"] == 2
    assert {h["userId"] for h in strong.json()["data"]} == {people["senior"], people["partial"]}
    assert [h["userId"] for h in mid.json()["data"]] == [people["partial"]]
    assert paged.json()["pagination"] == {"total": 3, "page": 2, "limit": 2, "totalPages": 2}
    assert len(paged.json()["data"]) == 1
    assert (by_candidate.status_code, by_candidate.json()["code"]) == (403, "ACCESS_DENIED")
    assert bad_id.status_code == 422


async def test_hr_creates_a_company_becomes_its_member_and_only_members_and_admins_see_it(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, as_user, admin
) -> None:
    owner = await make_user("hr")
    rival = await make_user("hr")
    candidate = await make_user("candidate")
    mine = as_user(owner["id"], "hr")
    name = f"Acme {uuid.uuid4().hex[:6]}"

    created = await client.post(
        "/companies",
        json={
            "name": f"  {name} ",
            "industry": "Tools",
            "size": "11-50",
            "description": "Anvils",
            "createdBy": owner["id"],
        },
        headers=mine,
    )
    company_id = created.json()["data"]["companyId"]
    duplicate = await client.post("/companies", json={"name": name, "industry": "X", "size": "1-10"}, headers=mine)
    bad_size = await client.post("/companies", json={"name": "B", "size": "12"}, headers=mine)
    bad_site = await client.post("/companies", json={"name": "C", "website": "javascript:alert(1)"}, headers=mine)
    forged_creator = await client.post("/companies", json={"name": f"{name} 2", "createdBy": rival["id"]}, headers=mine)
    by_candidate = await client.post("/companies", json={"name": f"{name} 3"}, headers=as_user(candidate["id"]))
    read = await client.get(f"/companies/{company_id}", headers=mine)
    read_by_rival = await client.get(f"/companies/{company_id}", headers=as_user(rival["id"], "hr"))
    read_by_admin = await client.get(f"/companies/{company_id}", headers=admin)
    my_list = await client.get("/companies", headers=mine)
    rival_list = await client.get("/companies", headers=as_user(rival["id"], "hr"))
    memberships = await client.get(f"/users/{owner['id']}/companies", headers=mine)

    assert created.status_code == 201
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "COMPANY_ALREADY_EXISTS")
    assert (bad_size.status_code, bad_size.json()["code"]) == (400, "INVALID_COMPANY_SIZE")
    assert (bad_site.status_code, bad_site.json()["code"]) == (400, "DOMAIN_ERROR")
    assert (forged_creator.status_code, forged_creator.json()["code"]) == (403, "COMPANY_ACCESS_DENIED")
    assert by_candidate.status_code == 403
    company = read.json()["data"]
    assert (company["name"], company["description"], company["size"], company["createdBy"]) == (
        name,
        "Anvils",
        "11-50",
        owner["id"],
    )
    assert (read_by_rival.status_code, read_by_rival.json()["code"]) == (403, "COMPANY_ACCESS_DENIED")
    assert read_by_admin.status_code == 200
    assert [c["id"] for c in my_list.json()["data"]] == [company_id]
    assert my_list.json()["pagination"]["total"] == 1
    assert rival_list.json()["data"] == []
    assert [c["name"] for c in memberships.json()["data"]] == [name]
    async with sessions() as session:
        events = [(m.event_type, m.payload["payload"]) for m in await outbox_events(session) if m.key == company_id]
    assert events == [
        (
            "company.created",
            {"companyId": company_id, "name": name, "createdBy": owner["id"], "createdAt": events[0][1]["createdAt"]},
        )
    ]


async def test_only_the_creator_updates_or_deletes_a_company_and_omitted_fields_are_kept(
    client: httpx.AsyncClient, sessions, make_user: MakeUser, as_user, admin
) -> None:
    owner = await make_user("hr")
    rival = await make_user("hr")
    mine = as_user(owner["id"], "hr")
    created = await client.post(
        "/companies",
        json={"name": f"Globex {uuid.uuid4().hex[:6]}", "industry": "Energy", "size": "200+"},
        headers=mine,
    )
    company_id = created.json()["data"]["companyId"]
    version = (await client.get(f"/companies/{company_id}", headers=mine)).json()["data"]["version"]

    by_rival = await client.put(f"/companies/{company_id}", json={"location": "X"}, headers=as_user(rival["id"], "hr"))
    updated = await client.put(
        f"/companies/{company_id}",
        json={"location": "Springfield", "isActive": False},
        headers={**mine, "If-Match": str(version)},
    )
    stale = await client.put(
        f"/companies/{company_id}", json={"location": "Nowhere"}, headers={**mine, "If-Match": str(version)}
    )
    delete_by_rival = await client.delete(f"/companies/{company_id}", headers=as_user(rival["id"], "hr"))
    deleted = await client.delete(f"/companies/{company_id}", headers=mine)
    gone = await client.get(f"/companies/{company_id}", headers=admin)

    assert (by_rival.status_code, by_rival.json()["code"]) == (403, "COMPANY_ACCESS_DENIED")
    data = updated.json()["data"]
    assert (data["location"], data["industry"], data["size"], data["isActive"]) == (
        "Springfield",
        "Energy",
        "200+",
        False,
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "VERSION_CONFLICT")
    assert delete_by_rival.status_code == 403
    assert deleted.status_code == 204
    assert (gone.status_code, gone.json()["code"]) == (404, "COMPANY_NOT_FOUND")
    async with sessions() as session:
        types = [m.event_type for m in await outbox_events(session) if m.key == company_id]
    assert types == ["company.created", "company.updated", "company.deleted"]


async def test_renaming_a_company_to_a_name_already_taken_is_a_409_and_it_keeps_its_name(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    mine = as_user((await make_user("hr"))["id"], "hr")
    names = [f"Initech {uuid.uuid4().hex[:6]}" for _ in range(2)]
    ids = [
        (await client.post("/companies", json={"name": name}, headers=mine)).json()["data"]["companyId"]
        for name in names
    ]

    renamed = await client.put(f"/companies/{ids[1]}", json={"name": names[0]}, headers=mine)
    kept = await client.get(f"/companies/{ids[1]}", headers=mine)

    assert (renamed.status_code, renamed.json()["code"]) == (409, "COMPANY_ALREADY_EXISTS")
    assert names[0] in renamed.json()["error"]
    assert kept.json()["data"]["name"] == names[1]

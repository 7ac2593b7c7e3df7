"""The whole journey through the gateway with real Keycloak tokens, for many candidates at once.

An HR user (a Keycloak account of the test realm) creates a company, is put on the Pro plan by Stripe's signed
webhook (as a paid checkout leaves it), builds a template of five text questions and publishes it. Each
candidate is a new Keycloak account whose first request registers them with the platform (the gateway's
saga); HR invites them; they open the briefing, accept its AI-use notice, start, answer the five questions and
complete. HR then lists the invitations and reads each result once its analysis is done.

Every call is timed by step; an answer other than the expected status is an error, counted by step (a driver
that hides errors would measure nothing). Used by `bench/journey/run.py` and `tests/test_replicas.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from devstack.config import KEYCLOAK_CLIENT_ID, KEYCLOAK_TEST_REALM
from kit.http import KEEPALIVE_S

PASSWORD = "Journey-Bench-1!"
QUESTIONS = (
    "Describe a production incident you handled.",
    "How do you keep a service's latency low under load?",
    "Tell us about a design you would do differently today.",
    "How do you review a colleague's change?",
    "What does an idempotent consumer need?",
)
ANSWER = (
    "We rolled back the release, added a canary stage and an alert on the error rate, then wrote the "
    "post-mortem with the team and fixed the retry storm that caused it."
)
STEPS = ("signup", "register", "invite", "briefing", "start", "answer", "complete", "hr_list", "hr_read")


# Pauses before trying a call again that a service refused as unavailable (overloaded machine, open breaker).
UNAVAILABLE_RETRIES = (1.0, 3.0, 10.0)


class JourneyError(Exception):
    pass


def _unavailable(response: httpx.Response) -> bool:
    if response.status_code == 503:
        return True
    return response.status_code == 502 and "with 503" in response.text


@dataclass
class Stats:
    """Durations (seconds) and errors by step."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    retries: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())


class Keycloak:
    """The test realm's admin API (users for the run) and its token endpoint (password grant)."""

    def __init__(self, url: str, realm: str = KEYCLOAK_TEST_REALM) -> None:
        self.realm = realm
        self.http = httpx.AsyncClient(base_url=url, timeout=60.0)
        self.created: list[str] = []
        self._admin: dict[str, str] = {}
        self._roles: dict[str, Any] = {}

    async def _admin_headers(self) -> dict[str, str]:
        if not self._admin:
            response = await self.http.post(
                "/realms/master/protocol/openid-connect/token",
                data={"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"},
            )
            response.raise_for_status()
            self._admin = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self._admin

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(2):
            response = await self.http.request(
                method, f"/admin/realms/{self.realm}{path}", headers=await self._admin_headers(), **kwargs
            )
            if response.status_code != 401:
                break
            self._admin = {}  # the admin token expired during a long run
        if response.status_code >= 400:
            raise JourneyError(f"Keycloak {method} {path}: {response.status_code} {response.text[:200]}")
        return response

    async def create_user(self, email: str, first: str, last: str, role: str) -> str:
        response = await self._call(
            "POST",
            "/users",
            json={"username": email, "email": email, "firstName": first, "lastName": last, "enabled": True,
                  "emailVerified": True, "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]},
        )  # fmt: skip
        user_id = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
        self.created.append(user_id)
        if role not in self._roles:
            self._roles[role] = (await self._call("GET", f"/roles/{role}")).json()
        await self._call("POST", f"/users/{user_id}/role-mappings/realm", json=[self._roles[role]])
        return user_id

    async def token(self, email: str) -> str:
        response = await self.http.post(
            f"/realms/{self.realm}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": KEYCLOAK_CLIENT_ID, "username": email, "password": PASSWORD,
                  "scope": "openid"},
        )  # fmt: skip
        if response.status_code != 200:
            raise JourneyError(f"{email} cannot sign in: {response.status_code} {response.text[:200]}")
        return str(response.json()["access_token"])

    async def remove_created(self) -> None:
        for user_id in self.created:
            try:
                await self._call("DELETE", f"/users/{user_id}")
            except JourneyError:
                pass
        self.created.clear()

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Person:
    email: str
    first: str
    last: str
    client: httpx.AsyncClient
    user_id: str = ""

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Journey:
    gateway_urls: list[str]
    keycloak: Keycloak
    run_id: str
    stripe_webhook_secret: str
    stats: Stats = field(default_factory=Stats)
    hr: Person | None = None
    template: dict[str, Any] = field(default_factory=dict)
    company_id: str = ""
    candidates: list[Person] = field(default_factory=list)
    accounts: dict[int, Person] = field(default_factory=dict)  # candidate index → provisioned, not yet used
    completed: set[str] = field(default_factory=set)  # invitations whose completion the platform confirmed
    analysed: dict[str, float] = field(default_factory=dict)  # invitation id → when its analysis was seen done
    invitations: dict[str, str] = field(default_factory=dict)  # candidate email → invitation id
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def company_name(self) -> str:
        return f"Journey {self.run_id}"

    def email(self, who: str) -> str:
        return f"{who}-{self.run_id}@journey.example.com"

    async def _person(self, who: str, first: str, last: str, role: str, gateway: str) -> Person:
        email = self.email(who)
        await self.keycloak.create_user(email, first, last, role)
        token = await self.keycloak.token(email)
        # Idle connections dropped before the gateway's uvicorn closes them (5 s): at the same 5 s, a request
        # could be written to a connection being closed, a client-side ReadError (one in the scaled N = 200 run).
        client = httpx.AsyncClient(
            base_url=gateway,
            timeout=120.0,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_S),
        )
        self._clients.append(client)
        return Person(email, first, last, client)

    async def call(
        self, step: str, person: Person, method: str, path: str, *, expect: tuple[int, ...] = (200, 201), **kw: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            response = await person.client.request(method, path, **kw)
            if response.status_code == 401:
                # Access tokens live 15 minutes; a long run signs in again, as the web app refreshes.
                person.client.headers["Authorization"] = f"Bearer {await self.keycloak.token(person.email)}"
                started = time.perf_counter()
                response = await person.client.request(method, path, **kw)
            for pause in UNAVAILABLE_RETRIES:
                # A service that answered 503 (itself, or through the gateway's 502) wrote nothing: a client tries
                # again after a pause. Counted apart, so the load that caused it shows.
                if not _unavailable(response):
                    break
                self.stats.retries[step] += 1
                await asyncio.sleep(pause)
                response = await person.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.stats.errors[step].append(f"{method} {path}: {type(exc).__name__}")
            raise JourneyError(f"{method} {path}: {exc!r}") from exc
        self.stats.durations[step].append(time.perf_counter() - started)
        if response.status_code not in expect:
            self.stats.errors[step].append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            raise JourneyError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    async def set_up_hr(self) -> None:
        """HR with a company on the Pro plan (unlimited interviews) and a published template of five questions."""
        self.hr = hr = await self._person("hr", "Hanna", f"Recruiter {self.run_id}", "hr", self.gateway_urls[0])
        hr.user_id = str((await self.call("register", hr, "GET", "/api/users/me"))["id"])
        await self.call(
            "setup", hr, "POST", "/api/hr/companies",
            json={"name": self.company_name, "industry": "Software", "size": "51-200",
                  "location": "Berlin", "description": "A load test's company."},
        )  # fmt: skip
        companies = await self.call("setup", hr, "GET", "/api/hr/companies")
        listed = companies if isinstance(companies, list) else companies.get("items") or companies.get("data") or []
        self.company_id = str(next(c["id"] for c in listed if c["name"] == self.company_name))
        await self.pro_plan()
        template = await self.call(
            "setup", hr, "POST", "/api/templates", json={"title": f"Backend {self.run_id}", "description": "Load"}
        )
        for order, text in enumerate(QUESTIONS, start=1):
            await self.call(
                "setup", hr, "POST", f"/api/templates/{template['id']}/questions",
                json={"text": text, "type": "text", "order": order, "timeLimit": 300, "required": True},
            )  # fmt: skip
        await self.call("setup", hr, "PUT", f"/api/templates/{template['id']}/publish")
        questions = await self.call("setup", hr, "GET", f"/api/templates/{template['id']}/questions")
        listed = questions if isinstance(questions, list) else questions.get("questions") or questions.get("items")
        self.template = {**template, "questions": sorted(listed, key=lambda q: q["order"])}

    async def pro_plan(self) -> None:
        now = int(time.time())
        event = {
            "id": f"evt_journey_{self.run_id}_{now}", "object": "event", "type": "checkout.session.completed",
            "created": now,
            "data": {"object": {"id": f"cs_journey_{now}", "object": "checkout.session",
                                "client_reference_id": self.company_id,
                                "metadata": {"companyId": self.company_id, "planType": "pro"}, "amount_total": 9900,
                                "currency": "usd", "customer": None, "subscription": None}},
        }  # fmt: skip
        payload = json.dumps(event).encode()
        digest = hmac.new(self.stripe_webhook_secret.encode(), f"{now}.".encode() + payload, hashlib.sha256)
        async with httpx.AsyncClient(base_url=self.gateway_urls[0], timeout=60.0) as http:
            response = await http.post(
                "/api/billing/webhooks/stripe",
                content=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": f"t={now},v1={digest.hexdigest()}"},
            )
        if response.status_code >= 300:
            raise JourneyError(f"the Pro plan webhook was refused: {response.status_code} {response.text[:200]}")
        assert self.hr is not None
        deadline = time.monotonic() + 60
        while (await self.call("setup", self.hr, "GET", "/api/billing/subscription")).get("planType") != "pro":
            if time.monotonic() > deadline:
                raise JourneyError("the account did not reach the Pro plan in 60 s")
            await asyncio.sleep(0.5)

    async def _candidate_account(self, index: int) -> Person:
        gateway = self.gateway_urls[index % len(self.gateway_urls)]
        started = time.perf_counter()
        try:
            person = await self._person(f"cand{index:04d}", "Cara", f"Candidate{index:04d} {self.run_id}",
                                        "candidate", gateway)  # fmt: skip
        except (JourneyError, httpx.HTTPError) as exc:
            self.stats.errors["signup"].append(f"Keycloak: {exc!r}"[:300])
            raise JourneyError(f"candidate {index} has no account: {exc!r}") from exc
        self.stats.durations["signup"].append(time.perf_counter() - started)
        return person

    async def provision(self, count: int, *, concurrency: int = 8, first: int = 0) -> None:
        """Keycloak accounts and tokens for `count` candidates before the burst. Sign-up at Keycloak is not the
        platform's work, and each account and sign-in hashes a password (PBKDF2, CPU-bound in Keycloak): 200 at
        once made Keycloak's token endpoint time out and measured Keycloak, not the services."""
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                with contextlib.suppress(JourneyError):  # counted under "signup"
                    self.accounts[index] = await self._candidate_account(index)

        await asyncio.gather(*(one(first + i) for i in range(count)))

    async def candidate(self, index: int) -> None:
        """One candidate from their first request to a completed interview."""
        assert self.hr is not None
        person = self.accounts.pop(index, None) or await self._candidate_account(index)
        self.candidates.append(person)
        person.user_id = str((await self.call("register", person, "GET", "/api/users/me"))["id"])
        invitation = await self.call(
            "invite", self.hr, "POST", "/api/invitations",
            json={"templateId": self.template["id"], "candidateId": person.user_id, "companyName": self.company_name,
                  "expiresAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
                  "candidateEmail": person.email, "candidateName": person.name},
        )  # fmt: skip
        self.invitations[person.email] = str(invitation["id"])
        base = f"/api/invitations/{invitation['id']}"
        briefing = await self.call("briefing", person, "POST", f"{base}/briefing")
        notice = briefing.get("notice")
        if notice:
            consent = {"accepted": True, "noticeVersion": notice["version"], "noticeHash": notice["hash"]}
            await self.call("briefing", person, "POST", f"{base}/briefing", json={"consent": consent})
        await self.call("start", person, "POST", f"{base}/start")
        for position, question in enumerate(self.template["questions"]):
            await self.call(
                "answer", person, "POST", f"{base}/responses",
                json={"questionId": question["id"], "questionIndex": position, "questionText": question["text"],
                      "responseType": "text", "textAnswer": ANSWER, "duration": 30},
            )  # fmt: skip
        await self.call("complete", person, "POST", f"{base}/complete", json={"reason": "manual"})
        self.completed.add(str(invitation["id"]))

    async def burst(self, count: int, *, concurrency: int, first: int = 0) -> None:
        """`count` candidates, at most `concurrency` in flight; a failed candidate is counted, not fatal."""
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                try:
                    await self.candidate(index)
                except JourneyError:
                    pass  # counted in stats.errors by the step that failed

        await asyncio.gather(*(one(first + i) for i in range(count)))

    async def hr_reads(self) -> dict[str, dict[str, Any]]:
        """HR lists the invitations of the template and reads each; returns them by invitation id."""
        assert self.hr is not None
        seen: dict[str, dict[str, Any]] = {}
        page = 1
        while True:
            listed = await self.call(
                "hr_list", self.hr, "GET", "/api/invitations/hr",
                params={"templateId": self.template["id"], "limit": 100, "page": page},
            )  # fmt: skip
            items = listed.get("items") or listed.get("data") or []
            for item in items:
                seen[str(item["id"])] = await self.call("hr_read", self.hr, "GET", f"/api/invitations/{item['id']}")
            if page >= int(listed.get("totalPages") or 1):
                return seen
            page += 1

    async def wait_analysed(
        self, timeout_s: float, progress: Callable[[int, int], Awaitable[None]] | None = None
    ) -> dict[str, float]:
        """Polls HR's list of their invitations (through the gateway) until every completed interview has its
        analysis completed; returns when each was first seen done (monotonic seconds), also kept in `analysed`
        when it gives up. The list, a page per 500 invitations, and not a read per invitation: at N = 200 a read
        each made the wait itself a stream of 200 requests against the interviews api, slowing what it timed."""
        assert self.hr is not None
        deadline = time.monotonic() + timeout_s
        # Only interviews the platform confirmed complete are analysed; a candidate stopped by an error is counted
        # under its step, and waiting for their analysis would wait for ever.
        ids = set(self.completed)
        done = self.analysed
        while ids - set(done):
            if time.monotonic() > deadline:
                raise JourneyError(f"{len(ids - set(done))} of {len(ids)} analyses not done in {timeout_s:.0f}s")
            for item in await self._hr_list_items():
                invitation_id = str(item["id"])
                if invitation_id not in ids or invitation_id in done:
                    continue
                if item.get("analysisStatus") == "completed":
                    done[invitation_id] = time.monotonic()
                elif item.get("analysisStatus") == "failed":
                    raise JourneyError(f"the analysis of {invitation_id} failed")
            if progress is not None:
                await progress(len(done), len(ids))
            await asyncio.sleep(1.0)
        return done

    async def _hr_list_items(self) -> list[dict[str, Any]]:
        """Every invitation HR sent (this run's HR is new, so all of them are the run's, whatever template),
        unmeasured: polling is not a step of the journey. A page that does not answer 200 ends this poll."""
        assert self.hr is not None
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            response = await self.hr.client.get("/api/invitations/hr", params={"limit": 500, "page": page})
            if response.status_code == 401:
                self.hr.client.headers["Authorization"] = f"Bearer {await self.keycloak.token(self.hr.email)}"
                return items
            if response.status_code != 200:
                return items
            listed = response.json()
            items.extend(listed.get("items") or listed.get("data") or [])
            if page >= int(listed.get("totalPages") or 1):
                return items
            page += 1

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]

"""Demo data for a first look at the platform, made through its public HTTP API as people would make it.

    python deploy/demo/aivi_demo.py              # create (or complete) the demo; a second run changes nothing
    python deploy/demo/aivi_demo.py --if-empty   # only on a stack nobody used yet (make up offers it)
    python deploy/demo/aivi_demo.py --remove     # delete every demo account and what it made

A company with two HR users, three templates (text, multiple-choice and video questions) and a dozen candidates
in every state: invited, in progress, completed with recorded answers (real video with speech: espeak-ng and
ffmpeg, uploaded through the media service's presigned flow, so a configured transcription engine transcribes
it), analysed, approved and rejected. Accounts are Keycloak users (admin REST API) on the reserved domain
`demo.example`; everything else goes through the gateway with each person's own token (password grant), so
every service's data and events are what real use would leave. The company is put on the Pro plan (Free
allows three interviews a month) by the Stripe webhook a paid checkout sends, signed with the local stack's
webhook secret: stripe-mock cannot complete a checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

DOMAIN = "demo.example"
PASSWORD = "Demo-Pass-2026!"
COMPANY = "Northwind Labs"
# Written by --remove, so that `make up` does not bring back a demo someone removed; `make demo` deletes it.
DECLINED = Path(__file__).resolve().parents[2] / ".local" / "demo-removed"


class DemoError(Exception):
    """What stopped the demo, in one sentence (the CLI prints it and exits 1)."""


def _env(name: str, local: str, port_env: str, port: int) -> str:
    return os.environ.get(name) or local.format(os.environ.get(port_env) or port)


@dataclass(frozen=True)
class Stack:
    gateway_url: str = field(default_factory=lambda: _env("GATEWAY_URL", "http://127.0.0.1:{}", "GATEWAY_PORT", 8001))
    keycloak_url: str = field(
        default_factory=lambda: _env("KEYCLOAK_URL", "http://127.0.0.1:{}", "KEYCLOAK_PORT", 8090)
    )
    realm: str = field(default_factory=lambda: os.environ.get("KEYCLOAK_REALM", "ai-video-interview"))
    client_id: str = "ai-video-interview-app"
    keycloak_admin: tuple[str, str] = ("admin", "admin")
    # devstack's LOCAL_STRIPE_WEBHOOK_SECRET, which `make up` gives billing.
    stripe_webhook_secret: str = field(
        default_factory=lambda: os.environ.get("DEMO_STRIPE_WEBHOOK_SECRET", "whsec_devstack_local")
    )
    timeout_s: float = 300.0
    declined_marker: Path = DECLINED


# --- the people and the interviews ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.first}.{self.last}@{DOMAIN}".lower()


HR = (Person("Lena", "Hoffmann", "hr"), Person("Omar", "Haddad", "hr"))

TEMPLATES: dict[str, dict[str, Any]] = {
    "Backend engineer screen": {
        "description": "First-round screen for a senior Python backend engineer: systems, reliability, teamwork.",
        "questions": [
            {
                "text": "Tell us about a production incident you handled and what you changed afterwards.",
                "type": "text",
                "timeLimit": 300,
            },
            {
                "text": "Which HTTP method is idempotent?",
                "type": "multiple_choice",
                "timeLimit": 60,
                "options": [
                    {"text": "POST", "isCorrect": False},
                    {"text": "PUT", "isCorrect": True},
                    {"text": "PATCH", "isCorrect": False},
                ],
            },
            {
                "text": "In a short video, walk us through how you would design a rate limiter for a public API.",
                "type": "video",
                "timeLimit": 180,
            },
        ],
    },
    "Customer support specialist": {
        "description": "Screen for a support specialist: empathy, clear writing, calm under pressure.",
        "questions": [
            {
                "text": "A customer writes in angry because an invoice was charged twice. Draft your first reply.",
                "type": "text",
                "timeLimit": 300,
            },
            {
                "text": "What do you do first with a ticket you cannot solve yourself?",
                "type": "multiple_choice",
                "timeLimit": 60,
                "options": [
                    {"text": "Close it", "isCorrect": False},
                    {"text": "Escalate it with a summary and tell the customer", "isCorrect": True},
                ],
            },
            {
                "text": "In a short video, tell us about a time you turned an unhappy customer around.",
                "type": "video",
                "timeLimit": 120,
            },
        ],
    },
    "Account executive (sales)": {
        "description": "Screen for a mid-market account executive: discovery, objection handling, pipeline.",
        "questions": [
            {"text": "How do you qualify a new lead in the first call?", "type": "text", "timeLimit": 300},
            {
                "text": "A prospect says the price is too high. What is the best first move?",
                "type": "multiple_choice",
                "timeLimit": 60,
                "options": [
                    {"text": "Offer a discount at once", "isCorrect": False},
                    {"text": "Ask what they compare the price with", "isCorrect": True},
                ],
            },
            {
                "text": "In a short video, pitch our interview platform to a head of talent in one minute.",
                "type": "video",
                "timeLimit": 120,
            },
        ],
    },
}

# Per question type, what each candidate answers (the video's words are spoken by espeak-ng).
ANSWERS = {
    "Backend engineer screen": (
        "A release doubled database load; we rolled back, added a canary stage and an alert on the error rate.",
        "PUT",
        "I would keep a token bucket per client in Redis, refill it at a fixed rate and answer 429 when empty.",
    ),
    "Customer support specialist": (
        "I am sorry about the double charge. I have refunded the second payment and you will see it in three days.",
        "Escalate it with a summary and tell the customer",
        "A customer lost a week of data. I stayed on the call, restored a backup with our engineers and followed up.",
    ),
    "Account executive (sales)": (
        "I ask about their current process, who decides, the budget and the timeline, then agree on a next step.",
        "Ask what they compare the price with",
        "Your recruiters spend hours on first calls. Our platform lets candidates answer on their own time.",
    ),
}

# The dozen candidates: name, template, the state they are left in.
CANDIDATES: tuple[tuple[Person, str, str], ...] = (
    (Person("Maya", "Fischer", "candidate"), "Backend engineer screen", "invited"),
    (Person("Jonas", "Weber", "candidate"), "Backend engineer screen", "in_progress"),
    (Person("Priya", "Nair", "candidate"), "Backend engineer screen", "completed"),
    (Person("Lucas", "Martin", "candidate"), "Backend engineer screen", "analysed"),
    (Person("Sofia", "Rossi", "candidate"), "Backend engineer screen", "approved"),
    (Person("Ethan", "Brooks", "candidate"), "Customer support specialist", "invited"),
    (Person("Aiko", "Tanaka", "candidate"), "Customer support specialist", "in_progress"),
    (Person("Noah", "Schmidt", "candidate"), "Customer support specialist", "analysed"),
    (Person("Chloe", "Dubois", "candidate"), "Customer support specialist", "rejected"),
    (Person("Mateo", "Garcia", "candidate"), "Account executive (sales)", "invited"),
    (Person("Grace", "Okafor", "candidate"), "Account executive (sales)", "approved"),
    (Person("Liam", "Novak", "candidate"), "Account executive (sales)", "rejected"),
)
# Every state the demo leaves a candidate in (each appears in CANDIDATES).
STATES = ("invited", "in_progress", "completed", "analysed", "approved", "rejected")
# Who owns which template: Lena the engineering and support ones, Omar sales.
OWNER = {"Backend engineer screen": 0, "Customer support specialist": 0, "Account executive (sales)": 1}


def say(message: str) -> None:
    print(f"demo: {message}", flush=True)


# --- Keycloak -----------------------------------------------------------------------------------------------


class Keycloak:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.keycloak_url, timeout=30.0)
        user, password = stack.keycloak_admin
        response = self.http.post(
            "/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": user, "password": password},
        )
        if response.status_code != 200:
            raise DemoError(f"Keycloak at {stack.keycloak_url} refused the admin sign-in ({response.status_code})")
        self.admin = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def _admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, f"/admin/realms/{self.stack.realm}{path}", headers=self.admin, **kwargs)
        if response.status_code >= 400:
            raise DemoError(f"Keycloak {method} {path} failed ({response.status_code}): {response.text[:200]}")
        return response

    def find(self, email: str) -> dict[str, Any] | None:
        found = self._admin("GET", "/users", params={"email": email, "exact": "true"}).json()
        return found[0] if found else None

    def demo_users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = self._admin("GET", "/users", params={"search": f"*@{DOMAIN}", "max": 1000}).json()
        return [u for u in users if str(u.get("email", "")).endswith(f"@{DOMAIN}")]

    def ensure(self, person: Person) -> None:
        if self.find(person.email) is not None:
            return
        self._admin(
            "POST",
            "/users",
            json={"username": person.email, "email": person.email, "firstName": person.first,
                  "lastName": person.last, "enabled": True, "emailVerified": True,
                  "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]},
        )  # fmt: skip
        user = self.find(person.email)
        assert user is not None
        role = self._admin("GET", f"/roles/{person.role}").json()
        self._admin("POST", f"/users/{user['id']}/role-mappings/realm", json=[role])

    def delete(self, user_id: str) -> None:
        self._admin("DELETE", f"/users/{user_id}")

    def token(self, email: str) -> str:
        response = self.http.post(
            f"/realms/{self.stack.realm}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": self.stack.client_id, "username": email,
                  "password": PASSWORD, "scope": "openid"},
        )  # fmt: skip
        if response.status_code != 200:
            raise DemoError(f"{email} cannot sign in ({response.status_code}): {response.text[:200]}")
        return str(response.json()["access_token"])


# --- the gateway --------------------------------------------------------------------------------------------


class Api:
    """One person's calls through the gateway, with their own token."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.http = httpx.Client(base_url=stack.gateway_url, timeout=60.0, headers={"Authorization": f"Bearer {token}"})

    def call(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise DemoError(f"the gateway did not answer {method} {path}: {exc} (is `make up` running?)") from exc
        if response.status_code not in ok:
            raise DemoError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=body, **kwargs)


def wait_for(what: str, fetch: Callable[[], Any], done: Callable[[Any], bool], timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise DemoError(f"gave up after {timeout_s:.0f}s waiting for {what} (last seen: {str(value)[:200]})")
        time.sleep(1.0)


def items(page: Any) -> list[dict[str, Any]]:
    """A list answer: a Page ({items}), a Paginated ({data}), a template's {questions} or a plain list."""
    if isinstance(page, list):
        return page
    return list(page.get("items") or page.get("data") or page.get("questions") or [])


# --- video with speech ----------------------------------------------------------------------------------------


def spoken_video(text: str, folder: Path) -> Path:
    """A WebM (VP8 + Opus) of a plain background and the text spoken by espeak-ng, made once per text."""
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            raise DemoError(f"{tool} is missing: apt-get install {tool}")
    name = hashlib.sha256(text.encode()).hexdigest()[:16]
    video = folder / f"{name}.webm"
    if video.exists():
        return video
    wav = folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x2b4c7e:s=320x240:r=15",
         "-i", str(wav), "-shortest", "-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus", str(video)],
        check=True, capture_output=True,
    )  # fmt: skip
    return video


def upload_recording(api: Api, invitation_id: str, question_id: str, video: Path, timeout_s: float) -> str:
    """The browser's flow: initiate, PUT to the presigned URL, confirm, wait until media has checked it."""
    data = video.read_bytes()
    session = api.post(
        "/api/media/upload/initiate",
        {"invitationId": invitation_id, "questionId": question_id, "fileName": "answer.webm",
         "contentType": "video/webm", "fileSize": len(data)},
    )  # fmt: skip
    media_id = str(session["mediaId"])
    if session.get("uploadUrl") is None:
        raise DemoError("media asked for a multipart upload of a small recording; expected a single upload URL")
    put = httpx.put(session["uploadUrl"], content=data, headers=session.get("uploadHeaders") or {}, timeout=60.0)
    if put.status_code >= 300:
        raise DemoError(f"the object store refused the recording ({put.status_code}): {put.text[:200]}")
    api.post("/api/media/upload/confirm", {"mediaId": media_id})
    status = wait_for(
        f"recording {media_id} to be checked by the media worker",
        lambda: api.get(f"/api/media/{media_id}/status"),
        lambda s: s["status"] in ("ready", "rejected", "failed"),
        timeout_s,
    )
    if status["status"] != "ready":
        raise DemoError(f"media refused the demo recording: {status.get('reason')}")
    return media_id


# --- the run ------------------------------------------------------------------------------------------------


def sign_stripe(payload: bytes, secret: str, at: int) -> str:
    """Stripe's webhook signature scheme: t=<time>,v1=HMAC-SHA256(secret, "<time>.<payload>")."""
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


class Demo:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.kc = Keycloak(stack)
        self.apis: dict[str, Api] = {}
        self.media_dir = Path(tempfile.mkdtemp(prefix="aivi-demo-"))

    def api(self, person: Person) -> Api:
        if person.email not in self.apis:
            self.apis[person.email] = Api(self.stack, self.kc.token(person.email))
        return self.apis[person.email]

    def me(self, person: Person) -> dict[str, Any]:
        # The first authenticated call registers the Keycloak user with the platform (the gateway's saga).
        return dict(self.api(person).get("/api/users/me"))

    def is_empty(self) -> bool:
        """A stack nobody has used: the realm holds only its seeded dev users (`@test.com`), and the demo was
        not removed on purpose (`--remove` leaves a marker that `make up` respects)."""
        if self.stack.declined_marker.exists():
            return False
        users = self.kc.http.get(
            f"/admin/realms/{self.stack.realm}/users", params={"max": 1000}, headers=self.kc.admin
        ).json()
        return all(str(u.get("email", "")).endswith("@test.com") for u in users)

    def company(self) -> dict[str, Any]:
        lena = self.api(HR[0])
        found = [c for c in items(lena.get("/api/hr/companies")) if c.get("name") == COMPANY]
        if found:
            return found[0]
        say(f"creating the company {COMPANY}")
        lena.post(
            "/api/hr/companies",
            {"name": COMPANY, "industry": "Software", "size": "51-200", "website": "https://northwind.demo.example",
             "location": "Berlin", "description": "A demo company: remove it with `make demo ARGS=--remove`."},
        )  # fmt: skip
        # The gateway answers with the reference's shape; the listing has the id either way.
        return next(c for c in items(lena.get("/api/hr/companies")) if c.get("name") == COMPANY)

    def team(self, company_id: str, member: Person) -> None:
        """The second HR user joins the company's hiring team (a seat of the Pro plan), so both review its
        interviews; already a member (a re-run) is fine."""
        lena = self.api(HR[0])
        path = f"/api/hr/companies/{company_id}/members"
        if any(m.get("email") == member.email for m in items(lena.get(path))):
            return
        say(f"adding {member.email} to the hiring team")
        lena.call("POST", path, json={"email": member.email}, ok=(201, 409))

    def pro_plan(self, owner: Person, account_id: str) -> None:
        """The account on Pro, as a paid checkout would leave it (Stripe's signed checkout.session.completed)."""
        api = self.api(owner)
        if api.get("/api/billing/subscription").get("planType") == "pro":
            return
        say(f"putting {owner.email}'s account on the Pro plan")
        now = int(time.time())
        event = {
            "id": f"evt_demo_{account_id.replace('-', '')[:24]}_{now}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": now,
            "data": {"object": {"id": f"cs_demo_{now}", "object": "checkout.session", "client_reference_id": account_id,
                                "metadata": {"companyId": account_id, "planType": "pro"}, "amount_total": 9900,
                                "currency": "usd", "customer": None, "subscription": None}},
        }  # fmt: skip
        payload = json.dumps(event).encode()
        response = httpx.post(
            f"{self.stack.gateway_url}/api/billing/webhooks/stripe",
            content=payload,
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": sign_stripe(payload, self.stack.stripe_webhook_secret, now)},
            timeout=30.0,
        )  # fmt: skip
        if response.status_code >= 300:
            raise DemoError(
                f"billing refused the demo's plan upgrade ({response.status_code}): {response.text[:200]}; without "
                "it the Free plan allows three interviews a month"
            )
        wait_for(
            "the Pro plan", lambda: api.get("/api/billing/subscription"), lambda s: s.get("planType") == "pro", 30.0
        )

    def template(self, owner: Person, title: str) -> dict[str, Any]:
        api = self.api(owner)
        existing = [t for t in items(api.get("/api/templates", params={"limit": 100})) if t.get("title") == title]
        if existing and existing[0].get("status") == "active":
            template = dict(existing[0])
        else:
            spec = TEMPLATES[title]
            template = (
                existing[0]
                if existing
                else api.post("/api/templates", {"title": title, "description": spec["description"]})
            )
            if not items(api.get(f"/api/templates/{template['id']}/questions")):
                say(f"creating the template {title!r}")
                for order, question in enumerate(spec["questions"], start=1):
                    api.post(
                        f"/api/templates/{template['id']}/questions", {**question, "order": order, "required": True}
                    )
            api.call("PUT", f"/api/templates/{template['id']}/publish")
        template["questions"] = sorted(
            items(api.get(f"/api/templates/{template['id']}/questions")), key=lambda q: q["order"]
        )
        return template

    def candidate(self, person: Person, title: str, target: str, template: dict[str, Any], owner: Person) -> None:
        hr = self.api(owner)
        me = self.me(person)
        found = [
            i for i in items(hr.get("/api/invitations/hr", params={"templateId": template["id"], "limit": 100}))
            if str(i.get("candidateId")) == str(me["id"])
        ]  # fmt: skip
        if found:
            invitation = found[0]
        else:
            say(f"inviting {person.first} {person.last} to {title!r}")
            invitation = hr.post(
                "/api/invitations",
                {"templateId": template["id"], "candidateId": me["id"], "companyName": COMPANY,
                 "expiresAt": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
                 "candidateEmail": person.email, "candidateName": f"{person.first} {person.last}"},
            )  # fmt: skip
        if target == "invited":
            return
        candidate = self.api(person)
        base = f"/api/invitations/{invitation['id']}"
        current = candidate.get(base)
        if current["status"] == "pending":
            say(f"{person.first} starts the interview")
            # The interview's clock starts only after its briefing was opened and its AI-use notice accepted.
            notice = candidate.post(f"{base}/briefing")["notice"]
            candidate.post(f"{base}/briefing", {"consent": {"accepted": True, "noticeVersion": notice["version"]}})
            candidate.post(f"{base}/start")
            current = candidate.get(base)
        answered = {str(r.get("questionId")) for r in current.get("responses") or []}
        questions = template["questions"]
        # In progress: the first answer given, the rest open. Later states: every question answered.
        todo = questions[:1] if target == "in_progress" else questions
        for index, question in enumerate(todo):
            if str(question["id"]) in answered or current["status"] != "in_progress":
                continue
            answer = ANSWERS[title][index]
            body: dict[str, Any] = {"questionId": question["id"], "questionIndex": index, "duration": 40}
            if question["type"] == "video":
                video = spoken_video(answer, self.media_dir)
                say(f"{person.first} records a video answer")
                media_id = upload_recording(candidate, invitation["id"], question["id"], video, self.stack.timeout_s)
                body |= {"responseType": "video", "mediaId": media_id}
            else:
                body |= {"responseType": "text", "textAnswer": answer}
            candidate.post(f"{base}/responses", body)
        if target == "in_progress":
            return
        if current["status"] == "in_progress":
            say(f"{person.first} completes the interview")
            candidate.post(f"{base}/complete", {"reason": "manual"})
        if target == "completed":
            return
        seen = wait_for(
            f"the analysis of {person.first} {person.last}'s interview",
            lambda: hr.get(base),
            lambda i: (i.get("analysis") or {}).get("status") in ("completed", "failed"),
            self.stack.timeout_s,
        )
        if seen["analysis"]["status"] != "completed":
            raise DemoError(f"the analysis of {person.first} {person.last}'s interview failed")
        if target in ("approved", "rejected") and not seen.get("decision"):
            verb = {"approved": "approve", "rejected": "reject"}[target]
            say(f"{owner.first} {verb}s {person.first}")
            note = "Strong, concrete answers." if target == "approved" else "Answers stayed general."
            hr.post(f"{base}/{verb}", {"note": note})

    def run(self) -> None:
        started = time.monotonic()
        self.stack.declined_marker.unlink(missing_ok=True)
        for person in (*HR, *(c for c, _, _ in CANDIDATES)):
            self.kc.ensure(person)
        for hr in HR:
            self.me(hr)
        company = self.company()
        self.pro_plan(HR[0], str(company["id"]))
        self.team(str(company["id"]), HR[1])
        templates = {title: self.template(HR[OWNER[title]], title) for title in TEMPLATES}
        for person, title, target in CANDIDATES:
            self.candidate(person, title, target, templates[title], HR[OWNER[title]])
        took = time.monotonic() - started
        say(f"ready in {took:.0f}s: sign in as {HR[0].email} or {HR[1].email} (password {PASSWORD})")

    def remove(self) -> None:
        users = self.kc.demo_users()
        if not users:
            say("no demo data")
        for person in HR:
            if self.kc.find(person.email) is None:
                continue
            api = self.api(person)
            # Teammates see each other's invitations and templates; each is removed by whoever may (403: the
            # other HR user's, removed in their turn).
            for invitation in items(api.get("/api/invitations/hr", params={"limit": 100})):
                if invitation["status"] in ("pending", "in_progress"):
                    api.post(f"/api/invitations/{invitation['id']}/cancel", ok=(200, 201, 403, 409, 422))
            for template in items(api.get("/api/templates", params={"limit": 100})):
                api.call("DELETE", f"/api/templates/{template['id']}", ok=(200, 204, 403, 409, 422))
            for company in items(api.get("/api/hr/companies")):
                if company.get("name") == COMPANY:
                    api.call("DELETE", f"/api/hr/companies/{company['id']}", ok=(200, 204))
        # Accounts go through the platform's own admin route (users service, then Keycloak), so every service
        # hears user.deleted; one never registered with the platform is deleted in Keycloak only.
        admin = Api(self.stack, self.kc_admin_token())
        for user in users:
            platform_users = items(admin.get("/api/admin/users", params={"search": user["email"], "limit": 10}))
            match = [u for u in platform_users if u.get("email") == user["email"]]
            if match:
                admin.call("DELETE", f"/api/admin/users/{match[0]['id']}")
            else:
                self.kc.delete(user["id"])
        self.stack.declined_marker.parent.mkdir(parents=True, exist_ok=True)
        self.stack.declined_marker.write_text(
            "make up offers the demo again once this file is gone (make demo deletes it)\n"
        )
        say(f"removed {len(users)} demo accounts and their company, templates and invitations")

    def kc_admin_token(self) -> str:
        """A platform admin (the realm's `admin` role) for the removal: the dev realm's admin@test.com."""
        email = os.environ.get("DEMO_ADMIN_EMAIL", "admin@test.com")
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "Admin123!")
        response = self.kc.http.post(
            f"/realms/{self.stack.realm}/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": self.stack.client_id, "username": email,
                  "password": password, "scope": "openid"},
        )  # fmt: skip
        if response.status_code != 200:
            raise DemoError(f"the platform admin {email} cannot sign in ({response.status_code})")
        return str(response.json()["access_token"])


def wait_for_stack(stack: Stack, timeout_s: float) -> None:
    """Until Keycloak's realm and a route the gateway proxies (billing's public plans) answer: `make up` starts
    the demo beside the stack, before its services are up."""
    probes = (f"{stack.keycloak_url}/realms/{stack.realm}", f"{stack.gateway_url}/api/billing/plans")

    def answering() -> bool:
        try:
            return all(httpx.get(url, timeout=5.0).status_code == 200 for url in probes)
        except httpx.HTTPError:
            return False

    wait_for("the stack to answer", answering, bool, timeout_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aivi_demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-empty", action="store_true", help="only when the demo's HR user has no templates")
    parser.add_argument("--remove", action="store_true", help="delete every demo account and what it made")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS", help="wait this long for the stack")
    args = parser.parse_args(argv)
    try:
        stack = Stack()
        if args.wait:
            wait_for_stack(stack, args.wait)
        demo = Demo(stack)
        if args.remove:
            demo.remove()
        elif args.if_empty and not demo.is_empty():
            say("demo data already there")
        else:
            demo.run()
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

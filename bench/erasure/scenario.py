"""A candidate's whole footprint across the fleet, their erasure through the gateway, and a scan for what is left.

Shared by `tests/test_erasure.py` (the proof that nothing of an erased candidate remains) and `bench/erasure/run.py`
(the time an erasure of 20 recorded answers takes). The fleet is bench/journey's (every service behind the
gateway, as `make up` runs them, on a database of its own, the test realm, buckets and this run's topics), with
analytics added on an embedded ClickHouse in a directory of the run's, so its tables can be read once it stopped.

The footprint: a Keycloak account that registers with the platform, fills its profile, uploads an avatar and
self-identifies; HR invites it several times; each invitation is answered in text (naming the candidate) and
by recordings (uploaded to S3 through media's presigned flow, transcribed by the Whisper stand-in, scored by
analysis); HR reads the answers, AI scores, recordings and transcripts (audited), and decides with a note
that names the candidate; the decisions and invitations are mailed (notifications), counted (billing) and
ingested (analytics).

The scan looks for every identifier of the person (account id, e-mail, last name, invitation and recording
ids) in every text, uuid, json and array column of every table of every schema of the fleet's database, in every
key and every piece of metadata of the objects in the run's buckets, and in every string column of the
analytics warehouse."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from minio import Minio
from minio.error import S3Error

from kit.testing import free_port, load_script, process_env, superuser_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


# The same module objects tests/test_replicas.py loads, so one process holds one copy of each.
fleet_module = load_script("journey_fleet", ROOT / "bench" / "journey" / "fleet.py")
driver_module = load_script("journey_driver", ROOT / "bench" / "journey" / "driver.py")

S3_ACCESS, S3_SECRET = "aivi", "aivi-dev-secret"
BUCKET_PREFIX = "test-"
# Column types a person's identifier can be written into.
TEXT_TYPES = ("text", "character varying", "character", "uuid", "json", "jsonb", "ARRAY", "USER-DEFINED")
# The fleet's own database: nothing of another run (a suite's scratch tables, another fleet's relay) is in it, so
# the scan reads only what this fleet wrote and the run needs no other fleet to be stopped.
DATABASE = "aivi_erasure"
# Wait for any asynchronous step (analysis, transcription, mail, erasure) at most this long: a busy machine is slow.
PATIENCE_S = 900.0


class ScenarioError(Exception):
    pass


async def eventually(what: str, check: Any, timeout_s: float = PATIENCE_S, pause_s: float = 1.0) -> Any:
    """`check()` until it returns something truthy; its last value names what was missing on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ScenarioError(f"{what}: not done in {timeout_s:.0f}s")
        await asyncio.sleep(pause_s)


def recording(folder: Path) -> Path:
    """A two-second WebM (VP8 + Opus): a plain picture and a tone, made once per run."""
    video = folder / "answer.webm"
    if not video.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=0x2b4c7e:s=160x120:r=10:d=2",
             "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-shortest", "-c:v", "libvpx", "-b:v", "100k",
             "-c:a", "libopus", str(video)],
            check=True, capture_output=True,
        )  # fmt: skip
    return video


# A 1x1 PNG: the users service checks an avatar's type by its content.
AVATAR = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


@dataclass
class Candidate:
    email: str
    first: str
    last: str
    client: httpx.AsyncClient
    keycloak_id: str = ""
    user_id: str = ""
    # The template they were interviewed on: not theirs, so it stays (a control for the warehouse's scan).
    template_id: str = ""
    invitations: list[str] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def needles(self) -> dict[str, str]:
        """What identifies the person, by label; each is unique to this run."""
        found = {"user id": self.user_id, "keycloak id": self.keycloak_id, "e-mail": self.email, "name": self.last}
        found |= {f"invitation {i}": v for i, v in enumerate(self.invitations)}
        found |= {f"recording {i}": v for i, v in enumerate(self.recordings)}
        return {label: value.lower() for label, value in found.items() if value}


@dataclass
class Platform:
    fleet: Any
    journey: Any
    analytics_dir: Path
    analytics: Any = None

    @property
    def gateway(self) -> str:
        return str(self.fleet.gateway_urls[0])


@asynccontextmanager
async def run_platform(
    kafka_bootstrap: str, *, llm_url: str, whisper_url: str, work: Path, label: str
) -> AsyncIterator[Platform]:
    """bench/journey's fleet with transcription on the Whisper stand-in, plus analytics; all stopped on exit."""
    options = fleet_module.Options(
        llm_url=llm_url,
        label=label,
        database=DATABASE,
        env={"media": {"TRANSCRIPTION_API_KEY": "stand-in-key", "TRANSCRIPTION_BASE_URL": whisper_url}},
    )
    keycloak = driver_module.Keycloak(fleet_module.KEYCLOAK)
    analytics_dir = work / "clickhouse"
    try:
        async with fleet_module.run_fleet(kafka_bootstrap, options) as fleet:
            settings = fleet_module.service_settings("analytics", DATABASE)
            await asyncio.to_thread(fleet_module.migrate, "analytics", settings)
            env = process_env(
                settings, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", INTERNAL_AUTH_ENABLED="false",
                CLICKHOUSE_DSN=f"chdb://{analytics_dir}",
            )  # fmt: skip
            # The embedded engine: the api process consumes (one process may open the data directory).
            analytics = await fleet.spawn("analytics-1", "analytics", ("api", "consumer"), env, free_port())
            await fleet_module._wait_until_up(fleet, analytics)
            journey = driver_module.Journey(
                fleet.gateway_urls, keycloak, driver_module.new_run_id(), options.stripe_webhook_secret
            )
            try:
                yield Platform(fleet, journey, analytics_dir, analytics)
            finally:
                await journey.close()
    finally:
        await keycloak.remove_created()
        await keycloak.close()


async def stop_analytics(platform: Platform) -> None:
    """Stop the analytics process (it holds the embedded ClickHouse open), so the scan can open its data."""
    proc = platform.analytics
    if proc is not None and proc.process.returncode is None:
        proc.process.terminate()
        await asyncio.wait_for(proc.process.wait(), 60)


async def video_template(journey: Any, recorded: int, n: int) -> dict[str, Any]:
    """A published template of HR's: one text question, then `recorded` video ones."""
    hr = journey.hr
    title = f"Recorded {journey.run_id} {n}"
    template = await journey.call("setup", hr, "POST", "/api/templates", json={"title": title, "description": "E"})
    questions = [("Introduce yourself in a few sentences.", "text")]
    questions += [(f"Walk us through a design of yours, part {n + 1}.", "video") for n in range(recorded)]
    for order, (text, kind) in enumerate(questions, start=1):
        await journey.call(
            "setup", hr, "POST", f"/api/templates/{template['id']}/questions",
            json={"text": text, "type": kind, "order": order, "timeLimit": 300, "required": True},
        )  # fmt: skip
    await journey.call("setup", hr, "PUT", f"/api/templates/{template['id']}/publish")
    listed = await journey.call("setup", hr, "GET", f"/api/templates/{template['id']}/questions")
    items = listed if isinstance(listed, list) else listed.get("questions") or listed.get("items")
    return {**template, "questions": sorted(items, key=lambda q: q["order"])}


async def new_candidate(journey: Any) -> Candidate:
    """A Keycloak account that registers with the platform and fills in what a candidate can about themselves."""
    email = journey.email("erased")
    first, last = "Ida", f"Erasure{journey.run_id}"
    keycloak_id = await journey.keycloak.create_user(email, first, last, "candidate")
    token = await journey.keycloak.token(email)
    client = httpx.AsyncClient(
        base_url=journey.gateway_urls[0], timeout=120.0, headers={"Authorization": f"Bearer {token}"}
    )
    journey._clients.append(client)
    who = Candidate(email, first, last, client, keycloak_id=keycloak_id)
    person = driver_module.Person(email, first, last, client)
    who.user_id = str((await journey.call("register", person, "GET", "/api/users/me"))["id"])
    profile = {"bio": f"I am {who.name}.", "phone": "+49 30 1"}
    await journey.call("profile", person, "PUT", "/api/users/me", json=profile)
    await journey.call("profile", person, "PUT", "/api/users/me/experience-level", json={"experienceLevel": "senior"})
    await journey.call(
        "profile", person, "POST", "/api/users/me/avatar", files={"file": ("me.png", AVATAR, "image/png")}
    )
    await journey.call(
        "profile", person, "PUT", "/api/self-identification", json={"sex": "female", "raceEthnicity": "white"}
    )
    return who


def person_of(who: Candidate) -> Any:
    return driver_module.Person(who.email, who.first, who.last, who.client, who.user_id)


async def upload(journey: Any, who: Candidate, invitation_id: str, question_id: str, video: bytes) -> str:
    """The browser's flow: initiate, PUT to the presigned URL, confirm; returns the recording's id."""
    person = person_of(who)
    session = {"invitationId": invitation_id, "questionId": question_id, "fileName": "answer.webm",
               "contentType": "video/webm", "fileSize": len(video)}  # fmt: skip

    async def initiated() -> dict[str, Any] | None:
        # Media learns of the invitation from `invitation.created`, which may still be on its way.
        response = await who.client.post("/api/media/upload/initiate", json=session)
        if response.status_code == 404:
            return None
        if response.status_code not in (200, 201):
            raise ScenarioError(f"the upload was refused: {response.status_code} {response.text[:300]}")
        found: dict[str, Any] = response.json()
        return found

    started = await eventually("media knowing the invitation", initiated)
    if not started.get("uploadUrl"):
        raise ScenarioError("media asked for a multipart upload of a small recording")
    async with httpx.AsyncClient(timeout=60.0) as s3:
        put = await s3.put(started["uploadUrl"], content=video, headers=started.get("uploadHeaders") or {})
    if put.status_code >= 300:
        raise ScenarioError(f"the object store refused the recording: {put.status_code} {put.text[:200]}")
    media_id = str(started["mediaId"])
    await journey.call("record", person, "POST", "/api/media/upload/confirm", json={"mediaId": media_id})

    async def checked() -> bool:
        status = await journey.call("record", person, "GET", f"/api/media/{media_id}/status")
        if status["status"] in ("rejected", "failed"):
            raise ScenarioError(f"media refused the recording: {status.get('reason')}")
        return bool(status["status"] == "ready")

    await eventually(f"recording {media_id} checked by media", checked)
    return media_id


async def answer(journey: Any, who: Candidate, invitation_id: str, body: dict[str, Any]) -> None:
    """A recorded answer is taken once interviews heard from media that the recording is ready (an event)."""
    path = f"/api/invitations/{invitation_id}/responses"

    async def taken() -> bool:
        response = await who.client.post(path, json=body)
        if response.status_code == 422 and response.json().get("code") == "MEDIA_NOT_FOUND":
            return False
        if response.status_code not in (200, 201):
            raise ScenarioError(f"POST {path}: {response.status_code} {response.text[:300]}")
        return True

    await eventually(f"the answer to {body['questionId']} taken", taken)


async def interview(journey: Any, who: Candidate, template: dict[str, Any], video: bytes) -> str:
    """HR invites the candidate, who accepts the notice, answers every question and completes."""
    invitation = await journey.call(
        "invite", journey.hr, "POST", "/api/invitations",
        json={"templateId": template["id"], "candidateId": who.user_id, "companyName": journey.company_name,
              "expiresAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
              "candidateEmail": who.email, "candidateName": who.name},
    )  # fmt: skip
    invitation_id = str(invitation["id"])
    who.invitations.append(invitation_id)
    journey.invitations[f"{who.email}#{len(who.invitations)}"] = invitation_id
    person, base = person_of(who), f"/api/invitations/{invitation_id}"
    notice = (await journey.call("briefing", person, "POST", f"{base}/briefing")).get("notice")
    if notice:
        consent = {"accepted": True, "noticeVersion": notice["version"], "noticeHash": notice["hash"]}
        await journey.call("briefing", person, "POST", f"{base}/briefing", json={"consent": consent})
    await journey.call("start", person, "POST", f"{base}/start")
    for index, question in enumerate(template["questions"]):
        body: dict[str, Any] = {"questionId": question["id"], "questionIndex": index, "questionText": question["text"],
                                "duration": 20}  # fmt: skip
        if question["type"] == "video":
            media_id = await upload(journey, who, invitation_id, str(question["id"]), video)
            who.recordings.append(media_id)
            body |= {"responseType": "video", "mediaId": media_id}
        else:
            body |= {"responseType": "text", "textAnswer": f"My name is {who.name}; I build backend services."}
        await answer(journey, who, invitation_id, body)
    await journey.call("complete", person, "POST", f"{base}/complete", json={"reason": "manual"})
    return invitation_id


async def transcribed(journey: Any, media_id: str) -> bool:
    response = await journey.hr.client.get(f"/api/media/{media_id}/transcription")
    if response.status_code != 200:
        return False
    status = response.json().get("status")
    if status == "unavailable":
        raise ScenarioError(f"the transcription of {media_id} failed: {response.text[:200]}")
    return bool(status == "completed")


async def review(journey: Any, who: Candidate) -> None:
    """HR reads every answer, score, recording and transcript (each audited) and decides with a note naming the
    candidate: the first invitation approved, the others rejected."""
    hr = journey.hr
    for media_id in who.recordings:
        await eventually(f"recording {media_id} transcribed", lambda m=media_id: transcribed(journey, m))
        await journey.call("hr_read", hr, "GET", f"/api/media/{media_id}/stream")
    for n, invitation_id in enumerate(who.invitations):
        await journey.call("hr_read", hr, "GET", f"/api/invitations/{invitation_id}")
        await journey.call("hr_read", hr, "GET", f"/api/analysis/{invitation_id}")
        verb = "approve" if n == 0 else "reject"
        await journey.call(
            "decide", hr, "POST", f"/api/invitations/{invitation_id}/{verb}",
            json={"note": f"{who.name} answered concretely."},
        )  # fmt: skip


async def build_footprint(platform: Platform, *, invitations: int, recorded: int, work: Path) -> Candidate:
    """The candidate of the module's docstring, with `invitations` interviews of `recorded` recordings each."""
    journey = platform.journey
    # HR's company on the Pro plan; a template per interview (a candidate is invited once per template).
    await journey.set_up_hr()
    templates = [await video_template(journey, recorded, n) for n in range(invitations)]
    who = await new_candidate(journey)
    who.template_id = str(templates[0]["id"])
    video = recording(work).read_bytes()
    for template in templates:
        await interview(journey, who, template, video)
    await journey.wait_analysed(PATIENCE_S)
    await review(journey, who)
    return who


@dataclass
class Erasure:
    erasure_id: str
    report: dict[str, Any]
    seconds: float


async def erase(platform: Platform, who: Candidate) -> Erasure:
    """The candidate confirms the erasure with their address; returns once the report says it is complete, with
    the seconds from the request to that answer."""
    started = time.monotonic()
    response = await who.client.post("/api/users/me/erasure", json={"confirmEmail": who.email})
    if response.status_code != 202:
        raise ScenarioError(f"the erasure was refused: {response.status_code} {response.text[:300]}")
    requested = response.json()
    path = str(requested["reportPath"]).replace("/privacy/erasure/", "/api/privacy/erasure-reports/")
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=60.0) as anonymous:

        async def complete() -> dict[str, Any] | None:
            answer = await anonymous.get(path)
            if answer.status_code != 200:
                raise ScenarioError(f"the report did not answer: {answer.status_code} {answer.text[:300]}")
            report: dict[str, Any] = answer.json()
            return report if report["status"] == "complete" else None

        report = await eventually("the erasure report complete", complete, pause_s=0.25)
    return Erasure(str(requested["erasureId"]), report, time.monotonic() - started)


# -- the scan ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One place an identifier was found: `where` is `schema.table.column`, `bucket/key` or `clickhouse.table.col`."""

    where: str
    needle: str
    detail: str = ""
    # For an outbox row: the event it holds.
    event_type: str = ""


# The erasure's own messages: they must name what they erase (the person, their interviews), and each service's
# outbox keeps them, published, for OUTBOX_RETENTION_DAYS like every event, when its cleanup deletes them. Every
# other published event that named the person was deleted by the erasure (kit.erasure.forget_published).
ERASURE_EVENTS = frozenset(
    {"subject.erasure-requested", "user.deleted", "invitation.erased", "subject.erased", "subject.erasure-reported"}
)


def explained(hit: Hit) -> bool:
    """Whether a finding is one of the survivors named above, each with its reason."""
    return ".outbox." in hit.where and hit.event_type in ERASURE_EVENTS


def unexplained(hits: list[Hit]) -> list[Hit]:
    return [hit for hit in hits if not explained(hit)]


async def scan_stores(who: Candidate, since: datetime) -> list[Hit]:
    """The person's identifiers in every schema of the fleet's database and every test bucket (the warehouse can
    be read only once analytics stopped)."""
    needles = who.needles()
    hits = await scan_postgres(needles)
    hits += await asyncio.to_thread(scan_s3, fleet_module.S3, needles, since=since)
    return hits


async def scan_postgres(needles: dict[str, str]) -> list[Hit]:
    """Every text-like column of every table of every schema of the fleet's database, for every needle."""
    conn = await asyncpg.connect(f"{superuser_url().replace('+asyncpg', '').rsplit('/', 1)[0]}/{DATABASE}")
    try:
        columns = await conn.fetch(
            """
            SELECT c.table_schema, c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE t.table_type = 'BASE TABLE'
              AND c.table_schema NOT IN ('pg_catalog', 'information_schema', 'public')
              AND c.table_schema NOT LIKE 'pg\\_%'
              AND c.data_type = ANY($1::text[])
            ORDER BY 1, 2, 3
            """,
            list(TEXT_TYPES),
        )
        tables: dict[tuple[str, str], list[str]] = {}
        for row in columns:
            tables.setdefault((row["table_schema"], row["table_name"]), []).append(row["column_name"])
        hits: list[Hit] = []
        labels, values = list(needles), [f"%{v}%" for v in needles.values()]
        for (schema, table), names in tables.items():
            # An outbox row is told apart by the event it holds (the erasure's own events name what they erase).
            # Other suites' scratch tables may be named so too: only a table with the column is read so.
            kind = "t.event_type" if table == "outbox" and "event_type" in names else "''"
            for column in names:
                found = await conn.fetch(
                    f'SELECT n, {kind} AS kind, count(*) AS rows FROM "{schema}"."{table}" t, unnest($1::text[]) '
                    f'WITH ORDINALITY AS p(pattern, n) WHERE lower(t."{column}"::text) LIKE p.pattern GROUP BY 1, 2',
                    values,
                )
                hits += [
                    Hit(f"{schema}.{table}.{column}", labels[r["n"] - 1], f"{r['rows']} rows", r["kind"]) for r in found
                ]
        return hits
    finally:
        await conn.close()


def _s3(endpoint: str) -> Minio:
    host = endpoint.removeprefix("http://")
    return Minio(host, access_key=S3_ACCESS, secret_key=S3_SECRET, secure=False)


def scan_s3(endpoint: str, needles: dict[str, str], *, since: datetime) -> list[Hit]:
    """Every key of every test bucket; the metadata (user metadata, type, tags) of each object written since
    `since` (an older one predates the person and cannot name them)."""
    client = _s3(endpoint)
    hits: list[Hit] = []
    for bucket in client.list_buckets():
        if not bucket.name.startswith(BUCKET_PREFIX):
            continue
        for found in client.list_objects(bucket.name, recursive=True, include_version=False):
            key = str(found.object_name)
            texts = [key]
            if found.last_modified is not None and found.last_modified >= since:
                try:
                    stat = client.stat_object(bucket.name, key)
                    tags = client.get_object_tags(bucket.name, key)
                except S3Error as exc:
                    if exc.code != "NoSuchKey":
                        raise
                    continue  # deleted since it was listed (an erasure in progress): nothing of it is left
                texts += [f"{k}={v}" for k, v in (stat.metadata or {}).items()]
                texts += [f"{k}={v}" for k, v in (tags or {}).items()]
            for label, needle in needles.items():
                if any(needle in text.lower() for text in texts):
                    hits.append(Hit(f"{bucket.name}/{key}", label))
        # minio's client lists unfinished multipart uploads only through this method (no public one).
        for upload in client._list_multipart_uploads(bucket.name).uploads:
            for label, needle in needles.items():
                if needle in str(upload.object_name).lower():
                    hits.append(Hit(f"{bucket.name}/{upload.object_name} (unfinished upload)", label))
    return hits


def scan_clickhouse(data_dir: Path, needles: dict[str, str]) -> list[Hit]:
    """Every string column of every table of the analytics warehouse (embedded; its process has stopped)."""
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=f"chdb://{data_dir}")
    try:
        columns = client.query(
            "SELECT database, table, name FROM system.columns WHERE database NOT IN "
            "('system', 'INFORMATION_SCHEMA', 'information_schema') AND type LIKE '%String%'"
        ).result_rows
        hits: list[Hit] = []
        for database, table, column in columns:
            for label, needle in needles.items():
                count = client.query(
                    f"SELECT count() FROM `{database}`.`{table}` WHERE positionCaseInsensitive(toString(`{column}`), "
                    "{needle:String}) > 0",
                    parameters={"needle": needle},
                ).result_rows[0][0]
                if count:
                    hits.append(Hit(f"clickhouse.{database}.{table}.{column}", label, f"{count} rows"))
        return hits
    finally:
        client.close()


async def keycloak_holds(keycloak: Any, who: Candidate) -> list[Hit]:
    """The realm's account of the person, by id and by address."""
    hits = []
    # A fresh admin token: the cached one (master realm, one minute) has expired by the end of a long run, and a
    # 401 would read as an account left behind.
    keycloak._admin = {}
    by_id = await keycloak.http.get(
        f"/admin/realms/{keycloak.realm}/users/{who.keycloak_id}", headers=await keycloak._admin_headers()
    )
    if by_id.status_code != 404:
        hits.append(Hit("keycloak users", "keycloak id", str(by_id.status_code)))
    by_email = await keycloak.http.get(
        f"/admin/realms/{keycloak.realm}/users",
        params={"email": who.email, "exact": "true"},
        headers=await keycloak._admin_headers(),
    )
    if by_email.status_code != 200 or by_email.json():
        hits.append(Hit("keycloak users", "e-mail", str(by_email.status_code)))
    return hits

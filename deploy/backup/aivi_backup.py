"""One archive of the platform's state, and back: every service schema (pg_dump), both buckets' objects, the
Keycloak realm (its partial export plus every user with roles and groups) and a manifest (versions, time, row
counts, checksums of every file and object).

    python deploy/backup/aivi_backup.py backup [--out DIR]             # prints the archive's path
    python deploy/backup/aivi_backup.py restore ARCHIVE [--temporary-password PW]

Defaults are the local stack's (deploy/CONVENTIONS.md); the environment overrides them as the services read it
(PG_URL or PG_PORT, S3_ENDPOINT or S3_PORT, S3_ACCESS_KEY, S3_SECRET_KEY, KEYCLOAK_URL or KEYCLOAK_PORT,
KEYCLOAK_ADMIN_USER, KEYCLOAK_ADMIN_PASSWORD,
PG_BIN), and the target is named by options (--database, --bucket-prefix, --realm), so a backup of another
database, bucket set or realm never touches the running stack's. Only the standard library, httpx and minio:
the compose job runs it in a plain Python image with the Postgres client.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx
from minio import Minio
from minio.deleteobjects import DeleteObject

FORMAT = "aivi-backup"
FORMAT_VERSION = 1
ROOT = Path(__file__).resolve().parents[2]
BUCKETS = ("avatars", "media")
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A refusal or failure, told to the operator in one sentence (the CLI prints it and exits 1)."""


def _env(name: str, local: str, port_env: str, port: int) -> str:
    """A server's address from the environment, else the local stack's (whose ports devstack reads the same way)."""
    return os.environ.get(name) or local.format(os.environ.get(port_env) or port)


@dataclass(frozen=True)
class Target:
    """Where the state lives: one database, one bucket prefix, one realm."""

    pg_url: str = field(
        default_factory=lambda: _env("PG_URL", "postgresql://postgres:postgres@127.0.0.1:{}", "PG_PORT", 5432)
    )
    database: str = "aivi"
    schemas: tuple[str, ...] = ()
    s3_endpoint: str = field(default_factory=lambda: _env("S3_ENDPOINT", "http://127.0.0.1:{}", "S3_PORT", 9000))
    s3_access_key: str = field(default_factory=lambda: os.environ.get("S3_ACCESS_KEY", "aivi"))
    s3_secret_key: str = field(default_factory=lambda: os.environ.get("S3_SECRET_KEY", "aivi-dev-secret"))
    bucket_prefix: str = ""
    keycloak_url: str = field(
        default_factory=lambda: _env("KEYCLOAK_URL", "http://127.0.0.1:{}", "KEYCLOAK_PORT", 8090)
    )
    keycloak_admin: tuple[str, str] = field(
        default_factory=lambda: (
            os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
            os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin"),
        )
    )
    realm: str = "ai-video-interview"

    def bucket(self, name: str) -> str:
        return f"{self.bucket_prefix}{name}"


def registry_schemas(root: Path = ROOT) -> tuple[str, ...]:
    """Every service's schema: the service names of deploy/services.toml."""
    return tuple(tomllib.loads((root / "deploy" / "services.toml").read_text()))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- Postgres ---------------------------------------------------------------------------------------------


def pg_bin(tool: str) -> str:
    """PG_BIN, else the newest /usr/lib/postgresql/<major>/bin (devstack's binaries), else PATH."""
    if env := os.environ.get("PG_BIN"):
        return str(Path(env) / tool)
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    if versions:
        return str(versions[-1] / tool)
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} is missing: install the PostgreSQL client (apt-get install postgresql-client)")
    return found


def _pg_env(target: Target) -> tuple[list[str], dict[str, str]]:
    """Connection options for the client tools; the password travels in the environment, not argv."""
    url = urlsplit(target.pg_url)
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args, {**os.environ, "PGPASSWORD": url.password or ""}


def psql(target: Target, sql: str, database: str | None = None) -> str:
    args, env = _pg_env(target)
    result = subprocess.run(
        [pg_bin("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", *args, "-d", database or target.database],
        input=sql, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"psql on {database or target.database} failed: {result.stderr.strip()}")
    return result.stdout


def database_exists(target: Target) -> bool:
    name = target.database.replace("'", "''")
    return psql(target, f"SELECT 1 FROM pg_database WHERE datname = '{name}';", database="postgres").strip() == "1"


def row_counts(target: Target, schema: str) -> dict[str, int]:
    """Rows of every table of a schema (one statement: each count through query_to_xml)."""
    out = psql(
        target,
        "SELECT table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', "
        "table_schema, table_name), false, true, '')))[1]::text FROM information_schema.tables "
        f"WHERE table_schema = '{schema}' AND table_type = 'BASE TABLE' ORDER BY table_name;",
    )
    counts = {}
    for line in out.splitlines():
        name, _, count = line.partition("|")
        counts[name] = int(count)
    return counts


def dump_schema(target: Target, schema: str, dest: Path) -> None:
    args, env = _pg_env(target)
    result = subprocess.run(
        [pg_bin("pg_dump"), *args, "-d", target.database, "-n", schema, "-Fc", "-f", str(dest)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_dump of schema {schema} failed: {result.stderr.strip()}")


def restore_schema(target: Target, schema: str, dump: Path) -> None:
    # The dump re-creates the schema with its owner and grants; what was there is replaced as a whole.
    psql(target, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE;')
    args, env = _pg_env(target)
    result = subprocess.run(
        [pg_bin("pg_restore"), *args, "-d", target.database, "--exit-on-error", "--single-transaction", str(dump)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore of schema {schema} failed: {result.stderr.strip()}")


def ensure_database(target: Target, schemas: tuple[str, ...]) -> None:
    """A fresh stack may lack the database: create it with the roles' rights as devstack provisions them."""
    if database_exists(target):
        return
    missing = [s for s in schemas if psql(target, f"SELECT 1 FROM pg_roles WHERE rolname = '{s}';", "postgres") == ""]
    if missing:
        raise BackupError(f"the roles {missing} do not exist on this server: start the stack once (make infra) first")
    psql(target, f'CREATE DATABASE "{target.database}";', database="postgres")
    statements = [
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        f'REVOKE CREATE ON DATABASE "{target.database}" FROM PUBLIC;',
    ]
    statements += [f'GRANT CONNECT, TEMPORARY ON DATABASE "{target.database}" TO "{s}";' for s in schemas]
    psql(target, "\n".join(statements))


def busy_sessions(target: Target, schemas: tuple[str, ...]) -> int:
    roles = ", ".join(f"'{s}'" for s in schemas)
    name = target.database.replace("'", "''")
    out = psql(
        target,
        f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND usename IN ({roles});",
        database="postgres",
    )
    return int(out.strip() or 0)


# --- S3 ---------------------------------------------------------------------------------------------------


def s3_client(target: Target) -> Minio:
    url = urlsplit(target.s3_endpoint)
    return Minio(
        url.netloc, access_key=target.s3_access_key, secret_key=target.s3_secret_key, secure=url.scheme == "https"
    )


def safe_key(key: str) -> PurePosixPath:
    """An object key as a path inside the archive; a key that would climb out of its folder is refused."""
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"object key {key!r} cannot be stored safely in an archive")
    return path


# --- Keycloak ---------------------------------------------------------------------------------------------


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "containerId")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


class KeycloakAdmin:
    """The admin REST API with the master realm's admin account (works while Keycloak runs)."""

    def __init__(self, target: Target) -> None:
        self.base = target.keycloak_url.rstrip("/")
        self.http = httpx.Client(timeout=60.0)
        user, password = target.keycloak_admin
        response = self.http.post(
            f"{self.base}/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": user, "password": password},
        )
        if response.status_code != 200:
            raise BackupError(f"Keycloak at {self.base} refused the admin sign-in ({response.status_code})")
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, f"{self.base}/admin{path}", **kwargs)
        if response.status_code >= 400 and not (method == "GET" and response.status_code == 404):
            raise BackupError(f"Keycloak {method} {path} failed ({response.status_code}): {response.text[:300]}")
        return response

    def realm_exists(self, realm: str) -> bool:
        return self.call("GET", f"/realms/{realm}").status_code == 200

    def version(self) -> str:
        info = self.call("GET", "/serverinfo").json()
        return str(info.get("systemInfo", {}).get("version", "unknown"))

    def export(self, realm: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The realm (clients, roles, groups; secrets masked by Keycloak) and every user with roles and groups."""
        exported = self.call(
            "POST", f"/realms/{realm}/partial-export", params={"exportClients": "true", "exportGroupsAndRoles": "true"}
        ).json()
        clients = {c["id"]: c["clientId"] for c in exported.get("clients", [])}
        users: list[dict[str, Any]] = []
        page = 100
        while True:
            batch = self.call(
                "GET",
                f"/realms/{realm}/users",
                params={"first": len(users), "max": page, "briefRepresentation": "false"},
            ).json()
            for user in batch:
                mappings = self.call("GET", f"/realms/{realm}/users/{user['id']}/role-mappings").json()
                user["realmRoles"] = sorted(r["name"] for r in mappings.get("realmMappings", []))
                user["clientRoles"] = {
                    clients.get(c.get("id"), name): sorted(r["name"] for r in c.get("mappings", []))
                    for name, c in mappings.get("clientMappings", {}).items()
                }
                groups = self.call("GET", f"/realms/{realm}/users/{user['id']}/groups").json()
                user["groups"] = [g["path"] for g in groups]
                user.pop("access", None)
                users.append(user)
            if len(batch) < page:
                return exported, users

    def restore(
        self, realm: str, exported: dict[str, Any], users: list[dict[str, Any]], temporary_password: str | None
    ) -> dict[str, int]:
        # Under another name (beside the original, for a look at an archive) nothing keeps its id: Keycloak's ids
        # are unique across realms. The platform knows users by id, so only a same-name restore brings them back.
        renamed = exported.get("realm") != realm
        if not self.realm_exists(realm):
            representation = {**exported, "realm": realm, "enabled": True}
            self.call("POST", "/realms", json=_without_ids(representation) if renamed else representation)
        existing = set()
        for user in users:
            if self.call("GET", f"/realms/{realm}/users/{user['id']}").status_code == 200:
                existing.add(user["id"])
        # Keycloak's REST API never reveals password hashes, so a user still present keeps their password and a
        # re-created one gets the temporary password (changed at the first sign-in) or none (reset by e-mail).
        missing = []
        for user in users:
            if user["id"] in existing:
                continue
            dropped = ("createdTimestamp", "totp", "federationLink", *(("id",) if renamed else ()))
            rep = {k: v for k, v in user.items() if k not in dropped}
            if temporary_password:
                rep["credentials"] = [{"type": "password", "value": temporary_password, "temporary": True}]
            missing.append(rep)
        if missing:
            self.call("POST", f"/realms/{realm}/partialImport", json={"ifResourceExists": "SKIP", "users": missing})
        # The realm roles of users still present are put back too (an addition; nothing is taken away).
        roles = {r["name"]: r for r in self.call("GET", f"/realms/{realm}/roles").json()}
        for user in users:
            if user["id"] not in existing:
                continue
            wanted = [roles[name] for name in user.get("realmRoles", []) if name in roles]
            if wanted:
                self.call("POST", f"/realms/{realm}/users/{user['id']}/role-mappings/realm", json=wanted)
        return {"created": len(missing), "kept": len(existing)}


# --- backup -----------------------------------------------------------------------------------------------


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def backup(target: Target, out_dir: Path, *, now: datetime | None = None) -> tuple[Path, dict[str, Any]]:
    """Write one tar.gz of the target's state; returns its path and manifest."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    schemas = target.schemas or registry_schemas()
    if not database_exists(target):
        raise BackupError(f"database {target.database} does not exist on {urlsplit(target.pg_url).netloc}")
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"aivi-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "createdAt": now.isoformat(),
        "source": {"database": target.database, "bucketPrefix": target.bucket_prefix, "realm": target.realm},
        "versions": {
            "postgres": psql(target, "SHOW server_version;").strip(),
            "pgDump": subprocess.run([pg_bin("pg_dump"), "--version"], capture_output=True, text=True).stdout.strip(),
            "platformCommit": _git_commit(),
            "python": platform.python_version(),
        },
        "schemas": {},
        "buckets": {},
        "files": {},
    }
    kc = KeycloakAdmin(target)
    if not kc.realm_exists(target.realm):
        raise BackupError(f"Keycloak has no realm {target.realm}")
    with tempfile.TemporaryDirectory(prefix="aivi-backup-") as tmp:
        work = Path(tmp)
        (work / "postgres").mkdir()
        present = set(psql(target, "SELECT nspname FROM pg_namespace;").split())
        # A service registered but never migrated on this database has nothing to keep; the manifest says so.
        manifest["absentSchemas"] = [s for s in schemas if s not in present]
        for schema in (s for s in schemas if s in present):
            dump = work / "postgres" / f"{schema}.dump"
            dump_schema(target, schema, dump)
            manifest["schemas"][schema] = {"file": f"postgres/{schema}.dump", "rows": row_counts(target, schema)}

        s3 = s3_client(target)
        for name in BUCKETS:
            bucket = target.bucket(name)
            if not s3.bucket_exists(bucket):
                raise BackupError(f"bucket {bucket} does not exist at {target.s3_endpoint}")
            objects = []
            for obj in s3.list_objects(bucket, recursive=True):
                key = obj.object_name or ""
                response = s3.get_object(bucket, key)
                try:
                    data = response.read()
                    content_type = response.headers.get("Content-Type", "application/octet-stream")
                finally:
                    response.close()
                    response.release_conn()
                path = work / "s3" / name / safe_key(key)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                objects.append({"key": key, "size": len(data), "sha256": sha256(data), "contentType": content_type})
            manifest["buckets"][name] = {"objects": objects}

        exported, users = kc.export(target.realm)
        (work / "keycloak").mkdir()
        (work / "keycloak" / "realm.json").write_text(json.dumps(exported, indent=1, sort_keys=True))
        (work / "keycloak" / "users.json").write_text(json.dumps(users, indent=1, sort_keys=True))
        manifest["versions"]["keycloak"] = kc.version()
        manifest["keycloak"] = {"realm": target.realm, "users": len(users), "passwords": "not exported"}

        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            manifest["files"][path.relative_to(work).as_posix()] = sha256_file(path)
        manifest["durationS"] = round(time.monotonic() - started, 2)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = archive.with_name(archive.name + ".partial")
        # Level 1: recordings and images do not compress, and the dumps are compressed by pg_dump already.
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)  # first, so a reader finds it without unpacking the rest
            for rel in manifest["files"]:
                tar.add(work / rel, arcname=rel)
        partial.rename(archive)
    return archive, manifest


# --- restore ----------------------------------------------------------------------------------------------


def open_archive(archive: Path, dest: Path) -> dict[str, Any]:
    """Unpack and check an archive: a known format, and every file present with the checksum the manifest says."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive (damaged or not a tar.gz): {exc}") from exc
    try:
        manifest: dict[str, Any] = json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive} has no readable {MANIFEST}: it is not a backup made by this tool") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup made by this tool (format {manifest.get('format')!r})")
    if manifest.get("formatVersion") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is format version {manifest.get('formatVersion')}; this tool restores version {FORMAT_VERSION}"
        )
    bad = [
        rel
        for rel, digest in manifest.get("files", {}).items()
        if not (dest / rel).is_file() or sha256_file(dest / rel) != digest
    ]
    if bad:
        raise BackupError(f"{archive} is damaged: {len(bad)} file(s) missing or changed, e.g. {bad[0]}")
    return manifest


def restore(
    target: Target, archive: Path, *, temporary_password: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Bring the target back to the archive's state; returns what was restored."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aivi-restore-") as tmp:
        work = Path(tmp)
        manifest = open_archive(archive, work)
        schemas = tuple(manifest["schemas"])
        ensure_database(target, schemas)
        if not force and (busy := busy_sessions(target, schemas)):
            raise BackupError(
                f"{busy} service connection(s) are open on {target.database}: stop the services (keep only "
                "`make infra` running) before restoring, or pass --force"
            )
        for schema, entry in manifest["schemas"].items():
            restore_schema(target, schema, work / entry["file"])

        s3 = s3_client(target)
        for name, entry in manifest["buckets"].items():
            bucket = target.bucket(name)
            if s3.bucket_exists(bucket):
                stale = [DeleteObject(o.object_name or "") for o in s3.list_objects(bucket, recursive=True)]
                for error in s3.remove_objects(bucket, stale):
                    raise BackupError(f"could not empty bucket {bucket}: {error}")
            else:
                s3.make_bucket(bucket)
            for obj in entry["objects"]:
                data = (work / "s3" / name / safe_key(obj["key"])).read_bytes()
                s3.put_object(bucket, obj["key"], io.BytesIO(data), len(data), content_type=obj["contentType"])

        kc = KeycloakAdmin(target)
        exported = json.loads((work / "keycloak" / "realm.json").read_text())
        users = json.loads((work / "keycloak" / "users.json").read_text())
        accounts = kc.restore(target.realm, exported, users, temporary_password)
    return {
        "schemas": {s: sum(e["rows"].values()) for s, e in manifest["schemas"].items()},
        "objects": {b: len(e["objects"]) for b, e in manifest["buckets"].items()},
        "users": accounts,
        "durationS": round(time.monotonic() - started, 2),
    }


# --- CLI --------------------------------------------------------------------------------------------------


def _target(args: argparse.Namespace) -> Target:
    schemas = tuple(s for s in (args.schemas or "").split(",") if s)
    return Target(database=args.database, schemas=schemas, bucket_prefix=args.bucket_prefix, realm=args.realm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aivi_backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("BACKUP_DATABASE", "aivi"))
    parser.add_argument("--schemas", help="comma-separated; default: every service of deploy/services.toml")
    parser.add_argument("--bucket-prefix", default=os.environ.get("BACKUP_BUCKET_PREFIX", ""))
    parser.add_argument("--realm", default=os.environ.get("BACKUP_REALM", "ai-video-interview"))
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="write one archive and print its path")
    make.add_argument("--out", type=Path, default=Path(os.environ.get("BACKUP_DIR", ROOT / ".local" / "backups")))
    back = sub.add_parser("restore", help="bring the target back to an archive's state")
    back.add_argument("archive", type=Path)
    back.add_argument("--temporary-password", help="for users re-created in Keycloak (changed at first sign-in)")
    back.add_argument("--force", action="store_true", help="restore even while services are connected")
    args = parser.parse_args(argv)
    target = _target(args)
    try:
        if args.command == "backup":
            started = time.monotonic()
            archive, manifest = backup(target, args.out)
            size = archive.stat().st_size
            rows = sum(sum(e["rows"].values()) for e in manifest["schemas"].values())
            objects = sum(len(e["objects"]) for e in manifest["buckets"].values())
            print(
                f"backup: {len(manifest['schemas'])} schemas ({rows} rows), {objects} objects, "
                f"{manifest['keycloak']['users']} users, {size / 1e6:.1f} MB in {time.monotonic() - started:.1f}s",
                file=sys.stderr,
            )
            print(archive)
        else:
            done = restore(target, args.archive, temporary_password=args.temporary_password, force=args.force)
            print(
                f"restore: {sum(done['schemas'].values())} rows in {len(done['schemas'])} schemas, "
                f"{sum(done['objects'].values())} objects, users {done['users']} in {done['durationS']:.1f}s"
            )
    except BackupError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make backup` / `make restore` (deploy/backup/aivi_backup.py) round-trip a populated stack: rows in several
schemas, objects in both buckets and a realm user come back as they were. Each test works on a database, bucket
pair and realm of its own on the running servers, so nobody else's data is touched."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import httpx
import pytest
from minio import Minio

from devstack.config import PG_SUPERUSER_PASSWORD, S3_ACCESS_KEY, S3_SECRET_KEY, Ports
from devstack.postgres import provisioning_sql


def _module() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "backup" / "aivi_backup.py"
    spec = importlib.util.spec_from_file_location("aivi_backup", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bk = _module()
PORTS = Ports()
SCHEMAS = ("users", "interviews", "media")
ROWS = {"users": 3, "interviews": 5, "media": 2}


def scratch_target(tag: str) -> Any:
    return bk.Target(
        pg_url=f"postgresql://postgres:{PG_SUPERUSER_PASSWORD}@127.0.0.1:{PORTS.postgres}",
        database=f"backup_test_{tag}",
        schemas=SCHEMAS,
        s3_endpoint=f"http://127.0.0.1:{PORTS.s3}",
        s3_access_key=S3_ACCESS_KEY,
        s3_secret_key=S3_SECRET_KEY,
        bucket_prefix=f"bk-{tag}-",
        keycloak_url=f"http://127.0.0.1:{PORTS.keycloak}",
        realm=f"backup-test-{tag}",
    )


def s3(target: Any) -> Minio:
    return bk.s3_client(target)


def wipe(target: Any) -> None:
    """Everything of the scratch target gone: database, both buckets, realm."""
    bk.psql(target, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE);', database="postgres")
    client = s3(target)
    for name in bk.BUCKETS:
        bucket = target.bucket(name)
        if client.bucket_exists(bucket):
            for obj in client.list_objects(bucket, recursive=True):
                client.remove_object(bucket, obj.object_name or "")
            client.remove_bucket(bucket)
    kc = bk.KeycloakAdmin(target)
    if kc.realm_exists(target.realm):
        kc.call("DELETE", f"/realms/{target.realm}")


@pytest.fixture
def populated() -> Iterator[Any]:
    """A scratch database with rows in three service schemas, objects in both buckets and a realm with a user."""
    target = scratch_target(uuid.uuid4().hex[:8])
    try:
        bk.psql(target, f'CREATE DATABASE "{target.database}";', database="postgres")
        bk.psql(target, provisioning_sql(target.database))
        statements = []
        for schema in SCHEMAS:
            statements += [
                f"CREATE TABLE {schema}.things (id uuid PRIMARY KEY, body text NOT NULL);",
                f"ALTER TABLE {schema}.things OWNER TO {schema};",
                f"INSERT INTO {schema}.things SELECT gen_random_uuid(), 'row ' || n "
                f"FROM generate_series(1, {ROWS[schema]}) n;",
            ]
        statements.append("CREATE TABLE users.empty_table (id int); ALTER TABLE users.empty_table OWNER TO users;")
        bk.psql(target, "\n".join(statements))

        client = s3(target)
        for name in bk.BUCKETS:
            client.make_bucket(target.bucket(name))
        client.put_object(target.bucket("avatars"), "u1/avatar.png", io.BytesIO(b"\x89PNG fake"), 9, "image/png")
        video = bytes(range(256)) * 400
        client.put_object(
            target.bucket("media"), "recordings/a b/answer.webm", io.BytesIO(video), len(video), "video/webm"
        )
        client.put_object(target.bucket("media"), "empty.txt", io.BytesIO(b""), 0, "text/plain")

        kc = bk.KeycloakAdmin(target)
        kc.call("POST", "/realms", json={"realm": target.realm, "enabled": True, "roles": {"realm": [{"name": "hr"}]}})
        kc.call(
            "POST",
            f"/realms/{target.realm}/users",
            json={"username": "ann@backup.example", "email": "ann@backup.example", "enabled": True,
                  "emailVerified": True, "firstName": "Ann", "lastName": "Lee", "attributes": {"locale": ["de"]}},
        )  # fmt: skip
        (user,) = kc.call("GET", f"/realms/{target.realm}/users", params={"username": "ann@backup.example"}).json()
        hr = kc.call("GET", f"/realms/{target.realm}/roles/hr").json()
        kc.call("POST", f"/realms/{target.realm}/users/{user['id']}/role-mappings/realm", json=[hr])
        yield target
    finally:
        wipe(target)


def state(target: Any) -> dict[str, Any]:
    """What a restore must bring back: row counts, object checksums, the realm's users with their roles."""
    client = s3(target)
    objects = {}
    for name in bk.BUCKETS:
        for obj in client.list_objects(target.bucket(name), recursive=True):
            response = client.get_object(target.bucket(name), obj.object_name or "")
            objects[f"{name}/{obj.object_name}"] = (bk.sha256(response.read()), response.headers["Content-Type"])
            response.close()
            response.release_conn()
    kc = bk.KeycloakAdmin(target)
    users = {}
    for user in kc.call("GET", f"/realms/{target.realm}/users").json():
        roles = kc.call("GET", f"/realms/{target.realm}/users/{user['id']}/role-mappings/realm").json()
        users[user["id"]] = (user["email"], user["firstName"], user.get("attributes"), sorted(r["name"] for r in roles))
    return {"rows": {s: bk.row_counts(target, s) for s in SCHEMAS}, "objects": objects, "users": users}


def test_a_backup_restored_after_a_wipe_brings_back_rows_objects_and_realm_users(
    populated: Any, tmp_path: Path
) -> None:
    before = state(populated)
    assert before["rows"]["interviews"] == {"things": 5}
    assert len(before["objects"]) == 3 and len(before["users"]) == 1

    archive, manifest = bk.backup(populated, tmp_path)
    assert archive.parent == tmp_path and archive.name.endswith(".tar.gz")
    assert manifest["schemas"]["users"]["rows"] == {"empty_table": 0, "things": 3}
    assert {o["key"] for o in manifest["buckets"]["media"]["objects"]} == {"recordings/a b/answer.webm", "empty.txt"}
    assert manifest["keycloak"]["users"] == 1 and manifest["versions"]["keycloak"]
    assert manifest["absentSchemas"] == []

    wipe(populated)
    assert not bk.database_exists(populated)

    done = bk.restore(populated, archive, temporary_password="Restored123!")
    assert done["users"] == {"created": 1, "kept": 0}
    assert state(populated) == before
    # Keycloak never reveals password hashes: a re-created user signs in with the password given to the restore.
    token = httpx.post(
        f"{populated.keycloak_url}/realms/{populated.realm}/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "admin-cli", "username": "ann@backup.example",
              "password": "Restored123!"},
    )  # fmt: skip
    assert token.status_code == 200, token.text

    # Restoring over live data replaces it: rows added since the backup are gone, users still there are kept.
    bk.psql(populated, "INSERT INTO media.things VALUES (gen_random_uuid(), 'late');")
    s3(populated).put_object(populated.bucket("media"), "late.bin", io.BytesIO(b"x"), 1)
    assert bk.restore(populated, archive)["users"] == {"created": 0, "kept": 1}
    assert state(populated) == before


def test_a_registered_schema_missing_from_the_database_is_named_in_the_manifest_not_dumped(
    populated: Any, tmp_path: Path
) -> None:
    target = replace(populated, schemas=(*SCHEMAS, "reports"))
    _, manifest = bk.backup(target, tmp_path)
    assert manifest["absentSchemas"] == ["reports"]
    assert set(manifest["schemas"]) == set(SCHEMAS)


async def test_restore_refuses_while_a_service_is_connected_unless_forced(populated: Any, tmp_path: Path) -> None:
    archive, _ = bk.backup(populated, tmp_path)
    # A service's own role (devstack's `<svc>-dev` password), as a running api holds its pool.
    dsn = f"postgresql://media:media-dev@127.0.0.1:{PORTS.postgres}/{populated.database}"
    connection = await asyncpg.connect(dsn)
    try:
        with pytest.raises(bk.BackupError, match=r"1 service connection\(s\) are open on backup_test_"):
            bk.restore(populated, archive)
        # An idle connection holds no lock, so a forced restore goes through beside it.
        restored = bk.restore(populated, archive, force=True)
    finally:
        await connection.close()
    assert restored["schemas"] == {"users": 3, "interviews": 5, "media": 2}


def test_restore_refuses_a_truncated_archive(populated: Any, tmp_path: Path) -> None:
    archive, _ = bk.backup(populated, tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(bk.BackupError, match="not a readable backup archive"):
        bk.restore(populated, damaged)
    assert state(populated)["rows"]["media"] == {"things": 2}  # nothing was touched


def test_restore_refuses_an_archive_whose_files_do_not_match_the_manifest(populated: Any, tmp_path: Path) -> None:
    archive, _ = bk.backup(populated, tmp_path)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "postgres/users.dump":
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(bk.BackupError, match=r"damaged: 1 file\(s\) missing or changed, e.g. postgres/users.dump"):
        bk.restore(populated, tampered)


@pytest.mark.parametrize(
    ("manifest", "refusal"),
    [
        (None, "has no readable manifest.json"),
        ({"format": "something-else", "formatVersion": 1}, "not a backup made by this tool"),
        ({"format": "aivi-backup", "formatVersion": 99}, "format version 99; this tool restores version 1"),
    ],
)
def test_restore_refuses_an_archive_of_unknown_kind(
    manifest: dict[str, Any] | None, refusal: str, tmp_path: Path
) -> None:
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        payload = json.dumps(manifest).encode() if manifest else b"hello"
        info = tarfile.TarInfo("manifest.json" if manifest else "readme.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    with pytest.raises(bk.BackupError, match=refusal):
        bk.restore(scratch_target("never"), archive)


def test_the_cli_prints_the_archive_path_and_refuses_with_a_sentence(
    populated: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = [
        "--database", populated.database, "--schemas", ",".join(SCHEMAS),
        "--bucket-prefix", populated.bucket_prefix, "--realm", populated.realm,
    ]  # fmt: skip
    assert bk.main([*common, "backup", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert Path(out.strip()).is_file() and Path(out.strip()).parent == tmp_path
    assert "3 schemas (10 rows), 3 objects, 1 users" in err

    assert bk.main([*common, "restore", str(tmp_path / "missing.tar.gz")]) == 1
    assert capsys.readouterr().err.strip() == f"restore: {tmp_path / 'missing.tar.gz'} does not exist"

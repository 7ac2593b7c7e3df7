"""Avatars in the real S3 server (the `test-avatars` bucket): type by magic bytes, bounded size,
private objects read through short-lived presigned URLs."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from minio.error import S3Error

from users.settings import Settings
from users.storage import AvatarStore

MakeUser = Callable[..., Awaitable[dict[str, Any]]]


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


@pytest.fixture
async def s3() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


def object_key(store: AvatarStore, url: str) -> str:
    path = urlparse(url).path
    return path.removeprefix(f"/{store.bucket}/")


async def test_an_uploaded_avatar_is_private_and_served_through_a_short_lived_presigned_url(
    client: httpx.AsyncClient, s3: httpx.AsyncClient, app, make_user: MakeUser, as_user
) -> None:
    user = await make_user("candidate")
    me = as_user(user["id"], "candidate")
    image = png()
    store: AvatarStore = app.state.avatars

    uploaded = await client.post(
        f"/users/{user['id']}/avatar", files={"file": ("me.jpg", image, "image/jpeg")}, headers=me
    )
    url = uploaded.json()["avatarUrl"]
    fetched = await s3.get(url)
    unsigned = await s3.get(url.split("?")[0])
    profile = (await client.get("/users/me", headers=me)).json()

    assert uploaded.status_code == 201
    assert urlparse(url).path.startswith(f"/test-avatars/avatars/{user['id']}/")
    assert url.split("?")[0].endswith(".png")  # the bytes decide, not the file name
    assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == ["900"]
    assert fetched.status_code == 200
    assert fetched.content == image
    assert fetched.headers["content-type"] == "image/png"
    assert unsigned.status_code == 403
    assert profile["avatarUrl"].split("?")[0] == url.split("?")[0]
    await store.remove(object_key(store, url))


async def test_a_new_avatar_replaces_the_old_object_and_deleting_removes_it(
    client: httpx.AsyncClient, app, make_user: MakeUser, as_user
) -> None:
    user = await make_user("hr")
    me = as_user(user["id"], "hr")
    store: AvatarStore = app.state.avatars

    first = await client.post(f"/users/{user['id']}/avatar", files={"file": ("a.png", png(), "image/png")}, headers=me)
    second = await client.post(
        f"/users/{user['id']}/avatar", files={"file": ("b.webp", WEBP, "image/webp")}, headers=me
    )
    first_key, second_key = (object_key(store, r.json()["avatarUrl"]) for r in (first, second))
    with pytest.raises(S3Error):
        store.client.stat_object(store.bucket, first_key)
    assert store.client.stat_object(store.bucket, second_key).content_type == "image/webp"

    removed = await client.delete(f"/users/{user['id']}/avatar", headers=me)

    assert removed.status_code == 204
    assert (await client.get("/users/me", headers=me)).json()["avatarUrl"] is None
    with pytest.raises(S3Error):
        store.client.stat_object(store.bucket, second_key)


async def test_deleting_a_user_deletes_their_avatar_object(
    client: httpx.AsyncClient, app, make_user: MakeUser, as_user, admin
) -> None:
    user = await make_user("candidate")
    store: AvatarStore = app.state.avatars
    uploaded = await client.post(
        f"/users/{user['id']}/avatar", files={"file": ("a.png", png(), "image/png")}, headers=as_user(user["id"])
    )
    key = object_key(store, uploaded.json()["avatarUrl"])

    await client.delete(f"/users/{user['id']}", headers=admin)

    with pytest.raises(S3Error):
        store.client.stat_object(store.bucket, key)


async def test_what_is_not_an_image_is_refused_whatever_it_claims_to_be(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")
    url = f"/users/{user['id']}/avatar"

    script = await client.post(url, files={"file": ("x.png", b"<script>alert(1)</script>", "image/png")}, headers=me)
    gif = await client.post(url, files={"file": ("x.gif", b"GIF89a" + b"\x00" * 20, "image/gif")}, headers=me)
    not_multipart = await client.post(url, content=png(), headers={**me, "content-type": "image/png"})
    wrong_field = await client.post(url, files={"avatar": ("x.png", png(), "image/png")}, headers=me)

    assert (script.status_code, script.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert gif.status_code == 415
    assert not_multipart.status_code == 400
    assert wrong_field.status_code == 400


async def test_an_avatar_over_five_megabytes_is_refused_with_413_declared_or_streamed(
    client: httpx.AsyncClient, make_user: MakeUser, as_user
) -> None:
    user = await make_user()
    me = as_user(user["id"], "pending")
    url = f"/users/{user['id']}/avatar"
    just_over = png() + b"\x00" * (5 * 1024 * 1024)

    declared = await client.post(url, files={"file": ("big.png", just_over, "image/png")}, headers=me)

    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
    head += "Content-Type: image/png\r\n\r\n"

    async def chunks() -> AsyncIterator[bytes]:
        yield head.encode()
        for _ in range(12):
            yield b"\x00" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = await client.post(
        url, content=chunks(), headers={**me, "content-type": f"multipart/form-data; boundary={boundary}"}
    )

    assert (declared.status_code, declared.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert streamed.status_code == 413


async def test_nobody_else_and_no_suspended_user_sets_an_avatar(
    client: httpx.AsyncClient, app, make_user: MakeUser, as_user, admin
) -> None:
    user = await make_user("candidate")
    other = await make_user("hr")
    store: AvatarStore = app.state.avatars
    before = {o.object_name for o in store.client.list_objects(store.bucket, prefix=f"avatars/{user['id']}/")}
    upload = {"file": ("a.png", png(), "image/png")}

    by_other = await client.post(f"/users/{user['id']}/avatar", files=upload, headers=as_user(other["id"], "hr"))
    await client.post(f"/users/{user['id']}/suspend", json={"reason": "abuse"}, headers=admin)
    while_suspended = await client.post(
        f"/users/{user['id']}/avatar", files=upload, headers=as_user(user["id"], "candidate")
    )

    assert (by_other.status_code, by_other.json()["code"]) == (403, "ACCESS_DENIED")
    assert (while_suspended.status_code, while_suspended.json()["code"]) == (403, "USER_SUSPENDED")
    after = {o.object_name for o in store.client.list_objects(store.bucket, prefix=f"avatars/{user['id']}/")}
    assert after == before == set()


def test_a_presigned_url_is_handed_out_again_for_a_fifteenth_of_its_life_then_signed_anew(settings: Settings) -> None:
    now = 1000.0
    store = AvatarStore(settings, clock=lambda: now)
    first = store.url("avatars/someone/a.png")
    assert first is not None and parse_qs(urlparse(first).query)["X-Amz-Expires"] == ["900"]
    assert store.reuse_for == 60
    now += 59
    assert store.url("avatars/someone/a.png") is first
    other = store.url("avatars/someone/b.png")
    assert other is not None and urlparse(other).path.endswith("/b.png")
    now += 1
    again = store.url("avatars/someone/a.png")
    assert again is not first and again is not None
    assert urlparse(again).path == urlparse(first).path

"""Avatars in S3: private objects, written by the service after it checked type and size, read through
short-lived presigned GET URLs (the reference made them public-read, so anyone holding a URL kept access)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncGenerator, Callable
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlparse

import structlog
from fastapi import Depends, Request
from minio import Minio
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kit.errors import PayloadTooLarge, UnsupportedMediaType
from users.domain import InvalidValue
from users.settings import Settings

log = structlog.get_logger("users.storage")

# Magic bytes, not the client's Content-Type or file name: what the bytes are decides.
IMAGE_SIGNATURES: tuple[tuple[str, str, bytes, int], ...] = (
    ("image/jpeg", "jpg", b"\xff\xd8\xff", 0),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", "webp", b"WEBP", 8),
)
# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class UnsupportedImage(UnsupportedMediaType):
    pass


def sniff_image(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a JPEG, PNG or WebP image; anything else is refused."""
    for content_type, extension, magic, offset in IMAGE_SIGNATURES:
        if data[offset : offset + len(magic)] == magic and (extension != "webp" or data[:4] == b"RIFF"):
            return content_type, extension
    raise UnsupportedImage("The avatar must be a JPEG, PNG or WebP image")


async def read_avatar(request: Request, limit: int) -> bytes:
    """The `file` field of a multipart body. The request is refused as soon as it grows past the limit:
    nothing unbounded is buffered or spooled to disk (FastAPI's UploadFile would spool the whole body
    before any check)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidValue("Send the avatar as multipart/form-data with a field named file")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + MULTIPART_OVERHEAD:
            raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")

    async def replay() -> AsyncGenerator[bytes, None]:
        yield bytes(body)

    try:
        form = await MultiPartParser(request.headers, replay(), max_files=1, max_fields=5).parse()
    except MultiPartException as exc:
        raise InvalidValue(f"Malformed multipart body: {exc.message}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidValue("The multipart body needs a file field named file")
    data = await upload.read(limit + 1)
    await form.close()
    if len(data) > limit:
        raise PayloadTooLarge(f"The avatar may be at most {limit} bytes")
    return data


# How many presigned URLs `AvatarStore.url` keeps for reuse; past that it starts over (a read signs anew).
SIGNED_URLS_KEPT = 10_000


class AvatarStore:
    """`clock`: seconds, monotonic; tests move it."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        endpoint = urlparse(settings.s3_endpoint)
        # A fixed region keeps presigning local (minio would otherwise ask the server for it).
        self.client = Minio(
            endpoint.netloc,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=endpoint.scheme == "https",
            region=settings.s3_region,
        )
        self.bucket = settings.avatars_bucket
        self.ttl = timedelta(seconds=settings.avatar_url_ttl_s)
        # A key's URL is handed out again for a fifteenth of its life: presigning (an HMAC chain over the
        # canonical request) was a tenth of a user read's CPU, and a URL handed out still has 14/15 of its life.
        self.reuse_for = settings.avatar_url_ttl_s / 15
        self._clock = clock
        self._signed: dict[str, tuple[float, str]] = {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def discard(self, key: str) -> None:
        """Best effort: once no row points at an object, an orphan costs storage, not correctness."""
        try:
            await self.remove(key)
        except Exception as exc:
            log.warning("avatar.remove_failed", key=key, error=repr(exc))

    def url(self, key: str | None) -> str | None:
        if key is None:
            return None
        now = self._clock()
        signed = self._signed.get(key)
        if signed is not None and now - signed[0] < self.reuse_for:
            return signed[1]
        if len(self._signed) >= SIGNED_URLS_KEPT:
            self._signed.clear()
        url = self.client.presigned_get_object(self.bucket, key, expires=self.ttl)
        self._signed[key] = (now, url)
        return url


async def avatar_store(request: Request) -> AvatarStore:
    return request.app.state.avatars  # type: ignore[no-any-return]


Avatars = Annotated[AvatarStore, Depends(avatar_store)]

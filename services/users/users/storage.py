"""Avatars in S3: private objects, written by the service after it checked type and size, read through
short-lived presigned GET URLs (the reference made them public-read ⚠)."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from urllib.parse import urlparse

from minio import Minio

from kit.errors import DomainError
from users.settings import Settings

# Magic bytes, not the client's Content-Type or file name: what the bytes are decides.
IMAGE_SIGNATURES: tuple[tuple[str, str, bytes, int], ...] = (
    ("image/jpeg", "jpg", b"\xff\xd8\xff", 0),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", "webp", b"WEBP", 8),
)


def sniff_image(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a JPEG, PNG or WebP image; anything else is refused."""
    for content_type, extension, magic, offset in IMAGE_SIGNATURES:
        if data[offset : offset + len(magic)] == magic and (extension != "webp" or data[:4] == b"RIFF"):
            return content_type, extension
    raise UnsupportedImage("The avatar must be a JPEG, PNG or WebP image")


class AvatarStore:
    def __init__(self, settings: Settings) -> None:
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

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    def url(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.client.presigned_get_object(self.bucket, key, expires=self.ttl)


class UnsupportedImage(DomainError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


class PayloadTooLarge(DomainError):
    status, code = 413, "PAYLOAD_TOO_LARGE"

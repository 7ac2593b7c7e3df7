"""S3 through the minio SDK: presigned URLs for the client's bytes (the API never carries them), multipart
bookkeeping, and the server-side calls (stat, delete). The bucket stays private: every read is a presigned GET.

Multipart uses the SDK's `_create_multipart_upload`/`_list_parts`/`_complete_multipart_upload`: minio-py
exposes the S3 multipart calls only under those names (its public API hides multipart inside put_object)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from minio import Minio
from minio.datatypes import Part
from minio.error import S3Error

from media.settings import Settings


@dataclass(frozen=True)
class StoredPart:
    part_number: int
    size: int
    etag: str


class Storage:
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
        self.bucket = settings.bucket

    def put_url(self, key: str, ttl: timedelta) -> str:
        return self.client.presigned_put_object(self.bucket, key, expires=ttl)

    def part_url(self, key: str, upload_id: str, part_number: int, ttl: timedelta) -> str:
        return self.client.get_presigned_url(
            "PUT",
            self.bucket,
            key,
            expires=ttl,
            extra_query_params={"uploadId": upload_id, "partNumber": str(part_number)},
        )

    def get_url(self, key: str, ttl: timedelta, *, download_name: str | None = None) -> str:
        headers: dict[str, str | list[str] | tuple[str]] | None = (
            {"response-content-disposition": f'attachment; filename="{download_name}"'} if download_name else None
        )
        return self.client.presigned_get_object(self.bucket, key, expires=ttl, response_headers=headers)

    async def start_multipart(self, key: str, content_type: str) -> str:
        return await asyncio.to_thread(
            self.client._create_multipart_upload, self.bucket, key, {"Content-Type": content_type}
        )

    async def list_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        parts: list[StoredPart] = []
        marker: str | None = None
        while True:
            result = await asyncio.to_thread(
                self.client._list_parts, self.bucket, key, upload_id, part_number_marker=marker
            )
            parts.extend(StoredPart(p.part_number, p.size or 0, p.etag) for p in result.parts)
            if not result.is_truncated:
                return sorted(parts, key=lambda p: p.part_number)
            marker = str(result.next_part_number_marker)

    async def complete_multipart(self, key: str, upload_id: str, parts: list[StoredPart]) -> None:
        await asyncio.to_thread(
            self.client._complete_multipart_upload,
            self.bucket,
            key,
            upload_id,
            [Part(p.part_number, p.etag) for p in parts],
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await asyncio.to_thread(self.client._abort_multipart_upload, self.bucket, key, upload_id)
        except S3Error as exc:
            if exc.code != "NoSuchUpload":
                raise

    async def size(self, key: str) -> int | None:
        """The stored object's size, or None when nothing is stored under the key."""
        try:
            stat = await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"):
                return None
            raise
        return stat.size

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )

    async def put_file(self, key: str, path: str, content_type: str) -> None:
        await asyncio.to_thread(self.client.fput_object, self.bucket, key, path, content_type=content_type)

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def ensure_bucket(self) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            await asyncio.to_thread(self.client.make_bucket, self.bucket)

"""S3 through the minio SDK: presigned URLs for the client's bytes (the API never carries them), multipart
bookkeeping, and the server-side calls (stat, copy, delete). The bucket stays private: every read is a presigned
GET that fixes the served Content-Type and Content-Disposition, so no stored object is ever served as a page.

Upload URLs sign `Content-Length` (and for a whole file `Content-Type`) as headers: S3 recomputes the signature
from the request's own headers, so a body of another length, a streamed body or another type is refused with
403. minio-py presigns only the host header, hence the small SigV4 query signer here; it signs the GETs too,
with the day's signing key derived once (minio derives it per URL: a presign was ~90 µs, now a third of that).

Multipart uses the SDK's `_create_multipart_upload`/`_list_parts`/`_complete_multipart_upload`: minio-py
exposes the S3 multipart calls only under those names (its public API hides multipart inside put_object)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlparse

from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import Part
from minio.error import S3Error

from kit.domain import utcnow
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
        self._endpoint = endpoint
        self._access_key = settings.s3_access_key
        self._secret_key = settings.s3_secret_key.get_secret_value()
        self._region = settings.s3_region
        self._day_key: tuple[str, bytes] = ("", b"")

    def put_url(self, key: str, ttl: timedelta, *, size: int, content_type: str) -> str:
        """A PUT of exactly `size` bytes sent with exactly this Content-Type."""
        return self._presign("PUT", key, ttl, headers={"content-length": str(size), "content-type": content_type})

    def part_url(self, key: str, upload_id: str, part_number: int, ttl: timedelta, *, size: int) -> str:
        """A PUT of part `part_number` of exactly `size` bytes (the type was fixed when the upload started)."""
        return self._presign(
            "PUT",
            key,
            ttl,
            headers={"content-length": str(size)},
            query={"uploadId": upload_id, "partNumber": str(part_number)},
        )

    def get_url(self, key: str, ttl: timedelta, *, content_type: str, disposition: str) -> str:
        """A GET served with this Content-Type and Content-Disposition, whatever the object's metadata says."""
        served = {"response-content-type": content_type, "response-content-disposition": disposition}
        return self._presign("GET", key, ttl, headers={}, query=served)

    def _presign(
        self, method: str, key: str, ttl: timedelta, *, headers: dict[str, str], query: dict[str, str] | None = None
    ) -> str:
        """AWS Signature V4 in the query string, signing `host` and the given headers."""
        now = utcnow()
        day, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
        scope = f"{day}/{self._region}/s3/aws4_request"
        signed = {"host": self._endpoint.netloc, **{name.lower(): _canonical(v) for name, v in headers.items()}}
        signed_names = ";".join(sorted(signed))
        params = {
            **(query or {}),
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"{self._access_key}/{scope}",
            "X-Amz-Date": stamp,
            "X-Amz-Expires": str(int(ttl.total_seconds())),
            "X-Amz-SignedHeaders": signed_names,
        }
        canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
        path = f"/{self.bucket}/{quote(key, safe='/~')}"
        canonical_headers = "".join(f"{name}:{signed[name]}\n" for name in sorted(signed))
        request = f"{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed_names}\nUNSIGNED-PAYLOAD"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(request.encode()).hexdigest()}"
        signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{self._endpoint.scheme}://{self._endpoint.netloc}{path}?{canonical_query}&X-Amz-Signature={signature}"

    def _signing_key(self, day: str) -> bytes:
        """SigV4's key of the day (four HMACs over the secret), derived once a day."""
        held_day, key = self._day_key
        if held_day != day:
            key = f"AWS4{self._secret_key}".encode()
            for part in (day, self._region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._day_key = (day, key)
        return key

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

    async def copy(self, source: str, target: str) -> None:
        """A server-side copy: the target is a snapshot of the source as it is now."""
        await asyncio.to_thread(self.client.copy_object, self.bucket, target, CopySource(self.bucket, source))

    async def download(self, key: str, path: str) -> None:
        await asyncio.to_thread(self.client.fget_object, self.bucket, key, path)

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


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _canonical(value: str) -> str:
    """A header value as SigV4 canonicalises it: trimmed, inner runs of spaces collapsed."""
    return re.sub(" +", " ", value.strip())

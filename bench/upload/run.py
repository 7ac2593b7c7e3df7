"""Upload benchmark: the bytes of one recording sent to S3 through the media service's presigned URLs (one
presigned PUT, and presigned multipart parts sent a few at a time, then completed) beside a raw S3 PUT of the
same bytes with the minio SDK, all in one run against the local S3 server.

URLs are signed and multipart uploads started and completed with the service's own `media.storage.Storage`;
the client side is httpx, as a browser's fetch would PUT them. Objects go to the `test-media` bucket under
`bench/` and are removed afterwards. Usage: `uv run python bench/upload/run.py [--mb 200]`."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx

from media.settings import MIB, Settings
from media.storage import Storage

TTL = timedelta(minutes=15)


async def raw_put(storage: Storage, key: str, data: bytes, part_size: int) -> None:
    await asyncio.to_thread(
        storage.client.put_object, storage.bucket, key, io.BytesIO(data), len(data), part_size=part_size
    )


async def presigned_put(storage: Storage, http: httpx.AsyncClient, key: str, data: bytes) -> None:
    url = storage.put_url(key, TTL, size=len(data), content_type="video/mp4")
    response = await http.put(url, content=data, headers={"Content-Type": "video/mp4"})
    response.raise_for_status()


async def presigned_multipart(
    storage: Storage, http: httpx.AsyncClient, key: str, data: bytes, part_size: int, concurrency: int
) -> None:
    upload_id = await storage.start_multipart(key, "video/mp4")
    gate = asyncio.Semaphore(concurrency)

    async def send(number: int) -> None:
        chunk = data[(number - 1) * part_size : number * part_size]
        async with gate:
            url = storage.part_url(key, upload_id, number, TTL, size=len(chunk))
            response = await http.put(url, content=chunk)
            response.raise_for_status()

    count = -(-len(data) // part_size)
    await asyncio.gather(*(send(n) for n in range(1, count + 1)))
    await storage.complete_multipart(key, upload_id, await storage.list_parts(key, upload_id))


async def timed(label: str, runs: int, upload: Callable[[str], Awaitable[None]], storage: Storage, size: int) -> float:
    seconds: list[float] = []
    for _ in range(runs):
        key = f"bench/{uuid.uuid4()}"
        started = time.perf_counter()
        await upload(key)
        seconds.append(time.perf_counter() - started)
        assert await storage.size(key) == size, f"{label}: stored size differs"
        await storage.remove(key)
    median = statistics.median(seconds)
    print(f"  {label:<38} {size / MIB / median:8.1f} MiB/s   (median of {runs}: {median:.2f} s)")
    return size / median


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200, help="size of the recording in MiB")
    parser.add_argument("--part-mb", type=int, default=8, help="multipart part size in MiB (the service's default)")
    parser.add_argument("--concurrency", type=int, default=4, help="parts in flight at once")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    settings = Settings(s3_bucket_prefix="test-")
    storage = Storage(settings)
    await storage.ensure_bucket()
    data = os.urandom(args.mb * MIB)
    part_size = args.part_mb * MIB
    print(f"upload of {args.mb} MiB to {settings.s3_endpoint}/{storage.bucket} ({args.runs} runs each)")
    async with httpx.AsyncClient(timeout=300) as http:
        raw = await timed(
            "raw S3 PUT (minio SDK put_object)",
            args.runs,
            lambda key: raw_put(storage, key, data, part_size),
            storage,
            len(data),
        )
        single = await timed(
            "presigned PUT (one request)",
            args.runs,
            lambda key: presigned_put(storage, http, key, data),
            storage,
            len(data),
        )
        multipart = await timed(
            f"presigned multipart ({args.part_mb} MiB x{args.concurrency})",
            args.runs,
            lambda key: presigned_multipart(storage, http, key, data, part_size, args.concurrency),
            storage,
            len(data),
        )
    print(f"ratio presigned PUT / raw S3 PUT:       {single / raw:.2f}x")
    print(f"ratio presigned multipart / raw S3 PUT: {multipart / raw:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())

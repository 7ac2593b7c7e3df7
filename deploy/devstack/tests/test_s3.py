from __future__ import annotations

import io
import uuid

import httpx
import pytest
from minio import Minio
from minio.error import S3Error

from devstack.component import Component
from devstack.config import BUCKETS, S3_ACCESS_KEY, Config


@pytest.fixture
def s3(cfg: Config, infra: dict[str, Component]) -> Minio:
    return Minio(f"127.0.0.1:{cfg.ports.s3}", access_key=S3_ACCESS_KEY, secret_key="aivi-dev-secret", secure=False)


def test_every_bucket_of_the_conventions_exists(s3: Minio) -> None:
    assert {b.name for b in s3.list_buckets()} >= set(BUCKETS)


def test_an_object_put_with_the_dev_credentials_reads_back(s3: Minio) -> None:
    key = f"devstack/{uuid.uuid4().hex}.txt"
    s3.put_object("test-media", key, io.BytesIO(b"hello"), length=5, content_type="text/plain")
    try:
        response = s3.get_object("test-media", key)
        try:
            assert response.read() == b"hello"
        finally:
            response.close()
            response.release_conn()
    finally:
        s3.remove_object("test-media", key)


def test_anonymous_requests_are_refused(cfg: Config, s3: Minio) -> None:
    key = f"devstack/{uuid.uuid4().hex}.txt"
    s3.put_object("test-media", key, io.BytesIO(b"secret"), length=6)
    try:
        base = f"http://127.0.0.1:{cfg.ports.s3}"
        assert httpx.get(f"{base}/test-media/{key}").status_code == 403
        assert httpx.get(f"{base}/").status_code == 403
        assert httpx.put(f"{base}/test-media/{key}-anonymous", content=b"x").status_code == 403
    finally:
        s3.remove_object("test-media", key)


def test_a_wrong_secret_is_refused(cfg: Config, infra: dict[str, Component]) -> None:
    wrong = Minio(f"127.0.0.1:{cfg.ports.s3}", access_key=S3_ACCESS_KEY, secret_key="not-the-secret", secure=False)
    with pytest.raises(S3Error):
        wrong.list_objects("test-media").__next__()

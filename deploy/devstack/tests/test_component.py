from __future__ import annotations

import socket
from pathlib import Path

import pytest

from devstack.config import Config, Ports
from devstack.proc import DevstackError
from devstack.redis import Redis

from .conftest import free_port


def test_a_port_held_by_another_program_fails_naming_the_port_and_its_env_var(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        redis = Redis(Config(root=tmp_path, ports=Ports(redis=port)))
        with pytest.raises(DevstackError, match=rf"port {port} .*REDIS_PORT"):
            redis.ensure_running()

"""The ports tests give the servers they start: free, distinct, and out of the kernel's ephemeral range, so a
connection's local port can never take one before its server binds it."""

from __future__ import annotations

import socket
from pathlib import Path

from kit.testing import free_port


def test_free_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [free_port() for _ in range(200)]

    assert len(set(ports)) == len(ports)
    assert all(20000 <= port < low for port in ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))

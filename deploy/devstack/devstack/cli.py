"""`devstack <command>`: the local stack's command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from devstack.config import Config
from devstack.proc import DevstackError, log


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n else "-"


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def cmd_infra(cfg: Config) -> int:
    from devstack.stack import start_infra

    start_infra(cfg)
    return cmd_status(cfg)


def cmd_provision(cfg: Config) -> int:
    """Fetch and build what the servers need (Kafka jars, Keycloak, a Go toolchain, mailpit, stripe-mock) without
    starting anything: the bootstrap's step, a few file checks when everything is there."""
    from devstack.kafka import Kafka
    from devstack.keycloak import Keycloak
    from devstack.mailpit import Mailpit
    from devstack.stripe_mock import StripeMock

    cfg.ensure_dirs()
    for comp in (Kafka(cfg), Keycloak(cfg), Mailpit(cfg), StripeMock(cfg)):
        comp.provision()
    return 0


def cmd_up(cfg: Config) -> int:
    from devstack.supervisor import run_up

    return run_up(cfg)


def cmd_down(cfg: Config) -> int:
    from devstack.stack import stop_infra
    from devstack.supervisor import stop_recorded_apps

    stop_recorded_apps(cfg)
    stop_infra(cfg)
    return 0


def cmd_status(cfg: Config) -> int:
    from devstack.stack import infra_status
    from devstack.supervisor import app_status

    rows = [["component", "running", "state", "restarts", "last exit", "pid", "port", "health", "rss", "address"]]
    total = 0
    apps = app_status(cfg)
    for s in [*infra_status(cfg), *apps]:
        total += s.rss
        rows.append(
            [
                s.name,
                "yes" if s.running else "no",
                s.state or "-",
                str(s.restarts) if s.state and s.state != "role" else "-",
                s.last_exit or "-",
                str(s.pid or "-"),
                str(s.port or "-"),
                "ok" if s.healthy else ("-" if not s.running else "FAIL"),
                _mib(s.rss),
                s.url,
            ]
        )
    print(_table(rows))
    print(f"total rss of processes devstack started: {_mib(total)}")
    down = [s.name for s in apps if s.state in ("given-up", "failed", "lost")]
    if down:
        print(f"DOWN: {', '.join(down)} (see `devstack logs <name>`)")
    return 0


def cmd_logs(cfg: Config, name: str | None, follow: bool, lines: int) -> int:
    files = sorted(cfg.logs.glob("*.log")) if name is None else [cfg.log_file(name)]
    missing = [f for f in files if not f.exists()]
    if not files or missing:
        known = ", ".join(sorted(f.stem for f in cfg.logs.glob("*.log"))) or "none yet"
        raise DevstackError(f"no log {missing[0] if missing else 'files'}; known logs: {known}")
    args = ["tail", "-n", str(lines), *(["-F"] if follow else []), *map(str, files)]
    os.execvp("tail", args)


def cmd_reset(cfg: Config) -> int:
    from devstack.stack import reset_data

    cmd_down(cfg)
    reset_data(cfg)
    return 0


# Each command imports only what it uses: `provision` runs in every bootstrap and must stay quick.
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("provision", help="fetch and build what the servers need, start nothing")
    sub.add_parser("infra", help="provision and start the infrastructure detached, then print status")
    sub.add_parser("up", help="infrastructure plus every service and the web app in the foreground")
    sub.add_parser("down", help="stop everything devstack started (apps, then infrastructure)")
    sub.add_parser("status", help="table of components and processes")
    logs = sub.add_parser("logs", help="tail logs (all, or one by name)")
    logs.add_argument("name", nargs="?")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=50)
    sub.add_parser("reset", help="down, then delete .local data (download caches are kept)")
    args = parser.parse_args(argv)

    cfg = Config()
    try:
        if args.command == "infra":
            code = cmd_infra(cfg)
        elif args.command == "provision":
            code = cmd_provision(cfg)
        elif args.command == "up":
            code = cmd_up(cfg)
        elif args.command == "down":
            code = cmd_down(cfg)
        elif args.command == "status":
            code = cmd_status(cfg)
        elif args.command == "logs":
            code = cmd_logs(cfg, args.name, args.follow, args.lines)
        else:
            code = cmd_reset(cfg)
    except DevstackError as exc:
        log(f"error: {exc}")
        code = 1
    except KeyboardInterrupt:
        log("interrupted")
        code = 130
    sys.exit(code)

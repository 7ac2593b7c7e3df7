"""PostgreSQL from the system binaries, run as OS user `postgres` (it refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
from pathlib import Path

from devstack.component import Component
from devstack.config import DATABASES, PG_SUPERUSER_PASSWORD, SERVICES
from devstack.proc import DevstackError, log, run, spawn_detached

OS_USER = "postgres"


def pg_bin_dir() -> Path:
    """PG_BIN, else the newest /usr/lib/postgresql/<major>/bin."""
    if env := os.environ.get("PG_BIN"):
        return Path(env)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    if not candidates:
        raise DevstackError("no PostgreSQL binaries in /usr/lib/postgresql; apt-get install postgresql, or set PG_BIN")
    return candidates[-1]


def _ensure_traversable(path: Path) -> None:
    """The postgres user must be able to reach the data dir through every parent directory."""
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
            log(f"postgres: made {parent} traversable (o+x) for the postgres user")


def _chown_tree(path: Path) -> None:
    shutil.chown(path, OS_USER, OS_USER)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in (*dirnames, *filenames):
            shutil.chown(os.path.join(dirpath, name), OS_USER, OS_USER)


def provisioning_sql(database: str) -> str:
    """Per-database set-up, safe to run again: one schema per service, owned by its own role."""
    statements = [
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        # Without CREATE on the database a role cannot make itself new schemas outside its own.
        f"REVOKE CREATE ON DATABASE {database} FROM PUBLIC;",
    ]
    for svc in SERVICES:
        statements += [
            f"CREATE SCHEMA IF NOT EXISTS {svc} AUTHORIZATION {svc};",
            # A schema created for a role grants nothing to PUBLIC; make that explicit and durable.
            f"REVOKE ALL ON SCHEMA {svc} FROM PUBLIC;",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {svc};",
        ]
    return "\n".join(statements) + "\n"


def roles_sql() -> str:
    lines = []
    for svc in SERVICES:
        lines.append(
            f"SELECT 'CREATE ROLE {svc} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{svc}')\\gexec"
        )
        # search_path makes unqualified names land in the service's own schema (alembic, ad-hoc psql).
        lines.append(f"ALTER ROLE {svc} WITH LOGIN PASSWORD '{svc}-dev';")
        lines.append(f"ALTER ROLE {svc} SET search_path = {svc};")
    for db in DATABASES:
        lines.append(
            f"SELECT 'CREATE DATABASE {db}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{db}')\\gexec"
        )
    return "\n".join(lines) + "\n"


class Postgres(Component):
    name = "postgres"
    start_timeout = 60.0
    # SIGTERM is a "smart" shutdown that waits for every client to leave; SIGINT disconnects them.
    stop_signal = signal.SIGINT

    @property
    def port(self) -> int:
        return self.cfg.ports.postgres

    @property
    def port_env(self) -> str:
        return "PG_PORT"

    @property
    def home(self) -> Path:
        return self.cfg.local / "postgres"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "socket"

    @property
    def url(self) -> str:
        return f"postgresql://postgres:{PG_SUPERUSER_PASSWORD}@127.0.0.1:{self.port}/aivi"

    def provision(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        _ensure_traversable(self.home)
        _chown_tree(self.home)
        if (self.data / "PG_VERSION").exists():
            return
        pwfile = self.home / "pwfile"
        pwfile.write_text(PG_SUPERUSER_PASSWORD + "\n")
        shutil.chown(pwfile, OS_USER, OS_USER)
        try:
            run(
                [
                    "runuser", "-u", OS_USER, "--",
                    pg_bin_dir() / "initdb", "-D", self.data, "-U", "postgres", "--pwfile", pwfile,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                ],
                what="initdb",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)

    def spawn(self) -> subprocess.Popen[bytes]:
        # The server itself (not a pg_ctl or runuser wrapper) is our child, so its pid is the one we track.
        # fsync off: a throwaway dev database trades crash durability of the machine for test speed.
        return spawn_detached(
            [
                pg_bin_dir() / "postgres", "-D", self.data, "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.socket_dir}",
                "-c", "max_connections=300", "-c", "shared_buffers=128MB", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
            cwd=self.home,
            user=OS_USER,
        )  # fmt: skip

    def psql(self, sql: str, database: str = "postgres") -> str:
        return run(
            [
                pg_bin_dir() / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", str(self.port), "-U", "postgres", "-d", database,
            ],
            what=f"psql on {database}",
            input=sql,
            env={**os.environ, "PGPASSWORD": PG_SUPERUSER_PASSWORD},
        )  # fmt: skip

    def healthy(self) -> bool:
        result = subprocess.run(
            [pg_bin_dir() / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
        )
        return result.returncode == 0

    def configure(self) -> None:
        self.psql(roles_sql())
        for db in DATABASES:
            self.psql(provisioning_sql(db), database=db)

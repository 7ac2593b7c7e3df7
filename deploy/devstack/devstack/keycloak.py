"""Keycloak 26.x (`start-dev`, dev-file database) from the keycloak-quarkus-dist zip on Maven Central."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.component import Component
from devstack.config import KEYCLOAK_ADMIN, KEYCLOAK_REALM, KEYCLOAK_TEST_REALM, KEYCLOAK_VERSION, Config
from devstack.java import fetch_artifact, find_java_home
from devstack.proc import log, spawn_detached


def realm_file(cfg: Config) -> Path:
    return cfg.root / "deploy" / "keycloak" / f"realm-{KEYCLOAK_REALM}.json"


def _extract(archive: Path, dest: Path) -> None:
    """Unzip keeping the executable bits (zipfile drops them), atomically via a temp dir."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, tmp))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                target.chmod(stat.S_IMODE(mode))
    # The zip holds one top-level keycloak-<version>/ directory.
    (inner,) = list(tmp.iterdir())
    inner.rename(dest)
    tmp.rmdir()


@dataclass(frozen=True)
class DevUser:
    username: str
    password: str
    role: str


def dev_users(cfg: Config) -> list[DevUser]:
    """The users the realm file creates with a password (what `make up` prints, read from the one source)."""
    try:
        realm = json.loads(realm_file(cfg).read_text())
    except (OSError, ValueError):
        return []
    users = []
    for user in realm.get("users", []):
        password = next((c.get("value") for c in user.get("credentials", []) if c.get("type") == "password"), None)
        if password:
            roles = [r for r in user.get("realmRoles", []) if not r.startswith("default-roles-")]
            users.append(DevUser(user["username"], password, ", ".join(roles)))
    return users


class Keycloak(Component):
    name = "keycloak"
    # The first start-dev builds ("augments") the server, which takes a while on two cores.
    start_timeout = 300.0

    @property
    def port(self) -> int:
        return self.cfg.ports.keycloak

    @property
    def port_env(self) -> str:
        return "KEYCLOAK_PORT"

    def other_ports(self) -> dict[str, int]:
        return {"KEYCLOAK_MANAGEMENT_PORT": self.cfg.ports.keycloak_management}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dist(self) -> Path:
        return self.cfg.local / "keycloak" / f"keycloak-{KEYCLOAK_VERSION}"

    def provision(self) -> None:
        if not (self.dist / "bin" / "kc.sh").is_file():
            archive = fetch_artifact("org.keycloak", "keycloak-quarkus-dist", KEYCLOAK_VERSION, "zip")
            log(f"keycloak: unpacking {archive.name}")
            self.dist.parent.mkdir(parents=True, exist_ok=True)
            _extract(archive, self.dist)
        # The app's login theme (deploy/keycloak/themes), copied afresh so edits show after a restart.
        themes = self.cfg.root / "deploy" / "keycloak" / "themes"
        for theme in themes.iterdir() if themes.is_dir() else ():
            shutil.copytree(theme, self.dist / "themes" / theme.name, dirs_exist_ok=True)
        import_dir = self.dist / "data" / "import"
        import_dir.mkdir(parents=True, exist_ok=True)
        text = realm_file(self.cfg).read_text()
        (import_dir / f"realm-{KEYCLOAK_REALM}.json").write_text(text)
        # The test realm is the same realm under another name, so tests never touch make-up's users.
        test_realm = json.loads(text.replace(f"default-roles-{KEYCLOAK_REALM}", f"default-roles-{KEYCLOAK_TEST_REALM}"))
        test_realm["realm"] = KEYCLOAK_TEST_REALM
        test_realm.pop("id", None)
        (import_dir / f"realm-{KEYCLOAK_TEST_REALM}.json").write_text(json.dumps(test_realm, indent=2))

    def spawn(self) -> subprocess.Popen[bytes]:
        java_home = find_java_home(21, self.cfg.local)
        env = {
            **os.environ,
            "JAVA_HOME": str(java_home),
            "KC_BOOTSTRAP_ADMIN_USERNAME": KEYCLOAK_ADMIN[0],
            "KC_BOOTSTRAP_ADMIN_PASSWORD": KEYCLOAK_ADMIN[1],
            "JAVA_OPTS_KC_HEAP": "-Xms64m -Xmx512m",
        }
        return spawn_detached(
            [
                self.dist / "bin" / "kc.sh", "start-dev",
                f"--http-port={self.port}", "--http-host=127.0.0.1",
                # One issuer whatever address a client used (localhost or 127.0.0.1): the gateway accepts
                # exactly one, so a token fetched via http://localhost:<port> would otherwise be refused.
                f"--hostname={self.url}",
                "--health-enabled=true", f"--http-management-port={self.cfg.ports.keycloak_management}",
                "--import-realm",
            ],
            log_file=self.log_file,
            pid_file=self.pid_file,
            env=env,
            cwd=self.dist,
        )  # fmt: skip

    def configure(self) -> None:
        """Warn about a Keycloak that predates the fixed hostname (reused from an older checkout): its issuer
        follows the address a client used, so tokens fetched via localhost are refused by the gateway."""
        discovery = f"http://localhost:{self.port}/realms/{KEYCLOAK_REALM}/.well-known/openid-configuration"
        try:
            issuer = httpx.get(discovery, timeout=5.0).json().get("issuer", "")
        except (httpx.HTTPError, ValueError):
            return  # localhost may not resolve to the loopback here; nothing to compare
        if not str(issuer).startswith(self.url):
            log(
                f"keycloak: WARNING it runs without --hostname={self.url} (issuer {issuer}): tokens fetched "
                "via localhost are refused; restart it with `devstack down` then `devstack infra`"
            )

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/realms/{KEYCLOAK_REALM}", timeout=2.0)
            return response.status_code == 200 and response.json().get("realm") == KEYCLOAK_REALM
        except (httpx.HTTPError, ValueError):
            return False

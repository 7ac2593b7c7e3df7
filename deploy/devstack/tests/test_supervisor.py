from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from devstack.config import Config, Ports, metrics_port
from devstack.proc import DevstackError
from devstack.supervisor import plan_service, plan_web, service_env
from devstack.web import DIST_DIR, TEST_DIST_DIR, build_needed, install_needed
from kit.server import HTTP_PROTOCOL


def make_service(root: Path, svc: str, modules: list[str], alembic: bool) -> None:
    package = root / "services" / svc / svc
    package.mkdir(parents=True)
    for module in modules:
        (package / f"{module}.py").write_text("")
    if alembic:
        (root / "services" / svc / "alembic.ini").write_text("")


def test_a_service_directory_that_does_not_exist_yet_plans_nothing(tmp_path: Path) -> None:
    migrate, specs = plan_service(Config(root=tmp_path), "billing")
    assert migrate is None
    assert specs == []


def test_one_process_runs_the_roles_a_service_has_after_its_migrations(tmp_path: Path) -> None:
    make_service(tmp_path, "users", ["main", "worker"], alembic=True)

    migrate, specs = plan_service(Config(root=tmp_path), "users")

    assert migrate is not None
    assert [(s.name, s.roles, s.port, s.health_port) for s in specs] == [
        ("users", ("api", "worker"), 8002, metrics_port("users", "consumer"))
    ]
    assert specs[0].cmd[1:] == ["-m", "kit.roles", "users"]
    assert specs[0].env["SERVICE_ROLES"] == "api,worker"
    assert specs[0].env["METRICS_PORT"] == str(metrics_port("users", "consumer"))


def test_the_gateway_asks_each_role_of_a_combined_process_at_its_own_path(tmp_path: Path) -> None:
    urls = json.loads(service_env(Config(root=tmp_path), "gateway")["PROCESS_HEALTH_URLS"])

    assert urls["users-consumer"] == f"http://127.0.0.1:{metrics_port('users', 'consumer')}/consumer"
    assert urls["users-worker"] == f"http://127.0.0.1:{metrics_port('users', 'consumer')}/worker"


def test_with_replicas_the_gateway_asks_every_replica_of_each_role_and_each_gateway_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICAS", "3")

    urls = json.loads(service_env(Config(root=tmp_path), "gateway")["PROCESS_HEALTH_URLS"])

    first = metrics_port("users", "consumer")
    assert urls["users-consumer"] == [f"http://127.0.0.1:{p}/consumer" for p in (first, first + 1000, first + 2000)]
    assert urls["users-worker"] == [f"http://127.0.0.1:{p}/worker" for p in (first, first + 1000, first + 2000)]
    gateway = metrics_port("gateway", "consumer")
    assert urls["gateway-api"] == [f"http://127.0.0.1:{gateway}/api", f"http://127.0.0.1:{gateway + 1000}/api"]
    assert "users-api" not in urls


def test_split_roles_plan_a_process_per_role_after_its_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVSTACK_SPLIT", "1")
    make_service(tmp_path, "users", ["main", "worker"], alembic=True)

    migrate, specs = plan_service(Config(root=tmp_path), "users")

    assert migrate is not None
    assert migrate[-4:] == ["-c", str(tmp_path / "services/users/alembic.ini"), "upgrade", "heads"]
    assert [s.name for s in specs] == ["users-api", "users-worker"]
    assert specs[0].port == 8002
    assert specs[0].cmd[1:] == [
        "users.main:app",
        *("--host", "127.0.0.1", "--port", "8002"),
        *("--http", HTTP_PROTOCOL),
        # A live notification stream never ends by itself, so a stop must not wait for it.
        *("--timeout-graceful-shutdown", "10"),
    ]


def test_every_service_process_gets_the_environment_of_the_conventions(tmp_path: Path) -> None:
    env = service_env(Config(root=tmp_path, ports=Ports(postgres=5432, redis=6379)), "interviews")

    assert env["DATABASE_URL"] == "postgresql+asyncpg://interviews:interviews-dev@127.0.0.1:5432/aivi"
    assert env["DB_SCHEMA"] == "interviews"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert env["TOPIC_PREFIX"] == ""
    assert env["INTERNAL_AUTH_ENABLED"] == "false"
    assert env["USERS_URL"] == "http://127.0.0.1:8002"
    assert env["INTERNAL_TOKEN"] == service_env(Config(root=tmp_path), "gateway")["INTERNAL_TOKEN"]


def test_the_gateway_honours_internal_token_calls_locally(tmp_path: Path) -> None:
    assert service_env(Config(root=tmp_path), "gateway")["INTERNAL_AUTH_ENABLED"] == "true"


def test_only_the_local_notifications_service_admits_plain_http_loopback_webhook_receivers(tmp_path: Path) -> None:
    assert service_env(Config(root=tmp_path), "notifications")["WEBHOOKS_ALLOW_INSECURE_LOOPBACK"] == "true"
    assert "WEBHOOKS_ALLOW_INSECURE_LOOPBACK" not in service_env(Config(root=tmp_path), "gateway")


def test_the_web_app_is_skipped_without_a_package_json(tmp_path: Path) -> None:
    assert plan_web(Config(root=tmp_path)) == ([], None)


def make_web(root: Path) -> Path:
    web = root / "web"
    (web / "src" / "app").mkdir(parents=True)
    (web / "package.json").write_text('{"scripts": {"dev": "next dev", "build": "next build", "start": "next start"}}')
    (web / "package-lock.json").write_text("{}")
    (web / "next.config.ts").write_text("export default {};")
    (web / "src" / "app" / "page.tsx").write_text("export default function Page() { return null; }")
    return web


def touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("")
    os.utime(path, (mtime, mtime))


def installed(web: Path, mtime: float) -> None:
    touch(web / "node_modules" / ".package-lock.json", mtime)


def built(web: Path, mtime: float) -> None:
    touch(web / DIST_DIR / "BUILD_ID", mtime)


def age(web: Path, mtime: float) -> None:
    for path in [*web.rglob("*")]:
        if path.is_file() and "node_modules" not in path.parts and DIST_DIR not in path.parts:
            os.utime(path, (mtime, mtime))


def test_a_fresh_checkout_installs_builds_then_serves_the_production_build_from_web(tmp_path: Path) -> None:
    web = make_web(tmp_path)

    steps, spec = plan_web(Config(root=tmp_path))

    assert [s.name for s in steps] == ["web-install", "web-build"]
    assert steps[0].cmd[1:] == ["ci", "--no-audit", "--no-fund"]
    assert steps[1].cmd[1:] == ["run", "build"]
    assert spec is not None
    assert spec.cmd[1:] == ["run", "start", "--", "--hostname", "127.0.0.1", "--port", "3000"]
    assert spec.port == 3000
    # npm finds package.json only in web/.
    assert {s.cwd for s in [*steps, spec]} == {web}
    for s in [*steps, spec]:
        assert s.env["API_URL"] == "http://127.0.0.1:8001"
        assert s.env["NEXT_TELEMETRY_DISABLED"] == "1"
        assert s.env["NEXT_DIST_DIR"] == DIST_DIR


def test_an_up_to_date_install_and_build_are_reused(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    age(web, 1_000)
    installed(web, 2_000)
    built(web, 3_000)

    steps, spec = plan_web(Config(root=tmp_path))

    assert steps == []
    assert spec is not None


def test_a_source_or_config_file_newer_than_the_build_rebuilds_without_reinstalling(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    for changed in ["src/app/page.tsx", "next.config.ts", "public/logo.svg", "package.json", "tsconfig.json"]:
        age(web, 1_000)
        installed(web, 2_000)
        built(web, 3_000)
        touch(web / changed, 4_000)

        steps, _ = plan_web(Config(root=tmp_path))

        assert [s.name for s in steps] == ["web-build"], changed


def test_a_file_outside_the_build_inputs_does_not_rebuild(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    age(web, 1_000)
    installed(web, 2_000)
    built(web, 3_000)
    touch(web / "e2e" / "journey.spec.ts", 4_000)
    touch(web / "README.md", 4_000)

    assert plan_web(Config(root=tmp_path))[0] == []


def test_a_lockfile_newer_than_node_modules_reinstalls_and_rebuilds(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    age(web, 1_000)
    installed(web, 2_000)
    built(web, 3_000)
    os.utime(web / "package-lock.json", (2_500, 2_500))

    steps, _ = plan_web(Config(root=tmp_path))

    assert [s.name for s in steps] == ["web-install", "web-build"]


def test_an_interrupted_build_without_its_build_id_is_redone(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    age(web, 1_000)
    installed(web, 2_000)
    (web / DIST_DIR / "server").mkdir(parents=True)

    assert build_needed(web)
    assert not install_needed(web)


def test_the_journey_tests_build_is_judged_apart_from_make_ups(tmp_path: Path) -> None:
    web = make_web(tmp_path)
    age(web, 1_000)
    built(web, 3_000)

    assert not build_needed(web)
    assert build_needed(web, TEST_DIST_DIR)
    touch(web / TEST_DIST_DIR / "BUILD_ID", 3_000)
    assert not build_needed(web, TEST_DIST_DIR)


def test_replicas_run_every_consumer_and_worker_three_times_and_the_gateway_api_twice_on_ports_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICAS", "3")
    make_service(tmp_path, "users", ["main", "consumers", "worker"], alembic=True)
    make_service(tmp_path, "gateway", ["main", "consumers", "worker"], alembic=False)

    _, users = plan_service(Config(root=tmp_path), "users")
    _, gateway = plan_service(Config(root=tmp_path), "gateway")

    consumer_port = metrics_port("users", "consumer")
    assert [(s.name, s.roles, s.port, s.health_port) for s in users] == [
        ("users", ("api", "consumer", "worker"), 8002, consumer_port),
        ("users-2", ("consumer", "worker"), consumer_port + 1000, consumer_port + 1000),
        ("users-3", ("consumer", "worker"), consumer_port + 2000, consumer_port + 2000),
    ]
    assert [s.env["SERVICE_ROLES"] for s in users] == ["api,consumer,worker", "consumer,worker", "consumer,worker"]
    assert [s.env["METRICS_PORT"] for s in users] == [str(consumer_port + 1000 * i) for i in range(3)]
    assert [(s.name, s.roles, s.port) for s in gateway][:2] == [
        ("gateway", ("api", "consumer", "worker"), 8001),
        ("gateway-2", ("api", "consumer", "worker"), 8101),
    ]
    assert gateway[1].env["PORT"] == "8101"
    assert len(gateway) == 3


def test_a_per_service_replica_count_overrides_the_fleet_one_and_split_roles_name_each_replica(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVSTACK_SPLIT", "1")
    monkeypatch.setenv("REPLICAS", "2")
    monkeypatch.setenv("REPLICAS_ANALYSIS_CONSUMER", "3")
    make_service(tmp_path, "analysis", ["main", "consumers", "worker"], alembic=True)

    _, specs = plan_service(Config(root=tmp_path), "analysis")

    assert [(s.name, s.port) for s in specs] == [
        ("analysis-api", 8005),
        ("analysis-consumer", metrics_port("analysis", "consumer")),
        ("analysis-consumer-2", metrics_port("analysis", "consumer") + 1000),
        ("analysis-consumer-3", metrics_port("analysis", "consumer") + 2000),
        ("analysis-worker", metrics_port("analysis", "worker")),
        ("analysis-worker-2", metrics_port("analysis", "worker") + 1000),
    ]


def test_a_replica_count_that_is_not_a_positive_number_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICAS_USERS", "zero")
    make_service(tmp_path, "users", ["main"], alembic=False)

    with pytest.raises(DevstackError, match="REPLICAS_USERS"):
        plan_service(Config(root=tmp_path), "users")

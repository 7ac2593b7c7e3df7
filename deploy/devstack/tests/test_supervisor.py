from __future__ import annotations

from pathlib import Path

from devstack.config import Config, Ports
from devstack.supervisor import plan_service, plan_web, service_env


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


def test_only_the_processes_a_service_has_are_planned_after_its_migrations(tmp_path: Path) -> None:
    make_service(tmp_path, "users", ["main", "worker"], alembic=True)

    migrate, specs = plan_service(Config(root=tmp_path), "users")

    assert migrate is not None
    assert migrate[-4:] == ["-c", str(tmp_path / "services/users/alembic.ini"), "upgrade", "head"]
    assert [s.name for s in specs] == ["users-api", "users-worker"]
    assert specs[0].port == 8002
    assert specs[0].cmd[-5:] == ["users.main:app", "--host", "127.0.0.1", "--port", "8002"]


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


def test_the_web_app_is_skipped_without_a_package_json(tmp_path: Path) -> None:
    assert plan_web(Config(root=tmp_path)) == (None, None)


def test_the_web_app_installs_its_packages_once_then_runs_its_dev_script_on_port_3000(tmp_path: Path) -> None:
    web = tmp_path / "web"
    web.mkdir()
    (web / "package.json").write_text('{"scripts": {"dev": "next dev"}}')
    (web / "package-lock.json").write_text("{}")

    install, spec = plan_web(Config(root=tmp_path))
    assert install is not None
    assert install[1] == "ci"
    assert spec is not None
    assert spec.cmd[1:] == ["run", "dev", "--", "--hostname", "127.0.0.1", "--port", "3000"]

    (web / "node_modules").mkdir()
    assert plan_web(Config(root=tmp_path))[0] is None

"""Where devstack's Go toolchain comes from on a machine without a new enough one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from devstack.gotool import parse_version, toolchain_url, unpack
from devstack.proc import DevstackError


def test_go_versions_compare_as_numbers() -> None:
    assert parse_version("go1.26.8") > parse_version("1.26.0") > parse_version("go1.9")
    assert parse_version("go1.26") == (1, 26, 0)
    assert parse_version("devel") == ()


def test_the_toolchain_is_the_official_module_on_the_go_proxy_for_this_architecture() -> None:
    assert toolchain_url("1.26.0", "x86_64") == (
        "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go1.26.0.linux-amd64.zip"
    )
    assert toolchain_url("1.26.0", "aarch64").endswith("linux-arm64.zip")
    with pytest.raises(DevstackError, match=r"install Go 1\.26\.0 yourself"):
        toolchain_url("1.26.0", "sparc64")


def test_the_module_zip_unpacks_into_a_go_root_with_its_executables_runnable(tmp_path: Path) -> None:
    archive = tmp_path / "toolchain.zip"
    prefix = "golang.org/toolchain@v0.0.1-go1.26.0.linux-amd64/"
    with zipfile.ZipFile(archive, "w") as zf:
        go = zipfile.ZipInfo(prefix + "bin/go")
        go.external_attr = 0o755 << 16
        zf.writestr(go, "#!/bin/sh\necho go\n")
        zf.writestr(prefix + "VERSION", "go1.26.0\n")

    unpack(archive, tmp_path / "go1.26.0")

    assert (tmp_path / "go1.26.0" / "VERSION").read_text() == "go1.26.0\n"
    assert (tmp_path / "go1.26.0" / "bin" / "go").stat().st_mode & 0o111
    assert not (tmp_path / "go1.26.0.partial").exists()

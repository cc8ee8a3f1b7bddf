"""The code checked as it ships: import-linter's contracts and mypy --strict, on a non-editable install.

The import names (`comandia.server`) differ from the folders (`server/`), and an editable install
maps one to the other through an import hook that static tools cannot follow. So the package is
installed once, as a wheel would be, into a scratch folder, and the tools read that copy: the
same files, under their real names. Also here: every package folder is listed in pyproject.toml,
and only server/config.py reads the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {
    "server": "comandia.server",
    "shared": "comandia.shared",
    "provisioning": "comandia.provisioning",
    "console": "comandia.console",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The four packages installed (not editable) into a scratch folder: what a wheel would ship."""
    target = tmp_path_factory.mktemp("installed")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "TMPDIR": str(build)},
    )
    yield target


def test_import_contracts_hold(installed: Path) -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=installed,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_mypy_strict_finds_nothing(installed: Path) -> None:
    packages = [arg for name in FOLDERS.values() for arg in ("-p", name)]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(installed / ".mypy_cache"),
            *packages,
        ],
        cwd=installed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_the_installed_packages_say_they_are_typed(installed: Path) -> None:
    assert {p.parent.name for p in (installed / "comandia").glob("*/py.typed")} == {
        "server",
        "shared",
        "provisioning",
        "console",
    }


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder, name in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
    assert found == listed, f"missing: {found - listed}, stale: {listed - found}"


# Modules that touch os.environ without reading a setting from it, each with why.
ENVIRONMENT_PASSED_ON = {
    "server/db/dump.py": "hands the process environment on to pg_dump and pg_restore, plus libpq's variables",
    "server/processes.py": "hands the process environment on to the --workers processes, plus their database",
}


def test_only_the_config_reads_the_environment() -> None:
    readers = set()
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "os.environ" in text or "getenv(" in text:
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers - set(ENVIRONMENT_PASSED_ON) == {"server/config.py"}

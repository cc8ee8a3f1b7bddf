"""The dependency rules of docs/architecture.md, checked by import-linter; and the package list."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"server": "comandia.server", "shared": "comandia.shared", "provisioning": "comandia.provisioning",
           "console": "comandia.console"}


def test_import_contracts_hold(tmp_path: Path) -> None:
    # import-linter reads packages from disk; the editable install maps folders through an import
    # hook it cannot see, so give it the namespaced tree as symlinks.
    (tmp_path / "comandia").mkdir()
    for folder, name in FOLDERS.items():
        (tmp_path / "comandia" / name.split(".")[1]).symlink_to(ROOT / folder)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


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
}


def test_only_the_config_reads_the_environment() -> None:
    readers = set()
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "os.environ" in text or "getenv(" in text:
                readers.add(path.relative_to(ROOT).as_posix())
    assert readers - set(ENVIRONMENT_PASSED_ON) == {"server/config.py"}

"""ruff over the whole tree: the style rules in pyproject.toml hold for every file, and `ruff format`
is the layout of every file (run `ruff format FILE` after editing it)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).with_name("ruff")


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([str(RUFF), "check", "--no-cache", str(ROOT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_ruff_format_would_change_nothing() -> None:
    result = subprocess.run(
        [str(RUFF), "format", "--check", "--no-cache", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, "run `ruff format` on these files:\n" + result.stdout[-3000:] + result.stderr[-2000:]


def test_the_files_left_unformatted_still_need_it() -> None:
    """The files `[tool.ruff.format] exclude` lists were being edited elsewhere when the tree was
    formatted: once one is formatted it leaves the list, which only shrinks."""
    left = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["format"].get("exclude", [])
    for name in left:
        assert (ROOT / name).is_file(), f"{name} is listed in [tool.ruff.format] exclude but does not exist"
        result = subprocess.run(
            [str(RUFF), "format", "--check", "--no-cache", str(ROOT / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1, f"{name} is formatted: take it off [tool.ruff.format] exclude"

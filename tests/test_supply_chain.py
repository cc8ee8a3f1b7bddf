"""RELIABILITY S12, what CI can check: bandit finds no high-severity issue in the shipped packages,
and the server install's lock file pins, with hashes, a version of every dependency that
pyproject.toml asks for (so the lock is updated on purpose when a dependency changes).

pip-audit is NOT run here: these machines cannot reach vulnerability data (its sources answer
404 or do not resolve), so in CI it would "pass" without auditing anything. It is a release step
on a machine with internet: docs/reliability.md, S12.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PACKAGES = ("server", "shared", "provisioning", "console")


def test_bandit_finds_no_high_severity_issue() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-lll", "-q", "-r", *PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _pins() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from the lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in LOCK.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^ \\]+)", line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    pins = _pins()
    assert pins and all(hashes >= 1 for _, hashes in pins.values()), [n for n, (_, h) in pins.items() if not h]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"]:
        wanted = Requirement(text)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{name} is not in requirements.lock: regenerate it (see its header)"
        assert wanted.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name][0]}, outside {wanted.specifier}: regenerate it"
        )

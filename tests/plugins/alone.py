"""Tests that must run with no other test beside them: `scripts/test` runs the rest in two worker
processes first, then these in one.

They time themselves or load the machine on purpose (RELIABILITY's fault and attack tests, the
installer, latency and pool-budget figures), so a second worker's CPU on a 2-core machine would
fail them for no fault of the product. Marked here by path, in one place, rather than file by file.
"""

from __future__ import annotations

import pytest

ALONE = (
    "tests/attacks/",
    "tests/faults/",
    "tests/installer/",
    "tests/test_benchmarks.py",
    "tests/console/test_responsiveness.py",
    "tests/server/db/test_direct_pool.py",
    "tests/server/db/test_engines.py",
    "tests/server/http/test_auth.py",
    "tests/server/http/test_problems.py",
    "tests/server/jobs/test_outbox_sender.py",
    "tests/server/providers/test_media_download.py",
    "tests/server/services/backups/test_backups.py",
    "tests/server/services/messaging/test_silent_servers.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "alone: run with no other test beside it (scripts/test runs these last, in one process)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        if item.path.relative_to(root).as_posix().startswith(ALONE):
            item.add_marker(pytest.mark.alone)

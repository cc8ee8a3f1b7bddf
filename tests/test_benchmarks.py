"""Every benchmark runs once at a tiny size, so none can rot unnoticed (figures are not asserted).

A benchmark that stops running (a refactor removed what it imports, a service it builds by hand
drifted from the composition root's) fails here, not months later when someone needs its figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.postgres import EmbeddedCluster

ROOT = Path(__file__).resolve().parent.parent
TINY = {
    "api.py": ["--orders", "300", "--requests", "5"],
    "backup.py": ["--tenants", "2", "--orders", "50", "--drill-orders", "200"],
    "chat_accuracy.py": ["--sample", "20"],
    "chat_matching.py": ["--products", "50", "--rounds", "1"],
    "chat_turns.py": ["--tenants", "1", "--customers", "2", "--threads", "2"],
    "conversations.py": [
        "--chats",
        "300",
        "--messages",
        "40",
        "--requests",
        "5",
        "--consoles",
        "2",
        "--trials",
        "1",
        "--busy",
        "2",
        "--busy-every",
        "0.5",
    ],
    "idle_jobs.py": ["--tenants", "2", "--seconds", "1", "--settle", "0"],
    "journal_drain.py": ["--rows", "40", "--tenants", "2", "--threads", "2", "--busy", "1", "--pass-rows", "10"],
    "kpi.py": ["--orders", "2000", "--customers", "100", "--tenants", "5", "--runs", "2"],
    "kpi_redraw.py": ["--orders", "2000", "--customers", "100", "--runs", "1"],
    "provision.py": ["--tenants", "2"],
    "upload_bombs.py": ["--zip-mib", "64"],
    # Each process count directly and through PgBouncer (Debian's, as tests/faults/balancer.py starts it).
    "webhook_ingest.py": [
        "--seconds",
        "1",
        "--tenants",
        "2",
        "--connections",
        "2",
        "--processes",
        "1,2",
        "--pooler",
        "off,on",
    ],
}


def test_every_benchmark_has_a_smoke_run() -> None:
    # harness.py is imported by benchmarks; ingest_probe.py is run by webhook_ingest.py (and so here).
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")} - {"harness.py", "ingest_probe.py"}
    assert scripts == set(TINY)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_at_a_tiny_size(script: str, embedded_cluster: EmbeddedCluster) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *TINY[script], "--database-url", embedded_cluster.url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert result.stdout.strip(), "a benchmark prints its figures"

"""Every route the server has is named in the API reference, in English and in Spanish.

The routes are read from `server/http/routes.py` (each `add_route("…")`); a route is named when its
path after `/api/v1/tenants/{tenant_id}/` (tenant-scoped) or after `/api/v1/` appears in the page,
any `{placeholder}` matching any other (`orders/{order_id}/status` is `orders/{id}/status`).
A route added without a line in docs/api.md and docs/es/api.md fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROUTE = re.compile(r'add_route\(\s*f?"([^"]+)"')
PLACEHOLDER = re.compile(r"\{+[^{}]*\}+")


def routes() -> list[str]:
    source = (REPO / "server" / "http" / "routes.py").read_text(encoding="utf-8")
    found = [
        path.replace("{scoped}", "/api/v1/tenants/{tenant_id}").replace("{API}", "/api/v1")
        for path in ROUTE.findall(source)
    ]
    assert len(found) > 40 and all(path.startswith("/") for path in found), found
    return found


def named(path: str) -> str:
    """The part of `path` a reader finds in the reference, placeholders as `{}`."""
    path = PLACEHOLDER.sub("{}", path)
    for prefix in ("/api/v1/tenants/{}/", "/api/v1/"):
        if path.startswith(prefix):
            return path.removeprefix(prefix)
    return path


@pytest.mark.parametrize("page", ["docs/api.md", "docs/es/api.md"])
def test_every_route_is_in_the_api_reference(page: str) -> None:
    text = PLACEHOLDER.sub("{}", (REPO / page).read_text(encoding="utf-8"))
    missing = sorted({path for path in routes() if named(path) not in text})
    assert not missing, f"{page} does not name these routes: {missing}"


def test_named_reads_paths_as_the_reference_writes_them() -> None:
    assert named("/api/v1/tenants/{tenant_id}/orders/{order_id}/status") == "orders/{}/status"
    assert named("/api/v1/admin/backups/{backup_id}/verify") == "admin/backups/{}/verify"
    assert named("/readyz") == "/readyz"

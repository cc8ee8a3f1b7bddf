"""Issue 14, finding 7: a `%0a` in a path cannot forge access-log lines (control characters are
escaped in every logged value), and CSV exports quote a field holding `;` (Spanish Excel splits on it)."""

from __future__ import annotations

import io
import logging
import secrets
from decimal import Decimal

import pytest
import requests

from comandia.server.logs import FORMAT, EscapingFormatter
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from tests.plugins.api import World


def test_a_newline_in_a_path_cannot_forge_an_access_log_line(
        api_url: str, caplog: pytest.LogCaptureFixture) -> None:
    forged = "/healthz%0a2026-12-05 10:00:00,000 INFO comandia.access POST /api/v1/auth/login 200%0d%1b[2J"
    with caplog.at_level(logging.INFO, logger="comandia.access"):
        requests.get(f"{api_url}{forged}", timeout=10)
    records = [r for r in caplog.records if r.name == "comandia.access" and "2026-12-05" in r.getMessage()]
    assert records, "the request was logged"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EscapingFormatter(FORMAT))
    for record in records:
        handler.emit(record)
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(records), lines
    assert all("\\x0a" in line and "\x1b" not in line and "\r" not in line for line in lines)


def test_every_logged_value_is_escaped_by_the_servers_formatter() -> None:
    record = logging.LogRecord("comandia.x", logging.WARNING, __file__, 1, "user %s said %s", ("ana\nroot", "\x00"),
                               None)
    line = EscapingFormatter(FORMAT).format(record)
    assert "\n" not in line and "ana\\x0aroot" in line and "\\x00" in line


def test_a_csv_export_quotes_a_field_holding_a_semicolon(api_url: str, manager_a_client: ApiClient,
                                                         world: World) -> None:
    sku = f"SEMI-{secrets.token_hex(3)}"
    manager_a_client.catalog.create_product(world.tenant_a.id, ProductInput(
        sku=sku, name="Torta; con =HYPERLINK(1)", price=Decimal("10.00")))
    answer = requests.get(f"{api_url}/api/v1/tenants/{world.tenant_a.id}/exports/products.csv", timeout=30,
                          params={"from": "2026-01-01", "to": "2026-12-31"},
                          headers={"Authorization": f"Bearer {world.manager_a.token}"})
    assert answer.status_code == 200
    line = next(line for line in answer.content.decode("utf-8-sig").splitlines() if sku in line)
    assert '"Torta; con =HYPERLINK(1)"' in line
    assert line.count(";") == 1  # no other field holds one, and this one is inside quotes


def test_a_streamed_export_over_the_connection_budget_answers_503(api_url: str, runtime: Runtime,
                                                                  world: World) -> None:
    headers = {"Authorization": f"Bearer {world.manager_a.token}"}
    url = f"{api_url}/api/v1/tenants/{world.tenant_a.id}/exports/orders.csv"
    params = {"from": "2026-01-01", "to": "2026-12-31"}
    assert requests.get(f"{api_url}/api/v1/auth/me", headers=headers, timeout=30).status_code == 200
    runtime.databases.tenant_engines.close_all()
    budget = runtime.databases.budget
    limit = budget.limit
    budget.limit = budget.in_use  # every connection the server holds now is all it may hold
    try:
        answer = requests.get(url, params=params, headers=headers, timeout=60)
    finally:
        budget.limit = limit
    assert answer.status_code == 503, (answer.status_code, answer.text[:200])
    assert answer.headers["content-type"].startswith("application/problem+json") and "Retry-After" in answer.headers
    assert requests.get(url, params=params, headers=headers, timeout=60).status_code == 200

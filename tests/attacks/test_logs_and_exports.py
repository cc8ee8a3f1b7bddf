"""Issue 14, finding 7: a `%0a` in a path cannot forge access-log lines (control characters are
escaped in every logged value), and CSV exports quote a field holding `;` (Spanish Excel splits on it)."""

from __future__ import annotations

import dataclasses
import io
import logging
import secrets
import socket
import struct
import time
import urllib.parse
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from comandia.server.db.control_models import AuditEntry, Tenant
from comandia.server.logs import FORMAT, EscapingFormatter
from comandia.server.services.kpis.exports import ExportService
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo
from tests.plugins.api import World, make_actor, served


def test_a_newline_in_a_path_cannot_forge_an_access_log_line(api_url: str, caplog: pytest.LogCaptureFixture) -> None:
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
    record = logging.LogRecord(
        "comandia.x", logging.WARNING, __file__, 1, "user %s said %s", ("ana\nroot", "\x00"), None
    )
    line = EscapingFormatter(FORMAT).format(record)
    assert "\n" not in line and "ana\\x0aroot" in line and "\\x00" in line


def test_a_csv_export_quotes_a_field_holding_a_semicolon(
    api_url: str, manager_a_client: ApiClient, world: World
) -> None:
    sku = f"SEMI-{secrets.token_hex(3)}"
    manager_a_client.catalog.create_product(
        world.tenant_a.id, ProductInput(sku=sku, name="Torta; con =HYPERLINK(1)", price=Decimal("10.00"))
    )
    answer = requests.get(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/exports/products.csv",
        timeout=30,
        params={"from": "2026-01-01", "to": "2026-12-31"},
        headers={"Authorization": f"Bearer {world.manager_a.token}"},
    )
    assert answer.status_code == 200
    line = next(line for line in answer.content.decode("utf-8-sig").splitlines() if sku in line)
    assert '"Torta; con =HYPERLINK(1)"' in line
    assert line.count(";") == 1  # no other field holds one, and this one is inside quotes


def test_a_streamed_export_over_the_connection_budget_answers_503(api_url: str, runtime: Runtime, world: World) -> None:
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


class ExportsCutPartWay(ExportService):
    """The real exports, whose database session is ended (as a statement timeout or a lost server
    ends it) once the download has sent its first chunks; the next fetch then really fails."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime.databases, runtime.services.kpis)
        self._admin = runtime.databases.primary_cluster()

    def _tenant_chunks(self, tenant_id: str, *args: Any) -> Iterator[bytes]:
        for number, chunk in enumerate(super()._tenant_chunks(tenant_id, *args)):
            yield chunk
            if number == 1:
                with self._admin.connect() as admin:
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"
                        " AND state = 'idle in transaction'",
                        (self._role(tenant_id),),
                    )

    def _role(self, tenant_id: str) -> str:
        with self._db.control_session() as session:
            return session.scalars(sa.select(Tenant.role_name).where(Tenant.id == tenant_id)).one()


@pytest.fixture
def cutting_url(runtime: Runtime) -> Iterator[str]:
    with served(dataclasses.replace(runtime.services, exports=ExportsCutPartWay(runtime)), threads=4) as url:
        yield url


def test_a_download_cut_part_way_is_logged_with_the_bytes_sent_and_the_reason(
    api_url: str,
    cutting_url: str,
    runtime: Runtime,
    make_tenant: Callable[..., TenantInfo],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The access line goes out with the 200 before the body; how the body ended is its own line."""
    tenant = make_tenant()
    with runtime.databases.tenant_session(tenant.id) as session:
        session.execute(
            sa.text(
                "INSERT INTO customers (phone, name, extra) SELECT '+5215500' || lpad(n::text, 6, '0'),"
                " 'Cliente ' || n, '{}' FROM generate_series(1, 10000) AS n"
            )
        )
        session.commit()
    token = make_actor(runtime, "manager", tenant.id).token
    path = f"/api/v1/tenants/{tenant.id}/exports/customers.csv"
    params = {"from": "2026-01-01", "to": "2026-12-31"}
    headers = {"Authorization": f"Bearer {token}"}
    caplog.set_level(logging.INFO, logger="comandia.access")

    whole = requests.get(api_url + path, params=params, headers=headers, timeout=60)
    assert whole.status_code == 200 and whole.content.count(b"\n") > 10000
    received = 0
    with requests.get(cutting_url + path, params=params, headers=headers, timeout=60, stream=True) as answer:
        assert answer.status_code == 200
        with pytest.raises(requests.exceptions.ChunkedEncodingError):  # a broken transfer, not a short file
            for chunk in answer.iter_content(64 * 1024):
                received += len(chunk)
    lines = [r.getMessage() for r in caplog.records if " download " in r.getMessage()]
    print("\n" + "\n".join(lines))
    assert f"GET {path} tenant={tenant.id} download complete: {len(whole.content)} bytes sent" in lines
    cut = [line for line in lines if "download cut after" in line]
    assert len(cut) == 1 and cut[0].startswith(f"GET {path} tenant={tenant.id}"), lines
    assert "terminating connection" in cut[0]
    sent = int(cut[0].split("download cut after ")[1].split(" bytes")[0])
    assert received <= sent < len(whole.content)
    entry = _audit_entries(runtime, tenant.id)[0]
    assert entry.actor == token_user(runtime, token) and entry.detail["how"] == "cut", entry.detail
    assert entry.detail["bytes_sent"] == sent and entry.detail["file"].endswith(".csv")
    assert "terminating connection" in entry.detail["reason"]
    assert len(_audit_entries(runtime, tenant.id)) == 1  # the whole download is not an audit event


def test_a_download_the_client_abandons_is_recorded_in_the_audit_log(
    api_url: str,
    runtime: Runtime,
    make_tenant: Callable[..., TenantInfo],
) -> None:
    tenant = make_tenant()
    with runtime.databases.tenant_session(tenant.id) as session:
        session.execute(
            sa.text(
                "INSERT INTO customers (phone, name, extra) SELECT '+5215501' || lpad(n::text, 6, '0'),"
                " repeat('Cliente ', 14) || n, '{}' FROM generate_series(1, 40000) AS n"
            )
        )
        session.commit()
    token = make_actor(runtime, "manager", tenant.id).token
    host, port = urllib.parse.urlsplit(api_url).netloc.split(":")
    request = (
        f"GET /api/v1/tenants/{tenant.id}/exports/customers.csv?from=2026-01-01&to=2026-12-31 HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=60) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.sendall(request.encode())
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
    # the client went away mid-transfer, the server finds out at its next send
    deadline = time.monotonic() + 30
    while not _audit_entries(runtime, tenant.id) and time.monotonic() < deadline:
        time.sleep(0.1)
    entries = _audit_entries(runtime, tenant.id)
    assert len(entries) == 1, entries
    assert entries[0].detail["how"] in ("cut", "stopped by the client"), entries[0].detail
    assert entries[0].detail["bytes_sent"] > 0


def _audit_entries(runtime: Runtime, tenant_id: str) -> list[AuditEntry]:
    with runtime.databases.control_session() as session:
        return list(
            session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.tenant_id == tenant_id, AuditEntry.action == "export.cut")
                .order_by(AuditEntry.id.desc())
            )
        )


def token_user(runtime: Runtime, token: str) -> str:
    return runtime.services.auth.authenticate(token).username

"""The KPI and export resources, mounted on a bare app (the route table is wired elsewhere)."""

from __future__ import annotations

import falcon
import falcon.testing
import pytest

from comandia.server.http import problems
from comandia.server.http.auth import Authenticate
from comandia.server.http.resources import exports, kpis
from comandia.server.wiring import Runtime
from tests.plugins.api import World

API = "/api/v1"


@pytest.fixture
def client(runtime: Runtime) -> falcon.testing.TestClient:
    service = runtime.services.kpis
    app = falcon.App(middleware=[Authenticate(runtime.services.auth)])
    problems.install(app)
    scoped = f"{API}/tenants/{{tenant_id}}"
    app.add_route(f"{scoped}/kpis", kpis.TenantKpis(service))
    app.add_route(
        f"{scoped}/exports/{{dataset}}.{{fmt}}",
        exports.TenantExport(runtime.services.exports, runtime.services.audit),
    )
    app.add_route(f"{API}/admin/kpis", kpis.AdminKpis(service.admin))
    app.add_route(
        f"{API}/admin/exports/tenants.{{fmt}}",
        exports.TenantsExport(runtime.services.exports, runtime.services.audit),
    )
    return falcon.testing.TestClient(app)


def get(client: falcon.testing.TestClient, path: str, token: str, query: str) -> falcon.testing.Result:
    return client.simulate_get(path, query_string=query, headers={"Authorization": f"Bearer {token}"})


def test_members_read_their_dashboard_and_others_get_404(client: falcon.testing.TestClient, world: World) -> None:
    path = f"{API}/tenants/{world.tenant_a.id}/kpis"
    answer = get(client, path, world.viewer_a.token, "from=2026-03-01&to=2026-03-31&granularity=week")
    assert answer.status_code == 200 and answer.json["current"]["orders"] == 0
    assert answer.json["previous"]["to_day"] == "2026-02-28"
    assert get(client, path, world.manager_b.token, "from=2026-03-01&to=2026-03-31").status_code == 404
    backwards = get(client, path, world.manager_a.token, "from=2026-03-31&to=2026-03-01")
    assert backwards.status_code == 422
    assert backwards.json["errors"] == [{"field": "from", "problem": "no debe ser posterior a `to`"}]
    assert get(client, path, world.manager_a.token, "to=2026-03-01").status_code == 422


def test_exports_stream_files_with_a_name(client: falcon.testing.TestClient, world: World) -> None:
    path = f"{API}/tenants/{world.tenant_a.id}/exports/orders.csv"
    answer = get(client, path, world.manager_a.token, "from=2026-03-01&to=2026-03-31")
    assert answer.status_code == 200 and answer.content.startswith(b"\xef\xbb\xbfPedido,")
    assert "attachment" in answer.headers["content-disposition"]
    bad = get(
        client,
        f"{API}/tenants/{world.tenant_a.id}/exports/orders.pdf",
        world.manager_a.token,
        "from=2026-03-01&to=2026-03-02",
    )
    assert bad.status_code == 422
    other = get(client, path, world.manager_b.token, "from=2026-03-01&to=2026-03-31")
    assert other.status_code == 404


def test_the_admin_dashboard_is_for_superadmins(client: falcon.testing.TestClient, world: World) -> None:
    query = "from=2026-03-01&to=2026-03-31&sort=name"
    answer = get(client, f"{API}/admin/kpis", world.superadmin.token, query)
    assert answer.status_code == 200 and world.tenant_a.id in {t["tenant_id"] for t in answer.json["tenants"]}
    assert get(client, f"{API}/admin/kpis", world.manager_a.token, query).status_code == 403
    xlsx = get(client, f"{API}/admin/exports/tenants.xlsx", world.superadmin.token, query)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # The latest days, each ending on the tenant's own today (not UTC's), for the table and its file.
    latest = get(client, f"{API}/admin/kpis", world.superadmin.token, "period=7days&sort=name")
    assert latest.status_code == 200 and world.tenant_a.id in {t["tenant_id"] for t in latest.json["tenants"]}
    forever = get(client, f"{API}/admin/kpis", world.superadmin.token, "period=forever")
    assert forever.status_code == 422
    # The field's problem in the reader's language (Spanish first), with the allowed values.
    assert forever.json["errors"] == [{"field": "period", "problem": "debe ser uno de: today, 7days, 30days, month"}]
    csv = get(client, f"{API}/admin/exports/tenants.csv", world.superadmin.token, "period=today")
    assert csv.status_code == 200 and world.tenant_a.id.encode() in csv.content

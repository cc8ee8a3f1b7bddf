"""`comandia-admin chat`: a scripted conversation through the real service ends with a real order."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from comandia.provisioning.cli import main as admin_main
from comandia.provisioning.commands import chat
from comandia.provisioning.output import Output
from comandia.server.config import ServerConfig
from comandia.server.db.tenant_models import Order
from comandia.server.wiring import Runtime
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo, TenantSettingsChange

SCRIPT = """\
# a customer orders two pizzas and a drink, then confirms
hola
quiero 2 piza margarita y una coca
/tap checkout
Ana López
Av. Siempre Viva 742
Springfield
1
estado
"""


pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def run(runtime: Runtime, *argv: str, as_json: bool = False) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    chat.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["chat", *argv])
    buffer = io.StringIO()
    code = args.handler(runtime, args, Output(as_json, stdout=buffer, stderr=io.StringIO()))
    return code, buffer.getvalue()


@pytest.fixture
def tenant(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> TenantInfo:
    created = make_tenant()
    catalog = runtime.services.catalog
    catalog.create_product(created.id, ProductInput(sku="PZ-MAR", name="Pizza margarita", price=Decimal("120")))
    catalog.create_product(created.id, ProductInput(sku="COCA", name="Coca-Cola", price=Decimal("25")))
    return created


def test_a_script_ends_with_a_real_order(runtime: Runtime, tenant: TenantInfo, tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    code, out = run(runtime, tenant.id, "--script", str(script), "--as", "+52 55 9876 5432")
    assert code == 0
    with runtime.databases.tenant_session(tenant.id) as session:
        [order] = session.scalars(sa.select(Order)).all()
        assert (order.channel, order.total, order.customer_phone) == (
            "sandbox",
            Decimal("265.00"),
            "+525598765432",
        )
    assert "> quiero 2 piza margarita y una coca" in out
    assert f"*#{order.number}*" in out and "recibido" in out.rsplit("> estado", 1)[1]
    assert "1. Confirmar" in out


def test_orders_placed_from_comandia_admin_chat_are_test_orders_through_the_composition_roots_hooks(
    config: ServerConfig,
    tenant: TenantInfo,
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The real command line, which builds its services through the composition root: once it
    # built its own OrderService without the order hooks, and its orders never reached the KPIs.
    # Its orders are tests now (kept out of the KPIs), so the new-order alert hook tells it was wired.
    for variable, value in (
        ("COMANDIA_HOME", str(config.home)),
        ("COMANDIA_DATABASE_URL", config.database_url or ""),
        ("COMANDIA_DB_PREFIX", config.db_prefix),
        ("COMANDIA_SECRET_KEY", config.secret_key or ""),
    ):
        monkeypatch.setenv(variable, value)
    alerts = TenantSettingsChange(order_alerts=("cocina@example.com",))
    runtime.services.tenant_settings.update(tenant.id, "tests", alerts)
    script = tmp_path / "chat.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    for phone in ("+52 55 1111 2222", "+52 55 3333 4444"):
        assert admin_main(["chat", tenant.id, "--script", str(script), "--as", phone]) == 0, capsys.readouterr().err
    with runtime.databases.tenant_session(tenant.id) as session:
        alerted = session.execute(
            sa.text("SELECT o.channel, a.subject FROM order_alerts a JOIN orders o ON o.id = a.order_id")
        ).all()
    assert [channel for channel, _ in alerted] == ["sandbox", "sandbox"]
    assert all(subject.startswith("PRUEBA, no preparar") for _, subject in alerted)
    today = dt.datetime.now(ZoneInfo(tenant.timezone)).date()
    days = (today - dt.timedelta(days=1), today)  # both orders, even if the tenant's midnight fell between
    period = runtime.services.kpis.tenant_report(tenant.id, *days).current
    assert (period.orders, period.revenue, period.new_customers) == (0, Decimal("0"), 0)
    assert not [r for r in runtime.services.kpis.admin.report(*days).tenants if r.tenant_id == tenant.id and r.orders]


def test_json_output_lists_every_turn_with_its_choices(runtime: Runtime, tenant: TenantInfo, tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("menu\n/order PZ-MAR:1 COCA:2\n", encoding="utf-8")
    code, out = run(runtime, tenant.id, "--script", str(script), as_json=True)
    turns = json.loads(out)
    assert code == 0 and [t["message"] for t in turns] == ["menu", "/order PZ-MAR:1 COCA:2"]
    assert {row["id"] for row in turns[0]["replies"][0]["sections"][0]["rows"]} == {
        "prod:PZ-MAR",
        "prod:COCA",
    }
    assert [b["id"] for b in turns[1]["replies"][0]["buttons"]] == ["checkout", "menu", "cart"]


def test_a_malformed_command_fails_with_one_line(runtime: Runtime, tenant: TenantInfo, tmp_path: Path) -> None:
    script = tmp_path / "chat.txt"
    script.write_text("/order PZ-MAR\n", encoding="utf-8")
    assert run(runtime, tenant.id, "--script", str(script))[0] == 1


def test_asking_for_a_person_says_what_whatsapp_would_do(runtime: Runtime, tenant: TenantInfo, tmp_path: Path) -> None:
    script = tmp_path / "persona.txt"
    script.write_text("quiero hablar con alguien\n", encoding="utf-8")
    code, out = run(runtime, tenant.id, "--script", str(script))
    assert code == 0 and "Conversaciones" in out and "chats de prueba no aparecen" in out
    code, out = run(runtime, tenant.id, "--script", str(script), as_json=True)
    assert [turn["handoff"] for turn in json.loads(out)] == [True]

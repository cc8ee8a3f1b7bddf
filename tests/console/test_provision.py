"""Provisioning a tenant from the console, with inline validation, and deactivating it."""

from __future__ import annotations

import secrets

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from comandia.console.i18n import Translator
from comandia.console.windows.provision import NewTenantForm, ProvisionPage
from comandia.console.windows.tenants import TenantsPage
from comandia.shared.client import ApiClient
from comandia.shared.domain.tenants import is_tenant_name
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_superadmin_provisions_a_tenant_with_its_manager(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    window = log_in(world.superadmin)
    page = window.open_page("provision")
    assert isinstance(page, ProvisionPage)
    form = page.form
    form.name.setText("   ")
    form.currency.setCurrentText("PESOS")
    form.manager.setText("a b")
    form.password.setText("short")
    assert form.hints["name"].isVisible() and form.hints["currency"].isVisible()
    assert form.hints["manager"].isVisible() and form.hints["password"].isVisible()
    assert not page.submit.isEnabled()
    name, login = f"Panadería {secrets.token_hex(3)}", f"gerente.{secrets.token_hex(3)}"
    form.name.setText(name)
    form.timezone.setCurrentText("America/Lima")
    form.currency.setCurrentText("PEN")
    form.manager.setText(login)
    form.password.setText("a long enough password")
    assert page.submit.isEnabled() and not any(h.isVisible() for h in form.hints.values())
    with qtbot.waitSignal(page.provisioned, timeout=60_000) as created:
        page.submit.click()
    tenant = created.args[0]
    assert tenant.name == name and tenant.timezone == "America/Lima" and tenant.currency == "PEN"
    managers = [u for u in superadmin_client.users.list(tenant.id) if u.role == "manager"]
    assert [u.username for u in managers] == [login]
    qtbot.waitUntil(lambda: window.tenant_box.findData(tenant.id) >= 0, timeout=10_000)


def test_the_dialog_checks_the_name_by_the_servers_rule() -> None:
    names = ["A", "  Té  ", "x" * 120, " " + "x" * 120 + " ", "x" * 121, "", "   ", "Bar\x00"]
    for language in ("es", "en"):
        tr = Translator(language)
        for name in names:
            form = NewTenantForm(name, "America/Lima", "PEN", "es", "gerente", "a long password")
            assert ("name" not in form.problems(tr)) == is_tenant_name(name), (language, name)
    refused = NewTenantForm("x" * 121, "America/Lima", "PEN", "es", "gerente", "a long password")
    assert "120" in refused.problems(Translator("es"))["name"]
    assert "120" in refused.problems(Translator("en"))["name"]
    assert [is_tenant_name(name) for name in names] == [True, True, True, True, False, False, False, False]


def test_superadmin_deactivates_after_confirming(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient, make_tenant
) -> None:  # type: ignore[no-untyped-def]
    tenant = make_tenant()
    window = log_in(world.superadmin)
    page = window.open_page("tenants")
    assert isinstance(page, TenantsPage)
    qtbot.waitUntil(lambda: any(t.id == tenant.id for t in page.model.records()), timeout=10_000)
    page.search.setText(tenant.name)
    assert page.proxy.rowCount() == 1
    page.table.selectRow(0)
    page.ask_state_change(active=False)
    assert page.confirm is not None and tenant.name in page.confirm.text()
    page.confirm.done(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: page.model.records() and _state(page, tenant.id) != "active", timeout=20_000)
    states = {t.id: t.state for t in superadmin_client.tenants.list(include_deleted=True)}
    assert states[tenant.id] != "active"
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def _state(page: TenantsPage, tenant_id: str) -> str:
    return next((t.state for t in page.model.records() if t.id == tenant_id), "")

"""The onboarding wizard: create, (number), catalog, chat instruction, checklist; leave and resume."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pytestqt.qtbot import QtBot

from comandia.console.windows.main_window import MainWindow
from comandia.console.windows.onboarding import OnboardingPage
from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from comandia.shared.client.capabilities import NUMBERS, SANDBOX_CHAT
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo
from tests.console.conftest import LogIn
from tests.console.test_catalog_import import HEADER
from tests.plugins.api import World


def test_wizard_steps_can_be_left_and_resumed(log_in: LogIn, world: World, qtbot: QtBot, tmp_path: Path) -> None:
    window = log_in(world.superadmin)
    page = window.open_page("onboarding")
    assert isinstance(page, OnboardingPage)
    assert page.stack.currentIndex() == 0 and not page.next_button.isEnabled()
    name = f"Onboarding {secrets.token_hex(3)}"
    page.form.name.setText(name)
    page.form.manager.setText(f"enc.{secrets.token_hex(3)}")
    page.form.password.setText("a long enough password")
    with qtbot.waitSignal(page.tenantCreated, timeout=60_000) as created:
        page.create_button.click()
    tenant = created.args[0]
    assert page.stack.currentIndex() == 1
    if not window.ctx.connection.offers(NUMBERS):
        assert f"comandia-admin number add {tenant.id}" in page.number_note.text()
        assert not page.connect_button.isEnabled()
    page.next_button.click()
    assert page.stack.currentIndex() == 2 and page.importer is not None
    catalog = tmp_path / "menu.csv"
    catalog.write_text(HEADER + "MENU-1,Pozole,,Platos,95.00,,yes,,,1\r\n", encoding="utf-8")
    with qtbot.waitSignal(page.importer.checked, timeout=10_000):
        page.importer.load_file(catalog)
    with qtbot.waitSignal(page.importer.applied, timeout=20_000):
        page.importer.apply_button.click()
    page.next_button.click()
    assert f"comandia-admin chat {tenant.id}" in page.chat_text.text()  # offered either way

    # Leave the wizard here; a fresh page (as after a restart) resumes at the same step.
    again = OnboardingPage(window.ctx)
    qtbot.addWidget(again)
    again.reload()
    index = again.resume.findData(tenant.id)
    assert index > 0 and again.resume.itemText(index) in (name, tenant.id)
    again.resume_tenant(tenant.id)
    assert again.stack.currentIndex() == 3
    again.chat_done.setChecked(True)
    again.next_button.click()
    assert again.stack.currentIndex() == 4
    qtbot.waitUntil(lambda: again.checks.count() == 5, timeout=10_000)
    texts = [again.checks.item(i).text() for i in range(5)]
    assert texts[0].startswith("✔") and texts[2].startswith("✔") and texts[3].startswith("✔")
    assert texts[4].startswith("✔")
    assert window.ctx.settings.onboarding(tenant.id)["step"] == 4
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def at_the_chat_step(window: MainWindow, tenant: TenantInfo) -> OnboardingPage:
    """The onboarding page resumed at its test-chat step (step 3) for `tenant`."""
    window.ctx.settings.save_onboarding(tenant.id, {"step": 3, "name": tenant.name})
    page = window.open_page("onboarding")
    assert isinstance(page, OnboardingPage)
    page.reload()
    page.resume_tenant(tenant.id)
    return page


def test_the_test_chat_step_talks_to_the_real_bot_and_ends_with_a_real_order(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    tenant = superadmin_client.tenants.create(f"Chat {secrets.token_hex(3)}")
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ-MAR", "Pizza margarita", Decimal("120")))
    superadmin_client.catalog.create_product(tenant.id, ProductInput("COCA", "Coca-Cola", Decimal("25")))
    window = log_in(world.superadmin)
    page = at_the_chat_step(window, tenant)
    pane = page.chat
    assert page.stack.currentIndex() == 3 and window.ctx.connection.offers(SANDBOX_CHAT)
    assert not pane.isHidden() and not page.chat_done.isChecked()
    pane.phone.setText(f"+52155{secrets.randbelow(10**8):08d}")

    def turn(act: Callable[[], object]) -> None:
        act()
        qtbot.waitUntil(lambda: not pane.busy, timeout=15_000)
        assert pane.status.text() == ""

    def write(text: str) -> None:
        pane.input.setText(text)
        turn(pane.send_button.click)

    write("menu")
    assert "prod:PZ-MAR" in pane.choice_buttons  # the list rows are buttons
    turn(pane.choice_buttons["prod:PZ-MAR"].click)
    write("2")  # quantity
    assert "checkout" in pane.choice_buttons
    with qtbot.waitSignal(pane.orderPlaced, timeout=30_000) as placed:
        turn(pane.choice_buttons["checkout"].click)
        for text in ("Ana López", "Av. Siempre Viva 742", "Springfield", "1"):
            write(text)
    order = placed.args[0]
    detail = superadmin_client.orders.get(tenant.id, order.id)
    assert (detail.number, detail.total, detail.customer_phone) == (order.number, Decimal("240.00"), pane.phone.text())
    assert page.chat_done.isChecked() and f"#{order.number}" in pane.result.text()
    assert window.ctx.settings.onboarding(tenant.id)["chat_order"] == order.number
    pane.result.linkActivated.emit("orders")  # the link in "Order #n placed. Open orders"
    qtbot.waitUntil(lambda: window.ctx.tenant is not None and window.ctx.tenant.id == tenant.id, timeout=15_000)
    assert isinstance(window.current_page(), OrdersPage)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_the_test_chat_says_it_is_not_in_conversations_and_when_whatsapp_would_hand_over(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    tenant = superadmin_client.tenants.create(f"Chat {secrets.token_hex(3)}")
    superadmin_client.catalog.create_product(tenant.id, ProductInput("PZ-MAR", "Pizza margarita", Decimal("120")))
    window = log_in(world.superadmin)
    page = at_the_chat_step(window, tenant)
    pane = page.chat
    assert pane.apart.text() == window.ctx.tr("chat.apart") and not pane.apart.isHidden()
    pane.phone.setText(f"+52155{secrets.randbelow(10**8):08d}")
    pane.input.setText("quiero hablar con alguien")
    pane.send_button.click()
    qtbot.waitUntil(lambda: not pane.busy, timeout=15_000)
    assert pane.status.text() == window.ctx.tr("chat.handoff")
    assert superadmin_client.conversations.list(tenant.id).items == ()

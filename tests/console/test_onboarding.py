"""The onboarding wizard: create, (number), catalog, chat instruction, checklist; leave and resume."""

from __future__ import annotations

import secrets
from pathlib import Path

from pytestqt.qtbot import QtBot

from comandia.console.windows.onboarding import OnboardingPage
from comandia.shared.client.capabilities import NUMBERS
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
        assert f"comandia-admin numbers add {tenant.id}" in page.number_note.text()
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
    assert f"comandia-admin chat {tenant.id}" in page.chat_text.text()

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

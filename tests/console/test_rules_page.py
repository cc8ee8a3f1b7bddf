"""The business rules page: a manager edits hours, zones and payment against a real server and reads
them back through the API; a refusal is listed in Spanish with its field; a viewer cannot save. The
form <-> settings pieces (console/rules_form.py) are checked without Qt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from comandia.console import rules_form as form
from comandia.console.app import ConsoleApp
from comandia.console.windows.rules_page import RulesPage
from comandia.shared.client import ApiClient
from comandia.shared.schemas.rules import RULE_KEYS, DeliveryZone, OpeningHours
from comandia.shared.schemas.tenants import TenantSettings, TenantSettingsChange
from comandia.shared.schemas.wire import Amount
from tests.console.conftest import LogIn
from tests.plugins.api import World

DEFAULTS = TenantSettingsChange(
    opening_hours=None,
    delivery_zones=(),
    payment_methods=(),
    fulfilment="delivery",
    pickup_address="",
    minimum_order=Amount(0),
    closed_days=(),
)


def test_a_day_reads_as_people_write_it() -> None:
    assert form.parse_day("09:00-14:00, 18:00-23:00", "opening_hours.mon") == (("09:00", "14:00"), ("18:00", "23:00"))
    assert form.parse_day("9-14; 20:30 a 2", "f") == (("09:00", "14:00"), ("20:30", "02:00"))
    assert form.parse_day("  ", "f") == ()
    assert form.day_text((("09:00", "14:00"), ("18:00", "23:00"))) == "09:00-14:00, 18:00-23:00"
    with pytest.raises(form.FormProblem) as problem:
        form.parse_day("09:00", "opening_hours.tue")
    assert (problem.value.field, problem.value.key) == ("opening_hours.tue", "rules.bad_range")
    with pytest.raises(form.FormProblem):
        form.parse_amount("treinta", "delivery_zones[0].fee")
    assert form.parse_amount("35,50", "x") == Decimal("35.50")
    assert form.parse_dates("2026-12-25\n2027-01-01") == (dt.date(2026, 12, 25), dt.date(2027, 1, 1))
    zone = form.parse_zone({"name": "Roma", "cities": "Roma Norte, Condesa", "fee": "30"}, 0)
    assert form.zone_row(zone)["cities"] == "Roma Norte, Condesa" and zone.radius_km is None
    assert form.problem_key("delivery_zones[1].fee") == "delivery_zones"
    for number in (19.432608, -99.133209, 3.0, 2.5):  # a location or radius reads back unchanged
        assert form.parse_number(form.number_text(number), "x") == number


def test_the_change_names_only_the_keys_that_changed() -> None:
    stored = TenantSettings(locale="es", delivery_fee=Decimal(0), texts={}, minimum_order=Amount("150.00"))
    same = {key: getattr(stored, key) for key in RULE_KEYS} | {"minimum_order": Amount("150")}
    assert form.change_of(stored, same) is None  # 150 is 150.00
    hours = OpeningHours(mon=(("09:00", "14:00"),))
    change = form.change_of(stored, same | {"opening_hours": hours, "orders_paused": False})
    assert change is not None and change.to_json() == {"opening_hours": hours.to_json()}


def test_a_manager_edits_the_rules_and_a_viewer_only_reads_them(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    tenant_id = world.tenant_a.id
    manager_a_client.tenants.change_settings(tenant_id, DEFAULTS)
    try:
        # The console in Spanish from the login on (the server answers in the console's language). Not
        # switched after logging in: a busy board still drawing its cards then would outlive its window.
        console.ctx.tr.language = console.ctx.connection.language = "es"
        spanish = log_in(world.manager_a)
        assert spanish.language_box.currentData() == "es"
        page = spanish.open_page("settings")
        assert isinstance(page, RulesPage)
        qtbot.waitUntil(lambda: page.stored is not None and spanish.ctx.runner.busy == 0, timeout=10_000)
        assert page.always_open.isChecked() and page.save_button.isVisible()

        page.always_open.setChecked(False)
        page.days["mon"].setText("09:00-14:00, 18:00-23:00")
        page.days["sat"].setText("10-15")
        page.fulfilment.setCurrentIndex(page.fulfilment.findData("both"))
        page.pickup_address.setText("Av. Juárez 12, Centro")
        page.zones.add_button.click()
        for column, text in enumerate(("Roma", "Roma Norte, Condesa", "", "30", "150", "40")):
            page.zones.table.item(0, column).setText(text)
        page.payments.add_row({"kind": "cash"})
        page.payments.add_row({"kind": "transfer", "details": "BBVA CLABE 012180001234567890"})
        page.save_button.click()
        qtbot.waitUntil(lambda: spanish.ctx.runner.busy == 0, timeout=10_000)
        assert not page.problems.isVisible(), page.problems.text()

        stored = manager_a_client.tenants.settings(tenant_id)
        assert stored.opening_hours is not None
        assert stored.opening_hours.mon == (("09:00", "14:00"), ("18:00", "23:00"))
        assert stored.opening_hours.sat == (("10:00", "15:00"),) and stored.opening_hours.tue == ()
        assert stored.fulfilment == "both" and stored.pickup_address == "Av. Juárez 12, Centro"
        assert stored.delivery_zones == (
            DeliveryZone(
                name="Roma",
                fee=Amount("30"),
                cities=("Roma Norte", "Condesa"),
                minimum_order=Amount("150"),
                eta_minutes=40,
            ),
        )
        assert [(m.kind, m.details) for m in stored.payment_methods] == [
            ("cash", ""),
            ("transfer", "BBVA CLABE 012180001234567890"),
        ]
        assert page.days["mon"].text() == "09:00-14:00, 18:00-23:00"  # the form shows what was stored

        page.days["mon"].setText("09:00-14:00, 13:00-15:00")  # overlapping: the server refuses
        page.save_button.click()
        qtbot.waitUntil(lambda: page.problems.isVisible(), timeout=10_000)
        text = page.problems.text()
        assert "opening_hours.mon[1]" in text and "se cruza con otro rango" in text and "Horario" in text
        assert "Traceback" not in text
        assert manager_a_client.tenants.settings(tenant_id).opening_hours == stored.opening_hours  # nothing saved

        page.zones.table.item(0, 3).setText("treinta")  # not an amount: said before sending
        page.save_button.click()
        assert "no es un importe" in page.problems.text() and "delivery_zones[0].fee" in page.problems.text()
        qtbot.waitUntil(lambda: spanish.ctx.runner.busy == 0, timeout=10_000)

        spanish.close()
        viewer = log_in(world.viewer_a)
        page = viewer.open_page("settings")
        assert isinstance(page, RulesPage)
        qtbot.waitUntil(lambda: page.stored is not None and viewer.ctx.runner.busy == 0, timeout=10_000)
        assert page.days["mon"].text() == "09:00-14:00, 18:00-23:00" and page.days["mon"].isReadOnly()
        assert not page.save_button.isVisible() and page.read_only_note.isVisible()
        assert not page.zones.add_button.isVisible() and not page.fulfilment.isEnabled()
        page.days["mon"].setText("00:00-24:00")
        page.save()  # refused before anything is sent
        qtbot.waitUntil(lambda: viewer.ctx.runner.busy == 0, timeout=10_000)
        assert manager_a_client.tenants.settings(tenant_id).opening_hours == stored.opening_hours
    finally:
        manager_a_client.tenants.change_settings(tenant_id, DEFAULTS)


def test_the_superadmin_edits_the_rules_of_the_tenant_chosen(
    log_in: LogIn, world: World, qtbot: QtBot, manager_b_client: ApiClient
) -> None:
    tenant_id = world.tenant_b.id
    try:
        window = log_in(world.superadmin)
        window.open_tenant(tenant_id, "settings")
        page = window.current_page()
        assert isinstance(page, RulesPage)
        qtbot.waitUntil(lambda: page.stored is not None and window.ctx.runner.busy == 0, timeout=10_000)
        assert window.ctx.tenant is not None and window.ctx.tenant.id == tenant_id
        page.minimum_order.setText("99,50")
        page.order_alerts.setPlainText("cocina-b@example.com")
        page.save_button.click()
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
        stored = manager_b_client.tenants.settings(tenant_id)
        assert stored.minimum_order == Decimal("99.50") and stored.order_alerts == ("cocina-b@example.com",)
    finally:
        manager_b_client.tenants.change_settings(
            tenant_id, TenantSettingsChange(minimum_order=Amount(0), order_alerts=())
        )

"""The audit log page (superadmin): newest entries first, filters, pages fetched while scrolling."""

from __future__ import annotations

import secrets
from dataclasses import replace

from pytestqt.qtbot import QtBot

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.models.records import audit_columns
from comandia.console.windows.audit import AuditLogPage
from comandia.shared.client import ApiClient
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.audit import AuditEntryInfo, AuditQuery
from tests.console.conftest import LogIn
from tests.plugins.api import World


def test_the_audit_log_shows_filtered_entries_and_pages_in_more(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient
) -> None:
    names = [f"aud-{secrets.token_hex(3)}" for _ in range(3)]
    for name in names:
        superadmin_client.users.create(name, "a good password", "viewer", world.tenant_a.id)
    window = log_in(world.superadmin)
    page = window.open_page("audit")
    assert isinstance(page, AuditLogPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=15_000)
    # Times and "today" are the appliance's, and the page says which zone that is.
    zone = superadmin_client.audit.list(AuditQuery(limit=1)).timezone
    assert page.fmt.timezone == zone
    assert page.zone.text() == page.i18n("audit.zone", zone=zone) and zone in page.zone.text()
    assert page.last_day.date().toPython() == to_local(utcnow(), zone).date()
    page.page_size = 2
    page.tenant.setCurrentIndex(page.tenant.findData(world.tenant_a.id))
    page.actor.setText(world.superadmin.username)
    page.action.setText("user")
    page.use_dates.setChecked(True)
    page.reload()
    # pages of two rows: the view asks for the next page itself while it has room to show it
    page.model.fetchMore()  # (as scrolling to the end does)
    qtbot.waitUntil(lambda: page.model.rowCount() >= 3, timeout=15_000)
    first = page.model.texts(0)
    # what each entry did is said in the screen's language, never as its code
    assert first[1:4] == (world.superadmin.username, page.i18n("audit.did.user.create"), world.tenant_a.name)
    assert first[2] == ("Usuario creado" if page.i18n.language == "es" else "User created")
    # and its detail in words: "usuario: aud-… · rol: lector", never "username=…, role=viewer"
    user, role = page.i18n("audit.key.username"), page.i18n("audit.key.role")
    details = [page.model.texts(row)[4] for row in range(3)]
    assert details == [f"{role}: {page.i18n('role.viewer')} · {user}: {name}" for name in reversed(names)]
    assert details[0].startswith("rol: consulta" if page.i18n.language == "es" else "role: viewer")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_managers_have_no_audit_page(log_in: LogIn, world: World) -> None:
    window = log_in(world.manager_a)
    assert "audit" not in window.page_keys


def test_an_amount_is_shown_in_its_tenants_money_and_a_country_by_its_name() -> None:
    """'costo de envío: 4000' said nothing of the currency; a Colombian tenant's fee reads as Colombians write it."""
    entry = AuditEntryInfo(
        id=1,
        at=utcnow(),
        actor="soporte",
        action="tenant.settings",
        tenant_id="t-co",
        detail={"delivery_fee": "4000.00", "locale": "es_CO"},
    )
    fmt = TenantFormat(language="es", currency="MXN", country_locale="es_MX")
    columns = audit_columns(Translator("es"), fmt, {"t-co": "Arepas Bogotá"}, {"t-co": "COP"})
    assert columns[4].text(entry) == "costo de envío: $4.000\u00a0COP · país: español (Colombia)"
    english = audit_columns(Translator("en"), replace(fmt, language="en"), {}, {"t-co": "COP"})
    assert english[4].text(entry) == "delivery fee: $4.000\u00a0COP · country: Spanish (Colombia)"
    # a tenant this console does not list (removed since): the amount as written, never a wrong currency
    assert audit_columns(Translator("es"), fmt, {}, {})[4].text(entry).startswith("costo de envío: 4000.00")

"""Which pages each role gets, in navigation order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from comandia.console.context import AppContext
from comandia.console.windows.admin_kpis import AdminKpisPage
from comandia.console.windows.audit import AuditLogPage
from comandia.console.windows.backups import BackupsPage
from comandia.console.windows.base import Page
from comandia.console.windows.board import BoardPage
from comandia.console.windows.catalog import CatalogPage
from comandia.console.windows.conversations import ConversationsPage
from comandia.console.windows.customers import CustomersPage
from comandia.console.windows.onboarding import OnboardingPage
from comandia.console.windows.orders import OrdersPage
from comandia.console.windows.provision import ProvisionPage
from comandia.console.windows.rules_page import RulesPage
from comandia.console.windows.tenants import TenantsPage
from comandia.console.windows.users import UsersPage

if TYPE_CHECKING:
    from comandia.console.windows.main_window import MainWindow


PageFactory = Callable[[], Page]


def page_factories(ctx: AppContext, superadmin: bool, window: MainWindow) -> list[tuple[str, PageFactory]]:
    """(key, factory) pairs in navigation order; the key names the page in `nav.<key>` texts.

    Pages are built on first visit: building and polishing every page when the window first
    shows would keep the GUI thread busy for tens of milliseconds.
    """

    def tenants() -> Page:
        page = TenantsPage(ctx)
        page.opened.connect(window.open_tenant)
        return page

    def provision() -> Page:
        page = ProvisionPage(ctx)
        page.provisioned.connect(lambda _tenant: window.load_tenants())
        return page

    def onboarding() -> Page:
        page = OnboardingPage(ctx)
        page.tenantCreated.connect(lambda _tenant: window.load_tenants())
        page.ordersRequested.connect(lambda tenant_id: window.open_tenant(tenant_id, "orders"))
        return page

    def kpis() -> Page:
        # Imported on first visit: the dashboard brings matplotlib (about half a second), which
        # would otherwise delay the login window of every start.
        from comandia.console.windows.kpis import KpisPage  # noqa: PLC0415

        return KpisPage(ctx)

    def backups() -> Page:
        page = BackupsPage(ctx)
        page.tenantRestored.connect(lambda _tenant: window.load_tenants())
        return page

    factories: list[tuple[str, PageFactory]] = []
    if superadmin:
        factories += [
            ("tenants", tenants),
            ("provision", provision),
            ("onboarding", onboarding),
            ("users", lambda: UsersPage(ctx)),
            ("admin_kpis", lambda: AdminKpisPage(ctx)),
            ("audit", lambda: AuditLogPage(ctx)),
            ("backups", backups),
        ]
    factories += [
        ("board", lambda: BoardPage(ctx)),  # a manager's home: the first page they see
        ("conversations", lambda: ConversationsPage(ctx)),
        ("orders", lambda: OrdersPage(ctx)),
        ("customers", lambda: CustomersPage(ctx)),
        ("catalog", lambda: CatalogPage(ctx)),
        ("settings", lambda: RulesPage(ctx)),  # the business rules (settings keys)
        ("kpis", kpis),
    ]
    return factories

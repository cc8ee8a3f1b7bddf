"""Which pages each role gets, in navigation order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comandia.console.context import AppContext
from comandia.console.windows.admin_kpis import AdminKpisPage
from comandia.console.windows.base import Page
from comandia.console.windows.catalog import CatalogPage
from comandia.console.windows.customers import CustomersPage
from comandia.console.windows.kpis import KpisPage
from comandia.console.windows.onboarding import OnboardingPage
from comandia.console.windows.orders import OrdersPage
from comandia.console.windows.provision import ProvisionPage
from comandia.console.windows.tenants import TenantsPage
from comandia.console.windows.users import UsersPage

if TYPE_CHECKING:
    from comandia.console.windows.main_window import MainWindow


def build_pages(ctx: AppContext, superadmin: bool, window: MainWindow) -> list[tuple[str, Page]]:
    """(key, page) pairs; the key names the page in `nav.<key>` texts and in `MainWindow.open_page`."""
    pages: list[tuple[str, Page]] = []
    if superadmin:
        tenants = TenantsPage(ctx)
        tenants.opened.connect(window.open_tenant)
        provision = ProvisionPage(ctx)
        provision.provisioned.connect(lambda _tenant: window.load_tenants())
        onboarding = OnboardingPage(ctx)
        onboarding.tenantCreated.connect(lambda _tenant: window.load_tenants())
        pages += [
            ("tenants", tenants),
            ("provision", provision),
            ("onboarding", onboarding),
            ("users", UsersPage(ctx)),
            ("admin_kpis", AdminKpisPage(ctx)),
        ]
    pages += [
        ("orders", OrdersPage(ctx)),
        ("customers", CustomersPage(ctx)),
        ("catalog", CatalogPage(ctx)),
        ("kpis", KpisPage(ctx)),
    ]
    return pages

"""Console tests: offscreen Qt, Qt warnings fail the test, no thread left behind, a logged-in console.

QT_QPA_PLATFORM is set here, before anything imports Qt (pytest imports conftest files first).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import keyring.backend
import pytest
from PySide6.QtCore import QMessageLogContext, QSettings, QThreadPool, QtMsgType, qInstallMessageHandler
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.credentials import CredentialStore
from comandia.console.settings import ConsoleSettings
from comandia.console.windows.main_window import MainWindow
from comandia.console.windows.order_detail import OrderDetailWindow
from comandia.console.windows.orders import OrdersPage
from comandia.shared.client import ApiClient
from comandia.shared.schemas.catalog import ProductInfo, ProductInput
from comandia.shared.schemas.customers import CustomerInfo, CustomerInput
from comandia.shared.schemas.orders import OrderDetail, OrderInput, OrderLineInput
from tests.plugins.api import Actor

# The offscreen platform cannot resize native windows; it says so for every top-level window.
# That is the test platform's limitation, not something the console did wrong.
_PLATFORM_NOISE = ("This plugin does not support",)


@pytest.fixture(autouse=True)
def qt_warnings_fail() -> Iterator[list[str]]:
    """Record every Qt warning (and worse) during the test and fail in teardown if any came."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and not message.startswith(_PLATFORM_NOISE):
            seen.append(f"{kind.name}: {message}")

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)
    assert not seen, f"Qt warned: {seen}"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict: the real backend interface, nothing written to the system."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def console_settings(tmp_path: Path, api_url: str) -> ConsoleSettings:
    settings = ConsoleSettings(QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat))
    settings.server_url = api_url
    settings.language = "en"
    return settings


@pytest.fixture
def console(qtbot: QtBot, console_settings: ConsoleSettings, memory_keyring: MemoryKeyring) -> Iterator[ConsoleApp]:
    """A console with its login dialog shown, using the thread pool; no task may outlive the test."""
    app = ConsoleApp(console_settings, CredentialStore(memory_keyring), language="en")
    qtbot.addWidget(app.login)
    app.start()
    yield app
    assert app.ctx.runner.wait_idle(30_000), "a background task did not finish"
    qtbot.wait(10)  # deliver the last queued results before the widgets go
    if app.window is not None:
        for page in app.window.pages.values():
            poll = getattr(page, "poll", None)
            if poll is not None:
                poll.stop()
        app.window.close()
        app.window.deleteLater()
    app.shutdown()
    assert QThreadPool.globalInstance().activeThreadCount() == 0


LogIn = Callable[[Actor], MainWindow]


@pytest.fixture
def log_in(console: ConsoleApp, qtbot: QtBot) -> LogIn:
    """Log in through the dialog as `actor` and return the main window once it shows data."""

    def run(actor: Actor) -> MainWindow:
        dialog = console.login
        dialog.username.setText(actor.username)
        dialog.password.setText(actor.password)
        dialog.submit.click()
        qtbot.waitUntil(lambda: console.window is not None and console.window.isVisible(), timeout=15_000)
        window = console.window
        assert window is not None
        qtbot.waitUntil(lambda: window.ctx.tenant is not None or not window.ctx.tenants, timeout=15_000)
        qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=15_000)
        return window

    return run


def customer_and_product(
    client: ApiClient,
    tenant_id: str,
    price: str = "45.50",
    tag: str | None = None,
) -> tuple[CustomerInfo, ProductInfo]:
    """A new customer (in Puebla) and a new product in the tenant, both named after `tag`."""
    tag = tag or secrets.token_hex(3)
    customer = client.customers.create(
        tenant_id, CustomerInput(phone=f"+5255{secrets.randbelow(10**8):08d}", name=f"Cliente {tag}", city="Puebla")
    )
    product = client.catalog.create_product(tenant_id, ProductInput(f"SKU-{tag}", f"Torta {tag}", Decimal(price)))
    return customer, product


def seed_orders(client: ApiClient, tenant_id: str, count: int, tag: str | None = None) -> list[OrderDetail]:
    """A customer, a product and `count` orders of that customer in the tenant."""
    customer, product = customer_and_product(client, tenant_id, tag=tag)
    line = OrderLineInput(quantity=2, product_id=product.id)
    return [
        client.orders.create(tenant_id, OrderInput(customer.id, (line,), delivery_city="Puebla")) for _ in range(count)
    ]


@contextmanager
def order_detail(window: MainWindow, qtbot: QtBot, order_id: int) -> Iterator[OrderDetailWindow]:
    """The order's detail, opened from the orders page once the list shows it and loaded; closed
    on leaving, once the console's background work is done."""
    page = window.open_page("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: any(o.id == order_id for o in page.model.records()), timeout=10_000)
    detail = page.open_detail(next(i for i, o in enumerate(page.model.records()) if o.id == order_id))
    assert detail is not None
    qtbot.waitUntil(lambda: detail.order is not None, timeout=10_000)
    yield detail
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    detail.close()

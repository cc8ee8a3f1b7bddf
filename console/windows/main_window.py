"""The main window: navigation, tenant picker, error banner, and the login coming back on 401."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.errors import user_message
from comandia.console.i18n import LANGUAGE_NAMES
from comandia.console.theme import THEMES, apply_theme, colors, logo, page_icon
from comandia.console.windows.banner import Banner
from comandia.console.windows.base import Page
from comandia.console.windows.login import LoginDialog
from comandia.console.windows.pages import PageFactory, page_factories
from comandia.shared.client import ApiClient
from comandia.shared.schemas.tenants import TenantInfo
from comandia.shared.version import compare


class MainWindow(QMainWindow):
    """Pages on the left, the current one on the right; superadmins pick any tenant, managers see theirs.

    It listens to the task runner's `unauthorized` and `failed`.

    Signals:
        languageChanged(str): the user picked this screen language (already saved in the settings).
    """

    languageChanged = Signal(str)

    def __init__(self, ctx: AppContext, login: LoginDialog) -> None:
        super().__init__()
        self.ctx, self.login = ctx, login
        tr = ctx.tr
        self.setWindowTitle(tr("app.title"))
        self.resize(1200, 760)
        self.banner = Banner(tr)
        # Its own banner, so that a failure shown and cleared on the other one never hides it.
        self.version_banner = Banner(tr)
        self.version_label = QLabel()
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self.tenant_box = QComboBox()
        self.tenant_box.setMinimumWidth(240)
        self.user_label = QLabel()
        self.language_box = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.setCurrentIndex(self.language_box.findData(tr.language))
        self.language_box.currentIndexChanged.connect(lambda _i: self._change_language(self.language_box.currentData()))
        self.theme_box = QComboBox()
        for theme in THEMES:
            self.theme_box.addItem(tr(f"theme.{theme}"), theme)
        self.theme_box.setCurrentIndex(THEMES.index(ctx.settings.theme))
        self.theme_box.currentIndexChanged.connect(lambda _i: self.change_theme(self.theme_box.currentData()))
        self.logout_button = QPushButton(tr("main.logout"))
        self.logout_button.clicked.connect(self.log_out)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(QLabel(tr("main.tenant")))
        top.addWidget(self.tenant_box)
        top.addStretch(1)
        top.addWidget(self.user_label)
        top.addSpacing(12)
        top.addWidget(QLabel(tr("main.language")))
        top.addWidget(self.language_box)
        top.addWidget(QLabel(tr("main.theme")))
        top.addWidget(self.theme_box)
        top.addWidget(self.logout_button)
        brand_logo = QLabel()
        brand_logo.setPixmap(logo().pixmap(32, 32))
        brand = QLabel("COMANDIA")
        brand.setObjectName("brand")
        brand_row = QHBoxLayout()
        brand_row.setContentsMargins(10, 10, 10, 6)
        brand_row.addWidget(brand_logo)
        brand_row.addWidget(brand, 1)
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(226)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addLayout(brand_row)
        side.addWidget(self.nav, 1)
        content = QVBoxLayout()
        content.setContentsMargins(12, 8, 12, 4)
        content.addLayout(top)
        content.addWidget(self.version_banner)
        content.addWidget(self.banner)
        content.addWidget(self.stack, 1)
        root = QHBoxLayout()
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(sidebar)
        root.addLayout(content, 1)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)
        self.pages: dict[str, Page] = {}  # the pages built so far (on first visit)
        self.page_keys: list[str] = []
        self._factories: dict[str, PageFactory] = {}
        self.nav.currentRowChanged.connect(self._show_row)
        self.tenant_box.currentIndexChanged.connect(self._pick_tenant)
        ctx.runner.unauthorized.connect(self._session_ended)
        ctx.runner.failed.connect(self._failed)
        login.loggedIn.connect(self._logged_in_again)
        self.start()

    # --- building ------------------------------------------------------------------------
    def start(self) -> None:
        """Build the pages for the logged-in user and load the tenant list."""
        connection = self.ctx.connection
        user = self.user = connection.user
        assert user is not None
        self.user_label.setText(self.ctx.tr("main.user", user=user.username, role=self.ctx.tr(f"role.{user.role}")))
        for key, factory in page_factories(self.ctx, connection.is_superadmin, self):
            self._factories[key] = factory
            self.page_keys.append(key)
            self.stack.addWidget(QWidget())  # a placeholder until the first visit
            self.nav.addItem(self.ctx.tr(f"nav.{key}"))
        self.show_icons()
        self.load_tenants()

    def show_icons(self) -> None:
        """Draw the sidebar's page icons in the current theme's colours."""
        theme = colors(self.ctx.settings.theme)
        for row, key in enumerate(self.page_keys):
            item = self.nav.item(row)
            if item is not None:
                item.setIcon(page_icon(key, theme))

    def change_theme(self, theme: str) -> None:
        """Dress the whole console in `theme` (``system``, ``light`` or ``dark``) now and remember it."""
        self.ctx.settings.theme = theme
        self.theme_box.blockSignals(True)
        self.theme_box.setCurrentIndex(THEMES.index(theme))
        self.theme_box.blockSignals(False)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.show_icons()

    def show_versions(self, console: str, server: str) -> None:
        """The console's and the server's release in the status bar; a warning when they do not fit."""
        tr = self.ctx.tr
        shown = server or tr("version.unknown")
        self.version_label.setText(tr("version.label", server=shown, console=console))
        self.statusBar().addPermanentWidget(self.version_label)
        fit = compare(console, server)
        if fit in ("server_newer", "server_older"):
            self.version_banner.show_error(tr(f"version.{fit}", server=shown, console=console), None)
        else:
            self.version_banner.hide()

    def page(self, key: str) -> Page:
        """The page named `key`, built now if it was never visited."""
        page = self.pages.get(key)
        if page is None:
            index = self.page_keys.index(key)
            page = self.pages[key] = self._factories[key]()
            page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
        return page

    def load_tenants(self, then: Callable[[], None] | None = None) -> None:
        user = self.ctx.connection.user
        assert user is not None
        superadmin, tenant_id = self.ctx.connection.is_superadmin, user.tenant_id or ""

        def work(client: ApiClient) -> list[TenantInfo]:
            # A manager sees only its own tenant; listing them all is the superadmin's.
            return client.tenants.list() if superadmin else [client.tenants.get(tenant_id)]

        self.ctx.runner.run(work, lambda tenants: self._tenants_loaded(tenants, then))

    def _tenants_loaded(self, tenants: list[TenantInfo], then: Callable[[], None] | None) -> None:
        self.ctx.tenants = tenants
        current = self.ctx.tenant.id if self.ctx.tenant else None
        self.tenant_box.blockSignals(True)
        self.tenant_box.clear()
        for tenant in tenants:
            self.tenant_box.addItem(tenant.name, tenant.id)
        self.tenant_box.blockSignals(False)
        index = next((i for i, t in enumerate(tenants) if t.id == current), 0)
        if tenants:
            self.tenant_box.setCurrentIndex(index)
            self._pick_tenant(index)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        if then is not None:
            then()

    # --- navigation ----------------------------------------------------------------------
    def open_page(self, key: str) -> Page:
        self.nav.setCurrentRow(self.page_keys.index(key))
        return self.page(key)

    def current_page(self) -> Page:
        return self.page(self.page_keys[self.stack.currentIndex()])

    def open_tenant(self, tenant_id: str, page: str = "orders") -> None:
        """Make `tenant_id` the current tenant (a superadmin opening any tenant) and show `page`."""
        index = self.tenant_box.findData(tenant_id)
        if index < 0:
            self.load_tenants(lambda: self.open_tenant(tenant_id, page))
            return
        self.tenant_box.setCurrentIndex(index)
        self.open_page(page)

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.statusBar().clearMessage()  # the last page's status line is not this one's
            page = self.page(self.page_keys[row])
            self.stack.setCurrentIndex(row)
            if not page.needs_tenant or self.ctx.tenant is not None:
                page.reload()

    def _pick_tenant(self, index: int) -> None:
        tenant_id = self.tenant_box.itemData(index)
        tenant = next((t for t in self.ctx.tenants if t.id == tenant_id), None)
        if tenant is None or (self.ctx.tenant is not None and tenant.id == self.ctx.tenant.id):
            self.ctx.tenant = tenant or self.ctx.tenant
            return
        self.ctx.tenant = tenant
        if self.stack.count() and self.current_page().needs_tenant:
            self.current_page().reload()

    # --- session -------------------------------------------------------------------------
    def _session_ended(self, _error: object) -> None:
        """The token expired or was revoked: bring the login back, keep this window and page."""
        if self.login.isVisible():
            return
        self.login.expired()
        self.login.show()
        self.login.raise_()

    def _logged_in_again(self, _result: object) -> None:
        self.banner.hide()
        self.current_page().reload()

    def _failed(self, error: object, retry: Callable[[], None]) -> None:
        assert isinstance(error, Exception)
        self.banner.show_error(user_message(error, self.ctx.tr), retry)

    def _change_language(self, language: str) -> None:
        self.ctx.settings.language = language
        self.languageChanged.emit(language)

    def current_key(self) -> str | None:
        """The key of the page on show (None before the first page is chosen)."""
        row = self.nav.currentRow()
        return self.page_keys[row] if 0 <= row < len(self.page_keys) else None

    def detach(self) -> None:
        """Stop listening to the shared runner and login (a new main window replaces this one)."""
        self.ctx.runner.unauthorized.disconnect(self._session_ended)
        self.ctx.runner.failed.disconnect(self._failed)
        self.login.loggedIn.disconnect(self._logged_in_again)
        for page in self.pages.values():
            poll = getattr(page, "poll", None)
            if poll is not None:
                poll.stop()
        self.close()
        self.deleteLater()

    def log_out(self) -> None:
        connection = self.ctx.connection
        if connection.user is not None:
            self.ctx.credentials.forget(connection.base_url, connection.user.username)
        self.ctx.runner.run(lambda client: client.auth.logout(), on_error=lambda _e: None)
        self.close()
        self.login.show()

"""The login dialog: server URL, username, password, "remember me" (system keyring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from comandia.console.context import AppContext
from comandia.console.errors import user_message
from comandia.console.theme import logo
from comandia.shared.client import UnauthorizedError

if TYPE_CHECKING:
    # The client and `requests` come with the first request, after this window shows (console/connection.py).
    from comandia.shared.client import ApiClient
    from comandia.shared.client.capabilities import ServerDescription
    from comandia.shared.schemas.auth import LoginResult


@dataclass(frozen=True)
class LoggedIn:
    """What a successful login brings: the token, the user and what the server offers."""

    result: LoginResult
    server: ServerDescription


def log_in(client: ApiClient, username: str, password: str) -> LoggedIn:
    """Background part of the login: the token, then the server's version and route list."""
    from comandia.shared.client.capabilities import CapabilitiesApi  # noqa: PLC0415 - see the imports

    result = client.auth.login(username, password)
    return LoggedIn(result, CapabilitiesApi(client.transport).describe())


class LoginDialog(QDialog):
    """Asks for the server and the credentials; shown again when the token stops working.

    Signals:
        loggedIn(object): a `LoggedIn`; the context's connection already carries the new token.
    """

    loggedIn = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.setWindowTitle(f"{tr('app.title')} — {tr('login.title')}")
        self.setModal(False)
        self.setMinimumWidth(420)
        self.server = QLineEdit(ctx.settings.server_url)
        self.username = QLineEdit(ctx.settings.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(tr("login.remember"))
        self.keyring_note = QLabel(tr("login.no_keyring"))
        self.keyring_note.setWordWrap(True)
        if not ctx.credentials.available:
            self.remember.setEnabled(False)
            self.remember.setChecked(False)
        else:
            self.keyring_note.hide()
        self.error = QLabel()
        self.error.setObjectName("error")  # red in the theme (console/theme.py)
        self.error.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.hide()
        form = QFormLayout()
        form.addRow(tr("login.server"), self.server)
        form.addRow(tr("login.username"), self.username)
        form.addRow(tr("login.password"), self.password)
        form.addRow("", self.remember)
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton(tr("login.submit"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.clicked.connect(self.attempt)
        self.password.returnPressed.connect(self.attempt)
        brand_logo = QLabel()
        brand_logo.setPixmap(logo().pixmap(40, 40))
        brand = QLabel(f"COMANDIA<br><span style='font-size:9pt; font-weight:400'>{tr('login.tagline')}</span>")
        brand.setObjectName("brand")
        header = QHBoxLayout()
        header.addWidget(brand_logo)
        header.addWidget(brand, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    def expired(self) -> None:
        """Come back because the token stopped working: keep server and user, ask the password."""
        self.error.setText(self.ctx.tr("login.expired"))
        self.password.clear()
        self.password.setFocus()

    def attempt(self) -> None:
        url, name, secret = self.server.text().strip(), self.username.text().strip(), self.password.text()
        if not (url and name and secret):
            self.error.setText(self.ctx.tr("login.required"))
            return
        self.error.clear()
        self.submit.setEnabled(False)
        self.busy.show()
        self.ctx.connection.base_url = url
        self.ctx.runner.run(lambda client: log_in(client, name, secret), self._done, self._failed)

    def _done(self, result: object) -> None:
        assert isinstance(result, LoggedIn)
        self.busy.hide()
        self.submit.setEnabled(True)
        connection = self.ctx.connection
        connection.token, connection.user = result.result.token, result.result.user
        connection.capabilities, connection.server_version = result.server.paths, result.server.version
        self.ctx.settings.server_url = connection.base_url
        self.ctx.settings.username = result.result.user.username
        if self.remember.isChecked():
            self.ctx.credentials.save(connection.base_url, result.result.user.username, result.result.token)
        self.password.clear()
        self.hide()
        self.loggedIn.emit(result)

    def _failed(self, error: Exception) -> None:
        self.busy.hide()
        self.submit.setEnabled(True)
        if isinstance(error, UnauthorizedError):
            self.error.setText(self.ctx.tr("login.bad_password"))
        else:
            self.error.setText(user_message(error, self.ctx.tr))

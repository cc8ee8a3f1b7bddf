"""`comandia-console`: the QApplication, the login, then the main window."""

from __future__ import annotations

import argparse
import functools
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from comandia.console.connection import Connection
from comandia.console.context import AppContext
from comandia.console.credentials import CredentialStore
from comandia.console.i18n import Translator
from comandia.console.settings import ConsoleSettings
from comandia.console.tasks import TaskRunner
from comandia.console.theme import apply_theme
from comandia.console.windows.login import LoggedIn, LoginDialog
from comandia.shared.version import __version__

if TYPE_CHECKING:
    # Imported where first used: the login window shows before the API client, `requests` and
    # the main window's pages are loaded (`--startup-probe` times it; tests/console/test_startup.py).
    from comandia.console.windows.main_window import MainWindow
    from comandia.shared.client import ApiClient
    from comandia.shared.client.capabilities import ServerDescription
    from comandia.shared.schemas.users import UserInfo


@functools.cache  # once per process (counting the frozen objects to tell would walk them all)
def freeze_startup_heap() -> None:
    """Leave what start-up built out of every later full garbage collection (once per process).

    A full collection walks every object the process tracks: about 70 ms of the GUI thread for the
    console's 150,000 after login on a fast core, and several times that on a slow one, landing
    inside whichever click allocated last. The modules, Qt wrappers and catalogs built so far live
    as long as the process, so `gc.freeze` moves them to the permanent generation; collections then
    walk only what the session itself makes.
    """
    gc.freeze()


def resume_session(client: ApiClient) -> tuple[UserInfo, ServerDescription]:
    """Background part of "remember me": is the kept token still good, and what does the server offer."""
    from comandia.shared.client.capabilities import CapabilitiesApi  # noqa: PLC0415 - see the imports

    return client.auth.me(), CapabilitiesApi(client.transport).describe()


class ConsoleApp(QObject):
    """Owns the context, the login dialog and the main window.

    Signals: none.
    """

    def __init__(
        self,
        settings: ConsoleSettings,
        credentials: CredentialStore,
        inline: bool = False,
        language: str | None = None,
        connection: Connection | None = None,
    ) -> None:
        super().__init__()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        connection = connection or Connection(settings.server_url)
        runner = TaskRunner(connection, inline=inline, parent=self)
        self.ctx = AppContext(runner, settings, credentials, Translator(language or settings.language))
        connection.language = self.ctx.tr.language  # the server's error texts in the console's language
        self.login = LoginDialog(self.ctx)
        self.login.loggedIn.connect(self._logged_in)
        self.window: MainWindow | None = None

    def start(self) -> None:
        """Reuse a remembered token if it still works; otherwise show the login."""
        remembered = self.ctx.credentials.load()
        if remembered is None:
            self.login.show()
            return
        url, _user, token = remembered
        connection = self.ctx.connection
        connection.base_url, connection.token = url, token
        self.ctx.runner.run(resume_session, self._resumed, lambda _error: self.login.show())

    def _resumed(self, result: tuple[UserInfo, ServerDescription]) -> None:
        connection = self.ctx.connection
        connection.user, server = result
        connection.capabilities, connection.server_version = server.paths, server.version
        self.open_main()

    def _logged_in(self, result: LoggedIn) -> None:
        window = self.window
        same_user = window is not None and window.user == result.result.user
        if window is None or not window.isVisible() or not same_user:
            self.open_main()  # otherwise the window keeps its page and reloads it

    def open_main(self) -> MainWindow:
        """Show a new main window for the logged-in user (replacing the one on show)."""
        from comandia.console.windows.main_window import MainWindow  # noqa: PLC0415 - see the imports

        if self.window is not None:
            self.window.detach()
        window = self.window = MainWindow(self.ctx, self.login)
        window.languageChanged.connect(self._change_language)
        window.show()
        window.show_versions(__version__, self.ctx.connection.server_version)
        freeze_startup_heap()
        return window

    def _change_language(self, language: str) -> None:
        """Show the console in `language` now: a new main window on the same tenant and page.

        Every page reads its texts when it is built, so rebuilding the window is what retranslates
        it; the login dialog follows the next time it is opened (a new start).
        """
        old = self.window
        key = old.current_key() if old is not None else None
        self.ctx.tr.language = language
        self.ctx.connection.language = self.ctx.tr.language
        window = self.open_main()
        window.statusBar().showMessage(self.ctx.tr("settings.language_changed"), 8000)
        if key is not None:
            window.open_page(key)

    def shutdown(self) -> None:
        self.ctx.runner.shutdown()


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="comandia-console", description="COMANDIA desktop console")
    parser.add_argument("--version", action="version", version=f"comandia-console {__version__}")
    parser.add_argument("--server", help="server URL (remembered for next time)")
    parser.add_argument("--language", choices=("es", "en"), help="screen language (remembered)")
    parser.add_argument(
        "--startup-probe",
        action="store_true",
        help="show the login window, build the main window with every page (offline), print the seconds "
        "since the process started, then quit",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    settings = ConsoleSettings()
    credentials = CredentialStore()
    if args.startup_probe:  # a probe leaves the user's settings alone
        from comandia.console.probe import probe  # noqa: PLC0415 - only the probe needs it

        return probe(app, settings, credentials)
    if args.server:
        settings.server_url = args.server
    if args.language:
        settings.language = args.language
    console = ConsoleApp(settings, credentials)
    QTimer.singleShot(0, console.start)
    code = app.exec()
    console.shutdown()
    return int(code)

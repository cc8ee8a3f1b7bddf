"""`comandia-console --startup-probe`: seconds from the process's start to the login window, then
to a main window with every page built, offline.

The offline session is made on the first request, like the real one: importing `requests` here
would put it before the login window and the probe would time what the console does not do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from comandia.console.app import ConsoleApp
from comandia.console.connection import Connection
from comandia.console.credentials import CredentialStore
from comandia.console.settings import ConsoleSettings
from comandia.console.startup import seconds_since_start
from comandia.shared.schemas.users import UserInfo

if TYPE_CHECKING:
    import requests


def offline_session() -> requests.Session:
    """An HTTP session whose every request fails as an unreachable server would; nothing leaves."""
    from comandia.console.offline_session import OfflineSession  # noqa: PLC0415 - see the module

    return OfflineSession()


def probe(app: QApplication, settings: ConsoleSettings, credentials: CredentialStore) -> int:
    """Time to the login window, then to a main window with every page built; print both, return 0.

    The main window is a superadmin's (every page) for a made-up user on an offline session, so
    the probe needs no server and sends nothing; its pages show the unreachable-server banner.
    """
    console = ConsoleApp(
        settings, credentials, connection=Connection("http://probe.invalid", session_factory=offline_session)
    )
    console.login.show()
    app.processEvents()
    login, from_process = seconds_since_start()
    console.ctx.connection.user = UserInfo(id=0, username="probe", role="superadmin", tenant_id=None, disabled=False)
    window = console.open_main()
    for key in window.page_keys:
        window.page(key)
    app.processEvents()
    main_window, _ = seconds_since_start()
    console.ctx.runner.wait_idle()
    app.processEvents()
    since = "process start" if from_process else "package import"
    print(f"login window after {login:.3f} s")  # noqa: T201 - the probe's output
    print(f"main window after {main_window:.3f} s ({len(window.page_keys)} pages; from {since})")  # noqa: T201
    window.close()
    console.shutdown()
    return 0

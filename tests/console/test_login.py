"""Logging in: good and bad passwords, no keyring, server down, and an expired token mid-session."""

from __future__ import annotations

import socket

import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from comandia.console.app import ConsoleApp
from comandia.console.credentials import CredentialStore
from comandia.console.settings import ConsoleSettings
from comandia.console.windows.customers import CustomersPage
from comandia.shared.version import __version__
from tests.console.conftest import LogIn, MemoryKeyring
from tests.plugins.api import World


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_good_password_opens_the_main_window_and_remembers_the_token(
    console: ConsoleApp, log_in: LogIn, world: World, memory_keyring: MemoryKeyring
) -> None:
    console.login.remember.setChecked(True)
    window = log_in(world.manager_a)
    assert window.ctx.connection.user is not None and window.ctx.connection.user.username == world.manager_a.username
    assert not console.login.isVisible()
    remembered = CredentialStore(memory_keyring).load()
    assert remembered is not None and remembered[1] == world.manager_a.username
    assert remembered[2] == window.ctx.connection.token


@pytest.mark.usefixtures("forget_login_failures")
def test_bad_password_says_so_and_stays_on_the_login(console: ConsoleApp, qtbot: QtBot, world: World) -> None:
    console.login.username.setText(world.manager_a.username)
    console.login.password.setText("not the password")
    console.login.submit.click()
    qtbot.waitUntil(lambda: console.login.submit.isEnabled() and bool(console.login.error.text()), timeout=10_000)
    assert console.login.error.text() == "Wrong username or password."
    assert console.window is None and console.login.isVisible()


def test_without_a_keyring_the_dialog_says_so_and_does_not_remember(
    qtbot: QtBot, console_settings: ConsoleSettings
) -> None:
    app = ConsoleApp(console_settings, CredentialStore(fail.Keyring()), language="en")
    qtbot.addWidget(app.login)
    app.login.show()
    assert not app.login.remember.isEnabled() and not app.login.remember.isChecked()
    assert app.login.keyring_note.isVisible()
    assert "keyring" in app.login.keyring_note.text()
    assert CredentialStore(fail.Keyring()).save("http://x", "u", "t") is False
    app.shutdown()


def test_server_down_shows_a_message_and_the_window_keeps_working(console: ConsoleApp, qtbot: QtBot) -> None:
    console.login.server.setText(closed_port_url())
    console.login.username.setText("anyone")
    console.login.password.setText("whatever password")
    console.login.submit.click()
    qtbot.waitUntil(lambda: console.login.submit.isEnabled() and bool(console.login.error.text()), timeout=10_000)
    assert "Cannot reach the server" in console.login.error.text()


def test_server_down_after_login_shows_a_banner_with_retry(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot, api_url: str
) -> None:
    window = log_in(world.manager_a)
    page = window.open_page("customers")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0)
    window.ctx.connection.base_url = closed_port_url()
    page.reload()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "Cannot reach the server" in window.banner.text.text()
    assert window.banner.retry_button.isVisible()
    window.ctx.connection.base_url = api_url
    window.banner.retry_button.click()
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0 and not page.progress.isVisible(), timeout=10_000)
    assert not window.banner.isVisible()


def test_expired_token_brings_the_login_back_and_keeps_the_page(
    console: ConsoleApp, log_in: LogIn, world: World, qtbot: QtBot, expired_token: str
) -> None:
    window = log_in(world.manager_a)
    page = window.open_page("customers")
    assert isinstance(page, CustomersPage)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0)
    window.ctx.connection.token = expired_token
    page.reload()
    qtbot.waitUntil(lambda: console.login.isVisible(), timeout=10_000)
    assert console.login.error.text() == "Your session ended. Please log in again."
    assert console.login.username.text() == world.manager_a.username
    console.login.password.setText(world.manager_a.password)
    console.login.submit.click()
    qtbot.waitUntil(lambda: not console.login.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    assert console.window is window and window.isVisible()
    assert window.current_page() is page
    assert window.ctx.connection.token != expired_token


def test_the_status_bar_shows_both_versions_and_no_warning_when_they_match(
    console: ConsoleApp, log_in: LogIn, world: World
) -> None:
    window = log_in(world.manager_a)
    assert window.ctx.connection.server_version == __version__
    tr = window.ctx.tr
    assert window.version_label.text() == tr("version.label", server=__version__, console=__version__)
    assert __version__ in window.version_label.text()
    assert window.version_banner.isHidden()


@pytest.mark.parametrize(("server", "fit"), [("9.0.0", "server_newer"), ("0.0.1", "server_older")])
def test_a_server_newer_or_older_than_the_console_supports_is_said_plainly(
    console: ConsoleApp, log_in: LogIn, world: World, server: str, fit: str
) -> None:
    window = log_in(world.manager_a)
    window.show_versions(__version__, server)
    assert not window.version_banner.isHidden()
    text = window.version_banner.text.text()
    assert text == window.ctx.tr(f"version.{fit}", server=server, console=__version__)
    assert ("newer" in text or "nueva" in text) == (fit == "server_newer")
    assert server in text and __version__ in text
    window.banner.show_error("otro error", None)
    window.banner.hide()  # a failure shown and cleared elsewhere leaves the version warning up
    assert not window.version_banner.isHidden()

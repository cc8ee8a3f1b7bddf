"""Render each console window with demo data to PNG (offscreen) into docs/img/.

    .venv/bin/python scripts/screenshots.py [--out docs/img] [--language en]

No server is needed: the console runs unchanged over `scripts/console_demo.DemoSession`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget

from comandia.console.app import ConsoleApp
from comandia.console.connection import Connection
from comandia.console.credentials import CredentialStore
from comandia.console.settings import ConsoleSettings
from comandia.console.tickets import ticket_html
from comandia.console.windows.backups import BackupsPage
from comandia.console.windows.board import BoardPage
from comandia.console.windows.catalog import CatalogPage
from comandia.console.windows.conversations import ConversationsPage
from comandia.console.windows.main_window import MainWindow
from comandia.console.windows.onboarding import OnboardingPage
from comandia.console.windows.orders import OrdersPage
from scripts.console_demo import NOW, TENANT_ID, DemoSession


def quiet_platform_noise(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """The offscreen platform cannot resize native windows and says so each time; show the rest."""
    if not message.startswith("This plugin does not support"):
        print(f"Qt {kind.name}: {message}", file=sys.stderr)  # noqa: T201


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"wrote {path}")  # noqa: T201 - a script's report


def save_ticket(console: ConsoleApp, path: Path) -> None:
    """The kitchen ticket of a demo order as it prints, on a white strip of receipt paper."""
    ctx = console.ctx
    detail = ctx.connection.client().orders.get(TENANT_ID, 1007)
    document = QTextDocument()
    document.setHtml(ticket_html(detail, ctx.tr, ctx.fmt))
    document.setTextWidth(420)
    image = QImage(int(document.size().width()) + 40, int(document.size().height()) + 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(20, 20)
    document.drawContents(painter)
    painter.end()
    image.save(str(path))
    print(f"wrote {path}")  # noqa: T201 - a script's report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--language", choices=("es", "en"), default="en")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.language == "en" else f"-{args.language}"
    qInstallMessageHandler(quiet_platform_noise)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="comandia-shots-"))
    settings = ConsoleSettings(QSettings(str(work / "console.ini"), QSettings.Format.IniFormat))
    settings.server_url = "https://comandia.example.com"
    connection = Connection(settings.server_url, session_factory=DemoSession)
    console = ConsoleApp(settings, CredentialStore(), inline=True, language=args.language, connection=connection)
    console.login.username.setText("admin")
    console.login.show()
    save(app, console.login, out / f"login{suffix}.png")
    console.login.password.setText("demo password")
    console.login.attempt()
    window = console.window
    assert isinstance(window, MainWindow)
    window.resize(1280, 800)
    window.open_tenant(TENANT_ID, "orders")
    board = window.page("board")
    assert isinstance(board, BoardPage)
    board.clock = lambda: NOW  # ages as the demo's "now" reads them
    for key in (
        "tenants",
        "provision",
        "users",
        "admin_kpis",
        "audit",
        "orders",
        "customers",
        "catalog",
        "settings",
        "kpis",
        "board",
    ):
        window.open_page(key)
        save(app, window, out / f"{key}{suffix}.png")
    window.change_theme("dark")
    save(app, window, out / f"board-dark{suffix}.png")
    window.open_page("kpis")
    save(app, window, out / f"kpis-dark{suffix}.png")
    window.change_theme("system")
    chats = window.open_page("conversations")
    assert isinstance(chats, ConversationsPage)
    chats.chats.setCurrentRow(0)
    save(app, window, out / f"conversations{suffix}.png")
    save_ticket(console, out / f"ticket{suffix}.png")
    backups = window.page("backups")
    assert isinstance(backups, BackupsPage)
    backups.clock = lambda: NOW  # the demo data's "now", so its ages read as the docs describe them
    window.open_page("backups")
    backups.select_tenant("t1demo")  # red: its newest restore check failed, and the list says why
    backups.backup_table.selectRow(1)  # the newest backup that passed its check: the one to restore from
    save(app, window, out / f"backups{suffix}.png")
    orders = window.page("orders")
    assert isinstance(orders, OrdersPage)
    detail = orders.open_detail(0)
    assert detail is not None
    save(app, detail, out / f"order_detail{suffix}.png")
    detail.close()
    catalog = window.page("catalog")
    assert isinstance(catalog, CatalogPage)
    importer = catalog.open_import()
    assert importer is not None
    importer.load_file(work / "menu.csv", content=b"sku,name\n")
    save(app, importer, out / f"catalog_import{suffix}.png")
    importer.close()
    onboarding = window.open_page("onboarding")
    assert isinstance(onboarding, OnboardingPage)
    onboarding.tenant_id = TENANT_ID
    onboarding.progress_data = {"chat_done": True}
    onboarding.go_to(3)
    chat = onboarding.chat
    chat.input.setText("Hola")
    chat.send_text()
    for choice in ("menu", "p1", "confirm"):  # tap the bot's buttons as a customer would
        chat.choice_buttons[choice].click()
    save(app, window, out / f"sandbox_chat{suffix}.png")
    onboarding.chat_done.setChecked(True)
    onboarding.go_to(4)
    save(app, window, out / f"onboarding{suffix}.png")
    console.shutdown()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

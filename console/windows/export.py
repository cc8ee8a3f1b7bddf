"""`ExportButton`: pick a dataset and format, a save dialog, then the download in the background."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget

from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.client.exports import FORMATS
from comandia.shared.domain.times import to_local, utcnow

Fetch = Callable[[ApiClient, str, str], bytes]  # (client, dataset, fmt) -> file


def download(fetch: Fetch, dataset: str, fmt: str, path: Path) -> Callable[[ApiClient], Path]:
    """Background part: fetch the file and write it (a local write, off the GUI thread too)."""

    def work(client: ApiClient) -> Path:
        path.write_bytes(fetch(client, dataset, fmt))
        return path

    return work


def suggested_file(name: str, dataset: str, fmt: str, timezone: str, now: dt.datetime) -> str:
    """The file name offered for an export: the business, the dataset and today's date in the
    business's time zone (not the computer's: a Mexican shop's evening is already tomorrow in UTC)."""
    return f"{name}-{dataset}-{to_local(now, timezone).date().isoformat()}.{fmt}"


class ExportButton(QWidget):
    """Signals: none (it reports through the page's `message`)."""

    def __init__(
        self,
        page: Page,
        datasets: tuple[str, ...],
        fetch: Fetch,
        name: Callable[[], str],
        timezone: Callable[[], str] = lambda: "UTC",
    ) -> None:
        super().__init__(page)
        self.page, self._fetch, self._name, self._timezone = page, fetch, name, timezone
        self.dataset = QComboBox()
        for key in datasets:  # shown in the console's language, sent as the API's name
            self.dataset.addItem(page.i18n(f"export.dataset.{key}"), key)
        self.dataset.setVisible(len(datasets) > 1)
        self.fmt = QComboBox()
        self.fmt.addItems(FORMATS)
        self.button = QPushButton(page.i18n("common.export"))
        self.button.clicked.connect(self.ask_path)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.dataset, self.fmt, self.button):
            row.addWidget(widget)
        self.dialog: QFileDialog | None = None

    def ask_path(self) -> None:
        fmt = self.fmt.currentText()
        suggested = suggested_file(self._name(), str(self.dataset.currentData()), fmt, self._timezone(), utcnow())
        self.dialog = QFileDialog(self, self.page.i18n("common.export"), suggested, f"{fmt.upper()} (*.{fmt})")
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        self.dialog.open()  # window-modal sheet, but the event loop keeps running

    def export_to(self, path: Path) -> None:
        work = download(self._fetch, str(self.dataset.currentData()), self.fmt.currentText(), path)
        self.button.setEnabled(False)

        def done(saved: Path) -> None:
            self.button.setEnabled(True)
            self.page.say(self.page.i18n("common.exported", path=str(saved)))

        def failed(error: Exception) -> None:
            self.button.setEnabled(True)
            self.page.say_error(error)

        self.page.call(work, done, failed)

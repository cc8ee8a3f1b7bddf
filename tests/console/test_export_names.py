"""The export button names its datasets in the console's language and asks the API by their names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from comandia.console.i18n import Translator
from comandia.console.windows.export import ExportButton
from comandia.shared.client.exports import DATASETS


class FakePage(QWidget):
    def __init__(self, language: str) -> None:
        super().__init__()
        self.i18n = Translator(language)
        self.works: list[Any] = []

    def call(self, work: Any, done: Any, failed: Any) -> None:
        self.works.append(work)


def test_datasets_read_in_spanish_and_go_out_by_their_api_names(qtbot: QtBot, tmp_path: Path) -> None:
    page = FakePage("es")
    qtbot.addWidget(page)
    button = ExportButton(page, DATASETS, lambda client, dataset, fmt: f"{dataset}.{fmt}".encode(), lambda: "x")
    shown = [button.dataset.itemText(i) for i in range(button.dataset.count())]
    assert shown == ["Pedidos", "Clientes", "Productos", "Indicadores"]
    button.dataset.setCurrentIndex(1)
    button.export_to(tmp_path / "clientes.csv")
    [work] = page.works
    assert work(None) == tmp_path / "clientes.csv"
    assert (tmp_path / "clientes.csv").read_bytes() == f"customers.{button.fmt.currentText()}".encode()


def test_the_suggested_file_is_dated_in_the_businesss_time_zone() -> None:
    import datetime as dt

    from comandia.console.windows.export import suggested_file

    evening_in_mexico = dt.datetime(2026, 12, 6, 3, 30, tzinfo=dt.UTC)  # 21:30 on the 5th there
    assert suggested_file("Tacos", "orders", "csv", "America/Mexico_City", evening_in_mexico) == (
        "Tacos-orders-2026-12-05.csv"
    )
    assert suggested_file("comandia", "tenants", "xlsx", "UTC", evening_in_mexico) == "comandia-tenants-2026-12-06.xlsx"

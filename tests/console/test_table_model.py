"""The paged table model: 10,000 rows arrive 200 at a time as the view scrolls, each step quick."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from comandia.console.models.table import Column, RecordTableModel

TOTAL, PAGE = 10_000, 200


def test_ten_thousand_rows_scroll_in_pages_without_stalling(qtbot: QtBot) -> None:
    rows = [(n, f"Cliente {n}", f"${n * 3}.50") for n in range(TOTAL)]
    columns = [Column[tuple[int, str, str]](title, lambda r, i=i: str(r[i])) for i, title in enumerate("abc")]
    model: RecordTableModel[tuple[int, str, str]] = RecordTableModel(columns)
    asked: list[str] = []

    def serve(cursor: str) -> None:  # what the page does with the server's answer, here at once
        asked.append(cursor)
        start = int(cursor)
        end = min(start + PAGE, TOTAL)
        model.append_page(rows[start:end], str(end) if end < TOTAL else None)

    model.moreWanted.connect(serve)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.setModel(model)
    view.show()
    model.set_rows(rows[:PAGE], str(PAGE))
    slowest = 0.0
    while model.canFetchMore():
        started = time.thread_time()  # the GUI thread's own time: a loaded machine must not fail this
        view.scrollToBottom()
        qtbot.wait(1)  # let the view paint and ask for more
        slowest = max(slowest, (time.thread_time() - started) * 1000)
    assert model.rowCount() == TOTAL and len(asked) == TOTAL // PAGE - 1
    assert model.data(model.index(TOTAL - 1, 1)) == f"Cliente {TOTAL - 1}"
    assert slowest < 50, f"a scroll step took {slowest:.1f} ms"

"""`DateRangePicker`: presets (today, 7 days, 30 days, this month) or a custom range, in the tenant's days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from comandia.console.i18n import Translator
from comandia.shared.domain.times import PERIODS, period_days

PRESETS = (*PERIODS, "custom")


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days of `preset` ending `today` (both included)."""
    return period_days(preset, today)


class DateRangePicker(QWidget):
    """Signals:
    changed(object, object): the first and last day (`datetime.date`), both included.
    """

    changed = Signal(object, object)

    def __init__(self, tr: Translator, timezone: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timezone = timezone
        self.preset = QComboBox()
        for key in PRESETS:
            self.preset.addItem(tr(f"kpis.{key}"), key)
        self.preset.setCurrentIndex(PRESETS.index("30days"))
        self.first = QDateEdit()
        self.last = QDateEdit()
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd" if tr.language == "en" else "dd/MM/yyyy")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._custom_changed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(tr("kpis.range")))
        row.addWidget(self.preset)
        row.addWidget(self.first)
        row.addWidget(self.last)
        self.preset.currentIndexChanged.connect(lambda _i: self.apply_preset())
        self.apply_preset(emit=False)

    def today(self) -> dt.date:
        """Today in the tenant's time zone (not the computer's)."""
        return dt.datetime.now(ZoneInfo(self._timezone())).date()

    def apply_preset(self, emit: bool = True) -> None:
        key = self.preset.currentData()
        custom = key == "custom"
        self.first.setEnabled(custom)
        self.last.setEnabled(custom)
        if not custom:
            first, last = preset_range(key, self.today())
            for edit, day in ((self.first, first), (self.last, last)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        if emit:
            self.changed.emit(*self.range())

    def _custom_changed(self) -> None:
        if self.preset.currentData() == "custom":
            self.changed.emit(*self.range())

    def period(self) -> str | None:
        """The preset chosen (one of `PERIODS`), None for a custom range."""
        key = self.preset.currentData()
        return None if key == "custom" else str(key)

    def range(self) -> tuple[dt.date, dt.date]:
        first, last = self.first.date(), self.last.date()
        a = dt.date(first.year(), first.month(), first.day())
        b = dt.date(last.year(), last.month(), last.day())
        return (a, b) if a <= b else (b, a)

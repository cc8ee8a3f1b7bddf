"""KPI cards above the dashboard's charts: orders, revenue, average ticket and new customers, each
with its change against the previous period of the same length."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.schemas.kpis import KpiReport

CARDS = ("orders", "revenue", "average_ticket", "new_customers")


def change_text(current: Decimal | int, previous: Decimal | int, tr: Translator, fmt: TenantFormat) -> tuple[str, str]:
    """(the change of `current` over `previous` in words, its trend ``up``/``down``/``flat``)."""
    if not previous:
        return tr("kpis.delta_none"), "flat"
    percent = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    shown = fmt.number(abs(percent))
    if shown == "0":
        return tr("kpis.delta_flat"), "flat"
    trend = "up" if percent > 0 else "down"
    return tr(f"kpis.delta_{trend}", pct=shown), trend


class KpiCard(QFrame):
    """A title, a big value and the change against the previous period. Signals: none."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.title = QLabel(title.upper())
        self.title.setObjectName("kpiTitle")
        self.value = QLabel("—")
        self.value.setObjectName("kpiValue")
        self.delta = QLabel(" ")
        self.delta.setObjectName("kpiDelta")
        for label in (self.title, self.value, self.delta):
            layout.addWidget(label)

    def show_value(self, value: str, delta: str, trend: str) -> None:
        self.value.setText(value)
        self.delta.setText(delta)
        self.delta.setProperty("trend", trend)
        self.delta.style().unpolish(self.delta)  # a changed property restyles only after a re-polish
        self.delta.style().polish(self.delta)


class KpiCards(QWidget):
    """The four cards in a row. Signals: none."""

    def __init__(self, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.i18n = tr
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(10)
        self.cards = {key: KpiCard(tr(f"kpis.card.{key}")) for key in CARDS}
        for card in self.cards.values():
            row.addWidget(card, 1)

    def show_report(self, report: KpiReport, fmt: TenantFormat) -> None:
        now, before = report.current, report.previous
        values: dict[str, tuple[str, Decimal | int, Decimal | int]] = {
            "orders": (fmt.number(now.orders), now.orders, before.orders),
            "revenue": (fmt.money(now.revenue), now.revenue, before.revenue),
            "average_ticket": (fmt.money(now.average_ticket), now.average_ticket, before.average_ticket),
            "new_customers": (fmt.number(now.new_customers), now.new_customers, before.new_customers),
        }
        for key, (shown, current, previous) in values.items():
            self.cards[key].show_value(shown, *change_text(current, previous, self.i18n, fmt))

    def text(self) -> str:
        """Every card as one line of text (what a screen reader or a test reads)."""
        return " · ".join(f"{c.title.text()} {c.value.text()} ({c.delta.text()})" for c in self.cards.values())

"""A tenant's dashboard: range presets, grouping, six charts against the previous period, PNG, exports.

The report is fetched and the Figures are built in the background (figures.py is Qt-free);
only putting a Figure on a canvas happens on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QWidget

from comandia.console.charts.canvas import ChartView
from comandia.console.charts.figures import all_figures
from comandia.console.context import AppContext
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.windows.base import Page
from comandia.console.windows.date_range import DateRangePicker
from comandia.console.windows.export import ExportButton
from comandia.console.windows.kpi_cards import KpiCards
from comandia.shared.client import ApiClient
from comandia.shared.client.capabilities import TENANT_EXPORTS, TENANT_KPIS
from comandia.shared.client.exports import DATASETS, ExportsApi
from comandia.shared.client.kpis import KpisApi
from comandia.shared.schemas.kpis import KpiReport

CHART_KEYS = ("sales", "by_status", "top_products", "top_customers", "by_city", "by_region", "by_zone")
CHART_TITLES = (
    "chart.sales",
    "chart.by_status",
    "chart.top_products",
    "chart.top_customers",
    "chart.by_city",
    "chart.by_region",
    "chart.by_zone",
)


@dataclass(frozen=True)
class Dashboard:
    report: KpiReport
    figures: dict[str, Figure]


def load_dashboard(
    client: ApiClient,
    tenant_id: str,
    first: dt.date,
    last: dt.date,
    granularity: str,
    tr: Translator,
    language: str,
) -> Dashboard:
    """Background part: the report, then every figure (formatted in the tenant's own zone and currency)."""
    report = KpisApi(client.transport).tenant(tenant_id, first, last, granularity)
    fmt = TenantFormat(report.timezone, report.currency, language, report.country_locale)
    return Dashboard(report, all_figures(report, tr, fmt))


class KpisPage(Page):
    """Signals: inherited `message(str)`."""

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.picker = DateRangePicker(tr, lambda: ctx.fmt.timezone)
        self.picker.changed.connect(lambda _a, _b: self.reload())
        self.granularity = QComboBox()
        for key, label in (("day", "kpis.day"), ("week", "kpis.week"), ("month", "kpis.month_unit")):
            self.granularity.addItem(tr(label), key)
        self.granularity.currentIndexChanged.connect(lambda _i: self.reload())
        self.save_button = QPushButton(tr("kpis.save_png"))
        self.save_button.clicked.connect(self.ask_png_path)
        self.export = ExportButton(
            self, DATASETS, self._fetch_export, lambda: ctx.tenant.name if ctx.tenant else "", lambda: ctx.fmt.timezone
        )
        row = QHBoxLayout()
        row.addWidget(self.picker)
        row.addWidget(QLabel(tr("kpis.granularity")))
        row.addWidget(self.granularity)
        row.addStretch(1)
        row.addWidget(self.save_button)
        row.addWidget(self.export)
        self.summary = KpiCards(tr)
        self.tabs = QTabWidget()
        self.views: dict[str, ChartView] = {}
        for key, title in zip(CHART_KEYS, CHART_TITLES, strict=True):
            view = ChartView()
            self.views[key] = view
            self.tabs.addTab(view, tr(title))
        self.body.addLayout(row)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.tabs, 1)
        self.dashboard: Dashboard | None = None
        self.dialog: QFileDialog | None = None

    def _fetch_export(self, client: ApiClient, dataset: str, fmt: str) -> bytes:
        first, last = self.picker.range()
        tenant_id = self.ctx.tenant.id if self.ctx.tenant else ""
        return ExportsApi(client.transport).tenant(tenant_id, dataset, fmt, first, last)

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        offered = self.ctx.connection.offers(TENANT_KPIS)
        self.tabs.setEnabled(offered)
        self.export.setVisible(self.ctx.connection.offers(TENANT_EXPORTS))
        if not offered:
            self.say(self.i18n("main.not_offered"))
            return
        first, last = self.picker.range()
        granularity, tr, language, tenant_id = self.granularity.currentData(), self.i18n, self.i18n.language, tenant.id
        self.call(
            lambda client: load_dashboard(client, tenant_id, first, last, granularity, tr, language),
            self.show_dashboard,
        )

    def show_dashboard(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        report = dashboard.report
        fmt = TenantFormat(report.timezone, report.currency, self.i18n.language, report.country_locale)
        self.say("")
        self.summary.show_report(report, fmt)
        for key, view in self.views.items():
            view.show_figure(dashboard.figures[key])

    def ask_png_path(self) -> None:
        key = CHART_KEYS[self.tabs.currentIndex()]
        self.dialog = QFileDialog(self, self.i18n("kpis.save_png"), f"{key}.png", "PNG (*.png)")
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.fileSelected.connect(lambda path: self.save_png(key, Path(path)))
        self.dialog.open()

    def save_png(self, key: str, path: Path) -> None:
        self.views[key].save_png(str(path))
        self.say(self.i18n("common.exported", path=str(path)))

"""The dashboard's charts as `matplotlib.figure.Figure` objects: Qt-free, testable with Agg.

Never pyplot (global state, and it would pick a GUI backend). Each chart puts the current
period next to the previous one of the same length. Days are the tenant's local days (the
server buckets them in the tenant's time zone); money is formatted in the tenant's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.schemas.kpis import KpiReport, PlaceSales, ZoneSales

CURRENT, PREVIOUS = "#1f77b4", "#b0b0b0"
SIZE = (7.0, 3.6)


def _figure() -> Figure:
    figure = Figure(figsize=SIZE, dpi=100, layout="constrained")
    figure.add_subplot(111)
    return figure


def _money_axis(figure: Figure, fmt: TenantFormat, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda value, _pos: fmt.money(Decimal(str(round(value, 2)))))
    ax = figure.axes[0]
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _empty(figure: Figure, tr: Translator) -> None:
    figure.axes[0].text(0.5, 0.5, tr("chart.no_data"), ha="center", va="center", transform=figure.axes[0].transAxes)


def sales_over_time(report: KpiReport, tr: Translator, fmt: TenantFormat) -> Figure:
    """Revenue per bucket (day/week/month) of this period, with the previous period's line."""
    figure = _figure()
    ax = figure.axes[0]
    current, previous = report.current.series, report.previous.series
    labels = [fmt.day(p.start) for p in current]
    ax.plot(
        range(len(current)),
        [float(p.revenue) for p in current],
        marker="o",
        color=CURRENT,
        label=f"{tr('chart.current')} ({fmt.day(report.current.from_day)}–{fmt.day(report.current.to_day)})",
    )
    ax.plot(
        range(len(previous)),
        [float(p.revenue) for p in previous],
        linestyle="--",
        color=PREVIOUS,
        label=f"{tr('chart.previous')} ({fmt.day(report.previous.from_day)}–{fmt.day(report.previous.to_day)})",
    )
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=30, ha="right")
    ax.set_title(f"{tr('chart.sales')} · {tr('kpis.' + _unit(report.granularity))}")
    ax.set_xlabel(tr("chart.date", timezone=report.timezone))
    ax.set_ylabel(f"{tr('chart.revenue')} ({report.currency})")
    _money_axis(figure, fmt)
    ax.grid(True, alpha=0.3)
    if current or previous:
        ax.legend(loc="upper left", fontsize="small")
    else:
        _empty(figure, tr)
    return figure


def _unit(granularity: str) -> str:
    return "month_unit" if granularity == "month" else granularity


def _paired_bars(
    figure: Figure, labels: Sequence[str], now: Sequence[float], before: Sequence[float], tr: Translator
) -> None:
    ax = figure.axes[0]
    positions = range(len(labels))
    ax.barh([p + 0.2 for p in positions], now, height=0.4, color=CURRENT, label=tr("chart.current"))
    ax.barh([p - 0.2 for p in positions], before, height=0.4, color=PREVIOUS, label=tr("chart.previous"))
    ax.set_yticks(list(positions), list(labels))
    ax.invert_yaxis()
    ax.grid(True, axis="x", alpha=0.3)
    if labels:
        ax.legend(loc="lower right", fontsize="small")
    else:
        _empty(figure, tr)


def orders_by_status(report: KpiReport, tr: Translator, fmt: TenantFormat) -> Figure:
    figure = _figure()
    before = {s.status: s.orders for s in report.previous.by_status}
    rows = report.current.by_status
    labels = [tr(f"status.{s.status}") for s in rows]
    _paired_bars(figure, labels, [s.orders for s in rows], [before.get(s.status, 0) for s in rows], tr)
    ax = figure.axes[0]
    ax.set_title(tr("chart.by_status"))
    ax.set_xlabel(tr("chart.orders"))
    ax.set_ylabel(tr("orders.status"))
    return figure


def top_products(report: KpiReport, tr: Translator, fmt: TenantFormat, limit: int = 10) -> Figure:
    figure = _figure()
    before = {p.sku: float(p.revenue) for p in report.previous.top_products}
    rows = report.current.top_products[:limit]
    labels = [p.name for p in rows]
    _paired_bars(figure, labels, [float(p.revenue) for p in rows], [before.get(p.sku, 0.0) for p in rows], tr)
    _finish_money_bars(figure, tr, fmt, report, tr("chart.top_products"), tr("catalog.name"))
    return figure


def top_customers(report: KpiReport, tr: Translator, fmt: TenantFormat, limit: int = 10) -> Figure:
    figure = _figure()
    before = {c.customer_id: float(c.revenue) for c in report.previous.top_customers}
    rows = report.current.top_customers[:limit]
    labels = [c.name or f"#{c.customer_id}" for c in rows]
    now = [float(c.revenue) for c in rows]
    _paired_bars(figure, labels, now, [before.get(c.customer_id, 0.0) for c in rows], tr)
    _finish_money_bars(figure, tr, fmt, report, tr("chart.top_customers"), tr("orders.customer"))
    return figure


def sales_by_place(report: KpiReport, tr: Translator, fmt: TenantFormat, by: str = "city", limit: int = 10) -> Figure:
    """Revenue per city (`by="city"`) or per region (`by="region"`), this period and the previous."""
    figure = _figure()
    current = report.current.by_city if by == "city" else report.current.by_region
    previous = report.previous.by_city if by == "city" else report.previous.by_region

    def name(p: PlaceSales) -> str:
        return (p.city if by == "city" else p.region) or tr("chart.unknown")

    before = {name(p): float(p.revenue) for p in previous}
    rows = current[:limit]
    labels = [name(p) for p in rows]
    _paired_bars(figure, labels, [float(p.revenue) for p in rows], [before.get(n, 0.0) for n in labels], tr)
    title = tr("chart.by_city") if by == "city" else tr("chart.by_region")
    _finish_money_bars(figure, tr, fmt, report, title, tr("customers.city" if by == "city" else "customers.region"))
    return figure


def sales_by_zone(report: KpiReport, tr: Translator, fmt: TenantFormat, limit: int = 12) -> Figure:
    """Revenue per delivery zone and pickup, this period and the previous."""
    figure = _figure()

    def name(z: ZoneSales) -> str:
        if z.fulfilment == "pickup":
            return tr("chart.pickup")
        return z.zone or tr("chart.no_zone")

    before = {name(z): float(z.revenue) for z in report.previous.by_zone}
    rows = report.current.by_zone[:limit]
    labels = [name(z) for z in rows]
    _paired_bars(figure, labels, [float(z.revenue) for z in rows], [before.get(n, 0.0) for n in labels], tr)
    _finish_money_bars(figure, tr, fmt, report, tr("chart.by_zone"), tr("chart.zone"))
    return figure


def _finish_money_bars(
    figure: Figure, tr: Translator, fmt: TenantFormat, report: KpiReport, title: str, ylabel: str
) -> None:
    ax = figure.axes[0]
    ax.set_title(title)
    ax.set_xlabel(f"{tr('chart.revenue')} ({report.currency})")
    ax.set_ylabel(ylabel)
    _money_axis(figure, fmt, axis="x")


CHARTS = {
    "sales": sales_over_time,
    "by_status": orders_by_status,
    "top_products": top_products,
    "top_customers": top_customers,
    "by_city": sales_by_place,
    "by_zone": sales_by_zone,
}


def all_figures(report: KpiReport, tr: Translator, fmt: TenantFormat) -> dict[str, Figure]:
    """Every chart of the dashboard, by name (``sales``, ``by_status``, ..., ``by_region``)."""
    figures = {name: build(report, tr, fmt) for name, build in CHARTS.items()}
    figures["by_region"] = sales_by_place(report, tr, fmt, by="region")
    return figures

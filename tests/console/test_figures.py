"""Chart figures from a KPI report: built without Qt, labelled, compared with the previous period."""

from __future__ import annotations

import io
import subprocess
import sys

from matplotlib.backends.backend_agg import FigureCanvasAgg

from comandia.console.charts.figures import all_figures, sales_over_time
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.schemas.kpis import KpiReport
from tests.console.kpi_data import sample_report


def test_every_chart_has_a_title_axis_labels_and_the_previous_period() -> None:
    report = sample_report()
    figures = all_figures(report, Translator("en"), TenantFormat(report.timezone, report.currency, "en"))
    assert set(figures) == {"sales", "by_status", "top_products", "top_customers", "by_city", "by_region", "by_zone"}
    for name, figure in figures.items():
        ax = figure.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), name
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(label.startswith("This period") for label in labels), name
        assert any(label.startswith("Previous period") for label in labels), name
        png = io.BytesIO()
        FigureCanvasAgg(figure).print_png(png)
        assert png.getvalue().startswith(b"\x89PNG"), name


def test_sales_chart_uses_the_tenant_currency_zone_and_language() -> None:
    report = sample_report()
    figure = sales_over_time(report, Translator("es"), TenantFormat(report.timezone, "MXN", "es"))
    ax = figure.axes[0]
    FigureCanvasAgg(figure).draw()
    assert ax.get_title().startswith("Ventas en el tiempo")
    assert "America/Mexico_City" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.startswith("$") for t in ticks)
    assert ax.yaxis.get_major_formatter()(1500, 0) == "$1,500.00"  # as Mexicans write it
    assert ax.get_xticklabels()[0].get_text() == "2/3/2026"
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == 30


def test_an_empty_period_says_there_is_no_data() -> None:
    report = sample_report()
    empty = KpiReport.from_json(
        report.to_json()
        | {
            "current": report.current.to_json() | {"series": [], "top_products": []},
            "previous": report.previous.to_json() | {"series": [], "top_products": []},
        }
    )
    fmt = TenantFormat(report.timezone, report.currency, "en")
    for figure in (sales_over_time(empty, Translator("en"), fmt),):
        assert any(t.get_text() == "No data in this period" for t in figure.axes[0].texts)


def test_figures_module_imports_no_qt() -> None:
    code = (
        "import sys, comandia.console.charts.figures; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'matplotlib.pyplot'))]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_sales_by_zone_names_pickup_and_the_zones_in_spanish() -> None:
    from comandia.console.charts.figures import sales_by_zone

    report = sample_report()
    figure = sales_by_zone(report, Translator("es"), TenantFormat(report.timezone, "MXN", "es"))
    ax = figure.axes[0]
    FigureCanvasAgg(figure).draw()
    assert ax.get_title() == "Ventas por zona" and ax.get_ylabel() == "Zona"
    assert {t.get_text() for t in ax.get_yticklabels()} >= {"Centro", "Para recoger", "Cholula"}

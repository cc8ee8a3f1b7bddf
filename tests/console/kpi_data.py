"""A hand-made KPI report (what /kpis answers) for chart tests and screenshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from comandia.shared.schemas.kpis import (
    AdminReport,
    CustomerSales,
    KpiPeriod,
    KpiReport,
    PlaceSales,
    ProductSales,
    SeriesPoint,
    StatusCount,
    TenantActivity,
    ZoneSales,
)

WEEK = (0.78, 0.74, 0.82, 0.93, 1.22, 1.48, 1.13)
"""A restaurant's week, Monday first: quiet early in the week, busiest on Friday and Saturday."""


def _day(day: dt.date, i: int, scale: float) -> SeriesPoint:
    wobble = ((i * 7919) % 13 - 6) / 100  # a fixed ±6 %, so no two weeks look alike
    weight = WEEK[day.weekday()] * (1 + 0.004 * i) * (1 + wobble) * scale
    return SeriesPoint(day, round(11 * weight), Decimal(str(round(1500 * weight, 2))))


def _period(first: dt.date, days: int, scale: float) -> KpiPeriod:
    series = tuple(_day(first + dt.timedelta(days=i), i, scale) for i in range(days))
    revenue = sum((p.revenue for p in series), Decimal(0))
    orders = sum(p.orders for p in series)
    return KpiPeriod(
        from_day=first,
        to_day=first + dt.timedelta(days=days - 1),
        orders=orders,
        revenue=revenue,
        average_ticket=(revenue / orders).quantize(Decimal("0.01")),
        new_customers=int(25 * scale),
        returning_customers=int(40 * scale),
        series=series,
        by_status=tuple(
            StatusCount(s, int(n * scale), Decimal(int(n * 95 * scale)))
            for s, n in (("new", 12), ("confirmed", 30), ("shipped", 22), ("completed", 180), ("cancelled", 9))
        ),
        top_products=tuple(
            ProductSales(f"SKU-{i}", name, int(q * scale), Decimal(int(q * 45 * scale)))
            for i, (name, q) in enumerate(
                (
                    ("Taco al pastor", 320),
                    ("Torta de milanesa", 210),
                    ("Agua de jamaica", 190),
                    ("Quesadilla", 150),
                    ("Refresco 600 ml", 120),
                )
            )
        ),
        top_customers=tuple(
            CustomerSales(i, name, int(o * scale), Decimal(int(o * 160 * scale)))
            for i, (name, o) in enumerate(
                (("Ana López", 14), ("Carlos Pérez", 11), ("María Gómez", 9), (None, 7), ("Luis Torres", 6)), start=1
            )
        ),
        by_city=tuple(
            PlaceSales(city, region, int(o * scale), Decimal(int(o * 150 * scale)))
            for city, region, o in (
                ("Puebla", "Puebla", 120),
                ("Cholula", "Puebla", 70),
                ("Tlaxcala", "Tlaxcala", 40),
                ("", "", 12),
            )
        ),
        by_region=tuple(
            PlaceSales(None, region, int(o * scale), Decimal(int(o * 150 * scale)))
            for region, o in (("Puebla", 190), ("Tlaxcala", 40), ("", 12))
        ),
        by_zone=tuple(
            ZoneSales(fulfilment, zone, int(o * scale), Decimal(int(o * 150 * scale)))
            for fulfilment, zone, o in (("delivery", "Centro", 110), ("pickup", "", 80), ("delivery", "Cholula", 50))
        ),
    )


def sample_report(days: int = 30, last: dt.date = dt.date(2026, 3, 31)) -> KpiReport:
    first = last - dt.timedelta(days=days - 1)
    return KpiReport(
        tenant_id="t-demo",
        currency="MXN",
        timezone="America/Mexico_City",
        granularity="day",
        current=_period(first, days, 1.0),
        previous=_period(first - dt.timedelta(days=days), days, 0.8),
    )


def sample_admin_report(days: int = 30, last: dt.date = dt.date(2026, 3, 31)) -> AdminReport:
    """The demo's four businesses over `days` ending `last`; Café Sevilla was deactivated the day
    before (as the demo's audit log says), so its last activity is older than the others'."""
    businesses = (
        ("Taquería El Güero", "active", 412, "MXN", 0),
        ("Panadería Lima", "active", 233, "PEN", 1),
        ("Arepas Bogotá", "active", 198, "COP", 1),
        ("Café Sevilla", "deactivated", 95, "EUR", 2),
    )
    rows = tuple(
        TenantActivity(
            f"t-{i}",
            name,
            state,
            orders,
            Decimal(orders * 187),
            currency,
            orders // 3,
            last - dt.timedelta(days=idle),
            12_000_000 + i * 3_500_000,
            orders * 6,
            orders * 7,
            i,
        )
        for i, (name, state, orders, currency, idle) in enumerate(businesses)
    )
    # one total per currency, as the server sums them: every row's revenue is counted
    by_currency = tuple(StatusCount(r.currency, r.orders, r.revenue) for r in rows)
    return AdminReport(
        last - dt.timedelta(days=days - 1),
        last,
        "-revenue",
        len(rows),
        sum(r.orders for r in rows),
        by_currency,
        sum(r.active_customers for r in rows),
        rows,
    )

"""The kitchen ticket of an order: what to prepare, for whom, where to; as HTML (no Qt here).

`ticket_html` is printed by the board through QTextDocument (to the printer or to a PDF).
Quantities and notes are large; money is the tenant's format; the time is the tenant's.
"""

from __future__ import annotations

import html

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.schemas.orders import OrderDetail


def ticket_html(order: OrderDetail, tr: Translator, fmt: TenantFormat) -> str:
    """The ticket of `order` as a small HTML page."""
    lines = "".join(
        f"<tr><td style='font-size:16pt'><b>{item.quantity}×</b></td>"
        f"<td style='font-size:14pt'>{html.escape(item.name)}</td>"
        f"<td align='right'>{fmt.money(item.line_total, order.currency)}</td></tr>"
        for item in order.items
    )
    where = ", ".join(html.escape(p) for p in (order.delivery_address, order.delivery_city) if p)
    notes = f"<p><b>{tr('ticket.notes')}:</b> {html.escape(order.notes)}</p>" if order.notes else ""
    return (
        f"<h2>{tr('ticket.title', number=order.number)}</h2>"
        f"<p>{fmt.instant(order.created_at)}<br>{html.escape(order.customer_name or '')} "
        f"{html.escape(order.customer_phone)}</p>"
        f"{f'<p>{where}</p>' if where else ''}"
        f"<table width='100%' cellspacing='4'>{lines}</table>{notes}"
        f"<p align='right'><b>{tr('ticket.total')}: {fmt.money(order.total, order.currency)}</b></p>"
    )

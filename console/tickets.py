"""The kitchen ticket of an order: what to prepare, for whom, how it leaves; as HTML (no Qt here).

`ticket_html` is printed by the board through QTextDocument (to the printer or to a PDF).
Quantities, line notes and pick-up or delivery are large, for a busy kitchen; money is the
tenant's format and the time the tenant's zone. A test order (the test chat's) says so on top.
"""

from __future__ import annotations

import html

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.domain.orders import TEST_CHANNELS
from comandia.shared.schemas.orders import OrderDetail, OrderItemInfo


def _line(item: OrderItemInfo, fmt: TenantFormat, currency: str) -> str:
    note = f"<br><i style='font-size:13pt'>→ {html.escape(item.note)}</i>" if item.note else ""
    return (
        f"<tr><td valign='top' style='font-size:16pt'><b>{item.quantity}×</b></td>"
        f"<td style='font-size:14pt'>{html.escape(item.name)}{note}</td>"
        f"<td valign='top' align='right'>{fmt.money(item.line_total, currency)}</td></tr>"
    )


def _payment(order: OrderDetail, tr: Translator, fmt: TenantFormat) -> str:
    if order.payment_method is None:
        return ""
    text = tr(f"ticket.payment.{order.payment_method}")
    if order.pay_with is not None and order.pay_with > order.total:
        text += " · " + tr(
            "ticket.change",
            pay_with=fmt.money(order.pay_with, order.currency),
            change=fmt.money(order.pay_with - order.total, order.currency),
        )
    return f"<p><b>{tr('ticket.payment')}:</b> {text}</p>"


def ticket_html(order: OrderDetail, tr: Translator, fmt: TenantFormat) -> str:
    """The ticket of `order` as a small HTML page."""
    lines = "".join(_line(item, fmt, order.currency) for item in order.items)
    pickup = order.fulfilment == "pickup"
    where = (
        ""
        if pickup
        else ", ".join(html.escape(p) for p in (order.delivery_address, order.delivery_zone, order.delivery_city) if p)
    )
    notes = ""
    if order.notes:
        notes = f"<p style='font-size:13pt'><b>{tr('ticket.notes')}:</b> {html.escape(order.notes)}</p>"
    fulfilment = tr("ticket.pickup") if pickup else tr("ticket.delivery")
    test = f"<p style='font-size:15pt'><b>{tr('ticket.test')}</b></p>" if order.channel in TEST_CHANNELS else ""
    return (
        f"{test}<h2>{tr('ticket.title', number=order.number)}</h2>"
        f"<p style='font-size:15pt'><b>{fulfilment}</b></p>"
        f"<p>{fmt.instant(order.created_at)}<br>{html.escape(order.customer_name or '')} "
        f"{html.escape(order.customer_phone)}</p>"
        f"{f'<p>{where}</p>' if where else ''}"
        f"<table width='100%' cellspacing='4'>{lines}</table>{notes}"
        f"{_payment(order, tr, fmt)}"
        f"<p align='right' style='font-size:14pt'><b>{tr('ticket.total')}: "
        f"{fmt.money(order.total, order.currency)}</b></p>"
    )

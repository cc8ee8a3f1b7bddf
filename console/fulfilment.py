"""How an order is fulfilled and paid, as one line the order detail (and a ticket) shows.

"A domicilio · zona Roma · envío $30.00 · Pago: efectivo, paga con $500.00 (cambio $90.00)", or
"Para recoger · Pago: transferencia". Qt-free: a function of the order, the catalog and the format.
"""

from __future__ import annotations

from collections.abc import Callable

from comandia.console.formats import TenantFormat
from comandia.shared.schemas.orders import OrderDetail


def fulfilment_line(tr: Callable[..., str], fmt: TenantFormat, order: OrderDetail) -> str:
    """The order's fulfilment, zone, fee and payment, in the reader's language."""
    parts = [tr(f"fulfil.{order.fulfilment}") if order.fulfilment in ("delivery", "pickup") else order.fulfilment]
    if order.delivery_zone:
        parts.append(tr("fulfil.zone", zone=order.delivery_zone))
    if order.fulfilment == "delivery":
        parts.append(tr("fulfil.fee", fee=fmt.money(order.delivery_fee, order.currency)))
    if order.payment_method:
        method = tr(f"pay.{order.payment_method}")
        if order.payment_method == "cash" and order.pay_with is not None and order.pay_with >= order.total:
            change = fmt.money(order.pay_with - order.total, order.currency)
            method = tr(
                "fulfil.cash_change", method=method, amount=fmt.money(order.pay_with, order.currency), change=change
            )
        parts.append(tr("fulfil.payment", method=method))
    return " · ".join(parts)

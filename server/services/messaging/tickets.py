"""The short ticket of a new order that the business gets on WhatsApp or by e-mail.

In the tenant's language through the message catalogs (Spanish first), money as the tenant's
country writes it (Babel), the time on the tenant's wall clock. A test order (the test chat's)
says so first, so nobody cooks it. Pure: no I/O.
"""

from __future__ import annotations

from comandia.server.chat.model import TenantContext
from comandia.shared.domain.money import format_money
from comandia.shared.domain.orders import TEST_CHANNELS
from comandia.shared.domain.times import format_instant
from comandia.shared.i18n import N_, text
from comandia.shared.schemas.orders import OrderDetail

MAX_BODY = 4000
"""WhatsApp takes 4,096 characters of text; a ticket is clipped before that."""
PAYMENT_LABELS = {
    "cash": N_("cash"),
    "card_on_delivery": N_("card on delivery"),
    "transfer": N_("bank transfer"),
    "link": N_("payment link"),
}


def order_ticket(tenant: TenantContext, order: OrderDetail) -> tuple[str, str]:
    """(subject, body) of the ticket of `order` for the business `tenant`."""
    language = tenant.locale

    def money(amount: object) -> str:
        return format_money(amount, order.currency, tenant.formats_locale)  # type: ignore[arg-type]

    subject = text(language, "New order #{number} — {business}", number=order.number, business=tenant.business_name)
    test = order.channel in TEST_CHANNELS  # the test chat's: the kitchen must not cook it
    if test:
        subject = text(language, "TEST, do not prepare: {subject}", subject=subject)
    lines = [
        *([text(language, "🧪 Test order from the test chat: do not prepare it")] if test else []),
        text(language, "🛎️ New order #{number}", number=order.number),
        format_instant(order.created_at, tenant.timezone, tenant.formats_locale),
        text(language, "Customer: {name} {phone}", name=order.customer_name or "", phone=order.customer_phone).strip(),
        "",
    ]
    for item in order.items:
        line = text(
            language,
            "{quantity} × {name}: {amount}",
            quantity=item.quantity,
            name=item.name,
            amount=money(item.line_total),
        )
        lines.append(line + (f" ({item.note})" if item.note else ""))
    if order.delivery_fee:
        lines.append(
            text(language, "Delivery ({zone}): {fee}", zone=order.delivery_zone, fee=money(order.delivery_fee))
            if order.delivery_zone
            else text(language, "Delivery: {fee}", fee=money(order.delivery_fee))
        )
    lines.append(text(language, "Total: {total}", total=money(order.total)))
    lines.append("")
    if order.fulfilment == "pickup":
        lines.append(text(language, "Pickup at the business"))
    else:
        where = ", ".join(part for part in (order.delivery_address, order.delivery_city) if part)
        if where:
            lines.append(text(language, "Deliver to: {address}", address=where))
    if order.payment_method:
        label = text(language, PAYMENT_LABELS.get(order.payment_method, order.payment_method))
        lines.append(text(language, "Payment: {method}", method=label))
        if order.payment_method == "cash" and order.pay_with is not None and order.pay_with >= order.total:
            lines.append(
                text(
                    language,
                    "Pays with {amount} (change {change})",
                    amount=money(order.pay_with),
                    change=money(order.pay_with - order.total),
                )
            )
    if order.notes:
        lines.append(text(language, "Notes: {notes}", notes=order.notes))
    body = "\n".join(lines).strip()
    if len(body) > MAX_BODY:
        body = body[: MAX_BODY - 1].rstrip() + "…"
    return subject, body

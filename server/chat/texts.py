"""Every text the bot says, per locale, with per-tenant overrides.

Texts are `str.format` templates with named fields. A tenant may override any key through its
settings ("texts": {"greeting": "..."}); an override that names a field we do not pass, or is not
a valid template, is ignored in favour of the built-in text, so a typo in the console can never
silence the bot. Spanish is the default; an unknown locale falls back to it.
"""

# ruff: noqa: E501  -- one message per line reads (and translates) better than wrapped fragments

from __future__ import annotations

from decimal import Decimal
from string import Formatter
from typing import Any

from comandia.server.chat.model import TenantContext
from comandia.server.chat.rule_texts import RULES_EN, RULES_ES
from comandia.shared.domain.money import format_money

ES: dict[str, str] = {
    "greeting": "¡Hola! Bienvenido a *{business}*. Elige una opción o escribe lo que quieres, por ejemplo «2 x {example}».",
    "welcome": "¡Hola! Bienvenido a *{business}*.",
    "expired": "Tu conversación anterior se cerró por inactividad; empecemos de nuevo.",
    "menu_body": "Estas son nuestras categorías. Elige una:",
    "menu_button": "Ver categorías",
    "products_body": "*{category}*: elige un producto.",
    "products_button": "Ver productos",
    "other_category": "Otros",
    "more": "Más…",
    "more_description": "Ver más productos",
    "back_to_menu": "Volver al menú",
    "empty_menu": "Por ahora no tenemos productos disponibles. Vuelve a escribirnos pronto.",
    "ask_quantity": "*{name}* — {price}\n{description}¿Cuántas quieres? Toca un botón o escribe el número.",
    "bad_quantity": "No entendí la cantidad. Escribe un número del 1 al {max}.",
    "added": "Agregado: {quantity} × {name}.",
    "cart_title": "🛒 Tu carrito:",
    "cart_line": "{quantity} × {name} — {total}",
    "cart_total": "Total: {total}",
    "delivery_fee_line": "Envío — {fee}",
    "cart_empty": "Tu carrito está vacío. Escribe lo que quieres o mira el menú.",
    "cart_emptied": "Listo, vacié tu carrito.",
    "cart_button": "Opciones",
    "cart_hint": "Toca un producto para cambiar su cantidad o quitarlo.",
    "btn_menu": "Ver menú",
    "btn_cart": "Ver carrito",
    "btn_help": "Ayuda",
    "btn_more_products": "Agregar más",
    "btn_checkout": "Finalizar pedido",
    "btn_empty": "Vaciar carrito",
    "btn_remove": "Quitar",
    "btn_confirm": "Confirmar",
    "btn_cancel": "Cancelar",
    "btn_change": "Cambiar pedido",
    "btn_use_name": "Usar {name}",
    "edit_line": "*{name}*: tienes {quantity}. Escribe la nueva cantidad (0 para quitarlo).",
    "removed": "Quité {name} del carrito.",
    "not_in_cart": "{name} no está en tu carrito.",
    "ask_name": "¿A nombre de quién va el pedido?",
    "ask_address": "¿A qué dirección lo enviamos? Escríbela o comparte tu ubicación 📍.",
    "ask_city": "¿En qué ciudad?",
    "ask_phone": "¿A qué teléfono te llamamos si hace falta? (con código de país)",
    "bad_phone": "Ese teléfono no parece válido. Escríbelo con código de país, por ejemplo +52 55 1234 5678.",
    "bad_text": "Escríbelo en texto, por favor (máximo {max} caracteres).",
    "summary": "Revisa tu pedido:\n{lines}\n\nTotal: *{total}*\nA nombre de: {name}\nEntrega: {address}",
    "placed": "✅ ¡Pedido recibido! Tu número de pedido es *#{number}*. Total: {total}. Te avisaremos cuando cambie su estado.",
    "already_placed": "Tu pedido *#{number}* ya está registrado. Escribe «estado» para saber cómo va.",
    "order_failed": "No pude registrar el pedido; revisa: {problem}.",
    "cancelled": "Listo, cancelé este pedido. Cuando quieras, escribe «menú» para empezar de nuevo.",
    "nothing_to_cancel": "No hay ningún pedido en curso. Escribe «menú» para ver lo que tenemos.",
    "status": "Tu pedido *#{number}* está: *{status}*. Total: {total}.",
    "no_orders": "Todavía no tienes pedidos con nosotros. Escribe «menú» para hacer uno.",
    "status_changed": "Tu pedido *#{number}* ahora está: *{status}*.",
    "help": "Puedes escribir lo que quieres («2 x {example}»), o usar estas palabras: menú, carrito, estado, cancelar, ayuda.",
    "unknown_product": "No encontré «{text}» en nuestro menú.",
    "unknown_sku": "El producto {sku} ya no está en nuestro menú.",
    "unavailable": "{name} no está disponible en este momento.",
    "out_of_stock": "Solo nos quedan {stock} de {name}.",
    "ambiguous": "¿Cuál de estos quieres para «{text}»?",
    "not_understood": "No entendí tu mensaje. Escribe lo que quieres pedir o toca «Ver menú».",
    "media": "Por ahora solo leo texto, botones y ubicaciones. Escribe lo que quieres pedir.",
    "location_received": "Ubicación recibida 📍",
    "cart_full": "Tu carrito ya tiene el máximo de productos distintos.",
    "not_on_menu": "No tenemos «{text}» en el menú; escribe «menú» para ver lo que hay.",
    "unavailable_words": "Por ahora no tenemos «{text}»: {name} no está disponible.",
    "quantity_set": "Listo: {quantity} × {name}.",
    "which_product": "¿De qué producto quieres «{text}»? Escribe también su nombre.",
    "did_you_mean": "¿Te refieres a *{name}*?",
    "which_one": "¿Cuál quieres para «{text}»?",
    "btn_yes": "Sí",
    "btn_no": "No",
    "btn_none": "Ninguno",
    "skipped": "Entendido, no agregué «{text}».",
    "handoff": "Te comunico con una persona del equipo; en un momento te responden por aquí.",
    "cancel_requested": "Listo, cancelé tu pedido *#{number}*.",
    "cancel_already": "Tu pedido *#{number}* ya estaba cancelado.",
    "cancel_not_new": "Tu pedido *#{number}* ya está {status}, así que ya no se puede cancelar por aquí. Si lo necesitas, escribe «hablar con alguien».",
    "cancel_too_late": "Tu pedido *#{number}* ya no se puede cancelar por aquí. Si lo necesitas, escribe «hablar con alguien».",
    "cancel_not_found": "No encontré un pedido tuyo que se pueda cancelar. Escribe «estado» para ver tu último pedido.",
    "thanks_close": "¡Gracias a ti! Que lo disfrutes. Aquí estamos cuando quieras 🙌",
    "welcome_back": "¡Con gusto! Escribe lo que quieras pedir cuando gustes.",
    "price_line": "*{name}*: {price}",
    "note_suffix": " ({note})",
    "note_set": "Anoté para {name}: {note}.",
    "reaction": "😊 Escribe lo que quieres pedir o «menú» para ver lo que tenemos.",
    "status.new": "recibido",
    "status.confirmed": "confirmado",
    "status.shipped": "en camino",
    "status.completed": "entregado",
    "status.cancelled": "cancelado",
}  # fmt: skip

EN: dict[str, str] = {
    "greeting": "Hi! Welcome to *{business}*. Pick an option or type what you want, for example “2 x {example}”.",
    "welcome": "Hi! Welcome to *{business}*.",
    "expired": "Your previous conversation was closed after a while without messages; let's start again.",
    "menu_body": "These are our categories. Pick one:",
    "menu_button": "See categories",
    "products_body": "*{category}*: pick a product.",
    "products_button": "See products",
    "other_category": "Other",
    "more": "More…",
    "more_description": "See more products",
    "back_to_menu": "Back to the menu",
    "empty_menu": "We have no products available right now. Please write again soon.",
    "ask_quantity": "*{name}* — {price}\n{description}How many would you like? Tap a button or type the number.",
    "bad_quantity": "I did not get the quantity. Type a number from 1 to {max}.",
    "added": "Added: {quantity} × {name}.",
    "cart_title": "🛒 Your cart:",
    "cart_line": "{quantity} × {name} — {total}",
    "cart_total": "Total: {total}",
    "delivery_fee_line": "Delivery — {fee}",
    "cart_empty": "Your cart is empty. Type what you want or see the menu.",
    "cart_emptied": "Done, your cart is empty.",
    "cart_button": "Options",
    "cart_hint": "Tap a product to change its quantity or remove it.",
    "btn_menu": "See menu",
    "btn_cart": "See cart",
    "btn_help": "Help",
    "btn_more_products": "Add more",
    "btn_checkout": "Check out",
    "btn_empty": "Empty cart",
    "btn_remove": "Remove",
    "btn_confirm": "Confirm",
    "btn_cancel": "Cancel",
    "btn_change": "Change order",
    "btn_use_name": "Use {name}",
    "edit_line": "*{name}*: you have {quantity}. Type the new quantity (0 to remove it).",
    "removed": "I removed {name} from your cart.",
    "not_in_cart": "{name} is not in your cart.",
    "ask_name": "Whose name is the order under?",
    "ask_address": "Where should we deliver it? Type the address or share your location 📍.",
    "ask_city": "In which city?",
    "ask_phone": "Which phone number can we call if needed? (with country code)",
    "bad_phone": "That phone number does not look right. Type it with the country code, e.g. +1 555 123 4567.",
    "bad_text": "Please type it as text (at most {max} characters).",
    "summary": "Please check your order:\n{lines}\n\nTotal: *{total}*\nName: {name}\nDelivery: {address}",
    "placed": "✅ Order received! Your order number is *#{number}*. Total: {total}. We will tell you when its status changes.",
    "already_placed": "Your order *#{number}* is already placed. Type “status” to see how it is going.",
    "order_failed": "I could not place the order; please check: {problem}.",
    "cancelled": "Done, I cancelled this order. Type “menu” whenever you want to start again.",
    "nothing_to_cancel": "There is no order in progress. Type “menu” to see what we have.",
    "status": "Your order *#{number}* is: *{status}*. Total: {total}.",
    "no_orders": "You have no orders with us yet. Type “menu” to place one.",
    "status_changed": "Your order *#{number}* is now: *{status}*.",
    "help": "Type what you want (“2 x {example}”), or use these words: menu, cart, status, cancel, help.",
    "unknown_product": "I could not find “{text}” on our menu.",
    "unknown_sku": "Product {sku} is no longer on our menu.",
    "unavailable": "{name} is not available right now.",
    "out_of_stock": "We only have {stock} of {name} left.",
    "ambiguous": "Which of these did you mean by “{text}”?",
    "not_understood": "I did not understand. Type what you want to order or tap “See menu”.",
    "media": "For now I only read text, buttons and locations. Type what you want to order.",
    "location_received": "Location received 📍",
    "cart_full": "Your cart already has the most different products it can hold.",
    "not_on_menu": "We don't have “{text}” on the menu; type “menu” to see what we have.",
    "unavailable_words": "We don't have “{text}” right now: {name} is not available.",
    "quantity_set": "Done: {quantity} × {name}.",
    "which_product": "Which product do you want “{text}” of? Type its name too.",
    "did_you_mean": "Did you mean *{name}*?",
    "which_one": "Which one do you want for “{text}”?",
    "btn_yes": "Yes",
    "btn_no": "No",
    "btn_none": "None of these",
    "skipped": "OK, I did not add “{text}”.",
    "handoff": "I am passing you to a person on our team; they will answer you here shortly.",
    "cancel_requested": "Done, I cancelled your order *#{number}*.",
    "cancel_already": "Your order *#{number}* was already cancelled.",
    "cancel_not_new": "Your order *#{number}* is already {status}, so it can no longer be cancelled here. If you need to, type “talk to someone”.",
    "cancel_too_late": "Your order *#{number}* can no longer be cancelled here. If you need to, type “talk to someone”.",
    "cancel_not_found": "I did not find an order of yours that can be cancelled. Type “status” to see your latest order.",
    "thanks_close": "Thank you! Enjoy it. We are here whenever you need us 🙌",
    "welcome_back": "You are welcome! Type what you would like to order whenever you want.",
    "price_line": "*{name}*: {price}",
    "note_suffix": " ({note})",
    "note_set": "Noted for {name}: {note}.",
    "reaction": "😊 Type what you would like to order, or “menu” to see what we have.",
    "status.new": "received",
    "status.confirmed": "confirmed",
    "status.shipped": "on its way",
    "status.completed": "delivered",
    "status.cancelled": "cancelled",
}  # fmt: skip

BUILT_IN: dict[str, dict[str, str]] = {"es": ES | RULES_ES, "en": EN | RULES_EN}


class Texts:
    """The texts of one tenant: `texts("greeting", business=...)`, `texts.money(amount)`."""

    def __init__(self, tenant: TenantContext) -> None:
        self.tenant = tenant
        self._built_in = BUILT_IN.get(tenant.locale, BUILT_IN["es"])

    def __call__(self, key: str, **fields: Any) -> str:
        """The text for `key` with `fields` filled in.

        Raises:
            KeyError: `key` is not a built-in text (a bug in the flow, caught by the tests).
        """
        built_in = self._built_in[key]
        override = self.tenant.text_overrides.get(key)
        if isinstance(override, str) and override.strip():
            rendered = render_plain(override, fields)
            if rendered is not None:
                return rendered
            # a broken or oversized override falls back to the built-in text
        return built_in.format(**fields)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.tenant.currency, self.tenant.formats_locale)

    def status(self, status: str) -> str:
        key = f"status.{status}"
        return self(key) if key in self._built_in else status


MAX_RENDERED = 4096
"""Characters of a rendered text: a WhatsApp text body holds no more."""


def plain_fields(template: str) -> set[str]:
    """The `{field}` names of a manager's template.

    Raises:
        ValueError: unbalanced braces, or a placeholder that is not a plain name: a format spec
            (``{business:>1000000000}`` asked for a gigabyte), a conversion (``{business!r}``),
            an attribute or an index (``{name.__class__}``, ``{0}``).
    """
    names = set()
    for _, name, spec, conversion in Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"only plain {{field}} placeholders are allowed, not {{{name}...}}")
        names.add(name)
    return names


def render_plain(template: str, fields: dict[str, Any]) -> str | None:
    """`template` with its plain `{field}`s filled in; None when it names anything else, names a
    field not given, or renders longer than `MAX_RENDERED`."""
    try:
        names = plain_fields(template)
    except ValueError:
        return None
    if not names <= fields.keys():
        return None
    # Plain names only, so the result is at most the template times the longest value: bounded.
    rendered = template.format(**{name: str(fields[name]) for name in names})
    return rendered if len(rendered) <= MAX_RENDERED else None

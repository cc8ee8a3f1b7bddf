"""Every text the bot says, by key, from the message catalogs, with per-tenant overrides.

Each key's text is written here in English (the gettext msgid, marked with `N_`) and translated in
``shared/locale/<language>/LC_MESSAGES/comandia.po`` like every other text of the product (Spanish
first; `scripts/i18n.py` adds a new text to the catalogs). Texts are `str.format` templates with
named fields. A tenant may override any key through its settings ("texts": {"greeting": "..."});
an override that names a field we do not pass, is not a plain template or renders too long is
ignored in favour of the built-in text, so a typo in the console can never silence the bot. The
language is the conversation's (`TenantContext.locale`: the tenant's, or the customer's when they
write in the other one); an unknown one means Spanish.
"""

# ruff: noqa: E501  -- one message per line reads (and translates) better than wrapped fragments

from __future__ import annotations

from decimal import Decimal
from string import Formatter
from typing import Any

from comandia.server.chat.model import TenantContext
from comandia.server.chat.rule_texts import RULES
from comandia.shared.domain.money import format_money
from comandia.shared.i18n import N_, Language, language_of, text

BOT: dict[str, str] = {
    "greeting": N_("Hi! Welcome to *{business}*. Pick an option or type what you want, for example “2 x {example}”."),
    "welcome": N_("Hi! Welcome to *{business}*."),
    "expired": N_("Your previous conversation was closed after a while without messages; let's start again."),
    "menu_body": N_("These are our categories. Pick one:"),
    "menu_button": N_("See categories"),
    "products_body": N_("*{category}*: pick a product."),
    "drinks_kind": N_("drinks"),
    "products_button": N_("See products"),
    "other_category": N_("Other"),
    "more": N_("More…"),
    "more_description": N_("See more products"),
    "back_to_menu": N_("Back to the menu"),
    "empty_menu": N_("We have no products available right now. Please write again soon."),
    "ask_quantity": N_("*{name}* — {price}\n{description}How many would you like? Tap a button or type the number."),
    "bad_quantity": N_("I did not get the quantity. Type a number from 1 to {max}."),
    "added": N_("Added: {quantity} × {name}."),
    "cart_title": N_("🛒 Your cart:"),
    "cart_line": N_("{quantity} × {name} — {total}"),
    "cart_total": N_("Total: {total}"),
    "delivery_fee_line": N_("Delivery — {fee}"),
    "cart_empty": N_("Your cart is empty. Type what you want or see the menu."),
    "cart_emptied": N_("Done, your cart is empty."),
    "cart_button": N_("Options"),
    "cart_hint": N_("Tap a product to change its quantity or remove it."),
    "btn_menu": N_("See menu"),
    "btn_cart": N_("See cart"),
    "btn_help": N_("Help"),
    "btn_more_products": N_("Add more"),
    "btn_checkout": N_("Check out"),
    "btn_empty": N_("Empty cart"),
    "btn_remove": N_("Remove"),
    "btn_confirm": N_("Confirm"),
    "btn_cancel": N_("Cancel"),
    "btn_change": N_("Change order"),
    "btn_use_name": N_("Use {name}"),
    "edit_line": N_("*{name}*: you have {quantity}. Type the new quantity (0 to remove it)."),
    "removed": N_("I removed {name} from your cart."),
    "not_in_cart": N_("{name} is not in your cart."),
    "ask_name": N_("Whose name is the order under?"),
    "ask_address": N_("Where should we deliver it? Type the address or share your location 📍."),
    "ask_city": N_("In which city?"),
    "ask_phone": N_("Which phone number can we call if needed? (with country code)"),
    "bad_phone": N_("That phone number does not look right. Type it with the country code, e.g. +1 555 123 4567."),
    "bad_text": N_("Please type it as text (at most {max} characters)."),
    "summary": N_("Please check your order:\n{lines}\n\nTotal: *{total}*\nName: {name}\nDelivery: {address}"),
    "placed": N_("✅ Order received! Your order number is *#{number}*. Total: {total}. We will tell you when its status changes."),
    "already_placed": N_("Your order *#{number}* is already placed. Type “status” to see how it is going."),
    "order_failed": N_("I could not place the order; please check: {problem}."),
    "cancelled": N_("Done, I cancelled this order. Type “menu” whenever you want to start again."),
    "nothing_to_cancel": N_("There is no order in progress. Type “menu” to see what we have."),
    "status": N_("Your order *#{number}* is: *{status}*. Total: {total}."),
    "no_orders": N_("You have no orders with us yet. Type “menu” to place one."),
    "status_changed": N_("Your order *#{number}* is now: *{status}*."),
    "help": N_("Type what you want (“2 x {example}”), or use these words: menu, cart, status, cancel, help."),
    "unknown_product": N_("I could not find “{text}” on our menu."),
    "unknown_sku": N_("Product {sku} is no longer on our menu."),
    "unavailable": N_("{name} is not available right now."),
    "out_of_stock": N_("We only have {stock} of {name} left."),
    "ambiguous": N_("Which of these did you mean by “{text}”?"),
    "not_understood": N_("I did not understand. Type what you want to order or tap “See menu”."),
    "media": N_("For now I only read text, buttons and locations. Type what you want to order."),
    "location_received": N_("Location received 📍"),
    "cart_full": N_("Your cart already has the most different products it can hold."),
    "not_on_menu": N_("We don't have “{text}” on the menu; type “menu” to see what we have."),
    "unavailable_words": N_("We don't have “{text}” right now: {name} is not available."),
    "quantity_set": N_("Done: {quantity} × {name}."),
    "undone": N_("Done, I put your cart back as it was."),
    "unchanged": N_("OK, I left your cart as it was."),
    "people_noted": N_("Got it, {people} people. What would you like?"),
    "which_product": N_("Which product do you want “{text}” of? Type its name too."),
    "did_you_mean": N_("Did you mean *{name}*?"),
    "which_one": N_("Which one do you want for “{text}”?"),
    "btn_yes": N_("Yes"),
    "btn_no": N_("No"),
    "btn_none": N_("None of these"),
    "count_check": N_("{quantity} × {name}? That is a lot, are you sure?"),
    "btn_yes_count": N_("Yes, {quantity}"),
    "count_not_added": N_("OK, I did not add {quantity} × {name}. Tell me how many you want."),
    "skipped": N_("OK, I did not add “{text}”."),
    "handoff": N_("I am passing you to a person on our team; they will answer you here shortly."),
    "cancel_requested": N_("Done, I cancelled your order *#{number}*."),
    "cancel_already": N_("Your order *#{number}* was already cancelled."),
    "cancel_not_new": N_("Your order *#{number}* is already {status}, so it can no longer be cancelled here. If you need to, type “talk to someone”."),
    "cancel_too_late": N_("Your order *#{number}* can no longer be cancelled here. If you need to, type “talk to someone”."),
    "cancel_not_by_chat": N_("Orders are not cancelled by chat here, so your order *#{number}* stays as it is. If you need to, type “talk to someone”."),
    "cancel_not_found": N_("I did not find an order of yours that can be cancelled. Type “status” to see your latest order."),
    "thanks_close": N_("Thank you! Enjoy it. We are here whenever you need us 🙌"),
    "welcome_back": N_("You are welcome! Type what you would like to order whenever you want."),
    "price_line": N_("*{name}*: {price}"),
    "note_suffix": N_(" ({note})"),
    "note_set": N_("Noted for {name}: {note}."),
    "reaction": N_("😊 Type what you would like to order, or “menu” to see what we have."),
    "status.new": N_("received"),
    "status.confirmed": N_("confirmed"),
    "status.shipped": N_("on its way"),
    "status.completed": N_("delivered"),
    "status.cancelled": N_("cancelled"),
}  # fmt: skip

BUILT_IN: dict[str, str] = BOT | RULES
"""Every text key a tenant may override, with its English text (the gettext msgid)."""


class Texts:
    """The texts of one tenant: `texts("greeting", business=...)`, `texts.money(amount)`."""

    def __init__(self, tenant: TenantContext) -> None:
        self.tenant = tenant
        self.language: Language = language_of(tenant.locale)

    def __call__(self, key: str, **fields: Any) -> str:
        """The text for `key` with `fields` filled in.

        Raises:
            KeyError: `key` is not a built-in text (a bug in the flow, caught by the tests).
        """
        built_in = BUILT_IN[key]
        override = self.tenant.text_overrides.get(key)
        if isinstance(override, str) and override.strip():
            rendered = render_plain(override, fields)
            if rendered is not None:
                return rendered
            # a broken or oversized override falls back to the built-in text
        return text(self.language, built_in, **fields)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.tenant.currency, self.tenant.formats_locale)

    def status(self, status: str) -> str:
        key = f"status.{status}"
        return self(key) if key in BUILT_IN else status


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

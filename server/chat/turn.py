"""What one step of the flow works with (`Turn`) and what it gives back (`Outcome`), and the
reply pieces several stages share: the cart as text and the usual buttons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from comandia.server.chat.model import (
    MAX_INTERACTIVE_BODY,
    MAX_TEXT_BODY,
    CatalogView,
    CustomerRef,
    OrderDraft,
    ProductView,
    Reply,
    TenantContext,
    buttons_reply,
    text_reply,
)
from comandia.server.chat.state import ChatState
from comandia.server.chat.texts import Texts
from comandia.shared.domain.money import line_total, quantize


@dataclass(frozen=True)
class Outcome:
    """The new state, the replies to send (one, two at most) and an order to place, if any."""

    state: ChatState
    replies: tuple[Reply, ...]
    draft: OrderDraft | None = None
    named_back: tuple[str, ...] = ()
    """What the replies told the customer was not taken (words not on the menu, unavailable
    products), as the replies spell it: every part of a message is applied or named back."""
    handoff: bool = False
    """The customer asked for a person: the live-operations side hands the chat over."""
    cancel_order: int | None = None
    """The number of the customer's order they asked to cancel (checked by the flow as allowed)."""
    understood: bool = True
    """False when the bot could make nothing of the message (it answered "I did not understand",
    or every word it read was named back as not on the menu): two in a row hand the chat over."""

    def remembered(self) -> Outcome:
        """The outcome with the last reply's choices stored, so typed numbers and titles work."""
        last = self.replies[-1] if self.replies else None
        choices = last.choices() if last is not None else ()
        return replace(self, state=replace(self.state, choices=choices))


@dataclass(frozen=True)
class Turn:
    """The fixed inputs of one step: who we speak for, to whom, about which menu."""

    tenant: TenantContext
    catalog: CatalogView
    customer: CustomerRef
    texts: Texts
    now: dt.datetime | None = None
    """The instant of the message (aware); None: the opening hours are not checked."""

    @classmethod
    def of(
        cls, tenant: TenantContext, catalog: CatalogView, customer: CustomerRef, now: dt.datetime | None = None
    ) -> Turn:
        return cls(tenant, catalog, customer, Texts(tenant), now)

    def example(self) -> str:
        """A product name to show in examples ("2 x margarita")."""
        available = self.catalog.available()
        return available[0].name.lower() if available else "pizza"

    def money(self, amount: Decimal) -> str:
        return self.texts.money(amount)


def done(state: ChatState, *replies: Reply, draft: OrderDraft | None = None) -> Outcome:
    return Outcome(state, tuple(replies), draft)


def prefixed(outcome: Outcome, said: str, named: tuple[str, ...] = ()) -> Outcome:
    """`outcome` with `said` before its first reply and `named` among what it named back."""
    if not outcome.replies or not said:
        return outcome
    first = outcome.replies[0]
    body = said + "\n\n" + first.body
    if len(body) > (MAX_INTERACTIVE_BODY if first.interactive else MAX_TEXT_BODY):
        return replace(outcome, replies=(text_reply(said), *outcome.replies), named_back=(*outcome.named_back, *named))
    first = replace(first, body=body)
    return replace(outcome, replies=(first, *outcome.replies[1:]), named_back=(*outcome.named_back, *named))


def puzzled(turn: Turn, state: ChatState) -> Outcome:
    """ "I did not understand", with the buttons of the start, flagged as not understood."""
    return Outcome(state, (home_reply(turn, state, turn.texts("not_understood")),), understood=False)


def cart_lines(turn: Turn, state: ChatState) -> tuple[list[tuple[ProductView, int, Decimal]], Decimal]:
    """The cart's lines still in the catalog, priced now, and their total."""
    lines: list[tuple[ProductView, int, Decimal]] = []
    total = quantize(Decimal(0), turn.tenant.currency)
    for sku, quantity in state.cart:
        product = turn.catalog.product(sku)
        if product is None:
            continue
        amount = line_total(product.price, quantity, turn.tenant.currency)
        lines.append((product, quantity, amount))
        total += amount
    return lines, total


def line_name(turn: Turn, state: ChatState, product: ProductView) -> str:
    """A cart line's product name with the customer's note ("Taco al pastor (sin cebolla)")."""
    note = dict(state.notes).get(product.sku)
    return product.name + (turn.texts("note_suffix", note=note) if note else "")


def cart_text(turn: Turn, state: ChatState) -> str:
    """The cart as text lines with the total, or the empty-cart sentence."""
    lines, total = cart_lines(turn, state)
    if not lines:
        return turn.texts("cart_empty")
    t = turn.texts
    body = [t("cart_title")]
    body += [t("cart_line", quantity=q, name=line_name(turn, state, p), total=turn.money(a)) for p, q, a in lines]
    body.append(t("cart_total", total=turn.money(total)))
    return "\n".join(body)


def said_before_cart(turn: Turn, outcome: Outcome) -> str:
    """What the outcome's one reply says before the cart it shows (a price answered, the lines
    added): the part of it that can stand before another reply's own cart."""
    body = outcome.replies[0].body if outcome.replies else ""
    cart = cart_text(turn, outcome.state)
    return body.removesuffix(cart).rstrip() if body.endswith(cart) else body


def cart_buttons_reply(turn: Turn, state: ChatState, prefix: str = "") -> Reply:
    """The cart with what to do next: check out, add more, see (and change) the cart."""
    t = turn.texts
    body = (prefix + "\n\n" if prefix else "") + cart_text(turn, state)
    if not state.cart:
        return buttons_reply(body, [("menu", t("btn_menu")), ("help", t("btn_help"))])
    return buttons_reply(
        body, [("checkout", t("btn_checkout")), ("menu", t("btn_more_products")), ("cart", t("btn_cart"))]
    )


def home_reply(turn: Turn, state: ChatState, body: str) -> Reply:
    """`body` with the buttons of the start: menu, cart (when it has something), help."""
    t = turn.texts
    buttons = [("menu", t("btn_menu"))]
    if state.cart:
        buttons.append(("cart", t("btn_cart")))
    buttons.append(("help", t("btn_help")))
    return buttons_reply(body, buttons)

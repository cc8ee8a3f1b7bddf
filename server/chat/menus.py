"""Browsing and adding: categories, paged product lists, quantities, free-text and catalog carts.

Lists hold at most ten rows (WhatsApp's limit): a page shows as many products as fit next to a
"more" row and, when there are several categories, a "back to the menu" row.
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat import stock
from comandia.server.chat.model import ProductView, Row, buttons_reply, list_reply, text_reply
from comandia.server.chat.parsing import MAX_QUANTITY
from comandia.server.chat.state import MAX_CART_LINES, ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done

UNCATEGORISED = 0


def groups(turn: Turn) -> list[tuple[int, str, list[ProductView]]]:
    """(id, name, available products) of each category that has any; id 0 is "other"."""
    available = turn.catalog.available()
    known = {c.id for c in turn.catalog.categories}
    result = []
    for category in turn.catalog.categories:
        products = [p for p in available if p.category_id == category.id]
        if products:
            result.append((category.id, category.name, products))
    loose = [p for p in available if p.category_id not in known]
    if loose:
        result.append((UNCATEGORISED, turn.texts("other_category"), loose))
    return result


def show_menu(turn: Turn, state: ChatState, prefix: str = "") -> Outcome:
    """The categories as a list, or the products directly when there is only one category."""
    found = groups(turn)
    if not found:
        return done(replace(state, stage="start"), text_reply(_join(prefix, turn.texts("empty_menu"))))
    if len(found) == 1:
        return show_products(turn, state, found[0][0], 0, prefix)
    t = turn.texts
    rows: list[Row] = [(f"cat:{cid}", name, f"{len(items)}") for cid, name, items in found]
    reply = list_reply(_join(prefix, t("menu_body")), t("menu_button"), [("", rows[:10])])
    return done(replace(state, stage="menu", category=None, page=0), reply)


def show_products(turn: Turn, state: ChatState, category: int, page: int, prefix: str = "") -> Outcome:
    """One page of a category's products as a list (rows "prod:<sku>")."""
    found = groups(turn)
    match = next((g for g in found if g[0] == category), None)
    if match is None:
        return show_menu(turn, state, prefix)
    _, name, products = match
    t = turn.texts
    room = 10 - (1 if len(found) > 1 else 0)
    size = room if len(products) <= room else room - 1
    pages = max(1, -(-len(products) // size))
    page = min(max(page, 0), pages - 1)
    shown = products[page * size : (page + 1) * size]
    rows: list[Row] = [(f"prod:{p.sku}", p.name, _row_description(turn, p)) for p in shown]
    if page + 1 < pages:
        rows.append((f"page:{category}:{page + 1}", t("more"), t("more_description")))
    if len(found) > 1:
        rows.append(("menu", t("back_to_menu"), ""))
    reply = list_reply(_join(prefix, t("products_body", category=name)), t("products_button"), [(name, rows)])
    return done(replace(state, stage="products", category=category, page=page), reply)


def next_page(turn: Turn, state: ChatState) -> Outcome:
    if state.stage == "products" and state.category is not None:
        return show_products(turn, state, state.category, state.page + 1)
    return show_menu(turn, state)


def ask_quantity(turn: Turn, state: ChatState, sku: str) -> Outcome:
    """Show a product and ask how many; unknown or unavailable products get a helpful answer."""
    product = turn.catalog.product(sku)
    if product is None:
        return show_menu(turn, state, turn.texts("unknown_sku", sku=sku))
    if not product.available:
        return show_menu(turn, state, stock.sold_out(turn, product))
    t = turn.texts
    description = (product.description[:300] + "\n") if product.description else ""
    body = t("ask_quantity", name=product.name, price=turn.money(product.price), description=description)
    reply = buttons_reply(body, [("qty:1", "1"), ("qty:2", "2"), ("qty:3", "3")])
    return done(replace(state, stage="quantity", pending_sku=product.sku), reply)


def add_quantity(turn: Turn, state: ChatState, quantity: int | None) -> Outcome:
    """Add `quantity` of the product being asked about to the cart."""
    if state.pending_sku is None:
        return show_menu(turn, state)
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        return done(state, text_reply(turn.texts("bad_quantity", max=MAX_QUANTITY)))
    product = turn.catalog.product(state.pending_sku)
    if product is None or not product.available:
        return ask_quantity(turn, replace(state, pending_sku=None), state.pending_sku)
    state, note = add_lines(turn, state, [(product, quantity)])
    return done(replace(state, stage="cart", pending_sku=None), cart_buttons_reply(turn, state, note))


def add_lines(turn: Turn, state: ChatState, lines: list[tuple[ProductView, int]]) -> tuple[ChatState, str]:
    """Add lines to the cart, refusing what is unavailable or beyond stock; returns what was said."""
    cart = state.cart_dict()
    notes: list[str] = []
    t = turn.texts
    for product, quantity in lines:
        have = cart.get(product.sku, 0)
        if not product.available:
            notes.append(stock.sold_out(turn, product))
        elif product.stock is not None and have + quantity > product.stock:
            notes.append(t("out_of_stock", stock=product.stock, name=product.name))
        elif product.sku not in cart and len(cart) >= MAX_CART_LINES:
            notes.append(t("cart_full"))
        else:
            cart[product.sku] = min(have + quantity, MAX_QUANTITY)
            notes.append(t("added", quantity=quantity, name=product.name))
    return state.with_cart(cart), "\n".join(notes)


def take_catalog_cart(turn: Turn, state: ChatState, items: tuple[tuple[str, int], ...]) -> Outcome:
    """A native WhatsApp cart (SKU, quantity) replaces the cart; unknown SKUs are named."""
    t = turn.texts
    notes: list[str] = []
    lines: list[tuple[ProductView, int]] = []
    for sku, quantity in items:
        product = turn.catalog.product(sku)
        if product is None:
            notes.append(t("unknown_sku", sku=sku))
        elif quantity >= 1:
            lines.append((product, min(quantity, MAX_QUANTITY)))
    state, note = add_lines(turn, state.with_cart({}), lines)
    body = _join("\n".join(notes), note)
    return done(replace(state, stage="cart", pending_sku=None), cart_buttons_reply(turn, state, body))


def product_by_number(turn: Turn, number: int) -> ProductView | None:
    """The n-th available product in menu order (1-based), as the numbered menu shows them."""
    ordered = [p for _, _, products in groups(turn) for p in products]
    return ordered[number - 1] if 1 <= number <= len(ordered) else None


def _row_description(turn: Turn, product: ProductView) -> str:
    price = turn.money(product.price)
    return f"{price} · {product.description}" if product.description else price


def _join(first: str, second: str) -> str:
    return f"{first}\n\n{second}" if first and second else first or second

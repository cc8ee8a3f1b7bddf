"""What the bot says of a sold-out product: "se nos acabó", and what else the category has.

A product is sold out when the tenant marked it so (one click in the console or `PATCH
/products/{id}`) or when its stock count reached 0 (`conversations.load_catalog`). Pure.
"""

from __future__ import annotations

from comandia.server.chat.model import ProductView
from comandia.server.chat.turn import Turn

MAX_ALTERNATIVES = 3


def sold_out(turn: Turn, product: ProductView, words: str = "") -> str:
    """ "Se nos acabó la Coca 😔. De Bebidas te puedo ofrecer: Agua, Sidral." """
    t = turn.texts
    said = t("sold_out_words", text=words, name=product.name) if words else t("sold_out", name=product.name)
    others = alternatives(turn, product)
    if not others:
        return said
    category = next((c.name for c in turn.catalog.categories if c.id == product.category_id), None)
    names = ", ".join(p.name for p in others)
    offer = t("sold_out_category", category=category, names=names) if category else t("sold_out_others", names=names)
    return f"{said} {offer}"


def alternatives(turn: Turn, product: ProductView) -> tuple[ProductView, ...]:
    """Up to three available products of the same category, in menu order."""
    if product.category_id is None:
        return ()
    same = [p for p in turn.catalog.available() if p.category_id == product.category_id and p.sku != product.sku]
    return tuple(same[:MAX_ALTERNATIVES])

"""A list said again after a correction: "un cuarto y un medio kilo, no perdón, dos cuartos y un
medio", "2 plain bagels and a small coffee, sorry i mean 3 plain bagels and a small coffee".

`reading` takes back the item just before «no, perdón» and reads what follows as said
(`_taken_back`). When the correction names again a product said earlier in the list than that
item (or another size of it: "un pollo entero y un arroz, no perdón, medio pollo y un arroz"), the
customer started the list over: every item of the first list from that one on is taken back too,
provided what follows the correction names, for each item after it, a product of the same
category (the medio kilo's medio, the bistec's suadero). Otherwise nothing more is taken back ("a
10 piece and cajun corn, actually make it a 6 piece": the corn stays). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from comandia.server.chat.model import ProductView

Categories = frozenset[int | None]
"""The categories an entry of a reading may be of: its product's, or its candidates' (a doubt);
none for words not on the menu."""


@dataclass(frozen=True)
class Restart:
    """A correction that may say a list again: taken back when what follows it bears it out."""

    corrects: int
    """The number of the part that corrects."""
    taken_at: int
    """Where the item the correction took back is, now what it says (its count said, or one)."""
    taken_back: tuple[int, ...]
    """Where, among the entries read before it, the items of the first list it said again are."""
    restated: tuple[int | None, ...]
    """The categories of the first list's items after the one said again: each must be said again."""


def restart_of(
    entries: list[ProductView | None], taken_at: int, said: ProductView | None, corrects: int
) -> Restart | None:
    """The restart of the correcting part `corrects`, which took back the entry `taken_at` of those
    read before it (`entries`: their products, None for a doubt or words not on the menu) and says
    `said`; None when it names no earlier product of the list than the one just before it."""
    items = [(at, product) for at, product in enumerate(entries) if product is not None]
    if said is None or not items:
        return None
    start = min([at for at, product in items if at != taken_at and product.sku == said.sku] + [taken_at])
    if start >= items[-1][0]:  # "…y un medio kilo, no perdón, uno": the last item only, as before
        return None
    after = [(at, product) for at, product in items if at > start]
    taken_back = tuple(at for at in (start, *(at for at, _ in after)) if at != taken_at)
    return Restart(corrects, taken_at, taken_back, tuple(product.category_id for _, product in after))


def borne_out(restarts: list[Restart], numbers: list[int], categories: list[Categories]) -> list[Restart]:
    """The restarts that what was read after them bears out (`numbers`: each entry's part number,
    `categories`: what it may be): the entries read after the correction name every category the
    restart says again."""
    kept: list[Restart] = []
    for restart in restarts:
        later: set[int | None] = set()
        for number, kinds in zip(numbers, categories, strict=True):
            later |= kinds if number > restart.corrects else set()
        if restart.restated and set(restart.restated) <= later:
            kept.append(restart)
    return kept

"""How surely a part's words name a product: one sure product, a few to ask about, or none; and
the words cut into two products when one does not explain them ("bife de chorizo con papas")."""

from __future__ import annotations

from comandia.server.chat import intents
from comandia.server.chat.lexicon import Lexicon, lexicon
from comandia.server.chat.matching import ACCEPT, ASK, EXACT, MARGIN, SURE, WIDE_MARGIN, Match, ProductIndex, index_for
from comandia.server.chat.model import CatalogView, ProductView

TYPED_ENOUGH = 0.67
"""A name that leaves a third of the typed words unexplained ("coca light de 600": no Light on
the menu) is asked about, however close the rest: the word may be the variant the menu lacks."""


def decided_by_note(
    candidates: tuple[ProductView, ...], words: list[str], index: ProductIndex, lex: Lexicon
) -> tuple[bool, tuple[ProductView, ...]] | None:
    """One of the doubted products, when the words with the note name it surely ("agua" + "sin gas")."""
    verdict = verdict_of(index.match(words, lex.synonyms))
    if verdict is not None and verdict[0] and verdict[1][0] in candidates:
        return verdict
    return None


def verdict_of(matches: list[Match]) -> tuple[bool, tuple[ProductView, ...]] | None:
    """(sure, products): one product when sure, up to three to ask about, None when nothing fits."""
    if not matches or (matches[0].score < ASK and matches[0].typed < SURE):
        return None
    spelled = [m for m in matches if m.typed >= 0.999]
    if spelled:  # names holding every typed word as typed beat names that only resemble them
        matches = spelled
    top = matches[0]
    close = [m for m in matches if top.score - m.score < MARGIN]
    if top.score < EXACT and len(matches) > 1 and matches[1].typed >= SURE and top.typed >= SURE:
        # Both explain every typed word ("clásica": Hamburguesa clásica, Combo clásico): only a
        # clear lead in the rest of the name decides; otherwise ask.
        close = [m for m in matches if m.typed >= SURE and top.score - m.score < WIDE_MARGIN]
    if len(close) == 1 and ((top.score >= ACCEPT and top.typed > TYPED_ENOUGH) or top.typed >= SURE):
        return True, (top.product,)
    return False, tuple(m.product for m in close[:3])


def cut_in_products(words: list[str], said: str, index: ProductIndex, lex: Lexicon) -> list[tuple[list[str], str]]:
    """The words as one product, or as two when one product does not explain them and two do
    ("bife de chorizo con papas fritas")."""
    whole = index.match(words, lex.synonyms)
    if len(words) < 2 or (whole and whole[0].typed >= SURE):
        return [(words, said)]
    named = {whole[0].product.sku} if whole and whole[0].typed >= 0.5 else set()
    for cut in range(1, len(words)):
        left, right = index.match(words[:cut], lex.synonyms), index.match(words[cut:], lex.synonyms)
        left_verdict, right_verdict = verdict_of(left), verdict_of(right)
        sure = left_verdict and right_verdict and left_verdict[0] and right_verdict[0]
        if (
            sure
            and left[0].product.sku != right[0].product.sku
            and not named & {left[0].product.sku, right[0].product.sku}
        ):
            return [(words[:cut], " ".join(words[:cut])), (words[cut:], " ".join(words[cut:]))]
    return [(words, said)]


def explains(catalog: CatalogView, words: str, enough: float) -> bool:
    """Whether the best product for the words holds more than `enough` of what was typed ("la
    hawaiana": both sizes hold it all; "veggie burgers": the Cheeseburger only resembles it)."""
    index, lex = index_for(catalog), lexicon()
    typed = [w for w in intents.normalised(words).split()
             if w not in lex.fillers and (w not in lex.vague or index.knows(w))]  # fmt: skip
    matches = index.match(typed, lex.synonyms)
    return (bool(matches) and matches[0].typed >= enough) or bool(of_category(catalog, typed))  # "un postre"


MAX_OF_CATEGORY = 9
"""A category's products offered at most when its name is said as a product (a list shows ten rows)."""


def of_category(catalog: CatalogView, words: list[str]) -> tuple[ProductView, ...]:
    """The available products of the category the words name ("un postre", "a dessert", "dos
    bebidas"), for the customer to choose among; () when the words are not a category's name."""
    lex = lexicon()
    said = [_singular(w) for w in words if w not in lex.fillers]
    if not said:
        return ()
    for category in catalog.categories:
        named = [_singular(w) for w in intents.normalised(category.name).split() if w not in lex.fillers]
        if named == said:  # all of it sold out: offered anyway, so the answer says it is sold out
            every = [p for p in catalog.products if p.category_id == category.id]
            return tuple([p for p in every if p.available] or every)[:MAX_OF_CATEGORY]
    return ()


def _singular(word: str) -> str:
    """ "postres" -> "postre", "bebidas" -> "bebida", "desserts" -> "dessert" (compared, not shown)."""
    return word[:-1] if word.endswith("s") and len(word) > 3 else word

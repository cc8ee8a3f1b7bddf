"""Other products a product's name makes, and products named by their description.

A cart line changes size or flavour in words ("mejor que sea la grande", "que el de mamey sea de
plátano", "uno chico" after "un jugo de naranja grande"): the product is the one the line's name
makes with the new words, added to it or in place of one of its words. A customer may also name
a product by the words of its description ("media docena de carne cortada a cuchillo"): when the
first words leave a choice between products and the rest are all words of exactly one of their
descriptions, that one is meant.
"""

from __future__ import annotations

from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import SURE, index_for, key, words
from comandia.server.chat.model import CatalogView, ProductView

PLAIN = frozenset({"normal", "normales", "regular", "regulares", "sencillo", "sencilla", "sencillos", "sencillas"})
"""Words that ask for the plain one of a product ("uno normal", "3 corridas normales")."""
SMALLER = frozenset({"chico", "chica", "chicos", "chicas", "mediano", "mediana", "normal", "regular", "small",
                     "medium", "sencillo", "sencilla", "personal"})  # fmt: skip
"""Words that ask for a product without its size word ("mejor uno chico")."""
SIZES = SMALLER | frozenset(
    {"grande", "grandes", "large", "big", "chiquito", "chiquita", "familiar", "doble", "double"}
)
STOPWORDS = frozenset({"de", "del", "al", "la", "el", "los", "las", "con", "y", "e", "en", "a", "the", "of", "and"})
AMOUNT_WORDS = frozenset({"entero", "entera", "enteros", "enteras", "medio", "media", "medios", "medias", "whole",
                         "half", "pc", "pcs", "pz", "pza", "piezas", "pieces", "g", "gr", "kg", "kilo", "kilos",
                         "ml", "l", "lt", "litro", "litros", "oz", "cuarto", "cuartos", "quarter", "docena",
                         "docenas", "dozen"})  # fmt: skip
"""Words of a product's name that say its size or amount, not what it is."""


def variant_of(catalog: CatalogView, line: ProductView, new: list[str]) -> ProductView | None:
    """The one product that `line`'s name makes with the folded words `new`: added to the name
    ("grande"), or in place of one of its words ("de plátano" for "mamey"); "chico" drops a size
    word. None when no product, or more than one, fits."""
    index = index_for(catalog)
    synonyms = lexicon().synonyms
    name = [w for w in words(line.name) if w not in STOPWORDS]
    smaller = [w for w in new if w in SMALLER]
    new = [w for w in new if w not in SMALLER]
    tries = [name] if new else []
    tries += [name[:i] + name[i + 1 :] for i in range(len(name))]
    if smaller:  # "chico" of a "Coctel de camarón grande" whose small one is named so: "Coctel de camarón chico"
        tries.append([*(w for w in name if w not in SIZES), *smaller, *new])
    found: dict[str, float] = {}
    for kept in tries:
        if not set(kept) - AMOUNT_WORDS - SIZES and not (set(name) & set(new)) - AMOUNT_WORDS - SIZES:
            continue  # nothing of the line is left: another product, not a variant of it
            # (only its amount: "kilo" after the Tortillas medio kilo is no Carnitas medio kilo)
        matches = index.match([*kept, *new], synonyms)
        if not matches or matches[0].product.sku == line.sku:
            continue
        top = matches[0]
        if top.typed < SURE or (len(matches) > 1 and matches[1].typed >= SURE and matches[1].score >= top.score):
            continue
        if not new and (not smaller or top.score < 1):
            continue  # "chico": only a name that is the line's own without its size word
        found[top.product.sku] = max(found.get(top.product.sku, 0.0), top.score)
    if not found:
        return _plain(catalog, line, name) if smaller and not new else None
    best = sorted(found.items(), key=lambda kv: -kv[1])
    if len(best) > 1 and best[1][1] >= best[0][1]:
        return None
    return catalog.product(best[0][0])


def _plain(catalog: CatalogView, line: ProductView, name: list[str]) -> ProductView | None:
    """ "uno normal" of an "Elote con Flamin' Hot": the one other product of the line's dish (its
    first word) without the «con …» the line's name has ("Elote entero"); None when the line has
    none, or several plain ones fit ("uno normal" of an Esquite con tuétano: chico, mediano or
    grande is asked)."""
    named = words(line.name)
    if "con" not in named or not name:
        return None
    plain = [p for p in catalog.products if p != line and (w := words(p.name)) and w[0] == named[0] and "con" not in w]
    return plain[0] if len(plain) == 1 else None


def described(catalog: CatalogView, typed: list[str]) -> tuple[bool, ProductView] | None:
    """(sure, product): the product that the first typed words name (surely or among a few) and
    whose description holds every other meaningful typed word, when exactly one does ("carne
    cortada a cuchillo"). One such word is only worth asking about: it may be one ingredient of
    many ("jugo de piña" is not surely the Jugo verde with piña; "pizza de chorizo" may be the
    mexicana)."""
    for cut in range(len(typed) - 1, 0, -1):
        rest = {key(w) for w in typed[cut:] if w not in STOPWORDS and len(w) >= 3}
        if not rest:
            continue
        matches = index_for(catalog).match(typed[:cut], lexicon().synonyms)
        candidates = [m.product for m in matches if m.typed >= SURE][:4]
        fitting = [p for p in candidates if rest <= {key(w) for w in words(p.description)}]
        if len(fitting) == 1:
            return len(rest) > 1, fitting[0]
    return None

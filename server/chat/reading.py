"""Reading a free-text order into items, doubts and words not on the menu, with nothing left over.

A message is cut into parts at commas, new lines, "y"/"and" (unless the menu's own names hold
them: "Empanada de jamón y queso") and at a quantity that follows a named product ("5 de pastor
2 de suadero"). In each part, quantities (digits, number words, "x3", "media docena"), greetings,
fillers, polite forms and portion words (`lexicon.toml`) are set apart; what follows "sin", "con",
"bien", "extra" after the product is the line's note ("sin cebolla"). The rest names a product:

- matched with high confidence -> an `Item`;
- middle confidence, or a tie between products -> a `Doubt` (the bot asks "¿Te refieres a …?");
- low -> `unknown`, the customer's own words, named back.

Every part of the message ends in exactly one of the three, or held only words that order
nothing ("hola", "porfa"): that is what "every message is fully accounted for" rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from comandia.server.chat.lexicon import MAX_NUMBER, Lexicon, language_of, lexicon, number
from comandia.server.chat.matching import ACCEPT, ASK, EXACT, MARGIN, SURE, WIDE_MARGIN, Match, ProductIndex, index_for
from comandia.server.chat.model import CatalogView, ProductView, fold
from comandia.server.chat.variants import SIZES, described, variant_of

_TOKENS = re.compile(r"[^\W_]+|[,;/+&\n?.!:]")
_SEPARATORS = frozenset({",", ";", "/", "+", "&", "\n", "y", "e", "and", "?", ".", "!", ":"})
_NOTE_MARKERS = frozenset({"sin", "con", "bien", "extra", "poco", "poquito", "without", "with", "no", "muy", "hold"})
_NOTE_OPENERS = _NOTE_MARKERS - {"no"}
"""Markers that open a note even with no product before them ("que vaya bien cocida", "con todo"):
of the product talked about last. Not "no" ("no, mejor…" edits), nor before a quantity ("con 2
cocas" orders); a note that names a product is that product ("con papas fritas")."""
_ENGLISH_ARTICLES = frozenset({"a", "an"})
_ARTICLES = frozenset({"el", "la", "los", "las", "the", "su", "sus", "your"})
_TAKING_AWAY = frozenset({"sin", "without", "no", "hold"})
_POLITE = frozenset(["porfa", "porfis", "porfavor", "por", "favor", "please", "pls", "plz", "gracias", "thanks", "thx"])
_OCCASIONS = frozenset({"fiesta", "reunion", "oficina", "casa", "evento", "comida", "cena", "party", "office"})
"""What an order is for ("para una fiesta"): the article before it counts nothing."""
_LAUGH = re.compile(r"(?:[jh][aeiou]){2,}[jh]?|jsjs\w*|lol|xd+|haha\w*")
"""Laughter at the end of a note ("sin piña jaja"): said to the person, not the kitchen."""
_SIZES = frozenset(
    ["litro", "litros", "medio", "media", "kilo", "kilos", "kg", "grande", "chico", "mediano", "large", "small",
     "medium"]
)  # fmt: skip
_GLUE = frozenset({"de", "del", "al", "la", "el", "los", "las", "the", "of", "en"})  # never a product by itself


@dataclass(frozen=True)
class Item:
    product: ProductView
    quantity: int
    note: str = ""
    words: str = ""


@dataclass(frozen=True)
class Doubt:
    candidates: tuple[ProductView, ...]
    quantity: int
    words: str
    note: str = ""


@dataclass(frozen=True)
class Reading:
    items: tuple[Item, ...] = ()
    doubts: tuple[Doubt, ...] = ()
    unknown: tuple[str, ...] = ()
    language: str | None = None
    loose: tuple[int, ...] = ()
    """Quantities that named no product ("dame 2"): of the product talked about last, or asked."""
    notes: tuple[str, ...] = ()
    """Notes that followed no product in the message ("que vaya bien cocida"): of the product
    talked about before it."""

    @property
    def empty(self) -> bool:
        return not (self.items or self.doubts or self.unknown or self.loose or self.notes)


@dataclass
class _Part:
    quantity: int | None = None
    words: list[str] = field(default_factory=list)
    spans: list[int] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    note_spans: list[int] = field(default_factory=list)
    in_note: bool = False
    portions: list[tuple[str, int]] = field(default_factory=list)
    """Portion words set aside ("2 latas"): the product itself when nothing else is named."""
    sized: bool = False
    """A size word was set apart ("de litro"): a name typed exactly is not sure to be the one."""
    closed: bool = False
    """A quantity came after the name ("pastor x3"): the next product word starts a new part."""
    elliptic: bool = False
    """The part starts with "de" and no product noun ("una de chocolate"): the noun is the part's before."""


@dataclass(frozen=True)
class _Token:
    text: str
    folded: str


_MEASURE = re.compile(r"(\d+)(l|lt|lts|ml|kg|g|gr|grs|oz|pz)", re.IGNORECASE)
_UNITS = frozenset(
    ["l", "lt", "lts", "litro", "litros", "ml", "kg", "g", "gr", "grs", "oz", "kilo", "kilos", "gramos", "onzas"]
)


_HALF = re.compile(r"(?<![\d/])(?:1\s*[/\u2044]\s*2|\u00bd)(?![\d/])")
"""A half written as a fraction ("1/2 docena", "½ docena"): read as the word "media"."""


def tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    lex = lexicon()
    for raw in _TOKENS.findall(_HALF.sub(" media ", text)):
        measure = _MEASURE.fullmatch(raw)
        if measure:  # "3l", "600ml": a size, as "3 l"
            found += [_Token(measure.group(1), measure.group(1)), _Token(measure.group(2), fold(measure.group(2)))]
        else:
            found.append(_Token(raw, raw if raw in _SEPARATORS else lex.spelled(fold(raw))))
    return found


def read_order(text: str, catalog: CatalogView) -> Reading:
    """Read `text` as an order against `catalog` (unavailable products are matched too)."""
    lex = lexicon()
    index = index_for(catalog)
    found = tokens(index.with_skus_named(text))
    language = language_of([t.folded for t in found])
    parts = _parts(found, index, lex, english=language == "en")
    found_in: list[tuple[int, Item | Doubt | str]] = []  # (part number, what it became)
    loose: list[int] = []
    notes: list[str] = []
    forgotten: set[int] = set()
    head, head_number, shared = None, -1, 0
    for number_, part in enumerate(parts):
        if not part.words:
            if part.note:  # "…y que vaya bien cocida": the note of the item before, if it has none
                note = _note_text(part.note, lex)
                before = [i for i, (_, what) in enumerate(found_in) if isinstance(what, Item | Doubt)]
                if before and not getattr(found_in[before[-1]][1], "note", ""):
                    at, what = found_in[before[-1]]
                    found_in[before[-1]] = (at, replace(what, note=note))  # type: ignore[type-var]
                else:
                    notes.append(note)
            elif part.quantity is not None:
                loose.append(part.quantity)  # "dame 2 y un hielo": 2 of what was just talked about
            continue
        words = part.words
        if part.elliptic and head is not None and _needs_head(head.words, part.words, index, lex):
            words = [*head.words, *part.words]  # "dos conchas, una de vainilla": concha de vainilla
            shared += part.quantity or 1
            head_alone = _verdict(index.match(head.words, lex.synonyms))
            if (head.quantity is None or shared == head.quantity) and head_alone is not None and not head_alone[0]:
                forgotten.add(head_number)  # the unsure head only named the noun of the parts after it
        elif head is not None and _shares_head(head, part, index, lex):
            shared += part.quantity or 1  # "media docena de empanadas, 2 de carne … y 2 caprese"
            if head.quantity is None or shared == head.quantity:
                forgotten.add(head_number)
        else:  # a part of its own ("una docena de empanadas" too): the head of the parts after it
            head, head_number, shared = part, number_, 0
        previous = next((w for _, w in reversed(found_in) if isinstance(w, Item)), None)
        if previous is None and set(part.words) <= _SAME:
            loose.append(part.quantity or 1)  # "otro igual": of what was talked about before
            continue
        again = _same_again(previous, part.words, catalog) if previous is not None else None
        if again is not None:  # "un jugo de naranja grande y uno chico", "… y otro igual"
            quantity = min(max(part.quantity or 1, 1), MAX_NUMBER)
            said = " ".join(found[i].text for i in part.spans)
            found_in.append((number_, Item(again, quantity, _note_text(part.note, lex), said)))
            continue
        quantity = min(max(part.quantity or 1, 1), MAX_NUMBER)
        said = " ".join(found[i].text for i in range(part.spans[0], part.spans[-1] + 1))
        note = _note_text(part.note, lex)
        pieces = [(words, said)] if words is not part.words else _pieces(words, said, index, lex)
        for words_here, said_here in pieces:
            verdict = _verdict(index.match(words_here, lex.synonyms, exact=not part.sized))
            if verdict is not None and not verdict[0] and part.note:  # "agua, sin gas": the note decides
                decided = _decided(verdict[1], [*words_here, *(fold(w) for w in part.note)], index, lex)
                verdict, note = (decided, "") if decided is not None else (verdict, note)
            if verdict is None and (by_description := described(catalog, words_here)) is not None:
                verdict = (True, (by_description,))  # "carne cortada a cuchillo": Empanada de carne
            doubted = found_in[-1][1] if found_in and found_in[-1][0] == number_ - 1 else None
            if (isinstance(doubted, Doubt) and verdict is not None and verdict[0] and part.quantity is None
                    and verdict[1][0] in doubted.candidates):  # fmt: skip
                # "un agua, sin gas", "un licuado, de fresa": the part says which one the doubt was
                found_in[-1] = (number_ - 1, Item(verdict[1][0], doubted.quantity, doubted.note or note, said_here))
                continue
            if verdict is None:  # named back with its note: «pan con tomate», not «pan»
                end = max([part.spans[-1], *part.note_spans]) if said_here == said else part.spans[-1]
                whole = " ".join(found[i].text for i in range(part.spans[0], end + 1))
                found_in.append((number_, whole if said_here == said else said_here))
            elif verdict[0]:
                found_in.append((number_, Item(verdict[1][0], quantity, note, said_here)))
            else:
                found_in.append((number_, Doubt(verdict[1], quantity, said_here, note)))
    kept = [what for number_, what in found_in if number_ not in forgotten]
    return Reading(
        tuple(w for w in kept if isinstance(w, Item)),
        tuple(w for w in kept if isinstance(w, Doubt)),
        tuple(w for w in kept if isinstance(w, str)),
        language,
        tuple(loose),
        tuple(notes),
    )


_SAME = frozenset({"igual", "iguales", "igualito", "igualita", "igualitos", "igualitas", "mismo", "misma", "mismos",
                   "mismas", "ese", "esa", "esos", "esas", "same", "those", "that"})  # fmt: skip
"""After a quantity, the item before once more: "otro igual", "otra de esas", "one more of those"."""


def _same_again(previous: Item, words: list[str], catalog: CatalogView) -> ProductView | None:
    """The product a part names through the item before it: "otro igual" (the same one), "uno
    chico" (its other size); None when the part names a product of its own."""
    if not words or not set(words) <= _SAME | SIZES:
        return None
    if set(words) <= _SAME:
        return previous.product
    return variant_of(catalog, previous.product, [w for w in words if w not in _SAME])


def _decided(
    candidates: tuple[ProductView, ...], words: list[str], index: ProductIndex, lex: Lexicon
) -> tuple[bool, tuple[ProductView, ...]] | None:
    """One of the doubted products, when the words with the note name it surely ("agua" + "sin gas")."""
    verdict = _verdict(index.match(words, lex.synonyms))
    if verdict is not None and verdict[0] and verdict[1][0] in candidates:
        return verdict
    return None


def _shares_head(head: _Part, part: _Part, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a part that names a product by itself ("2 caprese") is one more share of an unsure
    head before it ("media docena de empanadas, …"): the head's words fit that same product."""
    if head.quantity is None or part.quantity is None or not part.words:
        return False
    head_alone = _verdict(index.match(head.words, lex.synonyms))
    alone = _verdict(index.match(part.words, lex.synonyms))
    if head_alone is None or head_alone[0] or alone is None or not alone[0]:
        return False
    matches = index.match([*head.words, *part.words], lex.synonyms)
    together = _verdict(matches)
    # the head's words must fit too: "una mexicana, una coca" never makes the coca a share of it
    return together is not None and together[0] and together[1][0] == alone[1][0] and matches[0].typed >= SURE


def _needs_head(head: list[str], words: list[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether "una de chocolate" names a product surely with the noun of the part before
    ("dos conchas, …")."""
    together = index.match([*head, *words], lex.synonyms)
    verdict = _verdict(together)
    return verdict is not None and verdict[0] and together[0].typed >= SURE


def _note_text(note: list[str], lex: Lexicon) -> str:
    """The note as written, without the politeness around it ("bien dorada porfa" -> "bien dorada")."""
    words = list(note)
    while words and (fold(words[-1]) in _POLITE or _LAUGH.fullmatch(fold(words[-1]))):
        words.pop()
    folded = [fold(w) for w in words]
    if (len(words) > 3 and folded[0] in ("con", "with") and folded[1] in _ARTICLES
            and (folded[3] in _NOTE_MARKERS or folded[3] in lex.note_words)):  # fmt: skip
        words = words[3:]  # "con la carne bien asada": how the meat comes, "bien asada"
    if len(words) > 1 and fold(words[0]) in ("con", "with") and fold(words[1]) in _TAKING_AWAY:
        words.pop(0)  # "with no onions" -> "no onions"
    return " ".join(words)


def _verdict(matches: list[Match]) -> tuple[bool, tuple[ProductView, ...]] | None:
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
    if len(close) == 1 and (top.score >= ACCEPT or top.typed >= SURE):
        return True, (top.product,)
    return False, tuple(m.product for m in close[:3])


def _pieces(words: list[str], said: str, index: ProductIndex, lex: Lexicon) -> list[tuple[list[str], str]]:
    """The words as one product, or as two when one product does not explain them and two do
    ("bife de chorizo con papas fritas")."""
    whole = index.match(words, lex.synonyms)
    if len(words) < 2 or (whole and whole[0].typed >= SURE):
        return [(words, said)]
    named = {whole[0].product.sku} if whole and whole[0].typed >= 0.5 else set()
    for cut in range(1, len(words)):
        left, right = index.match(words[:cut], lex.synonyms), index.match(words[cut:], lex.synonyms)
        left_verdict, right_verdict = _verdict(left), _verdict(right)
        sure = left_verdict and right_verdict and left_verdict[0] and right_verdict[0]
        if (
            sure
            and left[0].product.sku != right[0].product.sku
            and not named & {left[0].product.sku, right[0].product.sku}
        ):
            return [(words[:cut], " ".join(words[:cut])), (words[cut:], " ".join(words[cut:]))]
    return [(words, said)]


def _parts(found: list[_Token], index: ProductIndex, lex: Lexicon, english: bool) -> list[_Part]:
    parts: list[_Part] = []
    current = _Part()
    position = 0
    while position < len(found):
        folded = found[position].folded
        replaced = _old_value(found, position)
        if replaced:  # "en vez de 2", "instead of 2": the quantity being replaced, not one ordered
            position += replaced
            continue
        phrase, value = _quantity_phrase(found, position, lex, index)
        if phrase:
            current = _quantity(parts, current, value)
            position += phrase
            continue
        if folded in _SEPARATORS and not _held_by_name(found, position, index):
            parts.append(current)
            current = _Part()
        elif current.in_note:
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (folded in _NOTE_MARKERS and folded != "no" and not current.words and parts and parts[-1].words
              and position > 0 and found[position - 1].folded in (",", "/") and not index.knows(folded)):  # fmt: skip
            current = parts.pop()  # "large americano, extra hot": the note of the item before
            current.in_note = True
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (
            (folded in _NOTE_OPENERS or folded in lex.note_words)
            and not current.words
            and not current.portions
            and not index.knows(folded)
            and not (position + 1 < len(found) and _is_quantity(found, position + 1, index, english))
        ):
            current.in_note = True  # "que vaya bien cocida": a note with no product before it
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (
            (folded in _NOTE_MARKERS or (folded in lex.note_words and not index.knows(folded)))
            and current.words
            and not _held_by_name(found, position, index)
        ):  # "sin cebolla", "bife de chorizo jugoso"
            current.in_note = True
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif folded == "x" and position + 1 < len(found) and number(found[position + 1].folded) is not None:
            current = _quantity(parts, current, number(found[position + 1].folded) or 1)
            current.closed = bool(current.words)  # "pastor x 3 …": the next product is another item
            position += 1
        elif _is_quantity(found, position, index, english):
            value = number(folded) or lex.quantities.get(folded, 1)
            had_words = bool(current.words) and current.quantity is None
            current = _quantity(parts, current, value)
            current.closed = had_words and folded.startswith("x") and folded[1:].isdigit()
        elif folded == "x" and not index.knows("x"):
            pass  # "2 x margarita": the times sign
        elif folded in _SAME and current.quantity is not None and not current.words:
            current.words.append(folded)  # "y otro igual": the item before, once more
            current.spans.append(position)
        elif _set_apart(folded, index, lex):
            if folded in _OCCASIONS and current.quantity is not None and not current.words:
                current.quantity = None  # "para una fiesta": an article, not one of something
            if folded in lex.portions:
                current.portions.append((folded, position))
                current.sized = current.sized or folded in _SIZES
        else:
            if current.closed:
                parts.append(current)
                current = _Part()
            if (not current.words and not current.portions and position > 1
                    and found[position - 1].folded in ("de", "del")
                    and _is_quantity(found, position - 2, index, english)):  # fmt: skip
                current.elliptic = True  # "una de vainilla": a quantity, "de", a flavour
            current.words.append(folded)
            current.spans.append(position)
        position += 1
    parts.append(current)
    parts = [piece for part in parts for piece in _note_or_item(part, found, index, lex)]
    kept: list[_Part] = []
    for part in parts:
        if not part.words and part.portions:  # "y 2 latas": the portion word is the product
            part.words = [w for w, _ in part.portions]
            part.spans = [p for _, p in part.portions]
        # "unos pastorcitos, como 5": a lone quantity belongs to the part before
        if not part.words and part.quantity is not None and kept and kept[-1].quantity is None:
            kept[-1].quantity = part.quantity
        elif part.words or part.quantity is not None or part.note:
            kept.append(part)
    return kept


def _set_apart(folded: str, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a word is glue, a filler or a portion word rather than part of a product's name:
    words of the menu's names stay ("2 litros de jamaica" names Agua de jamaica litro)."""
    if folded in _GLUE:
        return True
    if folded in lex.fillers and not index.knows(folded):
        return True
    return folded in lex.portions and not index.knows_key(folded)


def _note_or_item(part: _Part, found: list[_Token], index: ProductIndex, lex: Lexicon) -> list[_Part]:
    """A note that surely names a product ("brisket sandwich with slaw", "con papas fritas") is
    that product, a part of its own: a product is never hidden in a note."""
    if not part.note or any(fold(w) in _TAKING_AWAY for w in part.note):
        return [part]  # "with no onions": a product taken away is a note, never an item
    ignored = lex.fillers | lex.portions | _GLUE
    spans = [i for i in part.note_spans[1:] if found[i].folded not in ignored]
    words = [found[i].folded for i in spans]
    matches = index.match(words, lex.synonyms) if words else []
    verdict = _verdict(matches)
    if not (verdict and verdict[0] and matches[0].typed >= SURE and matches[0].score >= ACCEPT):
        return [part]
    item = _Part(words=words, spans=spans)
    return [replace(part, note=[], note_spans=[], in_note=False), item]


def _old_value(found: list[_Token], position: int) -> int:
    """How many tokens "en vez de N" / "en lugar de N" / "instead of N" takes here (0: none)."""
    ahead = [t.folded for t in found[position : position + 4]]
    if ahead[:3] in (["en", "vez", "de"], ["en", "lugar", "de"]) and len(ahead) == 4 and number(ahead[3]):
        return 4
    if ahead[:2] == ["instead", "of"] and len(ahead) >= 3 and number(ahead[2]):
        return 3
    return 0


def _quantity(parts: list[_Part], current: _Part, value: int) -> _Part:
    """A quantity starts a new part when the current one already has a product and a quantity."""
    if current.words and (current.quantity is not None or current.in_note):
        parts.append(current)
        return _Part(quantity=value)
    if current.words:
        current.quantity = value  # "ciel 3", "pastor x3": after the name
    else:
        if current.quantity is None or current.quantity == value:  # "2 (dos) gringas" says it twice
            current.quantity = value
        else:
            current.quantity *= value
    return current


def _is_quantity(found: list[_Token], position: int, index: ProductIndex, english: bool) -> bool:
    folded = found[position].folded
    if index.knows(folded) and not folded.isdigit():
        return False
    following = found[position + 1].folded if position + 1 < len(found) else ""
    if f"{folded} {following}" in index.folded_pairs:
        return False  # "pizza 4 quesos", "coca 600 ml": the number is part of the name
    after_product = position > 0 and index.knows(found[position - 1].folded) and found[position - 1].folded not in _GLUE
    if folded.isdigit() and index.knows(folded) and following in _UNITS and after_product:
        return False  # "coca 3 lt": a size the menu has, not a quantity
    if folded.isdigit() and index.knows(folded) and position > 1 and found[position - 1].folded == "de":
        return False  # "2 cocas de 3": the size
    if folded in _ENGLISH_ARTICLES:
        return english
    if folded in lexicon().fillers and folded not in lexicon().quantities:
        return False  # "unos", "unas": some, not one
    return number(folded) is not None or folded in lexicon().quantities


def _quantity_phrase(found: list[_Token], position: int, lex: Lexicon, index: ProductIndex) -> tuple[int, int]:
    """(tokens used, value) of a several-word quantity idiom starting here ("media docena de")."""
    for size in (4, 3, 2):
        if position + size > len(found):
            continue
        phrase = " ".join(t.folded for t in found[position : position + size])
        if phrase in lex.quantities:
            return size, lex.quantities[phrase]
    return 0, 0


def _held_by_name(found: list[_Token], position: int, index: ProductIndex) -> bool:
    """Whether a separator word sits inside a product name here ("jamón y queso")."""
    if position == 0 or position + 1 >= len(found):
        return False
    before, here, after = found[position - 1].folded, found[position].folded, found[position + 1].folded
    if f"{before} {here} {after}" in index.folded_triples:
        return True
    if here not in ("and", "&", "y", "e"):
        return False
    synonyms = lexicon().synonyms  # "ham and cheese croissant": Croissant de jamón y queso
    first, second = synonyms.get(before, before).split(), synonyms.get(after, after).split()
    return bool(first and second) and f"{first[0]} y {second[0]}" in index.folded_triples

"""A cart line turned into another size or flavour of itself: "mejor que sea la grande", "que el
de mamey sea de plátano", "make it a double", a line named and turned into another product ("make
the lemonade a sweet tea", "el tinto que sea mejor un perico"), and a later message that only
qualifies ("sin gas", "grande"). The same quantity; the note stays with a size change.

Each function returns None when the message is not that kind of edit (`editing` tries the next).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import SET_OPENERS, counted, in_cart, is_add_on, last_line, weighed
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import amount_in, measured_size, only_measure, resized_by_amount, sized_by_amount
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import ADDING_TOO, apply_reading
from comandia.server.chat.reading import Item, Reading, read_order
from comandia.server.chat.restating import made_of
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import SIZES, SMALLER, STOPWORDS, variant_of

_VARIANT_CUES = frozenset({"mejor", "better", "actually", "rather", "prefiero", "preferible"})
_IT = frozenset({"la", "lo", "las", "los", "it", "them"})


def variant(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor que sea la grande", "cámbialo a grande", "que el de mamey sea de plátano", "make it
    a large": a cart line becomes the product its name makes with the words said (the same
    quantity and note). The line is the one the message names, else the one added last."""
    words = intents.normalised(text).split()
    phrase = intents.mentions(text, "set")
    if "sea" in words or "sean" in words:
        at = words.index("sea") if "sea" in words else words.index("sean")
        target, new = words[:at], words[at + 1 :]
    elif phrase is not None:
        target, new = intents.rest_before(text, phrase).split(), intents.rest_after(text, phrase).split()
    elif cues := [i for i, w in enumerate(words) if w in _VARIANT_CUES or (
            w in ("quiero", "quisiera", "prefiero", "want", "like") and i > 0 and words[i - 1] in _IT)]:  # fmt: skip
        # "no, mejor mediana", "grande mejor", "la quiero grande", "I want it large"
        target, new = [], [w for i, w in enumerate(words) if i not in cues and w not in _IT]
    else:
        return None
    lex = lexicon()
    amount = amount_in(new)  # "que la inca sea la de litro y medio": a measure, read before fillers go
    said_new = [w for w in new if w not in lex.fillers or w in _MARKED or w == "de"]
    target = [w for w in target if w not in SET_OPENERS and w not in lex.fillers]
    new = [w for w in new if w not in lex.fillers or w in SMALLER]
    if not new or counted(new):
        return None
    if target:
        line = in_cart(turn, state, " ".join(target))
        other = variant_of(turn.catalog, line, new) if line is not None else None
        if line is not None and other is None and amount:
            other = sized_by_amount(turn.catalog, (line,), amount)
        if line is not None and other is not None and _of_another_dish(line, other, said_new):
            return _noted_line(turn, state, line, " ".join(said_new))
    else:  # "make it a double": the last line, else the one line of the cart it fits
        last = last_line(turn, state, in_cart=True)
        lines = [last] + [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) and p != last]
        fits = [(p, v) for p in lines if p is not None and (v := variant_of(turn.catalog, p, new)) is not None
                and _own(v) & _own(p)]  # fmt: skip
        # ("mejor un chocolate caliente" after the Latte de vainilla is another drink, added: no
        # word of the latte is left in it, so it is no other size or flavour of the latte)
        line, other = fits[0] if fits and (fits[0][0] == last or len(fits) == 1) else (None, None)
        if not fits and ("sea" in words or "sean" in words):  # "3 rojos" … "mejor que sean de rajas"
            line, other = last, _kin(turn, last, new) if last is not None else None
    if line is None or other is None or line.sku not in state.cart_dict():
        return None
    return _replace_line(turn, state, line, other, new)


def _of_another_dish(line: ProductView, other: ProductView, said: list[str]) -> bool:
    """Whether "de X" / "con X" said of a named line only qualifies it: the product the words
    find shares no word of the line's own name, so it is another dish ("las guajolotas que sean de
    verde": a guajolota of green tamal, never a Tamal verde instead), and the words are a note."""
    return said[:1] in (["de"], ["con"]) and not _own(other) & _own(line)


def _noted_line(turn: Turn, state: ChatState, line: ProductView, note: str) -> Outcome:
    """The whole line noted ("de verde"), nothing added nor taken away."""
    state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, note)))
    state = replace(state, stage="cart", last_sku=line.sku)
    return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=line.name, note=note)))


_MAKE_INTO = re.compile(
    r"^(?:.*?\b)?(?:make|turn|change|switch)\s+(?:the|my|that|those)\s+(?P<old>.+?)\s+(?:into|to|a|an)\s+(?P<new>.+)$"
)
_OLD_BECOMES = re.compile(
    r"^(?:.*?\b)?(?:(?:el|la|los|las)\s+(?P<old>.+?)\s+(?:mejor\s+)?que|que\s+(?:el|la|los|las)\s+(?P<old_after>.+?))"
    r"\s+sean?\s+(?P<new>.+)$"
)
"""'el tinto que sea un perico', 'que los cafés sean chocolates': the line named, then what it becomes."""
_OLD_BETTER = re.compile(
    r"^(?:mejor\s+)?(?:el|la|los|las)\s+(?P<old>.+?)\s+(?:mejor|camb(?:ia|ie|iame|ieme)l[oa]s?\s+(?:a|por))\s+(?P<new>.+)$"
)
"""The line named before "mejor" or "cámbialas a" ("las rojas mejor negras", "mejor las rojas
cámbialas a negras"): that line becomes what follows, not the last one added."""
_OLD_MADE = re.compile(
    r"^(?:.*?\b)?(?:the|my)\s+(?P<old>.+?)\s+make\s+(?:it|that|them)\s+(?:a\s+|an\s+|into\s+)?(?P<new>.+)$"
)
"""The line named before "make it" ("and the 10 piece make it a 20 piece instead"): that line
becomes what follows; read as a count, the 10 of its name set it at 10."""
_ARTICLES = frozenset({"un", "una", "uno", "unos", "unas", "a", "an"})


def made_into(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "actually make the mango a strawberry", "make the lemonade a sweet tea", "y el tinto que sea
    mejor un perico": the line named becomes the product said (another size or flavour of it, else
    a product of its own), as many as it was. None when the words name no line of the cart or no
    one product to make of it (a count: "make the coffees 4" is a quantity set)."""
    said = intents.normalised(text)
    found = _MAKE_INTO.match(said) or _OLD_BECOMES.match(said) or _OLD_BETTER.match(said) or _OLD_MADE.match(said)
    if found is None:
        return _made_into_bare(turn, state, said)
    said_old = found.groupdict().get("old") or found.groupdict().get("old_after") or ""
    old = [w for w in said_old.split() if w not in _ONES]  # "make the fish one a gobernador"
    new = [w for w in found.group("new").split() if w not in _ONES]  # "make the fries a large one"
    return _made_into_said(turn, state, " ".join(old), " ".join(new)) if old and new else None


_MAKE_BARE = re.compile(r"^(?:.*?\b)?(?:make|turn)\s+(?:the|my|those)\s+(?P<rest>.+)$")
_ONES = frozenset({"one", "ones"})


def _made_into_bare(turn: Turn, state: ChatState, said: str) -> Outcome | None:
    """ "make the shrimp ones gobernador", "make the rings fries": no word between the line and
    what it becomes; the first words that name a cart line are the line ("ones" closes it), the
    rest the product it becomes."""
    found = _MAKE_BARE.match(said)
    words = found.group("rest").split() if found is not None else []
    if counted([w for w in words if w not in _ONES]) or _MORE & set(words):
        return None  # "make the teas 2 and 1 soda": counts, set elsewhere
    for at in range(1, len(words)):
        old, new = words[:at], words[at:]
        if old[-1] in _ONES or new[0] in _ONES:
            old, new = [w for w in old if w not in _ONES], [w for w in new if w not in _ONES]
        elif _ONES & set(words):
            continue  # "ones" says where the line ends
        made = _made_into_said(turn, state, " ".join(old), " ".join(new)) if old and new else None
        if made is not None:
            return made
    return None


def _made_into_said(turn: Turn, state: ChatState, said_old: str, said_new: str) -> Outcome | None:
    """The line `said_old` names made the product `said_new` makes of it (`made_into`)."""
    new = [w for w in said_new.split() if w not in lexicon().fillers or w in ("de", "con", "sin")]
    if [w for w in counted(new) if w not in _ARTICLES] and not _number_of_name(turn, new):
        return None
    line = in_cart(turn, state, said_old)
    other = made_of(turn, line, new) if line is not None else None
    if line is not None and other is None and (flavour := _flavour_anew(turn, state, line, new)):
        return _noted_line(turn, state, line, flavour)
    if line is None or other is None or other == line:
        return None
    if _of_another_dish(line, other, new):
        return _noted_line(turn, state, line, " ".join(new))
    return _replace_line(turn, state, line, other, new)


def _flavour_anew(turn: Turn, state: ChatState, line: ProductView, new: list[str]) -> str | None:
    """ "el jarrito que sea de piña" after "un jarrito de tamarindo" (a Refresco de sabor noted
    «tamarindo»): a line whose kind is its note, said of another kind the menu has no product
    for, keeps its count and takes that kind as its note in place of the old one ("piña"). None
    unless the line is noted and the words are "de …" naming nothing on the menu."""
    if not dict(state.notes).get(line.sku) or new[:1] != ["de"] or len(new) < 2:
        return None
    flavour = " ".join(new[1:])
    reading = read_order(flavour, turn.catalog)
    return flavour if not (reading.items or reading.doubts) else None


def _number_of_name(turn: Turn, new: list[str]) -> bool:
    """Whether the numbers of `new` are part of the one product's name they read as ("a 20 piece",
    "the 12 oz"): read whole, one product and nothing counted. "make the 10 piece a 20 piece" is
    one 20 pc, never 20 of the 10 pc (nor "make the coffees 4", a count)."""
    reading = read_order(" ".join(new), turn.catalog)
    return len(reading.items) == 1 and not reading.items[0].counted and not (reading.doubts or reading.unknown)


_AMOUNTS = frozenset({"kilo", "kilos", "kg", "litro", "litros", "l", "lt", "ml", "gramos", "g", "gr", "oz"})
_MARKED = frozenset({"sin", "con", "without", "with"})
_BOTH = frozenset({"dos", "ambos", "ambas", "both", "todos", "todas"})
"""After an article, the line's own units ("sin gas las dos"), not a quantity."""
_MORE = frozenset({"y", "e", "and", "otro", "otra", "otros", "otras", "another", "tambien", "also", "mas", "more"})


def qualified(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """Words that only qualify a line of the cart ("sin gas" after "un agua, un flan", "grande",
    "de fresa", "verdes" after "unos chilaquiles", "el jugo grande"): the line becomes the product
    they make with it; restating what it already is changes nothing.

    The line is the one the words name ("el agua sin gas"), else the one added last when they fit
    it, else the one line they fit. A bare word ("verdes", "italiano") only qualifies a line the
    customer named vaguely (by words its whole family shares: "chilaquiles", "un completo"):
    after "3 de pastor", "suadero" is an order."""
    lex = lexicon()
    said = intents.normalised(text).split()
    counts = [w for i, w in enumerate(said) if w in counted(said) and not _units(said, i) and w not in ("a", "an")]
    if _MORE & set(said) or counts:
        return None  # "una mediana", "y de fresa": one more of something, not a line changed
    words = [w for w in said if (w not in lex.fillers or w in SIZES or w in _MARKED) and w not in _BOTH]
    if not words:
        return None
    marked = words[0] in _MARKED or set(words) <= SIZES or (said[:1] == ["de"] and len(words) <= 3)
    lines = _lines(turn, state)
    named = [line for line in lines if any(_is_head(line, w) for w in words)]
    open_to = [line for line in named or lines if marked or named or line.sku in state.vague]
    fits = [(line, fit) for line in open_to if (fit := _fit(turn, line, words)) is not None
            and (line in named or _own(fit) & _own(line))
            and (is_add_on(turn, line) or not is_add_on(turn, fit))]  # fmt: skip
    # (an extra sold apart is never a kind of the line it goes on: "agrégale extra de tuétano"
    # after an Esquite con tuétano adds the extra)
    # (a line the words do not name only takes a kind of itself: "el rabo de toro" after "unas
    # bravas" is another dish, not the bravas qualified)
    changes = [(line, fit) for line, fit in fits if fit != line]
    if not changes:  # "sin gas" when the water is without gas already: it is
        return done(replace(state, stage="cart"), cart_buttons_reply(turn, state)) if fits else None
    if changes[0][0] != lines[0] and len(changes) > 1:
        return None  # two lines it could change, neither the last: read as an order (or asked)
    line, other = changes[0]
    return _replace_line(turn, state, line, other, words)


def _units(said: list[str], at: int) -> bool:
    """Whether the count word at `at` is the line's own units: "las dos", "both"."""
    return said[at] in _BOTH and (at > 0 and said[at - 1] in ("las", "los") or said[at] != "dos")


def _lines(turn: Turn, state: ChatState) -> list[ProductView]:
    """The cart's products, the one talked about last first."""
    last = last_line(turn, state, in_cart=True)
    others = [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) is not None and p != last]
    return ([last] if last is not None and last.sku in state.cart_dict() else []) + others


def _heads(product: ProductView) -> set[str]:
    """The keys of the first word of the product's name and aliases ("agua", "pizza", "coca")."""
    names = (product.name, *product.aliases)
    return {key(first[0]) for name in names if (first := [w for w in words_of(name) if w not in STOPWORDS])}


def _is_head(line: ProductView, word: str) -> bool:
    """Whether the word names the line by its head ("agua"; "burger" for a Cheeseburger)."""
    if word in _AMOUNTS:
        return False  # "un kilo de tortillas" does not name the Kilo de huevo by its first word
    heads = _heads(line)
    return key(word) in heads or (len(word) >= 4 and any(h.endswith(key(word)) for h in heads))


def _fit(turn: Turn, line: ProductView, words: list[str]) -> ProductView | None:
    """The product a line becomes with the words: itself when its name already says them, else
    the variant they make (`variants.variant_of`), else None."""
    new = [w for w in words if not _is_head(line, w)]
    if not [w for w in new if w not in _MARKED]:
        return None  # "el agua": the line named, nothing said about it; "con todo" is a note
    own = {key(w) for name in (line.name, *line.aliases) for w in words_of(name)}
    if {key(w) for w in new if w not in _MARKED} <= own and _marks_agree(line, new):
        return line
    return variant_of(turn.catalog, line, new) or measured_size(turn.catalog, line, new)


def _own(product: ProductView) -> set[str]:
    """The keys of the words of the product's own name (not its aliases: a kind's word such as
    "bebida" is every drink's, and says nothing of which one it is)."""
    return {key(w) for w in words_of(product.name) if w not in STOPWORDS}


def _kin(turn: Turn, line: ProductView, words: list[str]) -> ProductView | None:
    """The one product the words name surely when it shares the line's head ("de rajas" after
    the Tamal rojo: the Tamal de rajas con queso), else None: another dish, not a kind of it."""
    reading = read_order(" ".join(words), turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose:
        return None
    other = reading.items[0].product
    return other if other != line and _heads(other) & _heads(line) else None


def _marks_agree(line: ProductView, new: list[str]) -> bool:
    """ "con gas" is not what "Agua sin gas" already is, though both say "gas"."""
    name = set(words_of(line.name))
    return all(w in name or not (name & _MARKED) for w in new if w in _MARKED)


def _replace_line(turn: Turn, state: ChatState, line: ProductView, other: ProductView, words: list[str]) -> Outcome:
    """The cart's `line` becomes `other`, with the same quantity, said as removed and added. Its
    note stays through a size or a "sin/con" change ("bien dorada", now grande); another flavour
    or kind is another dish, and the extras asked for the old one are not carried over. A product
    not available now leaves the line as it was: the customer is told, and keeps what was there."""
    cart = state.cart_dict()
    if not other.available:  # said as unavailable with what else there is; the line stays (no silent drop)
        return apply_reading(turn, state, Reading(items=(Item(other, cart[line.sku], "", " ".join(words)),)))
    quantity = _weighed_quantity(turn, other, words) or cart.pop(line.sku)
    cart.pop(line.sku, None)
    resized = all(w in SIZES for w in words if w not in _MARKED) or words[0] in _MARKED
    note = dict(state.notes).get(line.sku, "") if resized else ""
    state = state.with_cart(cart)
    swapped = Reading(items=(Item(other, quantity, note, " ".join(words)),))
    return apply_reading(turn, state, swapped, turn.texts("removed", name=line.name))


def _weighed_quantity(turn: Turn, other: ProductView, words: list[str]) -> int:
    """How many of `other` the weight the customer said makes ("mejor medio kilo de carnitas"
    after 10 tacos: one half kilo, not ten); 0 when the words say no weight, or another product."""
    if not weighed(words):
        return 0
    reading = read_order(" ".join(words), turn.catalog)
    said = [item.quantity for item in reading.items if item.product == other]
    return said[0] if len(said) == 1 and not reading.doubts else 0


_RESTATING = frozenset({"mejor", "better", "actually", "rather", "instead", "prefiero", "perdon", "perdona",
                        "perdone", "sorry", "no", "nel", "sea", "sean", "son", "es", "era", "eran", "make",
                        "corrijo", "wait", "espera"})  # fmt: skip
"""Words that say a message says a line anew, not orders one more ("uy perdón, etapa 4 son",
"no, mejor medio kilo nomás", "que sean de etapa 4", "make it the half pound")."""
_BARE = frozenset({"que", "q", "k", "ke", "de", "del", "la", "el", "los", "las", "lo", "it", "the", "a", "an",
                   "un", "una", "uno", "that", "this", "to"})  # fmt: skip
"""Words around a bare size or amount that name no line ("que sea DE medio kilo", "make IT A …")."""


def numbered_anew(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "uy perdón, etapa 4 son", "que sean de etapa 4", "make it size 5": a number said after a
    word that a cart line's name holds before a number of its own ("Pañales etapa 3", "Zapatos
    talla 25") is that line's kind, never a count: said as a change of mind, the line becomes the
    product whose name has the number said in place of its own, as many as it was (the count
    set the stage's number of packs, silently). None when no line's name holds that word before
    another number, no such product exists, or the message adds."""
    words = intents.normalised(text).split()
    said = set(words)
    if not _RESTATING & said or ADDING_TOO & said:
        return None
    lines = _lines(turn, state)
    for at, (word, number) in enumerate(zip(words, words[1:], strict=False)):
        if not number.isdigit():
            continue
        swaps = [(line, other) for line in lines if (other := _numbered(turn, line, word, number)) is not None]
        if not swaps:
            continue
        rest = [w for w in words[:at] + words[at + 2 :] if w not in _RESTATING and w not in _BARE
                and w not in lexicon().fillers and w not in _CUE_WORDS]  # fmt: skip
        named = in_cart(turn, state, " ".join(rest)) if rest else None
        if rest and (named is None or named not in [line for line, _ in swaps]):
            return None  # more is said than the line and its number
        line, other = next((s for s in swaps if s[0] == named), swaps[0]) if named else swaps[0]
        if not named and len(swaps) > 1 and swaps[0][0] != last_line(turn, state, in_cart=True):
            return None  # two lines of that word, neither talked about last: which one is not known
        return _replace_line(turn, state, line, other, [word, number])
    return None


_CUE_WORDS = frozenset({"uy", "ay", "ah", "oh", "ups", "oops", "nomas", "solo", "just", "only", "then", "entonces",
                        "porfa", "pls", "please", "si", "mejor", "ser", "of"})  # fmt: skip


def _numbered(turn: Turn, line: ProductView, word: str, number: str) -> ProductView | None:
    """The product whose name is the line's with `number` after `word` in place of the line's own
    number there ("Pañales Huggies etapa 4 x 30" for "etapa 4" after the etapa 3); None when the
    line's name has no number after that word, it is the same, or no product is so named."""
    name = words_of(line.name)
    at = next((i for i, w in enumerate(name[:-1]) if key(w) == key(word) and name[i + 1].isdigit()), None)
    if at is None or name[at + 1] == number:
        return None
    wanted = [*name[: at + 1], number, *name[at + 2 :]]
    return next((p for p in turn.catalog.products if words_of(p.name) == wanted), None)


_SOME_OF = re.compile(r"\b(?:una?|uno|dos|tres|\d+|one|two|three)\s+(?:de\s+(?:las|los)|of\s+the)\b")
"""Some units of a line, not all of it ("una de las cocas", "one of the teas")."""


def amount_anew(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "no, mejor medio kilo nomás" after a kilo of picada, "que sea de medio kilo", "mejor que sea
    medio kilo la picada": an amount alone, said as a change of mind, is the line (the one named,
    else the one talked about last, else the one line of the cart sold in that amount) in that
    amount: one of the product of its family so measured, in its place (as many as the line held
    when said as each one's size: "la coca que sea de 2 litros" after 2 cocas) (it was asked «¿de qué
    producto?» or named back, and the kilo stayed). None when more than the amount and a line
    is said, or no line of the cart is sold in that amount."""
    words = intents.normalised(text).split()
    if not _RESTATING & set(words) or ADDING_TOO & set(words):
        return None
    if _SOME_OF.search(" ".join(words)):
        return None  # "una de las cocas que sea de 2 litros": some units of the line move (`one_of`)
    amount = amount_in(words)
    if not amount or [w for w in counted(words) if w not in _BARE]:
        return None  # "que sean 2 de medio kilo": a count too, read elsewhere
    measure = [w for w in words if only_measure([w]) or w in _BARE]
    rest = [w for w in words if w not in measure and w not in _RESTATING and w not in lexicon().fillers
            and w not in _CUE_WORDS and not w.replace(",", "").replace(".", "").isdigit()]  # fmt: skip
    if rest:
        line = in_cart(turn, state, " ".join(rest))
        other = resized_by_amount(turn.catalog, line, words) if line is not None else None
    else:
        fits = [(p, o) for p in _lines(turn, state) if (o := resized_by_amount(turn.catalog, p, words)) is not None]
        last = last_line(turn, state, in_cart=True)
        line, other = fits[0] if fits and (len(fits) == 1 or fits[0][0] == last) else (None, None)
    if line is None or other is None:
        return None
    cart = state.cart_dict()
    held = cart.pop(line.sku)
    state = replace(state.with_cart(cart), stage="cart")
    each = _of_each(words)  # "la coca que sea de 2 litros" after 2 cocas: both; "mejor medio kilo": the whole
    swapped = Reading(items=(Item(other, held if each else 1, dict(state.notes).get(line.sku, ""), text),))
    return apply_reading(turn, state, swapped, turn.texts("removed", name=line.name))


def _of_each(words: list[str]) -> bool:
    """Whether the amount is said as the size of each unit ("que sean DE 2 litros", "de medio
    kilo"), not as the whole the customer wants ("mejor medio kilo nomás")."""
    at = next((i for i, w in enumerate(words) if only_measure([w]) and w not in ("de", "y")), None)
    return at is not None and "de" in words[max(at - 2, 0) : at]

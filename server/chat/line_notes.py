"""A note said in a later message for a cart line: named after "on", "in", "for", "en", "a",
"para" ("no ketchup on the bec", "oat milk in the latte please", "sin cebolla en los de
suadero", "jugoso para el bife"), or with a definite article and no count ("los camarones no
tan picosos" with a caldo de camarón and camarones a la diabla in the cart, "the taro half sugar"
with the large taro, "perdón la de pierna sin chipotle, y agrega una coca"): that line's note,
not the last line's, never one more of it, never named back as not on the menu nor read as a
removal.

A message of flavours or choices alone ("hot honey flavor", "half mild half hot", "gustos:
frutilla, chocolate y sambayón", "maciza porfa") is the note of the line talked about last
(`options_said`).

`note_on_line`, `pointed_notes` and `options_said` return None when the message is not that
(`editing` tries the next reading).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import among_cart, changes_it, count_of, is_add_on, last_line
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.message_parts import NOTE_MARKERS
from comandia.server.chat.model import ProductView, fold
from comandia.server.chat.ordering import apply_reading, counted_lines
from comandia.server.chat.reading import Doubt, Item, Reading, comes_with, is_option, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, prefixed
from comandia.server.chat.variants import STOPWORDS, variant_of

_TOKEN = re.compile(r"\w+")
_SWAPPING = frozenset({"vez", "lugar", "instead", "place", "sea", "sean", "cambia", "cambiame", "change", "swap"})
"""Words of a swap, not a note ("que sea entero en vez del medio", "instead of the fries")."""
_BEFORE_LINE = frozenset({"on", "in", "for", "to", "en", "a", "al", "para", "pa", "pal"})
"""Words that say which line a note is for: "no onions ON the tacos", "sin cebolla EN los de suadero"."""
_POINTING = frozenset({"the", "my", "those", "that", "these", "this", "el", "la", "los", "las", "mi", "mis", "de",
                       "del", "ese", "esa", "esos", "esas"})  # fmt: skip
"""Words between that word and the line's name ("en LOS DE suadero", "on THE taro")."""


def note_on_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "less ice on the taro pls" after a taro and a thai tea: the note of the one cart line the
    words after the last "on"/"en"/"para" name surely, when the words before it order nothing
    (no count, no product: "2 tacos for the kids" orders) and name no line themselves."""
    tokens = list(_TOKEN.finditer(text))
    said = [fold(t.group(0)) for t in tokens]
    if _SWAPPING & set(said) or any(changes_it(w) for w in said):
        return None  # "che mejor pasalo a un kilo": the helado made a kilo, never noted
    fillers = lexicon().fillers
    for at in range(len(said) - 1, 0, -1):
        if said[at] not in _BEFORE_LINE:
            continue
        lines = _lines_named(turn, state, said[at + 1 :])
        if not lines:
            continue
        note = text[: tokens[at].start()].strip(" ,.;:!¡¿?")
        before = said[:at]
        if not [w for w in before if w not in fillers] or any(count_of(w) not in (None, 1) for w in before):
            return None
        if intents.only(note, "remove") or intents.only(note, "undo"):
            return None  # "nvm on the mac", "forget about the fries": the line dropped, never noted
        chosen = _chosen_inside(turn, lines, note)
        if chosen is None and not _only_a_note(turn, state, note):
            return None  # an order, or another line named ("sin el refresco a la pizza")
        note = chosen or note
        said_back = []
        for line in lines:
            old = dict(state.notes).get(line.sku)
            joined = ", ".join((old, note)) if old and note not in old else note
            state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, joined)))
            said_back.append(turn.texts("note_set", name=line.name, note=joined))
        state = replace(state, stage="cart", last_sku=lines[-1].sku)
        return done(state, cart_buttons_reply(turn, state, "\n".join(said_back)))
    return None


_AS_CHOICE = re.compile(
    r"\s*\b(?:as|for)\s+(?:the|their|my|our)?\s*(?:drinks?|beverages?|sides?)\b"
    r"|\s*\b(?:de|como|para|pa)\s+(?:la\s+|su\s+)?(?:bebidas?|tomar|acompa[nñ]antes?)\b",
    re.IGNORECASE,
)
"""How a note says it chooses what a line comes with ("lemonade AS THE DRINK on both combos")."""


def _chosen_inside(turn: Turn, lines: list[ProductView], note: str) -> str | None:
    """The note's product, when it is what every line comes with (its description: "8 wings,
    regular fries and a drink": a Fresh lemonade) and the note orders nothing more: "lemonade as
    the drink on both combos" chooses the combos' drink, never a third combo or two lemonades more."""
    said = _AS_CHOICE.sub("", note).strip(" ,.;:!¡¿?")
    reading = read_order(said, turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown or reading.loose or reading.items[0].counted:
        return None
    inside = reading.items[0].product
    words = [fold(w) for w in words_of(said)]
    return said if all(comes_with(line, inside, words, turn.catalog) for line in lines) else None


_ONE = frozenset({"one", "ones"})
"""What stands for a line's name after its kind ("the taro one", "the lychee one")."""
_IT = frozenset({"that", "this", "it", "ese", "esa", "este", "esta", "eso"})
"""A pointer with no name: the line talked about last ("less ice on that one")."""
_EACH_OF = frozenset({"both", "either", "ambas", "ambos", "all", "todas", "todos", "each"})
"""Words that say the note is for every line the rest names ("no onions on both burgers")."""
_PAIR = frozenset({"both", "either", "ambas", "ambos"})
"""Of those, the ones that count two lines' worth ("to both": the last two units)."""
_OF_THEM = frozenset({"of", "them", "ellas", "ellos"})
"""What may follow those words and names no line: "both of them", "a todas ellas"."""


def _lines_named(turn: Turn, state: ChatState, named: list[str]) -> list[ProductView]:
    """The cart lines the words after "on"/"en" name: "the burger" (the one line whose name holds
    the word, a Double cheeseburger), "the taro one", "that one" (the line talked about last), "both
    burgers" (every line the rest names). Empty when they name no line, or several without "both"."""
    fillers = lexicon().fillers
    said = set(named)
    pointer = bool(_IT & set(named))
    every = bool(_EACH_OF & set(named))
    named = [w for w in named if w not in _POINTING and w not in _IT and w not in _EACH_OF
             and not (every and w in _OF_THEM)]  # fmt: skip
    while named and (named[-1] in fillers or named[-1] in _ONE):
        named = named[:-1]
    if len(named) > 2 and named[1] == "of" and count_of(named[0]) is not None:
        named = named[2:]  # "to one of the brown sugars": the line is the brown sugars, one of them counted
    if not named and every:  # else "to both" after two drinks said apart: the last two lines
        lines = () if (dish := _dish_of_last(turn, state)) else counted_lines(turn, state, 2 if _PAIR & said else 0)
        return dish or ([p for sku, _ in lines if (p := turn.catalog.product(sku))] if len(lines) > 1 else [])
    counted = count_of(named[0]) if len(named) == 1 and _THE & said else None  # "a LAS dos", never "bájale a 2"
    if counted is not None and counted > 1:  # "a las dos", "to the two": the last lines holding them
        lines = counted_lines(turn, state, counted)
        return [p for sku, _ in lines if (p := turn.catalog.product(sku)) is not None]
    if not named:
        last = last_line(turn, state, in_cart=True) if pointer else None
        return [last] if last is not None and last.sku in state.cart_dict() else []
    line = among_cart(turn, state, " ".join(named))
    if line is not None and not every:
        return [line]
    holding = _name_holds(turn, state, named)
    return holding if every or len(holding) == 1 else []


def _dish_of_last(turn: Turn, state: ChatState) -> list[ProductView]:
    """ "add extra boba to both" after "make one of the taros regular": with no name, every line of
    the dish talked about last (the lines whose names open with its first word), when it is more
    than one line; else none."""
    last = last_line(turn, state, in_cart=True)
    if last is None or last.sku not in state.cart_dict():
        return []
    head = words_of(last.name)[:1]
    dish = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None and words_of(p.name)[:1] == head]
    return dish if len(dish) > 1 else []  # (one line of 2 units is no "both" of lines: the jelly on 2 teas)


def _name_holds(turn: Turn, state: ChatState, named: list[str]) -> list[ProductView]:
    """The cart lines a word of whose name is, or ends in, each word said ("burger" in
    "Double cheeseburger", "burgers" for a Cheeseburger): the customer's short name for them."""
    typed = [w.removesuffix("s") for w in named if len(w) >= 4 and w not in STOPWORDS]
    if not typed or len(typed) != len([w for w in named if w not in STOPWORDS]):
        return []
    products = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None]
    return [p for p in products
            if all(any(fold(n).endswith(w) for n in words_of(p.name)) for w in typed)]  # fmt: skip


def _only_a_note(turn: Turn, state: ChatState, note: str) -> bool:
    """Whether the words before the line are a note and order nothing: no product surely named, no
    count; a product only in doubt is still a note when a note's word opens it ("half sugar" on a
    menu with a Brown sugar boba milk)."""
    reading = read_order(note, turn.catalog)
    if reading.items or reading.loose or among_cart(turn, state, note) is not None:
        return False
    if not reading.doubts:
        return True
    first = next(iter(intents.normalised(note).split()), "")
    lex = lexicon()
    return first in NOTE_MARKERS or first in lex.note_words or is_option(first, lex)


def pointed_notes(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "los camarones no tan picosos porfa", "the ceviche not too spicy", "perdón la de pierna
    sin chipotle, y agrega una coca": each item said with a definite article, no count and a note,
    that fits one line of the cart, gives that line the note; the rest of the message is read as
    an order. None when no such item fits a line (then it is an order, or asked about)."""
    if _SWAPPING & set(_unwished(intents.normalised(text).split())) or intents.mentions(text, "remove") is not None:
        return None
    reading = read_order(text, turn.catalog)
    before = state
    lines: list[tuple[Item | Doubt, ProductView]] = []
    said_items: tuple[Item | Doubt, ...] = (*reading.items, *reading.doubts)
    turning = bool(_TURNING & set(intents.normalised(text).split()))
    for said in said_items:
        if not said.pointed or not said.note or intents.is_exactly(said.note, "no"):
            continue  # "el flan no" removes the flan
        line = _line_pointed_at(turn, state, said)
        if line is not None and _becomes_kind(turn, line, said.note):
            return None  # "el de frutilla que sea con leche": the Jugo de frutilla con leche (`variant`)
        if turning and line is not None and isinstance(said, Item) and _sibling_said(state, said, line):
            if not said.product.available:
                return None  # read as an order: named back as not available, the line as it was
            state = _turned(state, said, line)
            continue
        if line is not None:
            lines.append((said, line))
    if not lines:
        return _swapped(turn, before, state, reading) if state.cart != before.cart else None
    noted: list[str] = []
    for said, line in lines:
        old = dict(state.notes).get(line.sku)
        joined = ", ".join((old, said.note)) if old and said.note not in old else said.note
        state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, joined)))
        noted.append(turn.texts("note_set", name=line.name, note=joined))
    state = replace(state, stage="cart", last_sku=lines[-1][1].sku)
    if state.cart != before.cart:
        noted = [*_turned_said(turn, before, state), *noted]
    taken = {id(said) for said, _ in lines} | {id(i) for i in reading.items if i.product.sku in state.cart_dict()}
    rest = replace(reading, items=tuple(i for i in reading.items if id(i) not in taken),
                   doubts=tuple(d for d in reading.doubts if id(d) not in taken))  # fmt: skip
    if rest.empty:
        return done(state, cart_buttons_reply(turn, state, "\n".join(noted)))
    return prefixed(apply_reading(turn, state, rest), "\n".join(noted))


_TURNING = frozenset({"mejor", "better", "actually", "rather", "instead", "prefiero", "perdon", "perdona", "sorry"})
"""Words of a change of mind: "mejor de fresa el licuado" turns the licuado into the fresa one."""


def _sibling_said(state: ChatState, said: Item, line: ProductView) -> bool:
    """Whether the item said with its article is another product of the line's own dish ("de fresa
    el licuado" pointing at the Licuado de plátano, "los elotes con flamin hot" at the Elote
    entero): a product the cart does not hold that shares a word of the line's name, said by a word
    of its own ("the taro" read as the regular one, when the large is in the cart, is the large)."""
    if said.product.sku in state.cart_dict() or said.product == line:
        return False
    own, other = _name_keys(line), _name_keys(said.product)
    typed = {key(w) for w in intents.normalised(said.words).split()}
    return bool(own & other) and bool(typed & (other - own))  # "de fresa": a word of its own said


def _name_keys(product: ProductView) -> set[str]:
    return {key(w) for w in words_of(product.name) if w not in STOPWORDS}


def _turned(state: ChatState, said: Item, line: ProductView) -> ChatState:
    """The cart with `line` turned into the product said (`_sibling_said`), as many as it held
    unless fewer were counted (those move, the rest stay); the words said after it that are not
    of the new name are its note ("con poquita azúcar"; not the «hot» of "con flamin hot")."""
    cart = state.cart_dict()
    held = cart.pop(line.sku)
    moved = said.quantity if said.counted and said.quantity < held else held
    if held > moved:
        cart[line.sku] = held - moved
    own = _name_keys(said.product)
    note = " ".join(w for w in said.note.split() if key(fold(w)) not in own) if said.note else ""
    cart[said.product.sku] = cart.get(said.product.sku, 0) + moved
    notes = tuple(n for n in state.notes if n[0] != said.product.sku)
    notes = (*notes, (said.product.sku, note)) if note.strip(" ,") else notes
    return replace(state.with_cart(cart), notes=notes, stage="cart", last_sku=said.product.sku)


def _turned_said(turn: Turn, before: ChatState, after: ChatState) -> list[str]:
    """What turning lines into others did, as the bot says it: each line removed, each one added."""
    then, now = before.cart_dict(), after.cart_dict()
    said = []
    for sku in then:
        if now.get(sku, 0) < then[sku] and (product := turn.catalog.product(sku)) is not None:
            left = now.get(sku, 0)
            said.append(turn.texts("quantity_set", quantity=left, name=product.name) if left
                        else turn.texts("removed", name=product.name))  # fmt: skip
    for sku in now:
        if now[sku] > then.get(sku, 0) and (product := turn.catalog.product(sku)) is not None:
            said.append(turn.texts("added", quantity=now[sku] - then.get(sku, 0), name=product.name))
    return said


def _swapped(turn: Turn, before: ChatState, state: ChatState, reading: Reading) -> Outcome:
    """The lines turned (`_turned`), and the rest of the message read as an order."""
    said = "\n".join(_turned_said(turn, before, state))
    rest = replace(reading, items=tuple(i for i in reading.items if i.product.sku not in state.cart_dict()))
    if rest.empty:
        return done(state, cart_buttons_reply(turn, state, said))
    return prefixed(apply_reading(turn, state, rest), said)


_BECOMES = re.compile(r"^(?:(?:mejor|que|q|k)\s+)*sean?\s+(?P<new>.+)$")


def _becomes_kind(turn: Turn, line: ProductView, note: str) -> bool:
    """Whether a note said as what the line is to be ("que sea con leche", "que sea con tomate y
    jamón") makes another product of the line's own dish: the menu sells it so (the Jugo de frutilla
    con leche), so it is that product in the line's place, not a note the kitchen reads on the
    plain one (the customer paid for one and got the other, silently)."""
    found = _BECOMES.match(intents.normalised(note))
    if found is None:
        return False
    other = variant_of(turn.catalog, line, found.group("new").split())
    return other is not None and other != line and bool(_name_keys(other) & _name_keys(line))


def _unwished(words: list[str]) -> list[str]:
    """The words but a «sea(n)» that says how the line comes, not what it becomes: before a note
    ("el vacío que sea bien tiernito", "que sean bien frías")."""
    lex = lexicon()
    return [
        w
        for w, after in zip(words, [*words[1:], ""], strict=True)
        if w not in ("sea", "sean") or not (after in NOTE_MARKERS or after in lex.note_words)
    ]


def _line_pointed_at(turn: Turn, state: ChatState, said: Item | Doubt) -> ProductView | None:
    """The one cart line an item said with "el/la/the" is: its product, the one of its candidates
    in the cart, the one whose name it heads ("los camarones": Camarones a la diabla, not the
    Caldo de camarón), else the one line its words fit ("the taro": the large one), else the one
    line that holds what they name (`_holding`)."""
    cart = state.cart_dict()
    candidates = (said.product,) if isinstance(said, Item) else said.candidates
    inside = [p for p in candidates if p.sku in cart]
    noted = set(intents.normalised(said.note).split())
    typed = [w for w in intents.normalised(said.words).split() if w not in noted and w not in lexicon().fillers]
    if len(inside) > 1 and typed:
        headed = [p for p in inside if key(words_of(p.name)[0]) == key(typed[0])]
        inside = headed if len(headed) == 1 else inside
    if len(inside) == 1:
        return inside[0]
    if inside or not typed:
        return None
    return among_cart(turn, state, " ".join(typed)) or _holding(turn, state, typed)


def _holding(turn: Turn, state: ChatState, typed: list[str]) -> ProductView | None:
    """The one cart line whose name or description holds one of the words, when the words name
    a product the cart holds inside another ("las hamburguesas de los combos sin tomate": the
    Combo clásico, "Hamburguesa clásica, papas a la francesa y gaseosa")."""
    said = _keys(typed)
    products = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None]
    lines = [p for p in products if said & _keys([*words_of(p.name), *words_of(p.description)])]
    return lines[0] if len(lines) == 1 else None


def _keys(words: list[str]) -> set[str]:
    """The phonetic keys of the words that may name something (no article, no short word)."""
    return {key(w) for w in words if len(w) >= 3 and w not in STOPWORDS}


_CHOICE = frozenset({"flavor", "flavour", "flavors", "flavours", "sabor", "sabores", "gusto", "gustos", "style"})
"""Words that say the rest is a choice of the item ("hot honey flavor", "gustos: frutilla, …")."""
_JOINING = frozenset({"y", "e", "and", "de", "of", "&"})


def options_said(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "hot honey flavor", "half mild half hot", "gustos: frutilla, chocolate y sambayón",
    "maciza porfa" after a line was added: flavours or choices alone (`option_words`), no count,
    no question, no word that heads a name of the menu: the note of the line talked about last.
    One option alone that may be a product ("vainilla" with a Malteada de vainilla) is still
    asked about, as before."""
    if "?" in text:
        return None
    words = intents.normalised(text).split()
    fillers = lexicon().fillers
    options = [w for w in words if w not in fillers and w not in _JOINING and w not in _CHOICE]
    lex = lexicon()
    index = index_for(turn.catalog)
    if not options or not all(is_option(w, lex) and not index.heads_a_name(w) for w in options):
        return None
    if len(options) == 1 and not _CHOICE & set(words):
        reading = read_order(text, turn.catalog)
        if reading.items or reading.doubts:
            return None
    tokens = [t.group(0) for t in _TOKEN.finditer(text)]
    start = text.find(tokens[0]) if tokens else 0
    said = [w for w in re.split(r"\s+", text[start:].strip()) if w]
    while said and (fold(said[0]).strip(":,.") in _CHOICE | _JOINING or fold(said[0]).strip(":,.") in fillers):
        said.pop(0)
    while said and (fold(said[-1]).strip(":,.!") in _CHOICE or fold(said[-1]).strip(":,.!") in fillers):
        said.pop()
    note = " ".join(said).strip(" ,.;:!")
    if not note:
        return None
    return apply_reading(turn, state, Reading(notes=(note,)))


_WISH = re.compile(r"^\W*(?:que|q|k|ke)\s+(?:sea|sean)\s+(?P<rest>.+)$", re.IGNORECASE)
"""A wish for how the line comes, with a verb the reader keeps for changes ("que sea la grande")."""


def wished_note(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "que sea jugosito porfa", "q sean bien doraditas" after a line was added: when what follows
    «que sea(n)» is a note and nothing else (no product, size or count: "que sea la grande" and
    "que sean 3" stay changes), the note of the line talked about last, as "jugosito porfa" is."""
    wish = _WISH.match(text)
    if wish is None:
        return _how_it_comes(turn, state, text)
    reading = read_order(wish["rest"], turn.catalog)
    if not reading.notes or replace(reading, notes=(), language=None) != Reading():
        return None
    return apply_reading(turn, state, Reading(notes=reading.notes))


_COMES = re.compile(
    r"^\W*(?:que|q|k|ke)\s+(?P<rest>(?:no\s+)?(?:pique|piquen|venga|vengan|salga|salgan|este|esten|llegue|lleguen)"
    r"\s+\w.*)$",
    re.IGNORECASE,
)
"""A wish for how the line talked about last comes, its verb in the subjunctive ("que pique mucho",
"que vengan bien frías", "que no esté tan dulce"): never a product nor a question."""


def _how_it_comes(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "que pique mucho porfa" after an aguachile: the words after «que» are the note of the line
    talked about last, when they order nothing (no product, doubt, count or amount)."""
    wish = _COMES.match(intents.normalised(text))
    if wish is None or last_line(turn, state) is None:
        return None
    reading = read_order(wish["rest"], turn.catalog)
    if reading.items or reading.doubts or reading.loose or reading.measured or reading.people:
        return None
    said = wish["rest"].split()
    typed = _TOKEN.findall(text)
    words = typed[len(typed) - len(said) :] if len(typed) >= len(said) else said  # as typed: "esté", "frías"
    while said and said[-1] in lexicon().fillers:
        said.pop()  # "porfa", "eh"
    return apply_reading(turn, state, Reading(notes=(" ".join(words[: len(said)]),))) if said else None


_ON_LINE = frozenset({"a", "al", "to", "on", "en", "onto", "pa", "para", "pal"})
"""Words that say which line an extra goes on: "A LA de pierna ponle…", "…TO both taro teas"."""
_PUT = frozenset({"ponle", "ponles", "ponele", "ponelo", "ponerle", "agregale", "agregales", "agregarle", "echale",
                  "echales", "add", "put", "with", "con", "y", "and", "also", "tambien"})  # fmt: skip
"""Words that only say to put the extra on ("ponele salsa", "add extra boba")."""


_THE = frozenset({"el", "la", "los", "las", "the"})
"""A line named with its article before "con"/"with" and an extra: "la quesadilla con doble queso"."""


def extra_on_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "a la de pierna ponle extra de aguacate", "add extra boba to both taro teas", "stuffed crust
    on the hawaiian": an extra sold apart (`is_add_on`) put on lines already in the cart is added,
    as many as the units of those lines unless counted; the line is never ordered again. The
    words are cut in two: the line after "a/al/to/on" (first or last), or with its article before
    "con"/"with" ("la quesadilla con doble queso": never a second quesadilla), the extra alone on
    the other side."""
    tokens = list(_TOKEN.finditer(text))
    said = [fold(t.group(0)) for t in tokens]
    for cut in range(1, len(said)):
        for line_words, extra_at in ((said[:cut], (cut, len(said))), (said[cut:], (0, cut))):
            named_first = extra_at[0] == cut and said[cut] in ("con", "with")  # "la quesadilla con doble queso"
            if not line_words or not (line_words[0] in _ON_LINE or named_first and line_words[0] in _THE):
                continue
            extra = _extras(turn, text[tokens[extra_at[0]].start() : tokens[extra_at[1] - 1].end()])
            lines = _lines_named(turn, state, line_words[1:]) if extra else []
            if not lines:
                continue
            units = sum(state.cart_dict()[line.sku] for line in lines)
            some = [n for w in line_words[1:] if w not in ("a", "an") and (n := count_of(w)) is not None]
            some += [2] if _PAIR & set(line_words) else []  # "to both": two, whatever lines hold them
            units = min(some[0], units) if some else units  # "pa una de las tortas": on one of them
            items = tuple(i if i.counted else replace(i, quantity=units) for i in extra)
            state = replace(state, last_sku=lines[-1].sku)
            return apply_reading(turn, state, Reading(items=items))
    return None


def _extras(turn: Turn, words: str) -> tuple[Item, ...]:
    """The extras the words name and nothing else ("ponle extra de aguacate"), or none."""
    folded = [fold(t.group(0)) for t in _TOKEN.finditer(words)]
    while folded and folded[0] in _PUT:
        folded = folded[1:]
    if not folded:
        return ()
    reading = read_order(" ".join(folded), turn.catalog)
    if not reading.items or replace(reading, items=(), language=None) != Reading():
        return ()
    return reading.items if all(is_add_on(turn, i.product) for i in reading.items) else ()

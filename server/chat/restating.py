"""A later message that says part of the cart anew: "mejor 8 de pino y 2 napo", "actually 3
combos, and 1 tenders", "no mirá, mejor medio kilo de picada", "del bistec mejor nomás 1, y
agrégale una sopita", "make one of the cheeseburgers a double".

The restating rule (docs/whatsapp.md): a clause said as a change of mind ("mejor", "actually",
"perdón", "nomás", "make it", "en vez de …") restates what it names. A product already in the
cart takes the count said, never one more (named with no count it stays as it is); another size
or amount of one cart line ("medio kilo" after the kilo, "the 10 pc" after the 20, "medio pollo"
after the entero) takes that line's place; anything else is added. "one of the X to Y" moves that
many of the line X to Y. Clauses without such words (and those that add: "y agrégale …", "plus",
"2 más") are an order, as any other: naming a product again there adds to it.

Each function returns None when the message is not that kind of edit (`editing` tries the next).
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import (
    UNIT_AFTER,
    among_cart,
    category_lines,
    count_of,
    counted,
    in_cart,
    last_line,
    names_something,
    set_lines,
)
from comandia.server.chat.lexicon import MAX_NUMBER, lexicon
from comandia.server.chat.matching import index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import only_measure
from comandia.server.chat.model import ProductView
from comandia.server.chat.ordering import ADDING, apply_reading
from comandia.server.chat.reading import Doubt, Item, Reading, read_order
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done
from comandia.server.chat.variants import AMOUNT_WORDS, PLAIN, SIZES, STOPWORDS, variant_of

_CUES = frozenset({"mejor", "actually", "perdon", "perdona", "perdone", "perdoname", "nomas", "solo", "solamente",
                   "just", "only", "rather", "instead", "dejale", "dejame", "dejalo", "dejala", "dejalos", "dejalas",
                   "corrijo", "wait", "espera", "queden", "quedan", "osea", "total"})  # fmt: skip
"""Words that say a clause restates rather than adds ("mejor 6", "nomás 1", "just 2 then", "so 3 dogs
total": the whole count of the line, never that many more)."""
_AND = re.compile(r"\s+(?:y|e|and)\s+")
_INSTEAD_OF = re.compile(r"\b(?:en vez de|en lugar de|instead of)\s+(?:.+?)\s+(?=(?:que\s+)?sean?\b|mejor\b|make\b)")
""""en vez de 2 enteros que sea …": the old count, said and done; what follows restates."""
_INTERJECTIONS = frozenset({"nah", "nope", "nel", "uy", "ay", "ah", "oh", "ups", "oops", "ok", "okay", "chale",
                            "hijole", "oiga", "oye", "mira", "mire", "che", "bueno", "pues", "hmm", "mmm"})  # fmt: skip
_NOT_RESTATING = frozenset({"no", "not", "sin", "without", "nvm", "era", "eran", "sino", "was", "were", "instead",
                            "vez", "lugar"})  # fmt: skip
"""Words after the first that make the message a removal or a swap, read by `editing`: "en vez de"
and "instead of" left after the old count is taken out name the line to swap."""
_ONES = frozenset({"ones"})
"""'the taro ones large': the lines named, no count of one."""
_NONE = frozenset({"ninguno", "ninguna", "ningun", "none", "cero", "zero"})
_SAID_TWICE = {"mas bien": "mejor", "nada mas": "nomas", "no mas": "nomas", "o sea": "osea", "so that s": "osea",
               "so thats": "osea", "so that is": "osea", "so it s": "osea", "so its": "osea"}  # fmt: skip
"""Said in more words than one: "o sea" and "so that's" sum the order up again ("osea 3 cuartos, 2
espaguetis y 1 coca"; "so thats 1 pulled pork, rings and sweet tea"), which sets, never adds."""


def restate(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """The clauses said as a change of mind set the cart lines they name (or take the place of
    the line they are another size of); the other clauses order. None when no clause restates a
    line of the cart: the message is an order, read as one."""
    said_words = _INSTEAD_OF.sub(" ", intents.normalised(text)).split()
    if _NOT_RESTATING & set(said_words[1:]) or intents.mentions(text, "remove") is not None:
        return None  # "mejor no el pan", "sorry, not hot dogs", "no era huevo": a removal or a swap (`editing`)
    text, aside = _aside(turn, without_check(text))
    clauses = _clauses(turn, state, text)
    if not any(restating for restating, _ in clauses) or any(r and reading.unknown for r, reading in clauses):
        return None  # nothing restated, or words of it not understood: read as an order (and named back)
    cart = state.cart_dict()
    said_text = intents.normalised(text)
    named = {i.product.sku for restating, r in clauses if restating for i in r.items}
    said: list[str] = []
    added: list[Item] = []
    doubts: list[Doubt] = []
    unknown: list[str] = list(aside)
    changed = False
    notes = dict(state.notes)
    for restating, reading in clauses:
        unknown += reading.unknown
        if not restating:
            added += reading.items
            doubts += reading.doubts
            continue
        for doubt in reading.doubts:
            inside = [p for p in doubt.candidates if p.sku in cart]
            inside = [p for p in inside if not _named_elsewhere(doubt, p)] if len(inside) == 1 else inside
            if len(inside) > 1:  # "mejor 3 corridas normales" beside the infantil: the plain one
                inside = _plain_of(doubt, inside)
            if len(inside) > 1 and state.last_sku in {p.sku for p in inside}:
                inside = [p for p in inside if p.sku == state.last_sku]  # "no, 4 de pescado" after 6 tacos de pescado
            sized = _size_of_line(turn, state, doubt.words) if len(inside) != 1 else None
            product = inside[0] if len(inside) == 1 else sized
            kind = _kind_of_doubt(turn, state, doubt, named) if product is None else None
            if kind is not None:  # "los cuernitos mejor de jamón y queso": that kind of the Croissant, as many
                kind_line, other = kind
                said.append(turn.texts("removed", name=kind_line.name))
                added.append(Item(other, cart.pop(kind_line.sku), doubt.note, doubt.words))
                changed = True
                continue
            if product is not None:  # "2 california": the California roll of the cart
                counted = doubt.counted or doubt.quantity != 1 or _counted(doubt.words)  # (0: none of it)
                named.add(product.sku)  # (said itself: "una grande y una mediana" keeps the grande)
                item = Item(product, doubt.quantity, doubt.note, doubt.words, counted=counted)
                reading = replace(reading, items=(*reading.items, item))
            else:
                doubts.append(doubt)
        for item in reading.items:
            line, replaced = _line_of(turn, state, item, named)
            if line is None or line.sku not in cart:
                added += [item] if item.quantity else []  # "ninguna quesadilla" without one: nothing to do
                continue
            counted = item.counted or _one_said(said_text, item)
            quantity = min(item.quantity, MAX_NUMBER) if counted else cart[line.sku]
            if replaced:  # "medio kilo de picada" after the kilo: the half takes its place
                cart.pop(line.sku)
                said.append(turn.texts("removed", name=line.name))
                note = dict(state.notes).get(line.sku, "") if same_dish(line, item.product) else ""
                added.append(replace(item, quantity=quantity, note=item.note or note))  # (a size keeps its note)
                changed = True
                continue
            if not counted and _sized_otherwise(said_text, line, clauses):
                return None  # "el americano mejor normal" after the grande: another size of it (`variant`)
            changed = True  # even the same count: read as an order, it would be one more
            cart[line.sku] = quantity
            if item.note and quantity:  # "mejor q sean 4 pacíficos bien frías": the count, and its note
                old = notes.get(line.sku, "")
                notes[line.sku] = f"{old}, {item.note}" if old and item.note not in old else item.note
            said.append(turn.texts("quantity_set", quantity=quantity, name=line.name))
            if not quantity:  # "y ninguno de bistec"
                cart.pop(line.sku)
                said[-1] = turn.texts("removed", name=line.name)
    if not changed:
        return None
    state = replace(replace(state, notes=tuple(notes.items())).with_cart(cart), stage="cart")
    rest = Reading(items=tuple(added), doubts=tuple(doubts), unknown=tuple(unknown))
    return apply_reading(turn, state, rest, "\n".join(said))


def _sized_otherwise(said: str, line: ProductView, clauses: list[tuple[bool, Reading]]) -> bool:
    """Whether the folded words say a size the line's name does not, and no product said takes
    ("normal" of a Café americano grande; not the "small" of "just the lox and a small coffee"):
    the line is said in another size, not said again as it is."""
    own = {key(w) for w in words_of(line.name)}
    named = [i.words for _, r in clauses for i in r.items] + [d.words for _, r in clauses for d in r.doubts]
    taken = {w for words in named for w in intents.normalised(words).split()}
    return any(w in SIZES and key(w) not in own and w not in taken for w in said.split())


_LINE_THEN_COUNT = re.compile(
    r"\bque\s+(?P<line>(?:el|la|los|las|lo|the)\s+(?:(?!(?:que|sea|sean)\b)\w+\s+){1,4}?)(?P<set>sean?\s+(?P<count>\w+))\b"
)


def line_named_first(text: str) -> str:
    """ "que la tinga sean 2" said as "la tinga que sean 2": the line named between «que» and «sean»,
    its count after them (a count only: "que el de mamey sea de plátano" is another flavour)."""
    words = intents.normalised(text)
    found = _LINE_THEN_COUNT.search(words)
    if found is None or count_of(found.group("count")) is None:
        return text
    return f"{words[: found.start()]}{found.group('line')}que {found.group('set')}{words[found.end() :]}"


def _one_said(said: str, item: Item) -> bool:
    """Whether the item was said as one, with "unos"/"unas" before its own name ("mejor unas
    sabritas y unos doritos" after 3 sabritas: one bag of each, as ordering them adds one); "unos
    de pastor" (some of a kind) and a bare name ("nomás el aguachile") count nothing."""
    return (
        bool(item.words)
        and not item.words.startswith("de ")
        and re.search(rf"\b(?:unos|unas)\s+{re.escape(item.words)}\b", said) is not None
    )


def _size_of_line(turn: Turn, state: ChatState, said: str) -> ProductView | None:
    """The product a bare size word makes of a cart line ("una mediana" after 2 hawaianas grandes:
    the Pizza hawaiana; "uno chico" after the champurrados grandes): of the line talked about last
    when it has that size, else of the one line that has it; None for words other than sizes."""
    words = [w for w in intents.normalised(said).split() if w not in STOPWORDS and count_of(w) is None]
    if not words or not set(words) <= SIZES:
        return None
    last = last_line(turn, state, in_cart=True)
    lines = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None]
    made = {p.sku: other for p in lines if (other := variant_of(turn.catalog, p, words)) is not None}
    if last is not None and last.sku in made:
        return made[last.sku]
    return next(iter(made.values())) if len(made) == 1 else None


def _plain_of(doubt: Doubt, lines: list[ProductView]) -> list[ProductView]:
    """The one of the cart lines a doubt fits whose name every other's holds (Comida corrida of the
    Comida corrida infantil), when the doubt says it plainly ("3 corridas normales", "2 regulares");
    all of them otherwise."""
    if not PLAIN & set(intents.normalised(doubt.words).split()):
        return lines
    names = [set(words_of(p.name)) for p in lines]
    base = [p for p, own in zip(lines, names, strict=True) if all(own <= other for other in names)]
    return base if len(base) == 1 else lines


def restates(text: str) -> bool:
    """Whether the words are said as a change of mind ("mejor", "que sean", "actually", "make it")."""
    words = f" {intents.normalised(text)} "
    for twice, once in _SAID_TWICE.items():
        words = words.replace(f" {twice} ", f" {once} ")
    return bool(_CUES & set(words.split())) or _phrase(words.strip()) is not None


def _aside(turn: Turn, text: str) -> tuple[str, tuple[str, ...]]:
    """(the message without the pieces between commas that name only words not on the menu, those
    words): "make it 3 hot chocolates actually, my friend is coming" restates the chocolates, and
    «friend is coming» is named back; a piece that names a product with words not understood, or
    counts ("mejor 2 de pastr", "2 of em"), stays, and the message is read as an order."""
    pieces = re.split(r"([,;.!?]+)", text)
    kept: list[str] = []
    aside: list[str] = []
    for piece in pieces:
        reading = read_order(piece, turn.catalog) if piece.strip() and not re.fullmatch(r"[,;.!?]+", piece) else None
        if (reading is not None and reading.unknown and not (reading.items or reading.doubts or reading.loose)
                and not _counted(piece) and not restates(piece)):  # fmt: skip
            # ("2 of em": a count of the line, read with it; "o sea, 6 de pino": the cue)
            aside += reading.unknown
        else:
            kept.append(piece)
    return ("".join(kept), tuple(aside)) if aside and kept else (text, ())


_CHECK = re.compile(
    r"[\s,.;]+(?:(?:is\s+that|that\s+s|thats)\s+)?(?:right|correct|correcto|correcta|verdad|cierto|no|si|ok|okay|yes|ya)"
    r"[\s?!.]*$",
    re.IGNORECASE,
)
"""The order summed up ends asking whether it is so ("… and sweet tea. correct", "…, verdad?"):
asked of the bot, it orders nothing and is never named back."""


def without_check(text: str) -> str:
    """The restated order without the check it ends with; only when it is said as a restating."""
    return _CHECK.sub("", text) if restates(text) else text


def _named_elsewhere(doubt: Doubt, line: ProductView) -> bool:
    """Whether a word the customer typed is a whole word of another candidate's name and of none
    of the cart line's ("un pap" beside the Papas fritas grandes is the Pap lata, asked about):
    the doubt is not about that line."""
    typed = {w for w in words_of(doubt.words) if w not in STOPWORDS}
    own = set(words_of(line.name))
    return any(typed & set(words_of(p.name)) - own for p in doubt.candidates if p != line)


def _clauses(turn: Turn, state: ChatState, text: str) -> list[tuple[bool, Reading]]:
    """The message cut at commas and "y": (restates, reading) of each run of clauses said the
    same way. A clause restates when it has a word of a change of mind, adds when it has a word
    of adding, and else goes on as the clause before it."""
    runs: list[tuple[bool, list[str], bool]] = []
    restating = False
    for at, piece in enumerate(re.split(r"[,;.!?]+", text)):
        if at == 0 and piece.strip() and intents.is_exactly(piece, "no"):
            restating = True  # "no, 4 de pescado y 2 de camarón": the "no" said apart corrects what follows
            continue
        words = f" {intents.normalised(piece)} "
        for twice, once in _SAID_TWICE.items():
            words = words.replace(f" {twice} ", f" {once} ")
        for clause in (c.split() for c in _AND.split(_INSTEAD_OF.sub(" ", words.strip())) if c.strip()):
            phrase = _phrase(" ".join(clause))
            if ADDING & set(_unlikened(clause, phrase)):
                restating = False
            elif _CUES & set(clause) or phrase is not None:
                restating = True
            while restating and clause and clause[0] in _INTERJECTIONS:
                clause = clause[1:]  # "nah make that the 10 pc", "uy mejor 2": said to the person
            kept = [w for w in _without(clause, phrase) if w not in _CUES | _ONES] if restating else clause
            kept = _before_reason(turn, kept) if restating else kept
            if restating and _NONE & set(kept):  # "y ninguno de bistec": that line, none of it
                runs.append((True, [" ".join(w for w in kept if w not in _NONE)], True))
            elif runs and runs[-1][0] == restating and not runs[-1][2]:
                runs[-1][1].append(" ".join(kept))
            else:
                runs.append((restating, [" ".join(kept)], False))
    return [(r, _read(turn, state, " y ".join(c for c in said if c), none)) for r, said, none in runs]


_WHY = frozenset({"asi", "porque", "because", "cuz", "since", "pa", "para"})
"""Words that open why the customer changes the line ("mejor 2 de 500 así congelo", "mejor el de
6 porque somos pocos", "make it a 6 piece since im alone")."""


def _before_reason(turn: Turn, clause: list[str]) -> list[str]:
    """The clause without the reason said after what it restates, when the reason orders nothing
    ("2 de 500 así congelo": the 500 g packs, «congelo» no word of the menu to name back)."""
    for at in range(1, len(clause)):
        if clause[at] in _WHY:
            why = read_order(" ".join(clause[at + 1 :]), turn.catalog)
            if not (why.items or why.doubts or why.loose):
                return clause[:at]
    return clause


_LIKE_ANOTHER = frozenset({"tambien", "too", "also"})
"""Said last in a clause that restates ("mejor que sea un kilo de tortillas tmb", "make it a large
too"): the line is set as another already is, never one more of it."""


def _unlikened(clause: list[str], phrase: str | None) -> list[str]:
    """The clause without the «también» it ends with when it says a change of mind of its own: then
    the word likens the line to another ("que sean 3 de pastor también" after 3 de bistec); said
    first or in a clause with no such word it adds ("y también un sidral", "una coca también"). Words
    said to the person after it ("mejor 6 napo tb po", "… too pls") leave it last."""
    if not clause or not (_CUES & set(clause) or phrase is not None):
        return clause
    tags = lexicon().fillers - ADDING - _LIKE_ANOTHER
    last = len(clause) - 1
    while last > 0 and clause[last] in tags:
        last -= 1
    return [*clause[:last], *clause[last + 1 :]] if clause[last] in _LIKE_ANOTHER else clause


def _phrase(words: str) -> str | None:
    """The "set" or "correction" phrase the clause says ("make it", "que sea", "no perdón")."""
    return intents.mentions(words, "set") or intents.mentions(words, "correction")


def _without(clause: list[str], phrase: str | None) -> list[str]:
    if phrase is None:
        return clause
    return f" {' '.join(clause)} ".replace(f" {phrase} ", " ").split()


def _read(turn: Turn, state: ChatState, words: str, none: bool) -> Reading:
    """The clause read as an order, a word cut short that starts a word of one cart line's name
    ("napo" for the Empanada napolitana) read as that word, and a count left after the product
    ("de las cocas 2") given to it."""
    reading = read_order(_spelled_out(turn, state, words), turn.catalog)
    named = [*reading.items, *reading.doubts]
    if len(reading.loose) == 1 and len(named) == 1 and not getattr(named[0], "counted", False):
        quantity = reading.loose[0]
        items = tuple(replace(i, quantity=quantity, counted=True) for i in reading.items)
        doubts = tuple(replace(d, quantity=quantity) for d in reading.doubts)
        reading = replace(reading, items=items, doubts=doubts, loose=(), loose_notes=())
    if none:
        items = tuple(replace(i, quantity=0, counted=True) for i in reading.items)
        reading = replace(reading, items=items, doubts=tuple(replace(d, quantity=0) for d in reading.doubts))
    return reading


def _spelled_out(turn: Turn, state: ChatState, words: str) -> str:
    index = index_for(turn.catalog)
    names = [words_of(p.name) for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None]
    out = []
    for word in words.split():
        whole = {w for name in names for w in name if len(word) >= 4 and w.startswith(word) and w != word}
        out.append(whole.pop() if len(whole) == 1 and not index.knows(word) else word)
    return " ".join(out)


def _line_of(turn: Turn, state: ChatState, item: Item, named: set[str]) -> tuple[ProductView | None, bool]:
    """(the cart line a restated item is, whether the item takes its place): its own product,
    else the one line its words fit ("el aguachile" when the cart holds the Aguachile negro),
    else the one line it is another size, amount or kind of (which it replaces)."""
    if item.product.sku in state.cart_dict():
        return item.product, False
    line = among_cart(turn, state, item.words)
    if line is not None:  # (the 500 g of the 1 kg in the cart is said as another amount of it)
        return line, _core(line) == _core(item.product) and not _plainer(line, item)
    other = _sized_line(turn, state, item, named) or _kind_of_line(turn, state, item, named)
    return other, other is not None and not _plainer(other, item)


def _plainer(line: ProductView, item: Item) -> bool:
    """Whether the item is only the line said with fewer words ("nomás la hawaiana" after the Pizza
    hawaiana grande): every word said is the line's own and the item's name holds no word the
    line's lacks (its aliases may: "hawaiana mediana"), so the line stays (its size was not said again, not changed)."""
    named = {key(w) for w in words_of(item.product.name) if w not in STOPWORDS}
    return _said_of(line, item.words) and named <= _own_keys(line)


def _said_of(line: ProductView, said: str) -> bool:
    """Whether every word said of an item is a word of the cart line's name ("nomás la hawaiana"
    after the Pizza hawaiana grande): the line itself, not its plainer size that the words read as."""
    typed = [w for w in words_of(said) if w not in STOPWORDS and count_of(w) is None]
    own = _own_keys(line)
    return bool(typed) and all(key(w) in own for w in typed)


def _own_keys(product: ProductView) -> set[str]:
    return {key(w) for name in (product.name, *product.aliases) for w in words_of(name) if w not in STOPWORDS}


def _counted(words: str) -> bool:
    return any(count_of(w) is not None for w in intents.normalised(words).split())


def _sized_line(turn: Turn, state: ChatState, item: Item, named: set[str]) -> ProductView | None:
    """The one cart line the item is another size or amount of ("Carne picada especial 500 g"
    of the 1 kg, "Medio pollo asado" of the entero), not named itself in the message."""
    core = _core(item.product)
    lines = [p for sku, _ in state.cart if sku not in named and (p := turn.catalog.product(sku)) is not None]
    fits = [p for p in lines if core and _core(p) == core]
    return fits[0] if len(fits) == 1 else None


def _kind_of_line(turn: Turn, state: ChatState, item: Item, named: set[str]) -> ProductView | None:
    """The one cart line an item with no count names by a word of its name and turns into another
    kind of it: "las plumas mejor azules" after the Pluma Bic negra is the Pluma Bic azul."""
    if item.counted:
        return None
    typed = words_of(item.words)
    fits = []
    for sku, _ in state.cart:
        line = turn.catalog.product(sku)
        if line is None or sku in named:
            continue
        own = {key(w) for name in (line.name, *line.aliases) for w in words_of(name)}  # "los cuernitos…": an alias
        said = [w for w in typed if key(w) in own and w not in AMOUNT_WORDS]  # "un kilo de …": no Kilo de huevo
        new = [w for w in typed if key(w) not in own and w not in STOPWORDS]
        kind = said and new and variant_of(turn.catalog, line, new) == item.product
        if kind or (said and new and _siblings(line, item.product, said)):
            fits.append(line)
    return fits[0] if len(fits) == 1 else None


def _kind_of_doubt(
    turn: Turn, state: ChatState, doubt: Doubt, named: set[str]
) -> tuple[ProductView, ProductView] | None:
    """(line, kind): a doubt of one product, with no count, that is another kind of one cart line
    named by a word of it ("los cuernitos mejor de jamón y queso" after 2 cuernitos: the Croissant
    de jamón y queso, read only in doubt, in place of the Croissant)."""
    if len(doubt.candidates) != 1 or doubt.counted or doubt.candidates[0].sku in state.cart_dict():
        return None
    other = doubt.candidates[0]
    line = _kind_of_line(turn, state, Item(other, doubt.quantity, doubt.note, doubt.words, counted=False), named)
    return (line, other) if line is not None and line.sku in state.cart_dict() else None


def _siblings(line: ProductView, other: ProductView, said: list[str]) -> bool:
    """Whether two products are kinds of one dish, named so: their names start with the same word
    and the customer said it ("mejor el bocadillo de tortilla" after the Bocadillo de lomo con
    queso, whose other words no one word replaces)."""
    heads = [next((key(w) for w in words_of(p.name) if w not in STOPWORDS), "") for p in (line, other)]
    return bool(heads[0]) and heads[0] == heads[1] and heads[0] in {key(w) for w in said}


def same_dish(line: ProductView, other: ProductView) -> bool:
    """Whether two products are one dish in another size or amount ("Classic wings 10 pc" and
    "20 pc", "Helado 1/2 kg" and "1/4 kg"): what the customer asked of it goes on holding."""
    return bool(_core(line)) and _core(line) == _core(other)


def _core(product: ProductView) -> frozenset[str]:
    """The words of a product's name that say what it is, without its size or amount."""
    return frozenset(
        w for w in words_of(product.name) if w not in STOPWORDS and w not in SIZES and w not in AMOUNT_WORDS
        and not any(c.isdigit() for c in w)
    )  # fmt: skip


_ONE_OF = re.compile(
    r"^(?:.*?\b)?(?P<count>\w+)\s+(?P<of>of the|of my|of them|of those|of these|de las|de los|de mis"
    r"|de esos|de esas|de ellos|de ellas)\s+(?P<rest>.+)$"
)
_PRONOUNS = frozenset({"of them", "of those", "of these", "de esos", "de esas", "de ellos", "de ellas"})
"""'make one of them a taro': the line talked about last, not named again."""
_TO = ("to", "into", "for", "a", "an", "as", "por", "x", "sea", "sean", "que sea", "que sean", "make it")
_CHANGE_VERB = re.compile(r"^(?:camb\w*|switch|change|swap|replace|make|haz\w*|hace\w*|pasa\w*)$")
"""A verb that changes a line: "cámbialo", "házmelo", "hacelo"/"pasalo" (voseo), "make"."""
_JOINTS_AFTER_VERB = ("a", "por", "x", "en", "to", "into", "for", "as")
_OF_LINE = ("de las", "de los", "de esas", "de esos", "of the", "of those")
"""What opens a line said before the count of it that changes ("de los de pastor 2 que sean…")."""


def _joint_after(words: list[str]) -> int:
    """1 when a change verb is followed by its joint ("cámbialo *a* chocolate"), else 0."""
    return 1 if words[:1] and words[0] in _JOINTS_AFTER_VERB else 0


def _count_first(said: str) -> str:
    """ "de los licuados uno hazmelo de mamey", "de los 6 de pastor 2 que sean de bistec", "de los
    de pastor pasa 2 a bistec" said as "uno de los licuados hazmelo de mamey", "2 de los 6 de
    pastor que sean de bistec", "2 de los de pastor pasa a bistec": the line first, then the count
    of it that changes, said before its change verb or "que sea", or right after the verb."""
    words = said.split()
    opens = [i for i in range(len(words) - 1) if " ".join(words[i : i + 2]) in _OF_LINE]
    if not opens:
        return _verb_count_line(words) or said
    start = opens[0] + 2
    for at in range(start, len(words) - 1):
        if at > start and _CHANGE_VERB.match(words[at - 1]) and count_of(words[at]) and not _counted_line(words, at):
            moved = [*words[: opens[0]], words[at], *words[opens[0] : at], *words[at + 1 :]]
            return " ".join(moved)  # "… pasa 2 a bistec": the verb first, then the count
        if (at > start or words[opens[0] + 1] in _PRONOUN_OF) and count_of(words[at]) and not _counted_line(words, at):
            after = words[at + 1]
            if _CHANGE_VERB.match(after) or after in ("que", "sea", "sean"):
                return " ".join([*words[: opens[0]], words[at], *words[opens[0] : at], *words[at + 1 :]])
    return said


_TURNING = re.compile(r"^(?:camb\w*|switch|change|swap|replace|make|haz\w*|hace\w*)$")
_NOT_OF_LINE = frozenset({"of", "de", "del", "more", "mas", "otro", "otra", "another"})


def _verb_count_line(words: list[str]) -> str | None:
    """ "make one cappuccino a latte", "switch one latte to a chai" said as "make one of the
    cappuccino a latte": a verb of change, a count, then the line (never "one more", "one of")."""
    for at in range(len(words) - 3):
        if _TURNING.match(words[at]) and count_of(words[at + 1]) and words[at + 2] not in _NOT_OF_LINE:
            return " ".join([*words[: at + 2], "of the", *words[at + 2 :]])
    return None


_PRONOUN_OF = frozenset({"esas", "esos", "those"})


def _counted_line(words: list[str], at: int) -> bool:
    """Whether the count at `at` is of the line's own name ("los 6 de pastor": its 6, not the count
    that changes): the word before it is the article, or another count."""
    return words[at - 1] in ("los", "las", "the") or count_of(words[at - 1]) is not None


def one_of(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "switch one of the lychee to passion fruit", "make one of the cheeseburgers a double",
    "una de las hawaianas cámbiala por una de pepperoni", "de los licuados uno hazmelo de mamey":
    that many of the line named leave it and become the product said (another size or flavour of
    it, or a product of its own)."""
    said = _count_first(intents.normalised(text))
    found = _ONE_OF.match(said)
    some = count_of(found.group("count")) if found else None
    if found is None or not some:
        return None
    rest = found.group("rest").split()
    if found.group("of") in _PRONOUNS:
        return _some_of_last(turn, state, some, rest, text)
    verb_first = any(_CHANGE_VERB.match(w) for w in said[: found.start("count")].split())
    for at in range(1, len(rest)):
        for joint in ("", *_TO):
            bare = not joint and not _CHANGE_VERB.match(rest[at])
            if bare and not verb_first:
                continue  # a bare change verb is a joint too: "uno de los licuados hazmelo de mamey"
            size = 0 if bare else joint.count(" ") + 1 if joint else 1 + _joint_after(rest[at + 1 :])
            if joint and " ".join(rest[at : at + size]) != joint:
                continue
            line = _line_said(turn, state, " ".join(w for w in rest[:at] if not _CHANGE_VERB.match(w)))
            new = _one_product(turn, line, [w for w in rest[at + size :] if w not in lexicon().fillers | _ASIDE])
            if line is None or new is None or new.sku == line.sku:
                continue
            if bare and new.category_id != line.category_id:
                continue  # "make one of the sandwiches sausage egg and cheese": one of its kind, no joint
            cart = state.cart_dict()
            if some >= cart[line.sku]:
                return None  # all of them: a swap of the whole line (`editing`)
            left = set_lines(turn, state, [(line, cart[line.sku] - some)], last=line.sku)
            said = turn.texts("quantity_set", quantity=cart[line.sku] - some, name=line.name)
            item = Item(new, some, note_said(turn, new, rest[at + size :]), new.name)
            return apply_reading(turn, left.state, Reading(items=(item,)), said)
    return _some_resized(turn, state, some, rest) or _some_noted(turn, state, some, rest, text)


def note_said(turn: Turn, product: ProductView, words: list[str]) -> str:
    """The note the words that name what some units become give it ("… por la de pollo, sin
    tomate"): the units moved carry it, never lose it."""
    reading = read_order(" ".join(words), turn.catalog)
    return next((i.note for i in reading.items if i.product.sku == product.sku), "")


def _line_said(turn: Turn, state: ChatState, words: str) -> ProductView | None:
    """The cart line the words name, else the one line of the category they name ("one of the
    sandwiches" with only the Bacon egg and cheese among the sandwiches of the cart)."""
    line = in_cart(turn, state, words)
    kind = category_lines(turn, state, words) if line is None else []
    return kind[0] if len(kind) == 1 else line


_ASIDE = frozenset({"instead", "please", "pls", "plz", "porfa", "mejor", "actually"})
"""Words after the new product that say nothing of it ("… sausage egg and cheese instead")."""
_POLITE = frozenset({"porfa", "porfis", "porfavor", "favor", "please", "pls", "plis", "xfa", "gracias", "thanks"})


def _some_noted(turn: Turn, state: ChatState, some: int, rest: list[str], text: str = "") -> Outcome | None:
    """ "una de las latas sprite" after 4 latas, "one of the classics 50% sugar": the line named
    first, then words that name no product, or open with how it comes (a percentage, a sweetness:
    "sugar" is no Brown sugar boba milk there): that many units carry them as a note, as typed
    ("1 50% sugar"); nothing is added (RULE c)."""
    cart = state.cart_dict()
    lex = lexicon()
    for at in range(1, len(rest)):  # the fewest words that name the line: the rest is the note
        line = in_cart(turn, state, " ".join(rest[:at]))
        note = [w for w in rest[at:] if w not in lex.fillers]
        if line is None or not note or some >= cart[line.sku]:
            continue
        typed = [t for t in _as_typed(text, rest[at:]) if intents.normalised(t) not in lex.fillers | _POLITE]
        if not (names_nothing_sure(turn, " ".join(note)) or _how_it_comes(turn, typed)):
            continue
        return _note_some(turn, state, line, some, typed)
    return None


def _how_it_comes(turn: Turn, typed: list[str]) -> bool:
    """Whether the words, as typed, say how a drink comes and order nothing: a sweetness or an ice
    level opens them ("50% sugar", "half sweet", "less ice"), and a product they hold is only in
    doubt ("sugar" of a Brown sugar boba milk); a flavour ("strawberry instead") is a kind, never this."""
    lex = lexicon()
    opener = typed[0] if typed else ""
    percentage = opener.endswith("%") and opener[:-1].isdigit()
    if not (percentage or opener in lex.note_words):
        return False
    return not read_order(" ".join(typed), turn.catalog).items


def _as_typed(text: str, words: list[str]) -> list[str]:
    """The last words of the message as the customer typed them ("50%", not the "50" of the
    normalised text), when they are the same words; else the words."""
    typed = [t.strip(".,;:!?¡¿") for t in text.split()][-len(words) :] if words else []
    same = len(typed) == len(words) and all(intents.normalised(t) == w for t, w in zip(typed, words, strict=True))
    return typed if same else words


def _note_some(turn: Turn, state: ChatState, line: ProductView, some: int, words: list[str]) -> Outcome:
    """That many units of `line` carry `words` as their note («1 sprite», «2 sin cebolla»)."""
    said = f"{some} {' '.join(w for w in words if w not in _POLITE)}".removesuffix(" por")
    old = dict(state.notes).get(line.sku)
    joined = f"{old}, {said}" if old else said
    state = replace(state, notes=(*(n for n in state.notes if n[0] != line.sku), (line.sku, joined)))
    state = replace(state, stage="cart", last_sku=line.sku)
    return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=line.name, note=joined)))


_TAKEN_AWAY = frozenset({"sin", "no", "without"})
"""A note that takes something away: "two of them no onions" notes the burgers even on a menu that
sells Onion rings (nobody orders what they say to leave out)."""


def names_nothing_sure(turn: Turn, words: str) -> bool:
    """Whether the words name no product of the menu, surely or in doubt (a note, "sprite")."""
    reading = read_order(words, turn.catalog)
    return not (reading.items or reading.doubts)


def _some_resized(turn: Turn, state: ChatState, some: int, rest: list[str]) -> Outcome | None:
    """ "make one of the milk teas large": that many units of the line named become the size said
    after it, with no joint between; the rest stay."""
    sizes = len(rest) - next((i for i, w in enumerate(reversed(rest)) if w not in SIZES), len(rest))
    line = in_cart(turn, state, " ".join(w for w in rest[:sizes] if not _CHANGE_VERB.match(w))) if sizes else None
    new = variant_of(turn.catalog, line, rest[sizes:]) if line is not None else None
    cart = state.cart_dict()
    if line is None or new is None or new.sku == line.sku or some >= cart[line.sku]:
        return None
    left = set_lines(turn, state, [(line, cart[line.sku] - some)], last=line.sku)
    said = turn.texts("quantity_set", quantity=cart[line.sku] - some, name=line.name)
    return apply_reading(turn, left.state, Reading(items=(Item(new, some, "", new.name),)), said)


def _some_of_last(turn: Turn, state: ChatState, some: int, rest: list[str], text: str = "") -> Outcome | None:
    """ "make one of them a taro milk tea", "uno de esos que sea de zanahoria": that many units of
    the line added last become the product said after the joint ("a", "to", "que sea")."""
    line = last_line(turn, state, in_cart=True)
    typed = list(rest)
    while rest and _CHANGE_VERB.match(rest[0]):  # "uno de ellos cámbialo a chocolate"
        rest = rest[1 + _joint_after(rest[1:]) :]
    for joint in sorted(_TO, key=len, reverse=True):
        if " ".join(rest[: joint.count(" ") + 1]) == joint:
            rest = rest[joint.count(" ") + 1 :]
            break
    cart = state.cart_dict()
    note = [w for w in rest if w not in _POLITE]
    unchanged = line is not None and rest == typed and note and some < cart.get(line.sku, 0)
    typed_note = [t for t in _as_typed(text, rest) if intents.normalised(t) not in _POLITE]
    opens_note = _how_it_comes(turn, typed_note)
    if unchanged and (note[0] in _TAKEN_AWAY or opens_note or names_nothing_sure(turn, " ".join(note))):
        assert line is not None  # "2 de ellos sin cebolla", "one of them 50% sugar": a note (RULE c)
        return _note_some(turn, state, line, some, typed_note if opens_note else rest)
    kind = [w for w in rest if w not in lexicon().fillers or w in SIZES]
    new = _one_product(turn, line, kind)
    if line is None or new is None or new.sku == line.sku or some >= cart.get(line.sku, 0):
        line, new = _kin_of_them(turn, state, some, kind)  # "make 2 of them shrimp" after the tacos, then a beer
    if line is None or new is None:
        line, new = _sized_of_them(turn, state, some, kind)  # "make one of them regular" after the teas, then a waffle
    if line is None or new is None:
        return None
    left = set_lines(turn, state, [(line, cart[line.sku] - some)], last=line.sku)
    said = turn.texts("quantity_set", quantity=cart[line.sku] - some, name=line.name)
    return apply_reading(turn, left.state, Reading(items=(Item(new, some, "", new.name),)), said)


def _kin_of_them(
    turn: Turn, state: ChatState, some: int, said: list[str]
) -> tuple[ProductView, ProductView] | tuple[None, None]:
    """The one cart line of more than `some` units that the words make another product of its own
    dish (the same first word: "shrimp" of the Taco de pescado is the Taco de camarón), and that
    product: "actually make 2 of them shrimp" after 4 fish tacos and a michelada is of the tacos,
    though the michelada came last."""
    cart = state.cart_dict()
    fits = [(line, new) for sku, held in state.cart if held > some and (line := turn.catalog.product(sku))
            and (new := _one_product(turn, line, said) or made_of(turn, line, said)) is not None
            and new.sku not in cart
            and head_of(new) == head_of(line)]  # fmt: skip
    return fits[0] if len(fits) == 1 else (None, None)


def _sized_of_them(
    turn: Turn, state: ChatState, some: int, said: list[str]
) -> tuple[ProductView, ProductView] | tuple[None, None]:
    """(line, kind) when the words make another size or kind of exactly one cart line holding
    more than `some` units ("make one of them regular" after 2 large teas and an egg waffle: the
    teas, though the waffle came last); (None, None) when none or several do."""
    kinds = [(p, v) for sku, held in state.cart if held > some and (p := turn.catalog.product(sku)) is not None
             and (v := variant_of(turn.catalog, p, said)) is not None and v != p]  # fmt: skip
    return kinds[0] if len(kinds) == 1 else (None, None)


def _one_product(turn: Turn, line: ProductView | None, words: list[str]) -> ProductView | None:
    """The product the words make of the line ("a double"), else the one they name surely."""
    if line is None or not words:
        return None
    other = variant_of(turn.catalog, line, [w for w in words if w not in STOPWORDS and count_of(w) is None])
    if other is not None:
        return other
    reading = read_order(" ".join(words), turn.catalog)
    if len(reading.items) != 1 or reading.doubts or reading.unknown:
        return None
    return reading.items[0].product


_BECOME = frozenset({"sea", "sean"})
_POINTING = frozenset({"esos", "esas", "ellos", "ellas", "them", "those", "these", "de", "of", "que", "las", "los"})
"""Words around the count of "uno de esos que sea…" that point at the line, naming nothing."""


def some_become(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor que una sea de carnes frías" after 2 hawaianas, "que 2 sean de suadero" after 6 de
    pastor, "uno de esos que sea de zanahoria": that many units of the line (the one the words
    before name, else the one added last) become the product said; the rest stay. None when the
    count is not less than the line's (the whole line changes: `line_changes.variant`)."""
    words = intents.normalised(text).split()
    at = next((i for i, w in enumerate(words) if w in _BECOME), None)
    if at is None:
        return None
    before, after = words[:at], words[at + 1 :]
    counts = [c for w in before if (c := count_of(w)) is not None]
    if len(counts) != 1 or not counts[0] or counted(after):
        return None  # "que sean 3": a quantity set; "uno de fresa y el otro que sea…": two counts
    fillers = lexicon().fillers
    minding = {w for phrase in lexicon().intent_phrases("correction") for w in phrase.split()} | _CUES | _INTERJECTIONS
    ignored = fillers | _POINTING | minding
    target = " ".join(w for w in before if count_of(w) is None and w not in ignored)
    # "perdón que uno sea…": words that name no product point at the line added last
    line = in_cart(turn, state, target) if names_something(turn, target) else last_line(turn, state, in_cart=True)
    cart = state.cart_dict()
    if line is None or counts[0] >= cart.get(line.sku, 0):
        return None
    new = made_of(turn, line, [w for w in after if w not in fillers or w in ("de", "con", "sin")])
    if new is None or new.sku == line.sku:
        return None
    some = counts[0]
    left = set_lines(turn, state, [(line, cart[line.sku] - some)], last=line.sku)
    said = turn.texts("quantity_set", quantity=cart[line.sku] - some, name=line.name)
    item = Item(new, some, note_said(turn, new, after), new.name)
    return apply_reading(turn, left.state, Reading(items=(item,)), said)


_THOSE = frozenset({"esos", "esas", "los", "las", "those", "these", "the"})
_MINDING = frozenset({"mejor", "que", "haz", "hazme", "has", "hace", "haga", "hagan", "hagame", "pon", "ponme", "make",
                      "mas", "bien", "actually"})  # fmt: skip
"""Words between the two counts of "de esos 6 mejor haz 2 de bistek" that say a change, naming nothing."""
_BECOMING = frozenset({"sea", "sean", "be"})
_JOINTS = frozenset({"a", "en", "por", "x", "to", "into"})


def _some_of_counted(words: list[str]) -> tuple[int, list[str], int, list[str]] | None:
    """(whole, named, some, new): "de esos 6 haz 2 de bistek", "de los 5 de pescado 2 hazmelos de
    camaron", "de esos 4 dos que sean campechanos", "of those 4 make 2 mango": a line by its count
    (and maybe its name), then fewer of it and what they become. A word of change is said between
    the counts or right after the second one; without it this is no such message."""
    for at in range(len(words) - 3):
        whole = count_of(words[at + 2])
        if words[at] not in ("de", "of") or words[at + 1] not in _THOSE or not whole:
            continue
        second = next((i for i in range(at + 3, min(at + 8, len(words) - 1)) if count_of(words[i]) is not None), None)
        if second is None:
            continue
        some, between, after = count_of(words[second]), words[at + 3 : second], words[second + 1 :]
        minded = any(w in _MINDING for w in between)
        start = _becoming(after)
        if (minded or start) and after[start:] and after[start] in _JOINTS:
            start += 1  # "… 2 pásalos a bistec", "of those 4 make 2 into mango"
        if (minded or start) and some and some < whole:
            return whole, [w for w in between if w not in _MINDING and w not in ("de", "of")], some, after[start:]
    return None


def _becoming(after: list[str]) -> int:
    """How many words open what the units become ("que sean", "hazlos", "be"), else 0."""
    if after[:1] in (["que"], ["q"]) and after[1:2] and after[1] in _BECOMING:
        return 2
    return 1 if after and (after[0] in _BECOMING or _CHANGE_VERB.match(after[0])) else 0


def some_of_those(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "de esos 6 haz 2 de bistek", "de los 3 de pescado 2 hazlos de camarón": that many units of
    the cart line holding as many as the first count (the one line with 6, whatever came after it;
    the one the words after the count name, when they name one) become the product said (of the
    line's own dish first: "de camarón" of a Taco de pescado is the Taco de camarón); the rest stay.
    None when no one line holds that count or the second count is not fewer."""
    found = _some_of_counted(intents.normalised(text).split())
    if found is None:
        return None
    whole, named, some, after = found
    cart = state.cart_dict()
    lines = [sku for sku, count in state.cart if count == whole]
    line = in_cart(turn, state, " ".join(named)) if named else None
    if named and (line is None or cart[line.sku] != whole):
        return None  # "de los 3 de pescado" with another count of it in the cart: not known which
    if line is None and len(lines) == 1:
        line = turn.catalog.product(lines[0])
    fillers = lexicon().fillers
    new = made_of(turn, line, [w for w in after if w not in fillers or w in ("de", "con", "sin")]) if line else None
    if line is None or new is None or new.sku == line.sku:
        return None
    left = set_lines(turn, state, [(line, cart[line.sku] - some)], last=line.sku)
    said = turn.texts("quantity_set", quantity=cart[line.sku] - some, name=line.name)
    item = Item(new, some, note_said(turn, new, after), new.name)
    return apply_reading(turn, left.state, Reading(items=(item,)), said)


def made_of(turn: Turn, line: ProductView, words: list[str]) -> ProductView | None:
    """The product the words make: another size or flavour of the line ("grande", "de fresa"),
    else what they name surely with the line's head ("de pollo" after a Hamburguesa clásica is
    the Hamburguesa de pollo, not the Nuggets), else what they name surely alone ("capuchino")."""
    if not words:
        return None
    other = variant_of(turn.catalog, line, [w for w in words if w not in STOPWORDS])
    if other is not None:
        return other
    head = next((w for w in words_of(line.name) if w not in STOPWORDS), "")
    for said in (f"{head} {' '.join(words)}", " ".join(words)):
        reading = read_order(said, turn.catalog)
        if len(reading.items) == 1 and not (reading.doubts or reading.unknown) and reading.items[0].product != line:
            return reading.items[0].product
    return None


_ALL_OF = frozenset({"los", "las", "the"})
_BOTH = frozenset({"ambos", "ambas", "both"})
_EVERY = frozenset({"todos", "todas", "all"})
"""Every unit of a dish, however many: "que todas sean de chicharrón", "make them all mango"."""
_EVERY_AFTER = frozenset({"sean", "sea", "them", "those", "que"})
_BEFORE_ALL = frozenset({"no", "siempre", "mejor", "mas", "bien", "actually", "make", "them", "it", "que", "sean",
                         "hazlos", "hazlas", "hacelos", "hacelas", "ponlos", "ponlas", "cambialos",
                         "cambialas"})  # fmt: skip
"""Words that may open "siempre no, los dos de frutos rojos", "mejor los 2 de mango", "make them both mango"."""


def all_become(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "mejor los 2 de mango" after a smoothie de mango and one de frutos rojos, "siempre no, las
    dos de fresa", "make both mango": the count with "los"/"both" is every unit of that dish in the
    cart (the lines whose names start with the same word), and all of them become the kind said:
    that line is set to the count, the other kinds of the dish leave. None when the count is not
    what the cart holds of the dish (then "los 2 de mango" sets that line: `restate`)."""
    words = intents.normalised(text).split()
    lex = lexicon()
    ignored = lex.fillers | _CUES | _INTERJECTIONS | _BEFORE_ALL
    at = next((i for i, w in enumerate(words) if w in _ALL_OF | _BOTH | _EVERY), None)
    if at is None or any(w not in ignored for w in words[:at]):
        return None
    some: int | None = 2
    if words[at] in _BOTH:
        rest = [w for w in words[at + 1 :] if w not in ("of", "them", "de", "ellos", "ellas")]
    elif words[at] in _EVERY:  # "que todas sean de chicharrón": as many as the cart holds of the dish
        some, rest = None, [w for w in words[at + 1 :] if w not in _EVERY_AFTER]
        rest = rest[1:] if rest[:2] in (["de", "ellas"], ["de", "ellos"], ["of", "them"]) else rest
        if rest and count_of(rest[0]) is not None and rest[1:2] not in UNIT_AFTER:
            some, rest = count_of(rest[0]), rest[1:]  # "make all 4 chili cheese dogs": all, and how many they are
    else:
        some, rest = count_of(words[at + 1]) if at + 1 < len(words) else None, words[at + 2 :]
    kind = [w for w in rest if w not in lex.fillers or w in ("de", "con", "sin")]
    every = words[at] in _EVERY
    if (not every and (not some or some < 2)) or not kind or counted(kind) or {"y", "e", "and"} & set(kind):
        return None
    cart = state.cart_dict()
    lines = [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) is not None]
    for line in lines:
        new = made_of(turn, line, kind)
        named = {key(w) for w in kind if w not in STOPWORDS}
        if new is None or not _one_dish(line, new, named, every) or not named <= _own_keys(new):
            continue  # (words beyond the kind's name, "los 2 de pastor sin cebolla", are a note: not this)
        dish = [p for p in lines if _one_dish(p, new, named, every)]
        some = sum(cart[p.sku] for p in dish) if some is None else some
        if sum(cart[p.sku] for p in dish) != some or dish == [new]:
            return None
        changes = [(p, 0) for p in dish if p != new]
        if new.sku in cart:
            return set_lines(turn, state, [*changes, (new, some)], last=new.sku)
        left = set_lines(turn, state, changes, last=state.last_sku)
        said = "\n".join(turn.texts("removed", name=p.name) for p, _ in changes)
        return apply_reading(turn, left.state, Reading(items=(Item(new, some, "", new.name),)), said)
    return None


def _one_dish(line: ProductView, new: ProductView, said: set[str], every: bool) -> bool:
    """Whether `line` is of the dish of `new`: the same first word of their names, or, when every
    unit is meant, the same last word said by the customer ("make all 4 chili cheese dogs" after
    hot dogs: a Hot dog is a dog, as the Chili cheese dog)."""
    if head_of(line) == head_of(new):
        return True
    tails = [[key(w) for w in words_of(p.name) if w not in STOPWORDS][-1:] for p in (line, new)]
    return every and tails[0] == tails[1] and bool(tails[0]) and tails[0][0] in said


def head_of(product: ProductView) -> str:
    """The key of the first word of the product's name that says what it is ("smoothie", "licuado")."""
    return next((key(w) for w in words_of(product.name) if w not in STOPWORDS), "")


def sized_anew(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "no mejor 2 chicos (de medio litro)" after a jugo de naranja grande, "mejor dos chicos":
    said as a change of mind, a count and a bare size are the line talked about last (else the one
    line that has that size) in that size, that many, in its place. None when the message says
    more than a count, a size and its measure."""
    words = intents.normalised(text).split()
    lex = lexicon()
    if not (_CUES | {"no"}) & set(words):
        return None  # "2 chicos" with no change of mind: an order (asked about)
    said = [w for w in words if w not in lex.fillers and w not in _CUES and w not in _INTERJECTIONS and w != "no"]
    if "de" in words and only_measure(words[len(words) - words[::-1].index("de") :]):
        said = [w for w in said if w not in words[len(words) - words[::-1].index("de") :]]  # "de medio litro"
    counts = [c for w in said if (c := count_of(w))]
    sizes = [w for w in said if count_of(w) is None]
    if len(counts) != 1 or len(said) != 1 + len(sizes) or not sizes or not set(sizes) <= SIZES:
        return None
    other = _size_of_line(turn, state, " ".join(sizes))
    last = last_line(turn, state, in_cart=True)
    lines = [p for sku, _ in reversed(state.cart) if (p := turn.catalog.product(sku)) is not None]
    line = next((p for p in ([last] if last else []) + lines if variant_of(turn.catalog, p, sizes) == other), None)
    cart = state.cart_dict()
    if other is None or line is None or counts[0] < cart[line.sku]:
        return None  # "mejor uno chico" after 2 grandes: one of them, or one alone? (read as before)
    cart.pop(line.sku)
    left = replace(state.with_cart(cart), stage="cart")
    return apply_reading(
        turn, left, Reading(items=(Item(other, counts[0], "", text),)), turn.texts("removed", name=line.name)
    )

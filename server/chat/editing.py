"""Changing the cart in words: remove, set a quantity, add more of the last thing, swap, restart.

The restating rule (docs/whatsapp.md): naming a product again adds to it ("otra coca" is one more),
unless it only says how the cart line comes ("turkey club no tomato pls", "uno de los lattes con
leche de avena": the line's note, `noted_again`); a quantity is replaced only when the customer says
so ("que sean 4", "déjalo en uno", "mejor 6", "son 3, no 1", "make that 3"); "quita …" / "quítele …"
removes the line, "quita una …" one unit, and so does naming it with "no" ("mejor no el pan",
"actually no muffin"): never one more; "en lugar de la horchata una jamaica" and "cámbialo por
ibuprofeno" swap; "mejor que sea la grande" / "que el de mamey sea de plátano" turns a line into
another size or flavour of itself; "mejor 4 de pastor y ninguno de bistec" sets several lines;
"scratch that" / "borra todo" starts the cart over; a clause said as a change of mind states anew
the lines it names ("actually 3 combos, and 1 tenders", "mejor medio kilo de picada" after the kilo,
"make one of the cheeseburgers a double": `restating`). When no product is named, the edit is about
the product added last ("quítale uno", "agrégale otra").

Here: which edit a message is (`edit`), removing, adding more of the last thing, swapping and
starting over; quantities are set in `quantity_edits`, a line's size or flavour changes in
`line_changes`, and the words are read against the cart in `cart_words`.

Each function returns None when the message is not that kind of edit, so the flow reads it as an
order instead; what an edit names that is not in the cart is said back, never ignored.
"""

from __future__ import annotations

import re
from dataclasses import replace

from comandia.server.chat import intents
from comandia.server.chat.cart_words import (
    category_lines,
    count_of,
    counted,
    in_cart,
    last_line,
    leading_count,
    names_nothing,
    names_something,
    set_lines,
    weighed,
)
from comandia.server.chat.instead_last import instead_of_last, resized_instead
from comandia.server.chat.kind_split import brands_of_line, split_into_kinds
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.line_changes import amount_anew, made_into, numbered_anew, qualified, variant
from comandia.server.chat.line_notes import extra_on_line, note_on_line, options_said, pointed_notes, wished_note
from comandia.server.chat.matching import index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import amount_in, resized_by_amount, says_measure
from comandia.server.chat.menus import add_lines
from comandia.server.chat.message_parts import ARTICLES
from comandia.server.chat.model import ProductView, clip
from comandia.server.chat.noted_again import noted_again
from comandia.server.chat.one_and_other import one_and_other
from comandia.server.chat.ordering import MAX_ECHO, apply_reading
from comandia.server.chat.quantity_edits import (
    another_round,
    each,
    each_asked,
    fewer,
    line_to_count,
    only,
    only_said,
    retake,
    set_each,
    set_quantity,
)
from comandia.server.chat.reading import Item, Reading, read_order, without_restated
from comandia.server.chat.restating import (
    all_become,
    head_of,
    line_named_first,
    made_of,
    one_of,
    restate,
    restates,
    same_dish,
    sized_anew,
    some_become,
    some_of_those,
)
from comandia.server.chat.same_but import same_again, same_but
from comandia.server.chat.some_kind import some_made_kind, some_moved
from comandia.server.chat.stands_in import stands_in
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome, Turn, cart_buttons_reply, done, prefixed, said_before_cart
from comandia.server.chat.unit_choices import unit_choices
from comandia.server.chat.variants import SIZES, STOPWORDS, variant_of

_INSTEAD = r"(?:en lugar del?|en vez del?|instead of)"
_COUNTED = r"(?:una|uno|un|otra|otro|a|an|\d+)\b"
_GIVE = (
    r"(?:dame|deme|dele|damelo|ponme|poneme|pongame|ponle|ponele|pongale|ponganle|metele|traeme|traigame"
    r"|mandame|quiero|gimme|give me|get me|i want|i'll take|mejor|(?:mejor\s+)?que\s+sean?)"
)
_SWAP = re.compile(rf"^(?:.*?\b)?{_INSTEAD}\s+(?P<old>.+?)\s+(?:{_GIVE}\s+)?(?P<new>{_COUNTED}.*)$")
_SWAP_GIVEN = re.compile(rf"^(?:.*?\b)?{_INSTEAD}\s+(?P<old>.+?)\s+{_GIVE}\s+(?P<new>.+)$")
""""en vez del pollo entero dame el paquete familiar", "instead of the plain ones gimme everything
bagels", "en vez del medio que sea un kilo": the verb that asks for something (or «que sea») says
where the old line ends and the new one starts."""
_SWAP_NEW_FIRST = re.compile(
    rf"^(?:.*?\b)?(?:(?P<new>{_COUNTED}.+?)"
    rf"|(?:que sean?|make it|make that|(?:mejor|better)(?!\s+que\s+sean?\b))\s+(?P<named>.+?))"
    rf"\s+{_INSTEAD}\s+(?P<old>.+)$"
)
""""mejor un vermú en vez del tinto", "que sea pollo entero en vez del medio", "la pizza mejor de
pepperoni en vez de la vegetariana": the new item first, then the line it replaces."""
_CHANGE = re.compile(
    r"^(?:.*?\b)?(?:camb\w*|change|swap|replace|switch|upgrade|bump)\s+(?:up\s+)?(?P<old>.+?)\s+(?:up\s+)?(?:por|x|a|for|with|to)\s+(?P<new>.+)$"
)
_CHANGE_IT = re.compile(
    r"^(?P<before>.*?\b)?(?:camb\w*?(?:lo|la|los|las|le|les)|(?:me|se|nos)\s+(?:lo|la|los|las)\s+camb\w*"
    r"|(?:change|swap|replace|switch|bump|upgrade)\s+(?:it|that|this)(?:\s+up)?)"
    r"\s+(?:por|x|a|for|with|to)\s+(?P<new>.+)$"
)
_MAKE_IT = re.compile(
    r"^(?P<before>.*?\b)?(?:haz|hace|hag[ae]|pasa|pase)(?:me|nos)?(?:lo|la|los|las)\s+(?:(?:a|de|en|por|x)\s+)?(?P<new>.+)$"
)
"""'cámbialo por un capuchino', 'cámbiemelo por…', 'el california me lo cambia por…', 'a la pizza
cámbiale a mexicana', 'swap it for…', 'bump it up to the 20 piece', 'hacelo medio kilo', 'pasalo a
un kilo', 'hazlas de chocolate': the pronoun is the line named before it ('la hawaiana cámbiala
por…'), else the line the new words are another size or kind of, else the line added last."""


_YOU_KNOW = re.compile(
    r"^\W*(?:(?:ah|ay|oye|oiga|mira)\W+)?(?:no\s+)?(?:sab[eé]s|sabe|sab[ií]s|saben|sab[eé]is)\s+(?:qu[eé]|q)\b\W*"
    r"|^\W*(?:(?:oh|ah)\W+)?you know what\b\W*",
    re.IGNORECASE,
)
"""How a change of mind is opened to the person ("sabe que, cámbieme…", "no sabís que…", "you
know what, …"): no words of the order, and «no» there takes nothing back."""


def edit(
    turn: Turn, state: ChatState, text: str, asked: tuple[str, ...] = (), after_removal: bool = False
) -> Outcome | None:
    """The message as a cart edit, or None when it is not one. `asked`: the products the answer
    just before gave the price of ("2 de cada uno" orders them). `after_removal`: the words follow
    a removal in the same message ("quite las fanta, mejor 2 sprite"), so a product said as a
    change of mind comes in place of the line taken out, never of another line (`stands_in`)."""
    text = _YOU_KNOW.sub("", text)  # "no sabis que las de camarón sácalas…": said to the person
    text = without_restated(text, turn.catalog)  # "un kilo de carnitas, o sea 2 medios": once
    text = line_named_first(text)  # "que la tinga sean 2": "la tinga que sean 2"
    words = only_said(intents.normalised(text))
    if not words:
        return None
    restart = intents.mentions(text, "restart")
    if restart is not None:
        return _restart(turn, state, intents.rest_after(text, restart))
    if not state.cart:
        return each_asked(turn, state, words, asked) or (_more(turn, state, text) if state.last_sku else None)
    edited = _edited(turn, state, text, words, after_removal)
    bare = _BUT.sub("", text, count=1)
    if edited is None and bare != text:  # "but one of the coffees large instead of small"
        edited = _edited(turn, state, bare, only_said(intents.normalised(bare)), after_removal)
    if edited is None or edited.named_back:  # an aside may have sunk the edit ("quita X, ya tenía jaja")
        return _with_aside(turn, state, text) or edited
    return edited


_BUT = re.compile(r"^\s*(?:pero|but)\b[\s,]*", re.IGNORECASE)
"""A change that opens against what the cart is ("the usual please" … "but one of the coffees large
instead of small"): the «but» says the change is coming, and the change reads the same without it."""


def _edited(turn: Turn, state: ChatState, text: str, words: str, after_removal: bool = False) -> Outcome | None:
    return (
        unit_choices(turn, state, text)
        or one_and_other(turn, state, text)
        or _removal_of_several(turn, state, text)
        or _removal_of_all_but(turn, state, text)
        or _then_held_line(turn, state, text)
        or numbered_anew(turn, state, text)
        or amount_anew(turn, state, text)
        or extra_on_line(turn, state, text)
        or all_become(turn, state, text)
        or split_into_kinds(turn, state, text)
        or brands_of_line(turn, state, text)
        or sized_anew(turn, state, text)
        or note_on_line(turn, state, text)
        or pointed_notes(turn, state, text)
        or options_said(turn, state, text)
        or wished_note(turn, state, text)
        or _removal_leaving(turn, state, words)
        or fewer(turn, state, words)
        or noted_again(turn, state, text)
        or _removal_first(turn, state, text)
        or _removal_of_nothing(turn, state, text)
        or _removal_and_change(turn, state, text)
        or _then_own_verb(turn, state, text)
        or same_but(turn, state, text)
        or same_again(turn, state, text)
        or some_of_those(turn, state, text)
        or some_made_kind(turn, state, text)
        or some_moved(turn, state, text)
        or some_become(turn, state, text)
        or one_of(turn, state, text)
        or another_round(turn, state, words)
        or each(turn, state, words)
        or only(turn, state, words, after_removal)
        or _swap_last(turn, state, words)
        or line_to_count(turn, state, words)
        or made_into(turn, state, text)
        or _swap(turn, state, words)
        or resized_instead(turn, state, text)
        or restate(turn, state, text)
        or instead_of_last(turn, state, text)
        or retake(turn, state, text)
        or _remove(turn, state, text)
        or _note_for_line(turn, state, text)
        or set_quantity(turn, state, text)
        or set_each(turn, state, text)
        or variant(turn, state, text)
        or qualified(turn, state, text)
        or (None if after_removal else stands_in(turn, state, text))
        or _more(turn, state, text)
    )


_ARTICLES = frozenset({"un", "una", "uno", "unos", "unas", "a", "an", "some"})
"""Words before what an aside is about that count nothing ("ya encontré unas en la casa")."""
_ASIDE = re.compile(r"\s*[,;.!]+\s*")
"""Where an aside may follow what the message asks ("quita las tijeras, ya tenía en la casa jaja")."""


def _with_aside(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "quita las tijeras, ya tenía en la casa jaja", "mejor medio kilo nomás, somos pocos",
    "take off the cookie, my wife baked some lol": an edit and then words of the customer's own
    that name nothing on the menu (read whole, they sank the edit and the message was read as an
    order). The edit is made and those words are named back, as any words not on the menu are."""
    for cut in reversed(list(_ASIDE.finditer(text))):
        head, tail = text[: cut.start()], text[cut.end() :]
        aside = read_order(tail, turn.catalog) if head.strip() and tail.strip() else None
        if aside is None or not aside.unknown or replace(aside, unknown=(), language=None) != Reading():
            continue
        if [w for w in counted(intents.normalised(tail).split()) if w not in _ARTICLES]:
            continue  # "just the cookies then, 2 of em": a count, not an aside
        head_words = only_said(intents.normalised(head))
        outcome = _edited(turn, state, head, head_words) if head_words else None
        if outcome is None or outcome.named_back:
            continue
        named = tuple(clip(words, MAX_ECHO) for words in aside.unknown)
        said = "\n".join(turn.texts("not_on_menu", text=words) for words in named)
        return prefixed(outcome, said, named)
    return None


_DEFINITE = frozenset({"el", "la", "los", "las", "the", "al", "del"})
"""An article that points at something already said: "el pastor sin cebolla" is the pastor in the cart."""


def _note_for_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "el pastor sin cebolla porfa", "the burger without pickles": the note of a line already in
    the cart (a definite article, one product, a note, nothing counted), not one more of it."""
    words = intents.normalised(text).split()
    if not _DEFINITE & set(words) or _counts(words):
        return None
    reading = read_order(text, turn.catalog)
    if len(reading.items) + len(reading.doubts) != 1 or reading.unknown or reading.loose or reading.noted:
        return None
    said = reading.items[0] if reading.items else reading.doubts[0]
    if not said.note or intents.is_exactly(said.note, "no"):
        return None  # "el flan no" removes the flan (and reaches here only when it is not in the cart)
    product = in_cart(turn, state, said.words)
    if product is None:
        return None
    state = replace(state, notes=(*(n for n in state.notes if n[0] != product.sku), (product.sku, said.note)))
    state = replace(state, stage="cart", last_sku=product.sku)
    return done(state, cart_buttons_reply(turn, state, turn.texts("note_set", name=product.name, note=said.note)))


def _restart(turn: Turn, state: ChatState, rest: str) -> Outcome:
    kept = _all_but(turn, state, rest)
    if kept is not None:
        return kept
    emptied = replace(state.with_cart({}), suggestions=(), checks=(), last_sku=None)
    reading = read_order(rest, turn.catalog) if rest else None
    said = turn.texts("cart_emptied")
    if reading is None or reading.empty:
        return done(replace(emptied, stage="start"), cart_buttons_reply(turn, emptied, said))
    return apply_reading(turn, emptied, reading, said)


_BUT_FOR = re.compile(r"^(?:menos|excepto|salvo|except|but|aside from|other than)\s+(?P<kept>.+)$")
"""What a "take everything out" keeps ("quita todo menos los tacos", "remove all but the wings")."""


def _all_but(turn: Turn, state: ChatState, rest: str) -> Outcome | None:
    """ "quita todo menos los tacos", "borra todo excepto la coca y el flan": every line goes but
    the ones named after «menos»/"except" (a line, or the lines of a category), each said back.
    None unless every part named keeps a line of the cart."""
    found = _BUT_FOR.match(rest.strip())
    if found is None:
        return None
    kept: set[str] = set()
    for said in _LISTED.split(found.group("kept")):
        if names_nothing(turn, said):
            continue
        product = in_cart(turn, state, said)
        lines = [product] if product is not None else category_lines(turn, state, said)
        if not lines:
            return None  # a word that keeps nothing of the cart: emptied as before, the words named back
        kept |= {p.sku for p in lines}
    if not kept:
        return None
    after = replace(state.with_cart({sku: n for sku, n in state.cart if sku in kept}), stage="cart")
    return done(after, cart_buttons_reply(turn, after, "\n".join(_changes_said(turn, state, after))))


_ALL = re.compile(r"^(?:all|everything|todo|todos|todas)\s+(?:(?:of\s+)?it\s+|lo\s+)?")


def _removal_of_all_but(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "remove all but the wings", "take off everything except the tea": a removal of all the
    cart but what follows (read as one removal, it took the wings out). None otherwise."""
    phrase = intents.mentions(text, "remove")
    if phrase is None:
        return None
    rest = intents.rest_after(text, phrase)
    return _all_but(turn, state, _ALL.sub("", rest, count=1)) if _ALL.match(rest) else None


def _swap(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    # the first way of cutting it that fits the cart
    for pattern in (_SWAP, _SWAP_GIVEN, _CHANGE, _OLD_CHANGED, _SWAP_NEW_FIRST, _NEW_NOT_OLD):
        found = pattern.match(words)
        said_new = found.groupdict().get("new") or found.group("named") if found is not None else ""
        swapped = _swap_found(turn, state, found.group("old"), said_new) if found is not None else None
        if swapped is not None:
            return swapped
    return _swap_counted_both(turn, state, words)


_OLD_CHANGED = re.compile(
    r"^(?P<old>.+?)\s+(?:camb\w*?(?:lo|la|los|las)|(?:me|se)\s+(?:lo|la|los|las)\s+camb\w*)\s+(?:por|x)\s+(?P<new>.+)$"
)
"""The line said before the verb, by its count and measure ("las 4 de 600 cámbialas por 2 de 2
litros"): the words before it are the old line, as in "cambia las 4 de 600 por …"."""
_NEW_NOT_OLD = re.compile(
    r"^(?P<new>(?:mejor|better|actually)\b.+?)\s+(?:y\s+)?no\s+(?P<old>(?:el|la|los|las|the)\s.+)$"
)
"""The new thing said as a change of mind, then the line it replaces with "no" ("mejor dejame uno de
un kilo solo, no los dos de medio"): a swap, as with "en vez de"."""
_INSTEAD_REST = re.compile(rf"^(?:.*?\b)?{_INSTEAD}\s+(?P<rest>.+)$")
_GIVE_LAST = re.compile(rf"\s+{_GIVE}$")


def _swap_counted_both(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "en vez de las 2 de medio, una de kilo", "en vez de las 3 cocas de 600 mejor una de 3
    litros": both sides counted, so the new one starts at a later count than the first (a count
    after «de» is a measure: "de 600", "de 3 litros")."""
    found = _INSTEAD_REST.match(words)
    said = found.group("rest").split() if found is not None else []
    for at in range(2, len(said)):
        if not re.fullmatch(_COUNTED, said[at]) or said[at - 1] in ("de", "of", "x"):
            continue
        said_old = _GIVE_LAST.sub("", " ".join(said[:at]))
        swapped = _swap_found(turn, state, said_old, " ".join(said[at:]))
        if swapped is not None:
            return swapped
    return None


def _swap_found(turn: Turn, state: ChatState, said_whole_old: str, said_new: str) -> Outcome | None:
    some = leading_count(_unpointed(said_whole_old))
    named = _unpointed(said_whole_old).split(maxsplit=1)[1:] if some is not None else [said_whole_old]
    said_old = " ".join(named)  # "2 de naranja": the line of naranja; "the two 6s": the 6 pc
    old = in_cart(turn, state, said_old) or _guessed_line(turn, state, said_old)
    old = old or _line_by_number(turn, state, said_old) or _line_by_measure(turn, state, said_old)
    if old is None and some is not None and (numbered := _line_by_number(turn, state, said_whole_old)) is not None:
        old, some, named = numbered, None, [said_whole_old]  # "instead of the two 6s": the 6 pc, all of it
    new = read_order(said_new, turn.catalog)
    if old is None and new.items and not new.doubts and _sold_out_named(turn, said_old):
        return apply_reading(turn, state, new)  # "swap the honeydew for a strawberry one": it never was in the cart
    if old is None and some is not None and not named and len(new.items) == 1:
        # "en vez de las dos" after 2 Inca Kola personal: the one line of that many of the new one's dish
        held = [p for sku, n in state.cart if n == some and (p := turn.catalog.product(sku))
                and p != new.items[0].product and same_dish(p, new.items[0].product)]  # fmt: skip
        old, some = (held[0], None) if len(held) == 1 else (None, some)
    if old is None and some is not None and not named and len(new.items) == 1:
        # "make it 20 wings instead of 6": the count is the size of the line said with the new words
        kind = [w for w in new.items[0].words.split() if count_of(w) is None]
        old, some = in_cart(turn, state, " ".join([str(some), *kind])), None
    if old is not None and (not new.items and (not new.doubts or amount_in(said_new.split()))
                            or _of_another_head(old, said_new, new)):  # fmt: skip
        new = _made_of_line(turn, old, said_new) or new  # "por una de litro y medio", "por uno de jamón"
    if old is not None and not new.items and len(new.doubts) == 1:  # "la barbacoa por carnitas": the half kilo
        new = _like_line(old, said_whole_old, new)
    if old is None and _already_held(state, new) and names_nothing(turn, said_old):
        # "mejor el pack de 6 leches en vez de las sueltas" with the pack in the cart: what the
        # customer thought was loose is the pack already; it stays as it is, never one more
        return done(replace(state, stage="cart", last_sku=new.items[0].product.sku), cart_buttons_reply(turn, state))
    if old is None or not (new.items or new.doubts):
        return None
    cart = state.cart_dict()
    # "cambiá 2 de pollo por 2 de humita": 2 of the 6; "cambia una bilz por una pap": the unit
    # leaves the Bilz, and which pap is asked (it never stays beside the new one)
    if some is not None and 0 < some < cart.get(old.sku, 0):
        cart[old.sku] -= some
        state = state.with_cart(cart)
        left = turn.texts("quantity_set", quantity=cart[old.sku], name=old.name)
        if not counted(said_new.split()):
            new = replace(new, items=tuple(replace(i, quantity=some) for i in new.items),
                          doubts=tuple(replace(d, quantity=some) for d in new.doubts))  # fmt: skip
        return apply_reading(turn, state, new, left)
    if not new.items:
        return None  # the whole line for a product in doubt: read as an order, which asks it
    return _replaced(turn, state, old, new, said_new, said_whole_old)


def _already_held(state: ChatState, new: Reading) -> bool:
    """Whether the new side of a swap is one product the cart holds already, said with no count."""
    return (
        len(new.items) == 1
        and not new.doubts
        and new.items[0].product.sku in state.cart_dict()
        and (not new.items[0].counted or new.items[0].quantity == 1)
    )


def _unpointed(said: str) -> str:
    """The words without the article that points at a line ("las 2 de medio": "2 de medio")."""
    words = said.split()
    return " ".join(words[1:]) if words[:1] and words[0] in _DEFINITE and len(words) > 1 else said


def _line_by_measure(turn: Turn, state: ChatState, said: str) -> ProductView | None:
    """The one cart line the words point at by its measure alone ("en vez de las 2 de medio" after
    2 Carne picada especial 500 g, "las de 600" after the Coca-Cola 600 ml); None when no line or
    several are so measured."""
    words = [w for w in _unpointed(said).split() if w not in lexicon().fillers or w in ("medio", "media")]
    lines = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) and says_measure(p, words)]
    return lines[0] if len(lines) == 1 else None


def _sold_out_named(turn: Turn, said: str) -> bool:
    """Whether the words of a swap's old side name only products the business ran out of (the
    bot said so before): what takes its place is simply ordered ("en vez de las de lengua ponle 2
    de cabeza")."""
    reading = read_order(said, turn.catalog)
    return bool(reading.items) and not reading.doubts and all(not i.product.available for i in reading.items)


_ONE_OF_KIND = re.compile(r"^(?:uno|una|unos|unas|one|\d+)\s+(?:de|del|con|with)\b")
"""New words that stand for the line's own dish: "cámbiame el bocata por uno de jamón" is the
Bocadillo de jamón, not the Jamón ibérico; "cambiá 2 de carne por 2 de pollo"."""


def _of_another_head(old: ProductView, said_new: str, new: Reading) -> bool:
    """Whether "uno de X" said in place of a line was read as a product of another dish than the
    line's ("uno de jamón" as the Jamón ibérico, for the Bocadillo de calamares): then the words
    are read against the line first ("4 de suadero con cebolla" for tacos al pastor is read as said)."""
    heads = {head_of(item.product) for item in new.items}
    return _ONE_OF_KIND.match(said_new) is not None and head_of(old) not in heads


def _like_line(old: ProductView, said_old: str, new: Reading) -> Reading:
    """The product in doubt said in place of a line, settled by the line: the one candidate that is
    the line's dish in another size ("cambia la coca por la de 2 litros": the Coca-Cola 2 litros,
    not the Aceite 1 litro), else the one whose name holds every word of the line's name the
    customer did not say ("cámbieme la barbacoa por carnitas" after the Barbacoa medio kilo: of
    the Carnitas medio kilo and the Taco de carnitas, the half kilo); else the doubt as it was
    (asked). "por uno de tortilla" after the Bocadillo de lomo is the Bocadillo de tortilla, not the
    Pincho de tortilla: the candidate of the line's own dish (its name's first word)."""
    said = {key(w) for w in said_old.split()}
    left = {key(w) for w in words_of(old.name) if w not in STOPWORDS and key(w) not in said}
    doubt = new.doubts[0]
    head = head_of(old)
    for fits in (
        [p for p in doubt.candidates if p != old and same_dish(old, p)],  # "por la de 2 litros": the coca's
        [p for p in doubt.candidates if p != old and head in {key(w) for w in words_of(p.name)[:1]}],
        [p for p in doubt.candidates if left and left <= {key(w) for w in words_of(p.name)}],
    ):
        if len(fits) == 1:
            break
    if len(fits) != 1:
        return new
    item = Item(fits[0], doubt.quantity, doubt.note, doubt.words, counted=doubt.counted)
    return replace(new, items=(item,), doubts=())


def _guessed_line(turn: Turn, state: ChatState, said: str) -> ProductView | None:
    """The cart line the words point at with an article and guess at by a word of their own ("el
    bocata" of the Bocadillo de tortilla, the one candidate of what they could be, and in the
    cart): the line a swap takes out; None when the guess has another candidate or no article."""
    words = said.split()
    if not words or words[0] not in _DEFINITE:
        return None
    reading = read_order(said, turn.catalog)
    if reading.items or len(reading.doubts) != 1 or len(reading.doubts[0].candidates) != 1:
        return None
    guess = reading.doubts[0].candidates[0]
    return guess if guess.sku in state.cart_dict() else None


def _one_for_many(said_old: str, said_new: str) -> bool:
    """Whether the new thing is said as one ("el pack", "la grande") in place of a line said as
    many ("los 2 bricks", "las cocas"): one of it, not as many as the old line held."""
    old, new = said_old.split()[:1], said_new.split()[:1]
    return new in (["el"], ["la"]) and old in (["los"], ["las"])


def _replaced(
    turn: Turn, state: ChatState, old: ProductView, new: Reading, said_new: str, said_old: str = ""
) -> Outcome:
    """The cart with the line of `old` gone and `new` added, as many as the old line unless the
    customer counted them ("cambia el pastor por suadero", "por unas de chicharrón": as many)."""
    cart = state.cart_dict()
    quantity = cart.pop(old.sku, 1)
    said = [w for w in counted(said_new.split()) if w not in ("unos", "unas", "some")]
    if _one_for_many(said_old, said_new) and len(new.items) == 1:  # "el pack" for "los 6 bricks": one
        said, new = ["1"], replace(new, items=(replace(new.items[0], quantity=1),))
    if len(new.items) == 1 and not said and not weighed(said_new.split()):  # "2 kilos de pata muslo": 2
        new = replace(new, items=(replace(new.items[0], quantity=quantity),))
    if len(new.items) == 1:
        new = replace(new, items=(_size_kept(turn, old, new.items[0], said_new),))
    note = dict(state.notes).get(old.sku, "")
    if len(new.items) == 1 and note and not new.items[0].note and same_dish(old, new.items[0].product):
        new = replace(new, items=(replace(new.items[0], note=note),))  # "make it the 20 wings": still lemon pepper
    state = state.with_cart(cart)  # else the old line's note goes with it: another dish, not its extras
    return apply_reading(turn, state, new, turn.texts("removed", name=old.name))


def _size_kept(turn: Turn, old: ProductView, item: Item, said_new: str) -> Item:
    """The new flavour in the old line's size when the customer named no size ("a la pepperoni
    cámbiala a hawaiana" after a large pepperoni: the large hawaiana): a swap of flavour keeps
    what else the line was, as a cashier keeps it (the regular one came in its place, silently
    smaller). The item as read when the line has no size word, one was said, or the menu has no
    product of the new flavour in the line's size."""
    said = intents.normalised(said_new).split()
    sizes = {w for w in words_of(old.name) if w in SIZES}
    if not sizes or SIZES & set(said) or sizes <= set(words_of(item.product.name)):
        return item
    other = variant_of(turn.catalog, old, [w for w in said if w not in lexicon().fillers])
    if other is None or not sizes <= set(words_of(other.name)) or head_of(other) != head_of(item.product):
        return item
    return replace(item, product=other)


def _swap_last(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "mejor cámbialo por ibuprofeno", "swap it for a sesame bagel": the line added last becomes
    the product named, as many as it was unless a count is said; None when no product is named
    ("cámbialo a 3" sets a quantity)."""
    found = _CHANGE_IT.match(words) or _MAKE_IT.match(words)
    if found is None:
        return None
    before, said_new = found.group("before") or "", found.group("new")
    old = in_cart(turn, state, before) if names_something(turn, before) else None
    if old is None and (after := _line_said_after(turn, state, said_new)) is not None:
        said_new, old = after  # "mejor hazlas de litro las jamaicas": the line named after what it becomes
    new = read_order(said_new, turn.catalog)
    if old is None and not names_something(turn, " ".join(w for w in before.split() if w not in _NAMING_NOTHING)):
        old = _line_for(turn, state, new)  # "che mejor pasalo a un kilo": no line named
    if old is None:
        return None
    if not new.items and (not new.doubts or amount_in(said_new.split())):
        new = _made_of_line(turn, old, said_new) or new  # "el de naranja cámbialo por 2 chicos", "hazlas de litro"
    if not new.items or new.doubts or new.unknown:
        return None
    return _replaced(turn, state, old, new, said_new)


def _line_said_after(turn: Turn, state: ChatState, said: str) -> tuple[str, ProductView] | None:
    """ "litro las jamaicas" after "hazlas de": what the pronoun's line becomes, then the line
    itself named with its article; (what it becomes, the line), or None when no line of the cart
    is named last."""
    words = said.split()
    for at in range(1, len(words) - 1):
        line = in_cart(turn, state, " ".join(words[at + 1 :])) if words[at] in _DEFINITE else None
        if line is not None:
            return " ".join(words[:at]), line
    return None


_NAMING_NOTHING = lexicon().fillers | {"no", "mejor", "che", "oye", "oiga", "mira", "bueno", "pues", "perdon", "y"}
"""Words before "hacelo …" that name no line ("no, mejor hacelo medio kilo")."""


def _line_for(turn: Turn, state: ChatState, new: Reading) -> ProductView | None:
    """The line "lo" is when no line is named: the one line the new product is another size of
    ("medio kilo de helado y un cucurucho" … "pasalo a un kilo": the helado), else the one added last."""
    last = last_line(turn, state, in_cart=True)
    if len(new.items) == 1:
        sized = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) and same_dish(p, new.items[0].product)]
        if len(sized) == 1 and sized[0] != new.items[0].product:
            return sized[0]
    return last


_KIND_WORDS = SIZES | {"de", "con", "sin"}
"""Filler words that still say a kind of a line ("change the taro to regular": its regular size)."""
_SIZE_SAID = frozenset({"size", "tamano", "talla"})
"""The word "size" itself, beside the size it names ("to regular size")."""


def _made_of_line(turn: Turn, old: ProductView, said_new: str) -> Reading | None:
    """The words after "cámbialo por" read as another size or kind of the line itself ("2 chicos"
    after a Jugo de naranja grande: 2 Jugos de naranja), with their count; None when they make
    no other product of it."""
    words = said_new.split()
    counts = [c for w in counted(words) if (c := count_of(w))]
    kind = [w for w in words if count_of(w) is None and (w not in lexicon().fillers or w in _KIND_WORDS)
            and w not in _SIZE_SAID]  # fmt: skip
    resized = resized_by_amount(turn.catalog, old, words)  # "hacelo un kilo": the amount is the size, one of it
    if resized is not None:
        return Reading(items=(Item(resized, 1, "", said_new),))
    other = made_of(turn, old, kind) if kind and len(counts) <= 1 else None
    if other is None or other == old:
        return None
    return Reading(items=(Item(other, counts[0] if counts else 1, "", said_new, counted=bool(counts)),))


_OPENERS = frozenset({"nvm", "nevermind", "nah", "nope", "hmm", "mmm", "uy", "ay", "ah", "oh", "oops", "ups"})
"""Words said to the person before a removal by "no": "nvm no tenders"."""


def _remove(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    phrase = intents.mentions(text, "remove") or _never_mind(turn, state, text)
    words = intents.normalised(text).split()
    while len(words) > 2 and words[0] in _OPENERS:
        words = words[1:]  # "nvm no tenders", "nah no fries"
    spoken = [w for w in words if w == "no" or w not in lexicon().fillers]  # "mejor no el pan", "actually no muffin"
    if phrase is None and len(spoken) >= 2 and "no" in (spoken[0], words[-1]) and not _counts(words):
        product = in_cart(turn, state, " ".join(w for w in words if w != "no"))
        if product is None:
            return None  # "el flan no" removes the flan; "no, eran 3" is not a removal
        phrase = "no"
    opener = next((w for w in words if w not in lexicon().fillers), "")
    # "sin pan mejor", "sin la coca": a removal when it names the cart, else a note; never when
    # the words name a product themselves ("sin gas": Agua sin gas), nor when an ingredient comes
    # first and the line after it ("sin jalapeño la pizza": its note)
    taking_off = opener in ("sin", "without") and not read_order(text, turn.catalog).items
    if phrase is None and taking_off:
        line_first = _line_said_first(turn, state, opener, text)
        if line_first is not None:
            return edit(turn, state, line_first)
        phrase = opener
    between = _between_verb_and_particle(words) if phrase is None else None
    if between is not None and in_cart(turn, state, between) is not None:
        phrase = "take off"  # "take the corn off", "knock the muffin off": the line named in between
    if phrase is None:
        return None
    if between is not None:
        rest = between
    elif phrase == "no":
        rest = " ".join(w for w in words if w != "no")
    else:
        rest = intents.rest_after(text, phrase)
        earlier = None if rest.strip() else intents.mentions(intents.rest_before(text, phrase), "remove")
        if earlier is not None:  # "quita las bravas que al final no": the verb names the line, the "no" is why
            text, phrase = intents.rest_before(text, phrase), earlier
            rest = intents.rest_after(text, phrase)
    if not names_something(turn, rest) or _REASON_FIRST.match(rest):  # "la horchata cancélala": the product first
        before = intents.rest_before(text, phrase)
        if names_something(turn, before):  # "los churros quítalos que estoy a dieta, ponme…": the reason after
            rest = " ".join((before, rest)) if names_something(turn, rest) else before
    then = _then_added(turn, state, rest)
    if then is not None:  # "quítale el frappé, mejor un té chai": the frappé goes, the chai comes
        rest = then[0]
    elif between is None and phrase != "no" and rest != (before := intents.rest_before(text, phrase)):
        then = _ordered_before(turn, before)  # "y 2 club colombia. ah y quita los edamames": both
    rest = _without_reason(turn, state, rest)
    count = leading_count(rest)
    product = in_cart(turn, state, rest) or _counted_in_cart(turn, state, rest, count)
    pointed = rest if phrase.split()[-1] not in _DEFINITE else f"{phrase.split()[-1]} {rest}"  # "cancel the" 6
    if product is None and (numbered := _line_by_number(turn, state, pointed)) is not None:
        product, count = numbered, None  # "cancel the 6" after 6 wings and 10 wings: the 6 pc, all of it
    if product is None and (count is not None or not rest.strip()) and names_nothing(turn, rest):
        product = last_line(turn, state, in_cart=True)  # "quítale uno", "quítalo": of the product added last
    t = turn.texts
    if product is None:
        lines = category_lines(turn, state, rest)
        if lines:  # "sin pan mejor": every line of the "Pan dulce" category
            return set_lines(turn, state, [(p, 0) for p in lines])
        if phrase.split()[0] in ("sin", "mejor", "without"):
            # "mejor sin cebolla", "sin mayo" (Ave mayo is not in the cart): an ingredient, the
            # note of the line talked about last; read as one
            return None
        reading = read_order(rest, turn.catalog)
        named = next((i.product for i in reading.items), None)
        body = t("not_in_cart", name=named.name) if named else t("not_on_menu", text=rest)
        if then is not None and not _TAKEN_BACK_BEFORE & set(intents.normalised(then[0]).split()[-1:]):
            # "mejor sueltos: 6 verdes y 6 de mole, ya no la …": what it orders still comes (but "y
            # un frappe… no, mejor quítalo": the «no, mejor» just before takes that one back)
            ordered = apply_reading(turn, state, then[1], prefix=body)
            return replace(ordered, named_back=(*ordered.named_back, named.name if named else rest))
        outcome = done(replace(state, stage="cart"), cart_buttons_reply(turn, state, body))
        return replace(outcome, named_back=(named.name if named else rest,))
    cart = state.cart_dict()
    left = cart.get(product.sku, 0) - count if count is not None else 0
    if left > 0:
        cart[product.sku] = left
        said = t("quantity_set", quantity=left, name=product.name)
    else:
        cart.pop(product.sku, None)
        said = t("removed", name=product.name)
    state = replace(state.with_cart(cart), stage="cart")
    if then is not None:
        return apply_reading(turn, state, then[1], prefix=said)
    return done(state, cart_buttons_reply(turn, state, said))


_NEVER_MIND = re.compile(
    r"^(?:(?:oh|ah|actually|wait|ok|okay|hmm)\s+)*(?P<phrase>(?:nvm|nevermind|never mind)(?:\s+on)?)\s+(?P<rest>.+)$"
)


def _never_mind(turn: Turn, state: ChatState, text: str) -> str | None:
    """The "never mind" that opens a removal of what follows it, when that names a cart line ("nvm
    on the lemonade", "never mind one of the lemonades": the line was noted «nvm», or one more
    added); None else ("… nvm add a cajun corn" takes back the words before it)."""
    found = _NEVER_MIND.match(intents.normalised(text))
    if found is None:
        return None
    rest = found.group("rest")
    count = leading_count(rest)
    named = " ".join(rest.split()[1:]) if count is not None else rest
    named = named.removeprefix("of ")
    return found.group("phrase") if in_cart(turn, state, named) is not None else None


def _counted_in_cart(turn: Turn, state: ChatState, rest: str, count: int | None) -> ProductView | None:
    """ "quítame 2 conchas" with only the Conchas de chocolate in the cart: the count said first
    weighs on how surely the words name a line (they fit two products of the menu), so the line is
    looked for by the words after it, the one line of the cart they fit."""
    if count is None or len(rest.split()) < 2:
        return None
    return in_cart(turn, state, rest.split(maxsplit=1)[1])


_TAKEN_BACK_BEFORE = frozenset({"no", "mejor", "better", "actually", "perdon", "sorry", "nah"})


def _line_by_number(turn: Turn, state: ChatState, said: str) -> ProductView | None:
    """The one cart line whose name holds the number said with an article and nothing else ("the
    6", "el de 10", "the two 6s": the Classic wings 6 pc), a line named by its size; None otherwise."""
    words = [w for w in said.split() if w not in ("de", "of")]
    if len(words) == 3 and count_of(words[1]) is not None:
        words = [words[0], words[2]]  # "the two 6s": both units of the 6 pc line
    size = count_of(words[-1].removesuffix("s")) if words else None
    if len(words) != 2 or words[0] not in _DEFINITE or size is None or size < 2:
        return None  # ("the one" points at a line said before, never a size)
    number = str(size)
    lines = [p for sku, _ in state.cart if (p := turn.catalog.product(sku)) is not None and number in p.name.split()]
    return lines[0] if len(lines) == 1 else None


_REASONS = r"(?:que|q|porque|por que|pq|ya que|because|since|cuz|bc)"
_REASON = re.compile(rf"\s+{_REASONS}\b.*$")
_REASON_FIRST = re.compile(rf"^{_REASONS}\b")
"""Why the customer takes a line out, said after it ("que ya viene en el paquete", "que conduzco",
"cuz im on a diet"): it names nothing to remove."""


def _without_reason(turn: Turn, state: ChatState, rest: str) -> str:
    """ "quita el arroz que ya viene en el paquete", "remove one taro my friend left": the reason
    after the line names no line to remove (the paquete stays); cut when what is left still names
    a line of the cart and the reason (two words or more) orders nothing."""
    kept = _REASON.sub("", rest)
    if kept != rest and in_cart(turn, state, kept) is not None:
        return kept
    if in_cart(turn, state, rest) is not None:
        return rest
    words = rest.split()  # "remove one taro my friend left": the words after the line order nothing
    for at in range(len(words) - 2, 0, -1):
        said, why = " ".join(words[:at]), read_order(" ".join(words[at:]), turn.catalog)
        if not (why.items or why.doubts) and in_cart(turn, state, said) is not None:
            return said
    return rest


_LEFT = frozenset({"con", "nomas", "deja", "dejame", "dejale", "dejeme", "dejele", "queden", "quedan", "quede",
                   "queda", "just", "only", "leave", "keep"})  # fmt: skip
"""Words that say what is left of a line after a removal: "quita una lata, con 2 ya", "kítale una
gringa nomás 2", "quita una caña que se queden en 2", "take off a soda, just 1"."""
_TO_LEFT = frozenset({"que", "se", "en", "me", "le", "nomas", "y", "and", "with"})
"""Words between the removal and its count left ("que se queden en 2", "deja nomás 1")."""


def _removal_leaving(turn: Turn, state: ChatState, words: str) -> Outcome | None:
    """ "quita una coca, con 2 ya", "quítame 2 conchas, nomás una", "remove one soda, just 1": a
    removal then the count left of its line, which is what the customer ends with (the count was
    read as an order: 2 Brownies *con* helado, or 2 more of the line added last). None unless the
    first words take part of one cart line out and only a count (and fillers) follows."""
    if intents.mentions(words, "remove") is None:
        return None
    split = words.split()
    for at in range(2, len(split) - 1):
        if split[at] not in _LEFT:
            continue
        after = [w for w in split[at + 1 :] if w not in _TO_LEFT]
        counts = [w for w in after if count_of(w) is not None]
        said = [w for w in after if w not in counts and w not in lexicon().fillers and w not in ("ya", "vale")]
        if len(counts) != 1 or said:
            continue
        head = split[:at]
        while head and head[-1] in _TO_LEFT:
            head = head[:-1]
        removed = _remove(turn, state, " ".join(head))
        if removed is None or removed.named_back:
            continue
        changed = _changed(state, removed.state)
        if len(changed) != 1 or (product := turn.catalog.product(changed[0])) is None:
            continue
        return set_lines(turn, state, [(product, count_of(counts[0]) or 0)], last=product.sku)
    return None


_ASKING = re.compile(
    r"\s*(?:(?:please|pls|hey|hi|ok)\s+)*(?:can|could|would|will)\s+(?:you|u|ya)(?:\s+please)?\s*", re.IGNORECASE
)
""""can you take off one egg waffle": the request's opening orders nothing (never a can, a lata)."""


def _ordered_before(turn: Turn, before: str) -> tuple[str, Reading] | None:
    """What a message orders before its removal ("y 2 club colombia. ah y quita los edamames"):
    its reading, applied after the removal, never dropped; None when the words order nothing."""
    if _ASKING.fullmatch(before) or not names_something(turn, before):
        return None
    reading = read_order(before, turn.catalog)
    return (before, reading) if reading.items or reading.doubts else None


_CLAUSE = re.compile(r"\s*[,;.]+\s*|\s+(?=(?:mejor|better|pero|but)\b)", re.IGNORECASE)
"""Where a message may go from one instruction to the next: a comma, or before "mejor"/"but"."""


def _removal_first(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "ah no, el jamón no, mejor 2 panelas", "quita el jamón, mejor dos panelas", "no fries, make
    it 2 burgers", "ah no, el jamón no, mejor una coca": words that take one cart line out, then
    words that change another line or order something: the line goes and the rest is read on
    what is left, as a message of its own (the removal was lost, or the wrong line went). None
    when what follows names no product or the first words take nothing out."""
    for cut in _CLAUSE.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        if not tail.strip() or not names_something(turn, head):
            continue
        removed = _remove(turn, state, head)
        said = _taken_out(turn, state, removed.state) if removed is not None and not removed.named_back else None
        if said is None or removed is None:
            continue
        reading = read_order(tail, turn.catalog)
        if not (reading.items or reading.doubts):
            return None
        rest = edit(turn, removed.state, tail, after_removal=True) or apply_reading(turn, removed.state, reading)
        return prefixed(rest, said)
    return None


_LISTED = re.compile(r"\s*[,;]+\s*(?:(?:y|e|and|ni|&)\s+)?|\s+(?:y|e|and|ni|&)\s+", re.IGNORECASE)
"""Where a list of lines to take out goes on: a comma, "y"/"e"/"and", or "ni" ("sin la coca ni el
suadero")."""
_BY_WORD = re.compile(r"\s+(?:y|e|and|&)\s+", re.IGNORECASE)
_EACH_NO = frozenset({"no", "ni", "sin", "without"})
"""Said again before each line of the list ("no veggie sticks and no tea", "sin coca y sin flan")."""


def _removal_of_several(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "quita la coca y el suadero", "sin la coca ni el suadero", "quítame las cocas y 1 de
    pastor", "remove the fries, the corn and the tea": a removal that names several lines, each
    of them goes (a whole line, or the count said of it) and each is said back; what the list
    names that is not in the cart is named back, never added; words after it with a verb of
    their own ("… y ponme una horchata") are read on what is left. Read as one removal, only
    the first line went and the others stayed without a word. None unless two or more of the
    listed words are lines of the cart, or one is and another names a product not in it."""
    parts = _listed_parts(turn, text)
    if len(parts) < 2:
        return None
    first = _first_removed(turn, parts[0])
    if first is None:
        return _removal_said_last(turn, state, parts)
    targets, tail = [first], ""
    for at, part in enumerate(parts[1:], 1):
        if _says_own_thing(part):
            tail = ", ".join(parts[at:])  # "… y ponme una horchata": what comes instead
            break
        targets.append(_first_removed(turn, part) or part)
    taken, unplaced = _lines_listed(turn, state, targets)
    if len({p.sku for p, _ in taken}) + len(unplaced) < 2 or not taken:
        return None
    after, said = _taken_lines(turn, state, taken)
    named: list[str] = []
    for words in unplaced:
        product = next((i.product for i in read_order(words, turn.catalog).items), None)
        said.append(turn.texts("not_in_cart", name=product.name) if product else turn.texts("not_on_menu", text=words))
        named.append(product.name if product else words)
    if tail:
        reading = read_order(tail, turn.catalog)
        rest = edit(turn, after, tail, after_removal=True) or apply_reading(turn, after, reading)
        return prefixed(rest, "\n".join(said), tuple(named))
    outcome = done(after, cart_buttons_reply(turn, after, "\n".join(said)))
    return replace(outcome, named_back=tuple(named))


def _removal_said_last(turn: Turn, state: ChatState, parts: list[str]) -> Outcome | None:
    """ "la coca y el suadero quítalos": the lines first, the removing verb last with nothing
    after it; read as "quítalos la coca y el suadero". None otherwise."""
    last = parts[-1]
    phrase = intents.mentions(last, "remove")
    if phrase is None or not names_nothing(turn, intents.rest_after(last, phrase)) or len(parts) < 2:
        return None
    named = [*parts[:-1], intents.rest_before(last, phrase)]
    if not all(names_something(turn, said) for said in named):
        return None
    return _removal_of_several(turn, state, f"{phrase} " + ", ".join(named))


def _taken_lines(
    turn: Turn, state: ChatState, taken: list[tuple[ProductView, int | None]]
) -> tuple[ChatState, list[str]]:
    """The state with each line taken out (all of it, or the count said), and what the bot says of
    each, in the order the customer named them."""
    cart = state.cart_dict()
    said: list[str] = []
    for product, count in taken:
        if product.sku not in cart:
            continue  # named twice ("el suadero y los de suadero")
        left = cart[product.sku] - count if count is not None else 0
        if left > 0:
            cart[product.sku] = left
            said.append(turn.texts("quantity_set", quantity=left, name=product.name))
        else:
            cart.pop(product.sku)
            said.append(turn.texts("removed", name=product.name))
    return replace(state.with_cart(cart), stage="cart"), said


_GIVEN = re.compile(rf"^(?:(?:y|e|and|also|tambien)\s+)*{_GIVE}\b")


def _says_own_thing(part: str) -> bool:
    """Whether a part of the list opens what comes after the removal instead of another line to
    take out: a verb of its own ("… y ponme una horchata", "…, add a corn"), or a change of mind
    ("…, mejor 3 sabritas", "… y que sean 3 barras")."""
    words = intents.normalised(part)
    if intents.mentions(part, "remove") is not None and not restates(part):
        return False  # "… y quita el flan": one more line to take out
    return bool(_OWN_VERB.match(words) or _GIVEN.match(words)) or restates(part)


def _listed_parts(turn: Turn, text: str) -> list[str]:
    """The message cut where its list goes on, a product whose name holds "y"/"and" kept whole
    ("quita el mac and cheese y la soda": the Mac and cheese is one line)."""
    parts: list[str] = []
    for said in _LISTED.split(text):
        if not said.strip():
            continue
        joined = " y ".join((parts[-1], said)) if parts else said
        if parts and _BY_WORD.search(text) and _one_product(turn, joined):
            parts[-1] = joined
        else:
            parts.append(said.strip())
    return parts


def _one_product(turn: Turn, words: str) -> bool:
    """Whether the words read as one product and nothing else ("mac and cheese")."""
    reading = read_order(words, turn.catalog)
    return len(reading.items) + len(reading.doubts) == 1 and not reading.unknown


def _first_removed(turn: Turn, part: str) -> str | None:
    """The words after the removing verb of a part of a list ("quita la coca" -> "la coca",
    "actually no veggie sticks" -> "veggie sticks"), or None when the part takes nothing off."""
    phrase = intents.mentions(part, "remove")
    if phrase is not None:
        if names_something(turn, intents.rest_before(part, phrase)):
            return None  # "2 de pastor y quita la coca": an order first, read elsewhere
        rest = intents.rest_after(part, phrase)
    else:
        words = [w for w in intents.normalised(part).split() if w not in _OPENERS]
        spoken = [w for w in words if w in _EACH_NO or w not in lexicon().fillers]
        if not spoken or spoken[0] not in _EACH_NO:
            return None
        rest = " ".join(words[words.index(spoken[0]) + 1 :])
        if restates(rest) or any(count_of(w) is not None for w in rest.split()):  # "no mejor 2 bilz": a change of mind
            return None  # "no perdón, son 5 de pastor no 3": a count corrected, never a removal
    return rest if rest.strip() else None


def _lines_listed(
    turn: Turn, state: ChatState, targets: list[str]
) -> tuple[list[tuple[ProductView, int | None]], list[str]]:
    """The cart lines the listed words take out, with the count said of each (None: all of it),
    and the words that name no line of the cart. Empty when a word names a product not in the
    cart with a count ("sin la coca y 2 de pastor" adds the pastor: `_then_added`)."""
    taken: list[tuple[ProductView, int | None]] = []
    unplaced: list[str] = []
    for said in targets:
        words = " ".join(w for w in intents.normalised(said).split() if w not in _EACH_NO)
        words = _without_reason(turn, state, words)
        if _MORE_OF & set(words.split()):
            return [], []  # "y 2 de pastor más": an order, never a removal
        count = leading_count(words) or (count_of(words.split()[0]) if words.split() else None)  # "one of the wings"
        if not _only_a_line(turn, words, count):
            return [], []  # "…, ya viene en el paquete", "y los de tripa bien doraditos": not a line to take out
        product = in_cart(turn, state, words) or _line_by_number(turn, state, words)
        if product is not None:
            taken.append((product, count))
        elif lines := category_lines(turn, state, words):  # "the wings", "one of the wings": its one line
            taken.extend((p, count if len(lines) == 1 else None) for p in lines)
        elif count is not None and names_something(turn, words):
            return [], []
        elif not names_nothing(turn, words):
            unplaced.append(words)
    return taken, unplaced


_COURTESY = frozenset({"tambien", "also", "too", "porfa", "please", "pls", "plz", "favor", "por"})


def _only_a_line(turn: Turn, words: str, count: int | None) -> bool:
    """Whether the words name a line and nothing more: they open with an article, a count or the
    product's own word, and say no note of it ("make the coffee a large", "ya viene en el
    paquete" and "los de tripa bien doraditos" say something else of a line, read elsewhere)."""
    said = [w for w in words.split() if w not in _COURTESY]
    if not said:
        return True
    reading = read_order(words, turn.catalog)
    if any(item.note for item in reading.items):
        return False
    named = {key(w) for item in reading.items for w in words_of(item.product.name)}
    named |= {key(w) for doubt in reading.doubts for p in doubt.candidates for w in words_of(p.name)}
    return said[0] in ARTICLES or count is not None or key(said[0]) in named


_SENTENCE_END = re.compile(r"\s*[.?!;]+\s*")
"""Where a sentence of a message ends: a full stop, a question or an exclamation mark."""


def _removal_of_nothing(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "ya no importa. agrégame una leche de tigre", "ah ya no hay? va entonces una campechana",
    "ok skip the mac then. add veggie sticks": a sentence with a removal's words that takes no line
    of the cart out (what it names is not in the cart, or it names nothing), then sentences that
    order: the order is read on its own (read whole, the removal named back the product ordered
    as not in the cart and it was lost). A product the first sentence names is still named back
    as not in the cart. None unless the message has such a first sentence and the rest orders."""
    for cut in _SENTENCE_END.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        phrase = intents.mentions(head, "remove")
        if phrase is None or not tail.strip() or not head.strip():
            continue
        target = intents.rest_after(head, phrase)
        if in_cart(turn, state, target) is not None or category_lines(turn, state, target):
            return None  # the removal takes a line out: `_removal_first` and `_remove` read it
        reading = read_order(tail, turn.catalog)
        if not (reading.items or reading.doubts):
            continue
        named = next((i.product for i in read_order(target, turn.catalog).items), None) if target else None
        outcome = edit(turn, state, tail) or apply_reading(turn, state, reading)
        return prefixed(outcome, turn.texts("not_in_cart", name=named.name), (named.name,)) if named else outcome
    return None


_JOINS = re.compile(r"\s*[,;]+\s*|\s+(?:y|e|and)\s+", re.IGNORECASE)
"""Where a message joins two instructions: a comma, or "y"/"and"."""


def _removal_and_change(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "no mejor q sean 3 corridas y quita la de niño", "quita la coca y que sean 3 barras": a
    removal and a change of mind joined in one message. Each part is applied in the order said, on
    what the one before left (read whole, the removal took the message and the new count was
    lost). None unless exactly one part removes, the other restates, and both change the cart with
    nothing named back."""
    for cut in _JOINS.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        if not head.strip() or not tail.strip():
            continue
        removes = [_takes_off(turn, state, part) for part in (head, tail)]
        if removes[0] == removes[1] or not restates(tail if removes[0] else head):
            continue
        first = edit(turn, state, head)
        if first is None or first.named_back or first.state.asking or first.state.cart == state.cart:
            continue
        talking = _talking_of_changed(state, first.state)
        second = edit(turn, talking, tail, after_removal=removes[0])
        if second is None or second.named_back:
            continue
        if second.state.cart == first.state.cart:
            if talking is not first.state and not removes[1]:  # "quita una de bravas, que sean 2": said twice
                return first
            continue
        return prefixed(second, "\n".join(_changes_said(turn, state, first.state)))
    return None


def _takes_off(turn: Turn, state: ChatState, part: str) -> bool:
    """Whether `part` takes a line off: a removing verb ("quita la de niño"), or «sin»/"without"
    first and a line of the cart after it ("y sin coca", "no lemonade": it goes, never a note)."""
    if intents.mentions(part, "remove") is not None:
        return True
    said = re.split(r"[,;.]", part, maxsplit=1)[0]  # "sin coca, mejor una horchata": what comes instead after it
    words = [w for w in intents.normalised(said).split() if w not in lexicon().fillers or w in _WITHOUT]
    if not words or words[0] not in _WITHOUT or (words[0] == "no" and (restates(said) or _counts(words))):
        return False  # "no, mejor 3 corridas": a change of mind, no line taken off
    return in_cart(turn, state, " ".join(words[1:])) is not None


_WITHOUT = frozenset({"sin", "without", "no"})
"""What opens a part that takes a line of the cart off with no verb ("y sin coca", "no lemonade")."""


_OWN_VERB = re.compile(
    r"^(?:(?:y|e|and|tambien|also|luego|despues|then|me|nos|porfa|please)\s+)*(?:camb\w*|quit\w*|sac\w*|borr\w*|agreg\w*|sum\w*|anad\w*"
    r"|pon\w*|add|throw|toss|change|swap|switch|replace|remove|take|drop)\b"
)
"""A part of a message that opens with its own verb of changing the cart ("… y cámbiame un bistec
por costilla", "…, y agrégame una guajolota", "… and add a cajun corn")."""


def _then_own_verb(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "nomás un refresco y cámbiame un bistec por costilla", "mejor solo una coca y cambiame la
    clásica por una doble": a change (or an order) and then, joined by "y" or a comma, another
    instruction with a verb of its own; "no mejor de jamaica, y unas tortillas extra": a change and
    then an order of products new to the cart. Each part is applied in the order said, on what the
    one before left: read whole, one part took the message and the other was lost (silently). None
    unless both parts change the cart with nothing named back."""
    for cut in _JOINS.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        own = _with_own_verb(turn, tail)
        if not head.strip() or not (own or _only_new(turn, state, tail)) or _inside_name(turn, text, cut):
            continue
        first = edit(turn, state, head)
        if first is None and own:
            first = _surely_ordered(turn, state, head)  # "2 tacos más y cámbiame la coca por una fanta"
        if first is None or first.named_back or first.state.asking or first.state.cart == state.cart:
            continue
        talking = _talking_of_changed(state, first.state)
        second = edit(turn, talking, tail) if own else None
        reading = read_order(tail, turn.catalog) if second is None else None
        if reading is not None and (reading.items or reading.doubts) and (own or _only_new(turn, talking, tail)):
            second = apply_reading(turn, talking, reading)
        if second is None or second.named_back or second.state.cart == first.state.cart:
            continue
        return prefixed(second, said_before_cart(turn, first))
    return None


_CHANGE_CUE = re.compile(
    r"\b(?:camb\w*|quit\w*|sac\w*|borr\w*|pon\w*|agreg\w*|hazl\w*|sean?|make|change|swap|switch|replace"
    r"|remove|drop|instead|without)\b"
)
"""A word by which a part of a message changes a line it names, wherever it stands ("el bife mejor
cámbialo por vacío", "a una de las hamburguesas quítele la cebolla", "make the pizza hawaiian")."""

_MIND = re.compile(r"\b(?:mejor|better|actually|rather)\b")
_LINE_THEN_MIND = re.compile(r"^(?:el|la|los|las|the)\s+\w.*?\b(?:mejor|better|actually|rather)\b")
"""A part that names a line with its article, then changes its mind about it: "… y el jugo mejor
chico", "…, and the fries actually large"."""

_COUNT_LEFT = re.compile(r"\b(?:nomas|nadamas|namas|solo|solamente|unicamente|just|only)\b")
"""A part that leaves a line at a count ("… y de hawaiana nomás una", "… y de pastor solo 3", "…
and just one lemonade"): a change of that line, as "que sean 2" is."""

_PARTS = re.compile(r"\s*[,;]+\s*(?:(?:y|e|and)\s+)?|\s+(?:y|e|and)\s+", re.IGNORECASE)
"""Where a message joins two instructions: a comma, "y"/"and", or both (", y quita las bravas")."""


def _inside_name(turn: Turn, text: str, cut: re.Match[str]) -> bool:
    """Whether the "y" a message is cut at sits inside a name of the menu ("que sea pierna y muslo",
    the Cuarto de pierna y muslo): no place where one instruction ends and another starts."""
    before = intents.normalised(text[: cut.start()]).split()[-1:]
    after = intents.normalised(text[cut.end() :]).split()[:1]
    joint = intents.normalised(cut.group()).split()
    said = " ".join([*before, *joint, *after])
    return bool(before and after and joint) and said in index_for(turn.catalog).folded_triples


def _line_said_first(turn: Turn, state: ChatState, opener: str, text: str) -> str | None:
    """ "sin jalapeño la pizza porfa" said as "la pizza sin jalapeño porfa" (the customer's own
    words, accents kept): after "sin", words that name no cart line, then a line said with its
    article. The pizza's note, never the pizza taken out; None when the words after "sin" name
    the line themselves ("sin la coca")."""
    written = text.split()
    folded = [intents.normalised(w) for w in written]
    start = next((i + 1 for i, w in enumerate(folded) if w == opener), None)
    if start is None:
        return None
    cut = next((i for i in range(start, len(folded)) if folded[i] in ARTICLES), None)
    if cut is None or cut == start or in_cart(turn, state, " ".join(folded[start:cut])) is not None:
        return None
    ends = next((e for e in range(cut + 2, len(folded) + 1) if in_cart(turn, state, " ".join(folded[cut:e]))), None)
    if ends is None:
        return None
    return " ".join(
        [*written[: start - 1], *written[cut:ends], written[start - 1], *written[start:cut], *written[ends:]]
    )


def _then_held_line(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "sumale una ensalada y el bife mejor cámbialo por vacío", "add a lemonade and make the
    cheeseburger a double", "que sean 3 de choclo y el tinto cámbielo por un perico": an order or a
    change, then, joined by "y"/"and" or a comma, a part that names a line the cart held and changes
    it with a word of its own that need not come first. Each part is applied in the order said, on
    what the one before left: read whole, the change took the message and the order was lost, or
    neither was applied (silently). None unless the first part changes the cart with nothing named
    back and the second edits a line the first left as it was, or names back what it cannot do."""
    said = intents.normalised(text)
    if (_CHANGE_CUE.search(said) is None and _MIND.search(said) is None) or _PARTS.search(text) is None:
        return None
    for cut in _PARTS.finditer(text):
        head, tail = text[: cut.start()], text[cut.end() :]
        folded = intents.normalised(tail)
        cued = _CHANGE_CUE.search(folded) or _LINE_THEN_MIND.match(folded) or _COUNT_LEFT.search(only_said(folded))
        if not head.strip() or cued is None or _inside_name(turn, text, cut):
            continue
            continue
        bare = names_nothing(turn, _MIND.sub("", _CHANGE_CUE.sub("", folded)))
        count_only = bare and bool(counted(folded.split()))  # "y que sean 2"
        if bare and not count_only:
            continue  # "el flan siempre no, quítalo": the pronoun is the line said before it
        first = _part_applied(turn, state, head)
        if first is None:
            continue
        swapped = _swapped_in(state, first.state) if count_only else None
        if count_only and swapped is None:
            continue  # "quita una de bravas, que sean 2": read whole (`_removal_and_change`)
        talking = replace(first.state, last_sku=swapped) if swapped else _talking_of_changed(state, first.state)
        removed = set(state.cart_dict()) - set(first.state.cart_dict())  # "quítame el alambre…, mejor ponme 2
        second = edit(turn, talking, tail, after_removal=bool(removed))  # quesadillas": in its place, no other line's
        if second is None or second.state.asking:
            continue
        recounted = swapped is not None and second.state.cart_dict().get(swapped) != first.state.cart_dict()[swapped]
        if not (second.named_back or recounted or _held_changed(state, first.state, second.state)):
            continue  # a part that names something back keeps what the part before it did
        return prefixed(second, said_before_cart(turn, first))
    return None


def _swapped_in(state: ChatState, after: ChatState) -> str | None:
    """The SKU of the line that took the place of another ("el licuado mejor de fresa": the fresa for
    the plátano), when the part before changed exactly that: one line gone, one new; else None. A
    bare count after it ("y que sean 2") is of that new line ("el licuado mejor de fresa y que sean 2")."""
    before, left = state.cart_dict(), after.cart_dict()
    gone = [sku for sku in before if sku not in left]
    new = [sku for sku in left if sku not in before]
    return new[0] if len(gone) == 1 and len(new) == 1 else None


def _held_changed(state: ChatState, between: ChatState, after: ChatState) -> bool:
    """Whether a line the cart held before the message, left as it was by the part before
    (`between`), has another count or note in `after`: the second part edits a line of its own,
    not only orders something new, nor says again what the first part did ("make it 1 sausage egg
    n cheese and 1 bacon egg n cheese instead" is one restating)."""
    then, left = between.cart_dict(), after.cart_dict()
    noted, then_noted, left_noted = dict(state.notes), dict(between.notes), dict(after.notes)
    untouched = [sku for sku, count in state.cart if then.get(sku) == count and then_noted.get(sku) == noted.get(sku)]
    return any(left.get(sku) != then[sku] or left_noted.get(sku) != then_noted.get(sku) for sku in untouched)


def _part_applied(turn: Turn, state: ChatState, part: str) -> Outcome | None:
    """The first part of a message applied alone: as a change of the cart, else as an order of
    products surely named; None when it changes nothing or names something back."""
    first = edit(turn, state, part) or _surely_ordered(turn, state, part)
    if first is None:
        return None
    unchanged = (first.state.cart, first.state.notes) == (state.cart, state.notes)  # a note changes the notes only
    if first.named_back or first.state.asking or unchanged:
        return None
    return first


def _surely_ordered(turn: Turn, state: ChatState, part: str) -> Outcome | None:
    """A part of a message applied as an order, when it names only products it is sure of, with
    nothing off the menu and no bare count; None otherwise."""
    ordered = read_order(part, turn.catalog)
    if not ordered.items or ordered.unknown or ordered.doubts or ordered.loose:
        return None
    return apply_reading(turn, state, ordered)


def _with_own_verb(turn: Turn, tail: str) -> bool:
    """Whether a part opens with a verb of changing the cart and names a product of its own ("y
    cámbiame un bistec por costilla"; not "quítalo", whose pronoun is what was said before it)."""
    said = intents.normalised(tail)
    verb = _OWN_VERB.match(said)  # "y me agrega 3 buñuelos": the clitic before the verb goes with it
    return verb is not None and not names_nothing(turn, said[verb.end() :])


def _only_new(turn: Turn, state: ChatState, tail: str) -> bool:
    """Whether a part only orders products, surely named and counted, that the cart does not hold
    ("y unas tortillas extra"): an order, never a restating of a line ("mejor 4 de pastor y 2 de suadero"
    sets the suadero it holds)."""
    reading = read_order(tail, turn.catalog)
    cart = state.cart_dict()
    plain = not (reading.doubts or reading.unknown or reading.loose or reading.noted or reading.measured)
    said = [w for w in intents.normalised(tail).split() if w not in _OPENING]
    counted = bool(said) and (said[0] in _SOME_SAID or (count_of(said[0]) or 0) >= 1)  # not "… litro y medio"
    return bool(reading.items) and plain and counted and all(i.product.sku not in cart for i in reading.items)


_OPENING = frozenset({"y", "e", "and", "tambien", "also", "plus", "ademas"})
_SOME_SAID = frozenset({"unos", "unas", "some", "a", "an"})


def _changed(state: ChatState, after: ChatState) -> list[str]:
    """The SKUs of the cart lines whose quantity differs from `state` to `after`, in cart order."""
    before, left = state.cart_dict(), after.cart_dict()
    return [sku for sku in before | left if before.get(sku, 0) != left.get(sku, 0)]


def _talking_of_changed(state: ChatState, after: ChatState) -> ChatState:
    """`after`, talking of the one line the first part changed: a bare count after it restates that
    line ("quita uno de mole, nomás 2" is 2 of mole, never 2 of the line added before)."""
    changed = _changed(state, after)
    return replace(after, last_sku=changed[0]) if len(changed) == 1 and after.cart_dict().get(changed[0]) else after


def _changes_said(turn: Turn, state: ChatState, after: ChatState) -> list[str]:
    """What an edit did to each cart line it changed, as the bot says it."""
    left = after.cart_dict()
    said = []
    for sku in _changed(state, after):
        product = turn.catalog.product(sku)
        if product is None:
            continue
        if left.get(sku, 0):
            said.append(turn.texts("quantity_set", quantity=left[sku], name=product.name))
        else:
            said.append(turn.texts("removed", name=product.name))
    return said


def _taken_out(turn: Turn, state: ChatState, after: ChatState) -> str | None:
    """What a removal did to the cart, as the bot says it, when it took (part of) one line out and
    changed nothing else; None otherwise."""
    changed = _changed(state, after)
    if len(changed) != 1 or after.cart_dict().get(changed[0], 0) >= state.cart_dict().get(changed[0], 0):
        return None
    said = _changes_said(turn, state, after)
    return said[0] if said else None


_THEN = frozenset({"y", "e", "and", "mejor", "pero", "but", "plus",
                   "add", "agrega", "agregale", "agregame", "ponle", "ponme", "anade", "anademe"})  # fmt: skip
"""Words after a removed line that open what comes instead ("… y pónganle unos aros", "…, mejor 2 cocas",
"scratch the tenders, add a cajun corn": an adding verb after the comma)."""


def _then_added(turn: Turn, state: ChatState, rest: str) -> tuple[str, Reading] | None:
    """(the words naming the cart line to remove, the reading of what is ordered after them) when a
    removal goes on to order something else ("quítale el frappé mejor un té chai", "cancela las
    micheladas, mejor 2 cocas"); None when the words name nothing off the cart."""
    whole = read_order(rest, turn.catalog)
    cart = state.cart_dict()
    of_cart = not whole.doubts and all(item.product.sku in cart for item in whole.items)
    words = rest.split()
    for at, word in enumerate(words[1:], 1):
        named = _without_reason(turn, state, " ".join(words[:at]))
        if word not in _THEN or (in_cart(turn, state, named) or _line_by_number(turn, state, named)) is None:
            continue
        after = words[at + 1 :]
        if of_cart and not _MORE_OF & set(after):  # "quita la coca y el pastor" never adds the pastor
            continue
        reading = read_order(" ".join(after), turn.catalog)
        if reading.items or reading.doubts:
            return " ".join(words[:at]), reading
    return None


_MORE_OF = frozenset({"mas", "more", "extra", "otro", "otra", "otros", "otras", "another"})
"""Words that add to a line of the cart: "sin la coca y 2 de pastor más" takes the coca off and
puts two more pastor on; without one of them the words after «y» are read as before."""


_PARTICLES = frozenset({"off", "out"})


def _between_verb_and_particle(words: list[str]) -> str | None:
    """The words between the verb and the particle of an English removal said apart ("take the
    corn off", "knock the muffin off"; the `remove` phrases "take off", "knock off"…), or None."""
    for phrase in lexicon().intent_phrases("remove"):
        said = phrase.split()
        if len(said) != 2 or said[1] not in _PARTICLES or said[0] not in words:
            continue
        start = words.index(said[0]) + 1
        if said[1] in words[start + 1 :]:
            return " ".join(words[start : start + 1 + words[start + 1 :].index(said[1])])
    return None


def _counts(words: list[str]) -> bool:
    """Whether any word counts something ("no perdón, 2 kilos de tortillas" is not a removal)."""
    return any(count_of(w) for w in words)


def _more(turn: Turn, state: ChatState, text: str) -> Outcome | None:
    """ "agrégale otra" / "one more": more of the product added last, when no product is named."""
    counts = [c for w in intents.normalised(text).split() if (c := count_of(w)) is not None]
    phrase = intents.mentions(text, "more")
    if phrase is None and not counts:
        return None
    rest = intents.without(text, "more") if phrase else text
    reading = read_order(rest, turn.catalog)  # "repite el último porfa": the phrase orders nothing
    if (
        reading.items
        or reading.doubts
        or reading.unknown
        or reading.noted
        or reading.measured
        or (reading.loose and not phrase)
    ):
        return None  # (a count left of "dame otra igual a esa" is the phrase's own "otra")
    product = last_line(turn, state)
    if product is None:
        return None
    state, said = add_lines(turn, state, [(product, counts[0] if counts else 1)])
    state = replace(state, stage="cart")
    return done(state, cart_buttons_reply(turn, state, said))

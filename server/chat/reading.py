"""Reading a free-text order into items, doubts and words not on the menu, with nothing left over.

A message is cut into parts (`message_parts`): one item each, its quantity and note set apart.
The rest of a part names a product (`verdicts`):

- matched with high confidence -> an `Item`;
- middle confidence, or a tie between products -> a `Doubt` (the bot asks "¿Te refieres a …?");
- low -> `unknown`, the customer's own words, named back.

Every part of the message ends in exactly one of the three, or held only words that order
nothing ("hola", "porfa"): that is what "every message is fully accounted for" rests on.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from comandia.server.chat import intents
from comandia.server.chat.asides import Aside, has_asides, without_asides
from comandia.server.chat.breakdowns import broken_down
from comandia.server.chat.clock_words import without_times
from comandia.server.chat.lexicon import MAX_NUMBER, Lexicon, language_of, lexicon, number
from comandia.server.chat.matching import SURE, ProductIndex, index_for, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import (
    amount_said,
    collective_of,
    held_in_pack,
    in_packs,
    measured_size,
    only_measure,
    per_unit,
    piece_count,
    sized_by_amount,
    sold_as,
    unit_amount,
    whole_units,
)
from comandia.server.chat.message_parts import (
    ARTICLES,
    LEVELS,
    NOTE_MARKERS,
    SAME,
    TAKING_AWAY,
    Part,
    Token,
    parts_of,
    tokens,
)
from comandia.server.chat.model import CatalogView, ProductView, fold
from comandia.server.chat.restarts import Categories, Restart, borne_out, restart_of
from comandia.server.chat.spread import (
    PARTY,
    Referents,
    Spread,
    for_people_at,
    party_said,
    spread_said,
    without_spread,
)
from comandia.server.chat.synonyms import branded, kind_words
from comandia.server.chat.typed_marks import without_marks
from comandia.server.chat.variants import SIZES, STOPWORDS, described, variant_of
from comandia.server.chat.verdicts import cut_in_products, decided_by_note, of_category, verdict_of

_POLITE = frozenset(["porfa", "porfis", "porfavor", "por", "favor", "please", "pls", "plz", "plis", "pliz", "xfa",
                     "xfavor", "porfas", "gracias", "thanks", "thx"])  # fmt: skip
_LAUGH = re.compile(r"(?:[jh][aeiou]){2,}[jh]?|jsjs\w*|lol|xd+|haha\w*")
"""Laughter at the end of a note ("sin piña jaja"): said to the person, not the kitchen."""


@dataclass(frozen=True)
class Item:
    product: ProductView
    quantity: int
    note: str = ""
    words: str = ""
    counted: bool = True
    """The customer said how many ("3 de tripa"); False for "unos de tripa" (`ChatState.unsized`)."""
    pointed: bool = False
    """Said with a definite article and no count ("el pastor sin cebolla", "los camarones"): it
    may be a line already in the cart, which a note then qualifies (`editing`)."""


@dataclass(frozen=True)
class Doubt:
    candidates: tuple[ProductView, ...]
    quantity: int
    words: str
    note: str = ""
    pointed: bool = False
    """As `Item.pointed`: "los camarones no tan picosos" may be the line of the cart they fit."""
    counted: bool = True
    """As `Item.counted`: False when no count was said ("grande" against "una grande")."""


@dataclass(frozen=True)
class Reading:
    items: tuple[Item, ...] = ()
    doubts: tuple[Doubt, ...] = ()
    unknown: tuple[str, ...] = ()
    language: str | None = None
    loose: tuple[int, ...] = ()
    """Quantities that named no product ("dame 2"): of the product talked about last, or asked."""
    loose_notes: tuple[str, ...] = ()
    """The note said with each loose quantity, in order ("uno sin tocino": «sin tocino»; "" for
    none): that many of the product talked about, with that note (`loose_note`)."""
    notes: tuple[str, ...] = ()
    """Notes that followed no product in the message ("que vaya bien cocida"): of the product
    talked about before it."""
    shared_notes: tuple[tuple[str, int], ...] = ()
    """Notes said for several items with none before them in the message ("both 30% sweet"):
    (the note, how many of the last lines; 0 for every line)."""
    dozens: bool = False
    """Some quantity was said in dozens ("media docena de jyq"): the next message may go on so."""
    people: int = 0
    """How many people the customer said order ("somos 3"): "para cada uno" later counts them."""
    measured: tuple[tuple[float, str], ...] = ()
    """Amounts that named no product ("mándame kilo y medio"), in grams or millilitres with the
    customer's words: of the product talked about last, as many of it as make that amount."""

    def loose_note(self, at: int) -> str:
        """The note said with the loose quantity at `at` ("" when none was)."""
        return self.loose_notes[at] if at < len(self.loose_notes) else ""

    @property
    def noted(self) -> bool:
        """Whether the message says a note for lines before it ("sin mayo", "both 30% sweet")."""
        return bool(self.notes or self.shared_notes)

    @property
    def empty(self) -> bool:
        return not (
            self.items or self.doubts or self.unknown or self.loose or self.noted or self.people or self.measured
        )


def read_order(text: str, catalog: CatalogView, dozens: bool = False, options: bool = True,
               referents: Referents | None = None) -> Reading:  # fmt: skip
    """Read `text` as an order against `catalog` (unavailable products are matched too);
    `dozens`: the customer counted in dozens just before ("y media de verdura" is six);
    `options`: flavours and levels after a product are its note ("10 wings lemon pepper"), not in
    a question about it ("¿el latte ya lleva azúcar?"); `referents`: what "para cada uno" may
    count from the messages before (`spread`)."""
    text = without_restated(text, catalog)
    marked = without_marks(text)
    each, per_person, read, (each_from, each_to) = _each(without_times(marked))
    measure = _each_measure(without_times(marked)) if each and not per_person else None
    spread = None if each else spread_said(marked)
    if spread is not None:
        reading = _read(without_times(without_spread(marked, spread)), catalog, dozens, options, 0, False,
                        (spread, marked[: spread.start], referents or Referents()))  # fmt: skip
        # else "pa las 3" counted nothing said: a time, read as written; and "no onions on both",
        # "less ice on both" after two teas spread no item: the phrase says whom the note is for
        # (`_shared_note`; "less sugar" is only a doubt of the Brown sugar boba milk)
        if reading is not None and reading.items:
            return reading
        plain = _read(read, catalog, dozens, options, each, per_person, None, (each_from, each_to), measure)
        if reading is not None and not (plain is not None and plain.noted) and (reading.doubts or not reading.noted):
            return reading
        return plain  # type: ignore[return-value]
    return _read(
        read,
        catalog,
        dozens,
        options,
        each,
        per_person,
        None,  # type: ignore[return-value]
        (each_from, each_to),
        measure,
    )


def without_restated(text: str, catalog: CatalogView) -> str:
    """The text without its asides that say the item before them again ("1 kilo de tortillas (o
    sea 2 de medio)", "un kilo de carnitas, o sea 2 medios"): said again, never 2 more."""
    return without_asides(text, lambda aside: _restated(aside, catalog)) if has_asides(text) else text


_ONE_SAID = frozenset({"un", "una", "uno", "a", "an", "one"})


def _restated(aside: Aside, catalog: CatalogView) -> bool:
    """Whether an aside says the item before it again: its count is the item's and it names no
    other product ("1 six de modelo (6 latas)", "1 kilo de carnitas (2 de medio)")."""
    words = aside.before.split()
    counted_at = next((i for i, w in enumerate(words) if number(fold(w)) is not None or fold(w) in _ONE_SAID), 0)
    before = read_order(aside.before, catalog)
    if not before.items and counted_at:  # "mejor que sea un kilo de carnitas": the item from its count on
        aside = replace(aside, before=" ".join(words[counted_at:]))
        before = read_order(aside.before, catalog)
    if not before.items:
        return False
    last = before.items[-1]
    counts = [n for n in (number(w) for w in fold(aside.said).split()) if n is not None]
    said = read_order(f"{aside.before}, {aside.said}", catalog).items[len(before.items) :]  # "2 de medio": of it
    halves = [w for w in fold(aside.said).split() if number(w) is None] in (["medios"], ["medias"], ["halves"])
    return bool(counts) and counts[0] == last.quantity and (halves or all(i.product.sku == last.product.sku
                                                                           for i in said))  # fmt: skip


def _read(text: str, catalog: CatalogView, dozens: bool, options: bool, each: int, per_person: bool,
          spreading: tuple[Spread, str, Referents] | None, each_within: tuple[int, int] = (0, 0),
          each_measure: float | None = None) -> Reading | None:  # fmt: skip
    """`read_order` of a text its "2 de cada uno" was taken from (`each`, `per_person`; from the
    character `each_within[0]` on: what a group of people named there has; before the character
    `each_within[1]`, where "cada uno" was, when something is said before it; `each_measure`: the
    amount one of it is, "un kilo de cada uno"), or its "para cada uno" (`spreading`: the phrase,
    the text before it, the counts before the message): None when the phrase counts none of those."""
    lex = lexicon()
    index = index_for(catalog)
    for_people = None if per_person else for_people_at(text)
    people_cut = None  # the token "para N personas" began at, when said
    if for_people is not None:
        said_before = _without_courses(text[:for_people], index)
        people_cut = len(tokens(index.with_skus_named(said_before), index.folded_words))
    people, text = (each, text) if per_person else party_said(text)
    text = _without_courses(text, index)
    found = tokens(index.with_skus_named(text), index.folded_words)
    language = language_of([t.folded for t in found])
    parts = broken_down(
        parts_of(found, index, lex, english=language == "en", dozens=dozens), index, lex, found, catalog
    )
    found_in: list[tuple[int, Item | Doubt | str]] = []  # (part number, what it became)
    loose: list[int] = []
    loose_notes: list[str] = []
    amounts: list[tuple[float, str]] = []
    notes: list[str] = []
    shared_notes: list[tuple[str, int]] = []
    forgotten: set[int] = set()
    options_of: set[int] = set()  # parts that were options of the item before them
    head, head_number, shared = None, -1, 0
    loose_at: int | None = None  # the part of the last loose quantity: a note right after it is its note
    restarts: list[Restart] = []  # corrections that may say a list again (`restarts`)
    for number_, part in enumerate(parts):
        of_kind = part.elliptic or bool(part.spans) and part.spans[0] > 0 and found[part.spans[0] - 1].folded == "de"
        if part.corrects and (taken := _taken_back(part, found_in, catalog, index, lex, of_kind)) is not None:
            entries = [w.product if isinstance(w, Item) else None for _, w in found_in]
            restart = restart_of(entries, taken[0], taken[1].product if isinstance(taken[1], Item) else None, number_)
            restarts += [restart] if restart is not None else []  # "…y un medio kilo no perdón dos cuartos y un medio"
            found_in[taken[0]] = (found_in[taken[0]][0], taken[1])  # "10 alitas… no, perdón, 12": said again
            continue
        shared_note = _shared_note(part, found, index, lex)
        if shared_note is not None:  # "…, both less ice", "las dos sin cebolla", "todas bien doradas"
            note, count, whole = shared_note
            targets = _counted_items(found_in, count)
            if not count and len(targets) == 1:
                note = whole  # "one family pack, all lemon pepper": one item, «all» of what it holds
            for at in targets:
                number_at, what = found_in[at]
                assert not isinstance(what, str)
                joined = f"{what.note}, {note}" if what.note and note not in what.note else (what.note or note)
                found_in[at] = (number_at, replace(what, note=joined))
            if not targets:  # "both 30% sweet please" in a message of its own: of the lines before
                shared_notes.append((note, count))
            continue
        if part.measure is not None and _amount_alone(part, found_in, catalog, lex):
            amounts.append((part.measure * (part.quantity or 1), _amount_words(parts, number_, found)))
            continue  # "ok mándame un kilo": of the product talked about
        if not part.words:
            if part.note:  # "…y que vaya bien cocida": the note of the item before, if it has none
                note = _note_text(part.note, lex)
                before = [i for i, (_, what) in enumerate(found_in) if isinstance(what, Item | Doubt)]
                had = getattr(found_in[before[-1]][1], "note", "") if before else ""
                beside = bool(before) and (found_in[before[-1]][0] == number_ - 1 or number_ - 1 in options_of)
                if part.quantity is not None and not before and loose_at == number_ - 1 and part.quantity < loose[-1]:
                    # "va dame 2, uno sin crema batida": one of the 2 just counted, with its note, not a third
                    share = f"{_share_count(part, found)} {note}"
                    loose_notes[-1] = f"{loose_notes[-1]}, {share}" if loose_notes[-1] else share
                    loose_at = number_
                elif part.quantity is not None and not before:  # "va, uno sin tocino": one of what was talked about
                    loose.append(part.quantity)
                    loose_notes.append(note)
                    loose_at = number_
                elif loose_at == number_ - 1 and part.quantity is None:  # "k gimme 2, no pickles": the 2's
                    loose_notes[-1] = f"{loose_notes[-1]}, {note}" if loose_notes[-1] else note
                    loose_at = number_
                elif before and (not had or beside):  # "un matcha al 25% de azúcar y sin hielo": both
                    at, what = found_in[before[-1]]
                    joint = found[part.note_spans[0] - 1].text if part.note_spans[0] else ","
                    joint = joint if joint in (",", "y", "and", "e") else ","
                    joined = _GLUED.sub(r"\1", f"{had} {joint} {note}") if had and note not in had else (had or note)
                    found_in[before[-1]] = (at, replace(what, note=joined))  # type: ignore[type-var]
                else:
                    notes.append(note)
            elif part.another and (last := next((w for _, w in reversed(found_in) if isinstance(w, Item)), None)):
                said = " ".join(found[i].text for i in part.spans) or last.words  # "… y otra para mi esposa"
                found_in.append((number_, Item(last.product, part.quantity or 1, _note_text(part.note, lex), said)))
            elif part.quantity is not None:
                loose.append(part.quantity)  # "dame 2 y un hielo": 2 of what was just talked about
                loose_notes.append("")
                loose_at = number_
            continue
        if part.quantity is None and not part.note and set(part.words) <= NOTE_MARKERS:
            continue  # ", con extra de aguacate" on a menu of "Torta de chorizo con huevo": «con» names nothing
        after = number_ - 1 in options_of or bool(found_in and found_in[-1][0] == number_ - 1)
        if after and (marked := _marked_note(part, number_, found_in[-1][1], parts, found, index, lex)):
            found_in[-1] = (found_in[-1][0], marked)  # ", sin chile," where a name says "sin alcohol"
            options_of.add(number_)
            continue
        asked = _asked_about(part, found)  # "…, y tienen crema?": looked up, no option of the item before
        of_item = options and not asked and after  # what follows an item, and asks nothing, may be its note
        if of_item and (included := _included(part, number_, found_in[-1][1], parts, found, catalog, lex)):
            found_in[-1] = (found_in[-1][0], included)  # "2 comidas corridas, una con mole y otra con tinga"
            options_of.add(number_)
            continue
        if of_item and (option := _option_of_item(part, number_, found_in[-1][1], parts, found, index, lex)):
            found_in[-1] = (found_in[-1][0], option)  # "6 wings, hot please", "un kilo: dulce de leche, menta y limón"
            options_of.add(number_)
            continue
        words = part.words
        choice = None
        said_head = _said_noun(head, part, index, lex) if head is not None else []
        if ((part.elliptic or _listed_under(head, part, index, lex)) and head is not None
                and (_needs_head(said_head, part.words, index, lex)
                     or (choice := _offered([*said_head, *part.words], index, lex)) is not None)):  # fmt: skip
            # "una guajolota de rajas y otra de verde": a choice the head's description offers too
            words = [*said_head, *part.words]  # "dos conchas, una de vainilla": concha de vainilla
            shared += part.quantity or 1
            head_alone = verdict_of(index.match(head.words, lex.synonyms))
            # "2 guajolotas, una de verde y otra de rajas": split among the choices offered
            among = choice is not None or _only_noun(head.words, words, index, lex)
            split_among = shared > (part.quantity or 1) and among
            if ((head.quantity is None or shared == head.quantity) and head_alone is not None
                    and (not head_alone[0] or split_among) and _menu_words(head.words, index, lex)):  # fmt: skip
                # the head only named the noun of the parts after it; a sure head only when split
                # among several ("una corrida y una de niño" is two meals)
                forgotten.add(head_number)
        elif head is not None and _shares_head(head, part, index, lex):
            shared += part.quantity or 1  # "media docena de empanadas, 2 de carne … y 2 caprese"
            if (head.quantity is None or shared == head.quantity) and _menu_words(head.words, index, lex):
                forgotten.add(head_number)
        else:  # a part of its own ("una docena de empanadas" too): the head of the parts after it
            head, head_number, shared = part, number_, 0
        if _sizes_all(part, catalog, found_in, found):  # "…, ambas grandes": every item before, that size
            continue
        previous = next((w for _, w in reversed(found_in) if isinstance(w, Item)), None)
        if previous is None and set(part.words) <= SAME:
            loose.append(part.quantity or 1)  # "otro igual": of what was talked about before
            loose_notes.append(_note_text(part.note, lex))  # "2 of those with less ice": its note too
            loose_at = number_
            continue
        again = _same_again(previous, part.words, catalog) if previous is not None else None
        resized = _resized(previous, part, found_in, number_, catalog) if previous is not None else None
        if resized is not None:  # "the pizza hawaiana, large please": the item just said, that size
            at, was = found_in[-1]
            assert isinstance(was, Item)
            found_in[-1] = (at, Item(resized, was.quantity, was.note or _note_text(part.note, lex), was.words))
            continue
        if again is not None:  # "un jugo de naranja grande y uno chico", "… y otro igual"
            quantity = min(max(part.quantity or 1, 1), MAX_NUMBER)
            said = " ".join(found[i].text for i in part.spans)
            found_in.append((number_, Item(again, quantity, _note_text(part.note, lex), said)))
            continue
        quantity = min(max(part.quantity or 1, 1), MAX_NUMBER)
        said = " ".join(found[i].text for i in range(part.spans[0], part.spans[-1] + 1))
        note = _note_text(part.note, lex)
        pieces = [(words, said)] if words is not part.words else cut_in_products(words, said, index, lex)
        for words_here, said_here in pieces:
            vague = [w for w in words_here if w in lex.vague and not index.knows(w)]
            if vague:  # "agua mineral": "agua", asked (a new list only then: the spans below go by identity)
                words_here = [w for w in words_here if w not in vague] or words_here
            verdict = verdict_of(index.match(words_here, lex.synonyms, exact=not part.sized))
            if vague and verdict is not None:
                verdict = (False, verdict[1])  # never sure by itself; the note may decide it below
            chosen = _options_after(words_here, index, lex, part) if options and not asked else None
            if chosen is not None and (verdict is None or not verdict[0] or chosen[0][1][0] is verdict[1][0]):
                # sure with or without them ("large taro milk tea half sweet"): the options are still the note
                verdict, cut = chosen  # "10 wings lemon pepper": the wings, their flavour the note
                spans = part.spans[len(part.spans) - len(words_here) + cut :] if words_here is part.words else []
                chose = " ".join(t.text for t in found[spans[0] : _options_end(found, spans[-1], lex)]) if spans else ""
                note = " ".join(w for w in (chose or " ".join(words_here[cut:]), note) if w)
            unsure = verdict is None or not verdict[0]  # only then: a match per cut costs
            offered = _offered(words_here, index, lex) if unsure and chosen is None and options and not asked else None
            if offered is not None:  # "un jarrito de mandarina"
                verdict, tail = (True, (offered[0],)), words_here[offered[1] :]
                spans = part.spans[-len(tail) :] if part.words[-len(tail) :] == tail else []
                chose = " ".join(t.text for t in found[spans[0] : spans[-1] + 1]) if spans else " ".join(tail)
                note = " ".join(w for w in (chose, note) if w)
            dish = _held_choice(words_here, verdict, index, catalog, lex) if options and not asked else None
            if dish is not None:  # "una corrida de mole", "una guajolota de verde": the guisado, the tamal inside
                verdict, tail = (True, (dish[0],)), words_here[dish[1] :]
                spans = part.spans[-len(tail) :] if part.words[-len(tail) :] == tail else []
                chose = " ".join(t.text for t in found[spans[0] : spans[-1] + 1]) if spans else " ".join(tail)
                note = " ".join(w for w in (chose, note) if w)
            if part.counted_in and (verdict is None or not verdict[0]):  # "a dozen bagels": the Dozen bagels
                typed = {key(w) for w in words_here if w not in ARTICLES and w not in ("de", "of")}
                collective = collective_of(catalog, typed, part.counted_in, key)
                verdict = (True, (collective,)) if collective is not None else verdict
            unsure = verdict is None or not verdict[0]
            served = _served_in(part, found, index, lex) if unsure and words_here is part.words else None
            if served is not None:  # "una de milanesa en pan integral": the torta, its bread the note
                verdict, note = served[0], " ".join(w for w in (served[1], note) if w)
            if verdict is not None and part.measure is not None:  # "una coca de dos litros": that size
                by_size = sized_by_amount(catalog, verdict[1], part.measure)
                packs = in_packs(catalog, verdict[1], part.measure * quantity) if by_size is None else []
                if packs:  # "kilo y medio de picada": the 1 kg and the 500 g packs
                    found_in += [(number_, Item(p, min(n, MAX_NUMBER), note, said_here)) for p, n in packs]
                    continue
                verdict = (True, (by_size,)) if by_size is not None else verdict
            if verdict is not None and verdict[0] and _size_unsaid(verdict[1][0], words_here):
                verdict = (False, verdict[1])  # "una cerveza": the Doble de cerveza is one size of it
            if verdict is not None and not verdict[0] and part.note:  # "agua, sin gas": the note decides
                decided = decided_by_note(verdict[1], [*words_here, *(fold(w) for w in part.note)], index, lex)
                verdict, note = (decided, "") if decided is not None else (verdict, note)
            if verdict is None and (by_description := described(catalog, words_here)) is not None:
                verdict = (by_description[0], (by_description[1],))  # "carne cortada a cuchillo": Empanada de carne
            if verdict is None and (brand := _branded_apart(catalog, words_here, found_in)) is not None:
                # "2 cans of sprite": the generic can, the brand its note
                verdict, note = brand, " ".join(w for w in (said_here, note) if w)
            if (options and not asked and part.quantity is not None and not found_in and words_here is part.words
                    and _options_alone(words_here, verdict, lex, part.elliptic)):  # fmt: skip
                loose.append(quantity)  # "ok 1 lemon pepper" after the 10 pc's price: one of it, that flavour
                loose_notes.append(" ".join(w for w in (said_here, note) if w))
                loose_at = number_
                continue
            if (loose_at == number_ - 1 and part.quantity is None and words_here is part.words and loose_notes[-1]
                    and all(is_option(w, lex) for w in words_here)
                    and not index.heads_a_name(words_here[0])):  # fmt: skip
                # "uno de frutilla y chocolate": a flavour more (the Salsa de chocolate is no «chocolate» first)
                joint = found[part.spans[0] - 1].text if found[part.spans[0] - 1].folded in ("y", "e", "and") else ","
                loose_notes[-1] = _GLUED.sub(r"\1", f"{loose_notes[-1]} {joint} {said_here}")
                loose_at = number_
                continue
            if verdict is None and (kind := of_category(catalog, words_here)):
                verdict = (False, kind)  # "y un postre": which of the Postres, asked (never "no tenemos")
            doubted = found_in[-1][1] if found_in and found_in[-1][0] == number_ - 1 else None
            if (isinstance(doubted, Doubt) and verdict is not None and verdict[0] and part.quantity is None
                    and verdict[1][0] in doubted.candidates):  # fmt: skip
                # "un agua, sin gas", "un licuado, de fresa": the part says which one the doubt was
                found_in[-1] = (number_ - 1, Item(verdict[1][0], doubted.quantity, doubted.note or note, said_here))
                continue
            if isinstance(doubted, Item) and _named_after_comma(doubted, verdict, part, found):
                # "una gaseosa, coca", "a soda, coke": the item just said, named by its name, not one more
                found_in[-1] = (number_ - 1, replace(doubted, note=doubted.note or note))
                continue
            if verdict is None:  # named back with its note: «pan con tomate», not «pan»
                end = max([part.spans[-1], *part.note_spans]) if said_here == said else part.spans[-1]
                whole = " ".join(found[i].text for i in range(part.spans[0], end + 1))
                paired = _other_pair(found_in, number_, part, found, index)
                if paired is not None:  # "de queso y cebolla" is not the Empanada de jamón y queso
                    found_in[-1] = (number_ - 1, f"{paired} {found[part.spans[0] - 1].text} {whole}")
                    continue
                found_in.append((number_, whole if said_here == said else said_here))
            elif verdict[0] and (units := whole_units(verdict[1][0], quantity, part.measure, part.counted_in,
                                                      part.of_item)) is None:  # fmt: skip
                # "kilo y medio de asado" of the 1 kg pack: asked about, never rounded in silence
                rounded = max(_how_many(verdict[1][0], quantity, part) // max(part.counted_in, 1), 1)
                found_in.append((number_, Doubt(verdict[1][:1], min(rounded, MAX_NUMBER), said_here, note)))
            elif verdict[0] and part.quantity and (held := _held(verdict[1][0], words_here)):
                # "12 latas de mahou": two packs of six; "9 latas" is no number of packs, so asked
                boxed: Item | Doubt = (
                    Item(verdict[1][0], min(part.quantity // held, MAX_NUMBER), note, said_here)
                    if part.quantity % held == 0
                    else Doubt(verdict[1][:1], max(part.quantity // held, 1), said_here, note)
                )
                found_in.append((number_, boxed))
            elif verdict[0]:
                measured = units or _how_many(verdict[1][0], quantity, part)
                # an amount said ("medio kilo de carnitas") counts the item as a number does
                counted = part.quantity is not None or (part.measure is not None and not part.of_item)
                host = found_in[-1][1] if found_in and found_in[-1][0] == number_ - 1 else None
                if part.with_item and not counted and isinstance(host, Item) and is_add_on(catalog, verdict[1][0]):
                    # "2 thai teas with extra boba": an extra sold apart goes on each unit it is said with
                    measured, counted = host.quantity, host.counted
                item = Item(verdict[1][0], min(measured, MAX_NUMBER), note, said_here, counted)
                found_in.append((number_, item))
            elif (packed := _pack_counted(verdict[1], part)) is not None:
                # "20 classic wings" of the 6, 10 and 20 pc: the count names one pack, never 20 of it
                found_in.append((number_, Item(packed, 1, note, said_here, True)))
            else:  # "2 kilos de tortillas" asked about: as many as the product's measure makes
                counts = {_how_many(p, quantity, part) for p in verdict[1]}
                measured = counts.pop() if len(counts) == 1 else quantity
                doubt = Doubt(verdict[1], min(measured, MAX_NUMBER), said_here, note, counted=part.quantity is not None)
                found_in.append((number_, doubt))
    if restarts:  # "3 de pastor y 2 de bistec, no perdón, 4 de pastor y 2 de suadero": the first list taken back
        found_in = _restarted(found_in, parts, restarts)
    found_in = _said_again(_asked_before_fallback(_shared_in_notes(found_in), parts, found), parts, found)
    found_in = [(n, replace(w, pointed=True) if not isinstance(w, str) and n < len(parts)
                 and parts[n].quantity is None and _points_back(parts[n], found) else w)
                for n, w in found_in]  # fmt: skip
    if people_cut is not None and people > 1:
        found_in = _for_the_people(found_in, parts, people_cut, people, lex)
    if spreading is not None:
        spread, said_before, referents = spreading
        prefix = _without_courses(party_said(without_times(said_before))[1], index)
        cut = len(tokens(index.with_skus_named(prefix), index.folded_words))
        spread_over = _spread_over(found_in, parts, spread, cut, people or referents.people, referents.last)
        if spread_over is None:
            return None
        found_in = spread_over
    kept_in = [(number_, what) for number_, what in _flavours_asked(found_in) if number_ not in forgotten]
    if each:  # "papitas y doritos, 2 de cada uno": every product named, that many
        # "somos 3, dos de pastor para cada uno": what one person has, times the people; "un combo
        # para mí, y mis 2 hijos tenders y una limonada cada uno": only what the group has
        each_from, each_to = each_within
        cut = _token_at(text, each_from, index)
        # "somos 6, una gringa para cada quien y 2 órdenes de cebollitas": the cebollitas, said after
        # "cada quien" with a count of their own, are for the table, and "…una de cada una, y dos
        # cañas" are two (unless nothing is said before it: "somos 3, para cada quien una torta y
        # una coca", "ponme 2 de cada uno: pastor y bistec")
        until = _token_at(text, each_to, index) if each_to else None
        if until is not None and not any(
            _starts_in(parts, n, cut, until) for n, w in kept_in if not isinstance(w, str)
        ):
            until = None
        scoped = [(n, w) for n, w in kept_in if not isinstance(w, str) and _starts_in(parts, n, cut, until)]
        # "3 sprites, y frijol y azúcar, 2 de cada uno": the sprites keep their 3, unless none is
        # left without a count of its own ("2 cocas y 3 fantas, 2 de cada una": 2 of each); "una
        # coca y papitas, 2 de cada uno" is 2 cokes («una» is its article)
        own = set() if per_person else {n for n, _ in scoped if n < len(parts) and (parts[n].quantity or 1) > 1}
        own = set() if own >= {n for n, _ in scoped} else own
        if each_measure:  # "un pollo entero, y vacío y chorizo 2 kilos de cada uno": no kilos of the chicken
            own |= {n for n, w in scoped if isinstance(w, Item) and w.counted and not _measured(w, each, each_measure)}
        kept_in = [
            (n, w)
            if isinstance(w, str)
            or (per_person and _SHARED.search(f"{w.words} {w.note}"))  # "…para compartir"
            or not _starts_in(parts, n, cut, until)
            or n in own
            else (n, replace(w, quantity=_of_each(w, each, per_person, each_measure)))
            for n, w in kept_in
        ]
    kept = [what for _, what in kept_in]
    return Reading(
        tuple(w for w in kept if isinstance(w, Item)),
        tuple(w for w in kept if isinstance(w, Doubt)),
        tuple(w for w in kept if isinstance(w, str)),
        language,
        tuple(loose),
        tuple(loose_notes),
        tuple(notes),
        tuple(shared_notes),
        any(part.dozens for part in parts),
        people,
        tuple(amounts),
    )


def _restarted(
    found_in: list[tuple[int, Item | Doubt | str]], parts: list[Part], restarts: list[Restart]
) -> list[tuple[int, Item | Doubt | str]]:
    """What was read, without the first list of each correction that said it again (`restarts`);
    the item said again with no count is one ("unas bravas y dos cañas, no, perdona, unas bravas,
    …": one bravas, never the two of the cañas it took the place of)."""
    found = borne_out(restarts, [n for n, _ in found_in], [_categories(w) for _, w in found_in])
    gone = {at for restart in found for at in restart.taken_back}
    for restart in found:
        number_, what = found_in[restart.taken_at]
        said = parts[restart.corrects]
        if not isinstance(what, str) and said.quantity is None and said.measure is None and not said.counted_in:
            found_in[restart.taken_at] = (number_, replace(what, quantity=1))
    return [entry for at, entry in enumerate(found_in) if at not in gone]


def _categories(what: Item | Doubt | str) -> Categories:
    """The categories an entry read may be of (`restarts`): its product's, its candidates'."""
    if isinstance(what, str):
        return frozenset()
    return frozenset(p.category_id for p in ((what.product,) if isinstance(what, Item) else what.candidates))


def _measured(item: Item, each: int, measure: float) -> bool:
    """Whether "N kilos de cada uno" is a whole number of the item's product (sold by that measure)."""
    return bool(whole_units(item.product, each, measure, 0, False))


def _of_each(what: Item | Doubt, each: int, per_person: bool, measure: float | None) -> int:
    """How many of the item "N de cada uno" is: N, or as many as make N times the amount said
    ("un kilo de cada uno" of a 500 g pack is 2; of a product with no measure, or no whole number
    of it, N); what one person has times the N people (`per_person`)."""
    if per_person:
        return min(what.quantity * each, MAX_NUMBER)
    units = whole_units(what.product, each, measure, 0, False) if measure and isinstance(what, Item) else None
    return min(units or each, MAX_NUMBER)


def _token_at(text: str, at: int, index: ProductIndex) -> int:
    """The token the character `at` of `text` begins (0 for the start)."""
    return len(tokens(index.with_skus_named(text[:at]), index.folded_words)) if at else 0


def _starts_in(parts: list[Part], number_: int, start: int, end: int | None) -> bool:
    """Whether part `number_` begins at token `start` or after it, and before `end` (None: no end)."""
    if not start and end is None:
        return True
    spans = parts[number_].spans if number_ < len(parts) else []
    return bool(spans) and spans[0] >= start and (end is None or spans[0] < end)


def is_add_on(catalog: CatalogView, product: ProductView) -> bool:
    """Whether the product is an extra sold apart to go on another (its category is one of
    `add_ons` in `lexicon.toml`: "Extras", "Toppings", "Dips"; or its name opens with "extra"):
    said of a line, it is added beside it, never made a kind of it."""
    if words_of(product.name)[:1] == ["extra"]:
        return True
    category = next((c for c in catalog.categories if c.id == product.category_id), None)
    return category is not None and bool(lexicon().add_ons & set(intents.normalised(category.name).split()))


def _held(product: ProductView, typed: list[str]) -> int:
    """How many of the unit the customer counted in one pack holds (`measures.held_in_pack`)."""
    return held_in_pack(product, {*typed, *(key(w) for w in typed)}, key)


def _amount_alone(part: Part, found_in: list[tuple[int, Item | Doubt | str]], catalog: CatalogView,
                  lex: Lexicon) -> bool:  # fmt: skip
    """Whether a part says an amount and no product ("mándame kilo y medio"), first in the message:
    after an item, "una de litro" is that item's size (`_resized`)."""
    if part.measure is None or not only_measure(part.words) or part.note or part.elliptic:
        return False
    return not any(isinstance(w, Item) for _, w in found_in) and not _names_by_measure(part, catalog, lex)


def _names_by_measure(part: Part, catalog: CatalogView, lex: Lexicon) -> bool:
    """Whether the measure words of a part name one product by themselves: surely (an alias "un
    kilo"), or as the only one of that measure ("1 kilo" of the ice creams is the Helado 1 kg)."""
    if not part.words or part.measure is None:
        return False
    verdict = verdict_of(index_for(catalog).match(part.words, lex.synonyms))
    return verdict is not None and (verdict[0] or sized_by_amount(catalog, verdict[1], part.measure) is not None)


def _amount_words(parts: list[Part], at: int, found: list[Token]) -> str:
    """The customer's words for an amount said alone ("kilo y medio"): the numbers and measure
    words between the part before it and the part after it."""
    start = max([-1, *parts[at - 1].spans, *parts[at - 1].note_spans]) + 1 if at else 0
    end = min([len(found), *parts[at + 1].spans, *parts[at + 1].note_spans]) if at + 1 < len(parts) else len(found)
    said = [t.text for t in found[start:end] if only_measure([t.folded]) or number(t.folded) is not None]
    while said and fold(said[-1]) in ("y", "de"):
        said.pop()
    return " ".join(said)


def _spread_over(found_in: list[tuple[int, Item | Doubt | str]], parts: list[Part], spread: Spread, cut: int,
                 people: int, last: int) -> list[tuple[int, Item | Doubt | str]] | None:  # fmt: skip
    """The items of the part said just before a one-for-each phrase (token `cut`), times what it
    counts: the items the message named before them ("3 everything bagels and a coffee for each"),
    else the `people`, else what the message before added (`last`). None when the phrase says a
    number that is none of those ("papas pa las 3" with two burgers: at three o'clock)."""
    if spread.count == 1:
        return found_in  # "pa una de las quesadillas": what the extra goes on, ordered before
    said = [n for n, what in found_in if not isinstance(what, str) and parts[n].spans]
    before = [n for n in said if parts[n].spans[-1] < cut]
    target = max(before) if before and not spread.ahead else min(set(said) - set(before) or said, default=None)
    if target is None:
        return None if spread.count > 2 else found_in
    units = sum(w.quantity for n, w in found_in if n < target and isinstance(w, Item))
    # the items said before it in the message are what it counts, else the people ("una pizza y un
    # refresco pa cada quien" after "somos 3"), else what the message before added
    counts = [units] if units > 1 else [people] if people > 1 else [last] if last > 1 and not units else []
    if spread.count and spread.count not in counts:
        return None  # "one taro, one thai, regular for both": both teas regular, not two thais
    times = spread.count or next(iter(counts), 1)
    return [(n, replace(w, quantity=min(w.quantity * times, MAX_NUMBER)) if n == target and not isinstance(w, str)
             else w) for n, w in found_in]  # fmt: skip


def _for_the_people(found_in: list[tuple[int, Item | Doubt | str]], parts: list[Part], cut: int, people: int,
                    lex: Lexicon) -> list[tuple[int, Item | Doubt | str]]:  # fmt: skip
    """ "comida corrida para 3 personas": a dish said with no count just before "para N personas"
    (token `cut`) is one for each of them. A count said keeps it ("2 comidas corridas para 4
    personas", "un zarandeado para 4 personas"), and so does a dish that serves several (its
    name or description says so: `Lexicon.for_several`; or it is sold by weight)."""
    out = list(found_in)
    for at, (number_, what) in enumerate(found_in):
        part = parts[number_]
        if isinstance(what, str) or part.quantity is not None or part.measure is not None or what.quantity != 1:
            continue
        if max([*part.spans, *part.note_spans], default=-1) != cut - 1:
            continue
        products = (what.product,) if isinstance(what, Item) else what.candidates
        if any(_for_several(p, lex) for p in products):
            continue
        out[at] = (number_, replace(what, quantity=min(people, MAX_NUMBER)))
    return out


def _for_several(product: ProductView, lex: Lexicon) -> bool:
    """Whether one of `product` serves several people: its name or description says so ("Paquete
    familiar", "Pollo entero", "Un kilo, para 3 o 4 personas"), or it is sold by weight or volume."""
    said = {*words_of(product.name), *words_of(product.description)}
    return bool(said & lex.for_several) or unit_amount(product) is not None


_DEFINITE = frozenset({"el", "la", "los", "las", "the"})


def _said_again(found_in: list[tuple[int, Item | Doubt | str]], parts: list[Part],
                found: list[Token]) -> list[tuple[int, Item | Doubt | str]]:  # fmt: skip
    """ "un chocolate caliente y un croissant. El chocolate que no venga muy caliente": a product
    read earlier in the message, named again with a definite article and no count, is that item
    said again (its note, when it has one), never one more of it."""
    kept: list[tuple[int, Item | Doubt | str]] = []
    for number_, what in found_in:
        part = parts[number_] if number_ < len(parts) else None
        products = (what.product,) if isinstance(what, Item) else what.candidates if isinstance(what, Doubt) else ()
        typed = {key(w) for w in part.words if w not in ARTICLES} if part is not None else set()
        before = next((at for at, (_, w) in enumerate(kept) if isinstance(w, Item) and (w.product in products or (
            typed and typed <= {key(n) for n in words_of(w.product.name)}))), None)  # fmt: skip  # "la pizza"
        kind = _kind_said_again(kept, what, part, found) if before is None and part is not None else None
        if kind is not None:  # "6 empanadas de carne …, ah las de carne que sean picantes"
            kept[kind[0]] = (kept[kind[0]][0], kind[1])
            continue
        if (isinstance(what, str) or part is None or before is None or not part.spans or part.another
                or set(part.words) <= SAME):  # fmt: skip
            kept.append((number_, what))  # "and one more the same": one more
            continue
        if not _points_back(part, found):
            kept.append((number_, what))
            continue
        at, earlier = kept[before]
        assert isinstance(earlier, Item)
        note = ", ".join(n for n in (earlier.note, what.note) if n)
        kept[before] = (at, replace(earlier, note=note))
    return kept


def _named_after_comma(
    previous: Item, verdict: tuple[bool, tuple[ProductView, ...]] | None, part: Part, found: list[Token]
) -> bool:
    """Whether a part with no count, right after a comma, surely names the product of the item just
    before it by other words: the customer said what kind ("una gaseosa", "una cerveza", "a soda")
    and then which one ("…, coca", "…, quilmes", "…, coke"), one item said twice (two of it went in,
    silently). Not the same words again ("6 wings lemon pepper, 6 wings hot": two packs)."""
    if verdict is None or not verdict[0] or verdict[1][0] != previous.product:
        return False
    if part.quantity is not None or part.another or not part.spans or part.spans[0] == 0:
        return False
    said_before = {key(w) for w in words_of(previous.words)}
    return found[part.spans[0] - 1].folded == "," and not {key(w) for w in part.words} & said_before


_MORE_SAID = frozenset({"tambien", "also", "too", "mas", "more", "plus"})
"""Words that make a part pointing back more of it ("y las de carne picante también")."""


def _kind_said_again(
    kept: list[tuple[int, Item | Doubt | str]], what: Item | Doubt | str, part: Part, found: list[Token]
) -> tuple[int, Item] | None:
    """(where, what it is now) when a part points back with an article and no count at one item said
    earlier in the message, by a word of its name and more that make another product of its dish,
    whose name holds all of the earlier one's: "6 empanadas de carne y 2 choris, ah las de carne que
    sean picantes", "2 pizzas hawaianas y una coca, las pizzas que sean grandes". That item is that
    product, as many, in its place (the plain ones stayed and one more came, silently). None otherwise."""
    if isinstance(what, str) or part.quantity is not None or part.another or not _points_back(part, found):
        return None
    if any(found[i].folded in _MORE_SAID for i in range(part.spans[0], part.spans[-1] + 1)):
        return None
    typed = {key(w) for w in part.words if w not in ARTICLES and w not in STOPWORDS}
    products = (what.product,) if isinstance(what, Item) else what.candidates
    fits: list[tuple[int, Item, ProductView]] = []
    for at, (_, earlier) in enumerate(kept):
        own = _plain_keys(earlier.product) if isinstance(earlier, Item) else set()
        if isinstance(earlier, Item) and typed & own:
            fits += [(at, earlier, p) for p in products if p != earlier.product and own < _plain_keys(p)]
    if len(fits) != 1:
        return None
    at, earlier, product = fits[0]
    return at, replace(earlier, product=product, note=", ".join(n for n in (earlier.note, what.note) if n))


def _plain_keys(product: ProductView) -> set[str]:
    return {key(w) for w in words_of(product.name) if w not in STOPWORDS}


def _points_back(part: Part, found: list[Token]) -> bool:
    """Whether the part names its product with a definite article ("el chocolate", "los de
    pastor", "le agradeceré que el ceviche no venga muy picante"): something said before."""
    if not part.spans:
        return False
    start = part.spans[0] - 1
    while start > 0 and found[start].folded in ("de", "of"):
        start -= 1  # "los de pastor"
    said = range(part.spans[0], part.spans[-1] + 1)
    inside = part.quantity is None and any(found[i].folded in _DEFINITE for i in said)
    return (start >= 0 and found[start].folded in _DEFINITE) or inside


def is_option(word: str, lex: Lexicon) -> bool:
    """Whether a word chooses or qualifies a product without naming one: a flavour, a sweetness or
    an ice level (`option_words`), or a percentage ("50%")."""
    return word in lex.option_words or (word.endswith("%") and word[:-1].isdigit())


_CLAUSE_ENDS = frozenset({",", ";", "?", ".", "!", ":", "\n"})


def _asked_about(part: Part, found: list[Token]) -> bool:
    """Whether the part's clause asks whether the shop has it or what it costs ("…, y tienen
    crema?", "do you have ranch", "y a cómo el chorizo"): a thing asked about is looked up and
    answered, never an option of the item before it (its note) nor one after a product's name."""
    start = part.spans[0]
    while start and found[start - 1].folded not in _CLAUSE_ENDS:
        start -= 1
    clause = " ".join(t.folded for t in found[start : part.spans[-1] + 1])
    return any(intents.mentions(clause, intent) is not None for intent in ("ask_available", "price"))


_WHOLLY = frozenset({"pura", "puro", "puras", "puros", "all", "pure", "toda", "todo", "todas", "todos"})
"""Words that say the options are the whole of the item ("pura maciza", "all lemon pepper"): the
customer's words for the kitchen, kept in the note."""


def _options_after(
    words: list[str], index: ProductIndex, lex: Lexicon, part: Part
) -> tuple[tuple[bool, tuple[ProductView, ...]], int] | None:
    """(the sure verdict, where the options begin) when the words end in options after words that surely name
    a product, or name the one pack of the part's count ("10 classic wings garlic parmesan"): "10
    wings lemon pepper", "2 taro milk tea 50% sugar less ice". None when they do not, or when that
    product's name holds another option (a "Paleta de limón" is no "paleta de mango")."""
    cut = len(words)
    while cut and (is_option(words[cut - 1], lex) or (words[cut - 1] in ("de", "of") and cut < len(words))):
        cut -= 1
    if cut in (0, len(words)):
        return None
    while cut > 1 and words[cut - 1] in _WHOLLY:
        cut -= 1  # "carnitas pura maciza", "family pack all lemon pepper": the note says «pura», «all»
    verdict = verdict_of(index.match(words[:cut], lex.synonyms))
    if verdict is not None and not verdict[0] and (packed := _pack_counted(verdict[1], part)) is not None:
        verdict = (True, (packed,))  # "10 classic wings" of the 6, 10 and 20 pc: the 10 pc
    if verdict is None or not verdict[0] or _other_option(verdict[1][0], words, lex):
        return None
    return verdict, cut


_WITH_WORDS = frozenset({"con", "with"})
_MORE_THAN_IT_COMES = frozenset({"extra", "extras", "mas", "more", "doble", "double", "otro", "otra", "another"})


_MEASURE_WORDS = frozenset({"medio", "media", "kilo", "kilos", "litro", "litros", "cuarto", "gramos", "kg", "ml"})


def _included(
    part: Part,
    number_: int,
    item: Item | Doubt | str,
    parts: list[Part],
    found: list[Token],
    catalog: CatalogView,
    lex: Lexicon,
) -> Item | Doubt | None:
    """The item just before with this part as its note, when the part names, after "con"/"with",
    a product that the item's description says it comes with: by its category ("Sopa del día,
    arroz, guisado a elegir…": a Tinga de pollo of the Guisados), its head, or its kind ("8 wings,
    regular fries and a drink": the Fresh lemonade of the Drinks; "… y gaseosa": a Coca-Cola).
    "2 comidas corridas, una con mole y otra con tinga" adds no Mole; "con extra de aguacate" asks
    for more than it comes with, so it is added, and so is a product named by a size of its name the
    description does not say ("con sus tortillas de medio kilo": the Tortillas medio kilo)."""
    words = part.words[1:] if part.words and part.words[0] in _WITH_WORDS else part.words
    shared = part.elliptic and part.quantity is not None  # "3 corridas, una de mole y dos de bistec"
    if not isinstance(item, Item) or not (part.with_item or words is not part.words or shared) or not words:
        return None
    if part.quantity is not None and part.quantity > item.quantity or _MORE_THAN_IT_COMES & set(part.words):
        return None
    verdict = verdict_of(index_for(catalog).match(words, lex.synonyms))
    if verdict is None or not verdict[0] or verdict[1][0] is item.product:
        return None
    if not _holds(item.product, verdict[1][0], words, catalog, said_with=not shared):
        return None
    return _noted(item, parts[number_ - 1], found, part.spans[-1] + 1)


def _branded_apart(catalog: CatalogView, words: list[str], found_in: list[tuple[int, Item | Doubt | str]]
                   ) -> tuple[bool, tuple[ProductView, ...]] | None:  # fmt: skip
    """`branded`, unless an item read before is surely that product: "2 refrescos de lata, una sprite y
    una fanta" says which the two are (their note, as the unknown flavours of a line are read), no
    cans more."""
    brand = branded(catalog, words)
    if brand is None:
        return None
    before = {w.product.sku for _, w in found_in if isinstance(w, Item)}  # a doubt is said which: "cans of soda, fanta"
    return None if before & {p.sku for p in brand[1]} else brand


def _named_with(product: ProductView) -> list[str]:
    """The words of a product's name after its "con"/"with": what its own name says it comes with
    ("Pollo entero a la brasa con papas": "a whole chicken with fries" is that one, no fries more)."""
    name = words_of(product.name)
    marker = next((i for i, w in enumerate(name) if w in _WITH_WORDS), len(name))
    return name[marker + 1 :]


def comes_with(dish: ProductView, product: ProductView, words: list[str], catalog: CatalogView) -> bool:
    """Whether the menu says `dish` comes with a `product` chosen by these words, said of it after
    "con"/"with" or as its choice ("lemonade as the drink on both combos": `line_notes`)."""
    return product is not dish and _holds(dish, product, words, catalog, said_with=True)


def _holds(dish: ProductView, product: ProductView, words: list[str], catalog: CatalogView, said_with: bool) -> bool:
    """Whether the menu says `dish` comes with a `product` chosen by these words. Its description
    names the product's category, head or kind: said after "con"/"with" any it lists ("8 wings,
    regular fries and a drink": a Fresh lemonade), else only one it says is chosen ("Sopa del día,
    arroz, guisado a elegir…": "una corrida de tinga" is the Tinga de pollo of the Guisados); or
    one of its other names says the product's category after its first word ("torta de tamal": a
    Tamal verde de pollo of the Tamales). A product named by a size of its name the description
    does not say is more than it comes with ("con sus tortillas de medio kilo")."""
    lex = lexicon()
    described = {key(w) for w in (*words_of(dish.description), *_named_with(dish))}
    sized = {key(w) for w in words if w in SIZES or w in _MEASURE_WORDS or w.isdigit()} - described
    if sized & {key(w) for w in words_of(product.name)}:
        return False
    if product.category_id == dish.category_id or not said_with and not lex.choice_words & {
            fold(w) for w in words_of(dish.description)}:  # fmt: skip
        described = set()  # "una corrida y una de niño": another of the dish's own kind
    own = {key(w) for w in words_of(dish.name)}
    made_of = {key(w) for alias in dish.aliases for w in words_of(alias)[1:] if w not in STOPWORDS} - own
    category = next((c.name for c in catalog.categories if c.id == product.category_id), "")
    named = [[w for w in words_of(name) if w not in STOPWORDS] for name in (product.name, *product.aliases)]
    heads = [said[0] for said in named if said]
    kinds = [w for said in kind_words(product.name, category) for w in words_of(said)]  # "gaseosa": a Coca-Cola
    typed = {key(w) for w in words_of(category) if w not in STOPWORDS}
    return bool(described & {*typed, *(key(w) for w in (*heads, *kinds))} or bool(typed) and typed <= made_of)


def _share_count(part: Part, found: list[Token]) -> str:
    """The count of a part as written just before its note ("uno" of "uno sin crema"), else its figure."""
    at = part.note_spans[0] - 1 if part.note_spans else -1
    return found[at].text if at >= 0 and number(found[at].folded) == part.quantity else str(part.quantity)


def _marked_note(
    part: Part,
    number_: int,
    item: Item | Doubt | str,
    parts: list[Part],
    found: list[Token],
    index: ProductIndex,
    lex: Lexicon,
) -> Item | Doubt | None:
    """The item just before with this part as more of its note, when the part opens with a note's
    marker that the menu's names also use ("Michelada sin alcohol", "Café con leche"), has no count
    but "one" of the several before ("3 elotes enteros uno sin chile"), and what follows names no
    product surely: ", sin chile,", ", con poco picante,"."""
    if isinstance(item, str) or not part.words or part.words[0] not in NOTE_MARKERS:
        return None
    if part.quantity is not None and not (part.quantity == 1 and isinstance(item, Item) and item.quantity > 1):
        return None
    for said in (part.words, part.words[1:]):
        verdict = verdict_of(index.match(said, lex.synonyms)) if set(said) - NOTE_MARKERS else None
        if verdict is not None and verdict[0]:
            return None  # ", con arroz", "w/ extra boba": a product of its own
    return _noted(item, parts[number_ - 1], found, max([*part.spans, *part.note_spans]) + 1)


def _noted(item: Item | Doubt, previous: Part, found: list[Token], end: int) -> Item | Doubt:
    """The item with the words from the end of the part before up to `end` added to its note, as
    written; a first note starts at its first word (", porfa, una con bistec": «una con bistec»)."""
    said = found[max([*previous.spans, *previous.note_spans]) + 1 : end]
    if not item.note:
        while said and (said[0].folded in (",", ":", ";", "-", "y", "and", "e", "/") or said[0].folded in _POLITE):
            said = said[1:]
    return replace(item, note=_GLUED.sub(r"\1", " ".join([item.note, *(t.text for t in said)]).strip()))


def _options_alone(
    words: list[str], verdict: tuple[bool, tuple[ProductView, ...]] | None, lex: Lexicon, one: bool
) -> bool:
    """Whether counted words are options of no product ("1 lemon pepper", "2 half sugar"): option
    words that no product matched surely holds by name (a Fresh lemonade only sounds like
    «lemon»). One word alone ("1 lemon") is still asked about, unless `one` (after "de": "uno de
    frutilla"; or after such a count: "… y chocolate")."""
    if len(words) < (1 if one else 2) or not all(is_option(w, lex) for w in words) or (verdict and verdict[0]):
        return False
    named = {key(w) for p in (verdict[1] if verdict else ()) for name in (p.name, *p.aliases) for w in words_of(name)}
    leveled = {at for at in range(1, len(words)) if words[at - 1] in LEVELS}  # "half sugar": no Brown sugar boba
    return not named & {key(w) for at, w in enumerate(words) if at not in leveled}


def _served_in(
    part: Part, found: list[Token], index: ProductIndex, lex: Lexicon
) -> tuple[tuple[bool, tuple[ProductView, ...]], str] | None:
    """(the verdict, the note) when the part's words before an "en" name a product and those after
    it do not: what it comes in or on ("una de milanesa en pan integral", "un café en vaso grande")
    is its note. None when there is no such "en", or the menu's names hold it ("Jugo de mango en
    leche", "Papas en casco")."""
    inside = range(part.spans[0], part.spans[-1])
    at = next((i for i in inside if found[i].folded == "en" and i not in part.spans), None)
    if at is None or f"en {found[at + 1].folded}" in index.folded_pairs:
        return None
    before = [w for w, i in zip(part.words, part.spans, strict=True) if i < at]
    verdict = verdict_of(index.match(before, lex.synonyms)) if before else None
    if verdict is None:
        return None
    said = [t.text for t in found[at : part.spans[-1] + 1]]
    return verdict, " ".join(said)


_OFFERS = re.compile(r"\b(?:o|or|u)\b", re.IGNORECASE)
"""A description that lists what to choose from ("Jarritos de tamarindo, mandarina o piña")."""


def _offered(words: list[str], index: ProductIndex, lex: Lexicon) -> tuple[ProductView, int] | None:
    """(the product, where the choice begins) when the first words name a product (of a few, the
    one that fits) and every word after them is one of the choices its description offers
    ("jarrito de mandarina": the Refresco de sabor, «Jarritos de tamarindo, mandarina o piña»;
    "guajolotas de verde": «Tamal verde o de rajas»), none of them a word of its name. None
    otherwise: a description that lists no choice makes the words
    ingredients, asked about (`described`)."""
    for cut in range(len(words) - 1, 0, -1):
        rest = {key(w) for w in words[cut:] if w not in STOPWORDS and w not in _SEPARATOR_WORDS}
        matches = index.match(words[:cut], lex.synonyms) if rest else []
        named = [m.product for m in matches if m.typed >= SURE][:4]  # "refrescos": of several, the one offering it
        fitting = [p for p in named if _OFFERS.search(p.description) and not rest & _name_keys(p)
                   and rest <= {key(w) for w in words_of(p.description)}]  # fmt: skip
        if len(fitting) == 1:
            return fitting[0], cut
    return None


def _held_choice(
    words: list[str],
    verdict: tuple[bool, tuple[ProductView, ...]] | None,
    index: ProductIndex,
    catalog: CatalogView,
    lex: Lexicon,
) -> tuple[ProductView, int] | None:
    """(the dish, where the choice begins) when the first words name a dish surely and the rest
    a product the menu says the dish comes with, chosen (`_holds`): "corrida de mole" is a Comida
    corrida with its mole, "guajolota de verde" a Guajolota with its tamal verde, never a Mole
    poblano or a Tamal verde beside it. None when every word is of the one product named surely."""
    said = [w for w in words if w not in STOPWORDS]
    if len(said) < 2 or verdict is not None and verdict[0] and {key(w) for w in said} <= _name_keys(verdict[1][0]):
        return None
    for cut in range(len(words) - 1, 0, -1):
        rest = [w for w in words[cut:] if w not in STOPWORDS]
        dish = verdict_of(index.match(words[:cut], lex.synonyms)) if rest else None
        if dish is None or not dish[0]:
            continue
        inside = verdict_of(index.match(rest, lex.synonyms))
        if inside is not None and inside[0] and inside[1][0] is not dish[1][0]:
            return (dish[1][0], cut) if _holds(dish[1][0], inside[1][0], rest, catalog, said_with=False) else None
    return None


def _name_keys(product: ProductView) -> set[str]:
    return {key(w) for name in (product.name, *product.aliases) for w in words_of(name)}


_SEPARATOR_WORDS = frozenset({"y", "e", "and", "o", "or"})


def _options_end(found: list[Token], last: int, lex: Lexicon) -> int:
    """Where options that end at token `last` end, with the option words after it that the filler
    list set apart ("30% sweet": «sweet» is also an exclamation)."""
    end = last + 1
    while end < len(found) and is_option(found[end].folded, lex):
        end += 1
    return end


_CHOICE = re.compile(r"\b(?:gustos?|sabor(?:es)?|flavou?rs?|a elegir|a escoger|choice|elecci[oó]n)\b", re.IGNORECASE)
"""A description that offers a choice ("Hasta 4 gustos", "flavor of your choice", "guisado a elegir")."""


def _other_option(product: ProductView, typed: list[str], lex: Lexicon) -> bool:
    """Whether the product's name holds an option the customer did not say (its own flavour)."""
    return any(is_option(w, lex) and w not in typed for w in words_of(product.name))


def _option_of_item(
    part: Part,
    number_: int,
    item: Item | Doubt | str,
    parts: list[Part],
    found: list[Token],
    index: ProductIndex,
    lex: Lexicon,
) -> Item | Doubt | None:
    """The item just before with this part as more of its note, when the part is options alone with
    no count ("6 wings, hot please", "… de helado: dulce de leche, menta granizada y limón"). Not
    when the words head a product's name ("un latte, chocolate" on a menu of Chocolate caliente),
    nor when they surely name a product and the item's description offers no choice (a Smoothie de
    mango after a Jugo verde; but "Hasta 4 gustos" makes «chocolate» a flavour, not the Salsa de
    chocolate extra)."""
    if isinstance(item, str) or part.quantity is not None or part.note:
        return None
    if not all(is_option(w, lex) or w in ("de", "of") for w in part.words) or index.heads_a_name(part.words[0]):
        return None
    verdict = verdict_of(index.match(part.words, lex.synonyms))
    if verdict is not None and verdict[0] and not (isinstance(item, Item) and _CHOICE.search(item.product.description)):
        return None
    if isinstance(item, Item) and _other_option(item.product, words_of(item.words), lex):
        return None
    return _noted(item, parts[number_ - 1], found, _options_end(found, part.spans[-1], lex))


def _asked_before_fallback(found_in: list[tuple[int, Item | Doubt | str]], parts: list[Part],
                           found: list[Token]) -> list[tuple[int, Item | Doubt | str]]:  # fmt: skip
    """ "¿tienen empanadas de pollo? si no, 2 de pino": what was asked for before "si no" and is
    only half on the menu is named back, not asked about: the fallback after it is the order."""
    at = next((i for i in range(len(found) - 1) if found[i].folded in ("si", "if")
               and found[i + 1].folded in ("no", "not")), None)  # fmt: skip
    if at is None or not any(isinstance(w, Item) and parts[n].spans and parts[n].spans[0] > at for n, w in found_in):
        return found_in
    return [(n, w.words if isinstance(w, Doubt) and parts[n].spans and parts[n].spans[-1] < at else w)
            for n, w in found_in]  # fmt: skip


_COURSE = re.compile(
    r"\b(?:de|para|pa|of|for)\s+(postre|tomar|beber|entrada|dessert|drink|drinks|starters?)\b(?=\s*[,:]?\s*\w)",
    re.IGNORECASE,
)
"""A course said before what the customer has in it ("y de postre un suspiro", "para tomar una
inca", "for dessert a brownie"): it orders nothing itself ("postre" is no typo of "Mostrito")."""


def _without_courses(text: str, index: ProductIndex) -> str:
    """`text` with the courses it names set apart by a comma, unless the menu's names use the word."""
    return _COURSE.sub(lambda m: m.group(0) if index.knows(fold(m.group(1))) else ",", text)


def _flavours_asked(found_in: list[tuple[int, Item | Doubt | str]]) -> list[tuple[int, Item | Doubt | str]]:
    """Items among words not on the menu, all with no count ("un kilo de helado, dulce de leche,
    chocolate y frutilla"), that only a word after the head of their product's names names (the
    «chocolate» of a Salsa de chocolate extra): flavours of the item before, so asked about, never
    added as a product of their own."""
    unknown = {number_ for number_, what in found_in if isinstance(what, str)}
    if not unknown:
        return found_in
    asked: list[tuple[int, Item | Doubt | str]] = []
    for number_, what in found_in:
        listed = number_ - 1 in unknown or number_ + 1 in unknown
        if isinstance(what, Item) and listed and not what.counted and _said_without_head(what):
            what = Doubt((what.product,), what.quantity, what.words, what.note, counted=False)
        asked.append((number_, what))
    return asked


def _said_without_head(item: Item) -> bool:
    """Whether the words that named the item hold none of its names' heads (their first words)."""
    typed = {key(w) for w in words_of(item.words)}
    heads = {key(said[0]) for name in (item.product.name, *item.product.aliases) if (said := words_of(name))}
    return bool(typed) and not typed & heads


def _pack_counted(candidates: tuple[ProductView, ...], part: Part) -> ProductView | None:
    """The one candidate whose pieces are the count said ("20 classic wings" of "Classic wings 20
    pc"), or None: as `_how_many` reads "10 alitas" of the 10 piezas when the name is sure."""
    if part.quantity is None or part.measure is not None:
        return None
    packed = [p for p in candidates if piece_count(p) == part.quantity]
    return packed[0] if len(packed) == 1 else None


def _how_many(product: ProductView, quantity: int, part: Part) -> int:
    """How many of `product` the part's quantity is: "un kilo" of a half-kilo product is 2
    (`per_unit`); "dos docenas" of a product that is the dozen is 2, not 24 (`sold_as`)."""
    if part.counted_in and quantity % part.counted_in == 0 and sold_as(product, part.counted_in):
        return quantity // part.counted_in
    if part.quantity is not None and part.quantity == piece_count(product) and part.measure is None:
        return 1  # "8 boneless" of "Boneless wings 8 pc", "10 alitas" of the 10 piezas: one of it
    return quantity * per_unit(product, [*part.words, *(w for w, _ in part.portions)])


_ALL = frozenset({"ambas", "ambos", "both", "either", "todas", "todos", "all"})
_PAIR = frozenset({"ambas", "ambos", "both", "either"})
_TO_ALL = frozenset(
    {"on", "for", "to", "en", "a", "para", "pa", "de", "of", "them", "ellas", "ellos", "las", "los", "the"}
)
"""Words around "both"/"todas" that only say whom the note is for ("half sugar on both", "a las
dos", "all of them")."""


def _shared_note(part: Part, found: list[Token], index: ProductIndex, lex: Lexicon) -> tuple[str, int, str] | None:
    """(the note, how many items it is for (0: all), the note with its «all» as said) when the part
    is a note said for several items:
    "both less ice", "half sugar on both", "ambas sin pepinillos", "todas bien doraditas", "las
    dos sin cebolla", "los 2 deslactosados". None when it is not, or names a product of its own."""
    spans = sorted({*part.spans, *part.note_spans})
    if not spans:
        return None
    said = list(range(spans[0], _options_end(found, spans[-1], lex)))
    if not all(w in _ALL or w in _TO_ALL or is_option(w, lex) or w in lex.note_words or w in lex.fillers
               for w in part.words):  # fmt: skip
        return None  # "una hamburguesa, todas sin cebolla": a product of its own
    count = next((2 if found[i].folded in _PAIR else 0 for i in said if found[i].folded in _ALL), None)
    if count is not None and not _at_an_end([found[i].folded for i in said]):
        return None  # "con todas las salsas": how one item comes
    start = spans[0]
    if count is None and part.quantity is not None and part.quantity >= 2 and start >= 2:
        counted = number(found[start - 1].folded) == part.quantity and found[start - 2].folded in _BOTH
        count = part.quantity if counted else None  # "las dos sin cebolla", "los 2 deslactosados"
    if count is None:
        return None
    if count and part.quantity is not None and part.quantity != count:
        return None  # "ambas y 3 tacos": a count of its own
    kept = [i for i in said if found[i].folded not in _ALL and found[i].folded not in _TO_ALL]
    words = [found[i].folded for i in kept]
    paired = {i for i in range(len(words) - 1) if f"{words[i]}-{words[i + 1]}" in lex.note_words}
    if not words or any(w.isdigit() or (key(w) in _SIZE_KEYS and i not in paired) for i, w in enumerate(words)):
        return None  # "ambas grandes" is a size (`_sizes_all`); "both medium well" is how they are cooked
    noted = bool(part.note) or all(is_option(w, lex) or w in lex.note_words or w in lex.fillers for w in words)
    verdict = verdict_of(index.match(words, lex.synonyms)) if not part.note else None
    if not noted or (verdict is not None and verdict[0]):
        return None
    first, last = kept[0], kept[-1]
    note = _note_text([t.text for t in found[first : last + 1] if t.folded not in _ALL], lex)
    whole = _note_text([t.text for t in found[said[0] : last + 1]], lex)
    return (note, count, whole) if note else None


def _shared_in_notes(found_in: list[tuple[int, Item | Doubt | str]]) -> list[tuple[int, Item | Doubt | str]]:
    """An item's note that says it is for both or all ("a cheeseburger and a double cheeseburger,
    no onions on both": read as the second one's note) given, without those words, to the items
    it counts up to that one."""
    for at, (number_, what) in enumerate(found_in):
        said = what.note.split() if not isinstance(what, str) else []
        folded = [fold(w).strip(",.!") for w in said]
        if not _ALL & set(folded) or not _at_an_end(folded):
            continue
        count = 2 if _PAIR & set(folded) else 0
        if not count and _counted_items(found_in[: at + 1], count) == [at]:
            continue  # "the family pack all garlic parm": of the one item, as said ("all" its own)
        keep = [w for w, f in zip(said, folded, strict=True) if f not in _ALL and f not in _TO_ALL]
        note = _GLUED.sub(r"\1", " ".join(keep)).strip(" ,")
        if not note:
            continue
        found_in[at] = (number_, replace(what, note=""))  # type: ignore[type-var]
        for target in _counted_items(found_in[: at + 1], count):
            number_at, item = found_in[target]
            assert not isinstance(item, str)
            joined = f"{item.note}, {note}" if item.note and note not in item.note else (item.note or note)
            found_in[target] = (number_at, replace(item, note=joined))
    return found_in


def _at_an_end(words: list[str]) -> bool:
    """Whether "both"/"todas" opens or closes the words, but for whom-words and politeness
    ("both less ice", "half sugar on both of them pls"), rather than qualifying a noun inside them
    ("con todas las salsas")."""
    said = [w for w in words if w not in _TO_ALL and w not in _POLITE and w not in (",", ".", "!")]
    return bool(said) and (said[0] in _ALL or said[-1] in _ALL) and sum(w in _ALL for w in said) == 1


def _counted_items(found_in: list[tuple[int, Item | Doubt | str]], count: int) -> list[int]:
    """Where in `found_in` the items a shared note is for are: the last `count` ones, or (0) all of
    them; when they are of several categories and one holds most of them ("4 al pastor, 2 de
    bistec y una coca, todos sin cebolla"), the items of that category."""
    items = [at for at, (_, what) in enumerate(found_in) if isinstance(what, Item | Doubt)]
    if count:  # "dos hawaianas grandes, ambas sin piña": one line of two
        counted = 0
        for taken, at in enumerate(reversed(items), 1):
            counted += getattr(found_in[at][1], "quantity", 1)
            if counted >= count:
                return items[-taken:]
        return []
    categories = [_category_of(found_in[at][1]) for at in items]
    most = max(set(categories), key=categories.count, default=None)
    if most is not None and categories.count(most) >= 2 and len(set(categories)) > 1:
        return [at for at, category in zip(items, categories, strict=True) if category == most]
    return items


def _category_of(what: Item | Doubt | str) -> int | None:
    product = what.product if isinstance(what, Item) else what.candidates[0] if isinstance(what, Doubt) else None
    return product.category_id if product is not None else None


def _sizes_all(part: Part, catalog: CatalogView, found_in: list[tuple[int, Item | Doubt | str]],
               found: list[Token]) -> bool:  # fmt: skip
    """Size every item read so far when the part is "ambas grandes" / "both large" / "todas
    grandes", or counts them all after "las"/"los"/"the" ("las dos medianas", "the two large"):
    True when it did (one had that size, or some already were it, as a Pizza de pepperoni whose
    alias is «pepperoni mediana»), the items without that size staying as they are; False leaves
    the part to be read (and named back) as any other ("las dos medianas" was two more pizzas)."""
    sizes = [w for w in part.words if key(w) in _SIZE_KEYS]
    rest = set(part.words) - set(sizes)
    items = [what for _, what in found_in if isinstance(what, Item)]
    if not sizes or not rest <= _ALL or (part.quantity is None and not rest):
        return False
    if part.quantity is not None and (rest or not _counts_all(part, found, items)):
        return False
    resized, already = False, False
    for at, (number_, what) in enumerate(found_in):
        if not isinstance(what, Item):
            continue
        other = variant_of(catalog, what.product, sizes)
        if other is not None and _keeps_name(what.product, other):
            found_in[at] = (number_, replace(what, product=other))
            resized = True
        already = already or _is_size(what.product, sizes)
    return resized or already


_SIZE_KEYS = frozenset(key(w) for w in SIZES)
_BOTH = frozenset({"los", "las", "the"})


def _counts_all(part: Part, found: list[Token], items: list[Item]) -> bool:
    """Whether the part's count, said after "las"/"los"/"the" right before its words, is as many
    as the items (or the pieces) read before it ("una hawaiana y una mexicana, las dos grandes",
    "2 hawaianas, las dos grandes")."""
    at = part.spans[0] if part.spans else 0
    if at < 2 or found[at - 2].folded not in _BOTH or number(found[at - 1].folded) != part.quantity:
        return False
    return (part.quantity or 0) >= 2 and part.quantity in (len(items), sum(i.quantity for i in items))


def _keeps_name(line: ProductView, other: ProductView) -> bool:
    """Whether `other` is `line` in another size: every word of its name but its size is still
    there (a Jugo de zanahoria is never made the Jugo de naranja grande)."""
    kept = {key(w) for w in words_of(other.name)}
    return all(key(w) in kept for w in words_of(line.name) if key(w) not in _SIZE_KEYS and w not in STOPWORDS)


def _is_size(product: ProductView, sizes: list[str]) -> bool:
    """Whether the product's name, aliases or description say it is of that size already."""
    said = {key(w) for text in (product.name, *product.aliases, product.description) for w in words_of(text)}
    return all(key(w) in said for w in sizes)


_MEASURES = frozenset({"litro", "litros", "lt", "ml", "kilo", "kilos", "kg", "medio", "media", "half"})


def _resized(
    previous: Item, part: Part, found_in: list[tuple[int, Item | Doubt | str]], number_: int, catalog: CatalogView
) -> ProductView | None:
    """The other size of the item just before that a part of size words alone, with no quantity,
    names ("…, large please", "un agua de jamaica, de litro"); None otherwise: "uno chico" (a
    quantity) or "otro igual" is one more."""
    if part.quantity is not None or not found_in or found_in[-1][0] != number_ - 1 or found_in[-1][1] is not previous:
        return None
    if not part.words or not set(part.words) <= SIZES | _MEASURES:
        return None
    return variant_of(catalog, previous.product, part.words) or measured_size(catalog, previous.product, part.words)


def _same_again(previous: Item, words: list[str], catalog: CatalogView) -> ProductView | None:
    """The product a part names through the item before it: "otro igual" (the same one), "uno
    chico" (its other size); None when the part names a product of its own."""
    if not words or not set(words) <= SAME | SIZES:
        return None
    if set(words) <= SAME:
        return previous.product
    return variant_of(catalog, previous.product, [w for w in words if w not in SAME])


_AMOUNTS = frozenset({"medio", "media"})
"""Portion words that are amounts, not units: "medio kilo de cada uno" is half a kilo of each."""
_ACCENTED = {"a": "[aá]", "e": "[eé]", "i": "[ií]", "o": "[oó]", "u": "[uúü]"}


@functools.cache
def _each_pattern() -> re.Pattern[str]:
    """N of each: "2 de cada uno", "una orden de cada uno", "un kilo de cada uno", "una ración de
    cada una" (a portion word between: `portions` in `lexicon.toml`), "de cada uno 3", "two of
    each", "3 c/u"."""
    said = sorted(lexicon().portions - _AMOUNTS, key=len, reverse=True)
    portions = "|".join("".join(_ACCENTED.get(c, re.escape(c)) for c in word) for word in said)
    return re.compile(
        r"\b(?:(?P<before>(?:\w+\s+(?=docenas?\b|dozens?\b))?\w+)"
        rf"(?:\s+(?P<unit>{portions}))?"
        r"\s+(?:de\s+cada\s+(?:uno|una|cosa|sabor)(?:\s+de\s+(?:ellos|ellas))?|de\s+cada|of\s+each|each"
        r"|(?:de\s+)?c\s*/\s*u|cada\s+(?:uno|una))"
        r"|(?:de\s+cada\s+(?:uno|una|cosa|sabor)|of\s+each|cada\s+(?:uno|una)|c\s*/\s*u)\s+(?:x\s*)?(?P<after>\w+))\b",
        re.IGNORECASE,
    )


_SHARED = re.compile(r"\b(?:compartir|share|sharing)\b", re.IGNORECASE)
"""An item for the table ("un rol para compartir", "fries to share"): one, not one per person."""
_OF_EACH = re.compile(r"\b(?:de|of)\s+(?:cada|each)\b", re.IGNORECASE)
_FOR_EACH = re.compile(r"\b(?:(?:para|pa|por)\s+)?cada\s+(?:uno|una|quien|persona)\b|\b(?:for\s+)?each(?:\s+of\s+us)?\b"
                       r"|\bc\s*/\s*u\b", re.IGNORECASE)  # fmt: skip


def _each(text: str) -> tuple[int, bool, str, tuple[int, int]]:
    """(N, per person, the text without it, (where what it counts begins, where "each" was)) when
    the message asks N of each product it names ("2 de cada uno", "de cada uno 3", "two of each",
    "3 c/u"), or what each of N people has ("somos tres, un americano para cada uno": per person;
    "y mis 2 hijos unos nuggets y una limonada cada uno": per person of what is said after the
    group, from its place on, up to "cada uno"; N of each of what is named before "de cada uno", when
    anything is); (0, False, the text, (0, 0)) otherwise."""
    found = _each_pattern().search(text)
    before = fold(found.group("before") or found.group("after")) if found else ""
    count = _count_said(before) if found else None
    if found is not None and count is None and before in _AMOUNTS and _each_measure(text):
        count = 1  # "medio kilo de cada uno": one half kilo each (`_each_measure`)
    if found is not None and before in SIZES:  # "una hawaiana y una pepperoni, grandes c/u": every one that size
        return 0, False, text[: found.start()] + " todas " + before + " " + text[found.end() :], (0, 0)
    # "one each, there are 4 of us": one is what each person has, the people say how many (not "1 of each")
    one_each = count == 1 and found is not None and not _OF_EACH.search(found.group(0))
    if (not count or one_each) and (party := PARTY.search(text)) and (each := _FOR_EACH.search(text)):
        # "somos tres, un americano para cada uno"
        people = number(fold(party.group("count") or party.group("us") or party.group("party") or party.group("for")))
        if people and people > 1:
            (a, b), (c, d) = sorted([(party.start(), party.end()), (each.start(), each.end())])
            until = a if a == each.start() else len(text[:a]) + 1 + len(text[b:c])
            return min(people, MAX_NUMBER), True, " ".join((text[:a], text[b:c], text[d:])), (0, until)
    if not count or one_each:
        grouped = _grouped(text)
        if grouped is not None:
            return grouped
    if found is None or not count:
        return 0, False, text, (0, 0)
    # "bravas y croquetas, una de cada una, y dos cañas": of what is named before it, the cañas keep their 2
    return min(count, MAX_NUMBER), False, text[: found.start()] + " " + text[found.end() :], (0, found.start())


_GROUP = re.compile(
    r"\b(?:(?P<me>(?:yo|me|i)\s+(?:y|and)\s+)?(?:mis|my|los|las|the|our|nuestros|nuestras)\s+|(?P<me_too>(?:yo|me|i)"
    r"\s+(?:y|and)\s+))(?P<count>\d{1,2}|dos|tres|cuatro|cinco|seis|two|three|four|five|six)\s+"
    r"(?:hijos|hijas|ninos|ninas|chamacos|chavos|chicos|nenes|nietos|nietas|sobrinos|sobrinas|amigos|amigas|"
    r"companeros|kids|children|sons|daughters|boys|girls|grandkids|friends|nephews|nieces)\b",
    re.IGNORECASE,
)
"""A group of people counted ("mis 2 hijos", "my 3 kids", "me and two kids"): said before what
they order and "cada uno"/"each", what one of them has is for every one of them."""


def _grouped(text: str) -> tuple[int, bool, str, tuple[int, int]] | None:
    """(the people, per person, the text without the group and "each", where the group was) when
    a counted group of people is said before "cada uno"/"each"; None otherwise. What the message
    orders before the group ("un combo para mí, y mis 2 hijos …") is not theirs."""
    group = _GROUP.search(fold(text))
    each = _FOR_EACH.search(text, group.end()) if group is not None else None
    if group is None or each is None:
        return None
    people = (number(group.group("count").lower()) or 0) + (1 if group.group("me") or group.group("me_too") else 0)
    if not 1 < people <= MAX_NUMBER:
        return None
    (a, b), (c, d) = (group.start(), group.end()), (each.start(), each.end())
    return people, True, " ".join((text[:a], text[b:c], text[d:])), (a + 1, len(text[:a]) + 1 + len(text[b:c]))


def _each_measure(text: str) -> float | None:
    """The amount one of "un kilo de cada uno" is (grams, millilitres): of each product, as many
    of it as make that amount ("un kilo de cada uno" of rice and sugar sold by the kilo: one each);
    None when the count of each is said in no unit of measure ("2 de cada uno", "una orden de cada una")."""
    found = _each_pattern().search(text)
    unit = found.group("unit") if found is not None else None
    half = found is not None and fold(found.group("before") or "") in _AMOUNTS  # "medio kilo de cada uno"
    return amount_said(0.5 if half else 1, fold(unit)) if unit else None


def _count_said(words: str) -> int | None:
    """The count said before "de cada uno": a number ("2"), or dozens ("una docena", "media
    docena", "dos docenas")."""
    quantities = lexicon().quantities
    if words in quantities and " " in words:
        return quantities[words]
    said = words.split()
    if len(said) == 2:  # "dos docenas"
        first = number(said[0])
        return first * 12 if first else None
    if said[-1] in ("a", "al"):
        return None  # "a cada uno ponle extra de queso": to each one, not one of each
    return number(said[-1]) or (quantities.get(said[-1]) if said[-1] not in ("un", "una", "uno", "an") else 1)


def _other_pair(
    found_in: list[tuple[int, Item | Doubt | str]], number_: int, part: Part, found: list[Token], index: ProductIndex
) -> str | None:
    """The words of the item just before when it and this unknown part are one pair joined by "y"
    that the menu's pair-named product only half fits ("queso y cebolla" against "Empanada de
    jamón y queso"), or that the item only sounds like a word of ("un sol y sombra": «sol» is no
    word of the menu, only near the «solo» of Café solo, whose head «café» was not said): the pair
    is not on the menu, and is named back whole."""
    before = found_in[-1][1] if found_in and found_in[-1][0] == number_ - 1 else None
    joined = part.spans[0] > 0 and found[part.spans[0] - 1].folded in ("y", "e", "and")
    if not isinstance(before, Item) or not joined or part.quantity is not None:
        return None
    name = words_of(before.product.name)
    if any(w in ("y", "e", "and") for w in name[1:-1]):
        return before.words
    typed = words_of(before.words)
    head = key(words_of(before.product.name)[0])
    only_near = not any(index.knows(w) or head in index.similar(key(w)) for w in typed)
    return before.words if only_near and len(part.words) == 1 else None


def _size_unsaid(product: ProductView, typed: list[str]) -> bool:
    """Whether the product is a size of what was typed ("Doble de cerveza" for "cerveza"): the
    other sizes may be on the menu under names of their own (a Caña), so it is asked about."""
    name = words_of(product.name)
    said = {key(w) for w in typed}  # "dobles" says the Doble de cerveza as "doble" does
    return len(name) >= 3 and name[0] in SIZES and name[1] == "de" and key(name[0]) not in said


def _taken_back(
    part: Part,
    found_in: list[tuple[int, Item | Doubt | str]],
    catalog: CatalogView,
    index: ProductIndex,
    lex: Lexicon,
    of_kind: bool = False,
) -> tuple[int, Item | Doubt] | None:
    """What a correcting part makes of the item before it, and where that item is: a new quantity
    ("no, 12"), another size or flavour of it ("no, mejor mediana"), its flavour noted anew ("una
    guajolota de verde no mejor de rajas": `of_kind`, the part said with «de» and no dish), or
    another product ("no, mejor una pepperoni"). None when nothing before is an item or the part names nothing surely:
    then the part is read as any other (and what it names unsurely is asked or named back)."""
    if found_in and isinstance(found_in[-1][1], str) and part.words:  # "y un atole... no, una horchata"
        alone = verdict_of(index.match(part.words, lex.synonyms))  # takes back the words not on the menu
        if alone is None or not alone[0]:
            return None
        return len(found_in) - 1, Item(alone[1][0], min(part.quantity or 1, MAX_NUMBER), _note_text(part.note, lex),
                                       " ".join(part.words))  # fmt: skip
    at = next((i for i in range(len(found_in) - 1, -1, -1) if not isinstance(found_in[i][1], str)), None)
    if at is None:
        return None
    before = found_in[at][1]
    assert not isinstance(before, str)
    if not part.words:
        return (at, replace(before, quantity=min(part.quantity, MAX_NUMBER))) if part.quantity else None
    quantity = min(part.quantity or before.quantity, MAX_NUMBER)
    other = variant_of(catalog, before.product, part.words) if isinstance(before, Item) else None
    if other is None and (earlier := _variant_earlier(part, found_in[:at], catalog)) is not None:
        return earlier
    if other is None and of_kind and isinstance(before, Item) and before.note:
        # "una guajolota de verde no mejor de rajas": «de rajas» is what the guajolota comes with
        # in place of «verde», its note as the first one was, never a Tamal de rajas in its place
        note = " ".join([*part.words, *part.note])
        return at, replace(before, quantity=quantity, note=note)
    if other is None:
        alone = verdict_of(index.match(part.words, lex.synonyms))
        other = alone[1][0] if alone is not None and alone[0] else None
    if other is None:
        return None
    note = "" if _disowns(part.note, before) else _note_text(part.note, lex)
    return at, Item(other, quantity, note, " ".join(part.words))


def _variant_earlier(
    part: Part, found_in: list[tuple[int, Item | Doubt | str]], catalog: CatalogView
) -> tuple[int, Item] | None:
    """ "a 10 piece and cajun corn. actually make it a 6 piece": the correction names another size
    or kind of an item said before the last one (`variant_of`), which it takes back; the cajun
    corn it said nothing of stays (it was taken back in the 6 pc's place, silently). None when no
    item before has such a variant."""
    for at in range(len(found_in) - 1, -1, -1):
        before = found_in[at][1]
        if isinstance(before, Item) and (other := variant_of(catalog, before.product, part.words)) is not None:
            quantity = min(part.quantity or before.quantity, MAX_NUMBER)
            return at, Item(other, quantity, before.note, " ".join(part.words))
    return None


_DISOWNING = frozenset({"not", "no", "ni"})


def _disowns(note: list[str], before: Item | Doubt) -> bool:
    """Whether a correction's note only says again what it takes back ("a mango smoothie oh wait
    no, strawberry smoothie not mango"): «not mango» is no wish about the strawberry one."""
    said = [fold(w) for w in note]
    if len(said) < 2 or said[0] not in _DISOWNING:
        return False
    named = set(words_of(before.product.name)) if isinstance(before, Item) else set()
    return bool(named) and set(said[1:]) <= named


def _shares_head(head: Part, part: Part, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a part that names a product by itself ("2 caprese") is one more share of an unsure
    head before it ("media docena de empanadas, …"): the head's words fit that same product."""
    if part.quantity is None or not part.words:  # "plumas: 2 azules…": the bare noun's shares too
        return False
    head_alone = verdict_of(index.match(head.words, lex.synonyms))
    alone = verdict_of(index.match(part.words, lex.synonyms))
    if head_alone is None or head_alone[0] or alone is None or not alone[0]:
        return False
    matches = index.match([*head.words, *part.words], lex.synonyms)
    together = verdict_of(matches)
    # the head's words must fit too: "una mexicana, una coca" never makes the coca a share of it
    return together is not None and together[0] and together[1][0] == alone[1][0] and matches[0].typed >= SURE


def _listed_under(head: Part | None, part: Part, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a counted part follows a bare, unsure noun ("plumas: 2 azules 1 negra 1 roja"):
    each count is one of that noun's products, as "una de vainilla" is after "dos conchas"."""
    if head is None or head.quantity is not None or part.quantity is None or not head.words:
        return False
    head_alone = verdict_of(index.match(head.words, lex.synonyms))
    return head_alone is not None and not head_alone[0]


def _menu_words(head: list[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether every word of a head is a word of the menu's names (or says nothing): a head with a
    word the menu lacks ("tienen tortas de bacalao? si no una hawaiana") asked for something else,
    so it is named back or asked about, never forgotten as the noun of the parts after it."""
    return all(w in ARTICLES or w in lex.fillers or index.knows_key(w) for w in head)


def _only_noun(head: list[str], words: list[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether the head's words are all in the name of the product they make with a part's words
    ("media docena de medialunas, 3 de manteca": Medialuna de manteca), so the head only said the
    noun the parts share, even when its words alone name a product surely."""
    verdict = verdict_of(index.match(words, lex.synonyms))
    if verdict is None or not verdict[0]:
        return False
    named = {key(w) for w in words_of(verdict[1][0].name)}
    return all(key(w) in named for w in head if w not in ARTICLES)


def _said_noun(head: Part, part: Part, index: ProductIndex, lex: Lexicon) -> list[str]:
    """The head's words that an elliptic part shares: all of them, or, when they make no product
    with the part's words, the longest first words that do: its noun ("4 tostadas de ceviche y 2
    de camarón": Tostada de camarón, the ceviche being the head's flavour, not the part's)."""
    if not part.elliptic or _needs_head(head.words, part.words, index, lex):
        return head.words
    for cut in range(len(head.words) - 1, 0, -1):
        if _needs_head(head.words[:cut], part.words, index, lex):
            return head.words[:cut]
    return head.words


def _needs_head(head: list[str], words: list[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether "una de chocolate" names a product surely with the noun of the part before
    ("dos conchas, …"). Only when the part's own words are part of that product's name: the
    head's words alone can make the match sure ("una pepperoni mediana y una de lata"), and then
    "de lata" is another item (or named back), never one more of the head swallowing its words."""
    together = index.match([*head, *words], lex.synonyms)
    verdict = verdict_of(together)
    if verdict is None or not verdict[0] or together[0].typed < SURE:
        return False
    product = verdict[1][0]
    return any(m.product is product and m.typed > 0 for m in index.match(words, lex.synonyms))


_GLUED = re.compile(r"\s+([,;:!?.])")
_DEGREES = frozenset({"less", "more", "extra", "light", "little", "lots", "double", "half", "easy", "heavy"})
"""How much of something an English note asks ("with less ice"): the note is what follows "with"."""


def _note_text(note: list[str], lex: Lexicon) -> str:
    """The note as written, without the politeness around it ("bien dorada porfa" -> "bien dorada")."""
    words = list(note)
    while words and (fold(words[-1]) in _POLITE or _LAUGH.fullmatch(fold(words[-1]))):
        words.pop()
    folded = [fold(w) for w in words]
    if (len(words) > 3 and folded[0] in ("con", "with") and folded[1] in ARTICLES
            and (folded[3] in NOTE_MARKERS or folded[3] in lex.note_words)):  # fmt: skip
        words = words[3:]  # "con la carne bien asada": how the meat comes, "bien asada"
    if len(words) > 1 and fold(words[0]) in ("con", "with") and fold(words[1]) in TAKING_AWAY:
        words.pop(0)  # "with no onions" -> "no onions"
    elif len(words) > 1 and fold(words[0]) == "with" and fold(words[1]) in _DEGREES:
        words.pop(0)  # "with less ice" -> "less ice"; Spanish keeps its "con" ("con poca azúcar")
    return _GLUED.sub(r"\1", " ".join(words))  # what a card says keeps its own commas: "te amo, tu gordo"

"""Cutting a customer message into parts, each one item (or a note, or a lone quantity).

A message is cut at commas, new lines, "y"/"and" (unless the menu's own names hold them:
"Empanada de jamón y queso") and at a quantity that follows a named product ("5 de pastor 2 de
suadero"). In each part, quantities (digits, number words, "x3", "media docena"), greetings,
fillers, polite forms and portion words (`lexicon.toml`) are set apart; what follows "sin", "con",
"bien", "extra" after the product is the part's note ("sin cebolla"). `reading.read_order` says
what each part's words name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from comandia.server.chat.lexicon import Lexicon, lexicon, number
from comandia.server.chat.matching import ACCEPT, QUARTER, SURE, Match, ProductIndex, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.measures import amount_said, only_measure
from comandia.server.chat.model import ProductView, fold
from comandia.server.chat.synonyms import every_kind_word
from comandia.server.chat.variants import PLAIN, SIZES, STOPWORDS
from comandia.server.chat.verdicts import verdict_of

_TOKENS = re.compile(
    r"\d+%|\d+[.,]\d+(?=\s*(?:ml|l|lts?|litros?|liters?|litres?|kg|kilos?|g|gr|grs|gramos|oz)\b)|[^\W_]+|[,;/+&\n?.!:]"
)
"""Words, separators, a percentage ("50%": how sweet, never a count) and a decimal size ("1.5
litros", "1,5 l") kept whole: its comma is no list's."""
_SEPARATORS = frozenset({",", ";", "/", "+", "&", "\n", "y", "e", "and", "?", ".", "!", ":"})
NOTE_MARKERS = frozenset(
    {"sin", "con", "bien", "bn", "extra", "poco", "poquito", "without", "with", "no", "muy", "hold", "on"}
)
_NOTE_OPENERS = NOTE_MARKERS - {"no"}
"""Markers that open a note even with no product before them ("que vaya bien cocida", "con todo"):
of the product talked about last. Not "no" ("no, mejor…" edits), nor before a quantity ("con 2
cocas" orders); a note that names a product is that product ("con papas fritas")."""
_ENGLISH_ARTICLES = frozenset({"a", "an"})
ARTICLES = frozenset({"el", "la", "los", "las", "the", "su", "sus", "your"})
TAKING_AWAY = frozenset({"sin", "without", "no", "hold"})
_CARRIERS = frozenset({"on"})
"""What an item is served on ("a bec on a plain bagel", "turkey club on rye"): its note, never a product."""
_OCCASIONS = frozenset(
    ["fiesta", "reunion", "oficina", "casa", "evento", "comida", "cena", "party", "office", "funeral", "velorio",
     "sepelio", "cumpleanos", "cumple", "aniversario", "boda", "graduacion", "bautizo", "birthday", "anniversary",
     "wedding"]
)  # fmt: skip
_SOME = frozenset({"unos", "unas", "some"})
"""Words that open an item without counting it ("y unas tortillas")."""
"""What an order is for ("para una fiesta"): the article before it counts nothing."""
_SIZES = frozenset(
    ["litro", "litros", "medio", "media", "kilo", "kilos", "kg", "grande", "chico", "mediano", "large", "small",
     "medium"]
)  # fmt: skip
_INNER_OPENERS = frozenset({"con", "with"})
"""Inside a note, what may open a product of its own ("a punto con ensalada mixta")."""
SPLITS = frozenset({"half", "mitad"})
"""Words that split an item in two kinds when said twice ("half everything half plain", "mitad
verdes y mitad de rajas"): the item's note, never products of their own."""
_CLAUSE_ENDS = frozenset({".", "?", "!", ";", ":", "\n"})  # where a split's second half may no longer come
LEVELS = frozenset({"less", "menos", "half", "mitad"})
"""Option words that say how much of what follows ("less sweet", "half sugar", "menos hielo"):
the word after one is that option, never a product's name nor a filler."""
_SERVING_ARTICLES = frozenset({"un", "una", "el", "la"})  # "en UNA taza": what the item comes in
_GLUE = frozenset({"de", "del", "al", "la", "el", "los", "las", "the", "of", "en"})  # never a product by itself


@dataclass
class Part:
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
    corrects: bool = False
    """The part takes back the item before it ("10 alitas… no, perdón, 12"; "2 hawaianas, no, mejor 3")."""
    dozens: bool = False
    """The quantity was said in dozens ("dos docenas"): a breakdown after it may count dozens too."""
    plain: bool = False
    """ "uno normal", "one regular": the part names the plain size of the product talked about."""
    another: bool = False
    """The quantity was "otra"/"otro"/"another": with no product after it ("una gringa para mí y
    otra para mi esposa"), one more of the item before."""
    measure: float | None = None
    """The size said, in millilitres or grams ("de dos litros", "1/2 kg"): it picks the product of
    that measure (`measures.sized_by_amount`)."""
    of_item: bool = False
    """The size was said after the product ("una coca de 3 litros"): the size of one, not an amount."""
    counted_in: int = 0
    """The quantity was said in dozens (12) or six-packs (6): of a product that is itself the dozen
    or the pack, that many of it (`measures.sold_as`)."""
    saying: int | None = None
    """Where in `note_spans` what a card or cake should say begins ("… que diga te amo"): those
    words are the note as written, never products (`_dedication`)."""
    with_item: bool = False
    """The part was named after "con"/"with" ("una corrida con tinga"): it may be what the item
    before comes with rather than a product of its own (`reading._included`)."""

    @property
    def blank(self) -> bool:
        """Nothing said yet: no product words, quantity, amount, note or portion word."""
        said = self.words or self.note or self.portions or self.in_note
        return not said and self.quantity is None and self.measure is None


@dataclass(frozen=True)
class Token:
    text: str
    folded: str


_MEASURE = re.compile(r"(\d+)(l|lt|lts|ml|kg|g|gr|grs|oz|pz)", re.IGNORECASE)
_UNITS = frozenset({
    "l", "lt", "lts", "litro", "litros", "ml", "kg", "g", "gr", "grs", "oz", "kilo", "kilos", "gramos", "onzas",
    "liter", "liters", "litre", "litres",
})  # fmt: skip


_HALF = re.compile(r"(?<![\d/])(?:1\s*[/\u2044]\s*2|\u00bd)(?![\d/])")
"""A half written as a fraction ("1/2 docena", "½ docena"): read as the word "media"."""


_WITH = re.compile(r"(?<![^\W_])w\s*/(?!\s*o\b)", re.IGNORECASE)
""""w/" for "with" ("hot dog w/ extra mustard"): its slash is no list's."""
_WITHOUT = re.compile(r"(?<![^\W_])w\s*/\s*o\b", re.IGNORECASE)
""""w/o" for "without" ("a burger w/o onions")."""


_PERCENT = re.compile(r"(\d+)\s*(?:%|por\s*ciento\b|percent\b|pct\b)", re.IGNORECASE)
"""A percentage however written ("50 %", "25 por ciento", "30 percent"): one token, "50%"."""


_GLUED = re.compile(r"(?P<word>[^\W\d_]{2,})(?P<count>\d{1,3})|(?P<number>\d{1,3})(?P<rest>[^\W\d_]{2,})")
"""A count typed against a word ("dame6", "get2", "3de", "2hawaianas"): two tokens, so it counts."""
_NOT_GLUED = frozenset(
    ["st", "nd", "rd", "th", "ro", "ra", "do", "da", "er", "to", "ta", "vo", "va", "mo", "ma", "no", "na", "os",
     "as", "am", "pm", "hr", "hrs", "hs", "min", "mins", "pc", "pcs", "pz", "pza", "pzas", "pzs", "px", "xl"]
)  # fmt: skip
"""What may follow a number in one word without being a word of its own: ordinals ("2do", "3rd"),
times ("3pm", "20min") and piece counts ("8pc"), which the rules for those read whole."""


_DECIMAL_SIZE = re.compile(
    r"(\bde\s+\d+)[.,](\d)\b(?!\s*(?:ml|l|lts?|litros?|liters?|litres?|kg|kilos?|g|gr|grs|gramos|oz)\b)"
)
"""A decimal size after "de" with no unit ("una bilz de 1,5"): its two numbers are the name's
("Bilz 1,5 litros": 1, 5), never a size and then a count after a comma."""


def tokens(text: str, known: frozenset[str] = frozenset()) -> list[Token]:
    """The message's tokens; `known`: the menu's own words, which stay whole ("7up", "v8")."""
    found: list[Token] = []
    lex = lexicon()
    halves = QUARTER.sub(" cuarto ", _HALF.sub(" media ", _PERCENT.sub(r"\1%", _DECIMAL_SIZE.sub(r"\1 \2", text))))
    for raw in _TOKENS.findall(_WITH.sub(" with ", _WITHOUT.sub(" without ", halves))):
        measure = _MEASURE.fullmatch(raw)
        glued = _GLUED.fullmatch(fold(raw)) if not measure and fold(raw) not in known else None
        if measure:  # "3l", "600ml": a size, as "3 l"
            found += [Token(measure.group(1), measure.group(1)), Token(measure.group(2), fold(measure.group(2)))]
        elif glued and (glued.group("word") or glued.group("rest") not in _NOT_GLUED):
            word, count = glued.group("word") or glued.group("rest"), glued.group("count") or glued.group("number")
            said = [count, word] if glued.group("number") else [word, count]
            found += [Token(w, w if w.isdigit() else lex.spelled(w)) for p in said for w in _unglued(p, known, lex)]
        elif (pieces := _counted_between(fold(raw), known)) is not None:
            found += [Token(w, w if w.isdigit() else lex.spelled(w)) for p in pieces for w in _unglued(p, known, lex)]
        elif raw not in _SEPARATORS and len(said := _unglued(fold(raw), known, lex)) > 1:
            found += [Token(w, lex.spelled(w)) for w in said]
        else:
            found.append(Token(raw, raw if raw in _SEPARATORS else lex.spelled(fold(raw))))
    return found


_PIECES = re.compile(r"[^\W\d_]+|\d+")
_JOINTS = frozenset({"y", "i", "e"})
"""One letter that may stand before a count in one word: "y2 galletas" is "y 2 galletas"."""


def _counted_between(word: str, known: frozenset[str]) -> list[str] | None:
    """A count typed between two words or after "y" ("kiero5tacos", "y2"): each piece a token
    of its own; None for a menu word ("7up") or what the rules for sizes and times read whole."""
    pieces = _PIECES.findall(word)
    if len(pieces) < 2 or "".join(pieces) != word or word in known or not any(p.isdigit() for p in pieces):
        return None
    for at, piece in enumerate(pieces):
        after_number = at > 0 and pieces[at - 1].isdigit()
        if piece.isdigit():
            if len(piece) > 3:
                return None
        elif (len(piece) < 2 and piece not in _JOINTS) or (after_number and piece in _NOT_GLUED):
            return None
    return pieces


_STUCK_BEFORE = ("unas", "unos", "una", "un", "del", "de", "d", "y", "i")
"""Short words a hurried thumb runs into the next one ("unacoca", "demoka", "ytambien"), longest first."""


def _unglued(word: str, known: frozenset[str], lex: Lexicon) -> list[str]:
    """An article, "de" or "y" run into a menu word or a word of the chat's own ("unfrappe",
    "deavena", "ytambien") said apart; any other word as it is. Only when the word itself is not
    known and the rest is ("descafeinado", "unicornio" stay whole)."""
    if word in known or word in lex.fillers or word in lex.abbreviations or word.isdigit():
        return [word]
    for before in _STUCK_BEFORE:
        rest = word[len(before) :]
        if word.startswith(before) and len(rest) >= 3 and _known_word(rest, known, lex):
            return [before, rest]
    return [word]


def _known_word(word: str, known: frozenset[str], lex: Lexicon) -> bool:
    """A menu word, also in the plural ("tacos", "conchas"), or a longer word of the chat's own."""
    plural = word[:-2] if word.endswith("es") else word[:-1] if word.endswith("s") else word
    return word in known or plural in known or (len(word) >= 4 and word in lex.fillers)


SAME = frozenset({"igual", "iguales", "igualito", "igualita", "igualitos", "igualitas", "mismo", "misma", "mismos",
                   "mismas", "ese", "esa", "esos", "esas", "same", "those", "that", "them", "these"})  # fmt: skip
"""After a quantity, the item before once more: "otro igual", "otra de esas", "one more of those"."""


def parts_of(found: list[Token], index: ProductIndex, lex: Lexicon, english: bool, dozens: bool = False) -> list[Part]:
    """The parts of a message; `dozens`: the customer counted in dozens just before ("media
    docena de jyq" … "y media de verdura")."""
    parts: list[Part] = []
    current = Part()
    position = 0
    unit = ""  # the last unit said ("kilo"): "medio de chicharrón" after "medio kilo de barbacoa" is of it
    counted_to = -1  # the token after the last count said: a count right there goes with it ("3 x 2")
    while position < len(found):
        folded = found[position].folded
        replaced = _old_value(found, position)
        if replaced:  # "en vez de 2", "instead of 2": the quantity being replaced, not one ordered
            position += replaced
            continue
        if _fallback(found, position) and not current.blank:  # "¿tienen de bacalao? si no, una hawaiana"
            parts.append(current)  # what was asked for is a part of its own, named back if not sold
            current = Part()
            position += 2
            continue
        dropped = _take_back(found, position, lex) if parts or not current.blank else 0
        if dropped:  # "un coctel de frutas ay no ese no quítalo": that item is not ordered
            if current.blank:
                parts.pop()
            current = Part()
            position += dropped
            continue
        taken_back = _correction(found, position, lex, said_before=bool(parts) or not current.blank)
        if taken_back:
            current = _corrected(parts, current, _opens_item(found, position - 1))
            position += taken_back
            continue
        greeting = 0 if current.words or current.in_note else _greeting(found, position, lex, index)
        if greeting:  # "Buen día, para la oficina: …" on a menu with an Agua del día: no order
            position += greeting
            continue
        opening = (current.words or current.in_note) and current.saying is None
        opener = _dedication(found, position, lex) if opening else 0
        if not opening and not parts and current.blank and found[position].folded == "que":
            opener = _dedication(found, position, lex)  # "que diga te amo" alone: of the line talked about
            opener = 0 if " ".join(t.folded for t in found[position : position + opener]) == "que dice" else opener
        if opener:  # "una tarjeta que diga te amo": what it should say is its note, word for word
            end = _dedication_end(found, position + opener, index, english)
            current.in_note, current.saying = True, len(current.note_spans)
            current.note += [t.text for t in found[position:end]]
            current.note_spans += list(range(position, end))
            position = end
            continue
        if folded in _GRADES and position + 1 < len(found) and found[position + 1].folded.isdigit():
            grade = found[position + 1].folded  # "lápices del número 2": a grade of the product, no count
            if index.knows(grade):
                current.words.append(grade)
                current.spans.append(position + 1)
            position += 2
            continue
        if _one_of_it(found, position, index):  # "a strawberry one": the product said, no word of a name
            position += 1
            continue
        size = _size_said(found, position, current)
        if size is not None:  # "a 2 liter coke", "una coca de dos litros": a size, not a count
            taken, current.measure, current.sized = size[0], size[1], True
            if current.words and set(current.words) <= _ENGLISH_ARTICLES:  # "a" the menu knows ("Papas a la…")
                current.words, current.spans, current.quantity = [], [], 1
            current.of_item = bool(current.words)
            said = [t.folded for t in found[position : position + taken]]
            count = said[0] if said[0].isdigit() else str(number(said[0]) or "")
            known = [w for w in (count, said[1]) if w and index.knows(w)] if taken in (2, 4) else []
            current.words += known  # the menu's own words for it ("Coca-Cola 2 litros") help the match
            current.spans += [position, position + 1][: len(known)]
            position += taken
            continue
        half_of = (
            _half_of_unit(found, position, unit, current) if not (dozens or any(p.dozens for p in parts)) else None
        )
        if half_of is not None:  # "medio kilo de barbacoa, medio de chicharrón": half a kilo again
            current.measure = half_of
            position += 1
            continue
        if amount_said(1, folded) is not None:
            unit = folded
        if folded in _HALF_WORDS and position + 1 < len(found):  # "1/2 kg", "medio litro"
            current.measure = amount_said(0.5, found[position + 1].folded) or current.measure
        elif current.measure is None and current.quantity is not None and not current.words and position:
            current.measure = amount_said(1, folded)  # "un kilo de picada", "2 kilos": of the kilo pack
        phrase, value = _quantity_phrase(found, position, lex, index)
        if phrase and current.words and found[position - 1].folded in ("de", "of") and index.knows(str(value)):
            current.words.append(str(value))  # "un ramo de una docena de rosas": the "12" of its name, no count
            current.spans.append(position)
            position += phrase
            continue
        if phrase:
            if _unknown_before(current, found, position + phrase, index):
                parts.append(current)
                current = Part()
            current = _quantity(parts, current, value, _joined(found, counted_to, position))
            counted_to = position + phrase
            if any(t.folded in _SIX_PACKS for t in found[position : position + phrase]):
                current.counted_in = 6  # "a six pack of mahou": one pack of six, if the menu sells the pack
            position += phrase
            if found[position - 1].folded in _DOZEN:
                position += _counted_in_dozens(current, found, position)
            continue
        if (folded in _HALF_WORDS and current.blank and (dozens or any(p.dozens for p in parts))
                and position + 1 < len(found) and found[position + 1].folded in ("de", "of")):  # fmt: skip
            current.quantity, current.dozens, current.counted_in = 6, True, 12  # "… y media de verdura"
            position += 1
            continue
        if folded == "y" and _and_a_half(found, position, current):  # "2 kilos y medio de picada": 2500 g
            current.measure = amount_said((current.quantity or 1) + 0.5, found[position - 1].folded)
            current.quantity, current.words, current.spans = 1, [], []  # "kilos", a word of "Carnitas medio kilo"
            position += 2
            continue
        if folded in _SEPARATORS and not _held_by_name(found, position, index):
            if folded in _JOINTS and current.in_note and _note_goes_on(found, position, current, index, lex, english):
                current.note.append(found[position].text)  # "con chile y limón": one note, no Agua de limón
                current.note_spans.append(position)
            elif not current.blank:  # a blank part keeps going: "no, perdón, 12" is one correction
                parts.append(current)
                current = Part()
        elif current.in_note and _next_unit_with(found, position, current):
            parts.append(current)  # "2 combos, one with sprite one with coke": each unit its own choice
            current = Part(quantity=number(folded))
            counted_to = position + 1
        elif current.in_note:
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (
            folded in SPLITS
            and _split_in_halves(found, position)
            and (current.words or (current.blank and parts and parts[-1].words and found[position - 1].folded == ","))
        ):  # "a dozen bagels, half everything half plain": how the item is split, its note, no products
            current = current if current.words else parts.pop()
            current.in_note = True
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (folded in NOTE_MARKERS and (folded != "no" or _takes_away(found, position, lex)) and not current.words
              and parts and parts[-1].words and position > 0 and found[position - 1].folded in (",", "/")
              and _marks_a_note(found, position, index, lex)):  # fmt: skip
            current = parts.pop()  # "large americano, extra hot": the note of the item before
            current.in_note = True
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (
            (folded in _NOTE_OPENERS or folded in lex.note_words or _takes_away(found, position, lex))
            and not current.words
            and not current.portions
            and _marks_a_note(found, position, index, lex)
            and not (folded in lex.note_words and index.heads_a_name(folded))  # "3 tostaditas": Tostada
            and not (folded in lex.note_words and _heads_a_translated_name(found, position, index, lex))
            and not (position + 1 < len(found) and _is_quantity(found, position + 1, index, english))
        ):
            current.in_note = True  # "que vaya bien cocida": a note with no product before it
            current.note += _wish_before(found, position)
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif (
            (
                folded in NOTE_MARKERS
                or (folded == "not" and _takes_away(found, position, lex))
                or (folded in lex.note_words and not index.knows(folded))
                or _ends_a_note_word(current, folded, lex)
                or _cut_into(found, position, index, lex)
            )
            and current.words
            and not _held_by_name(found, position, index)
        ):  # "sin cebolla", "bife de chorizo jugoso"
            current.in_note = True
            if folded not in NOTE_MARKERS and position > 0 and found[position - 1].folded in ("a", "al"):
                current.note.append(found[position - 1].text)  # "bife de chorizo a punto": "a punto"
            current.note += _wished(current, found)
            current.note += _wish_before(found, position)
            if _ends_a_note_word(current, folded, lex):  # "medium rare": «medium» goes with «rare»
                current.note.append(found[current.spans.pop()].text)
                current.words.pop()
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif folded == "en" and current.words and _served_in_portion(found, position, index, lex):
            current.in_note = True  # "un latte en vaso para llevar": what it comes in is its note, no portion
            current.note.append(found[position].text)
            current.note_spans.append(position)
        elif folded == "x" and position + 1 < len(found) and number(found[position + 1].folded) is not None:
            current = _quantity(parts, current, number(found[position + 1].folded) or 1)
            counted_to = position + 2
            current.closed = bool(current.words)  # "pastor x 3 …": the next product is another item
            position += 1
        elif _is_quantity(found, position, index, english):
            value = number(folded) or lex.quantities.get(folded, 1)
            if _unknown_before(current, found, position + 1, index):
                parts.append(current)
                current = Part()
            had_words = bool(current.words) and current.quantity is None
            current = _quantity(parts, current, value, _joined(found, counted_to, position))
            counted_to = position + 1
            # "la otra normal" after "una sin cebolla" is the other of those said, never one more
            the_other = position > 0 and found[position - 1].folded in ("la", "el", "the")
            current.another = current.another or (folded in _ANOTHER and not current.words and not the_other)
            current.closed = had_words and folded.startswith("x") and folded[1:].isdigit()
            if folded in _DOZEN:
                position += _counted_in_dozens(current, found, position + 1)
        elif folded == "x" and not index.knows("x"):
            pass  # "2 x margarita": the times sign
        elif folded in SAME and current.quantity is not None and not current.words:
            current.words.append(folded)  # "y otro igual": the item before, once more
            current.spans.append(position)
        elif (
            (_set_apart(folded, index, lex) or _said_to_the_person(found, position, index, lex))
            and not (current.quantity is not None and not current.words and _means_a_name_word(folded, index, lex))
            and not (current.words and current.words[-1] in LEVELS and folded in lex.option_words)
        ):
            # "1 sweet tamal": «sweet» opens a product the menu calls «dulce», not a filler; nor after
            # a level ("one less sweet"): what is less, an option
            if folded in PLAIN and current.quantity is not None and not current.words:
                current.plain = True  # "2 americanos, uno grande y uno normal"
            if folded in _OCCASIONS and current.quantity is not None and not current.words:
                current.quantity = None  # "para una fiesta": an article, not one of something
            if folded in lex.portions:
                current.portions.append((folded, position))
                current.sized = current.sized or folded in _SIZES
            if folded in _SOME and current.words and current.quantity is not None and not current.in_note:
                current.closed = True  # "un pollo entero (este) unas tortillas": "unas" opens the next item
        else:
            if current.closed:
                parts.append(current)
                current = Part()
            if (not current.words and not current.portions and position > 1
                    and found[position - 1].folded in ("de", "del")
                    and _is_quantity(found, position - 2, index, english)):  # fmt: skip
                current.elliptic = True  # "una de vainilla": a quantity, "de", a flavour
            current.words.append(folded)
            current.spans.append(position)
        position += 1
    parts.append(current)
    parts = [piece for part in parts for piece in _note_or_item(part, found, index, lex, english)]
    parts = _paired(parts)
    kept: list[Part] = []
    for part in parts:
        if _count_of_before(part, kept, found):  # "macarrones, 2 paquetes": 2 of them, no product «paquetes»
            kept[-1].quantity = part.quantity
            kept[-1].portions += part.portions
            continue
        if not part.words and part.portions:  # "y 2 latas": the portion word is the product
            part.words = [w for w, _ in part.portions]
            part.spans = [p for _, p in part.portions]
        # "unos pastorcitos, como 5": a lone quantity belongs to the part before
        if _amount_of_before(part, kept):  # "y chorizos, 1 kg": that much of the chorizos, no product
            if part.corrects:  # "medio de morcilla… no, mejor 1 kg": the kilo instead of the half
                kept[-1].portions = [(w, at) for w, at in kept[-1].portions if w not in _HALF_WORDS]
            kept[-1].quantity, kept[-1].measure = part.quantity, part.measure
            kept[-1].words += part.words
            kept[-1].spans += part.spans
        elif not part.words and part.quantity is not None and kept and kept[-1].quantity is None and not part.plain:
            kept[-1].quantity, kept[-1].dozens = part.quantity, part.dozens
        elif part.words or part.quantity is not None or part.note or part.measure is not None:
            kept.append(part)  # "mándame kilo y medio": an amount alone, of the product talked about
    return kept


def _count_of_before(part: Part, kept: list[Part], found: list[Token]) -> bool:
    """Whether the part only counts how a product comes, after a comma, right after that product
    said with no count ("añade macarrones, 2 paquetes", "y tortillas, 2 bolsas"): how many of it,
    never a product «paquetes» of its own (the macarrones stayed one)."""
    if part.words or not part.portions or part.quantity is None or part.note or not kept:
        return False
    before = kept[-1]
    opening = part.portions[0][1] - 2  # the mark before the count before the portion word
    comma = opening >= 0 and found[opening].folded == ","
    return comma and bool(before.words) and before.quantity is None and before.measure is None and not before.note


def _amount_of_before(part: Part, kept: list[Part]) -> bool:
    """Whether the part only says an amount ("1 kg", "2 kilos") right after a product said with no
    count or amount of its own ("y chorizos, 1 kg", "medio de morcilla… no, mejor 1 kg", the half
    taken back): how much of
    that product, never a product of its own (asked about as «1 kg», the vacío of the cart was
    tapped for it and came twice)."""
    if not kept or not part.words or part.portions or part.note:
        return False
    before = kept[-1]
    said = [w for w in part.words if number(w) is None]
    return (bool(said) and only_measure(said) and bool(before.words) and before.quantity is None
            and (before.measure is None or part.corrects) and not before.note)  # fmt: skip


_DOZEN = frozenset({"docena", "docenas", "dozen", "dozens"})
_SIX_PACKS = frozenset({"six", "sixpack"})
_ANOTHER = frozenset({"otra", "otro", "another"})
_GRADES = frozenset({"numero", "num", "nro", "number", "talla", "size"})
"""Words a number after which is a grade or a size of the product ("del número 2", "talla 8")."""
_HALF_WORDS = frozenset({"media", "medio", "medias", "medios"})  # "2 medios litros": two halves
_AND_A_HALF = (["y", "medio"], ["y", "media"])
_DECIMAL = re.compile(r"\d+[.,]\d+")


def _size_said(found: list[Token], position: int, current: Part) -> tuple[int, float] | None:
    """(tokens, millilitres or grams) of a size said here that counts nothing: a count and a unit
    after the part's own count ("a 2 liter coke", "una de 2 litros") or after its product and "de"
    ("una coca de dos litros"), a decimal ("1.5 l"), a unit and a half ("de litro y medio"). None
    otherwise: "2 litros de jamaica" is two of the litre (`measures.per_unit`)."""
    here = found[position].folded
    ahead = [t.folded for t in found[position + 1 : position + 5]]
    one = amount_said(1, here)
    counted_before = current.quantity is not None and not current.words  # "2 kilos y medio": `_and_a_half`
    if one is not None and ahead[:2] in _AND_A_HALF and _half_ends(ahead[2:3]) and not counted_before:
        return 3, one * 1.5
    # "kilo y cuarto de chicharrón": 1,250 g, never the Chicharrón cuarto de kilo; but after
    # "Coca-Cola 2 litros" the «y» starts the next item ("y Cuarto de pollo pechuga")
    counted_unit = position > 0 and number(found[position - 1].folded) not in (None, 1)
    quarter_more = ahead[:2] == ["y", "cuarto"] and _half_ends(ahead[2:3])
    if one is not None and quarter_more and not counted_before and not counted_unit:
        return 3, one * 1.25
    decimal = bool(_DECIMAL.fullmatch(here))
    count = float(here.replace(",", ".")) if decimal else number(here)
    if count is None or not ahead or amount_said(count, ahead[0]) is None:
        return None
    before = found[position - 1].folded if position else ""
    article = bool(current.words) and set(current.words) <= _ENGLISH_ARTICLES  # "a 2 liter coke"
    counted = (current.quantity is not None and not current.words) or article
    after_name = bool(current.words) and before in ("de", "of")
    if not (counted or after_name or decimal):
        return None
    half = 2 if ahead[1:3] in _AND_A_HALF and _half_ends(ahead[3:4]) else 0
    return 2 + half, amount_said(count + (0.5 if half else 0), ahead[0]) or 0.0


def _half_of_unit(found: list[Token], position: int, unit: str, current: Part) -> float | None:
    """The grams or millilitres of "medio de …" / "media de …" said where an earlier item of the
    message was counted in a unit ("medio kilo de barbacoa, medio de chicharrón"): half of that
    unit. None anywhere else ("medio de frutilla" alone is the ice cream's own half)."""
    if not unit or found[position].folded not in _HALF_WORDS or not current.blank or position + 1 >= len(found):
        return None
    return amount_said(0.5, unit) if found[position + 1].folded in ("de", "del") else None


def _and_a_half(found: list[Token], position: int, current: Part) -> bool:
    """Whether "y medio" here ends a count in a unit ("2 kilos y medio de picada"): the unit just
    before, the part's count before it, no product said yet."""
    if current.quantity is None or not only_measure(current.words) or current.measure is None or position < 2:
        return False
    ahead = [t.folded for t in found[position + 1 : position + 3]]
    return (amount_said(1, found[position - 1].folded) is not None and ahead[:1] in (["medio"], ["media"])
            and _half_ends(ahead[1:2]))  # fmt: skip


def _half_ends(after: list[str]) -> bool:
    """Whether "y medio" ends a measure here ("kilo y medio de asado", "de litro y medio"): not
    before another product ("jarra 1 litro y 1/2 pollo" is a half chicken too)."""
    return not after or after[0] in _SEPARATORS or after[0] in ("de", "del", "of") or after[0] in lexicon().fillers


def _marks_a_note(found: list[Token], position: int, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a note word here opens a note though nothing was named before it in its part: a
    word of no name does; one of the menu's names ("Michelada sin alcohol", "Extra ranch") does
    only where no name pairs it with the word after it: «sin» before anything ("uno sin chile"),
    «extra» before how the item comes ("this one extra hot", "extra crispy")."""
    folded = found[position].folded
    if not index.knows(folded):
        return True
    after = found[position + 1].folded if position + 1 < len(found) else ""
    if f"{folded} {after}" in index.folded_pairs:
        return False  # "sin alcohol" of a "Michelada sin alcohol", "extra ranch"
    return folded in TAKING_AWAY or (folded in _MORE and (after in lex.option_words or after in lex.note_words))


_JOINTS = frozenset({"y", "e", "and", "&"})
_ASKS = frozenset({"tienen", "tiene", "tienes", "tenes", "teneis", "hay", "have", "got", "cuanto", "cuesta", "how"})
"""Words that ask about the menu: after a note's «y» they open a question, never more of the note."""


def _note_goes_on(found: list[Token], position: int, current: Part, index: ProductIndex, lex: Lexicon,
                  english: bool) -> bool:  # fmt: skip
    """Whether "y"/"and" after an item's note joins one more thing to that note ("con chile y
    limón", "with chili and onions", "sin hielo y con chía") rather than opening an item of its
    own: the words up to the next separator count nothing ("y una coca", "y unos de suadero"), go
    back to no item ("y otro igual"), correct or ask nothing ("y no, mejor…", "y tienen…?"), and
    none of them heads a product's name (in English, ends one: "and fries", "and a water") nor
    surely names a product of the item's own kind ("3 de suadero con cebolla y pastor"; not "con
    queso y tocineta" of a "Hamburguesa BBQ con tocineta": what a name comes with is no kind). A
    word that is both a note word and a menu word is so decided by where it stands: joined to the
    note, it describes the item."""
    if current.saying is not None:
        return False  # what a card says ends with its own words (`_dedication_end`)
    if current.note and fold(current.note[0]) in SPLITS and found[position + 1].folded in SPLITS:
        return True  # "mitad verdes y mitad de rajas": the other half of the split
    content: list[str] = []
    at = position + 1
    while at < len(found) and not (found[at].folded in _SEPARATORS and not _held_by_name(found, at, index)):
        word = found[at].folded
        if (_is_quantity(found, at, index, english) or word in SAME or word in _ANOTHER or word in _SOME
                or word in _ASKS or word in _correction_openers() and word not in TAKING_AWAY):  # fmt: skip
            return False
        if at == position + 1 and word in ("de", "del", "of"):
            return False  # "… y de suadero": the kind of another item
        if word in NOTE_MARKERS or word in _GLUE or (word in lex.fillers and not index.knows(word)):
            at += 1
            continue
        if index.ends_a_name(word) if english else index.heads_a_name(word):
            return False  # English heads its names last: "and onions" is no Onion rings
        content.append(word)
        at += 1
    if not content or (at < len(found) and found[at].folded == "?"):
        return False  # "sin cebolla y tienen manzana postobón?": a question of its own
    said = verdict_of(index.match(content, lex.synonyms))
    item = verdict_of(index.match(current.words, lex.synonyms)) if current.words else None
    if said is None or not said[0] or item is None or not item[0]:
        return True
    return said[1][0].category_id != item[1][0].category_id or _comes_with(said[1][0], content)


def _comes_with(product: ProductView, said: list[str]) -> bool:
    """Whether the words said come after "con"/"with" in the product's name: what it comes with
    ("Hamburguesa BBQ con tocineta"), which may come with another item too, not its kind."""
    name = words_of(product.name)
    marker = next((i for i, w in enumerate(name) if w in _INNER_OPENERS), len(name))
    return {key(w) for w in said} <= {key(w) for w in name[marker + 1 :]}


def _heads_a_translated_name(found: list[Token], position: int, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a note word that says, in English, a word of the menu's names opens words that surely
    name a product with it: "grilled onions" is the Cebollitas asadas (English puts first what
    Spanish puts last), not a note of the tacos before."""
    if not any(index.knows(meaning) for meaning in lex.synonyms.get(found[position].folded, "").split()):
        return False
    end = position + 1
    while end < len(found) and found[end].folded not in _SEPARATORS and end - position < 4:
        end += 1
    verdict = verdict_of(index.match([t.folded for t in found[position:end]], lex.synonyms))
    return verdict is not None and verdict[0]


def _unknown_before(current: Part, found: list[Token], after: int, index: ProductIndex) -> bool:
    """Whether a quantity followed by more words opens an item of its own after words that are no
    menu word ("…no me dio tiempo de cocinar, me podía mandar 10 tacos de pastor"): those words
    are named back apart, never with the order inside them. After a product ("ciel 3") the
    quantity is that product's."""
    if not current.words or current.quantity is not None or current.in_note or after >= len(found):
        return False
    if found[after].folded in _SEPARATORS or found[after].folded in _UNITS:
        return False
    return not any(index.knows_key(word) for word in current.words)


def _counted_in_dozens(current: Part, found: list[Token], position: int) -> int:
    """Mark the part's quantity as said in dozens, and add the half of "una docena y media" /
    "a dozen and a half" that follows at `position`: how many tokens that half took (0: none)."""
    current.dozens, current.counted_in = True, 12
    ahead = [t.folded for t in found[position : position + 3]]
    half = 2 if ahead[:2] in (["y", "media"], ["y", "medio"]) else 3 if ahead == ["and", "a", "half"] else 0
    if half and current.quantity is not None:
        current.quantity += 6
    return half


def _paired(parts: list[Part]) -> list[Part]:
    """Quantities said in a row after as many products with none ("de pastor y de bistec, 2 y 2";
    "pastor, suadero y bistec: 3, 2 y 1"), each given to its product in order."""
    result: list[Part] = []
    position = 0
    while position < len(parts):
        run = position
        while run < len(parts) and _lone_quantity(parts[run]):
            run += 1
        count = run - position
        named = result[-count:] if count >= 2 and len(result) >= count else []
        if named and all(p.words and p.quantity is None for p in named):
            for part, lone in zip(named, parts[position:run], strict=True):
                part.quantity = lone.quantity
            position = run
            continue
        result.append(parts[position])
        position += 1
    return result


def _lone_quantity(part: Part) -> bool:
    return part.quantity is not None and not (part.words or part.note or part.portions or part.plain)


def _fallback(found: list[Token], position: int) -> bool:
    """Whether "si no" / "if not" starts here: what follows is ordered in case what came before is
    not sold, so the "no" takes nothing back."""
    pair = " ".join(t.folded for t in found[position : position + 2])
    return pair in ("si no", "if not")


_HOW_MUCH = frozenset({"too", "so", "very", "that", "much"})
"""What follows a "not" that qualifies how an item comes ("the ceviche not too spicy")."""


_THAT = frozenset({"que", "q", "k", "ke"})
_SUBJUNCTIVE = frozenset({"sea", "sean", "venga", "vengan", "salga", "salgan", "vaya", "vayan", "esten"})


def _wished(current: Part, found: list[Token]) -> list[str]:
    """The «que sea» / «que venga» said between the product and its note ("el vacío que sea bien
    tiernito", "las cocas que vengan bien frías"): taken from the product's words, where they made
    its name unsure, and kept before the note as said."""
    if len(current.words) < 2 or current.words[-1] not in _SUBJUNCTIVE:
        return []
    at = current.spans[-1]
    if not at or found[at - 1].folded not in _THAT:
        return []
    current.words.pop()
    current.spans.pop()
    return [found[at - 1].text, found[at].text]


def _wish_before(found: list[Token], position: int) -> list[str]:
    """The «que» that makes a "no" here a wish for the kitchen ("los camarones que no piquen
    tanto", "q no lleve cebolla"): kept in the note as the customer said it, since "no piquen
    tanto" alone reads as an order to the cashier. Nothing for any other note."""
    if found[position].folded == "no" and position > 0 and found[position - 1].folded == "que":
        return [found[position - 1].text]
    return []


def _takes_away(found: list[Token], position: int, lex: Lexicon) -> bool:
    """Whether a "no" here opens a note as "sin" does ("k gimme 2, no pickles"; "no onions on
    both"): a word follows that is no filler, count or separator. "no, mejor 3", "no gracias" and
    "no quiero la coca" stay what they were (a correction, a refusal, an edit)."""
    if found[position].folded not in ("no", "not") or position + 1 >= len(found):
        return False
    following = found[position + 1].folded
    if found[position].folded == "not":  # "not too spicy", "not so sweet"; "do not want" is no note
        return following in _HOW_MUCH or following in lex.option_words or following in lex.note_words
    if following in _SEPARATORS or following in lex.fillers or following in lex.quantities:
        return False
    return following.isalpha() and number(following) is None


def _correction(found: list[Token], position: int, lex: Lexicon, said_before: bool) -> int:
    """How many tokens a correction takes here ("no, perdón", "digo", "sorry I mean"; 0: none).

    Only after something was said, and "no" only before a separator, a quantity or another
    correction word: "no cebolla" is a note and "no más" is "only"."""
    if not said_before or found[position].folded not in _correction_openers():
        return 0
    for phrase in lex.intent_phrases("correction"):
        size = phrase.count(" ") + 1
        if " ".join(t.folded for t in found[position : position + size]) == phrase:
            return size
    if found[position].folded != "no" or position + 1 >= len(found):
        return 0
    if position > 0 and found[position - 1].folded == "si":
        return 0  # "¿tienen de bacalao? si no, una hawaiana" (`_fallback`): nothing taken back
    following = found[position + 1].folded
    if following in _SEPARATORS or number(following) is not None or following in lex.quantities:
        return 1
    return 0


_IT_OFF = frozenset({"quitalo", "quitala", "quitalos", "quitalas", "borralo", "borrala", "sacalo", "sacala"})
"""A verb of taking off after "ese no" ("ay no ese no quítalo"): of the same item, nothing more."""


def _take_back(found: list[Token], position: int, lex: Lexicon) -> int:
    """How many tokens a phrase that takes back the item just said takes here ("ese no", "not that
    one", "no not that"; `take_back` in `lexicon.toml`), with a "quítalo" after it; 0: none, or
    more is said before the next comma or "y" ("ese no el grande" is no take-back)."""
    if found[position].folded not in _take_back_openers():
        return 0
    for phrase in lex.intent_phrases("take_back"):
        size = phrase.count(" ") + 1
        if " ".join(t.folded for t in found[position : position + size]) != phrase:
            continue
        if position + size < len(found) and found[position + size].folded in _IT_OFF:
            size += 1
        ends = position + size >= len(found) or found[position + size].folded in _SEPARATORS
        return size if ends else 0
    return 0


@cache
def _take_back_openers() -> frozenset[str]:
    return frozenset(phrase.split()[0] for phrase in lexicon().intent_phrases("take_back"))


@cache
def _correction_openers() -> frozenset[str]:
    """The first words of the correction phrases, and "no": most tokens are none of them."""
    return frozenset({"no", *(phrase.split()[0] for phrase in lexicon().intent_phrases("correction"))})


def _corrected(parts: list[Part], current: Part, count_opened: bool) -> Part:
    """The part that follows a correction: it takes back the item said before it. A quantity said
    alone just before ("5 no 6 panes") is itself taken back; `count_opened`: that quantity opened
    an item of its own (after a comma or «y»), so the item before it stays."""
    if current.words or current.note or current.portions:
        parts.append(current)
        return Part(corrects=True)
    if current.quantity is not None and count_opened:  # "una docena, 2 no mejor 3 atoles": only the 2 is taken back
        return Part(corrects=current.corrects)
    return Part(corrects=current.corrects or bool(parts))  # "un vacío para dos no mejor dos vacíos": the vacío


def _opens_item(found: list[Token], at: int) -> bool:
    """Whether the count at `at` opens an item: it begins the message or follows a separator
    ("…, 2 no mejor 3"), not a word that ties it to the item before ("un vacío para dos")."""
    return at <= 0 or found[at - 1].folded in _SEPARATORS


def _set_apart(folded: str, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a word is glue, a filler or a portion word rather than part of a product's name:
    words of the menu's names stay ("2 litros de jamaica" names Agua de jamaica litro), and so do
    portion words that say one in English ("2 cans of sprite": the Refresco de lata)."""
    if folded in _GLUE:
        return True
    if folded in lex.fillers and not index.knows(folded):
        return True
    if folded not in lex.portions:
        return False  # a portion the menu's names say, in its words or by its synonym, stays ("cans": «lata»)
    return not index.knows_key(folded) and not any(index.knows_key(m) for m in lex.synonyms.get(folded, "").split())


def _split_in_halves(found: list[Token], position: int) -> bool:
    """Whether the split word here is said again further on in the clause, a kind between them
    ("half garlic parm half hot"; not "half a dozen", counted before this is asked)."""
    for at in range(position + 2, len(found)):
        if found[at].folded in _CLAUSE_ENDS:
            return False
        if found[at].folded in SPLITS:
            return True
    return False


def _served_in_portion(found: list[Token], position: int, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether "en" here opens what an item is served in, a portion word of no name of the menu,
    maybe after an article ("un latte en vaso", "un café en una taza grande"): its note, where the
    portion word alone would be set apart and the note lost. No measure ("en litro")."""
    at = position + 1
    if at < len(found) and found[at].folded in _SERVING_ARTICLES:
        at += 1
    if at >= len(found) or f"en {found[position + 1].folded}" in index.folded_pairs:
        return False
    word = found[at].folded
    return word in lex.portions and _set_apart(word, index, lex) and amount_said(1, word) is None


def _said_to_the_person(found: list[Token], position: int, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether the message's first word is an interjection before a comma or an ordering verb,
    though the menu's names hold it: "sweet lemme get 2", "sweet, gimme 3" (not the Sweet tea)."""
    if position != 0 or found[0].folded not in lex.fillers or len(found) < 2:
        return False
    following = found[1].folded
    return following in (",", "!", ".") or (following in lex.fillers and not index.knows(following))


def _means_a_name_word(folded: str, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a word set apart elsewhere ("sweet lemme get 2", "can I get") is, by its synonyms, a
    word of the menu's names («dulce» of a Tamal dulce; after a count, "a can of coke": «lata»)."""
    return any(index.knows(meaning) for meaning in lex.synonyms.get(folded, "").split())


def _greeting(found: list[Token], position: int, lex: Lexicon, index: ProductIndex) -> int:
    """How many tokens a greeting of several words takes here ("buen día", "buenas noches", "good
    morning"; `greet` in `lexicon.toml`) when one of its words is a menu word the filler list
    cannot set apart ("día" of an Agua del día); 0: none, or the menu's names hold the phrase."""
    if found[position].folded not in _greeting_openers():
        return 0
    for phrase in lex.intent_phrases("greet"):
        said = phrase.split()
        if len(said) < 2 or [t.folded for t in found[position : position + len(said)]] != said:
            continue
        if any(index.knows(w) for w in said) and " ".join(said[:2]) not in index.folded_pairs:
            return len(said)
        return 0
    return 0


@cache
def _greeting_openers() -> frozenset[str]:
    return frozenset(phrase.split()[0] for phrase in lexicon().intent_phrases("greet") if " " in phrase)


def _dedication(found: list[Token], position: int, lex: Lexicon) -> int:
    """How many tokens a phrase that opens what a card or cake should say takes here ("que diga",
    "that says"; `dedication` in `lexicon.toml`); 0: none."""
    if found[position].folded not in _dedication_openers():
        return 0
    for phrase in lex.intent_phrases("dedication"):
        size = phrase.count(" ") + 1
        if " ".join(t.folded for t in found[position : position + size]) == phrase:
            return size
    return 0


@cache
def _dedication_openers() -> frozenset[str]:
    return frozenset(phrase.split()[0] for phrase in lexicon().intent_phrases("dedication"))


def _dedication_end(found: list[Token], position: int, index: ProductIndex, english: bool) -> int:
    """Where what a card should say ends: at a new line, or at a comma or "y" before a quantity
    ("… que diga feliz día y 2 globos"); otherwise at the end of the message ("te amo, mamá")."""
    while position < len(found):
        here = found[position].folded
        if here == "\n" or (here in _SEPARATORS and position + 1 < len(found)
                             and _is_quantity(found, position + 1, index, english)):  # fmt: skip
            return position
        position += 1
    return position


def _note_or_item(part: Part, found: list[Token], index: ProductIndex, lex: Lexicon, english: bool) -> list[Part]:
    """A note that surely names a product ("brisket sandwich with slaw", "con papas fritas") is
    that product, a part of its own: a product is never hidden in a note."""
    if part.saying is not None:
        return _with_saying(part, found, index, lex, english)
    if not part.note or any(fold(w) in TAKING_AWAY for w in part.note) or fold(part.note[0]) in _CARRIERS:
        return [part]  # "with no onions": a product taken away is a note, never an item
    named = _named_with_note(part, found, index, lex)
    if named is not None:
        return [named]
    inner = next((k for k, i in enumerate(part.note_spans[1:], 1) if found[i].folded in _INNER_OPENERS), None)
    if inner is not None:  # "a punto con ensalada mixta": the note, then what follows "con" on its own
        head = replace(part, note=part.note[: len(part.note) - len(part.note_spans) + inner],
                       note_spans=part.note_spans[:inner])  # fmt: skip
        tail = Part(note=part.note[len(part.note) - len(part.note_spans) + inner :],
                    note_spans=part.note_spans[inner:], in_note=True)  # fmt: skip
        split = _note_or_item(tail, found, index, lex, english)
        if len(split) == 2:
            return [head, split[1]]
    ignored = lex.fillers | lex.portions | _GLUE
    # a portion word the menu's names use is part of the name: "con un refresco de lata"
    spans = [i for i in part.note_spans[1:] if found[i].folded not in ignored or index.knows(found[i].folded)]
    words: list[str] = []
    counted = any((number(found[i].folded) or 0) >= 2 for i in part.note_spans)
    # "con 2 consomés": a count of two or more says a product, even one whose name says more
    # ("Consomé medio litro") than the words match well
    for tried in _note_names(part, spans, found, index):
        words = [found[i].folded for i in tried]
        matches = index.match(words, lex.synonyms) if words else []
        verdict = verdict_of(matches)
        # A kind's word ("con una gaseosa") is a product even when the menu has several: asked, never a note.
        kind = bool(words) and " ".join(words) in every_kind_word() and verdict is not None
        sure = (verdict is not None and verdict[0] and matches[0].typed >= SURE
                and (matches[0].score >= ACCEPT or counted))  # fmt: skip
        sized = verdict is not None and not sure and _sized_product(words, index, lex, english)
        measured = (verdict is not None and not (kind or sized) and matches[0].typed >= SURE
                    and _named_but_measure(words, verdict[1], lex, english))  # fmt: skip
        if kind or sized or measured or (sure and _names_alone(matches, words, english)):
            spans = tried
            break
    else:
        return [part]
    counts = [number(w) for w in words if number(w) is not None]  # "… con 2 philadelphia roll"
    at = spans[0] - 1
    while not counts and at in part.note_spans:  # "con 2 órdenes de arroz": the count before the name
        said = number(found[at].folded)
        if said is not None:
            counts = [said]
        elif found[at].folded not in ignored:
            break
        at -= 1
    kept = [(w, i) for w, i in zip(words, spans, strict=True) if number(w) is None]
    item = Part(quantity=counts[0] if counts else None, words=[w for w, _ in kept], spans=[i for _, i in kept],
                with_item=True)  # fmt: skip
    if not part.words and not part.portions and item.quantity is None and part.quantity is not None:
        item.quantity = part.quantity  # "one with lemonade": the one is the lemonade's count, not a loose one
        return [item]
    return [replace(part, note=[], note_spans=[], in_note=False), item]


_MORE = frozenset({"extra", "extras", "more", "mas"})
"""Words that ask for more of a topping: on a menu that sells the topping ("Extra boba", "Extra
de queso") the note names it; otherwise they only say how much ("with extra cheese foam")."""


def _note_names(part: Part, spans: list[int], found: list[Token], index: ProductIndex) -> list[list[int]]:
    """The note's words that may name a product, most first: with its marker when that is a word of
    the menu's names ("extra boba": Extra boba), as said, and without a leading "extra" ("with
    extra cheese foam": Cheese foam)."""
    marker = found[part.note_spans[0]].folded
    tries = [[part.note_spans[0], *spans]] if marker in _MORE and index.knows(marker) else []
    tries.append(spans)
    if len(spans) > 1 and (found[spans[0]].folded in _MORE or number(found[spans[0]].folded) is not None):
        tries.append(spans[1:])  # "con 2 órdenes de arroz" on a menu whose names hold a «2»: its count
    return tries


def _names_alone(matches: list[Match], typed: list[str], english: bool) -> bool:
    """Whether a note's words name its best product as a product of its own, not as how the item
    comes: they hold the head of one of its names (its first word; in English its last), and no
    other product holds them all unless they are that name as written. "con papas" names the Papas
    a la francesa and "con tarjeta" the Tarjeta con dedicatoria; "con queso" names neither the Pizza
    cuatro quesos nor the Quesadilla (whose "quesa" sounds alike) and "with onions" is no Onion rings."""
    product = matches[0].product
    if not _headed(product, typed, english):
        return False
    names = [[w for w in words_of(name) if w not in _GLUE] for name in (product.name, *product.aliases)]
    shared = len(matches) > 1 and matches[1].typed >= SURE
    return not shared or typed in names


def _headed(product: ProductView, typed: list[str], english: bool) -> bool:
    """Whether the typed words hold the head of one of the product's names: its first word, in
    English its last; an English word for a Spanish menu's word ("card": tarjeta) heads it first."""
    keys = {key(w) for w in typed}
    spanish = {key(other) for w in typed for other in lexicon().synonyms.get(w, "").split()}
    for name in (product.name, *product.aliases):
        said = [w for w in words_of(name) if w not in _GLUE]
        if said and (key(said[-1] if english else said[0]) in keys or key(said[0]) in spanish):
            return True
    return False


def _sized_product(typed: list[str], index: ProductIndex, lex: Lexicon, english: bool) -> bool:
    """Whether a note's words but its size surely name a product by its head ("con una inca kola
    grande": the Inca Kolas, of which the size picks one): an item, asked about, never a note."""
    core = [w for w in typed if w not in SIZES]
    if not core or len(core) == len(typed):
        return False
    matches = index.match(core, lex.synonyms)
    verdict = verdict_of(matches)
    sure = verdict is not None and verdict[0] and matches[0].typed >= SURE and matches[0].score >= ACCEPT
    return sure and _headed(matches[0].product, core, english)


def _named_but_measure(typed: list[str], products: tuple[ProductView, ...], lex: Lexicon, english: bool) -> bool:
    """Whether a note's words name each of `products` by its head and all of its name but a size or
    a measure ("con su consomé": the Consomé medio litro; "con un agua de horchata": the medio litro
    or the litro, asked): an item, never a note (the consomé stayed a note, and went with the
    barbacoa when it was swapped)."""
    keys = {key(w) for w in typed}
    measures = SIZES | lex.portions | STOPWORDS
    for product in products:
        rest = [w for w in words_of(product.name) if key(w) not in keys and w not in measures]
        if not _headed(product, typed, english) or not all(_a_size(w) for w in rest):
            return False
    return bool(products)


def _a_size(word: str) -> bool:
    """Whether a word of a name says a size: a number ("600" of "Coca-Cola 600 ml") or a unit."""
    return number(word) is not None or word.replace(".", "").replace(",", "").isdigit() or only_measure([word])


def _named_with_note(part: Part, found: list[Token], index: ProductIndex, lex: Lexicon) -> Part | None:
    """The part with its note as one name, when that surely names another product than its words
    alone: "3 elotes con takis" is the Elote con Flamin' Hot (alias "elote con takis"), not an
    Elote entero with a note. None otherwise ("elote con todo")."""
    if not part.words or len(part.note) != len(part.note_spans):
        return None
    noted = [found[i].folded for i in part.note_spans]
    matches = index.match([*part.words, *noted], lex.synonyms)
    verdict = verdict_of(matches)
    if not (verdict and verdict[0] and matches[0].typed >= SURE and matches[0].score >= ACCEPT):
        return None
    alone = verdict_of(index.match(part.words, lex.synonyms))
    if alone is not None and alone[0] and alone[1][0] is verdict[1][0]:
        return None
    return replace(part, words=[*part.words, *noted], spans=[*part.spans, *part.note_spans], note=[],
                   note_spans=[], in_note=False)  # fmt: skip


def _with_saying(part: Part, found: list[Token], index: ProductIndex, lex: Lexicon, english: bool) -> list[Part]:
    """A part whose note says what a card should say: the note before those words may name a
    product ("un ramo … con una tarjeta que diga feliz día"), and then what it says is that
    product's note; otherwise it is the part's own ("una tarjeta que diga te amo")."""
    assert part.saying is not None
    cut = len(part.note) - len(part.note_spans) + part.saying
    head = replace(part, note=part.note[:cut], note_spans=part.note_spans[: part.saying], saying=None)
    saying, saying_spans = part.note[cut:], part.note_spans[part.saying :]
    if not head.note:
        return [part]
    split = _note_or_item(head, found, index, lex, english)
    if len(split) != 2:
        return [part]
    return [split[0], replace(split[1], note=saying, note_spans=saying_spans, in_note=True)]


def _old_value(found: list[Token], position: int) -> int:
    """How many tokens "en vez de N" / "en lugar de N" / "instead of N" takes here (0: none)."""
    ahead = [t.folded for t in found[position : position + 4]]
    if ahead[:3] in (["en", "vez", "de"], ["en", "lugar", "de"]) and len(ahead) == 4 and number(ahead[3]):
        return 4
    if ahead[:2] == ["instead", "of"] and len(ahead) >= 3 and number(ahead[2]):
        return 3
    return 0


def _next_unit_with(found: list[Token], position: int, current: Part) -> bool:
    """Whether a count inside the note of a unit said with no product of its own opens the next
    such unit, with no comma between: "2 wing combos, one with sprite one with coke", "2 corridas,
    una con mole una con tinga" (the coke was read into the first unit's note, then ordered)."""
    if current.words or current.quantity is None or position + 1 >= len(found):
        return False
    return number(found[position].folded) is not None and found[position + 1].folded in _INNER_OPENERS


def _quantity(parts: list[Part], current: Part, value: int, joined: bool = True) -> Part:
    """A quantity starts a new part when the current one already has a product and a quantity.
    `joined`: it follows the count before it ("3 x 2"); else that count was no count ("para el 18
    quiero 30 empanadas", "suite 400 we need 2 dozen": a date, a suite), and this one replaces it."""
    if current.words and (current.quantity is not None or current.in_note):
        parts.append(current)
        return Part(quantity=value)
    if current.words:
        current.quantity = value  # "ciel 3", "pastor x3": after the name
    else:
        if current.quantity is None or current.quantity == value or not joined:  # "2 (dos) gringas" says it twice
            current.quantity = value
        else:
            current.quantity *= value
    return current


_BETWEEN_COUNTS = frozenset({"x", "por", "times", "*", "(", ")"})


def _joined(found: list[Token], counted_to: int, position: int) -> bool:
    """Whether the count at `position` follows the count said before it (ending at `counted_to`),
    with nothing but a times sign between ("3 x 2", "2 (dos)"): words between ("para el 18
    quiero 30") say the first number was something else."""
    return counted_to >= 0 and all(t.folded in _BETWEEN_COUNTS for t in found[counted_to:position])


def _is_quantity(found: list[Token], position: int, index: ProductIndex, english: bool) -> bool:
    folded = found[position].folded
    following = found[position + 1].folded if position + 1 < len(found) else ""
    if index.knows(folded) and not folded.isdigit() and not _counts_here(found, position, index):
        return False
    if (f"{folded} {following}" in index.folded_pairs and not _counted_in_unit(found, position, index)
            or _english_pair(found, position, index)):  # fmt: skip
        return False  # "pizza 4 quesos", "coca 600 ml": the number is part of the name
    before = found[position - 1].folded if position > 0 else ""
    if before.isdigit() and folded.isdigit() and f"{before} {folded}" in index.folded_pairs:
        return False  # "una bilz de 1,5": the decimal of a size the menu has ("Bilz 1,5 litros"), no count
    if _names_number(before, folded, index):
        return False  # "pañales etapa 4", "yogur pack 4": the number of a name the menu has
    if _pack_count(folded, before, index):
        return False  # "tapabocas x10" on a menu of "Tapabocas x 10": the pack, not ten of them
    after_product = index.knows(before) and before not in _GLUE and before not in _SEPARATORS  # not "… y 2 kilos"
    if folded.isdigit() and index.knows(folded) and following in _UNITS and after_product:
        return False  # "coca 3 lt": a size the menu has, not a quantity
    if folded.isdigit() and index.knows(folded) and position > 1 and found[position - 1].folded in ("de", "del"):
        return False  # "2 cocas de 3", "un lápiz del 2": the size
    if folded in _ENGLISH_ARTICLES:
        return english
    if _one_of_it(found, position, index):
        return False  # "swap it for a strawberry one": the product said, no one more of anything
    if folded in lexicon().fillers and folded not in lexicon().quantities:
        return False  # "unos", "unas": some, not one
    return number(folded) is not None or folded in lexicon().quantities


_ONE_OPENERS = frozenset({"a", "an", "the", "that", "this"})
"""What opens "a strawberry one", "the large one": the article before the word that qualifies."""


def _one_of_it(found: list[Token], position: int, index: ProductIndex) -> bool:
    """Whether an English "one" here stands for the product rather than counting one ("a
    strawberry one", "make the fries a large one pls"): an article and a word that qualifies come
    just before it, and it ends what is said ("a large one, 2 hot dogs" still counts the hot dogs)."""
    if found[position].folded not in ("one", "ones") or position < 2:
        return False
    if found[position - 2].folded not in _ONE_OPENERS:
        return False  # "switch one of the lychee", "2 combos one with lemonade": a count
    before = found[position - 1].folded
    if not before.isalpha() or before in _GLUE or before in _SEPARATORS or number(before) is not None:
        return False
    if before in lexicon().quantities or before in lexicon().fillers:
        return False  # "a single one", "the other one": no product word
    following = found[position + 1].folded if position + 1 < len(found) else ""
    if following in _SEPARATORS or not following:
        return True
    return following in lexicon().fillers and not index.knows(following)  # "… one pls"; "one with tea" counts


def _counted_in_unit(found: list[Token], position: int, index: ProductIndex) -> bool:
    """Whether a number and a unit that some name holds ("2 kg" of "Malla de naranjas 2 kg") count
    the product said after them in that unit: "2 kg de tomates" is two kilos of tomatoes, as the
    word after it is no word of the names that hold the pair ("2 kg de naranjas" is the Malla)."""
    pair = f"{found[position].folded} {found[position + 1].folded}"
    if found[position + 1].folded not in _UNITS:
        return False
    after = position + 2
    while after < len(found) and found[after].folded in ("de", "of"):
        after += 1
    if after >= len(found) or found[after].folded in _SEPARATORS:
        return False
    return found[after].folded not in index.pair_words.get(pair, frozenset())


def _ends_a_note_word(current: Part, folded: str, lex: Lexicon) -> bool:
    """Whether the item's last word and this one are a note word in two ("medium-rare",
    "medium well"), so the first is the note's and not the product's."""
    return bool(current.words) and f"{current.words[-1]}-{folded}" in lex.note_words


def _counts_here(found: list[Token], position: int, index: ProductIndex) -> bool:
    """Whether an article or number word that some name holds ("un kilo", "Pizza cuatro quesos")
    still counts here: it does unless the word beside it is its neighbour in that name, so "un
    helado" is one ice cream of any size, not the "Helado 1 kg" whose alias is "un kilo"."""
    folded = found[position].folded
    value = number(folded) or lexicon().quantities.get(folded)
    if value is None:
        return False
    before = found[position - 1].folded if position > 0 else ""
    after = found[position + 1].folded if position + 1 < len(found) else ""
    pairs = {f"{said} {after}" for said in (folded, str(value))} | {f"{before} {folded}"}
    return not pairs & index.folded_pairs  # "six wings" is the "6 wings" as "six piece" is


_COUNT_WORDS = frozenset({"x", "de", "del", "y", "and", "e", "of"})
"""Words before a number that leave it a count even when some name has that pair ("gasas x 2")."""


def _names_number(before: str, folded: str, index: ProductIndex) -> bool:
    """Whether a number said after a name word is that word's number in some name ("etapa 4",
    "pack 4", "No. 2"), not a count; a size in a unit ("Lejía 2 l") still lets "lejía 2" count."""
    if not folded.isdigit() or not before.isalpha() or before in _COUNT_WORDS:
        return False
    if f"{before} {folded}" not in index.folded_pairs:
        return False
    return not any(f"{before} {folded} {unit}" in index.folded_triples for unit in _UNITS)


def _pack_count(folded: str, before: str, index: ProductIndex) -> bool:
    """Whether "x10" (or "10x") after a name word is the "x 10" of a product's name: the count of
    a pack the menu sells as one product."""
    digits = folded.strip("x")
    if not digits.isdigit() or digits == folded or not index.knows(before):
        return False
    return f"x {digits}" in index.folded_pairs


def _english_pair(found: list[Token], position: int, index: ProductIndex) -> bool:
    """Whether a number and an English word one or two after it are, in Spanish, a pair of a
    product's name: "12 red roses" is the "Ramo de 12 rosas rojas" as "12 rosas rojas" is (English
    puts the colour first), and "20 alitas" the "20 wings" of an English menu."""
    lex = lexicon()
    folded = found[position].folded
    for token in found[position + 1 : position + 3]:
        if token.folded in _UNITS:
            return False  # "2 kilos de tomates": a quantity in a unit, whatever "2 kg" names
        meanings = lex.synonyms.get(token.folded, "").split()
        if not index.knows(token.folded):
            meanings += lex.backwards.get(token.folded, "").split()
        if any(f"{folded} {word}" in index.folded_pairs for word in meanings):
            return True
    return False


_INTO = frozenset({"en", "in", "into"})
"""What says into how many pieces a product is cut ("partido EN 4", "cut INTO 4")."""


def _cut_into(found: list[Token], position: int, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a word here says how the product is cut, into what follows ("cortado en dos",
    "cortámelo en 4", "cut in 2"): the product's note, so the number after it is no count."""
    folded = found[position].folded
    return (
        folded in lex.cut_words
        and not index.knows(folded)
        and position + 1 < len(found)
        and found[position + 1].folded in _INTO
    )


def _quantity_phrase(found: list[Token], position: int, lex: Lexicon, index: ProductIndex) -> tuple[int, int]:
    """(tokens used, value) of a several-word quantity idiom starting here ("media docena de")."""
    for size in (4, 3, 2):
        if position + size > len(found):
            continue
        phrase = " ".join(t.folded for t in found[position : position + size])
        if phrase in lex.quantities:
            return size, lex.quantities[phrase]
    return 0, 0


def _side_by_side_in_name(before: str, after: str, index: ProductIndex) -> bool:
    """Whether two words joined by "y" stand side by side in a product's name that leaves the "y"
    out ("2 de camarón y queso": the Empanada de camarón queso; cut in two, an Empanada de queso
    frita came on top, silently). Never a count, a joining word ("wings and 8 boneless") nor a size
    or measure ("3 tacos de carnitas y medio kilo de tortillas": no Carnitas medio kilo)."""
    plain = before.isalpha() and after.isalpha() and before not in _GLUE and after not in _GLUE
    sizes = SIZES | lexicon().portions | NOTE_MARKERS | _MORE  # "con extra de queso y extra de tuétano": two
    if not plain or any(number(w) is not None or w in sizes or only_measure([w]) for w in (before, after)):
        return False
    synonyms = lexicon().synonyms  # "shrimp and cheese" too
    firsts, seconds = [before, *synonyms.get(before, "").split()], [after, *synonyms.get(after, "").split()]
    return any(f"{a} {b}" in index.folded_pairs for a in firsts for b in seconds)


def _held_by_name(found: list[Token], position: int, index: ProductIndex) -> bool:
    """Whether a separator word sits inside a product name here ("jamón y queso")."""
    if position == 0 or position + 1 >= len(found):
        return False
    before, here, after = found[position - 1].folded, found[position].folded, found[position + 1].folded
    if f"{before} {here} {after}" in index.folded_triples:
        return True
    if here not in ("and", "&", "y", "e"):
        return False
    if _side_by_side_in_name(before, after, index):  # "camarón y queso": the Empanada de camarón queso
        return True
    synonyms = lexicon().synonyms  # "ham and cheese croissant": Croissant de jamón y queso
    first, second = synonyms.get(before, before).split(), synonyms.get(after, after).split()
    return bool(first and second) and f"{first[0]} y {second[0]}" in index.folded_triples

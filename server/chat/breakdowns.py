"""A total broken down by the parts after it: "2 americanos, uno grande y uno normal", "2 pizzas
grandes, una hawaiana y una de pepperoni", "dos docenas: una de carne y una de jamón y queso".

The first part says how many in all and, maybe, of what (a family, a shared size, or only a count
in dozens); the parts after it say how many of which and add up to that total. The total is then
no item of its own: each part after it is read with the total's words ("pizzas grandes" +
"hawaiana": Pizza hawaiana grande) and counted in the total's unit (a dozen each). When the parts
do not add up, nothing is rewritten: the total stays an item (asked about when unsure), so a
breakdown never silently changes what was counted.

A total that names one product surely ("2 tacos de pastor, 1 de suadero y 1 de bistec") is broken
down only by its sizes ("uno grande y uno normal"): other products after it are items of their own.

A total followed by flavours with no count of their own, as many as it counts ("2 hamburguesas
clásica y de pollo", "2 large pizzas, pepperoni and hawaiian"), is one of each (`_one_each`).

A total that only says what kind of thing follows ("3 rollos: 2 california y 1 acevichado", "2
guisados: un mole y un chile relleno", "2 large milk teas, one taro one thai") is broken down by
products named apart, each of that kind (`_named_apart`), read in the total's size. And "un pollo y
medio" is a whole one and a half one, when the menu sells both (`_and_a_half`).
"""

from __future__ import annotations

from dataclasses import replace

from comandia.server.chat.lexicon import Lexicon
from comandia.server.chat.matching import SURE, ProductIndex, key
from comandia.server.chat.matching import words as words_of
from comandia.server.chat.message_parts import Part, Token
from comandia.server.chat.model import CatalogView, ProductView
from comandia.server.chat.variants import SIZES, SMALLER, STOPWORDS
from comandia.server.chat.verdicts import of_category, verdict_of

_DOZEN = 12


def broken_down(
    parts: list[Part],
    index: ProductIndex,
    lex: Lexicon,
    found: list[Token] | None = None,
    catalog: CatalogView | None = None,
) -> list[Part]:
    """The parts with every total that its following parts add up to replaced by those parts,
    each read with the total's words and counted in its unit; `found`: the message's tokens;
    `catalog`: the menu, whose categories a total may name ("4 dips", "2 guisados: …")."""
    result: list[Part] = []
    position = 0
    while position < len(parts):
        head = parts[position]
        halved = _and_a_half(parts, position, index, lex, found)
        if halved is not None:  # "un pollo y medio": a whole chicken and a half one
            result += halved
            position += 2
            continue
        each = _one_each(parts, position, index, lex, found)
        if each is not None:  # "2 empanadas de pollo y de humita": one of each, never 2 de pollo + 1
            taken, shares = each
            result += shares
            position += taken
            continue
        flavours = _flavours(parts, position, index, lex)
        if flavours is not None:  # "3 refrescos de lata, 2 coca y 1 sprite": the cans, their flavours noted
            said = [f"{member.quantity} {' '.join(member.words)}" for member in flavours]
            note = [f"{words}," for words in said[:-1]] + said[-1:]
            spans = sorted({*head.note_spans, *(at for member in flavours for at in member.spans)})
            result.append(replace(head, note=note, note_spans=spans))
            position += 1 + len(flavours)
            continue
        group = _group(parts, position, index, lex, catalog)
        some = _some_of_them(parts, position, index, lex) if group is None and _apart(parts, position, found) else None
        if some is not None:  # "2 jugos de frutilla, uno con leche": one of the two is the one with milk
            quantity = (head.quantity or 0) - (some.quantity or 0)
            result += [replace(head, quantity=quantity), _with_head(head, some, 1, index, lex)]
            position += 2
            continue
        apart = _named_apart(parts, position, index, lex, catalog) if group is None else None
        if apart is not None:  # "3 rollos: 2 california y 1 acevichado": the rolls, no item of their own
            used, named = apart
            result += named
            position += 1 + used
            continue
        if group is None:
            result.append(head)
            position += 1
            continue
        unit, members = group
        result += [_with_head(head, member, unit, index, lex) for member in members]
        position += 1 + len(members)
    return result


def _group(
    parts: list[Part], at: int, index: ProductIndex, lex: Lexicon, catalog: CatalogView | None = None
) -> tuple[int, list[Part]] | None:
    """(unit, the parts that break the total at `at` down), or None when it is no such total."""
    head = parts[at]
    total = head.quantity
    if total is None or total < 2 or head.corrects or head.note:
        return None
    if not head.words and at + 1 < len(parts) and _group(parts, at + 1, index, lex, catalog) is not None:
        return None  # "para 4, 2 aguachiles uno verde y uno negro": the 2 is the total broken down
    units = (1, _DOZEN) if head.dozens else (1,)
    members: list[Part] = []
    count = 0
    for part in parts[at + 1 :]:
        if part.quantity is None or part.corrects or not (part.words or part.plain):
            return None
        members.append(part)
        count += part.quantity
        for unit in units:
            if count * unit == total and len(members) >= 2 and _fits(head, members, index, lex, catalog):
                return unit, members
        if count >= total:
            return None
    return None


def _one_each(
    parts: list[Part], at: int, index: ProductIndex, lex: Lexicon, found: list[Token] | None
) -> tuple[int, list[Part]] | None:
    """(how many parts from `at` on, what they become) when the total at `at` is followed by
    flavours with no count of their own, each a product with the total's noun, as many as the total
    counts: one of each. The total's own flavour is one of them ("2 hamburguesas clásica y de pollo":
    the clásica and the de pollo; "3 tacos de pastor, suadero y bistec"); a total that is only the
    noun, with its size maybe, counts the flavours alone and is no item ("2 large pizzas, pepperoni
    and hawaiian": a large of each). None when the count is not theirs ("4 tacos de pastor y
    suadero": the 4 stay the pastor's, the suadero one more; "2 tacos de suadero y frijoles
    charros": no taco)."""
    head = parts[at]
    total = head.quantity
    if total is None or total < 2 or head.corrects or head.note or head.dozens or head.counted_in or not head.words:
        return None
    if head.measure is not None or found is None or at + 1 == len(parts):
        return None
    own = verdict_of(index.match(head.words, lex.synonyms))
    noun = next((n for n in _nouns(head.words) if _one_flavour(n, head, parts[at + 1], index, lex, found)), None)
    if noun is None:
        return None
    # the total said a flavour of its own, or names a product surely: one of them ("2 tortas de
    # milanesa y de pollo": the milanesa and the milanesa de pollo)
    counted = len(noun) < len(head.words) or own is not None and own[0]
    made = [own[1][0]] if own is not None and own[0] else []
    members: list[Part] = []
    for number in range(at + 1, len(parts)):
        product = _one_flavour(noun, parts[number - 1], parts[number], index, lex, found)
        if product is None:
            break
        members.append(parts[number])
        made.append(product)
    if len(members) + counted != total or len(set(made)) < len(made):
        return None
    shares = [replace(head, quantity=1)] if counted else []
    shares += [replace(part, quantity=1, words=[*noun, *part.words], elliptic=False) for part in members]
    return 1 + len(members), shares


def _nouns(words: list[str]) -> list[list[str]]:
    """What of a total's words may be the noun its flavours share, longest first: all of them, then
    the words left when a run of them (the total's own flavour) is set apart, the first words first
    ("hamburguesas clasica": «hamburguesas»; "sesame bagels": «bagels»)."""
    nouns = [words]
    for length in range(len(words) - 1, 0, -1):
        cut = len(words) - length
        nouns += [words[:start] + words[start + cut :] for start in range(length, -1, -1)]
    return nouns


def _one_flavour(
    noun: list[str], before: Part, part: Part, index: ProductIndex, lex: Lexicon, found: list[Token]
) -> ProductView | None:
    """The product a part with no count of its own names with the total's noun, when it is one
    flavour of it listed after the part before ("…, suadero y bistec"): the noun and the part's
    words name it surely, every word of the noun and some of the part's words of its name. None for
    a count, a size, a noun said again ("y hamburguesa de pollo": an item of its own) or a question."""
    if part.quantity is not None or part.corrects or part.another or part.plain or part.measure is not None:
        return None
    if not part.words or set(part.words) <= SIZES or part.counted_in or part.dozens:
        return None
    if {key(w) for w in part.words} & {key(w) for w in noun if w not in STOPWORDS}:
        return None
    start = max([*before.spans, *before.note_spans], default=-1) + 1
    end = min([*part.spans, *part.note_spans], default=start)
    if not {t.folded for t in found[start:end]} <= _LISTING:
        return None  # "2 tacos de pastor, tienen de suadero?": asked, not listed
    product = _sure_product([*noun, *part.words], index, lex)
    if product is None:
        return None
    of_noun = any(m.product is product and m.typed >= SURE for m in index.match(noun, lex.synonyms))
    if not of_noun or not any(m.product is product and m.typed > 0 for m in index.match(part.words, lex.synonyms)):
        return None  # "2 empanadas de pino y napolitana": «pino» is no word of the napolitana
    return product


_LISTING = frozenset({",", ";", "/", "+", "&", "\n", ":", "y", "e", "and", "de", "del", "of"})
"""What may stand between the flavours of one total: a list's joints and the «de» before each."""


def _apart(parts: list[Part], at: int, found: list[Token] | None) -> bool:
    """Whether the part after `at` is set apart from it by a comma, not joined by "y"/"and": "2
    jugos de frutilla, uno con leche" says one of them; "2 comidas corridas y una de niño" one more."""
    if found is None or at + 1 >= len(parts):
        return False
    between = _between(parts[at], parts[at + 1], found)
    return "," in between and not between & {"y", "e", "and", "&", "+"}


def _some_of_them(parts: list[Part], at: int, index: ProductIndex, lex: Lexicon) -> Part | None:
    """The one part after a total naming one product surely that says fewer of them in another
    kind or size of it ("2 jugos de frutilla, uno con leche": the Jugo de frutilla con leche; "2
    americanos, uno grande"): those are some of the total, the rest stay as the total said (read
    alone, the part came on top: 3 juices for 2). A total that may be one of a few products ("3
    conchas", vanilla or chocolate) keeps the rest when the part names one of them ("3 conchas, una
    de chocolate": 2 conchas still asked about, never 3, nor lost). None for anything else ("2 de pastor, 1 de
    suadero": a product of its own; "3 de pastor, uno sin cebolla": a note of some, read later)."""
    head = parts[at]
    total = head.quantity
    if total is None or total < 2 or head.corrects or head.note or not head.words or at + 1 >= len(parts):
        return None
    member = parts[at + 1]
    if member.quantity is None or not 0 < member.quantity < total or member.corrects or member.note or member.measure:
        return None
    if not member.words or member.another or not _fits_with(head, member, index, lex):
        return None
    if not (member.elliptic or _sized(member) or member.words[0] in _HOW_IT_COMES):
        return None  # "2 jugos de frutilla, 1 jugo de piña": a product of its own
    own = verdict_of(index.match(head.words, lex.synonyms))
    together = verdict_of(index.match([*head.words, *member.words], lex.synonyms))
    if own is not None and not own[0] and together is not None and together[0] and together[1][0] in own[1]:
        return member  # "3 conchas, una de chocolate": one of what the total may be; the rest asked about
    if own is None or not own[0] or together is None:
        return None  # the total is no one product
    head_name, made = own[1][0], together[1][0]
    # another kind of the total names more than it does ("Jugo de frutilla" -> "… con leche"), never
    # a kind of its own in place of the total's ("2 quesadillas de queso, 1 de chicharrón")
    grown = {key(w) for w in words_of(head_name.name)} < {key(w) for w in words_of(made.name)}
    return member if made.sku != head_name.sku and grown else None


_HOW_IT_COMES = frozenset({"con", "sin", "with", "without"})
"""What opens a part that says how one of the total comes ("uno con leche"), naming no noun."""


def _flavours(parts: list[Part], at: int, index: ProductIndex, lex: Lexicon) -> list[Part] | None:
    """The parts after a total that names one product surely when they add up to it and each says
    one of the flavours its description offers ("3 refrescos de lata, 2 coca y 1 sprite" of the
    Refresco de lata, "Coca-Cola, Sprite o Fanta de 355 ml"): the total's shares, never products of
    their own (read as items, a Coca-Cola 2 litros came on top of the 3 cans, silently). None when
    it is no such total ("2 tacos de pastor, 1 coca y 1 sprite": no flavour of the taco; "2
    quesadillas de queso, 1 de chicharrón": another kind of it, `_group`)."""
    head = parts[at]
    total = head.quantity
    if total is None or total < 2 or head.corrects or head.note or not head.words:
        return None
    verdict = verdict_of(index.match(head.words, lex.synonyms))
    offered = {key(w) for w in words_of(verdict[1][0].description)} if verdict is not None and verdict[0] else set()
    if not offered:
        return None
    members: list[Part] = []
    for part in parts[at + 1 :]:
        if part.quantity is None or part.corrects or part.note or part.measure or not part.words:
            return None
        said = {key(w) for w in part.words if w not in STOPWORDS}
        if not said or not said <= offered or _fits_with(head, part, index, lex):
            return None
        members.append(part)
        count = sum(member.quantity or 0 for member in members)
        if count >= total:
            return members if count == total and len(members) >= 2 else None
    return None


def _fits(
    head: Part, members: list[Part], index: ProductIndex, lex: Lexicon, catalog: CatalogView | None = None
) -> bool:
    """Whether the parts are shares of the total: a total naming no product surely takes any; one
    naming a product surely only takes its sizes ("uno grande y uno normal")."""
    if not head.words:
        return True
    verdict = verdict_of(index.match(head.words, lex.synonyms))
    family = _family(head, index, lex)
    if verdict is not None and verdict[0]:
        return all(_sized(member) or _kind_of(head, member, family, index, lex) or _flavour(member, index, lex)
                   for member in members)  # fmt: skip
    among = {m.product.sku for m in index.match(head.words, lex.synonyms)}
    among |= {p.sku for p in of_category(catalog, head.words)} if catalog is not None else set()
    return all(
        _sized(member)
        or (member.elliptic and _of_family(member, family, index, lex))
        or _fits_with(head, member, index, lex)
        or _one_of(member, among, index, lex)
        for member in members
    )


def _one_of(member: Part, among: set[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a part names surely, by itself, one of the products the total may be ("4 dips, 2
    ranch 2 blue cheese": the Extra ranch of the Dips), a share of it (read alone, the 4 dips were
    asked about and then came on top of the 2 and 2)."""
    product = _sure_product(member.words, index, lex) if member.words else None
    return product is not None and product.sku in among


def _family(head: Part, index: ProductIndex, lex: Lexicon) -> set[str]:
    """The products whose names hold every word of the total ("carne": the Empanada de carne and
    the Empanada de carne picante; "empanadas": every empanada)."""
    return {m.product.sku for m in index.match(head.words, lex.synonyms) if m.typed >= SURE}


def _kind_of(head: Part, member: Part, family: set[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a part said without "de" is another kind of the product the total names surely: the
    total's words and its own name another product of the total's family ("2 aguachiles, uno verde
    y uno negro", where «aguachile» is the verde's other name: one of each, never 3 verdes)."""
    if member.elliptic or not member.words or not _fits_with(head, member, index, lex):
        return False
    matches = index.match([*head.words, *member.words], lex.synonyms)
    return matches[0].product.sku in family


def _of_family(member: Part, family: set[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether a part said with "de" is a share of the total: any, when the total's words name no
    family or the part no product surely; else only a product of the family ("6 de carne, 3 de jyq y
    3 de humita" is 12 empanadas, the 6 asked about, never 3 + 3 with the carne lost)."""
    verdict = verdict_of(index.match(member.words, lex.synonyms)) if member.words else None
    if not family or verdict is None or not verdict[0]:
        return True
    return verdict[1][0].sku in family


def _flavour(member: Part, index: ProductIndex, lex: Lexicon) -> bool:
    """ "2 jarritos, uno de mandarina y otro de tamarindo": a part said with "de" whose words name no
    product is a share of the one product the total names, its words that share's note (read
    alone, each was one more jarrito: 4 for 2)."""
    return member.elliptic and bool(member.words) and verdict_of(index.match(member.words, lex.synonyms)) is None


def _sized(member: Part) -> bool:
    """ "uno normal", "uno grande": a size of what the total named."""
    return member.plain or (bool(member.words) and set(member.words) <= SIZES)


def _fits_with(head: Part, member: Part, index: ProductIndex, lex: Lexicon) -> bool:
    """Whether the total's words and the member's name one product surely, all of them its words
    ("pizzas grandes" + "hawaiana"): "carne x4" + "verdura x2" are two items, not a breakdown."""
    matches = index.match([*head.words, *member.words], lex.synonyms)
    verdict = verdict_of(matches)
    return verdict is not None and verdict[0] and matches[0].typed >= SURE


def _with_head(head: Part, member: Part, unit: int, index: ProductIndex, lex: Lexicon) -> Part:
    """The member read with the total's words when together they name a product surely, counted
    in the total's unit."""
    quantity = (member.quantity or 1) * unit
    if not head.words:
        return replace(member, quantity=quantity, dozens=False)
    if _flavour(member, index, lex):  # "uno de mandarina": one jarrito, «mandarina» its note
        note, note_spans = [*member.words, *member.note], [*member.spans, *member.note_spans]
        return replace(member, quantity=quantity, words=head.words, spans=head.spans, note=note, note_spans=note_spans,
                       elliptic=False, dozens=False)  # fmt: skip
    sized = member.plain or bool(set(member.words) & SIZES)  # its own size replaces the total's
    smaller = bool(member.words) and set(member.words) <= SMALLER
    # "uno chico": the plain one, unless the menu sells the small one by that word ("Small coffee")
    own = [] if smaller and not _names_surely([*head.words, *member.words], index, lex) else member.words
    together = [*(w for w in head.words if not (sized and w in SIZES)), *own]
    matches = index.match(together, lex.synonyms)
    verdict = verdict_of(matches)
    if _sized(member) or (verdict and verdict[0] and matches[0].typed >= SURE):
        spans = member.spans or head.spans
        return replace(member, quantity=quantity, words=together, spans=spans, elliptic=False, dozens=False)
    return replace(member, quantity=quantity, dozens=False)


_ALL = frozenset({"all", "todos", "todas", "both", "ambos", "ambas", "los", "las", "de", "in"})
"""Words that say a size is of every one of the total ("all large", "todos grandes")."""
_OTHER = frozenset({"otro", "otra", "otros", "otras", "other", "another", "the"})
"""Words that open the next share of a total ("unos verdes y otros rojos")."""


def _named_apart(parts: list[Part], at: int, index: ProductIndex, lex: Lexicon, catalog: CatalogView | None
                 ) -> tuple[int, list[Part]] | None:  # fmt: skip
    """(how many parts after the total at `at` are its shares, those shares) when the total only says
    what kind of thing they are and each names a product of that kind on its own words: "3 rollos:
    2 california y 1 acevichado", "4 facturas: 2 vigilantes y 2 bolas de fraile", "2 ordenes de
    chilaquiles, unos verdes y otros rojos" (shares said with no count are one each, when as many as
    the total). A size said on the total ("2 large milk teas, one taro one thai", "4 atoles grandes,
    2 de champurrado y 2 de arroz", "3 drinks, all large: …") is each share's size. Read alone, the
    total was one more item (asked about: a third roll) and its size was lost. None for anything else:
    shares that do not add up, or a product not of the total's kind ("2 tostadas, 1 coca y 1 agua")."""
    head = parts[at]
    total = head.quantity
    if catalog is None or total is None or total < 2 or head.corrects or head.note or head.measure:
        return None
    sizes = [w for w in head.words if w in SIZES]
    noun = [w for w in head.words if w not in SIZES]
    start = at + 1
    if start < len(parts) and _size_of_all(parts[start]):  # "3 drinks, all large: …"
        sizes += [w for w in parts[start].words if w in SIZES]
        start += 1
    if not noun:
        return None
    kind = {m.product.sku for m in index.match(noun, lex.synonyms) if m.typed >= SURE}
    kind |= {product.sku for product in of_category(catalog, noun)}
    members: list[Part] = []
    for part in parts[start:]:
        if part.corrects or part.measure is not None or part.another or not part.words:
            return None
        if members and (part.quantity is None) != (members[0].quantity is None):
            return None  # "2 tacos: 1 de pastor, suadero": counted and not, no breakdown
        words = part.words[1:] if part.words[0] in _OTHER and len(part.words) > 1 else part.words
        made = _made(words, sizes, noun, index, lex)
        if made is None or made[0] not in kind:
            return None
        members.append(part if made[1] == part.words else replace(part, words=made[1], elliptic=False))
        count = sum(member.quantity or 1 for member in members)
        if count >= total:
            if count != total or len(members) < 2:
                return None
            return start - at - 1 + len(members), [replace(m, quantity=m.quantity or 1) for m in members]
    return None


def _size_of_all(part: Part) -> bool:
    """ "all large", "todos grandes": a part with no count that only says the size of every one."""
    said = set(part.words)
    return part.quantity is None and not part.note and bool(said & SIZES) and said <= SIZES | _ALL


def _made(words: list[str], sizes: list[str], noun: list[str], index: ProductIndex, lex: Lexicon
          ) -> tuple[str, list[str]] | None:  # fmt: skip
    """(the product, the words that name it) a share of a total names surely: its own words in the
    total's size, or with the total's noun ("rollos" + "california"); None when it names none."""
    tries = [[*words, *sizes], [*noun, *words, *sizes]] if sizes else [words, [*noun, *words]]
    for said in tries:
        if _names_surely(said, index, lex):
            return index.match(said, lex.synonyms)[0].product.sku, said
    return None


def _names_surely(said: list[str], index: ProductIndex, lex: Lexicon) -> bool:
    """Whether the words name one product surely, every one of them its words."""
    return _sure_product(said, index, lex) is not None


def _sure_product(said: list[str], index: ProductIndex, lex: Lexicon) -> ProductView | None:
    """The one product the words name surely, every one of them its words; None when unsure."""
    matches = index.match(said, lex.synonyms)
    verdict = verdict_of(matches)
    return verdict[1][0] if verdict is not None and verdict[0] and matches[0].typed >= SURE else None


_HALVES = {"medio": "entero", "media": "entera", "half": "whole"}
"""A half said after a count ("un pollo y medio"), with the word for a whole one of it."""


def _and_a_half(parts: list[Part], at: int, index: ProductIndex, lex: Lexicon, found: list[Token] | None
                ) -> list[Part] | None:  # fmt: skip
    """The count at `at` in whole ones and one half of it, when "y medio" / "and a half" follows it
    and the menu sells the half ("un pollo y medio": the Pollo entero and the Medio pollo; "dos
    pollos y medio": 2 whole and a half). Read alone, the half took the count and the whole ones were
    lost. None anywhere else ("un kilo y medio" is an amount; "una pizza y media coca": a product)."""
    whole = parts[at]
    if found is None or at + 1 >= len(parts) or whole.quantity is None or not whole.words or whole.note:
        return None
    half = parts[at + 1]
    if whole.measure is not None or half.measure is not None or half.corrects or half.quantity not in (None, 1):
        return None
    if not half.words or half.words[0] not in _HALVES or _between(whole, half, found) - {"a"} not in ({"y"}, {"and"}):
        return None
    rest = half.words[1:]  # "un pollo y medio a la brasa": said of both
    if rest and _names_surely(rest, index, lex):
        return None
    halved = [half.words[0], *whole.words, *rest]
    entire = [*whole.words, *rest, _HALVES[half.words[0]]]
    if not (_names_surely(halved, index, lex) and _names_surely(entire, index, lex)):
        return None
    half_of = index.match(halved, lex.synonyms)[0].product.sku
    if index.match(entire, lex.synonyms)[0].product.sku == half_of:
        return None
    return [replace(whole, words=entire), replace(half, quantity=1, words=halved, elliptic=False)]


def _between(first: Part, second: Part, found: list[Token]) -> set[str]:
    """The words said between two parts of the message."""
    start = max([*first.spans, *first.note_spans], default=-1) + 1
    end = min([*second.spans, *second.note_spans], default=start)
    return {token.folded for token in found[start:end]}

"""Counts that refer to the people or to the items already named: one for each of them.

"y una coca para cada uno" after "somos 4" is four cokes; "papas pa las 3" after three burgers is
three fries; "add cheese foam to both" after two teas is two foams; "a small coffee for each"
after three bagels is three coffees. The phrase is found here and taken out of the message; what
it counts is decided by the reader (`reading.read_order`): the items named before it in the same
message, else the people the customer said, else what the message before added (`Referents`).

"pa las 3" is also a time ("para las 3": at three o'clock), so a number is taken as one for each
only when it is as many as one of those counts; otherwise the message is read as it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from comandia.server.chat.lexicon import MAX_NUMBER, number
from comandia.server.chat.model import fold

MAX_PEOPLE = 50
"""A party bigger than this is no table's ("somos 200 en la empresa"): nothing is multiplied by it."""


@dataclass(frozen=True)
class Referents:
    """What the conversation before the message says "each" may count: the people the order is
    for ("somos 4", `ChatState.people`) and the units the message before added (`ChatState.last_added`)."""

    people: int = 0
    last: int = 0


@dataclass(frozen=True)
class Spread:
    start: int
    """Where the phrase begins in the message: it applies to the item said just before it."""
    count: int
    """How many it says (2 for "both", 3 for "pa las 3"); 0 for "para cada uno", counted by the reader."""
    said: str
    ahead: bool = False
    """The phrase comes before what it counts ("both with lychee jelly", "ambas con aros"): the
    item said just after it is the one for each."""


_PREPOSITION = r"(?:para|pa|pal|por|a|al|en|on|to|for|with|in|into)"
_SPREAD = re.compile(
    rf"\b(?:{_PREPOSITION}\s+(?:(?:los|las|the|all|all\s+the)\s+)(?P<count>\d{{1,2}}|dos|tres|cuatro|cinco|seis|"
    r"siete|ocho|two|three|four|five|six|seven|eight)(?!\s*(?::|pm\b|am\b|hrs?\b|horas?\b|de\s+la\b|y\s+media\b))"
    rf"(?:\s+(?:of\s+(?:us|them)|de\s+(?:nosotros|ellos|ellas)))?"
    rf"|{_PREPOSITION}\s+(?P<both>both|ambos|ambas)(?:\s+of\s+(?:us|them))?"
    r"|(?P<with_both>both|ambos|ambas|(?:los|las)\s+(?:dos|2))\s+(?:with|w|con)"
    r"|(?:(?:para|pa|por)\s+)?cada\s+(?:uno|una|quien|persona)(?:\s+de\s+(?:las|los|mis|sus)\s+[^\W\d_]+)?"
    r"|(?:for|to|on|in)\s+(?:each|every)(?:\s+(?:one|of\s+(?:us|them)))?|(?:for|to)\s+every(?:one|body)"
    r"|(?:para|pa)\s+(?:todos|todas|cada\s+quien))\b",
    re.IGNORECASE,
)
"""One for each: "para cada uno", "pa cada quien", "for each of us", "to both", "para ambas",
"pa las 3", "for all 3 of them", and "both with …", "las dos con …" (what both come with). A
number after "las"/"the" that a clock word follows ("a las 3 pm", "para las 2:30") is a time."""

PARTY = re.compile(
    r"\b(?:(?:somos|seremos|vamos\s+a\s+ser|we\s+are|we\W?\s*re|there\s+are)\s+(?P<count>\w+)"
    r"(?:\s+(?:personas|people|ppl|pax|of\s+us|adultos|adults))?|(?:for\s+)?(?:the\s+|all\s+)?(?P<us>\w+)\s+of\s+us"
    r"|(?:a\s+)?(?:(?:party|table|group|class)\s+of|(?:grupo|mesa|salon|salón)\s+de)\s+(?P<party>\w+)"
    r"(?:\s+(?:personas|people|ni[nñ]os|ni[nñ]as|alumnos|alumnas|chavos|chicos|kids|students|adultos|adults))?"
    r"|(?:para|pa|for)\s+(?P<for>\w+)\s+(?:personas|people|ppl|pax|adultos|adults))\b",
    re.IGNORECASE,
)
"""How many people order: "somos tres", "we're 2 ppl", "for the 3 of us", "party of 4", "mi grupo
de 30 niños", and "un zarandeado para 4 personas", "a dozen for 6 people" (the size of the order,
no product)."""


_ONE_OF = re.compile(
    rf"\b{_PREPOSITION}\s+(?:una|uno|one)\s+(?:de|of)\s+(?:las|los|mis|the|my)\s+(?:\d+\s+|dos\s+|two\s+)?[^\W\d_]+",
    re.IGNORECASE,
)
"""What an extra is for, among the items already named: "un doble queso pa una de las quesadillas",
"extra cheese on one of the burgers". It names the item it goes on, and orders none of it."""


def spread_said(text: str) -> Spread | None:
    """The one-for-each phrase of the message ("para cada uno", "to both"), or the one-of phrase
    ("pa una de las quesadillas": count 1, nothing multiplied); None when it has neither."""
    one = _ONE_OF.search(text)
    if one is not None:
        return Spread(one.start(), 1, one.group(0))
    found = _SPREAD.search(text)
    if found is None:
        return None
    if found.group("with_both"):
        return Spread(found.start(), 2, found.group(0), ahead=True)
    if found.group("both"):
        count = 2
    elif found.group("count"):
        count = min(number(fold(found.group("count"))) or 0, MAX_NUMBER)
        if count < 2:
            return None
    else:
        count = 0
    return Spread(found.start(), count, found.group(0))


def without_spread(text: str, spread: Spread) -> str:
    """The message with the phrase set apart by a comma: it names no product."""
    return f"{text[: spread.start]} , {text[spread.start + len(spread.said) :]}"


def for_people_at(text: str) -> int | None:
    """Where "para N personas" begins when the message says it ("comida corrida para 3 personas"):
    said after a dish, it may count that dish (`reading._for_the_people`); None when it is not said."""
    found = PARTY.search(text)
    if found is None or not found.group("for"):
        return None
    people = number(fold(found.group("for")))
    return found.start() if people is not None and 1 < people <= MAX_PEOPLE else None


def party_said(text: str) -> tuple[int, str]:
    """(the people, the text without the phrase) when the message says how many people order
    ("hola somos 3 personas"); (0, the text) otherwise."""
    found = PARTY.search(text)
    if found is None:
        return 0, text
    people = number(fold(found.group("count") or found.group("us") or found.group("party") or found.group("for")))
    if people is None or not 1 < people <= MAX_PEOPLE:
        return 0, text
    return people, f"{text[: found.start()]} , {text[found.end() :]}"

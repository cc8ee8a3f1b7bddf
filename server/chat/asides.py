"""What a customer says in parentheses after an item of a list: the same item said again, or
some units of it told apart.

"1 kilo de tortillas (o sea 2 de medio)", "1 six de modelo (6 latas)", "las dos con orilla
rellena (o sea 2 orillas)" say the count of the line before them once more, in other words: read
as more order they doubled it without a word. "3 americanos (1 grande)" tells one of the three
apart, as "3 americanos, 1 grande" does. An aside with no count ("(solo piña)", "(si, sin piña
jaja)") is a note and stays as written.

`reading` decides with `restated` (it reads the line before the aside and the aside itself);
this module finds the asides and says how each is to be read. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from comandia.server.chat.lexicon import lexicon, number
from comandia.server.chat.model import fold

_ASIDE = re.compile(r"\((?P<inner>[^()\n]*)\)")
_SAYING = re.compile(r"^\s*(?:o\s+sea|osea|es\s+decir|serian|seria|son|i\.?e\.?|that\s+is|thats|that's|so)\b[\s,:]*",
                     re.IGNORECASE)  # fmt: skip
"""Words that open an aside saying the same thing again ("o sea 2 de medio", "i.e. 2 cans")."""


@dataclass(frozen=True)
class Aside:
    start: int
    end: int
    before: str
    """The line before the aside, from the last line break or comma ("1 kilo de tortillas")."""
    said: str
    """The aside's words, without "o sea" ("2 de medio")."""


_SAID_AGAIN = re.compile(r"[,;]\s*(?P<inner>(?:o\s+sea|osea|es\s+decir)\b[^,;()\n]*)", re.IGNORECASE)
"""The same aside with no parentheses, after a comma ("un kilo de carnitas, o sea 2 medios")."""


def has_asides(text: str) -> bool:
    """Whether the text may hold an aside (`asides`): a parenthesis, or "o sea" after a comma."""
    return "(" in text or _SAID_AGAIN.search(text) is not None


def asides(text: str) -> list[Aside]:
    """The asides after an item that hold a count ("(2 de medio)", "(1 grande)", ", o sea 2
    medios"), in order."""
    found = []
    for match in sorted([*_ASIDE.finditer(text), *_SAID_AGAIN.finditer(text)], key=lambda m: m.start()):
        said = _SAYING.sub("", match.group("inner")).strip(" ,.;:")
        if not _counts(said):
            continue
        line = text[: match.start()].rsplit("\n", 1)[-1]
        before = re.split(r"[,;]", line)[-1].strip()
        if before:
            found.append(Aside(match.start(), match.end(), before, said))
    return found


def _counts(said: str) -> bool:
    words = fold(said).split()
    return bool(words) and any(number(w) is not None or w in lexicon().quantities for w in words[:2])


def without_asides(text: str, restated: Callable[[Aside], bool]) -> str:
    """`text` with each aside that `restated` says repeats the item before it left out, and each
    other counted aside read as a part of its own ("3 americanos (1 grande)" as "3 americanos, 1
    grande")."""
    out, at = [], 0
    for aside in asides(text):
        out.append(text[at : aside.start])
        out.append(" " if restated(aside) else f", {aside.said} ")
        at = aside.end
    out.append(text[at:])
    return "".join(out)

"""Numbers a customer types around an order that are not how many: list numbers and prices.

"1) 2 tacos de cabeza / 2) 1 quesadilla / 3) 1 agua" numbers the lines of a list, and "los tacos
de $18" says which tacos by their price. Read as quantities they would order 2 quesadillas, 3
aguas or 18 tacos without a word: a confirmed order silently wrong. Both are taken out of the
message before it is cut into parts (`message_parts`).

A line's number is a list number when the lines are numbered 1, 2, 3… in order (two lines at
least), or when another quantity follows it on its line ("2) 1 quesadilla"). A single "2. tacos"
stays a quantity: nothing says it is a list.
"""

from __future__ import annotations

import re

from comandia.server.chat.lexicon import lexicon, number
from comandia.server.chat.model import fold

_MARK = re.compile(r"^(?P<lead>[ \t]*)(?P<n>\d{1,2})[ \t]*(?P<sign>\)-?|\.-?|-(?=[ \t]))[ \t]*(?=\S)", re.MULTILINE)
"""A number opening a line as a list numbers it: "1)", "2.", "3.-", "4 -" (a dash only before a
quantity: "1 - pastor" may be one pastor)."""
_INLINE_MARK = re.compile(r"(?:(?<=\s)|^)(?P<n>\d{1,2})\)[ \t]*(?=\S)")
"""A number closed by a parenthesis inside a line ("… 1) 2 tacos 2) 1 agua"), a list mark only when
another quantity follows it."""
_CURRENCY_WORDS = (
    "pesos|peso|varos|varo|baros|dolares|dolar|dollars|dollar|bucks|euros|euro|soles|lucas|luquitas|mxn|usd|"
    "cop|clp|ars|eur|pen"
)
_PRICE = re.compile(
    rf"(?:[$€£]\s*\d+(?:[.,]\d+)*(?:\s*(?:{_CURRENCY_WORDS})\b)?"
    rf"|(?<![\w$€£])\d+(?:[.,]\d+)*\s*(?:[$€£]|(?:{_CURRENCY_WORDS})\b))",
    re.IGNORECASE,
)
"""An amount of money typed: "$18", "$ 1,490.00", "18 pesos", "25 varos", "€3,50", "12 USD"."""
_FIRST_WORD = re.compile(r"[^\W_]+")


def without_marks(text: str) -> str:
    """`text` without its list numbers and typed prices (each replaced by a space)."""
    if not any(c.isdigit() for c in text):
        return text
    text = _PRICE.sub(" ", text)
    marks = list(_MARK.finditer(text))
    numbered = len(marks) >= 2 and [int(m.group("n")) for m in marks] == list(range(1, len(marks) + 1))
    numbered = numbered and not any(m.group("sign") == "-" for m in marks)
    lines_marked = len(marks) == len([line for line in text.splitlines() if line.strip()])
    if numbered and lines_marked:
        return _MARK.sub(lambda m: m.group("lead") + " ", text)
    text = _MARK.sub(lambda m: m.group("lead") + " " if _quantity_follows(text, m.end()) else m.group(0), text)
    return _INLINE_MARK.sub(lambda m: " " if _quantity_follows(text, m.end()) else m.group(0), text)


def _quantity_follows(text: str, at: int) -> bool:
    """Whether the first word after `at` is a quantity ("2) 1 quesadilla", "1) dos tacos")."""
    found = _FIRST_WORD.search(text, at)
    if found is None or text[at : found.start()].strip():
        return False
    word = fold(found.group(0))
    return number(word) is not None or word in lexicon().quantities

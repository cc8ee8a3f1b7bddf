"""A time of day said inside an order ("un pollo para las 2 y media", "tacos for 7pm"): no quantity.

Read as numbers, "las 2 y media" ordered two of something and a half chicken. The time is taken out
of the text before the order is read; the order is what is left. A time is "las"/"la" and an hour
after "para", "a", "como a" or "tipo" ("para las 3", "a la 1"), or an hour with a clock mark
("7pm", "6:30", "8 hrs"), and it ends the message or a piece of it: "para las 2 pizzas" is no time.
"""

from __future__ import annotations

import re

_HOUR = r"(?:1[0-2]|0?[1-9])(?:[:.h][0-5]\d)?"
_AFTER = (
    r"(?:\s*(?:y\s+(?:media|cuarto)|en\s+punto|de\s+la\s+(?:ma[nñ]ana|tarde|noche)|a\.?\s?m\.?|p\.?\s?m\.?|hrs?|horas?))*"
)
_ENDS = r"(?=\s*(?:$|[,;.!?\n]|y\s|and\s|porfa|por\s+favor|please|pls|gracias|thanks|thx))"
_TIMES = re.compile(
    rf"\b(?:para|pa|a|como\s+a|tipo)\s+(?:las|la)\s+{_HOUR}{_AFTER}{_ENDS}"  # "para las 2 y media", "a la 1"
    rf"|\b(?:(?:para|pa|a|como\s+a|tipo|around|at|for|by)\s+)?(?:"
    rf"(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s*(?:a\.?\s?m\.?|p\.?\s?m\.?|hrs)"  # "7pm", "8:30 am", "8 hrs"
    rf"|(?:1[0-2]|0?[1-9]):[0-5]\d{_AFTER}"  # "6:30"
    rf"){_ENDS}",
    re.IGNORECASE,
)


def without_times(text: str) -> str:
    """`text` with every time of day said in it taken out."""
    return _TIMES.sub(" ", text)

"""What the order is for, said before it ("para el asado de hoy: 2 kilos de asado…", "para un
asado de 10 personas llevo 4 kilos de asado", "for the brisket party: 3 brisket tacos"): the
occasion is no item. When its word is a product's and the order after it names that product with
its own count, «el asado» of the occasion is no kilo more of it."""

from __future__ import annotations

import re

from comandia.server.chat import intents
from comandia.server.chat.model import CatalogView, fold

_OCCASION = re.compile(
    r"(?:^|[,.;:!]\s*)(?P<said>(?:para|pa|pal|for)\s+(?:(?:el|la|los|las|un|una|mi|nuestro|nuestra|the|a|an|our|my)\s+)?"
    r"(?P<word>[^\W\d_]+)(?:\s+[^,.;:!?]*?)?)"
    r"(?=\s*[,:;.!]|\s+(?:llevo|llevamos|quiero|queremos|necesito|necesitamos|dame|deme|mandame|mandeme|traeme"
    r"|ponme|pedimos|i need|we need|i want|we want|get me|give me)\b)",
    re.IGNORECASE,
)


def without_occasion(text: str, catalog: CatalogView) -> str:
    """The message without the occasion it opens an order with, when the occasion's word is a
    product's and the order after it names it again ("para el asado de hoy: 2 kilos de asado");
    else the message as it is."""
    found = _OCCASION.search(text)
    if found is None:
        return text
    word = intents.normalised(found.group("word"))
    if word not in intents.normalised(text[found.end() :]).split():
        return text  # "para la oficina: 3 moles": no product of its own word ordered after it
    if not any(word in fold(p.name).split() for p in catalog.products):
        return text  # "para mi 4 de pastor, para mi esposa 3…": a person, no product
    return (text[: found.start("said")] + text[found.end() :].lstrip(" ,:;.!")).strip()

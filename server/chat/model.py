"""The bot's vocabulary: who it talks for, what comes in, what goes out, what it knows of the menu.

Everything here is a frozen dataclass with no I/O. `Reply` enforces WhatsApp's interactive
limits when it is built (WHATSAPP.md "sending"): a reply that Meta would reject never leaves the
flow. Use `buttons_reply` / `list_reply` to build one from longer texts: they clip titles,
drop duplicates and cap the counts, so callers never have to count characters themselves.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from comandia.shared.domain.locales import locale_for_zone
from comandia.shared.domain.messages import CustomerRef as CustomerRef
from comandia.shared.domain.messages import Inbound as Inbound
from comandia.shared.domain.messages import InboundKind as InboundKind
from comandia.shared.schemas.rules import BusinessRules

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_LIST_SECTIONS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_SECTION_TITLE = 24
MAX_INTERACTIVE_BODY = 1024
MAX_TEXT_BODY = 4096
MAX_ID = 200

Row = tuple[str, str, str]
"""A list row: (id, title, description)."""
Section = tuple[str, tuple[Row, ...]]


@dataclass(frozen=True)
class TenantContext:
    """The business the bot speaks for; `text_overrides`, `delivery_fee` and the business `rules`
    (hours, pause, zones, payment, FAQ, cancel and hand-off limits) come from the tenant's settings
    (`services/tenancy/settings.py`), already checked."""

    tenant_id: str
    business_name: str
    locale: Literal["es", "en"]
    currency: str
    timezone: str
    text_overrides: dict[str, str] = field(default_factory=dict)
    delivery_fee: Decimal = Decimal(0)
    rules: BusinessRules = field(default_factory=BusinessRules)
    country_locale: str = ""
    """How the tenant's country writes money and dates (`shared.domain.locales`), whatever `locale`
    (the conversation's language) is: an English chat with a Mexican tenant reads $1,490.00.
    Empty: the country of `timezone`."""

    @property
    def formats_locale(self) -> str:
        """`country_locale`, or the locale of the time zone's country when none was given."""
        return self.country_locale or locale_for_zone(self.timezone)


@dataclass(frozen=True)
class Reply:
    """One message to the customer: plain text, reply buttons, or a list.

    Buttons are (id, title); list sections are (title, rows) with rows (id, title, description).
    A reply has buttons or a list, not both. Providers without interactive messages send
    `to_text()`, and the customer answers with a number or a title, which `choice_for` maps back.

    Raises:
        ValueError: a WhatsApp limit is exceeded (a bug in the caller: build with the helpers).
    """

    body: str
    buttons: tuple[tuple[str, str], ...] = ()
    list_button: str | None = None
    list_sections: tuple[Section, ...] = ()

    def __post_init__(self) -> None:
        problems = _limit_problems(self)
        if problems:
            raise ValueError("reply exceeds WhatsApp limits: " + "; ".join(problems))

    @property
    def interactive(self) -> bool:
        return bool(self.buttons or self.list_sections)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """(id, title) of every button or row, in the order `to_text` numbers them."""
        if self.buttons:
            return self.buttons
        return tuple((row[0], row[1]) for _, rows in self.list_sections for row in rows)

    def to_text(self) -> str:
        """The reply as one plain text: the body, then the choices numbered from 1."""
        lines = [self.body]
        number = 0
        if self.buttons:
            lines.append("")
            for number, (_, title) in enumerate(self.buttons, 1):
                lines.append(f"{number}. {title}")
        for section_title, rows in self.list_sections:
            lines.append("")
            if section_title:
                lines.append(f"*{section_title}*")
            for _, title, description in rows:
                number += 1
                lines.append(f"{number}. {title}" + (f" — {description}" if description else ""))
        return "\n".join(lines)[:MAX_TEXT_BODY]

    def choice_for(self, answer: str) -> str | None:
        """Map a typed answer ("2", or a title ignoring case and accents) to a choice id."""
        return choice_for(self.choices(), answer)


def choice_for(choices: tuple[tuple[str, str], ...] | list[tuple[str, str]], answer: str) -> str | None:
    """The id of the choice numbered `answer` (1-based) or titled `answer`; None when none is."""
    text = fold(answer).strip(" .)#")
    if text.isascii() and text.isdigit():  # "⓵" is a digit to isdigit() but not to int()
        index = int(text) - 1
        return choices[index][0] if 0 <= index < len(choices) else None
    for choice_id, title in choices:
        if text and fold(title) == text:
            return choice_id
    return None


def fold(text: str) -> str:
    """Lower case without accents or surrounding spaces ("Menú " -> "menu")."""
    if text.isascii():  # most messages: no accent to take off, and casefold is lower for ASCII
        return text.lower().strip()
    return _folded(text) if len(text) <= _FOLD_CACHED else _fold(text)


_FOLD_CACHED = 256
"""Longer texts (a 4,096-character message) are folded each time rather than kept."""


@functools.lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    """`_fold`, remembered: a turn folds the same message and the same menu names many times."""
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in "…" when it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Answer:
    """What the bot answered one message with: the replies in order, whether it handed the chat
    to a person (the flow's typed `Outcome.handoff`: the customer asked for one), and whether it
    understood the message (`Outcome.understood`: two misses in a row hand the chat over)."""

    replies: tuple[Reply, ...]
    handoff: bool = False
    understood: bool = True


def text_reply(body: str) -> Reply:
    return Reply(body=body[:MAX_TEXT_BODY])


def buttons_reply(body: str, buttons: list[tuple[str, str]]) -> Reply:
    """A reply with up to three buttons; titles clipped and made unique, extras dropped."""
    kept: list[tuple[str, str]] = []
    for button_id, title in buttons:
        short = clip(title, MAX_BUTTON_TITLE)
        if short and short not in {t for _, t in kept} and len(kept) < MAX_BUTTONS:
            kept.append((button_id[:MAX_ID], short))
    return Reply(body=clip_body(body, bool(kept)), buttons=tuple(kept))


def list_reply(body: str, button: str, sections: list[tuple[str, list[Row]]]) -> Reply:
    """A list reply; rows beyond ten in total and empty sections are dropped, texts clipped."""
    left = MAX_LIST_ROWS
    kept: list[Section] = []
    for title, rows in sections[:MAX_LIST_SECTIONS]:
        clipped = tuple(
            (row_id[:MAX_ID], clip(row_title, MAX_ROW_TITLE), clip(description, MAX_ROW_DESCRIPTION))
            for row_id, row_title, description in rows[:left]
        )
        if clipped:
            kept.append((clip(title, MAX_SECTION_TITLE), clipped))
            left -= len(clipped)
    if not kept:
        return text_reply(body)
    label = clip(button, MAX_LIST_BUTTON)
    return Reply(body=clip_body(body, True), list_button=label, list_sections=tuple(kept))


def clip_body(body: str, interactive: bool) -> str:
    limit = MAX_INTERACTIVE_BODY if interactive else MAX_TEXT_BODY
    return body if len(body) <= limit else body[: limit - 1] + "…"


def _limit_problems(reply: Reply) -> list[str]:
    problems: list[str] = []
    if not reply.body.strip():
        problems.append("empty body")
    limit = MAX_INTERACTIVE_BODY if reply.interactive else MAX_TEXT_BODY
    if len(reply.body) > limit:
        problems.append(f"body longer than {limit}")
    if reply.buttons and reply.list_sections:
        problems.append("both buttons and a list")
    titles = [title for _, title in reply.buttons]
    if len(titles) > MAX_BUTTONS or len(set(titles)) != len(titles):
        problems.append("more than 3 buttons or repeated titles")
    if any(not t or len(t) > MAX_BUTTON_TITLE for t in titles):
        problems.append("a button title is empty or longer than 20")
    rows = [row for _, section in reply.list_sections for row in section]
    if reply.list_sections:
        if not reply.list_button or len(reply.list_button) > MAX_LIST_BUTTON:
            problems.append("list button label missing or longer than 20")
        if len(rows) > MAX_LIST_ROWS or len(reply.list_sections) > MAX_LIST_SECTIONS:
            problems.append("more than 10 rows or sections")
    if any(not t or len(t) > MAX_ROW_TITLE or len(d) > MAX_ROW_DESCRIPTION for _, t, d in rows):
        problems.append("a row title is empty or longer than 24, or a description longer than 72")
    ids = [i for i, _ in reply.buttons] + [r[0] for r in rows]
    if len(set(ids)) != len(ids) or any(not i or len(i) > MAX_ID for i in ids):
        problems.append("ids must be unique, non-empty and at most 200 characters")
    return problems


@dataclass(frozen=True)
class ProductView:
    """A product as the bot shows it; `sku` doubles as the WhatsApp product_retailer_id."""

    sku: str
    name: str
    price: Decimal
    category_id: int | None = None
    description: str = ""
    available: bool = True
    stock: int | None = None
    aliases: tuple[str, ...] = ()
    """Other names the tenant gave the product ("coca", "refresco"), then the built-in ones that
    apply to it (`chat/synonyms.py`, added by `with_builtin_synonyms`); the matcher reads them too."""


@dataclass(frozen=True)
class CategoryView:
    id: int
    name: str


@dataclass(frozen=True)
class CatalogView:
    """The tenant's menu in display order; unavailable products are kept to answer about them."""

    categories: tuple[CategoryView, ...]
    products: tuple[ProductView, ...]

    def product(self, sku: str) -> ProductView | None:
        for product in self.products:
            if product.sku == sku:
                return product
        folded = fold(sku)
        return next((p for p in self.products if fold(p.sku) == folded), None)

    def available(self) -> tuple[ProductView, ...]:
        return tuple(p for p in self.products if p.available)


@dataclass(frozen=True)
class LatestOrder:
    """The customer's most recent order, for 'estado' / 'status'."""

    number: int
    status: str
    total: Decimal
    lines: tuple[tuple[str, int], ...] = ()
    """(sku, quantity) of its lines, for "lo mismo de la vez pasada"."""


@dataclass(frozen=True)
class OrderDraft:
    """What the customer confirmed; the service turns it into an order (channel "whatsapp")."""

    lines: tuple[tuple[str, int], ...]
    name: str
    address: str
    city: str | None
    phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: tuple[tuple[str, str], ...] = ()
    """(sku, note) of the lines the customer qualified ("sin cebolla"), stored on the order item."""
    fulfilment: str = "delivery"
    delivery_fee: Decimal | None = None
    """The fee the summary showed (the zone's, the flat one, 0 for pickup); None: the tenant's flat fee."""
    zone: str | None = None
    payment: str | None = None
    pay_with: Decimal | None = None
    sequence: int = 0
    """Counts the customer's confirmed drafts in this chat: with the session id it makes the
    idempotency key that stops a replayed confirmation from placing a second order."""

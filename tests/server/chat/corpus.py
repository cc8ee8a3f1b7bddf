"""The chat corpus player: menus and chats from `tests/data/chats/` played through the real flow.

`tests/data/chats/README.md` is the contract this module implements: how a chat is played (the
customer's turns, the oracle's answer to "did you mean X?", the checkout autopilot, the `after`
messages), when it passes, and what a silent drop is. `test_corpus.py` runs every chat as a test
case; `benchmarks/chat_accuracy.py` prints the pass rates and silent drops per file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import traceback
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import msgspec
from rapidfuzz import fuzz

from comandia.server.chat import flow
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.matching import key
from comandia.server.chat.model import (
    CatalogView,
    CategoryView,
    CustomerRef,
    Inbound,
    LatestOrder,
    OrderDraft,
    ProductView,
    TenantContext,
    fold,
)
from comandia.server.chat.state import ChatState
from comandia.server.chat.synonyms import with_builtin_synonyms
from comandia.server.chat.turn import Outcome
from comandia.server.services.tenancy.rules import checked_rule
from comandia.shared.domain.money import format_money, order_totals
from comandia.shared.schemas.tenants import TenantSettingsChange

ROOT = Path(__file__).resolve().parents[2] / "data" / "chats"
MENUS = ROOT / "menus"
PUBLIC = ROOT / "public"
HELDOUT = ROOT / "heldout"
UNSEEN = ROOT / "unseen"
"""Chats written in one sitting before being run, by an engineer of the chat brain: measured, never tuned to."""
KNOWN_FAILURES = ROOT / "known_failures.toml"

Expect = Literal["order", "no_order", "cancelled", "handoff"]
EXPECTS: tuple[str, ...] = ("order", "no_order", "cancelled", "handoff")
DEFAULT_NAME = "Cliente Corpus"
DEFAULT_ADDRESS = "Calle Reforma 12, Centro"
DEFAULT_CITY = "Puebla"
DEFAULT_PHONE = "+52 55 1234 5678"
_ORACLE_ROUNDS = 6  # "did you mean X?" questions answered in a row before the runner gives up
_AUTOPILOT_ROUNDS = 10
PREVIOUS_NUMBER = 41
"""The number of a chat's `previous_order`, completed before the chat; the chat's own orders follow it."""
_SPANISH_WORDS = "tu tus pedido carrito agregue quieres el la los las de que para con cuantas gracias listo tenemos"
_ENGLISH_WORDS = "your you order cart added want the of for with how many thanks done we have would"
_GLUE = frozenset({"con", "sin", "del", "los", "las", "the", "and", "with", "para", "for"})
"""Words of a name that refer to no product by themselves."""
_SPANISH = frozenset(_SPANISH_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


@dataclass(frozen=True)
class Menu:
    name: str
    tenant: TenantContext
    catalog: CatalogView


@dataclass(frozen=True)
class Chat:
    """One chat of the corpus, as its file states it (README "A chat file")."""

    id: str
    about: str
    file: str
    menu: str
    turns: tuple[str, ...]
    expect: Expect
    items: dict[str, int] = field(default_factory=dict)
    clock: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    customer: dict[str, str] = field(default_factory=dict)
    confirm: str | None = None
    after: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)
    not_found: tuple[str, ...] = ()
    not_named: tuple[str, ...] = ()
    """Words that order nothing ("oh", "queremos"): the bot must not name them back as not on the menu."""
    replies: dict[int, tuple[str, ...]] = field(default_factory=dict)
    language: str | None = None
    previous_order: dict[str, int] = field(default_factory=dict)
    """The customer's earlier order by SKU (README): what «lo mismo de la vez pasada» repeats."""


@dataclass
class Played:
    """What happened when a chat was played: the transcript, the outcome and what went wrong."""

    chat: Chat
    transcript: list[str] = field(default_factory=list)
    outcome: str = "no_order"
    items: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    silent_drops: list[str] = field(default_factory=list)
    silent_wrong: list[str] = field(default_factory=list)
    """Lines of a placed order that are silently wrong: a quantity the customer did not ask for,
    or a product they did not ask for, with nothing said about that product (README)."""

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        """The chat's transcript and what failed, to read in a failing test."""
        head = f"chat {self.chat.id} ({self.chat.file}): {self.chat.about}"
        wanted = f"expected {self.chat.expect} {self.chat.items or ''}; got {self.outcome} {self.items or ''}"
        return "\n".join([head, wanted, *("  FAIL " + f for f in self.failures), "", *self.transcript])


# -- loading ---------------------------------------------------------------------------------


def load_menus(folder: Path = MENUS) -> dict[str, Menu]:
    return {path.stem: _menu(path) for path in sorted(folder.glob("*.toml"))}


def load_chats(folder: Path) -> list[Chat]:
    """Every chat of every file in `folder`, in file then chat order."""
    chats: list[Chat] = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("chat", []):
            chats.append(_chat(entry, path.stem, str(data.get("menu", ""))))
    return chats


def known_failures(path: Path = KNOWN_FAILURES) -> dict[str, str]:
    """Chat id -> why it does not pass yet (the list may only shrink)."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("failures", {}).items()}


def known_unseen_drops(path: Path = KNOWN_FAILURES) -> dict[str, str]:
    """Unseen chat id -> the silent drop it still makes (table `unseen_silent_drops`).

    Unseen chats are never edited once run, so a silent drop found in a new batch cannot be fixed in
    the chat; it is listed here, in capitals, for the engineers of the chat brain to fix. The tests
    fail when a listed chat stops dropping, so this list only shrinks too.
    """
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("unseen_silent_drops", {}).items()}


def _menu(path: Path) -> Menu:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    locale = str(data.get("locale", "es_MX"))
    tenant = TenantContext(
        tenant_id=f"corpus-{path.stem}",
        business_name=str(data["business"]),
        locale="en" if locale.startswith("en") else "es",
        currency=str(data.get("currency", "MXN")),
        timezone=str(data.get("timezone", "America/Mexico_City")),
        country_locale=locale,
    )
    categories: dict[str, int] = {}
    products: list[ProductView] = []
    for entry in data.get("products", []):
        category = entry.get("category")
        category_id = categories.setdefault(str(category), len(categories) + 1) if category else None
        products.append(
            ProductView(
                sku=str(entry["sku"]),
                name=str(entry["name"]),
                price=Decimal(str(entry["price"])),
                category_id=category_id,
                description=str(entry.get("description", "")),
                available=bool(entry.get("available", True)),
                aliases=tuple(str(a) for a in entry.get("aliases", ())),
            )
        )
    catalog = CatalogView(
        categories=tuple(CategoryView(id=i, name=n) for n, i in categories.items()), products=tuple(products)
    )
    # As the server's load_catalog does: the built-in synonyms after the menu's own aliases.
    return Menu(path.stem, tenant, with_builtin_synonyms(catalog))


def _chat(entry: dict[str, Any], file: str, default_menu: str) -> Chat:
    expect = str(entry.get("expect", "order"))
    if expect not in EXPECTS:
        raise ValueError(f"chat {entry.get('id')}: expect must be one of {EXPECTS}, not {expect!r}")
    return Chat(
        id=str(entry["id"]),
        about=str(entry.get("about", "")),
        file=file,
        menu=str(entry.get("menu", default_menu)),
        turns=tuple(str(t) for t in entry.get("turns", ())),
        expect=expect,  # type: ignore[arg-type]  # checked against EXPECTS above
        items={str(k): int(v) for k, v in entry.get("items", {}).items()},
        clock=str(entry["clock"]) if "clock" in entry else None,
        settings=dict(entry.get("settings", {})),
        customer={str(k): str(v) for k, v in entry.get("customer", {}).items()},
        confirm=str(entry["confirm"]) if "confirm" in entry else None,
        after=tuple(str(t) for t in entry.get("after", ())),
        notes={str(k): str(v) for k, v in entry.get("notes", {}).items()},
        not_found=tuple(str(w) for w in entry.get("not_found", ())),
        not_named=tuple(str(w) for w in entry.get("not_named", ())),
        replies={int(k): tuple(str(s) for s in v) for k, v in entry.get("replies", {}).items()},
        language=str(entry["language"]) if "language" in entry else None,
        previous_order={str(k): int(v) for k, v in entry.get("previous_order", {}).items()},
    )


def tenant_for(menu: Menu, chat: Chat) -> TenantContext:
    """The menu's tenant with the chat's settings applied, checked as the settings API checks them."""
    if not chat.settings:
        return menu.tenant
    change = TenantSettingsChange.from_json(chat.settings)
    rules = {key: checked_rule(key, value) for key, value in change.rules().items()}
    tenant = replace(menu.tenant, rules=msgspec.structs.replace(menu.tenant.rules, **rules))
    if change.delivery_fee is not None:
        tenant = replace(tenant, delivery_fee=Decimal(str(change.delivery_fee)))
    return tenant


# -- playing ---------------------------------------------------------------------------------


class _Session:
    """One customer talking to the real flow; placed orders are kept as the service would."""

    def __init__(self, chat: Chat, menu: Menu, played: Played) -> None:
        self.chat, self.played = chat, played
        self.tenant = tenant_for(menu, chat)
        self.now = at_clock(chat, menu)
        self.catalog = menu.catalog
        self.customer = CustomerRef("5215512340000", None, "+5215512340000", None)
        self.state = ChatState()
        self.draft: OrderDraft | None = None
        self.number: int | None = None
        self.status, self.lines, self.total = "new", tuple(chat.previous_order.items()), Decimal(0)
        self.cancelled = False
        self.handoff = False
        self.bodies: list[str] = []
        self.named_back: list[str] = []
        self.turn_bodies: dict[int, list[str]] = {}
        if chat.previous_order:  # a returning customer: the service reports that order as the latest
            unknown = [sku for sku in chat.previous_order if self.catalog.product(sku) is None]
            if unknown:
                played.failures.append(f"previous_order names SKUs not on the menu: {unknown}")
            else:
                self.number, self.status = PREVIOUS_NUMBER, "completed"
                self.total = charged(self.lines, None, self.tenant, self.catalog)

    def send(self, message: Inbound, said: str, turn: int | None = None) -> Outcome:
        self.played.transcript.append(f"cliente: {said}")
        latest = None
        if self.number is not None:
            status = "cancelled" if self.cancelled else self.status
            latest = LatestOrder(self.number, status, self.total, self.lines)
        outcome = flow.step(self.state, message, self.tenant, self.catalog, self.customer, latest, self.now)
        self.state = outcome.state
        if outcome.handoff:
            self.handoff = True
        if outcome.cancel_order is not None and outcome.cancel_order == self.number:
            self.cancelled = True
        replies = list(outcome.replies)
        if outcome.draft is not None:
            self.draft = outcome.draft
            self.number = 1 if self.number is None else self.number + 1
            self.cancelled, self.status, self.lines = False, "new", self.draft.lines
            self.total = charged(self.draft.lines, self.draft.delivery_fee, self.tenant, self.catalog)
            total_text = format_money(self.total, self.tenant.currency, self.tenant.formats_locale)
            placed = flow.order_placed(self.tenant, self.state, self.number, total_text)
            self.state = placed.state
            replies += placed.replies
        said_now = _flat(" ".join(r.to_text() for r in replies))
        for words in outcome.named_back:
            if _flat(words) not in said_now:
                self.played.failures.append(f"claims to name back {words!r} but its replies do not say it")
            self.named_back.append(fold(words))
        for reply in replies:
            text = reply.to_text()
            self.bodies.append(text)
            if turn is not None:
                self.turn_bodies.setdefault(turn, []).append(text)
            self.played.transcript.append("bot: " + text.replace("\n", "\n     "))
        return outcome

    def say(self, text: str, turn: int | None = None) -> None:
        self.send(Inbound(kind="text", text=text), text, turn)
        self.answer_suggestions()

    def tap(self, reply_id: str) -> None:
        self.send(Inbound(kind="button", reply_id=reply_id), f"[toca {reply_id}]")

    def answer_suggestions(self) -> None:
        """Answer "did you mean X?" as the customer would: yes when X is wanted and the cart does not
        hold all of it yet (offered the Completo italiano in place of a vegetarian one, a customer
        whose italiano is already in the cart says no), no otherwise; and "¿45 × Coca-Cola?
        ¿Seguro?": yes when the cart then holds the count the customer wants."""
        for _ in range(_ORACLE_ROUNDS):
            count = flow.count_asked(self.state)
            if count is not None:
                sku, quantity = count
                wanted = self.chat.items.get(sku) == self.state.cart_dict().get(sku, 0) + quantity
                self.tap("count:yes" if wanted else "count:no")
                continue
            offered = flow.suggested(self.state)
            if not offered:
                return
            held = self.state.cart_dict()
            wanted = [sku for sku in offered if self.chat.items.get(sku, 0) > held.get(sku, 0)]
            self.tap(f"pick:{wanted[0]}" if wanted else "nomatch")

    def checkout(self) -> None:
        """The autopilot: answer what a checkout needs from `customer` and `confirm`."""
        customer = self.chat.customer
        answers = {
            "name": customer.get("name", DEFAULT_NAME),
            "address": customer.get("address", DEFAULT_ADDRESS),
            "city": customer.get("city", DEFAULT_CITY),
            "phone": customer.get("phone", DEFAULT_PHONE),
            # The business rules' questions (settings fulfilment and payment_methods).
            "fulfilment": customer.get("fulfilment", "a domicilio"),
            "payment": customer.get("payment", "efectivo"),
            "cash": customer.get("cash", "exacto"),
        }
        for _ in range(_AUTOPILOT_ROUNDS):
            if self.draft is not None:
                return
            stage = self.state.stage
            if flow.suggested(self.state) or flow.count_asked(self.state):
                self.answer_suggestions()
            elif stage in answers:
                self.say(answers[stage])
            elif stage == "summary":
                if self.chat.confirm is not None:
                    self.say(self.chat.confirm)
                else:
                    self.tap("confirm")
            elif self.state.cart:
                self.tap("checkout")
            else:
                return


def charged(
    lines: tuple[tuple[str, int], ...], shown_fee: Decimal | None, tenant: TenantContext, catalog: CatalogView
) -> Decimal:
    """What the order service charges for `lines`, as the server's bot then says it: the catalog's
    prices and the fee the summary showed (the tenant's flat fee when it showed none), with the
    shared money rules (services/orders/pricing.py and _order_input in conversations.py)."""
    fee = tenant.delivery_fee if shown_fee is None else shown_fee
    prices = []
    for sku, quantity in lines:
        product = catalog.product(sku)
        assert product is not None, f"the flow placed {sku}, which is not on the menu"
        prices.append((product.price, quantity))
    return order_totals(prices, fee, tenant.currency).total


def play(chat: Chat, menus: dict[str, Menu]) -> Played:
    """Play `chat` through the real flow and judge it (README "How the runner plays a chat")."""
    played = Played(chat)
    menu = menus.get(chat.menu)
    if menu is None:
        played.failures.append(f"unknown menu {chat.menu!r}")
        return played
    session = _Session(chat, menu, played)
    try:
        for number, text in enumerate(chat.turns, 1):
            session.say(text, number)
        if chat.expect in ("order", "cancelled"):
            session.checkout()
        for text in chat.after:
            session.say(text)
    except Exception:  # noqa: BLE001  -- a raising turn is a failure to report, with its traceback
        played.failures.append("a turn raised:\n" + traceback.format_exc())
    _judge(session, played)
    return played


def _judge(session: _Session, played: Played) -> None:
    chat = played.chat
    if session.draft is not None:
        played.outcome = "cancelled" if session.cancelled else "order"
        played.items = dict(session.draft.lines)
        played.notes = dict(session.draft.notes)
    elif session.handoff:
        played.outcome = "handoff"
    final_cart = played.items if session.draft is not None else session.state.cart_dict()
    if played.outcome != chat.expect:
        played.failures.append(f"outcome {played.outcome}, expected {chat.expect}")
    if chat.expect in ("order", "cancelled") and played.items != chat.items:
        played.failures.append(f"items {played.items}, expected {chat.items}")
    for sku, note in chat.notes.items():
        if not _note_holds(played.notes.get(sku, ""), note):
            played.failures.append(f"note of {sku}: {played.notes.get(sku)!r}, expected {note!r}")
    told = session.named_back
    told_words = {w for segment in told for w in segment.split()}
    for word in chat.not_found:
        # Named back whole, or each of its words named back (split by "and": «fish», «chips»).
        if (
            not any(fold(word) in segment for segment in told)
            and not set(fold(word).split()) <= told_words | {"and", "y", "de", "of", "con", "with"}
            and not _refused(word, told, session.catalog)
        ):
            played.failures.append(f"«{word}» was not named back as not on the menu")
            played.silent_drops.append(word)
    for word in chat.not_named:  # noise the customer would read: "We don't have «oh» on the menu"
        if any(fold(word) in fold(segment).split() for segment in told):
            played.failures.append(f"«{word}» was named back, yet it orders nothing")
    catalog = session.catalog
    asked_numbers = sum(segment.strip().isdigit() for segment in told)  # "¿De qué producto son «1»?"
    for sku in chat.items:
        product = catalog.product(sku)
        if final_cart.get(sku, 0) != 0 or (product is not None and _named(product, told, catalog)):
            continue
        if asked_numbers:  # one quantity the bot asked about covers one item, whichever it was
            asked_numbers -= 1
            continue
        played.silent_drops.append(sku)
        played.failures.append(f"{sku} silently dropped: not in the cart and nothing said back names it")
    if session.draft is not None:
        played.silent_wrong = _silently_wrong(chat, played.items, told, catalog)
    for turn, needles in chat.replies.items():
        said = _flat(" ".join(session.turn_bodies.get(turn, [])))
        for needle in needles:
            if _flat(needle) not in said:
                played.failures.append(f"the answer to turn {turn} lacks {needle!r}")
    wanted = chat.language or session.tenant.locale
    last = len(chat.turns)  # a customer may switch languages: the answer to their last turn counts
    spoken = language_of(session.turn_bodies[last][-1]) if session.turn_bodies.get(last) else None
    if spoken is not None and spoken != wanted:
        played.failures.append(f"the answer to turn {last} is in {spoken}, expected {wanted}")


def _silently_wrong(chat: Chat, placed: dict[str, int], told: list[str], catalog: CatalogView) -> list[str]:
    """The placed order's lines the customer did not ask for, as they are, when nothing the bot
    named back is about that product: a wrong quantity ("SKU 18 for 4") or an extra product
    ("SKU 1 extra"). A bare number named back ("¿De qué producto son «12»?") told the customer
    one quantity was not taken, so it covers a wrong quantity (never an extra product)."""
    wrong: list[str] = []
    asked_number = any(segment.strip().isdigit() for segment in told)
    for sku, got in placed.items():
        product = catalog.product(sku)
        if product is not None and _named(product, told, catalog):
            continue
        wanted = chat.items.get(sku, 0)
        if wanted == 0:
            wrong.append(f"{sku} {got} extra")
        elif got != wanted and not asked_number:
            wrong.append(f"{sku} {got} for {wanted}")
    return wrong


def _refused(word: str, told: list[str], catalog: CatalogView) -> bool:
    """Whether `word` names a product of the menu that is not available now (by its name or an
    alias) and the bot named that product back: «tienen protector solar?» answered «Bloqueador
    solar 120 ml … no está disponible» told the customer what the word asked for is not sold now."""
    bare = CatalogView(categories=(), products=catalog.products)  # its category says nothing of it
    return any(
        not product.available and _named(product, [fold(word)], bare) and _named(product, told, bare)
        for product in catalog.products
    )


def _named(product: ProductView, quoted: list[str], catalog: CatalogView) -> bool:
    """Whether a segment the bot named back is about `product`: one of its words (or the English
    word's Spanish synonym) is a word of the product's name, an alias or its category, spelled
    nearly so (or alike by the reader's phonetic key: "sabritaz"). A segment about another
    product covers nothing here: each named-back phrase covers only what its words refer to."""
    category = next((c.name for c in catalog.categories if c.id == product.category_id), "")
    names = (product.name, *product.aliases, category)
    words = {w for name in names for w in re.findall(r"\w+", fold(name)) if len(w) >= 3 and w not in _GLUE}
    keys = {key(w) for w in words}
    synonyms = lexicon().synonyms
    for segment in quoted:
        for typed in re.findall(r"\w+", fold(segment)):
            for candidate in (typed, *synonyms.get(typed, "").split()):
                if len(candidate) < 3:
                    continue
                if key(candidate) in keys or any(fuzz.ratio(word, candidate) >= 80 for word in words):
                    return True
    return False


def _note_holds(kept: str, expected: str) -> bool:
    """The kept note says the expected words in a row (the kitchen reads them all); a word the
    customer wrote around them («con poquita azúcar», «que diga feliz cumple») may stay."""
    want, have = _words(expected), _words(kept)
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _flat(text: str) -> str:
    """Folded with every kind of space as one plain space (Babel writes narrow no-break spaces)."""
    return " ".join(fold(text).split())


def language_of(body: str) -> str | None:
    """ "es" or "en" by the commoner marker words of `body`; None when it cannot tell.

    Product and business names (between asterisks, after "×") are the menu's words, not the
    bot's language, and are left out.
    """
    body = re.sub(r"\*[^*\n]*\*|×[^\n—]*", " ", body)
    words = re.findall(r"\w+", fold(body))
    spanish = sum(w in _SPANISH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if spanish == english:
        return None
    return "es" if spanish > english else "en"


def play_folder(folder: Path, menus: dict[str, Menu] | None = None) -> list[Played]:
    menus = load_menus() if menus is None else menus
    return [play(chat, menus) for chat in load_chats(folder)]


def at_clock(chat: Chat, menu: Menu) -> dt.datetime:
    """The moment the chat happens: its `clock`, else 2026-03-14 13:05 in the menu's zone."""
    from zoneinfo import ZoneInfo

    if chat.clock is not None:
        return dt.datetime.fromisoformat(chat.clock)
    return dt.datetime(2026, 3, 14, 13, 5, tzinfo=ZoneInfo(menu.tenant.timezone))

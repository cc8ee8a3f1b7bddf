"""A conversation's state: what stage it is in, the cart, the delivery data, the last choices.

Stored as JSON in the tenant's `chat_sessions.state`; `from_json` tolerates missing or
malformed keys (an old or hand-edited row) by falling back to defaults, so a bad row costs the
customer their cart, never an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

Stage = Literal["start", "menu", "products", "quantity", "cart", "edit", "name", "address", "city",
                "phone", "summary", "suggest", "fulfilment", "payment", "cash"]  # fmt: skip
Suggestion = tuple[tuple[str, ...], int, str, str, bool]
"""A doubt waiting for the customer: (candidate skus, quantity, the customer's words, note,
whether the customer said the count: "¿Cuál quieres para «agua»?" asked of "qué tiene de agua?"
adds one that nobody counted, and the count said next is that line's, `ChatState.unsized`)."""
Check = tuple[str, int, str, str]
"""A count far above what is ordered of a product, waiting for the customer's yes ("¿45 ×
Coca-Cola? ¿Seguro?"): (sku, quantity, the customer's words, note). A street number or a date
read as a count is the usual cause; a real catering order goes through after one yes."""
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
MAX_CART_LINES = 30
MAX_ASKED = 4


@dataclass(frozen=True)
class ChatState:
    """One customer's conversation with one business number.

    `choices` are the (id, title) pairs of the last reply in the order `Reply.to_text` numbers
    them, so a typed "2" or a typed title means what tapping it would have meant.
    `sequence` counts confirmed orders in this chat (the idempotency key's second half).
    """

    stage: Stage = "start"
    cart: tuple[tuple[str, int], ...] = ()
    category: int | None = None
    page: int = 0
    pending_sku: str | None = None
    name: str | None = None
    address: str | None = None
    city: str | None = None
    directions: str | None = None
    """How to find the customer, said beside the order with no street ("tocan el timbre verde", "we're
    at the park pavilion B"): shown and sent after the address."""
    phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    sequence: int = 0
    last_order: int | None = None
    notice: str | None = None
    greeted: bool = False
    notes: tuple[tuple[str, str], ...] = ()
    """(sku, note) of cart lines the customer qualified ("sin cebolla")."""
    suggestions: tuple[Suggestion, ...] = ()
    checks: tuple[Check, ...] = ()
    """Counts to confirm before they are added, asked before the suggestions (`ordering.LARGE_COUNT`)."""
    """Doubts to ask about, the first one asked now ("¿Te refieres a …?")."""
    language: str | None = None
    """The language this customer writes in ("es"/"en"), when it is not the tenant's."""
    last_sku: str | None = None
    """The product added last, for "agrégale otra" / "déjalo en uno"."""
    fulfilment: str | None = None
    """ "delivery" or "pickup", once known (`chat/fulfilment.py`)."""
    zone: str | None = None
    """The delivery zone the address fell in."""
    payment: str | None = None
    """The payment method's kind the customer chose."""
    pay_with: str | None = None
    """Cash the customer pays with ("500.00"; "" when they pay the exact amount)."""
    vague: tuple[str, ...] = ()
    """Cart lines the customer named by words their family shares ("un agua", "unos chilaquiles"):
    a later bare "sin gas" / "verdes" says which one (`line_changes.qualified`)."""
    asked: tuple[str, ...] = ()
    """The SKUs the last answer gave the price of: "¿y el de cabeza?" asks on, "2 de cada uno" orders them."""
    unsized: str | None = None
    """The line the message before added with no count ("dame unos de tripa"), or set to a new
    count ("mejor 12"): a bare quantity next ("como 3", "bueno 10") is its count, not more of it."""
    dozens: bool = False
    """The message before counted in dozens ("media docena de jyq"): "y media de verdura" is six."""
    people: int = 0
    """How many people the customer said order ("somos 3"): "y una coca para cada uno" is three."""
    last_added: int = 0
    """The units the last message that ordered added: "y papas pa las 3" after three burgers."""
    undo: tuple[tuple[str, int], ...] | None = None
    """The cart before the message just before changed it (None when that message changed
    nothing): "no, olvídalo, déjalo como estaba" puts it back (`undo.undone`)."""
    undo_notes: tuple[tuple[str, str], ...] = ()
    """The notes of the lines of `undo`, put back with them."""
    setting: bool = False
    """The message just before set a count ("make it 6 tacos"): "and 2 lemonades" next sets that
    line too (`set_on`)."""

    def to_json(self) -> dict[str, Any]:
        # Shallow: every field is a plain value or a tuple rewritten below (asdict's deep copy
        # cost a tenth of a turn's time).
        data = {name: getattr(self, name) for name in _FIELDS}
        data["cart"] = [list(line) for line in self.cart]
        data["choices"] = [list(choice) for choice in self.choices]
        data["notes"] = [list(note) for note in self.notes]
        data["suggestions"] = [[list(skus), *rest] for skus, *rest in self.suggestions]
        data["checks"] = [list(check) for check in self.checks]
        data["asked"] = list(self.asked)
        data["vague"] = list(self.vague)
        data["undo"] = None if self.undo is None else [list(line) for line in self.undo]
        data["undo_notes"] = [list(note) for note in self.undo_notes]
        return data

    @classmethod
    def from_json(cls, data: Any) -> ChatState:
        if not isinstance(data, dict):
            return cls()
        try:
            stage = data.get("stage", "start")
            return cls(
                stage=stage if stage in STAGES else "start",
                cart=tuple((str(sku), int(qty)) for sku, qty in data.get("cart") or () if int(qty) > 0),
                category=_opt_int(data.get("category")),
                page=max(0, int(data.get("page") or 0)),
                pending_sku=_opt_str(data.get("pending_sku")),
                name=_opt_str(data.get("name")),
                address=_opt_str(data.get("address")),
                city=_opt_str(data.get("city")),
                directions=_opt_str(data.get("directions")),
                phone=_opt_str(data.get("phone")),
                latitude=_opt_float(data.get("latitude")),
                longitude=_opt_float(data.get("longitude")),
                choices=tuple((str(i), str(t)) for i, t in data.get("choices") or ()),
                sequence=int(data.get("sequence") or 0),
                last_order=_opt_int(data.get("last_order")),
                notice=_opt_str(data.get("notice")),
                greeted=bool(data.get("greeted")),
                notes=tuple((str(sku), str(note)) for sku, note in data.get("notes") or ()),
                suggestions=tuple(
                    (tuple(str(s) for s in skus), int(qty), str(words), str(note), bool(said[0]) if said else True)
                    for skus, qty, words, note, *said in data.get("suggestions") or ()
                ),
                checks=tuple(
                    (str(sku), int(qty), str(words), str(note))
                    for sku, qty, words, note in data.get("checks") or ()
                    if int(qty) > 0
                ),
                language=data.get("language") if data.get("language") in ("es", "en") else None,
                last_sku=_opt_str(data.get("last_sku")),
                fulfilment=data.get("fulfilment") if data.get("fulfilment") in ("delivery", "pickup") else None,
                zone=_opt_str(data.get("zone")),
                payment=_opt_str(data.get("payment")),
                pay_with=_opt_str(data.get("pay_with")),
                asked=tuple(str(sku) for sku in data.get("asked") or ())[:MAX_ASKED],
                vague=tuple(str(sku) for sku in data.get("vague") or ())[:MAX_CART_LINES],
                unsized=_opt_str(data.get("unsized")),
                dozens=bool(data.get("dozens")),
                people=max(0, int(data.get("people") or 0)),
                last_added=max(0, int(data.get("last_added") or 0)),
                undo=_opt_cart(data.get("undo")),
                undo_notes=tuple((str(sku), str(note)) for sku, note in data.get("undo_notes") or ()),
                setting=bool(data.get("setting")),
            )
        except (TypeError, ValueError):
            return cls()

    def restarted(self, notice: str | None = None) -> ChatState:
        """A fresh conversation that still remembers the order count and the last order."""
        return ChatState(sequence=self.sequence, last_order=self.last_order, notice=notice, language=self.language)

    def with_cart(self, cart: dict[str, int]) -> ChatState:
        kept = tuple((sku, qty) for sku, qty in cart.items() if qty > 0)
        skus = {sku for sku, _ in kept}
        notes = tuple(n for n in self.notes if n[0] in skus)
        return replace(self, cart=kept, notes=notes, vague=tuple(v for v in self.vague if v in skus))

    @property
    def asking(self) -> bool:
        """Whether a question about the order waits for the customer: a count to confirm, or a doubt."""
        return bool(self.checks or self.suggestions)

    def cart_dict(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for sku, qty in self.cart:
            merged[sku] = merged.get(sku, 0) + qty
        return merged


_FIELDS = tuple(f.name for f in fields(ChatState))


def _opt_cart(value: Any) -> tuple[tuple[str, int], ...] | None:
    return None if value is None else tuple((str(sku), int(qty)) for sku, qty in value if int(qty) > 0)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)

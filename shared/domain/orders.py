"""The order status machine, in one place: every status change goes through `check_transition`.

```
new ──► confirmed ──► shipped ──► completed
 │          │
 └──────────┴──► cancelled            (completed and cancelled are final)
```

Cancelling needs a reason. A shipped order can no longer be cancelled; it can only complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from comandia.shared.domain.errors import InvalidTransition, ValidationFailed
from comandia.shared.i18n import N_


class OrderStatus(StrEnum):
    """Where an order is in its life; the values are what the database and the API carry."""

    NEW = "new"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


STATUS_WORDS = (N_("new"), N_("confirmed"), N_("shipped"), N_("cancelled"), N_("completed"))
"""The statuses as words for the catalogs: exports and messages show them in the reader's language."""

TRANSITIONS: Mapping[OrderStatus, tuple[OrderStatus, ...]] = MappingProxyType(
    {
        OrderStatus.NEW: (OrderStatus.CONFIRMED, OrderStatus.CANCELLED),
        OrderStatus.CONFIRMED: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
        OrderStatus.COMPLETED: (),
        OrderStatus.CANCELLED: (),
    }
)
"""Each status to the statuses it may change to, in the order a user interface should offer them."""

ORDER_CHANNELS: tuple[str, ...] = ("whatsapp", "api", "console", "import", "sandbox")
"""Where an order can come from: the bot, the HTTP API, the desktop console, a file import, and the
test chat (the console's, `comandia-admin chat`, the sandbox API)."""

TEST_CHANNELS = frozenset({"sandbox"})
"""Channels of test orders: real orders on the board, but nobody bought anything, so they are kept
out of the KPIs and no customer is told of their status (docs/kpis.md)."""


def parse_status(value: str, field: str = "status") -> OrderStatus:
    """Read a status name sent by a client.

    Raises:
        ValidationFailed: `value` is not one of the `OrderStatus` values.
    """
    try:
        return OrderStatus(value)
    except ValueError:
        raise ValidationFailed(
            "unknown order status '{value}'",
            {field: N_("must be one of: {names}")},
            value=value,
            names=", ".join(OrderStatus),
        ) from None


def allowed_next(status: OrderStatus | str) -> tuple[OrderStatus, ...]:
    """The statuses an order in `status` may change to; empty for a final status.

    Raises:
        ValueError: `status` is not an `OrderStatus` value (a stored status is trusted data, so
            an unknown one is a bug, not bad input).
    """
    return TRANSITIONS[OrderStatus(status)]


def is_final(status: OrderStatus | str) -> bool:
    """Tell whether nothing can follow `status` (completed, cancelled).

    Raises:
        ValueError: `status` is not an `OrderStatus` value.
    """
    return not allowed_next(status)


def check_transition(current: OrderStatus | str, requested: OrderStatus | str, reason: str | None = None) -> None:
    """Allow the change from `current` to `requested`, or raise saying why not.

    Args:
        current: the order's stored status.
        requested: the status a client asked for.
        reason: why; required (not blank) when `requested` is cancelled, ignored otherwise.

    Raises:
        ValidationFailed: `requested` is not a known status (field ``status``), or a cancellation
            has no reason (field ``reason``).
        InvalidTransition: the machine does not allow the change, including staying in the same
            status and leaving a final one.
        ValueError: `current` is not a known status (stored data is trusted; this is a bug).
    """
    wanted = parse_status(requested)
    allowed = allowed_next(current)
    if wanted not in allowed:
        raise InvalidTransition(OrderStatus(current).value, wanted.value, tuple(s.value for s in allowed))
    if wanted is OrderStatus.CANCELLED and (reason is None or not reason.strip()):
        raise ValidationFailed("a cancellation needs a reason", {"reason": N_("is required to cancel an order")})

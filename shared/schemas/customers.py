"""Customers on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from comandia.shared.schemas.wire import Request, Wire


class CustomerInfo(Wire, frozen=True):
    id: int
    phone: str
    wa_id: str | None
    name: str | None
    city: str | None
    region: str | None
    default_address: str | None
    notes: str | None
    extra: dict[str, Any]
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerInput(Request, frozen=True):
    """A customer as a client sends it to create or replace one; the phone may be in any spelling."""

    phone: str
    name: str | None = None
    wa_id: str | None = None
    city: str | None = None
    region: str | None = None
    default_address: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = {}


class CustomerPage(Wire, frozen=True):
    """One page of customers; pass `next_cursor` back to get the next (None: this is the last)."""

    items: tuple[CustomerInfo, ...]
    next_cursor: str | None

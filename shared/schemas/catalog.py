"""Categories, products and catalog imports on the wire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from comandia.shared.schemas.wire import Amount, Request, Wire


class CategoryInfo(Wire, frozen=True):
    id: int
    name: str
    sort_order: int


class CategoryInput(Request, frozen=True):
    name: str
    sort_order: int = 0


class CategoryList(Wire, frozen=True):
    items: tuple[CategoryInfo, ...]


class ProductInfo(Wire, frozen=True):
    id: int
    sku: str
    name: str
    description: str
    category_id: int | None
    category: str | None
    price: Decimal
    currency: str
    available: bool
    stock: int | None
    image_url: str | None
    sort_order: int
    extra: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    aliases: tuple[str, ...] = ()
    """Other names customers use for it ("coca", "coke"); the bot matches them too."""


class ProductAvailability(Request, frozen=True):
    """Mark a product sold out (`available` false) or back on sale, touching nothing else."""

    available: bool


class ProductList(Wire, frozen=True):
    items: tuple[ProductInfo, ...]


class ProductInput(Request, frozen=True):
    """A product as a client sends it to create or replace one; `currency` None means the tenant's."""

    sku: str
    name: str
    price: Amount
    currency: str | None = None
    description: str = ""
    category_id: int | None = None
    available: bool = True
    stock: int | None = None
    image_url: str | None = None
    sort_order: int = 0
    extra: dict[str, Any] = {}
    aliases: tuple[str, ...] = ()
    """Other names customers use (at most 20, each up to 60 characters, no `|` or `;`); none
    may be another product's name or alias."""


class ImportIssue(Wire, frozen=True):
    """One problem in an uploaded catalog file; `row` 1 is the header line, data starts at 2."""

    row: int
    column: str
    problem: str


class ImportReport(Wire, frozen=True):
    """What a catalog import found (dry run) or did (apply): problems and what would change."""

    rows: int
    created: int
    updated: int
    unchanged: int
    issues: tuple[ImportIssue, ...]
    applied: bool

    @property
    def ok(self) -> bool:
        return not self.issues

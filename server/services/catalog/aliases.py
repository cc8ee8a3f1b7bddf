"""Product aliases: the other names customers use for a product ("coca", "coke", "refresco de cola").

The bot matches a customer's words against every product's name and aliases, so an alias must
point at one product only: an alias equal (under `names.match_key`: case, accents and
punctuation ignored) to another product's name or alias is refused with a 422 naming that
product. Within one product, repeats and an alias equal to the product's own name are dropped:
they add nothing and lose nothing. `|` and `;` are refused inside an alias because the catalog
file separates aliases with them (services/catalog/imports.py), so a file exported and
imported again keeps every alias as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.tenant_models import Product
from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.domain.names import clean_name, match_key
from comandia.shared.i18n import N_

MAX_ALIASES = 20  # also a CHECK constraint (migration t0007)
MAX_ALIAS_LENGTH = 60
SEPARATORS = ("|", ";")


@dataclass(frozen=True)
class NamedProduct:
    """What the ambiguity check needs of a product: who it is and every name it answers to."""

    key: str  # the SKU: the same product in the database and in an imported file
    name: str
    aliases: tuple[str, ...]

    def match_keys(self) -> set[str]:
        return {match_key(self.name), *(match_key(a) for a in self.aliases)}


def clean_aliases(values: Sequence[str], own_name: str | None) -> list[str]:
    """The aliases to store: each cleaned like a name, repeats and the product's own name dropped.

    Raises:
        ValidationFailed: too many aliases, or one empty, too long, with a control character,
            with no letter or digit, or with a `|` or `;` (field ``aliases[<i>]`` or ``aliases``).
    """
    if len(values) > MAX_ALIASES:
        raise ValidationFailed.of_field("aliases", "must be at most {n}", n=MAX_ALIASES)
    kept: list[str] = []
    seen = {match_key(own_name)} if own_name else set()
    for index, value in enumerate(values):
        field = f"aliases[{index}]"
        alias = clean_name(value, field, max_len=MAX_ALIAS_LENGTH)
        if any(separator in alias for separator in SEPARATORS):
            raise ValidationFailed.of_field(field, "must not contain | or ;")
        key = match_key(alias)
        if not key:
            raise ValidationFailed.of_field(field, "needs a letter or a digit")
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return kept


ALIAS_TAKEN = N_("«{alias}» is already a name or alias of product «{product}» ({sku})")
NAME_TAKEN = N_("«{alias}» is an alias of product «{product}» ({sku})")


@dataclass(frozen=True)
class Clash:
    """One of a product's names that another product already answers to."""

    field: str  # "aliases[<i>]", or "name" when the product's name is another product's alias
    template: str
    values: dict[str, str]

    def error(self) -> ValidationFailed:
        return ValidationFailed.of_field(self.field, self.template, **self.values)


def clashes(product: NamedProduct, others: Iterable[NamedProduct]) -> list[Clash]:
    """Where `product`'s aliases (or its name) are another product's name or alias.

    Two products may still share a name: only aliases must point at one product.
    """
    owners: dict[str, NamedProduct] = {}
    alias_owners: dict[str, NamedProduct] = {}
    for other in others:
        if other.key == product.key:
            continue
        for key in other.match_keys():
            owners.setdefault(key, other)
        for alias in other.aliases:
            alias_owners.setdefault(match_key(alias), other)
    found: list[Clash] = []
    for index, alias in enumerate(product.aliases):
        owner = owners.get(match_key(alias))
        if owner is not None:
            values = {"alias": alias, "product": owner.name, "sku": owner.key}
            found.append(Clash(f"aliases[{index}]", ALIAS_TAKEN, values))
    owner = alias_owners.get(match_key(product.name))
    if owner is not None:
        found.append(Clash("name", NAME_TAKEN, {"alias": product.name, "product": owner.name, "sku": owner.key}))
    return found


def ensure_unambiguous(session: Session, product: NamedProduct) -> None:
    """Refuse `product` when one of its names is another product's name or alias.

    Raises:
        ValidationFailed: naming the first clash's field and the other product (see `clashes`).
    """
    lock_names(session)
    if not product.aliases and not _any_aliases(session):
        return  # the common case: no product has aliases, nothing to compare
    found = clashes(product, named_products(session))
    if found:
        raise found[0].error()


def lock_names(session: Session) -> None:
    """Serialise the writers of product names and aliases of this tenant until commit.

    Without it two managers could give "coca" to two products at the same moment, each check
    passing before the other's write. Product writes are rare; the wait is a few milliseconds.
    """
    session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('comandia.product_names'))"))


def named_products(session: Session) -> list[NamedProduct]:
    """Every product of the tenant, as the ambiguity check sees it (one query)."""
    rows = session.execute(sa.select(Product.sku, Product.name, Product.aliases))
    return [NamedProduct(sku, name, tuple(aliases or ())) for sku, name, aliases in rows]


def _any_aliases(session: Session) -> bool:
    return session.scalar(sa.select(sa.exists().where(sa.func.cardinality(Product.aliases) > 0))) or False

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
        raise ValidationFailed(
            f"a product has at most {MAX_ALIASES} aliases", {"aliases": f"must be at most {MAX_ALIASES}"}
        )
    kept: list[str] = []
    seen = {match_key(own_name)} if own_name else set()
    for index, value in enumerate(values):
        field = f"aliases[{index}]"
        alias = clean_name(value, field, max_len=MAX_ALIAS_LENGTH)
        if any(separator in alias for separator in SEPARATORS):
            raise ValidationFailed(f"invalid {field}: must not contain | or ;", {field: "must not contain | or ;"})
        key = match_key(alias)
        if not key:
            raise ValidationFailed(f"invalid {field}: needs a letter or a digit", {field: "needs a letter or a digit"})
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return kept


def clash_problems(product: NamedProduct, others: Iterable[NamedProduct]) -> dict[str, str]:
    """Where `product`'s aliases (or its name) are another product's name or alias.

    Returns:
        Field path (``aliases[<i>]`` or ``name``) to the problem naming the other product; empty
        when nothing clashes. Two products may still share a name: only aliases must be unique.
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
    problems: dict[str, str] = {}
    for index, alias in enumerate(product.aliases):
        owner = owners.get(match_key(alias))
        if owner is not None:
            problems[f"aliases[{index}]"] = (
                f"«{alias}» is already a name or alias of product «{owner.name}» ({owner.key})"
            )
    owner = alias_owners.get(match_key(product.name))
    if owner is not None:
        problems["name"] = f"«{product.name}» is an alias of product «{owner.name}» ({owner.key})"
    return problems


def ensure_unambiguous(session: Session, product: NamedProduct) -> None:
    """Refuse `product` when one of its names is another product's name or alias.

    Raises:
        ValidationFailed: with every clash, each naming the other product (see `clash_problems`).
    """
    lock_names(session)
    if not product.aliases and not _any_aliases(session):
        return  # the common case: no product has aliases, nothing to compare
    problems = clash_problems(product, named_products(session))
    if problems:
        raise ValidationFailed("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)


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

"""The catalog: categories and products of one tenant.

A product's SKU is unique in the tenant and is also the WhatsApp catalog's product_retailer_id, so
it is restricted to characters that survive every provider's API unchanged. Prices are Decimal,
checked by `money.parse_amount` and rounded to the product's currency.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Category, Product
from comandia.server.services.catalog.aliases import NamedProduct, clean_aliases, ensure_unambiguous
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.money import is_currency, parse_amount, quantize
from comandia.shared.domain.names import clean_name
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.catalog import CategoryInfo, CategoryInput, ProductInfo, ProductInput
from comandia.shared.schemas.wire import from_attributes

SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}")
MAX_STOCK = 1_000_000_000
MAX_DESCRIPTION = 2000
MAX_URL = 2000


@dataclass(frozen=True)
class ProductFields:
    """A product's validated column values (what `clean_product` returns)."""

    sku: str
    name: str
    description: str
    category_id: int | None
    price: Decimal
    currency: str
    available: bool
    stock: int | None
    image_url: str | None
    sort_order: int
    extra: dict[str, Any]
    aliases: list[str]

    def named(self) -> NamedProduct:
        return NamedProduct(self.sku, self.name, tuple(self.aliases))

    def differs_from(self, product: Product) -> bool:
        return any(getattr(product, key) != value for key, value in self.__dict__.items())


def clean_product(data: ProductInput, default_currency: str) -> ProductFields:
    """Check every field of `data` and return the values to store.

    Raises:
        ValidationFailed: with one entry per bad field (all of them, not only the first).
    """
    problems: dict[str, tuple[str, Mapping[str, object]]] = {}
    values: dict[str, Any] = {}

    def check(key: str, step: Any) -> None:
        try:
            values[key] = step()
        except ValidationFailed as error:
            problems[key] = (
                error.field_problem(next(iter(error.fields), "")) if error.fields else (error.template, error.values)
            )

    sku = data.sku.strip()
    if SKU_PATTERN.fullmatch(sku):
        values["sku"] = sku
    else:
        problems["sku"] = (N_("must be 1 to 64 letters, digits or . _ - /, starting with a letter or digit"), {})
    currency = (data.currency or default_currency).strip().upper()
    if not is_currency(currency):
        problems["currency"] = (N_("unsupported currency '{currency}'"), {"currency": currency})
    check("name", lambda: clean_name(data.name, "name", max_len=200))
    check("price", lambda: parse_amount(data.price, "price"))
    if "price" in values and "currency" not in problems and quantize(values["price"], currency) != values["price"]:
        problems["price"] = (N_("has more decimals than {currency} allows"), {"currency": currency})
    if len(data.description) > MAX_DESCRIPTION:
        problems["description"] = (N_("must be at most {count} characters"), {"count": MAX_DESCRIPTION})
    if data.stock is not None and not 0 <= data.stock <= MAX_STOCK:
        problems["stock"] = (N_("must be empty (not tracked) or a whole number of at least 0"), {})
    image_url = (data.image_url or "").strip() or None
    if image_url is not None and (not image_url.startswith(("https://", "http://")) or len(image_url) > MAX_URL):
        problems["image_url"] = (N_("must be an http(s) address"), {})
    if not -1_000_000 <= data.sort_order <= 1_000_000:
        problems["sort_order"] = (N_("must be between -1000000 and 1000000"), {})
    try:
        values["aliases"] = clean_aliases(data.aliases, values.get("name"))
    except ValidationFailed as error:
        problems.update((field, error.field_problem(field)) for field in error.fields)
    if problems:
        raise ValidationFailed.of_problems(N_("check these fields: {names}"), problems, names=", ".join(problems))
    return ProductFields(
        sku=values["sku"],
        name=values["name"],
        description=data.description.strip(),
        category_id=data.category_id,
        price=values["price"],
        currency=currency,
        available=data.available,
        stock=data.stock,
        image_url=image_url,
        sort_order=data.sort_order,
        extra=dict(data.extra),
        aliases=values["aliases"],
    )


class CatalogService:
    """Categories and products of each tenant.

    Args:
        databases: the appliance's databases.
        contexts: each tenant's currency (a product priced in none is in the tenant's).
    """

    def __init__(self, databases: Databases, contexts: TenantContexts) -> None:
        self._db = databases
        self._contexts = contexts

    # -- categories ----------------------------------------------------------------------------

    def list_categories(self, tenant_id: str) -> list[CategoryInfo]:
        with self._db.tenant_session(tenant_id) as session:
            query = sa.select(Category).order_by(Category.sort_order, Category.name, Category.id)
            return [category_info(c) for c in session.scalars(query)]

    def create_category(self, tenant_id: str, data: CategoryInput) -> CategoryInfo:
        """Raises: ValidationFailed (bad name), Conflict (the name exists, ignoring case)."""
        name = clean_name(data.name, "name")
        with self._db.tenant_session(tenant_id) as session:
            _ensure_category_name_free(session, name, None)
            category = Category(name=name, sort_order=data.sort_order)
            session.add(category)
            session.flush()
            info = category_info(category)
            session.commit()
        return info

    def update_category(self, tenant_id: str, category_id: int, data: CategoryInput) -> CategoryInfo:
        """Raises: NotFound, ValidationFailed, Conflict (as `create_category`)."""
        name = clean_name(data.name, "name")
        with self._db.tenant_session(tenant_id) as session:
            category = _category(session, category_id)
            _ensure_category_name_free(session, name, category_id)
            category.name, category.sort_order = name, data.sort_order
            info = category_info(category)
            session.commit()
        return info

    def delete_category(self, tenant_id: str, category_id: int) -> None:
        """Delete a category; its products stay, without a category. Raises: NotFound."""
        with self._db.tenant_session(tenant_id) as session:
            session.delete(_category(session, category_id))
            session.commit()

    # -- products ------------------------------------------------------------------------------

    def list_products(
        self,
        tenant_id: str,
        category_id: int | None = None,
        available_only: bool = False,
        text: str | None = None,
    ) -> list[ProductInfo]:
        """Products in display order (sort_order, name); `text` matches SKU or name, ignoring case;
        `available_only` leaves out the sold-out ones (marked so, or at 0 of a counted stock)."""
        with self._db.tenant_session(tenant_id) as session:
            query = sa.select(Product).order_by(Product.sort_order, Product.name, Product.id)
            if category_id is not None:
                query = query.where(Product.category_id == category_id)
            if available_only:  # on sale, and not at 0 of a counted stock
                query = query.where(Product.available, sa.or_(Product.stock.is_(None), Product.stock > 0))
            if text and text.strip():
                pattern = "%" + _escape_like(text.strip()) + "%"
                query = query.where(sa.or_(Product.sku.ilike(pattern), Product.name.ilike(pattern)))
            return [product_info(p) for p in session.scalars(query)]

    def get_product(self, tenant_id: str, product_id: int) -> ProductInfo:
        with self._db.tenant_session(tenant_id) as session:
            return product_info(_product(session, product_id))

    def get_product_by_sku(self, tenant_id: str, sku: str) -> ProductInfo:
        with self._db.tenant_session(tenant_id) as session:
            product = session.scalar(sa.select(Product).where(Product.sku == sku.strip()))
            if product is None:
                raise NotFound("product '{sku}' does not exist", sku=sku)
            return product_info(product)

    def create_product(self, tenant_id: str, data: ProductInput) -> ProductInfo:
        """Raises: ValidationFailed (field by field), NotFound (category), Conflict (SKU taken)."""
        fields = clean_product(data, self._contexts.get(tenant_id).currency if data.currency is None else "")
        with self._db.tenant_session(tenant_id) as session:
            _ensure_category(session, fields.category_id)
            _ensure_sku_free(session, fields.sku, None)
            ensure_unambiguous(session, fields.named())
            product = Product(**fields.__dict__)
            session.add(product)
            with sku_race_as_conflict(fields.sku):
                session.flush()
            session.refresh(product)
            info = product_info(product)
            session.commit()
        return info

    def update_product(self, tenant_id: str, product_id: int, data: ProductInput) -> ProductInfo:
        """Replace every field of a product (`currency` None keeps its currency, aliases included).

        Orders already placed keep their own copy of SKU, name and price.

        Raises: NotFound, ValidationFailed, Conflict (the new SKU is another product's).
        """
        with self._db.tenant_session(tenant_id) as session:
            product = _product(session, product_id)
            fields = clean_product(data, product.currency)
            _ensure_category(session, fields.category_id)
            _ensure_sku_free(session, fields.sku, product_id)
            ensure_unambiguous(session, NamedProduct(product.sku, fields.name, tuple(fields.aliases)))
            if fields.differs_from(product):
                for key, value in fields.__dict__.items():
                    setattr(product, key, value)
                product.updated_at = utcnow()
            with sku_race_as_conflict(fields.sku):
                session.flush()
            session.refresh(product)
            info = product_info(product)
            session.commit()
        return info

    def set_available(self, tenant_id: str, product_id: int, available: bool) -> ProductInfo:
        """Show or hide a product for ordering without touching anything else. Raises: NotFound."""
        with self._db.tenant_session(tenant_id) as session:
            product = _product(session, product_id)
            if product.available != available:
                product.available, product.updated_at = available, utcnow()
            session.flush()
            info = product_info(product)
            session.commit()
        return info

    def set_aliases(self, tenant_id: str, product_id: int, aliases: tuple[str, ...]) -> ProductInfo:
        """Replace a product's aliases and nothing else (what `comandia-admin catalog aliases` does).

        Raises: NotFound, ValidationFailed (a bad alias, or one that is another product's name
        or alias: see `aliases.ensure_unambiguous`).
        """
        with self._db.tenant_session(tenant_id) as session:
            product = _product(session, product_id)
            cleaned = clean_aliases(aliases, product.name)
            ensure_unambiguous(session, NamedProduct(product.sku, product.name, tuple(cleaned)))
            if cleaned != list(product.aliases):
                product.aliases, product.updated_at = cleaned, utcnow()
            session.flush()
            info = product_info(product)
            session.commit()
        return info

    def delete_product(self, tenant_id: str, product_id: int) -> None:
        """Delete a product; order lines keep their snapshot of it. Raises: NotFound."""
        with self._db.tenant_session(tenant_id) as session:
            session.delete(_product(session, product_id))
            session.commit()


def category_info(category: Category) -> CategoryInfo:
    return from_attributes(category, CategoryInfo)


def product_info(product: Product) -> ProductInfo:
    return ProductInfo(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        category_id=product.category_id,
        category=product.category.name if product.category else None,
        price=product.price,
        currency=product.currency,
        available=product.available,
        stock=product.stock,
        image_url=product.image_url,
        sort_order=product.sort_order,
        extra=dict(product.extra),
        aliases=tuple(product.aliases),
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


@contextmanager
def sku_race_as_conflict(sku: str) -> Iterator[None]:
    """Another transaction took the SKU between our check and our write: the same Conflict."""
    try:
        yield
    except sa.exc.IntegrityError as error:
        if getattr(error.orig, "diag", None) and error.orig.diag.constraint_name == "uq_products_sku":  # type: ignore[union-attr]
            raise Conflict("another product already has SKU '{sku}'", sku=sku) from error
        raise


def _category(session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound("category {id} does not exist", id=category_id)
    return category


def _product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("product {id} does not exist", id=product_id)
    return product


def _ensure_category(session: Session, category_id: int | None) -> None:
    if category_id is not None and session.get(Category, category_id) is None:
        raise ValidationFailed("category {id} does not exist", {"category_id": N_("does not exist")}, id=category_id)


def _ensure_category_name_free(session: Session, name: str, own_id: int | None) -> None:
    query = sa.select(Category.id).where(sa.func.lower(Category.name) == name.lower())
    taken = session.scalar(query if own_id is None else query.where(Category.id != own_id))
    if taken is not None:
        raise Conflict("a category named '{name}' already exists", name=name)


def _ensure_sku_free(session: Session, sku: str, own_id: int | None) -> None:
    query = sa.select(Product.id).where(Product.sku == sku)
    taken = session.scalar(query if own_id is None else query.where(Product.id != own_id))
    if taken is not None:
        raise Conflict("another product already has SKU '{sku}'", sku=sku)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

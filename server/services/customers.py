"""Customers of one tenant: people who order, identified by their phone (E.164) and WhatsApp id.

The WhatsApp flow calls `find_or_create_customer` inside its own transaction with the sender's
wa_id; the console creates and edits customers through `CustomerService`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comandia.server.db.sessions import Databases
from comandia.server.db.tenant_models import Customer, Order, real_customer
from comandia.server.services.pages import clamp_limit, decode_cursor, encode_cursor
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.names import clean_name
from comandia.shared.domain.phones import to_e164
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.customers import CustomerInfo, CustomerInput, CustomerPage
from comandia.shared.schemas.wire import from_attributes

WA_ID_PATTERN = re.compile(r"[1-9][0-9]{4,19}")
MAX_TEXT = 2000
_LIST_SORT = "-id"


class CustomerService:
    """Create, read, edit and delete customers, and find one by phone or WhatsApp id."""

    def __init__(self, databases: Databases) -> None:
        self._db = databases

    def create(self, tenant_id: str, data: CustomerInput, default_region: str | None = None) -> CustomerInfo:
        """Add a customer.

        Args:
            default_region: the country for a phone typed without its code (``"MX"``).

        Raises:
            ValidationFailed: a bad phone, wa_id or name.
            Conflict: another customer has this phone or wa_id.
        """
        values = _clean(data, default_region)
        with self._db.tenant_session(tenant_id) as session:
            _ensure_unique(session, values["phone"], values["wa_id"], None)
            customer = Customer(**values)
            session.add(customer)
            session.flush()
            session.refresh(customer)
            info = customer_info(customer)
            session.commit()
        return info

    def get(self, tenant_id: str, customer_id: int) -> CustomerInfo:
        with self._db.tenant_session(tenant_id) as session:
            return customer_info(_customer(session, customer_id))

    def update(
        self, tenant_id: str, customer_id: int, data: CustomerInput, default_region: str | None = None
    ) -> CustomerInfo:
        """Replace a customer's fields (orders keep the name and phone they were placed with).

        Raises: NotFound, ValidationFailed, Conflict (as `create`).
        """
        values = _clean(data, default_region)
        with self._db.tenant_session(tenant_id) as session:
            customer = _customer(session, customer_id)
            _ensure_unique(session, values["phone"], values["wa_id"], customer_id)
            for key, value in values.items():
                setattr(customer, key, value)
            customer.updated_at = utcnow()
            session.flush()
            info = customer_info(customer)
            session.commit()
        return info

    def delete(self, tenant_id: str, customer_id: int) -> None:
        """Raises: NotFound, Conflict (the customer has orders, which must keep their customer)."""
        with self._db.tenant_session(tenant_id) as session:
            customer = _customer(session, customer_id)
            if session.scalar(sa.select(Order.id).where(Order.customer_id == customer_id).limit(1)):
                raise Conflict("customer {id} has orders and cannot be deleted", id=customer_id)
            session.delete(customer)
            session.commit()

    def list(
        self, tenant_id: str, text: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> CustomerPage:
        """Newest customers first, without the test chat's (`real_customer`); `text` matches name,
        phone or city, ignoring case.

        Raises: ValidationFailed (a bad cursor).
        """
        size = clamp_limit(limit)
        query = sa.select(Customer).where(real_customer()).order_by(Customer.id.desc()).limit(size + 1)
        if text and text.strip():
            pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                sa.or_(Customer.name.ilike(pattern), Customer.phone.ilike(pattern), Customer.city.ilike(pattern))
            )
        if cursor:
            _, last_id = decode_cursor(cursor, _LIST_SORT)
            query = query.where(Customer.id < last_id)
        with self._db.tenant_session(tenant_id) as session:
            rows = list(session.scalars(query))
        page = rows[:size]
        next_cursor = encode_cursor(_LIST_SORT, None, page[-1].id) if len(rows) > size else None
        return CustomerPage(items=tuple(customer_info(c) for c in page), next_cursor=next_cursor)

    def find_or_create(
        self, tenant_id: str, phone: str | None = None, wa_id: str | None = None, name: str | None = None
    ) -> CustomerInfo:
        """The customer with this wa_id or phone, created if missing (see `find_or_create_customer`)."""
        with self._db.tenant_session(tenant_id) as session:
            customer = find_or_create_customer(session, phone=phone, wa_id=wa_id, name=name)
            info = customer_info(customer)
            session.commit()
        return info


def find_or_create_customer(
    session: Session, phone: str | None = None, wa_id: str | None = None, name: str | None = None
) -> Customer:
    """Find a customer by wa_id, then by phone; create one if neither matches. Safe under races.

    The phone defaults to the wa_id read as an international number (that is what a wa_id is).
    A found customer gains the wa_id and name it lacked; a name it has is kept (the manager may
    have corrected it). Runs in the caller's transaction; the caller commits.

    Raises:
        ValidationFailed: neither phone nor wa_id, or either is malformed.
    """
    wa = _clean_wa_id(wa_id)
    if phone is None and wa is None:
        raise ValidationFailed("a phone or a WhatsApp id is required", {"phone": N_("is required")})
    e164 = to_e164(phone if phone is not None else str(wa), None)
    clean = clean_name(name, "name") if name and name.strip() else None
    customer = _lookup(session, e164, wa)
    if customer is None:
        # ON CONFLICT DO NOTHING: two messages from a new customer may arrive at once.
        statement = insert(Customer).values(phone=e164, wa_id=wa, name=clean).on_conflict_do_nothing()
        session.execute(statement)
        customer = _lookup(session, e164, wa)
        assert customer is not None
    if wa is not None and customer.wa_id is None:
        customer.wa_id = wa
    if clean is not None and customer.name is None:
        customer.name = clean
    session.flush()
    return customer


def customer_info(customer: Customer) -> CustomerInfo:
    return from_attributes(customer, CustomerInfo)


def _lookup(session: Session, phone: str, wa_id: str | None) -> Customer | None:
    if wa_id is not None:
        found = session.scalar(sa.select(Customer).where(Customer.wa_id == wa_id))
        if found is not None:
            return found
    return session.scalar(sa.select(Customer).where(Customer.phone == phone))


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("customer {id} does not exist", id=customer_id)
    return customer


def _clean_wa_id(wa_id: str | None) -> str | None:
    if wa_id is None or not wa_id.strip():
        return None
    text = wa_id.strip().removeprefix("+")
    if not WA_ID_PATTERN.fullmatch(text):
        raise ValidationFailed(
            "invalid wa_id: must be the digits of a WhatsApp number", {"wa_id": N_("must be digits")}
        )
    return text


def _clean(data: CustomerInput, default_region: str | None) -> dict[str, object]:
    problems: dict[str, str] = {}
    values: dict[str, object] = {"extra": dict(data.extra)}
    steps: tuple[tuple[str, Callable[[], object]], ...] = (
        ("phone", lambda: to_e164(data.phone, default_region)),
        ("wa_id", lambda: _clean_wa_id(data.wa_id)),
        ("name", lambda: _optional_name(data.name, "name")),
        ("city", lambda: _optional_name(data.city, "city")),
        ("region", lambda: _optional_name(data.region, "region")),
    )
    for key, step in steps:
        try:
            values[key] = step()
        except ValidationFailed as error:
            problems[key] = next(iter(error.fields.values()), error.detail)
    for key in ("default_address", "notes"):
        text = (getattr(data, key) or "").strip()
        if len(text) > MAX_TEXT:
            problems[key] = f"must be at most {MAX_TEXT} characters"
        values[key] = text or None
    if problems:
        raise ValidationFailed("; ".join(f"{k} {v}" for k, v in problems.items()), problems)
    return values


def _optional_name(value: str | None, field: str) -> str | None:
    return clean_name(value, field) if value and value.strip() else None


def _ensure_unique(session: Session, phone: object, wa_id: object, own_id: int | None) -> None:
    clauses = [Customer.phone == phone] + ([Customer.wa_id == wa_id] if wa_id is not None else [])
    query = sa.select(Customer.id).where(sa.or_(*clauses))
    if own_id is not None:
        query = query.where(Customer.id != own_id)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict("another customer already has this phone or WhatsApp id")

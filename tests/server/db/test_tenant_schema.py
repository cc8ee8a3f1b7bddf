"""The tenant schema refuses bad rows by itself, even from SQL that bypasses the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.tenant_models import TenantBase
from comandia.server.wiring import Runtime
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")

SEED = """
INSERT INTO products (sku, name, price, currency) VALUES ('TACO', 'Taco', 25.00, 'MXN');
INSERT INTO customers (phone, name) VALUES ('+525512345678', 'Ana');
INSERT INTO orders (customer_id, customer_phone, channel, subtotal, delivery_fee, total, currency)
    VALUES (1, '+525512345678', 'console', 50.00, 10.00, 60.00, 'MXN');
INSERT INTO order_items (order_id, position, product_id, sku, name, unit_price, quantity, line_total)
    VALUES (1, 0, 1, 'TACO', 'Taco', 25.00, 2, 50.00);
"""


@pytest.fixture
def tenant_db(runtime: Runtime, make_tenant: MakeTenant) -> Iterator[Callable[[], Session]]:
    """A tenant with one product, customer and order; yields a factory of raw sessions on it."""
    tenant = make_tenant()
    with runtime.databases.tenant_session(tenant.id) as session:
        for statement in SEED.split(";"):
            if statement.strip():
                session.execute(sa.text(statement))
        session.commit()
    engine = runtime.databases.tenant_engines.get(tenant.id)
    yield lambda: Session(engine)


def refused(session_factory: Callable[[], Session], statement: str) -> str:
    """Run `statement` and commit; return the name of the constraint that refused it."""
    session = session_factory()
    try:
        with pytest.raises(sa.exc.IntegrityError) as caught:
            session.execute(sa.text(statement))
            session.commit()
        return str(caught.value.orig.diag.constraint_name)  # type: ignore[union-attr]
    finally:
        session.rollback()
        session.close()


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("UPDATE order_items SET quantity = 0, line_total = 0", "ck_order_items_quantity_positive"),
        ("UPDATE order_items SET line_total = 49.99", "ck_order_items_line_total"),
        ("UPDATE orders SET total = 61.00", "ck_orders_total"),
        ("UPDATE orders SET delivery_fee = -10, total = 40.00", "ck_orders_amounts_not_negative"),
        ("UPDATE orders SET status = 'lost'", "ck_orders_status"),
        ("UPDATE orders SET channel = 'fax'", "ck_orders_channel"),
        ("UPDATE orders SET status = 'cancelled'", "ck_orders_cancellation"),
        ("UPDATE orders SET version = 0", "ck_orders_version"),
        ("UPDATE products SET price = -1", "ck_products_price_not_negative"),
        ("UPDATE products SET stock = -1", "ck_products_stock_not_negative"),
        ("INSERT INTO products (sku, name, price, currency) VALUES ('TACO', 'Otro', 1, 'MXN')",
         "uq_products_sku"),
        ("INSERT INTO customers (phone) VALUES ('5512345678')", "ck_customers_phone_e164"),
        ("INSERT INTO customers (phone) VALUES ('+525512345678')", "uq_customers_phone"),
        ("INSERT INTO order_status_history (order_id, to_status, actor) VALUES (1, 'lost', 'x')",
         "ck_order_status_history_to_status"),
        ("DELETE FROM customers", "fk_orders_customer_id_customers"),
    ],
)  # fmt: skip
def test_constraints_refuse_bad_rows(tenant_db: Callable[[], Session], statement: str, constraint: str) -> None:
    name = refused(tenant_db, statement)
    assert name == constraint or (constraint.startswith("fk_") and name.startswith("orders_customer_id"))


def test_subtotal_must_match_the_lines_at_commit(tenant_db: Callable[[], Session]) -> None:
    name = refused(tenant_db, "UPDATE orders SET subtotal = 40.00, total = 50.00")
    assert name == "ck_orders_subtotal_matches_items"
    assert refused(tenant_db, "DELETE FROM order_items") == "ck_orders_subtotal_matches_items"
    session = tenant_db()
    try:  # changing a line and the order together, in one transaction, is fine
        session.execute(sa.text("UPDATE order_items SET quantity = 3, line_total = 75.00"))
        session.execute(sa.text("UPDATE orders SET subtotal = 75.00, total = 85.00"))
        session.commit()
        session.execute(sa.text("DELETE FROM orders"))  # lines go with their order
        session.commit()
        assert session.scalar(sa.text("SELECT count(*) FROM order_items")) == 0
    finally:
        session.close()


def test_order_numbers_come_from_a_sequence(tenant_db: Callable[[], Session]) -> None:
    session = tenant_db()
    try:
        insert = sa.text(
            "INSERT INTO orders (customer_id, customer_phone, channel, subtotal, total, currency)"
            " VALUES (1, '+525512345678', 'api', 0, 0, 'MXN') RETURNING number"
        )
        numbers = [session.scalar(insert) for _ in range(3)]
        session.commit()
    finally:
        session.close()
    assert numbers == [2, 3, 4]


def test_models_match_the_migrated_tables(tenant_db: Callable[[], Session]) -> None:
    session = tenant_db()
    try:
        inspector = sa.inspect(session.connection())
        for table in TenantBase.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert columns == set(table.columns.keys()), table.name
            indexes = {i["name"] for i in inspector.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name
    finally:
        session.close()


def test_order_list_indexes_exist(tenant_db: Callable[[], Session]) -> None:
    session = tenant_db()
    try:
        rows = session.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orders'"))
        indexes = {str(name): str(definition) for name, definition in rows}
    finally:
        session.close()
    assert "USING gin (search)" in indexes["ix_orders_search"]
    assert "(status, created_at DESC, id DESC)" in indexes["ix_orders_status_created"]
    assert "(customer_id, created_at DESC, id DESC)" in indexes["ix_orders_customer_created"]
    assert "(created_at DESC, id DESC)" in indexes["ix_orders_created"]

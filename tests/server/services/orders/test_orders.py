"""Orders: priced from the catalog, one status machine, versioned edits, safe under concurrency."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comandia.server.services.orders.orders import OrderService
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from comandia.shared.domain.orders import TRANSITIONS, OrderStatus
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import (
    OrderDetail,
    OrderEdit,
    OrderInput,
    OrderLineInput,
    OrderQuery,
    version_from_etag,
)
from tests.plugins.tenants import MakeTenant

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def setup_shop(runtime: Runtime, tenant_id: str, stock: int | None = None) -> int:
    """Three products (TACO 25.00, REF 22.50 with `stock`, OFF unavailable) and one customer."""
    catalog = runtime.services.catalog
    catalog.create_product(tenant_id, ProductInput(sku="TACO", name="Taco al pastor", price=Decimal("25.00")))
    catalog.create_product(tenant_id, ProductInput(sku="REF", name="Refresco", price=Decimal("22.50"), stock=stock))
    catalog.create_product(tenant_id, ProductInput(sku="OFF", name="Pozole", price=Decimal("90"), available=False))
    customers = runtime.services.customers
    return customers.create(tenant_id, CustomerInput(phone="+52 55 1234 5678", name="Ana López")).id


def new_order(service: OrderService, tenant_id: str, customer_id: int, **fields: object) -> OrderDetail:
    lines = fields.pop("items", (OrderLineInput(quantity=2, sku="TACO"), OrderLineInput(quantity=1, sku="REF")))
    data = OrderInput(customer_id=customer_id, items=lines, **fields)  # type: ignore[arg-type]
    return service.create(tenant_id, data, actor="ana")


def test_order_is_priced_from_the_catalog_and_numbered(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    service = runtime.services.orders
    order = new_order(service, tenant.id, customer_id, delivery_fee=Decimal("15"), notes="  sin cebolla ")
    assert [(i.sku, i.unit_price, i.quantity, i.line_total) for i in order.items] == [
        ("TACO", Decimal("25.00"), 2, Decimal("50.00")),
        ("REF", Decimal("22.50"), 1, Decimal("22.50")),
    ]
    assert (order.subtotal, order.delivery_fee, order.total) == (
        Decimal("72.50"),
        Decimal("15"),
        Decimal("87.50"),
    )
    assert (order.status, order.version, order.currency, order.notes) == ("new", 1, "MXN", "sin cebolla")
    assert (order.customer_name, order.customer_phone) == ("Ana López", "+525512345678")
    assert [(h.from_status, h.to_status, h.actor) for h in order.history] == [(None, "new", "ana")]
    assert order.allowed_next == ("confirmed", "cancelled")
    second = new_order(service, tenant.id, customer_id)
    assert second.number == order.number + 1
    assert service.get(tenant.id, order.id) == order
    customer = runtime.services.customers.get(tenant.id, customer_id)
    assert customer.first_order_at == order.created_at and customer.last_order_at == second.created_at


def test_bad_lines_are_refused_with_field_paths(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=1)
    service = runtime.services.orders
    lines = (
        OrderLineInput(quantity=1, sku="TACO"),
        OrderLineInput(quantity=1, sku="NOPE"),
        OrderLineInput(quantity=1, sku="OFF"),
        OrderLineInput(quantity=0, sku="TACO"),
    )
    with pytest.raises(ValidationFailed) as caught:
        new_order(service, tenant.id, customer_id, items=lines)
    assert set(caught.value.fields) == {"items[3].quantity"}
    with pytest.raises(ValidationFailed) as caught:
        new_order(service, tenant.id, customer_id, items=lines[:3])
    assert set(caught.value.fields) == {"items[1].sku", "items[2].sku"}
    with pytest.raises(ValidationFailed) as caught:
        new_order(service, tenant.id, customer_id, items=(OrderLineInput(quantity=2, sku="REF"),))
    assert caught.value.fields == {"items[0].quantity": "only 1 of Refresco in stock"}
    with pytest.raises(ValidationFailed) as caught:
        new_order(service, tenant.id, customer_id, items=())
    assert "items" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        new_order(service, tenant.id, 999_999)
    assert "customer_id" in caught.value.fields
    with pytest.raises(ValidationFailed):
        new_order(service, tenant.id, customer_id, channel="fax")
    assert service.list(tenant.id, OrderQuery()).items == ()


def test_a_refused_orders_problems_read_in_the_readers_language(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=1)
    lines = (OrderLineInput(quantity=1, sku="OFF"), OrderLineInput(quantity=1, sku="NOPE"))
    with pytest.raises(ValidationFailed) as caught:
        new_order(runtime.services.orders, tenant.id, customer_id, items=lines)
    assert caught.value.localized("es") == (
        "no se puede registrar el pedido: items[0].sku Pozole no está disponible; "
        "items[1].sku no existe ese producto en el catálogo"
    )
    assert caught.value.localized_fields("en")["items[1].sku"] == "no such product in the catalog"
    assert caught.value.detail.startswith("the order cannot be placed: items[0].sku Pozole is")  # logs: English
    with pytest.raises(ValidationFailed) as caught:
        new_order(runtime.services.orders, tenant.id, customer_id, items=(OrderLineInput(quantity=2, sku="REF"),))
    assert caught.value.localized_fields("es") == {"items[0].quantity": "solo quedan 1 de Refresco en existencia"}


def test_stock_is_taken_by_orders_and_given_back_on_cancel(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=5)
    catalog, service = runtime.services.catalog, runtime.services.orders
    ref = catalog.get_product_by_sku(tenant.id, "REF")
    order = new_order(service, tenant.id, customer_id, items=(OrderLineInput(quantity=3, product_id=ref.id),))
    assert catalog.get_product(tenant.id, ref.id).stock == 2
    edited = service.edit(tenant.id, order.id, OrderEdit(items=(OrderLineInput(4, sku="REF"),)), "ana", 1)
    assert catalog.get_product(tenant.id, ref.id).stock == 1
    assert (edited.version, edited.subtotal, len(edited.items)) == (2, Decimal("90.00"), 1)
    service.change_status(tenant.id, order.id, "cancelled", "ana", reason="cliente no contesta")
    assert catalog.get_product(tenant.id, ref.id).stock == 5


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Each call in its own thread, released together by one barrier; returns what each returned
    or the domain error it raised (in the order they finished)."""
    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            outcomes.append(call())
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def place_at_once(
    service: OrderService, tenant_id: str, customer_id: int, line_sets: list[tuple[OrderLineInput, ...]]
) -> list[object]:
    """One order per set of lines, placed at the same moment; returns each order or refusal."""
    return at_once(
        [
            functools.partial(service.create, tenant_id, OrderInput(customer_id=customer_id, items=lines), "ana")
            for lines in line_sets
        ]
    )


def test_concurrent_orders_never_oversell_counted_stock(runtime: Runtime, make_tenant: MakeTenant) -> None:
    """Four customers confirm at the same instant, each in their own transaction, for 2 left of two
    counted products named in opposite orders: exactly two orders win, the stock ends at 0 (never
    below), nobody deadlocks, and the products at 0 are unavailable until restocked."""
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=2)
    catalog, service = runtime.services.catalog, runtime.services.orders
    catalog.create_product(tenant.id, ProductInput(sku="AGUA", name="Agua", price=Decimal("15"), stock=2))
    forwards = (OrderLineInput(quantity=1, sku="REF"), OrderLineInput(quantity=1, sku="AGUA"))
    for round_ in range(3):
        line_sets = [forwards if n % 2 else forwards[::-1] for n in range(4)]
        outcomes = place_at_once(service, tenant.id, customer_id, line_sets)
        placed = [o for o in outcomes if isinstance(o, OrderDetail)]
        refused = [o for o in outcomes if isinstance(o, ValidationFailed)]
        assert (len(placed), len(refused)) == (2, 2), (round_, outcomes)
        assert all("in stock" in " ".join(error.fields.values()) for error in refused)
        for sku in ("REF", "AGUA"):
            assert catalog.get_product_by_sku(tenant.id, sku).stock == 0
        on_sale = {p.sku for p in catalog.list_products(tenant.id, available_only=True)}
        assert on_sale == {"TACO"}
        with pytest.raises(ValidationFailed, match="in stock"):
            new_order(service, tenant.id, customer_id, items=forwards[:1])
        for order in placed:  # cancelling gives the stock back: the next round starts at 2 again
            service.change_status(tenant.id, order.id, "cancelled", "ana", reason="prueba")
        assert {p.sku for p in catalog.list_products(tenant.id, available_only=True)} == {"TACO", "REF", "AGUA"}


def test_status_changes_stamp_times_and_history(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    ticks = iter(dt.datetime(2026, 3, 1, 12, minute, tzinfo=dt.UTC) for minute in range(60))
    service = OrderService(runtime.databases, clock=lambda: next(ticks))
    order = new_order(service, tenant.id, customer_id)
    for status in ("confirmed", "shipped", "completed"):
        order = service.change_status(tenant.id, order.id, status, actor="luis", expected_version=order.version)
    assert (order.status, order.version, order.allowed_next) == ("completed", 4, ())
    assert [order.created_at.minute, order.confirmed_at.minute, order.shipped_at.minute] == [0, 1, 2]  # type: ignore[union-attr]
    assert order.completed_at == order.updated_at and order.cancelled_at is None
    assert [(h.from_status, h.to_status, h.actor) for h in order.history] == [
        (None, "new", "ana"), ("new", "confirmed", "luis"), ("confirmed", "shipped", "luis"),
        ("shipped", "completed", "luis"),
    ]  # fmt: skip
    with pytest.raises(InvalidTransition) as caught:
        service.change_status(tenant.id, order.id, "cancelled", "luis", reason="tarde")
    assert caught.value.allowed == () and "final state" in caught.value.detail


def test_refused_changes_say_what_is_allowed(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    service = runtime.services.orders
    order = new_order(service, tenant.id, customer_id)
    with pytest.raises(InvalidTransition) as caught:
        service.change_status(tenant.id, order.id, "shipped", "luis")
    assert caught.value.allowed == ("confirmed", "cancelled")
    assert "allowed next: confirmed, cancelled" in caught.value.detail
    with pytest.raises(ValidationFailed) as missing_reason:
        service.change_status(tenant.id, order.id, "cancelled", "luis", reason="  ")
    assert "reason" in missing_reason.value.fields
    with pytest.raises(ValidationFailed):
        service.change_status(tenant.id, order.id, "lost", "luis")
    with pytest.raises(NotFound):
        service.change_status(tenant.id, 424242, "confirmed", "luis")
    assert service.get(tenant.id, order.id).version == 1


def test_stale_version_is_a_conflict(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    service = runtime.services.orders
    order = new_order(service, tenant.id, customer_id)
    expected = version_from_etag(order.etag)
    assert expected == 1
    service.edit(tenant.id, order.id, OrderEdit(notes="timbre roto"), "ana", expected_version=expected)
    with pytest.raises(Conflict, match="changed by someone else"):
        service.edit(tenant.id, order.id, OrderEdit(notes="otra cosa"), "luis", expected_version=expected)
    with pytest.raises(Conflict):
        service.change_status(tenant.id, order.id, "confirmed", "luis", expected_version=expected)
    assert service.get(tenant.id, order.id).notes == "timbre roto"


def test_only_new_orders_can_be_edited(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    service = runtime.services.orders
    order = new_order(service, tenant.id, customer_id)
    edited = service.edit(tenant.id, order.id, OrderEdit(delivery_fee=Decimal("30"), delivery_address="Calle 5"), "a")
    assert (edited.total, edited.delivery_address, edited.version) == (Decimal("102.50"), "Calle 5", 2)
    assert edited.items == order.items
    service.change_status(tenant.id, order.id, "confirmed", "a")
    with pytest.raises(Conflict, match="only new orders"):
        service.edit(tenant.id, order.id, OrderEdit(notes="x"), "a")


def test_on_change_runs_in_the_same_transaction(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    seen: list[tuple[str | None, str]] = []

    def listen(session: object, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        assert tenant_id == tenant.id
        seen.append((before.status if before else None, after.status))
        if after.status == "shipped":
            raise RuntimeError("the notifier broke")

    service = OrderService(runtime.databases, on_change=listen)
    order = new_order(service, tenant.id, customer_id)
    service.change_status(tenant.id, order.id, "confirmed", "a")
    with pytest.raises(RuntimeError):
        service.change_status(tenant.id, order.id, "shipped", "a")
    assert seen == [(None, "new"), ("new", "confirmed"), ("confirmed", "shipped")]
    assert service.get(tenant.id, order.id).status == "confirmed"  # rolled back with the hook


def test_a_new_order_reads_back_exactly_as_it_was_placed(runtime: Runtime, make_tenant: MakeTenant) -> None:
    # Creation writes its rows without the ORM and builds the answer itself: both must agree.
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=5)
    [taco] = [p for p in runtime.services.catalog.list_products(tenant.id) if p.sku == "TACO"]
    lines = (
        OrderLineInput(quantity=1, sku=" REF ", note="  bien   fría "),
        OrderLineInput(quantity=3, product_id=taco.id),
        OrderLineInput(quantity=2, sku="REF"),
    )
    service = runtime.services.orders
    order = new_order(
        service,
        tenant.id,
        customer_id,
        items=lines,
        channel="api",
        fulfilment="pickup",
        delivery_zone="Centro",
        payment_method="cash",
        pay_with=Decimal("500"),
        extra={"mesa": 4, "tags": ["vip"]},
        delivery_city=" Puebla ",
    )
    assert order == service.get(tenant.id, order.id)
    assert [(i.sku, i.quantity, i.note) for i in order.items] == [
        ("REF", 1, "bien fría"),
        (taco.sku, 3, None),
        ("REF", 2, None),
    ]
    assert (order.pay_with, order.delivery_city) == (Decimal("500"), "Puebla")
    assert order.extra == {"mesa": 4, "tags": ["vip"]}
    products = {p.sku: p for p in runtime.services.catalog.list_products(tenant.id)}
    assert (products["REF"].stock, products["TACO"].stock) == (2, None)


def test_a_failing_listener_leaves_no_trace_of_a_new_order(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id, stock=3)

    def broken(session: object, tenant_id: str, before: OrderDetail | None, after: OrderDetail) -> None:
        raise RuntimeError("the rollups broke")

    with pytest.raises(RuntimeError):
        new_order(OrderService(runtime.databases, on_change=broken), tenant.id, customer_id)
    assert runtime.services.orders.list(tenant.id, OrderQuery()).items == ()
    stock = {p.sku: p.stock for p in runtime.services.catalog.list_products(tenant.id)}
    assert stock["REF"] == 3
    customer = runtime.services.customers.get(tenant.id, customer_id)
    assert (customer.first_order_at, customer.last_order_at) == (None, None)
    placed = new_order(runtime.services.orders, tenant.id, customer_id)  # and the next one is whole
    assert runtime.services.orders.get(tenant.id, placed.id) == placed
    assert runtime.services.catalog.get_product(tenant.id, placed.items[1].product_id or 0).stock == 2


def test_list_filters_sorts_and_pages(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    other = runtime.services.customers.create(tenant.id, CustomerInput(phone="+573001112233", name="Beto"))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ticks = iter(start + dt.timedelta(hours=h) for h in range(100))
    service = OrderService(runtime.databases, clock=lambda: next(ticks))
    orders = [new_order(service, tenant.id, customer_id if i % 3 else other.id) for i in range(12)]
    service.change_status(tenant.id, orders[0].id, "confirmed", "a")
    service.change_status(tenant.id, orders[5].id, "confirmed", "a")

    def ids(query: OrderQuery) -> list[int]:
        return [o.id for o in service.list(tenant.id, query).items]

    assert ids(OrderQuery()) == [o.id for o in reversed(orders)]
    assert ids(OrderQuery(statuses=("confirmed",))) == [orders[5].id, orders[0].id]
    assert ids(OrderQuery(customer_id=other.id, sort="created_at")) == [orders[i].id for i in (0, 3, 6, 9)]
    window = OrderQuery(created_from=start + dt.timedelta(hours=2), created_to=start + dt.timedelta(hours=4))
    assert ids(window) == [orders[3].id, orders[2].id]
    assert ids(OrderQuery(text="beto")) == [orders[i].id for i in (9, 6, 3, 0)]
    assert ids(OrderQuery(text="300 111")) == ids(OrderQuery(text="beto"))  # national digits of the phone
    assert ids(OrderQuery(text=str(orders[4].number))) == [orders[4].id]
    assert ids(OrderQuery(text="+57 300-111-2233")) == ids(OrderQuery(text="beto"))
    assert ids(OrderQuery(text="!!")) == ids(OrderQuery())
    for sort in ("-created_at", "number", "-total"):
        seen, cursor = [], None
        while True:
            page = service.list(tenant.id, OrderQuery(sort=sort, limit=5, cursor=cursor))
            seen += [o.id for o in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(o.id for o in orders) and len(seen) == 12
    assert len(service.list(tenant.id, OrderQuery(limit=10_000)).items) == 12  # clamped, not refused
    with pytest.raises(ValidationFailed):
        service.list(tenant.id, OrderQuery(sort="number", cursor=page.next_cursor or "garbage"))
    with pytest.raises(ValidationFailed):
        service.list(tenant.id, OrderQuery(statuses=("lost",)))


def race(
    service: OrderService, tenant_id: str, order_id: int, targets: tuple[str, str], version: int | None
) -> list[object]:
    """Two threads change one order's status at the same moment; returns both outcomes."""
    return at_once(
        [
            functools.partial(service.change_status, tenant_id, order_id, target, "m", "por teléfono", version)
            for target in targets
        ]
    )


def test_two_managers_changing_one_order_at_once_cannot_both_win(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    customer_id = setup_shop(runtime, tenant.id)
    service = runtime.services.orders
    cases = ((("confirmed", "confirmed"), None, InvalidTransition), (("confirmed", "cancelled"), 1, Conflict))
    for targets, version, refusal in cases:
        order = new_order(service, tenant.id, customer_id)
        outcomes = race(service, tenant.id, order.id, targets, version)
        winners = [o for o in outcomes if isinstance(o, OrderDetail)]
        losers = [o for o in outcomes if type(o) is refusal]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        final = service.get(tenant.id, order.id)
        assert final.version == 2 and len(final.history) == 2 and final.status == winners[0].status


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=6))
def test_random_status_sequences_follow_the_machine(
    runtime: Runtime, make_tenant: MakeTenant, requested: list[OrderStatus]
) -> None:
    tenant_id, customer_id = _shared_shop(runtime, make_tenant)
    service = runtime.services.orders
    order = new_order(service, tenant_id, customer_id)
    status, accepted = OrderStatus.NEW, [(None, "new")]
    for target in requested:
        try:
            order = service.change_status(tenant_id, order.id, target, "bot", reason="porque sí")
        except InvalidTransition:
            assert target not in TRANSITIONS[status]
            continue
        assert target in TRANSITIONS[status]
        accepted.append((status.value, target.value))
        status = target
    final = service.get(tenant_id, order.id)
    assert final.status == status.value and final.version == len(accepted)
    assert [(h.from_status, h.to_status) for h in final.history] == accepted


prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(prices, st.integers(1, 500)), min_size=1, max_size=5), prices)
def test_order_money_is_exact_in_the_database_and_on_the_wire(
    runtime: Runtime, make_tenant: MakeTenant, lines: list[tuple[Decimal, int]], fee: Decimal
) -> None:
    tenant_id, customer_id = _shared_shop(runtime, make_tenant)
    catalog, service = runtime.services.catalog, runtime.services.orders
    wanted = []
    for price, quantity in lines:
        sku = f"H{next(_SKUS)}"
        catalog.create_product(tenant_id, ProductInput(sku=sku, name=sku, price=price))
        wanted.append(OrderLineInput(quantity=quantity, sku=sku))
    order = new_order(service, tenant_id, customer_id, items=tuple(wanted), delivery_fee=fee)
    subtotal = sum((price * quantity for price, quantity in lines), Decimal(0))
    assert order.subtotal == subtotal and order.total == subtotal + fee
    assert [i.line_total for i in order.items] == [p * q for p, q in lines]
    stored = service.get(tenant_id, order.id)
    assert stored == order
    wire = stored.to_json()
    assert wire["total"] == format(subtotal + fee, "f") and "E" not in wire["total"]
    assert OrderDetail.from_json(wire) == stored


_SKUS = itertools.count()
_SHOPS: dict[int, tuple[str, int]] = {}


def _shared_shop(runtime: Runtime, make_tenant: MakeTenant) -> tuple[str, int]:
    """One tenant per backend for all examples of a hypothesis test (each example adds an order)."""
    if id(runtime) not in _SHOPS:
        tenant = make_tenant()
        _SHOPS[id(runtime)] = (tenant.id, setup_shop(runtime, tenant.id))
    return _SHOPS[id(runtime)]

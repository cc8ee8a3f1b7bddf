"""Orders over HTTP: filters, pages, ETag/If-Match, concurrent status changes, scope."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
import requests

from comandia.shared.client import ApiClient, ConflictError, ForbiddenError, NotFoundError
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderDetail, OrderEdit, OrderInput, OrderLineInput
from tests.plugins.api import World

ClientFor = Callable[[str | None], ApiClient]


def _place(client: ApiClient, tenant_id: str, quantity: int = 2) -> OrderDetail:
    sku = f"SKU-{secrets.token_hex(4)}"
    client.catalog.create_product(tenant_id, ProductInput(sku=sku, name=f"Taco {sku}", price=Decimal("25.00")))
    phone = f"+52155{secrets.randbelow(10**8):08d}"
    customer = client.customers.create(tenant_id, CustomerInput(phone=phone, name="Ana López"))
    return client.orders.create(
        tenant_id, OrderInput(customer_id=customer.id, items=(OrderLineInput(quantity=quantity, sku=sku),))
    )


def test_manager_places_an_order_and_reads_it_with_items_and_history(manager_a_client: ApiClient, world: World) -> None:
    order = _place(manager_a_client, world.tenant_a.id, quantity=3)
    assert order.total == Decimal("75.00") and order.status == "new"
    again = manager_a_client.orders.get(world.tenant_a.id, order.id)
    assert len(again.items) == 1 and again.history[0].to_status == "new"


def test_order_list_filters_by_status_customer_text_and_days(manager_a_client: ApiClient, world: World) -> None:
    tenant = world.tenant_a.id
    order = _place(manager_a_client, tenant)
    manager_a_client.orders.change_status(tenant, order.id, "confirmed")
    page = manager_a_client.orders.list(tenant, statuses=("confirmed",), customer_id=order.customer_id)
    assert [o.id for o in page.items] == [order.id]
    assert manager_a_client.orders.list(tenant, statuses=("new",), customer_id=order.customer_id).items == ()
    today = dt.datetime.now(dt.UTC).date()
    days = manager_a_client.orders.list(
        tenant,
        customer_id=order.customer_id,
        first_day=today - dt.timedelta(days=1),
        last_day=today + dt.timedelta(days=1),
    )
    assert [o.id for o in days.items] == [order.id]
    assert order.id in [o.id for o in manager_a_client.orders.list(tenant, text="Ana").items]


def test_order_list_pages_with_a_cursor(manager_a_client: ApiClient, world: World) -> None:
    tenant = world.tenant_a.id
    for _ in range(3):
        _place(manager_a_client, tenant)
    first = manager_a_client.orders.list(tenant, limit=2, sort="-number")
    assert len(first.items) == 2 and first.next_cursor
    second = manager_a_client.orders.list(tenant, limit=2, sort="-number", cursor=first.next_cursor)
    assert second.items[0].number < first.items[-1].number


def test_stale_if_match_answers_412_and_changes_nothing(
    api_url: str, manager_a_client: ApiClient, world: World
) -> None:
    tenant = world.tenant_a.id
    order = _place(manager_a_client, tenant)
    edited = manager_a_client.orders.edit(tenant, order.id, OrderEdit(notes="sin cebolla"), etag=order.etag)
    assert edited.version == order.version + 1
    response = requests.patch(
        f"{api_url}/api/v1/tenants/{tenant}/orders/{order.id}",
        json={"notes": "con cebolla"},
        headers={"Authorization": f"Bearer {world.manager_a.token}", "If-Match": order.etag},
        timeout=10,
    )
    assert response.status_code == 412
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert manager_a_client.orders.get(tenant, order.id).notes == "sin cebolla"
    get = requests.get(
        f"{api_url}/api/v1/tenants/{tenant}/orders/{order.id}",
        headers={"Authorization": f"Bearer {world.manager_a.token}"},
        timeout=10,
    )
    assert get.headers["ETag"] == edited.etag


def test_concurrent_status_changes_let_exactly_one_win(
    client_for: ClientFor, manager_a_client: ApiClient, world: World
) -> None:
    tenant = world.tenant_a.id
    order = _place(manager_a_client, tenant)
    clients = [client_for(world.manager_a.token) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    outcomes: list[str] = []

    def change(client: ApiClient) -> None:
        barrier.wait()
        try:
            client.orders.change_status(tenant, order.id, "confirmed")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=change, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    final = manager_a_client.orders.get(tenant, order.id)
    assert [h.to_status for h in final.history] == ["new", "confirmed"]


def test_viewer_reads_but_cannot_change_status(
    manager_a_client: ApiClient, viewer_a_client: ApiClient, world: World
) -> None:
    order = _place(manager_a_client, world.tenant_a.id)
    assert viewer_a_client.orders.get(world.tenant_a.id, order.id).id == order.id
    with pytest.raises(ForbiddenError):
        viewer_a_client.orders.change_status(world.tenant_a.id, order.id, "confirmed")


def test_manager_gets_404_for_other_tenants_order_like_a_missing_tenant(
    manager_a_client: ApiClient, manager_b_client: ApiClient, world: World
) -> None:
    order = _place(manager_a_client, world.tenant_a.id)
    with pytest.raises(NotFoundError) as other:
        manager_b_client.orders.get(world.tenant_a.id, order.id)
    with pytest.raises(NotFoundError) as missing:
        manager_b_client.orders.get("t000000000000", order.id)
    assert other.value.detail == f"el negocio {world.tenant_a.id} no existe"  # Spanish unless asked otherwise
    assert missing.value.detail == "el negocio t000000000000 no existe"


def test_catalog_import_dry_run_reports_rows_and_apply_is_all_or_nothing(
    manager_a_client: ApiClient, world: World
) -> None:
    tenant = world.tenant_a.id
    template = manager_a_client.catalog.import_template(tenant)
    assert template.decode("utf-8-sig").startswith("sku,")
    sku = f"IMP-{secrets.token_hex(3)}"
    good = f"sku,name,price\r\n{sku},Agua,10.00\r\n".encode()
    report = manager_a_client.catalog.import_file(tenant, good, dry_run=True)
    assert report.created == 1 and not report.applied
    bad = f"sku,name,price\r\n{sku}-2,Agua,10.00\r\n{sku}-3,Jugo,gratis\r\n".encode()
    assert manager_a_client.catalog.import_file(tenant, bad, dry_run=True).issues
    with pytest.raises(Exception) as caught:
        manager_a_client.catalog.import_file(tenant, bad, dry_run=False)
    assert getattr(caught.value, "status", None) == 422
    assert manager_a_client.catalog.list_products(tenant, text=f"{sku}-2") == []
    assert manager_a_client.catalog.import_file(tenant, good, dry_run=False).applied

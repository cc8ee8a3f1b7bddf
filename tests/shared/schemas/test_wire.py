"""The wire contract: one Struct per payload decodes, encodes and describes itself the same way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from comandia.shared.domain.errors import ValidationFailed
from comandia.shared.schemas.backups import BackupRecord
from comandia.shared.schemas.orders import OrderDetail, OrderEdit, OrderInput
from comandia.shared.schemas.tenants import TenantSettingsChange
from comandia.shared.schemas.wire import Request, Wire, json_schemas, narrowed

AT = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


def refused(kind: type[Wire], data: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        kind.from_json(data)
    return caught.value.fields


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"customer_id": 1, "items": [{"quantity": "2"}]}, {"items[0].quantity": "must be an integer"}),
        ({"customer_id": 1, "items": [{"quantity": True}]}, {"items[0].quantity": "must be an integer"}),
        ({"items": []}, {"customer_id": "is required"}),
        ({"customer_id": 1, "items": [], "colour": "red"}, {"colour": "unknown field"}),
        ({"customer_id": 1, "items": [], "delivery_fee": 12.5}, {"delivery_fee": 'must be a string such as "12.50"'}),
        ({"customer_id": 1, "items": [], "delivery_fee": "NaN"}, {"delivery_fee": "must be a finite number"}),
        (
            {"customer_id": 1, "items": [], "delivery_fee": "doce"},
            {"delivery_fee": 'must be a number written as a string such as "12.50"'},
        ),
        ([1, 2], {"body": "must be an object"}),
    ],
)
def test_a_request_is_refused_naming_the_field_at_fault(data: object, fields: dict[str, str]) -> None:
    assert refused(OrderInput, data) == fields


def test_money_comes_as_a_string_or_an_integer_and_leaves_as_a_string() -> None:
    order = OrderInput.from_json({"customer_id": 1, "items": [{"quantity": 1, "sku": "TACO"}], "delivery_fee": 35})
    assert order.delivery_fee == Decimal(35)
    assert OrderInput.from_json(order.to_json()) == order
    assert order.to_json()["delivery_fee"] == "35"


def test_a_key_of_a_map_is_named_when_its_value_is_wrong() -> None:
    assert refused(TenantSettingsChange, {"texts": {"greeting": "Hola", "welcome": 5}}) == {
        "texts.welcome": "must be a string"
    }
    assert refused(TenantSettingsChange, {"texts": {"welcome": "x" * 1001}}) == {
        "texts.welcome": "must be at most 1000 characters"
    }


def test_an_edit_sends_only_what_changes() -> None:
    assert OrderEdit(notes="").to_json() == {"notes": ""}
    assert OrderEdit.from_json({"notes": None}) == OrderEdit()


def test_a_response_reads_back_what_it_wrote_and_ignores_fields_it_does_not_know() -> None:
    order = OrderDetail(
        id=1,
        number=7,
        status="new",
        channel="whatsapp",
        customer_id=3,
        customer_name=None,
        customer_phone="+5215512345678",
        delivery_address=None,
        delivery_city=None,
        delivery_region=None,
        notes=None,
        subtotal=Decimal("240.00"),
        delivery_fee=Decimal("0.00"),
        total=Decimal("240.00"),
        currency="MXN",
        extra={},
        version=1,
        created_at=AT,
        updated_at=AT,
        confirmed_at=None,
        shipped_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        items=(),
        history=(),
        allowed_next=("confirmed", "cancelled"),
    )
    data = order.to_json()
    assert data["total"] == "240.00" and data["created_at"].startswith("2026-03-01T12:30:00")
    assert OrderDetail.from_json({**data, "added_by_a_newer_server": 1}) == order


def test_a_narrowed_payload_keeps_only_its_own_fields() -> None:
    class WithPath(BackupRecord, frozen=True, kw_only=True):  # after the record's optional fields
        path: str

    full = WithPath(1, None, AT, None, None, False, "ok", None, None, None, None, path="/secret/place")
    assert "path" not in narrowed(full, BackupRecord).to_json()


def test_schemas_are_closed_objects_and_money_in_requests_is_a_string_or_an_integer() -> None:
    schemas = json_schemas([OrderInput, OrderDetail], "#/components/schemas/{name}")
    assert all(s.get("additionalProperties") is False for s in schemas.values() if s.get("type") == "object")
    fee = schemas["OrderInput"]["properties"]["delivery_fee"]["anyOf"][0]
    assert fee["type"] == ["string", "integer"]
    assert schemas["OrderDetail"]["required"][0] == "id"


def test_requests_refuse_unknown_fields_and_responses_do_not() -> None:
    assert Request.__struct_config__.forbid_unknown_fields
    assert not Wire.__struct_config__.forbid_unknown_fields

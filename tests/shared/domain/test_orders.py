"""Tests for comandia.shared.domain.orders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comandia.shared.domain.errors import InvalidTransition, ValidationFailed
from comandia.shared.domain.orders import (
    ORDER_CHANNELS,
    TRANSITIONS,
    OrderStatus,
    allowed_next,
    check_transition,
    is_final,
    parse_status,
)

FINAL = [OrderStatus.COMPLETED, OrderStatus.CANCELLED]
requests = st.one_of(st.sampled_from(list(OrderStatus)), st.sampled_from(["", "paid", "NEW", "delivered"]))
reasons = st.one_of(st.none(), st.sampled_from(["", "  ", "out of stock"]))


def _reachable_from_new() -> set[OrderStatus]:
    seen, todo = {OrderStatus.NEW}, [OrderStatus.NEW]
    while todo:
        for following in TRANSITIONS[todo.pop()]:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


@given(st.lists(st.tuples(requests, reasons), max_size=40))
def test_random_requests_only_ever_follow_the_machine(steps: list[tuple[str, str | None]]) -> None:
    status = OrderStatus.NEW
    for requested, reason in steps:
        try:
            check_transition(status, requested, reason)
        except (InvalidTransition, ValidationFailed):
            continue
        assert requested in TRANSITIONS[status]
        assert requested != OrderStatus.CANCELLED or (reason and reason.strip())
        status = OrderStatus(requested)
    assert status in _reachable_from_new()


@given(st.sampled_from(FINAL), requests, reasons)
def test_final_states_accept_nothing(status: OrderStatus, requested: str, reason: str | None) -> None:
    with pytest.raises((InvalidTransition, ValidationFailed)):
        check_transition(status, requested, reason)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_staying_in_the_same_status_is_not_a_transition(status: OrderStatus) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(status, status, "because")


@pytest.mark.parametrize("reason", [None, "", "   \n"])
@pytest.mark.parametrize("status", [OrderStatus.NEW, OrderStatus.CONFIRMED])
def test_cancel_requires_a_reason(status: OrderStatus, reason: str | None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_transition(status, OrderStatus.CANCELLED, reason)

    assert set(caught.value.fields) == {"reason"}


def test_cancel_with_a_reason_is_allowed_before_shipping() -> None:
    check_transition("new", "cancelled", "customer changed their mind")
    check_transition("confirmed", "cancelled", "out of stock")


def test_a_shipped_order_cannot_be_cancelled_even_with_a_reason() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(OrderStatus.SHIPPED, OrderStatus.CANCELLED, "lost")

    assert caught.value.current == "shipped"
    assert caught.value.requested == "cancelled"
    assert caught.value.allowed == ("completed",)
    assert "'shipped'" in caught.value.detail


def test_an_unknown_requested_status_names_the_status_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_transition(OrderStatus.NEW, "paid", None)

    assert set(caught.value.fields) == {"status"}


def test_an_unknown_stored_status_is_a_bug_not_bad_input() -> None:
    with pytest.raises(ValueError, match="paid"):
        check_transition("paid", OrderStatus.CONFIRMED, None)


def test_the_happy_path_runs_from_new_to_completed() -> None:
    path = [OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
    for current, requested in zip(path, path[1:], strict=False):
        check_transition(current, requested, None)


def test_allowed_next_and_is_final_follow_the_table() -> None:
    assert allowed_next("new") == (OrderStatus.CONFIRMED, OrderStatus.CANCELLED)
    assert allowed_next(OrderStatus.SHIPPED) == (OrderStatus.COMPLETED,)
    assert [status for status in OrderStatus if is_final(status)] == FINAL


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[OrderStatus.COMPLETED] = (OrderStatus.NEW,)  # type: ignore[index]


def test_parse_status_reads_values_and_refuses_other_spellings() -> None:
    assert parse_status("shipped") is OrderStatus.SHIPPED
    with pytest.raises(ValidationFailed) as caught:
        parse_status("Shipped", field="orders[2].status")

    assert set(caught.value.fields) == {"orders[2].status"}


def test_order_channels_are_the_four_ways_in() -> None:
    assert ORDER_CHANNELS == ("whatsapp", "api", "console", "import", "sandbox")

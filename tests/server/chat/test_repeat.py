"""Repeat orders: the last order's lines come back as the cart; sold-out ones are named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comandia.server.chat import flow, repeat
from comandia.server.chat.model import Inbound, LatestOrder
from comandia.server.chat.state import ChatState
from tests.server.chat.menu import ANA, ES, MENU

LAST = LatestOrder(41, "completed", Decimal("290"), lines=(("PZ-MAR", 2), ("AGUA", 1), ("GONE", 1)))


@pytest.mark.parametrize(
    "text",
    [
        "lo mismo de la vez pasada",
        "quiero lo mismo que la ultima vez porfa",
        "Repetir pedido",
        "repiteme mi pedido",
        "lo de siempre",
        "same as last time please",
        "repeat my last order",
    ],
)
def test_repeat_phrases_are_recognised(text: str) -> None:
    assert repeat.wants_repeat(text)
    assert flow.wants_latest_order(ChatState(), Inbound(kind="text", text=text))


@pytest.mark.parametrize("text", ["lo mismo pero sin cebolla en la pizza", "2 margaritas", "quiero repetir"])
def test_other_messages_are_not_repeats(text: str) -> None:
    assert not repeat.wants_repeat(text)


def test_the_last_order_becomes_the_cart_and_what_is_gone_is_named() -> None:
    outcome = flow.step(
        ChatState(greeted=True), Inbound(kind="text", text="lo mismo de la vez pasada"), ES, MENU, ANA, LAST
    )
    assert outcome.state.cart == (("PZ-MAR", 2),)
    body = outcome.replies[0].body
    assert "último pedido (#41)" in body and "Agua de jamaica" in body and "GONE" in body
    assert set(outcome.named_back) == {"Agua de jamaica", "GONE"}


def test_no_previous_order_says_so() -> None:
    outcome = flow.step(ChatState(greeted=True), Inbound(kind="text", text="repetir pedido"), ES, MENU, ANA, None)
    assert outcome.state.cart == () and "no tienes pedidos" in outcome.replies[0].body.lower()


@pytest.mark.parametrize("latest", [LAST, None])
def test_items_listed_with_the_phrase_are_the_order(latest: LatestOrder | None) -> None:
    text = "lo de siempre: 2 de pepperoni y una coca"
    outcome = flow.step(ChatState(greeted=True), Inbound(kind="text", text=text), ES, MENU, ANA, latest)
    assert dict(outcome.state.cart) == {"PZ-PEP": 2, "COCA": 1}

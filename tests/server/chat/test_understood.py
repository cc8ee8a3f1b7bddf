"""The flow's typed "not understood" (`Outcome.understood`): the hand-off after two misses in a row
counts it, so it must not depend on the wording of the reply (a tenant may rewrite every text)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from comandia.server.chat import flow
from comandia.server.chat.model import Inbound, TenantContext
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome
from tests.server.chat.menu import ANA, EN, ES, MENU


def first(text: str, tenant: TenantContext = ES, state: ChatState | None = None) -> Outcome:
    return flow.step(state or ChatState(greeted=True), Inbound(kind="text", text=text), tenant, MENU, ANA)


@pytest.mark.parametrize("text", ["xqzv wplk", "brrr mmm", "asdf", "pizza de unicornio azul"])
def test_gibberish_and_words_only_off_the_menu_are_not_understood(text: str) -> None:
    assert first(text).understood is False


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "menú",
        "2 margaritas",
        "2 margaritas y un unicornio",
        "¿a cómo la coca?",
        "gracias",
        "quiero hablar con alguien",
        "ayuda",
    ],
)
def test_what_the_bot_acted_on_is_understood_even_when_part_is_named_back(text: str) -> None:
    assert first(text).understood is True


def test_the_flag_holds_in_english_and_with_the_tenants_own_wording() -> None:
    assert first("xqzv wplk", EN).understood is False
    reworded = replace(
        ES, text_overrides={"not_understood": "Perdón, ¿me lo repites?", "not_on_menu": "Eso ({text}) no lo manejamos."}
    )
    for text, wording in (("xqzv wplk", "Eso (xqzv wplk) no lo manejamos."), ("🤷 ?", "Perdón")):
        outcome = first(text, reworded)
        assert outcome.understood is False and outcome.replies[0].body.startswith(wording), outcome.replies


def test_a_forged_or_stale_button_is_not_understood() -> None:
    outcome = flow.step(ChatState(greeted=True), Inbound(kind="button", reply_id="zzz:9"), ES, MENU, ANA)
    assert outcome.understood is False

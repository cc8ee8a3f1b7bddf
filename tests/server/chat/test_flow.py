"""The chat flow, pure: every stage, typed and tapped answers, limits, languages, overrides."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from comandia.server.chat import flow
from comandia.server.chat.model import (
    CatalogView,
    CategoryView,
    CustomerRef,
    Inbound,
    LatestOrder,
    ProductView,
    Reply,
    TenantContext,
    buttons_reply,
    list_reply,
)
from comandia.server.chat.state import ChatState
from comandia.server.chat.turn import Outcome
from comandia.shared.schemas.rules import BusinessRules, OpeningHours
from tests.server.chat.menu import ANA, EN, ES, MENU


class Chat:
    """A conversation driven by hand; `draft` keeps the last confirmed draft."""

    def __init__(self, tenant: TenantContext = ES, catalog: CatalogView = MENU, customer: CustomerRef = ANA) -> None:
        self.tenant, self.catalog, self.customer = tenant, catalog, customer
        self.state = ChatState()
        self.last: Outcome | None = None
        self.placed = 0

    def send(self, message: Inbound, latest: LatestOrder | None = None) -> Reply:
        outcome = flow.step(self.state, message, self.tenant, self.catalog, self.customer, latest)
        self.last = outcome
        self.state = outcome.state
        if outcome.draft is not None:
            self.placed += 1
            outcome = flow.order_placed(self.tenant, self.state, 100 + self.placed, "$1.00")
            self.state = outcome.state
        assert len(outcome.replies) == 1
        return outcome.replies[0]

    def say(self, text: str, latest: LatestOrder | None = None) -> Reply:
        return self.send(Inbound(kind="text", text=text), latest)

    def tap(self, reply_id: str) -> Reply:
        return self.send(Inbound(kind="button", reply_id=reply_id))


def ids(reply: Reply) -> list[str]:
    return [choice_id for choice_id, _ in reply.choices()]


def test_hola_greets_with_the_business_name_and_buttons() -> None:
    reply = Chat().say("hola")
    assert "Pizzería Roma" in reply.body and "2 x pizza margarita" in reply.body
    assert ids(reply) == ["menu", "help"]


def test_the_first_message_of_a_chat_carries_a_welcome_once() -> None:
    chat = Chat()
    assert chat.say("2 x margarita").body.startswith("¡Hola! Bienvenido a *Pizzería Roma*.")
    assert "Bienvenido" not in chat.say("1 coca").body


def test_menu_lists_categories_then_products_with_prices() -> None:
    chat = Chat()
    reply = chat.say("menú")
    assert ids(reply) == ["cat:1", "cat:2", "cat:0"] and reply.list_button == "Ver categorías"
    reply = chat.tap("cat:1")
    assert ids(reply) == ["prod:PZ-MAR", "prod:PZ-PEP", "prod:PZ-HAW", "menu"]
    assert reply.list_sections[0][1][0][2].startswith("$120.00 · Tomate")
    assert "Agua de jamaica" not in chat.tap("cat:2").to_text()  # unavailable products are not offered


def test_a_menu_of_one_category_goes_straight_to_its_products() -> None:
    catalog = CatalogView((CategoryView(1, "Tacos"),), (ProductView("T1", "Taco", Decimal("20"), 1),))
    assert ids(Chat(catalog=catalog).say("menu")) == ["prod:T1"]


def test_long_menus_page_with_a_more_row_and_never_exceed_ten_rows() -> None:
    products = tuple(
        ProductView(f"P{i}", f"Producto con un nombre muy largo número {i}", Decimal(i), 1) for i in range(1, 26)
    )
    catalog = CatalogView((CategoryView(1, "Todo"),), products)
    chat = Chat(catalog=catalog)
    first = chat.say("menu")
    assert len(ids(first)) == 10 and ids(first)[-1] == "page:1:1"
    assert all(len(title) <= 24 for _, title in first.choices())
    second = chat.say("más")
    assert ids(second)[0] == "prod:P10" and ids(second)[-1] == "page:1:2"
    third = chat.tap("page:1:2")
    assert ids(third) == [f"prod:P{i}" for i in range(19, 26)]


def test_a_whole_order_by_typed_numbers_as_on_a_text_only_provider() -> None:
    chat = Chat()
    assert "1. Ver menú" in chat.say("hola").to_text()
    chat.say("1")  # Ver menú
    assert "1. Pizza margarita — $120.00" in chat.say("1").to_text()  # Pizzas
    assert "¿Cuántas" in chat.say("1").body  # margarita
    reply = chat.say("2")
    assert "Agregado: 2 × Pizza margarita" in reply.body and "Total: $240.00" in reply.body
    assert chat.say("1").body == "¿A nombre de quién va el pedido?"  # Finalizar pedido
    chat.say("1")  # Usar Ana
    chat.say("Av. Reforma 222")
    summary = chat.say("CDMX")
    assert "Total: *$240.00*" in summary.body and "Entrega: Av. Reforma 222, CDMX" in summary.body
    chat.say("1")  # Confirmar
    assert chat.last is not None and chat.last.draft is not None
    assert (chat.last.draft.lines, chat.last.draft.name, chat.last.draft.sequence) == (
        (("PZ-MAR", 2),),
        "Ana",
        1,
    )
    assert chat.state.cart == () and chat.state.last_order == 101 and chat.state.sequence == 1


def test_choices_can_be_typed_by_title_ignoring_case_and_accents() -> None:
    chat = Chat()
    chat.say("hola")
    assert ids(chat.say("VER MENU")) == ["cat:1", "cat:2", "cat:0"]


def test_quantity_in_words_and_bad_quantities() -> None:
    chat = Chat()
    chat.tap("prod:PZ-PEP")
    assert "No entendí la cantidad" in chat.say("0").body and chat.state.stage == "quantity"
    assert "3 × Pizza pepperoni" in chat.say("tres").body


def test_stock_is_respected() -> None:
    chat = Chat()
    assert "Solo nos quedan 4 de Coca-Cola 600 ml" in chat.say("5 cocas").body
    assert "Agregado: 4 × Coca-Cola" in chat.say("4 cocas").body
    assert "Solo nos quedan" in chat.say("una coca").body


def test_the_cart_can_be_shown_changed_emptied_and_lines_removed() -> None:
    chat = Chat()
    chat.say("2 margarita, 1 pepperoni y una coca")
    reply = chat.say("carrito")
    assert ids(reply) == ["line:PZ-MAR", "line:PZ-PEP", "line:COCA", "checkout", "menu", "empty"]
    assert "1 × Pizza pepperoni — $140.00" in reply.body and "Total: $405.00" in reply.body
    assert "tienes 2" in chat.tap("line:PZ-MAR").body
    assert "5 × Pizza margarita" in chat.say("5").body
    chat.tap("line:PZ-PEP")
    assert "Quité Pizza pepperoni" in chat.say("0").body
    assert "Quité Coca-Cola" in chat.say("quitar la coca").body
    assert chat.state.cart == (("PZ-MAR", 5),)
    assert "vacié tu carrito" in chat.say("vaciar").body and chat.state.cart == ()
    assert "carrito está vacío" in chat.say("cart").body


def test_a_location_pin_stands_for_address_and_city() -> None:
    chat = Chat()
    chat.say("una margarita")
    chat.tap("checkout")
    chat.tap("usename")
    pin = Inbound(kind="location", latitude=19.43, longitude=-99.13, location_address="Zócalo, Centro")
    summary = chat.send(pin)
    assert "Entrega: Zócalo, Centro" in summary.body and ids(summary) == ["confirm", "cart", "cancel"]
    chat.tap("confirm")
    assert chat.last is not None and chat.last.draft is not None
    assert (chat.last.draft.latitude, chat.last.draft.city) == (19.43, None)


def test_keywords_work_while_answering_delivery_questions() -> None:
    chat = Chat()
    chat.say("una margarita")
    chat.tap("checkout")
    assert ids(chat.say("carrito"))[0] == "line:PZ-MAR"
    chat.tap("checkout")
    chat.say("Luis")
    assert chat.state.stage == "address"
    assert "cancelé" in chat.say("cancelar").body and chat.state.cart == ()


def test_delivery_answers_that_are_too_long_are_refused() -> None:
    chat = Chat(customer=replace(ANA, profile_name=None))
    chat.say("una margarita")
    assert chat.tap("checkout").buttons == ()
    assert "máximo 120" in chat.say("x" * 200).body and chat.state.stage == "name"


def test_confirm_twice_places_one_order() -> None:
    chat = Chat()
    chat.say("una margarita")
    for answer in ("finalizar", "Ana", "Calle 1", "Lima"):
        chat.say(answer)
    chat.say("sí")
    assert chat.placed == 1
    assert "#101* ya está registrado" in chat.say("sí").body and chat.placed == 1


def test_estado_reports_the_latest_order_or_none() -> None:
    chat = Chat()
    assert flow.wants_latest_order(chat.state, Inbound(kind="text", text="Estado"))
    assert not flow.wants_latest_order(chat.state, Inbound(kind="text", text="menu"))
    assert "Todavía no tienes pedidos" in chat.say("estado").body
    latest = LatestOrder(number=42, status="shipped", total=Decimal("265"))
    assert "*#42* está: *en camino*. Total: $265.00" in chat.say("estado", latest).body


def test_when_does_my_order_arrive_answers_about_the_order_not_the_opening_hours() -> None:
    rules = BusinessRules(eta_minutes=35, opening_hours=OpeningHours(mon=(("09:00", "18:00"),)))
    chat = Chat(tenant=replace(ES, rules=rules))
    asking = Inbound(kind="text", text="¿a qué hora llega mi pedido?")
    assert flow.wants_latest_order(chat.state, asking)
    assert not flow.wants_latest_order(chat.state, Inbound(kind="text", text="¿a qué hora abren?"))
    before = chat.say("¿a qué hora llega mi pedido?").body
    assert "35 min" in before and "09:00" not in before
    chat.state = replace(chat.state, last_order=42)
    latest = LatestOrder(number=42, status="confirmed", total=Decimal("265"))
    after = chat.say("oye y a que hora llega mi pedido?", latest).body
    assert "*#42*: confirmado" in after and "35 min" in after and "09:00" not in after
    english = Chat(tenant=replace(EN, rules=BusinessRules()))
    english.state = replace(english.state, last_order=7)
    said = english.say("where is my order?", LatestOrder(number=7, status="shipped", total=Decimal("9"))).body
    assert "*#7*: on its way" in said and "let you know" in said


def test_status_notifications_in_the_tenants_language() -> None:
    assert flow.status_notification(ES, 7, "confirmed").body == "Tu pedido *#7* ahora está: *confirmado*."
    assert flow.status_notification(EN, 7, "completed").body == "Your order *#7* is now: *delivered*."


def test_english_tenant_speaks_english_with_its_money_format() -> None:
    chat = Chat(tenant=EN)
    assert "Welcome to *Roma Pizza*" in chat.say("hi").body
    reply = chat.say("I want 2 margarita pizzas")
    assert "Added: 2 × Pizza margarita" in reply.body and "Total: $240.00" in reply.body
    assert [t for _, t in reply.buttons] == ["Check out", "Add more", "See cart"]


def test_tenant_overrides_replace_texts_and_broken_ones_are_ignored() -> None:
    tenant = replace(ES, text_overrides={"greeting": "¡Qué tal! Esto es {business}.", "help": "{oops} {"})
    chat = Chat(tenant=tenant)
    assert chat.say("hola").body == "¡Qué tal! Esto es Pizzería Roma."  # the greeting is the welcome
    assert "Puedes escribir lo que quieres" in chat.say("ayuda").body


def test_unknown_products_stale_ids_and_media_get_helpful_answers() -> None:
    chat = Chat()
    chat.say("hola")
    reply = chat.say("quiero sushi")
    assert "No tenemos «sushi»" in reply.body and ids(reply)[0] == "menu"
    assert "ya no está en nuestro menú" in chat.tap("prod:NOPE").body
    sold_out = "Se nos acabó Agua de jamaica 😔. De Bebidas te puedo ofrecer: Coca-Cola 600 ml."
    assert sold_out in chat.tap("prod:AGUA").body
    assert "solo leo texto" in chat.send(Inbound(kind="media")).body
    assert "No entendí" in chat.tap("forged:thing").body
    assert "No entendí" in chat.say("¿?¿?").body


def test_a_word_fitting_several_products_offers_them() -> None:
    reply = Chat().say("una pizza")
    assert ids(reply) == ["pick:PZ-MAR", "pick:PZ-PEP", "pick:PZ-HAW", "nomatch"] and "¿Cuál" in reply.body


def test_a_lone_number_names_a_product_of_the_numbered_menu() -> None:
    chat = Chat()
    chat.state = replace(chat.state, greeted=True)
    assert "*Pizza pepperoni*" in chat.say("2").body


def test_a_native_catalog_cart_replaces_the_cart() -> None:
    chat = Chat()
    chat.say("3 margaritas")
    reply = chat.send(Inbound(kind="order", order_items=(("COCA", 2), ("GONE", 1), ("AGUA", 1))))
    assert chat.state.cart == (("COCA", 2),)
    assert "GONE ya no está" in reply.body and "Se nos acabó Agua de jamaica" in reply.body


def test_an_expired_conversation_says_so() -> None:
    chat = Chat()
    chat.state = ChatState(cart=(("PZ-MAR", 1),), greeted=True).restarted("expired")
    reply = chat.say("carrito")
    assert reply.body.startswith("Tu conversación anterior se cerró") and chat.state.notice is None


def test_a_failed_order_goes_back_to_the_cart() -> None:
    state = ChatState(stage="summary", cart=(("PZ-MAR", 1),), name="Ana", address="x", city="y")
    outcome = flow.order_failed(ES, state, MENU, ANA, "Pizza margarita")
    assert "revisa: Pizza margarita" in outcome.replies[0].body and outcome.state.stage == "cart"


def test_cancel_without_anything_in_progress() -> None:
    assert "No hay ningún pedido en curso" in Chat().say("cancelar").body


def test_state_survives_json_and_bad_json_starts_over() -> None:
    state = ChatState(stage="address", cart=(("PZ-MAR", 2),), name="Ana", choices=(("menu", "Ver menú"),))
    assert ChatState.from_json(state.to_json()) == state
    undoable = ChatState(cart=(("PZ-MAR", 3),), undo=(("PZ-MAR", 2),), undo_notes=(("PZ-MAR", "sin aceitunas"),),
                         setting=True)  # fmt: skip
    assert ChatState.from_json(undoable.to_json()) == undoable
    assert ChatState.from_json({"stage": "nowhere", "cart": [["X", "many"]]}) == ChatState()
    assert ChatState.from_json(None) == ChatState()


def test_replies_enforce_whatsapp_limits() -> None:
    with pytest.raises(ValueError, match="3 buttons"):
        Reply("hi", buttons=(("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")))
    with pytest.raises(ValueError, match="repeated"):
        Reply("hi", buttons=(("a", "A"), ("b", "A")))
    with pytest.raises(ValueError, match="body"):
        Reply("x" * 1025, buttons=(("a", "A"),))
    clipped = buttons_reply(
        "hi", [("a", "Un título demasiado largo para un botón"), ("b", "B"), ("c", "C"), ("d", "D")]
    )
    assert [len(t) <= 20 for _, t in clipped.buttons] == [True] * 3
    rows = [(f"r{i}", f"Fila {i}", "d" * 100) for i in range(15)]
    listed = list_reply("hi", "Una etiqueta de botón larguísima", [("A", rows[:8]), ("B", rows[8:])])
    assert len(listed.choices()) == 10 and len(listed.list_button or "") <= 20
    assert all(len(r[2]) <= 72 for _, section in listed.list_sections for r in section)


def test_to_text_numbers_choices_and_maps_answers_back() -> None:
    reply = list_reply("Elige", "Ver", [("Pizzas", [("p1", "Margarita", "$1"), ("p2", "Hawaiana", "")])])
    assert reply.to_text() == "Elige\n\n*Pizzas*\n1. Margarita — $1\n2. Hawaiana"
    assert (reply.choice_for("2"), reply.choice_for("hawaiana"), reply.choice_for("9")) == ("p2", "p2", None)


def test_every_reply_of_a_long_session_fits_whatsapp() -> None:
    chat = Chat()
    for text in (
        "hola",
        "menu",
        "1",
        "2",
        "3",
        "carrito",
        "1",
        "7",
        "menú",
        "2",
        "1",
        "2",
        "finalizar",
        "1",
        "Calle Larga " * 20,
        "Ciudad",
        "2",
        "vaciar",
        "ayuda",
        "estado",
        "cancelar",
        "x" * 5000,
    ):
        reply = chat.say(text)
        assert reply.body and len(reply.to_text()) <= 4096


def test_the_bot_reads_its_texts_from_the_catalogs_in_the_conversations_language() -> None:
    from comandia.server.chat.texts import BUILT_IN, Texts

    spanish, english = Texts(ES), Texts(replace(ES, locale="en"))
    assert spanish("greeting", business="X", example="Y").startswith("¡Hola! Bienvenido a *X*")
    assert english("greeting", business="X", example="Y").startswith("Hi! Welcome to *X*")
    assert spanish("btn_pickup") == "Paso a recoger"  # the business rules' texts too
    assert spanish.status("shipped") == "en camino"
    assert set(BUILT_IN) >= {"greeting", "paused", "status.new"}


def test_a_count_far_above_an_order_is_asked_once_and_a_yes_or_a_no_typed_decides() -> None:
    chat = Chat()
    asked = chat.say("quiero 40 pizzas hawaianas y una pepperoni")
    assert "¿40 × Pizza hawaiana? Es bastante, ¿seguro?" in asked.to_text()
    assert ids(asked) == ["count:yes", "count:no"]
    assert flow.count_asked(chat.state) == ("PZ-HAW", 40)
    assert chat.state.cart_dict() == {"PZ-PEP": 1}  # the rest is added at once
    assert ChatState.from_json(chat.state.to_json()) == chat.state
    chat.say("si")
    assert chat.state.cart_dict() == {"PZ-PEP": 1, "PZ-HAW": 40}  # a real party order goes through
    assert flow.count_asked(chat.state) is None

    other = Chat()
    other.say("35 pizzas margarita")
    said = other.say("no").to_text()
    assert "no agregué 35 × Pizza margarita" in said
    assert other.state.cart_dict() == {}
    assert other.last is not None and other.last.named_back == ("Pizza margarita",)
    other.say("mejor solo 2")  # the count said next is of the product talked about
    assert other.state.cart_dict() == {"PZ-MAR": 2}


def test_a_count_of_an_ordinary_size_is_never_asked() -> None:
    chat = Chat()
    chat.say("24 pizzas pepperoni")
    assert flow.count_asked(chat.state) is None
    assert chat.state.cart_dict() == {"PZ-PEP": 24}

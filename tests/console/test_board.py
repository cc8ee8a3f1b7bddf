"""The order board and the conversations page against a real server: live orders, one-click moves,
alerts, a transcript, a reply and a takeover that silences the bot."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QBuffer, QIODevice, QUrl
from PySide6.QtGui import QDesktopServices, QImage
from pytestqt.qtbot import QtBot

from comandia.console.i18n import Translator
from comandia.console.models.records import channel_label, user_columns
from comandia.console.tickets import ticket_html
from comandia.console.windows.board import BoardPage, OrderCard, fulfilment_text, item_lines
from comandia.console.windows.conversations import ConversationsPage
from comandia.console.windows.main_window import MainWindow
from comandia.server.db.tenant_models import Conversation, InboxEvent, MediaFile, OutboxMessage
from comandia.server.services.messaging import chatlog
from comandia.server.services.messaging.inbox import InboxProcessor
from comandia.server.services.messaging.payloads import InboxPayload, StoredCustomer
from comandia.server.wiring import Runtime
from comandia.shared.client import ApiClient
from comandia.shared.domain.messages import Inbound
from comandia.shared.schemas.conversations import TranscriptMessage
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.numbers import NewNumber
from comandia.shared.schemas.orders import OrderInput, OrderLineInput, OrderSummary, OrderSummaryItem
from comandia.shared.schemas.users import UserInfo
from tests.console.conftest import LogIn, customer_and_product, seed_orders
from tests.plugins.api import World
from tests.plugins.messaging import EchoConversations


def board_of(window: MainWindow) -> BoardPage:
    """The board, a manager's home page."""
    board = window.current_page()
    assert isinstance(board, BoardPage)
    return board


def wait_for_card(qtbot: QtBot, board: BoardPage, status: str, order_id: int) -> OrderCard:
    """The order's card once it shows in the `status` column."""
    qtbot.waitUntil(lambda: any(c.order.id == order_id for c in board.cards(status)), timeout=10_000)
    return next(c for c in board.cards(status) if c.order.id == order_id)


def test_the_board_is_a_managers_home_and_a_new_order_appears_with_an_alert(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    window = log_in(world.manager_a)
    board = board_of(window)
    qtbot.waitUntil(lambda: board.poll._cursor is not None, timeout=10_000)  # noqa: SLF001 -- following the feed
    before = board.alerts.count
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    qtbot.waitUntil(lambda: board.alerts.count > before, timeout=10_000)
    wait_for_card(qtbot, board, "new", order.id)
    assert board.alerts.last is not None and board.alerts.last[0] == "New order"
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_one_click_moves_a_card_to_the_next_column(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    window = log_in(world.manager_a)
    board = board_of(window)
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    manager_a_client.orders.change_status(world.tenant_a.id, order.id, "confirmed")
    board.reload()
    card = wait_for_card(qtbot, board, "confirmed", order.id)
    assert card.advance is not None and "Shipped" in card.advance.text()
    card.advance.click()
    wait_for_card(qtbot, board, "shipped", order.id)
    assert manager_a_client.orders.get(world.tenant_a.id, order.id).status == "shipped"
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_card_shows_its_items_elided_with_the_whole_list_in_the_tooltip(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    window = log_in(world.manager_a)
    board = board_of(window)
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    board.reload()
    card = wait_for_card(qtbot, board, "new", order.id)
    line = f"2× {order.items[0].name}"
    assert card.items.full == line and card.items.toolTip() == line and card.items.isVisibleTo(card)
    assert "Delivery" in card.meta.full
    card.items.resize(40, card.items.height())  # narrower than the text: cut with an ellipsis
    assert card.items.text().endswith("…") and card.items.full == line
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_test_chats_order_is_tagged_on_its_card_and_every_card_fits_its_column(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient
) -> None:
    window = log_in(world.manager_a)
    window.resize(1000, 700)
    board = board_of(window)
    _, product = customer_and_product(manager_a_client, world.tenant_a.id)
    customer = manager_a_client.customers.create(
        world.tenant_a.id,
        CustomerInput(
            phone=f"+5255{secrets.randbelow(10**8):08d}", name="María Guadalupe Hernández de la Concepción Villaseñor"
        ),
    )
    line = OrderLineInput(quantity=2, product_id=product.id)
    test = manager_a_client.orders.create(world.tenant_a.id, OrderInput(customer.id, (line,), channel="sandbox"))
    real = manager_a_client.orders.create(world.tenant_a.id, OrderInput(customer.id, (line,)))
    board.reload()
    tagged, plain = wait_for_card(qtbot, board, "new", test.id), wait_for_card(qtbot, board, "new", real.id)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)
    assert tagged.test_tag is not None and tagged.test_tag.text() == "Test" and plain.test_tag is None
    assert "not counted in the dashboard" in tagged.test_tag.toolTip()
    column = board.columns["new"]
    qtbot.waitUntil(lambda: all(c.geometry().right() < column.viewport().width() for c in board.cards("new")))
    assert tagged.customer.text().endswith("…")  # the long name is cut, not the card


def test_channels_and_roles_read_in_the_screen_language() -> None:
    spanish = Translator("es")
    assert [channel_label(c, spanish) for c in ("sandbox", "console", "whatsapp", "import", "fax")] == [
        "Prueba",
        "Consola",
        "WhatsApp",
        "Importación",
        "fax",
    ]  # a newer server's channel as it names it
    user = UserInfo(id=1, username="ana", role="manager", tenant_id="t1", disabled=False)
    assert [c.text(user) for c in user_columns(spanish, {"t1": "Tacos Don Memo"})][1:3] == [
        "encargado",
        "Tacos Don Memo",
    ]
    assert [c.text(user) for c in user_columns(spanish, {})][2] == "t1"  # a business not loaded yet: its id


def test_item_lines_read_as_a_kitchen_says_them_in_spanish_first() -> None:
    now = dt.datetime.now(dt.UTC)
    order = OrderSummary(
        id=1,
        number=7,
        status="new",
        channel="whatsapp",
        customer_id=1,
        customer_name="Ana",
        customer_phone="+525512345678",
        total=Decimal("95"),
        currency="MXN",
        version=1,
        created_at=now,
        updated_at=now,
        more_items=4,
        fulfilment="pickup",
        items=(OrderSummaryItem(2, "Taco de pastor", "sin cebolla"), OrderSummaryItem(1, "Coca-Cola")),
    )
    spanish = Translator("es")
    assert item_lines(order, spanish) == ["2× Taco de pastor (sin cebolla)", "1× Coca-Cola", "y 4 más"]
    assert item_lines(order, Translator("en"))[-1] == "and 4 more"
    assert fulfilment_text(order, spanish) == "Recoge en el local"


def _chat(runtime: Runtime, tenant_id: str, name: str) -> str:
    """A chat whose customer wrote just now, recorded as the inbox records one (already answered)."""
    key, now, text = f"52155{secrets.randbelow(10**8):08d}", dt.datetime.now(dt.UTC), "hola, ¿tienen envío?"
    payload = InboxPayload({}, StoredCustomer(wa_id=key, name=name), Inbound(kind="text", text=text))
    with runtime.databases.tenant_session(tenant_id) as session:
        session.add(
            InboxEvent(
                provider="meta",
                number_id=999_998,
                provider_message_id=f"wamid.{key}",
                customer_key=key,
                kind="text",
                payload=payload.stored(),
                processed_at=now,
            )
        )
        row = chatlog.lock(session, 999_998, key, name=name)
        chatlog.record_inbound(row, now, text)
        chatlog.announce(session, row, state_changed=False)
        public_id = row.public_id
        session.commit()
    return public_id


def test_a_manager_reads_a_chat_takes_it_over_replies_and_gives_it_back(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, runtime: Runtime
) -> None:
    name = f"Ana {secrets.token_hex(2)} de los Ángeles Fernández-Villalobos Santisteban"  # names run long
    chat_id = _chat(runtime, world.tenant_a.id, name)
    window = log_in(world.manager_a)
    page = window.open_page("conversations")
    assert isinstance(page, ConversationsPage)
    qtbot.waitUntil(lambda: any(c.id == chat_id for c in page.items), timeout=10_000)
    page.chats.setCurrentRow(next(i for i, c in enumerate(page.items) if c.id == chat_id))
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.conversation.id == chat_id, timeout=10_000)
    assert "hola, ¿tienen envío?" in page.transcript.toPlainText()
    assert window.minimumSizeHint().width() <= 1280, "the chat's header widened the window past a laptop's screen"
    assert page.reply.isEnabled() and page.takeover_button.isEnabled()
    page.takeover_button.click()
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.conversation.state == "human", timeout=10_000)
    assert manager_a_client.conversations.get(world.tenant_a.id, chat_id).conversation.state == "human"
    page.reply.setText("Sí, enviamos a toda la ciudad")
    page.send_button.click()
    qtbot.waitUntil(lambda: "Sí, enviamos" in page.transcript.toPlainText(), timeout=10_000)
    page.release_button.click()
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.conversation.state == "bot", timeout=10_000)
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_cards_kitchen_ticket_prints_to_a_pdf(
    log_in: LogIn, world: World, qtbot: QtBot, manager_a_client: ApiClient, tmp_path: Path
) -> None:
    window = log_in(world.manager_a)
    board = board_of(window)
    order = seed_orders(manager_a_client, world.tenant_a.id, 1)[0]
    board.reload()
    wait_for_card(qtbot, board, "new", order.id)
    target = tmp_path / "comanda.pdf"
    with qtbot.waitSignal(board.printed, timeout=10_000):
        board.print_ticket(order, str(target))  # type: ignore[arg-type]
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 1000
    assert b"/MediaBox [0 0 227." in target.read_bytes()  # 80 mm receipt paper (226.77 pt, rounded)
    detail = manager_a_client.orders.get(world.tenant_a.id, order.id)
    html = ticket_html(detail, window.ctx.tr, window.ctx.fmt)
    assert f"#{order.number}" in html and "2×" in html and "Torta" in html
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def _chat_with_files(runtime: Runtime, tenant_id: str, name: str) -> tuple[str, str, str]:
    """A chat whose customer sent a picture (stored), a voice note (stored) and a location, recorded
    as the inbox and the media worker record them; returns the chat's, the picture's and the note's ids."""
    key, now = f"52155{secrets.randbelow(10**8):08d}", dt.datetime.now(dt.UTC)
    folder = runtime.services.media.folder(tenant_id)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture = QImage(320, 200, QImage.Format.Format_RGB32)
    picture.fill(0x2E7D32)
    picture.save(buffer, "PNG")
    files = {"image": (bytes(buffer.data().data()), "image/png"), "audio": (b"OggS" + b"\0" * 200, "audio/ogg")}
    ids = {}
    with runtime.databases.tenant_session(tenant_id) as session:
        row = chatlog.lock(session, 999_998, key, name=name)
        for n, (kind, (content, mime)) in enumerate(files.items()):
            payload = InboxPayload({}, StoredCustomer(wa_id=key, name=name), Inbound(kind="media"))
            inbox = InboxEvent(
                provider="meta",
                number_id=999_998,
                provider_message_id=f"wamid.{key}.{n}",
                customer_key=key,
                kind="media",
                payload=payload.stored(),
                processed_at=now,
            )
            session.add(inbox)
            session.flush()
            ids[kind] = secrets.token_urlsafe(12)
            (folder / ids[kind]).parent.mkdir(parents=True, exist_ok=True)
            (folder / ids[kind]).write_bytes(content)
            session.add(
                MediaFile(
                    public_id=ids[kind],
                    inbox_id=inbox.id,
                    number_id=999_998,
                    kind=kind,
                    provider_ref="x",
                    state="stored",
                    mime=mime,
                    size=len(content),
                    path=ids[kind],
                )
            )
        place = InboxPayload(
            {}, StoredCustomer(wa_id=key, name=name), Inbound(kind="location", latitude=19.4326, longitude=-99.1332)
        )
        session.add(
            InboxEvent(
                provider="meta",
                number_id=999_998,
                provider_message_id=f"wamid.{key}.loc",
                customer_key=key,
                kind="location",
                payload=place.stored(),
                processed_at=now,
            )
        )
        chatlog.record_inbound(row, now, "📍")
        chatlog.announce(session, row, state_changed=False)
        public_id = row.public_id
        session.commit()
    return public_id, ids["image"], ids["audio"]


def test_a_picture_is_previewed_a_voice_note_opens_in_the_player_and_a_location_links_to_the_map(
    log_in: LogIn, world: World, qtbot: QtBot, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    # The system's player or browser is outside the test: record what the page asks it to open.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url)) or True)
    chat_id, picture_id, note_id = _chat_with_files(runtime, world.tenant_a.id, f"Eva {secrets.token_hex(2)}")
    window = log_in(world.manager_a)
    page = window.open_page("conversations")
    assert isinstance(page, ConversationsPage)
    qtbot.waitUntil(lambda: any(c.id == chat_id for c in page.items), timeout=10_000)
    page.chats.setCurrentRow(next(i for i, c in enumerate(page.items) if c.id == chat_id))
    qtbot.waitUntil(lambda: picture_id in page.transcript.images, timeout=10_000)
    assert page.transcript.images[picture_id].width() == 240  # the preview, scaled
    assert f'src="media:{picture_id}"' in page.transcript.toHtml() or picture_id in page.transcript.toHtml()
    assert "Open the voice note" in page.transcript.toPlainText() or "nota de voz" in page.transcript.toPlainText()
    page.transcript.anchorClicked.emit(QUrl(f"open-media:{note_id}"))
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10_000)
    saved = Path(opened[0].toLocalFile())
    assert saved.read_bytes().startswith(b"OggS") and saved.suffix in (".oga", ".ogg", ".opus")
    assert "openstreetmap.org" in page.transcript.toHtml()
    page.transcript.anchorClicked.emit(QUrl("https://www.openstreetmap.org/?mlat=19.432600&mlon=-99.133200"))
    assert opened[-1].host() == "www.openstreetmap.org"
    qtbot.waitUntil(
        lambda: manager_chat_unread(runtime, world.tenant_a.id, chat_id) == 0,  # shown: read
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def manager_chat_unread(runtime: Runtime, tenant_id: str, chat_id: str) -> int:
    return next(c.unread for c in runtime.services.chats.list(tenant_id).items if c.id == chat_id)


def test_a_chat_that_starts_waiting_for_a_person_raises_an_alert_on_the_board(
    log_in: LogIn, world: World, qtbot: QtBot, runtime: Runtime
) -> None:
    window = log_in(world.manager_a)
    board = window.current_page()
    assert isinstance(board, BoardPage)
    qtbot.waitUntil(lambda: board.poll._cursor is not None, timeout=10_000)  # noqa: SLF001 -- following the feed
    chat_id = _chat(runtime, world.tenant_a.id, f"Luis {secrets.token_hex(2)}")
    before = board.alerts.count
    with runtime.databases.tenant_session(world.tenant_a.id) as session:  # the bot hands it over, as the inbox does
        row = session.scalar(sa.select(Conversation).where(Conversation.public_id == chat_id).with_for_update())
        assert row is not None
        chatlog.set_state(row, "waiting", dt.datetime.now(dt.UTC), reason="asked")
        chatlog.announce(session, row, state_changed=True)
        session.commit()
    qtbot.waitUntil(lambda: board.alerts.count > before, timeout=10_000)
    assert board.alerts.last is not None and board.alerts.last[0] == window.ctx.tr("alert.waiting.title")
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_takeover_in_the_console_silences_the_bot_and_a_release_lets_it_answer_again(
    log_in: LogIn, world: World, qtbot: QtBot, superadmin_client: ApiClient, runtime: Runtime
) -> None:
    tenant = superadmin_client.tenants.create(f"Silencio {secrets.token_hex(3)}")
    digits = f"{secrets.randbelow(10**7):07d}"
    number = runtime.services.numbers.add(
        tenant.id,
        NewNumber(
            provider="meta",
            e164=f"+1555{digits}",
            phone_number_id=f"97{digits}",
            waba_id="1",
            access_token="x",
            app_secret="x",
        ),
        actor="tests",
    )
    key, echo = f"52155{secrets.randbelow(10**8):08d}", EchoConversations()
    inbox = InboxProcessor(runtime.databases, runtime.services.number_directory, echo, runtime.services.contexts)

    def customer_writes(text: str) -> int:
        """A pending message of the customer, answered as the inbox worker would; the replies queued."""
        payload = InboxPayload({}, StoredCustomer(wa_id=key, name="Ana"), Inbound(kind="text", text=text))
        with runtime.databases.tenant_session(tenant.id) as session:
            session.add(
                InboxEvent(
                    provider="meta",
                    number_id=number.id,
                    provider_message_id=f"wamid.{key}.{text}",
                    customer_key=key,
                    kind="text",
                    payload=payload.stored(),
                )
            )
            session.commit()
        inbox.process(tenant.id)
        with runtime.databases.tenant_session(tenant.id) as session:
            return int(
                session.scalar(
                    sa.select(sa.func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.customer_wa_id == key, OutboxMessage.author.is_(None))
                )
                or 0
            )

    assert customer_writes("hola") == 1  # the bot answers while it has the chat
    window = log_in(world.superadmin)
    window.open_tenant(tenant.id, "conversations")
    page = window.page("conversations")
    assert isinstance(page, ConversationsPage)
    qtbot.waitUntil(lambda: window.current_page() is page and len(page.items) == 1, timeout=15_000)
    page.chats.setCurrentRow(0)
    qtbot.waitUntil(lambda: page.detail is not None, timeout=10_000)
    page.takeover_button.click()
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.conversation.state == "human", timeout=10_000)
    assert customer_writes("¿me oyes?") == 1  # silent: a person has the chat
    page.release_button.click()
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.conversation.state == "bot", timeout=10_000)
    assert customer_writes("¿y ahora?") == 2  # given back: the bot answers again
    assert [m.text for _, _, m in echo.calls] == ["hola", "¿y ahora?"]
    qtbot.waitUntil(lambda: window.ctx.runner.busy == 0, timeout=10_000)


def test_a_reply_the_window_refused_after_sending_reads_as_resent_as_the_template(log_in: LogIn, world: World) -> None:
    window = log_in(world.manager_a)
    page = window.open_page("conversations")
    assert isinstance(page, ConversationsPage)
    at, tr = dt.datetime.now(dt.UTC), window.ctx.tr
    failed = TranscriptMessage(
        id="out-7",
        direction="out",
        at=at,
        kind="human",
        text="Primero",
        author="luis",
        delivery="sent",
        status="failed",
        error_code=131047,
        resent_as="out-9",
    )
    resend = TranscriptMessage(
        id="out-9",
        direction="out",
        at=at,
        kind="human",
        text="Primero",
        author="luis",
        template="asesor",
        delivery="sent",
        resend_of="out-7",
    )
    lost = TranscriptMessage(
        id="out-8",
        direction="out",
        at=at,
        kind="human",
        text="Hola",
        author="luis",
        delivery="sent",
        status="failed",
        error_code=131047,
    )
    assert tr("chats.undelivered_resent") in page._bubble(failed)  # noqa: SLF001 -- the bubble's text
    assert tr("chats.resend") in page._bubble(resend)  # noqa: SLF001
    assert tr("chats.undelivered_window") in page._bubble(lost)  # noqa: SLF001
    plain = page._bubble(lost)  # noqa: SLF001
    assert tr("chats.resend") not in plain and tr("chats.undelivered_resent") not in plain

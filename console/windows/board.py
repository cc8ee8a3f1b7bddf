"""The order board, a manager's home: one column per status, a card per order, one click onward.

Columns Nuevo, Confirmado, Enviado and Completado (today's) fill from the order list; the board
follows the changes feed (`ChangeWatcher`, every 1.5 s) and reloads when an order is placed or
moves, with a sound and a tray notification for each new order and each chat waiting for a
person. A card's button moves its order to the next status (the customer is told, as always);
another prints its kitchen ticket (the system print dialog, or a PDF).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from PySide6.QtCore import QMarginsF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPageLayout, QPageSize, QPdfWriter, QResizeEvent, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from comandia.console.alerts import Alerts
from comandia.console.changes import ChangeWatcher, kinds
from comandia.console.context import AppContext
from comandia.console.i18n import Translator
from comandia.console.models.records import channel_label
from comandia.console.theme import ASSETS, colors, svg_pixmap
from comandia.console.tickets import ticket_html
from comandia.console.windows.base import Page
from comandia.console.windows.pause_bar import PauseBar
from comandia.shared.client import ApiClient
from comandia.shared.domain.orders import TEST_CHANNELS, allowed_next
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.conversations import ChangeEntry
from comandia.shared.schemas.orders import OrderDetail, OrderPage, OrderSummary

COLUMNS = ("new", "confirmed", "shipped", "completed")
ACTIVE = COLUMNS[:3]
LIMIT = 200
CARDS = 30
"""Cards drawn per column, newest on top; the header counts them all."""
CARDS_PER_BATCH = 4
"""Cards built per turn of the event loop: a card costs about 4 ms of the GUI thread and the first
batch runs inside the list's result handler (held under 50 ms; 8 a batch measured 47 ms in CI)."""


def age_text(minutes: int, tr: Translator) -> str:
    """How long ago, as a kitchen says it: minutes, then hours and minutes, then days."""
    if minutes < 1:
        return tr("board.age_now")
    if minutes < 60:
        return tr("board.age", minutes=minutes)
    if minutes < 24 * 60:
        if minutes % 60 == 0:
            return tr("board.age_whole_hours", hours=minutes // 60)
        return tr("board.age_hours", hours=minutes // 60, minutes=minutes % 60)
    return tr("board.age_days", days=minutes // (24 * 60))


def next_status(status: str) -> str | None:
    """The board's next step for `status` (never a cancellation: that stays in the order's window)."""
    return next((s.value for s in allowed_next(status) if s.value != "cancelled"), None)


def item_lines(order: OrderSummary, tr: Translator) -> list[str]:
    """The order's lines as a kitchen reads them ("2× Taco de pastor (sin cebolla)"), and "y 4 más"
    when the list carries only the first ones."""
    lines = [
        tr("board.item_note", quantity=i.quantity, name=i.name, note=i.note)
        if i.note
        else tr("board.item", quantity=i.quantity, name=i.name)
        for i in order.items
    ]
    if order.more_items:
        lines.append(tr("board.more_items", count=order.more_items))
    return lines


def fulfilment_text(order: OrderSummary, tr: Translator) -> str:
    """Pickup, or delivery with its zone when the rules set one."""
    if order.fulfilment == "pickup":
        return tr("board.pickup")
    return order.delivery_zone or tr("board.delivery")


class ElidedLabel(QLabel):
    """One line of plain text cut with "…" to the label's width (the whole text stays in `full`)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.full = text
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the card
        self.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 -- Qt's name
        super().resizeEvent(event)
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, max(0, self.width())))


class OrderCard(QFrame):
    """One order: number, customer, items, total and age; a button for the next status.

    Every text is one line cut to the column's width (the card never grows wider than its column,
    where it would be clipped); a test order (the test chat's) carries a "Prueba" tag.
    """

    def __init__(self, board: BoardPage, order: OrderSummary) -> None:
        super().__init__()
        self.order = order
        tr, fmt = board.i18n, board.ctx.fmt
        self.setObjectName("orderCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        minutes = max(0, int((board.clock() - order.created_at).total_seconds() // 60))
        number = QLabel(f"<b>#{order.number}</b> ·")
        self.customer = ElidedLabel(order.customer_name or order.customer_phone)
        self.ticket = QToolButton()
        self.ticket.setIcon(board.print_icon)
        self.ticket.setToolTip(tr("board.ticket"))
        self.ticket.setAccessibleName(tr("board.ticket"))
        self.ticket.setAutoRaise(True)
        self.ticket.clicked.connect(lambda: board.print_ticket(order))
        top = QHBoxLayout()
        top.addWidget(number)
        top.addWidget(self.customer, 1)
        self.test_tag: QLabel | None = None
        if order.channel in TEST_CHANNELS:
            self.test_tag = QLabel(channel_label(order.channel, tr))
            self.test_tag.setObjectName("testTag")
            self.test_tag.setToolTip(tr("board.test_tip"))
            top.addWidget(self.test_tag)
        top.addWidget(self.ticket, 0, Qt.AlignmentFlag.AlignTop)
        total = QLabel(f"<b>{fmt.money(order.total, order.currency)}</b> ·")
        total.setObjectName("cardMeta")
        self.meta = ElidedLabel(f"{age_text(minutes, tr)} · {fulfilment_text(order, tr)}")
        self.meta.setObjectName("cardMeta")
        detail = QHBoxLayout()
        detail.addWidget(total)
        detail.addWidget(self.meta, 1)
        lines = item_lines(order, tr)
        self.items = ElidedLabel(" · ".join(lines))
        self.items.setToolTip("\n".join(lines))  # the whole list, one line each
        self.items.setVisible(bool(lines))
        layout.addLayout(top)
        layout.addWidget(self.items)
        layout.addLayout(detail)
        target = next_status(order.status)
        self.advance: QPushButton | None = None
        if target is not None:
            self.advance = QPushButton(tr("board.move", status=tr(f"board.column.{target}")))
            self.advance.setProperty("primary", True)
            self.advance.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # the column's width
            self.advance.clicked.connect(lambda: board.advance(order, target))
            layout.addWidget(self.advance)


class BoardPage(Page):
    """Orders by status, live.

    Signals:
        printed(str): a kitchen ticket was printed (the PDF's path; empty for a printer).
        Inherited `message(str)`.
    """

    needs_tenant = True
    printed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, alerts: Alerts | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.alerts = alerts or Alerts()
        self.clock: Callable[[], dt.datetime] = utcnow
        self.print_icon = QIcon(svg_pixmap(ASSETS / "icons" / "print.svg", 40, colors(ctx.settings.theme).muted))
        self.columns: dict[str, QListWidget] = {}
        self.headers: dict[str, QLabel] = {}
        self.empty: dict[str, QLabel] = {}
        row = QHBoxLayout()
        row.setSpacing(10)
        for status in COLUMNS:
            box = QVBoxLayout()
            header = QLabel(tr(f"board.column.{status}"))
            header.setObjectName("columnTitle")
            cards = QListWidget()
            cards.setSpacing(4)
            cards.setSelectionMode(QListWidget.SelectionMode.NoSelection)
            cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards take the width
            cards.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
            empty = QLabel(tr(f"board.empty.{status}"))
            empty.setObjectName("emptyState")
            empty.setWordWrap(True)
            empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            box.addWidget(header)
            box.addWidget(empty)
            box.addWidget(cards, 1)
            row.addLayout(box, 1)
            self.columns[status], self.headers[status], self.empty[status] = cards, header, empty
        self.pause = PauseBar(self)  # pause orders now; failed new-order alerts (business rules)
        self.body.addWidget(self.pause)
        self.body.addLayout(row, 1)
        self.poll = ChangeWatcher(ctx, self)
        self.poll.changed.connect(self._changed)
        self.poll.reset.connect(self.reload)
        self._generation = 0
        self._batch = 0

    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        self._generation += 1
        generation, tenant_id, zone = self._generation, tenant.id, tenant.timezone

        def fetch(client: ApiClient) -> list[OrderSummary]:
            active = client.orders.list(tenant_id, ACTIVE, limit=LIMIT)
            today = to_local(utcnow(), zone).date()
            done: OrderPage = client.orders.list(
                tenant_id, ("completed",), first_day=today, last_day=today, limit=LIMIT
            )
            return [*active.items, *done.items]

        def loaded(orders: list[OrderSummary]) -> None:
            if generation == self._generation:
                self.show_orders(orders)

        self.call(fetch, loaded)
        self.pause.reload()
        self.poll.start()

    def show_orders(self, orders: list[OrderSummary]) -> None:
        """Fill the columns with `orders`: the counts at once, the cards a few at a time.

        A card is a dozen styled widgets; building a busy board's 120 in one go would hold the
        GUI thread for tens of milliseconds, so they come in batches between events.
        """
        self._batch += 1
        shown: list[list[tuple[str, OrderSummary]]] = []
        for status, cards in self.columns.items():
            cards.clear()
            mine = [o for o in orders if o.status == status]
            newest = sorted(mine, key=lambda o: (o.created_at, o.id), reverse=True)[:CARDS]
            shown.append([(status, order) for order in newest])
            self.headers[status].setText(f"{self.i18n(f'board.column.{status}')} ({len(mine)})")
            self.empty[status].setVisible(not mine)
        # Row by row across the columns: the top of every column shows first.
        waiting = [pair for row in itertools.zip_longest(*shown) for pair in row if pair is not None]
        self._add_cards(self._batch, waiting)

    def _add_cards(self, batch: int, waiting: list[tuple[str, OrderSummary]]) -> None:
        if batch != self._batch:
            return  # a newer list replaced this one
        for status, order in waiting[:CARDS_PER_BATCH]:
            card = OrderCard(self, order)
            item = QListWidgetItem()
            item.setSizeHint(card.sizeHint())
            self.columns[status].addItem(item)
            self.columns[status].setItemWidget(item, card)
        rest = waiting[CARDS_PER_BATCH:]
        if rest:
            QTimer.singleShot(0, self, lambda: self._add_cards(batch, rest))  # dropped with the board

    def cards(self, status: str) -> list[OrderCard]:
        """The cards of one column, top to bottom."""
        column = self.columns[status]
        found = [column.itemWidget(column.item(i)) for i in range(column.count())]
        return [card for card in found if isinstance(card, OrderCard)]

    def advance(self, order: OrderSummary, target: str) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.call(
            lambda client: client.orders.change_status(tenant_id, order.id, target, etag=order.etag),
            lambda _detail: self.reload(),
        )

    def print_ticket(self, order: OrderSummary, pdf_path: str | None = None) -> None:
        """Print the order's kitchen ticket: the system print dialog, or a PDF at `pdf_path`.

        The dialog opens non-modally (`show`), so the board keeps updating meanwhile.
        """
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id

        def loaded(detail: OrderDetail) -> None:
            document = QTextDocument(self)
            document.setHtml(ticket_html(detail, self.i18n, self.ctx.fmt))
            if pdf_path is not None:
                writer = QPdfWriter(pdf_path)
                writer.setTitle(self.i18n("ticket.title", number=detail.number))
                # Receipt paper: 80 mm wide, as a kitchen's thermal printer takes it.
                writer.setPageSize(QPageSize(QSizeF(80, 200), QPageSize.Unit.Millimeter, "80 mm"))
                writer.setPageMargins(QMarginsF(4, 4, 4, 4), QPageLayout.Unit.Millimeter)
                document.print_(writer)
                self.printed.emit(pdf_path)
                return
            printer = QPrinter()
            dialog = QPrintDialog(printer, self)

            def accepted() -> None:
                document.print_(printer)
                self.printed.emit("")

            dialog.accepted.connect(accepted)
            dialog.show()

        self.call(lambda client: client.orders.get(tenant_id, order.id), loaded)

    def _changed(self, entries: list[ChangeEntry]) -> None:
        tr = self.i18n
        orders = kinds(entries, "order")
        for entry in orders:
            if entry.detail == "new":
                self.alerts.raise_alert(tr("alert.new_order.title"), tr("alert.new_order.text"))
        for entry in kinds(entries, "conversation"):
            if entry.detail == "waiting":
                self.alerts.raise_alert(tr("alert.waiting.title"), tr("alert.waiting.text"))
        if orders:
            self.reload()

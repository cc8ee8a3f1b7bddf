"""The onboarding wizard's test chat: talk to a tenant's real bot as a customer, through the server.

Every message goes to ``POST /tenants/{id}/sandbox/messages`` in the background (the page's
`call`); the bot's replies come back as bubbles, with its buttons and list rows as push buttons
that send the choice's id, as a tap on WhatsApp would. A turn that places an order shows its
number with a link to the orders page. Test chats are not listed in Conversations (see
`services/messaging/sandbox.py`): the pane says so, and says when WhatsApp would hand the chat over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from comandia.console.errors import user_message
from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.shared.client import ApiClient
from comandia.shared.schemas.sandbox import BotReply, ChatChoice, ChatRow, PlacedOrder, SandboxMessage, SandboxTurn

DEFAULT_PHONE = "+5215550000000"
Call = Callable[[Callable[[ApiClient], Any], Callable[[Any], None], Callable[[Exception], None]], None]

_CUSTOMER_STYLE = "background: #dcf8c6; border-radius: 8px; padding: 6px;"
_BOT_STYLE = "background: #f0f0f0; border-radius: 8px; padding: 6px;"
_ERROR_STYLE = "color: #b00020;"
_BUBBLE_WIDTH = 520
_BUBBLE_PADDING = 16  # the style's 6 px each side and a little room


class ChatPane(QWidget):
    """A WhatsApp-like conversation with the bot of one tenant.

    Args:
        tr: the screen texts.
        call: runs `work(client)` off the GUI thread, then `on_done` or `on_error` on it (`Page.call`).

    Signals:
        orderPlaced(object): a turn placed this `PlacedOrder`.
        ordersRequested(): the user clicked the link to the orders page.
    """

    orderPlaced = Signal(object)
    ordersRequested = Signal()

    def __init__(self, tr: Translator, call: Call, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tr_, self._call = tr, call
        self.tenant_id: str | None = None
        self.fmt = TenantFormat(language=tr.language)
        self.busy = False
        self.choice_buttons: dict[str, QPushButton] = {}  # reply id -> button of the latest replies
        self.phone = QLineEdit(DEFAULT_PHONE)
        self.phone.setMaximumWidth(220)
        self.bubbles = QVBoxLayout()
        self.bubbles.addStretch(1)  # keeps the bubbles at the bottom while they are few
        holder = QWidget()
        holder.setLayout(self.bubbles)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(holder)
        self.scroller.setMinimumHeight(260)
        # follow the conversation: each new bubble grows the range, jump to its end
        bar = self.scroller.verticalScrollBar()
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high))
        self.input = QLineEdit()
        self.input.setPlaceholderText(tr("chat.placeholder"))
        self.input.returnPressed.connect(self.send_text)
        self.send_button = QPushButton(tr("chat.send"))
        self.send_button.clicked.connect(self.send_text)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.apart = QLabel(tr("chat.apart"))  # a manager must not look for these chats in Conversations
        self.apart.setWordWrap(True)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.linkActivated.connect(lambda _link: self.ordersRequested.emit())
        self.result.hide()
        who = QFormLayout()
        who.addRow(tr("chat.phone"), self.phone)
        line = QHBoxLayout()
        line.addWidget(self.input, 1)
        line.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(who)
        layout.addWidget(self.apart)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(line)
        layout.addWidget(self.status)
        layout.addWidget(self.result)

    def set_tenant(self, tenant_id: str, fmt: TenantFormat) -> None:
        """Talk to `tenant_id`'s bot; a different tenant starts with an empty conversation."""
        self.fmt = fmt
        if tenant_id == self.tenant_id:
            return
        self.tenant_id = tenant_id
        while self.bubbles.count() > 1:  # everything but the stretch
            item = self.bubbles.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.choice_buttons.clear()
        self.result.hide()
        self.status.clear()

    # --- sending ---------------------------------------------------------------------------
    def send_text(self) -> None:
        text = self.input.text().strip()
        if text and self.send(SandboxMessage(self.phone.text().strip(), text=text), text):
            self.input.clear()

    def choose(self, choice: ChatChoice) -> bool:
        """Tap a button or list row of the bot's last replies."""
        return self.send(SandboxMessage(self.phone.text().strip(), reply_id=choice.id), choice.title)

    def send(self, message: SandboxMessage, shown: str) -> bool:
        """Send `message` (shown in the customer's bubble as `shown`); False while a turn is running."""
        if self.tenant_id is None or self.busy:
            return False
        tenant_id = self.tenant_id
        self._set_busy(True)
        self.status.clear()
        self._bubble(shown, mine=True)
        self._call(lambda client: client.sandbox.send(tenant_id, message), self._answered, self._failed)
        return True

    def _answered(self, turn: SandboxTurn) -> None:
        self._set_busy(False)
        for button in self.choice_buttons.values():
            button.setEnabled(False)  # like WhatsApp, only the latest choices count
        self.choice_buttons = {}
        for reply in turn.replies:
            self._bot_reply(reply)
        if turn.handoff:
            self.status.setStyleSheet("")
            self.status.setText(self.tr_("chat.handoff"))
        if turn.order is not None:
            self.show_order(turn.order)
            self.orderPlaced.emit(turn.order)

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        self.status.setStyleSheet(_ERROR_STYLE)
        self.status.setText(user_message(error, self.tr_))

    def show_order(self, order: PlacedOrder) -> None:
        self.result.setText(
            self.tr_("chat.order_placed", number=order.number, total=self.fmt.money(order.total))
            + f' <a href="orders">{self.tr_("chat.open_orders")}</a>'
        )
        self.result.show()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.send_button.setEnabled(not busy)
        self.input.setEnabled(not busy)

    # --- bubbles ---------------------------------------------------------------------------
    def _bubble(self, text: str, mine: bool) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)  # the bot's text and the user's are never markup
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setStyleSheet(_CUSTOMER_STYLE if mine else _BOT_STYLE)
        label.setMaximumWidth(_BUBBLE_WIDTH)
        # A word-wrapped label guesses a narrow width and wraps short messages into a column;
        # ask for the longest line's width (up to the bubble's maximum) instead.
        longest = max((label.fontMetrics().horizontalAdvance(line) for line in text.splitlines()), default=0)
        label.setMinimumWidth(min(_BUBBLE_WIDTH, longest + _BUBBLE_PADDING))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if mine:
            row.addStretch(1)
        row.addWidget(label)
        if not mine:
            row.addStretch(1)
        self._append(row)
        return label

    def _bot_reply(self, reply: BotReply) -> None:
        self._bubble(reply.body, mine=False)
        if reply.buttons:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            for choice in reply.buttons:
                row.addWidget(self._choice_button(choice))
            row.addStretch(1)
            self._append(row)
        if reply.sections:
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            if reply.list_button:
                column.addWidget(QLabel(reply.list_button))
            for section in reply.sections:
                if section.title:
                    title = QLabel(f"<b>{_escape(section.title)}</b>")
                    column.addWidget(title)
                for row_choice in section.rows:
                    column.addWidget(self._choice_button(row_choice))
            self._append(column)

    def _choice_button(self, choice: ChatChoice) -> QPushButton:
        described = choice.description if isinstance(choice, ChatRow) else ""
        text = f"{choice.title} — {described}" if described else choice.title
        button = QPushButton(text)
        button.setToolTip(choice.id)
        button.clicked.connect(lambda: self.choose(choice))
        self.choice_buttons[choice.id] = button
        return button

    def _append(self, layout: QHBoxLayout | QVBoxLayout) -> None:
        holder = QWidget()
        holder.setLayout(layout)
        self.bubbles.addWidget(holder)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""WhatsApp conversations: the chat list, a transcript, a reply box, take over and release.

The list shows who waits for a person first in mind (its state in words), the last message and
the unread count; the transcript shows both sides with the bot's buttons as sent and the ticks of
each of our messages. Writing a reply takes the chat over (the bot stays silent); "Devolver al bot"
releases it. Outside WhatsApp's 24-hour window the page says that the reply goes out as the
tenant's approved hand-off template (or that none is set, and then the reply box is off), and
each message sent as a template says so. Showing a chat marks it read (`POST …/read`); getting it
does not. The page follows the changes feed while it is on show.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from comandia.console.changes import ChangeWatcher, kinds
from comandia.console.context import AppContext
from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.schemas.conversations import (
    ChangeEntry,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    TranscriptMessage,
)

TICKS = {"sent": "✓", "delivered": "✓✓", "read": "✓✓ 👁", "failed": "⚠"}


class ConversationsPage(Page):
    """Chats of the current tenant.

    Signals: inherited `message(str)`.
    """

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.chats = QListWidget()
        self.chats.setMaximumWidth(360)
        self.chats.currentRowChanged.connect(self._pick)
        self.header = QLabel()
        self.transcript = QTextBrowser()
        self.transcript.setPlaceholderText(tr("chats.pick"))
        self.orders = QLabel()
        self.orders.setWordWrap(True)
        self.window_note = QLabel()
        self.window_note.setWordWrap(True)
        self.reply = QLineEdit()
        self.reply.setPlaceholderText(tr("chats.reply_placeholder"))
        self.send_button = QPushButton(tr("chats.send"))
        self.takeover_button = QPushButton(tr("chats.takeover"))
        self.release_button = QPushButton(tr("chats.release"))
        self.send_button.clicked.connect(self.send)
        self.reply.returnPressed.connect(self.send)
        self.takeover_button.clicked.connect(lambda: self._move("takeover"))
        self.release_button.clicked.connect(lambda: self._move("release"))
        actions = QHBoxLayout()
        actions.addWidget(self.header, 1)
        actions.addWidget(self.takeover_button)
        actions.addWidget(self.release_button)
        compose = QHBoxLayout()
        compose.addWidget(self.reply, 1)
        compose.addWidget(self.send_button)
        right = QVBoxLayout()
        right.addLayout(actions)
        right.addWidget(self.transcript, 1)
        right.addWidget(self.orders)
        right.addWidget(self.window_note)
        right.addLayout(compose)
        split = QHBoxLayout()
        split.addWidget(self.chats)
        split.addLayout(right, 1)
        self.body.addLayout(split, 1)
        self.items: list[ConversationSummary] = []
        self.detail: ConversationDetail | None = None
        self.poll = ChangeWatcher(ctx, self)
        self.poll.changed.connect(self._changed)
        self.poll.reset.connect(self.reload)
        self._show_controls()

    # --- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.call(lambda client: client.conversations.list(tenant_id), self._listed)
        self.poll.start()

    def _listed(self, page: ConversationPage) -> None:
        current = self.detail.conversation.id if self.detail else None
        self.items = list(page.items)
        self.transcript.setPlaceholderText(self.i18n("chats.pick" if self.items else "chats.none"))
        self.chats.blockSignals(True)
        self.chats.clear()
        for chat in self.items:
            self.chats.addItem(QListWidgetItem(self._line(chat)))
        self.chats.blockSignals(False)
        row = next((i for i, c in enumerate(self.items) if c.id == current), -1)
        if row >= 0:
            self.chats.setCurrentRow(row)

    def _line(self, chat: ConversationSummary) -> str:
        tr = self.i18n
        who = chat.customer_name or chat.customer_phone or tr("chats.unknown")
        unread = f"  ({chat.unread})" if chat.unread else ""
        return f"{tr(f'chats.state.{chat.state}')} · {who}{unread}\n{chat.last_message_text[:60]}"

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.items):
            self.open(self.items[row].id)

    def open(self, conversation_id: str) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.call(lambda client: client.conversations.get(tenant_id, conversation_id), self.show_detail)

    def show_detail(self, detail: ConversationDetail) -> None:
        tr, fmt = self.i18n, self.ctx.fmt
        self.detail = detail
        chat = detail.conversation
        who = chat.customer_name or chat.customer_phone or tr("chats.unknown")
        agent = f" ({chat.agent})" if chat.agent else ""
        self.header.setText(f"<b>{html.escape(who)}</b> {html.escape(chat.customer_phone or '')} · "
                            f"{tr(f'chats.state.{chat.state}')}{html.escape(agent)}")
        self.transcript.setHtml("".join(self._bubble(m) for m in detail.messages))
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())
        orders = [f"#{o.number} {tr(f'status.{o.status}')} {fmt.money(o.total, o.currency)}" for o in detail.orders]
        self.orders.setText(tr("chats.orders", orders=", ".join(orders)) if orders else tr("chats.no_orders"))
        if detail.window_open:
            self.window_note.setText(tr("chats.window_open"))
        elif detail.template:
            self.window_note.setText(tr("chats.window_template", template=detail.template))
        else:
            self.window_note.setText(tr("chats.window_closed"))
        self._show_controls()
        if chat.unread:
            self._mark_read(chat.id)

    def _mark_read(self, conversation_id: str) -> None:
        tenant = self.ctx.tenant
        if tenant is None:
            return
        tenant_id = tenant.id
        self.call(lambda client: client.conversations.mark_read(tenant_id, conversation_id),
                  lambda _summary: self.reload())

    def _bubble(self, message: TranscriptMessage) -> str:
        tr, fmt = self.i18n, self.ctx.fmt
        if message.direction == "in":
            who, align, colour = tr("chats.customer"), "left", "#f1f0f0"
        else:
            who = message.author or tr("chats.bot")
            align, colour = "right", "#dcf8c6" if message.author else "#e7f0fd"
        text = html.escape(message.text or tr(f"chats.kind.{message.kind}")).replace("\n", "<br>")
        if message.reply is not None:
            choices = [b.title for b in message.reply.buttons] + [
                r.title for s in message.reply.sections for r in s.rows]
            text += "<br>" + " ".join(f"[{html.escape(c)}]" for c in choices)
        if message.template:
            text += f"<br><i>{html.escape(tr('chats.sent_as_template', template=message.template))}</i>"
        ticks = TICKS.get(message.status or "", "") if message.direction == "out" else ""
        if message.delivery == "failed":
            ticks = "⚠ " + html.escape(message.error or "")
        return (f'<table width="100%"><tr><td align="{align}"><div style="background:{colour};padding:4px">'
                f"<small>{html.escape(who)} · {fmt.instant(message.at)} {ticks}</small><br>{text}"
                f"</div></td></tr></table>")

    def _show_controls(self) -> None:
        chat = self.detail.conversation if self.detail else None
        writable = self.ctx.connection.user is not None and self.ctx.connection.user.role != "viewer"
        can_send = bool(self.detail and (self.detail.window_open or self.detail.template))
        self.reply.setEnabled(chat is not None and writable and can_send)
        self.send_button.setEnabled(self.reply.isEnabled())
        self.takeover_button.setEnabled(chat is not None and writable and chat.state != "human")
        self.release_button.setEnabled(chat is not None and writable and chat.state != "bot")

    # --- acting ----------------------------------------------------------------------------
    def send(self) -> None:
        tenant, text = self.ctx.tenant, self.reply.text().strip()
        if tenant is None or self.detail is None or not text:
            return
        tenant_id, conversation_id = tenant.id, self.detail.conversation.id
        self.reply.clear()
        self.call(lambda client: client.conversations.send(tenant_id, conversation_id, text),
                  lambda _message: self.open(conversation_id))

    def _move(self, action: str) -> None:
        tenant = self.ctx.tenant
        if tenant is None or self.detail is None:
            return
        tenant_id, conversation_id = tenant.id, self.detail.conversation.id

        def work(client: ApiClient) -> ConversationSummary:
            api = client.conversations
            return api.takeover(tenant_id, conversation_id) if action == "takeover" else api.release(
                tenant_id, conversation_id)

        def moved(_summary: ConversationSummary) -> None:
            self.open(conversation_id)
            self.reload()

        self.call(work, moved)

    def _changed(self, entries: list[ChangeEntry]) -> None:
        chats = kinds(entries, "conversation")
        if not chats or not self.isVisible():
            return
        self.reload()
        if self.detail is not None and any(e.ref == self.detail.conversation.id for e in chats):
            self.open(self.detail.conversation.id)

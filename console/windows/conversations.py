"""WhatsApp conversations: the chat list, a transcript, a reply box, take over and release.

The list shows who waits for a person first in mind (its state in words), the last message and
the unread count; the transcript shows both sides with the bot's buttons as sent and the ticks of
each of our messages. Writing a reply takes the chat over (the bot stays silent); "Devolver al bot"
releases it. Outside WhatsApp's 24-hour window the page says that the reply goes out as the
tenant's approved hand-off template (or that none is set, and then the reply box is off), and
each message sent as a template says so. Showing a chat marks it read (`POST …/read`); getting it
does not. The page follows the changes feed while it is on show.

Files customers send: a picture is previewed in the transcript (fetched in the background, only
for managers: the server serves files to them alone); a voice note, video or document is a link
that saves it to a temporary folder of this page and opens it with the system's player or viewer
(QDesktopServices); a location is a link to the map. A file still downloading, one that could not
be downloaded, and one deleted by the retention rule each say so.
"""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTemporaryDir, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
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
from comandia.console.theme import colors
from comandia.console.windows.base import Page
from comandia.shared.client import ApiClient
from comandia.shared.client.conversations import MediaDownload
from comandia.shared.schemas.conversations import (
    ChangeEntry,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    MediaEntry,
    TranscriptMessage,
)

TICKS = {"sent": "✓", "delivered": "✓✓", "read": "✓✓ 👁", "failed": "⚠"}
WINDOW_CLOSED = (131047, 63016)
"""Provider codes of a message refused because the customer's 24-hour window had closed."""
PREVIEWED = ("image", "sticker")
PREVIEW_WIDTH = 240
MAX_PREVIEWS = 200


class Transcript(QTextBrowser):
    """The transcript view; `media:<id>` images come from `images` (the previews fetched so far).

    Signals:
        restyled(): the theme changed; the bubbles are to be drawn again in its colours.
    """

    restyled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.images: dict[str, QImage] = {}
        self.setOpenLinks(False)

    def loadResource(self, kind: int, url: QUrl | str) -> object:  # noqa: N802 -- Qt's name
        address = QUrl(url)
        if address.scheme() == "media":
            return self.images.get(address.path())
        return super().loadResource(kind, address)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 -- Qt's name
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.restyled.emit()
        super().changeEvent(event)


class ConversationsPage(Page):
    """Chats of the current tenant.

    Signals: inherited `message(str)`.
    """

    needs_tenant = True

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.i18n
        self.chats = QListWidget()
        self.chats.setMinimumWidth(300)
        self.chats.setMaximumWidth(360)
        self.chats.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chats.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.chats.currentRowChanged.connect(self._pick)
        self.header = QLabel()
        self.header.setWordWrap(True)  # a long name or the Spanish state wraps, not widen the window past 1280 px
        self.transcript = Transcript()
        self.transcript.setPlaceholderText(tr("chats.pick"))
        self.transcript.anchorClicked.connect(self._link)
        self.transcript.restyled.connect(self._render)  # the bubbles take the theme's colours
        self.files = QTemporaryDir()  # opened files live here until the page goes
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
        self.header.setText(
            f"<b>{html.escape(who)}</b> {html.escape(chat.customer_phone or '')} · "
            f"{tr(f'chats.state.{chat.state}')}{html.escape(agent)}"
        )
        self.transcript.setHtml("".join(self._bubble(m) for m in detail.messages))
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._fetch_previews(detail)
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
        self.call(
            lambda client: client.conversations.mark_read(tenant_id, conversation_id), lambda _summary: self.reload()
        )

    def _can_fetch_media(self) -> bool:
        user = self.ctx.connection.user
        return user is not None and user.role != "viewer"

    def _render(self) -> None:
        if self.detail is None:
            return
        bar = self.transcript.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.transcript.setHtml("".join(self._bubble(m) for m in self.detail.messages))
        if at_end:
            bar.setValue(bar.maximum())

    def _fetch_previews(self, detail: ConversationDetail) -> None:
        tenant = self.ctx.tenant
        if tenant is None or not self._can_fetch_media():
            return
        tenant_id, conversation_id = tenant.id, detail.conversation.id
        for message in detail.messages:
            for entry in message.media:
                if entry.kind in PREVIEWED and entry.state == "stored" and entry.id not in self.transcript.images:
                    self._fetch_preview(tenant_id, conversation_id, entry.id)

    def _fetch_preview(self, tenant_id: str, conversation_id: str, media_id: str) -> None:
        def work(client: ApiClient) -> MediaDownload:
            return client.conversations.media(tenant_id, conversation_id, media_id)

        def loaded(download: MediaDownload) -> None:
            self._preview_loaded(media_id, download)

        self.call(work, loaded)

    def _preview_loaded(self, media_id: str, download: MediaDownload) -> None:
        image = QImage.fromData(download.content)
        if image.isNull():
            return
        if len(self.transcript.images) >= MAX_PREVIEWS:
            self.transcript.images.pop(next(iter(self.transcript.images)))
        self.transcript.images[media_id] = image.scaledToWidth(min(PREVIEW_WIDTH, image.width()))
        self.transcript.document().addResource(
            QTextDocument.ResourceType.ImageResource, QUrl(f"media:{media_id}"), self.transcript.images[media_id]
        )
        self._render()

    def _media_html(self, entry: MediaEntry) -> str:
        tr, fmt = self.i18n, self.ctx.fmt
        what = (
            tr(f"chats.media.kind.{entry.kind}")
            if entry.kind in ("image", "sticker", "audio", "video", "document")
            else tr("chats.media.kind.document")
        )
        if entry.state == "pending":
            return html.escape(tr("chats.media.pending", what=what))
        if entry.state == "failed":
            return html.escape(tr("chats.media.failed", what=what, error=entry.error or ""))
        if entry.state == "expired":
            return html.escape(tr("chats.media.expired", what=what))
        if not self._can_fetch_media():
            return html.escape(tr("chats.media.managers_only", what=what))
        if entry.kind in PREVIEWED and entry.id in self.transcript.images:
            return f'<a href="open-media:{entry.id}"><img src="media:{entry.id}"></a>'
        size = f"{fmt.number((entry.size or 0) / 1024, 0)} KB"
        return f'<a href="open-media:{entry.id}">{html.escape(tr("chats.media.open", what=what, size=size))}</a>'

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("https", "http"):
            QDesktopServices.openUrl(url)  # a location's map
            return
        if url.scheme() != "open-media" or self.detail is None or self.ctx.tenant is None:
            return
        media_id = url.path()
        entry = next((e for m in self.detail.messages for e in m.media if e.id == media_id), None)
        if entry is None:
            return
        tenant_id, conversation_id = self.ctx.tenant.id, self.detail.conversation.id
        self.call(
            lambda client: client.conversations.media(tenant_id, conversation_id, media_id),
            lambda download: self._open_file(entry, download),
        )

    def _open_file(self, entry: MediaEntry, download: MediaDownload) -> None:
        """Save the file in the page's temporary folder and open it with the system's viewer."""
        mime = download.mime.partition(";")[0].strip()
        extension = mimetypes.guess_extension(mime) or ""
        name = Path(entry.filename or f"{entry.kind}-{entry.id}{extension}").name  # never a path from outside
        target = Path(self.files.path()) / entry.id / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(download.content)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def _bubble(self, message: TranscriptMessage) -> str:
        tr, fmt, c = self.i18n, self.ctx.fmt, colors(self.ctx.settings.theme)
        if message.direction == "in":
            who, align, colour = tr("chats.customer"), "left", c.bubble_in
        else:
            who = message.author or tr("chats.bot")
            align, colour = "right", c.bubble_agent if message.author else c.bubble_bot
        text = html.escape(message.text or tr(f"chats.kind.{message.kind}")).replace("\n", "<br>")
        if message.reply is not None:
            choices = [b.title for b in message.reply.buttons] + [
                r.title for s in message.reply.sections for r in s.rows
            ]
            text += "<br>" + " ".join(f"[{html.escape(c)}]" for c in choices)
        for entry in message.media:
            text += "<br>" + self._media_html(entry)
        if message.map_url:
            text += f'<br><a href="{html.escape(message.map_url)}">{html.escape(tr("chats.map"))}</a>'
        if message.template:
            text += f"<br><i>{html.escape(tr('chats.sent_as_template', template=message.template))}</i>"
        if message.resend_of:
            text += f"<br><i>{html.escape(tr('chats.resend'))}</i>"
        ticks = TICKS.get(message.status or "", "") if message.direction == "out" else ""
        if message.delivery == "failed":
            ticks = "⚠ " + html.escape(message.error or "")
        elif message.status == "failed" and message.error_code in WINDOW_CLOSED:
            said = "chats.undelivered_resent" if message.resent_as else "chats.undelivered_window"
            ticks = "⚠ " + html.escape(tr(said))
        elif message.status == "failed" and message.error:  # taken, then not delivered: the server says why
            ticks = "⚠ " + html.escape(message.error)
        return (
            f'<table width="100%"><tr><td align="{align}"><div style="background:{colour};color:{c.text};'
            f'padding:4px"><small style="color:{c.muted}">{html.escape(who)} · {fmt.instant(message.at)} {ticks}'
            f"</small><br>{text}"
            f"</div></td></tr></table>"
        )

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
        self.call(
            lambda client: client.conversations.send(tenant_id, conversation_id, text),
            lambda _message: self.open(conversation_id),
        )

    def _move(self, action: str) -> None:
        tenant = self.ctx.tenant
        if tenant is None or self.detail is None:
            return
        tenant_id, conversation_id = tenant.id, self.detail.conversation.id

        def work(client: ApiClient) -> ConversationSummary:
            api = client.conversations
            return (
                api.takeover(tenant_id, conversation_id)
                if action == "takeover"
                else api.release(tenant_id, conversation_id)
            )

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

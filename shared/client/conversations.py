"""`/api/v1/tenants/{tenant_id}/conversations` and `/changes`: chats people read and answer, and the
feed the console polls."""

from __future__ import annotations

from dataclasses import dataclass

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.conversations import (
    ChangePage,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    HumanMessage,
    TranscriptMessage,
)


@dataclass(frozen=True)
class MediaDownload:
    """The bytes of a customer's file and their content type."""

    content: bytes
    mime: str


class ConversationsApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(
        self, tenant_id: str, state: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> ConversationPage:
        """One page of chats, newest message first; `state` is bot, waiting or human."""
        params = {"state": state, "limit": limit, "cursor": cursor}
        return ConversationPage.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/conversations", params))

    def get(self, tenant_id: str, conversation_id: str) -> ConversationDetail:
        """The transcript, ticks and the customer's orders (opening a chat marks it read)."""
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}"
        return ConversationDetail.from_json(self._t.get_json(path))

    def send(self, tenant_id: str, conversation_id: str, text: str) -> TranscriptMessage:
        """A person's reply; raises ConflictError when the 24-hour window is closed."""
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}/messages"
        return TranscriptMessage.from_json(self._t.send_json("POST", path, HumanMessage(text).to_json()))

    def media(self, tenant_id: str, conversation_id: str, media_id: str) -> MediaDownload:
        """A file the customer sent (managers only; the server caps its size)."""
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}/media/{media_id}"
        response = self._t.request("GET", path, headers={"Accept": "*/*, application/problem+json"})
        return MediaDownload(response.content, response.headers.get("Content-Type", "application/octet-stream"))

    def mark_read(self, tenant_id: str, conversation_id: str) -> ConversationSummary:
        """The chat was shown: its unread count goes to 0 (getting it does not)."""
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}/read"
        return ConversationSummary.from_json(self._t.send_json("POST", path))

    def takeover(self, tenant_id: str, conversation_id: str) -> ConversationSummary:
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}/takeover"
        return ConversationSummary.from_json(self._t.send_json("POST", path))

    def release(self, tenant_id: str, conversation_id: str) -> ConversationSummary:
        path = f"/api/v1/tenants/{tenant_id}/conversations/{conversation_id}/release"
        return ConversationSummary.from_json(self._t.send_json("POST", path))

    def changes(self, tenant_id: str, since: int | None = None) -> ChangePage:
        """What changed after cursor `since` (None: just the current cursor)."""
        return ChangePage.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/changes", {"since": since}))

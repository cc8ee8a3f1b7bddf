"""`/api/v1/tenants/{tenant_id}/conversations` and `/changes`: the live side of a tenant.

The list, a transcript, marking it read, a person's reply, takeover and release; and the changes
feed the console polls. Conversation ids are opaque: a phone never appears in a URL. Reading (and
marking read: a viewer reads chats too) is for everyone who may read the tenant; answering and
taking over are writes.
"""

from __future__ import annotations

import falcon

from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import query_int, query_text, read_body
from comandia.server.http.problems import language_of
from comandia.server.services.messaging.changes import ChangeFeed
from comandia.server.services.messaging.chats import ChatService
from comandia.server.services.messaging.media import MediaService
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.i18n import N_
from comandia.shared.schemas.conversations import HumanMessage

_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
STATES = ("bot", "waiting", "human")


def conversation_id(value: str) -> str:
    """A conversation id from the path; anything that cannot be one is "not found", like a stranger's."""
    if not 8 <= len(value) <= 24 or not set(value) <= _ID_CHARS:
        raise NotFound("conversation {id} does not exist", id=value[:40])
    return value


class ConversationCollection:
    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        state = query_text(req, "state", max_len=10)
        if state and state not in STATES:
            raise ValidationFailed.of_field("state", N_("must be bot, waiting or human"))
        page = self._chats.list(
            tenant_id, limit=query_int(req, "limit"), cursor=query_text(req, "cursor", max_len=500), state=state
        )
        resp.media = page.to_json()


class ConversationItem:
    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str) -> None:
        access_tenant(req, tenant_id)
        resp.vary = ("Accept-Language",)  # failure reasons are in the caller's language
        resp.media = self._chats.get(tenant_id, conversation_id(conversation), language_of(req)).to_json()


class ConversationRead:
    """POST: the chat was shown to a person; its unread count goes to 0 (GET never does that)."""

    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._chats.mark_read(tenant_id, conversation_id(conversation)).to_json()


class ConversationMedia:
    """GET: the bytes of a file the customer sent, streamed from the tenant's media folder.

    Managers (and the superadmin) only: customers' pictures and documents are personal data a
    read-only viewer does not need. Another tenant's file, or one of another conversation, is
    404 like one that does not exist; one not downloaded (pending, failed, expired) is 409. The
    type is the allow-listed one stored, sent as an attachment with `nosniff`, so a browser never
    runs it as a page.
    """

    def __init__(self, media: MediaService) -> None:
        self._media = media

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str, media_id: str
    ) -> None:
        access_tenant(req, tenant_id, write=True)
        stored = self._media.open(tenant_id, conversation_id(conversation), conversation_id(media_id))
        resp.content_type = stored.mime
        resp.downloadable_as = stored.filename
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.cache_control = ["private", "no-store"]
        resp.set_stream(stored.path.open("rb"), stored.size)


class ConversationMessages:
    """POST {"text"}: a person's reply, sent through the outbox (takes the chat over)."""

    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        public_id = conversation_id(conversation)
        message = read_body(req, HumanMessage)
        resp.status = falcon.HTTP_201
        resp.media = self._chats.send(tenant_id, public_id, message.text, actor=principal.username).to_json()


class ConversationTakeover:
    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        resp.media = self._chats.takeover(tenant_id, conversation_id(conversation), principal.username).to_json()


class ConversationRelease:
    def __init__(self, chats: ChatService) -> None:
        self._chats = chats

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, conversation: str) -> None:
        principal = access_tenant(req, tenant_id, write=True)
        resp.media = self._chats.release(tenant_id, conversation_id(conversation), principal.username).to_json()


class Changes:
    """GET ?since=<cursor>: what changed after it (an empty page when nothing did); no since: the cursor."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._feed = feed

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        since = query_int(req, "since", minimum=0, maximum=10**12)
        resp.cache_control = ["no-store"]
        resp.media = self._feed.since(tenant_id, since).to_json()

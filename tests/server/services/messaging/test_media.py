"""Customers' files end to end: a signed webhook, the inbox, the media worker's download from the
stand-in with the number's credentials, the transcript entry, the bytes, the failures and the
retention; and a location shown with its map link."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from urllib.parse import urlencode

import pytest

from comandia.server.config import load_config
from comandia.server.providers.media import MediaLimits
from comandia.server.providers.signatures import twilio_signature
from comandia.server.services.messaging.chats import ChatService
from comandia.server.services.messaging.media import MediaService
from comandia.shared.domain.errors import Conflict, NotFound
from comandia.shared.schemas.conversations import MediaEntry
from tests.plugins.messaging import (
    PUBLIC_URL,
    TWILIO_ACCOUNT,
    TWILIO_TO,
    TWILIO_TOKEN,
    EchoConversations,
    Messaging,
    meta_message,
)
from tests.plugins.providers import MediaFile

ANA = "5215512345678"
JPEG = b"\xff\xd8\xff\xe0" + secrets.token_bytes(3000)


def post_image(m: Messaging, wamid: str, media_id: str, caption: str | None = None) -> None:
    image: dict[str, object] = {"id": media_id, "mime_type": "image/jpeg", "sha256": "x"}
    if caption:
        image["caption"] = caption
    assert m.post("meta", *meta_message(wamid, ANA, {"type": "image", "image": image})).status_code == 200


def received(m: Messaging, wamid: str, media_id: str) -> str:
    """Ana's picture `media_id` went through the inbox and the media worker; returns her chat."""
    post_image(m, wamid, media_id)
    m.processor().process(m.tenant.id)
    m.services.media.fetch_due(m.tenant.id)
    return chat_of(m)


def the_media(m: Messaging, chat: str) -> MediaEntry:
    """The one file of the chat's one inbound message, as the transcript shows it."""
    [message] = [x for x in ChatService(m.runtime.databases).get(m.tenant.id, chat).messages if x.direction == "in"]
    [entry] = message.media
    return entry


def chat_of(m: Messaging) -> str:
    [chat] = ChatService(m.runtime.databases).list(m.tenant.id).items
    return chat.id


def test_a_picture_is_downloaded_off_the_webhook_path_shown_and_served(messaging: Messaging) -> None:
    m = messaging
    m.stand_in.media["4490709327384033"] = MediaFile(JPEG)
    post_image(m, "wamid.IMG1", "4490709327384033", caption="quiero 2 de estas")
    assert m.stand_in.requests == []  # the webhook only stored the event
    echo = EchoConversations()
    m.processor(echo).process(m.tenant.id)
    assert [c[2].text for c in echo.calls] == ["quiero 2 de estas"]  # the caption is read as text
    chat = chat_of(m)
    entry = the_media(m, chat)
    assert (entry.kind, entry.state, entry.caption) == ("image", "pending", "quiero 2 de estas")
    assert m.services.media.fetch_due(m.tenant.id) == 1
    entry = the_media(m, chat)
    assert (entry.state, entry.mime, entry.size) == ("stored", "image/jpeg", len(JPEG))
    stored = m.services.media.open(m.tenant.id, chat, entry.id)
    assert stored.path.read_bytes() == JPEG and stored.mime == "image/jpeg"
    assert stored.path.is_relative_to(m.services.media.folder(m.tenant.id))  # the tenant's own folder
    assert m.stand_in.requests[0].headers["Authorization"] == "Bearer EAAG-test"  # the number's token
    assert m.services.media.fetch_due(m.tenant.id) == 0  # downloaded once


def test_another_conversation_or_tenant_cannot_open_the_file(messaging: Messaging, make_tenant) -> None:  # type: ignore[no-untyped-def]
    m = messaging
    m.stand_in.media["M2"] = MediaFile(JPEG)
    chat = received(m, "wamid.IMG2", "M2")
    [media_id] = [r[0] for r in m.rows(m.tenant.id, "SELECT public_id FROM media")]
    with pytest.raises(NotFound):
        m.services.media.open(make_tenant().id, chat, media_id)
    with pytest.raises(NotFound):
        m.services.media.open(m.tenant.id, "AAAAAAAAAAAAAAAA", media_id)


def test_a_file_that_cannot_be_downloaded_says_so_in_the_transcript(messaging: Messaging) -> None:
    m = messaging
    m.stand_in.media["HTML"] = MediaFile(b"<html>login</html>", mime="text/html")
    chat = received(m, "wamid.IMG3", "HTML")
    entry = the_media(m, chat)
    assert (entry.state, entry.error) == ("failed", "este tipo de archivo no está permitido")  # Spanish first
    with pytest.raises(Conflict):
        m.services.media.open(m.tenant.id, chat, entry.id)
    assert m.services.media.fetch_due(m.tenant.id) == 0  # a permanent failure is not retried


def test_a_transient_failure_is_retried_with_backoff_until_it_works(messaging: Messaging) -> None:
    m = messaging
    post_image(m, "wamid.IMG4", "LATER")
    m.processor().process(m.tenant.id)
    m.stand_in.media["LATER"] = MediaFile(JPEG, chunk=100, pause=0.3)  # first slower than the deadline
    clock = [dt.datetime.now(dt.UTC)]
    service = MediaService(
        m.runtime.databases,
        m.directory,
        m.services.media.folder("x").parent,
        MediaLimits(deadline_seconds=0.3),
        clock=lambda: clock[0],
    )
    assert service.fetch_due(m.tenant.id) == 1
    assert m.rows(m.tenant.id, "SELECT state, attempts FROM media")[0] == ("pending", 1)
    assert service.fetch_due(m.tenant.id) == 0  # backing off
    m.stand_in.media["LATER"] = MediaFile(JPEG)
    clock[0] += dt.timedelta(minutes=1)
    assert service.fetch_due(m.tenant.id) == 1
    assert m.rows(m.tenant.id, "SELECT state, attempts, error FROM media")[0] == ("stored", 2, None)


def test_retention_deletes_old_files_and_the_transcript_keeps_saying_one_was_sent(messaging: Messaging) -> None:
    m = messaging
    m.stand_in.media["OLD"] = MediaFile(JPEG)
    chat = received(m, "wamid.IMG5", "OLD")
    [(media_id, path)] = m.rows(m.tenant.id, "SELECT public_id, path FROM media")
    file = m.services.media.folder(m.tenant.id) / path
    assert file.exists()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    service = MediaService(
        m.runtime.databases,
        m.directory,
        m.services.media.folder("x").parent,
        retention_days=lambda t: 90,
        clock=lambda: later,
    )
    assert service.purge_expired(m.tenant.id) == 1
    assert not file.exists()
    [message] = [x for x in ChatService(m.runtime.databases).get(m.tenant.id, chat).messages if x.direction == "in"]
    assert message.media[0].state == "expired" and message.media[0].id == media_id


def test_a_location_shows_its_coordinates_and_a_map_link(messaging: Messaging) -> None:
    m = messaging
    location = {"latitude": 19.4326, "longitude": -99.1332, "name": "Zócalo"}
    m.post("meta", *meta_message("wamid.LOC1", ANA, {"type": "location", "location": location}))
    m.processor().process(m.tenant.id)
    [message] = [
        x for x in ChatService(m.runtime.databases).get(m.tenant.id, chat_of(m)).messages if x.direction == "in"
    ]
    assert (message.latitude, message.longitude) == (19.4326, -99.1332)
    assert message.map_url is not None and "mlat=19.432600&mlon=-99.133200" in message.map_url
    assert "Zócalo" in message.text and "19.432600, -99.133200" in message.text
    assert m.rows(m.tenant.id, "SELECT count(*) FROM media")[0][0] == 0


def test_twilio_media_urls_are_recorded_per_file(messaging: Messaging) -> None:
    m = messaging
    base = f"{m.stand_in.url}/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages/MM77"
    m.stand_in.media["ME1"] = MediaFile(JPEG)
    m.stand_in.media["ME2"] = MediaFile(b"OggS" + JPEG, mime="audio/ogg")
    form = {
        "MessageSid": "MM77",
        "From": f"whatsapp:+{ANA}",
        "To": f"whatsapp:{TWILIO_TO}",
        "WaId": ANA,
        "NumMedia": "2",
        "MediaUrl0": f"{base}/Media/ME1",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": f"{base}/Media/ME2",
        "MediaContentType1": "audio/ogg",
        "Body": "",
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(f"{PUBLIC_URL}/webhooks/twilio", form, TWILIO_TOKEN),
    }
    assert m.post("twilio", urlencode(form).encode(), headers).status_code == 200
    m.processor().process(m.tenant.id)
    assert m.services.media.fetch_due(m.tenant.id) == 2
    rows = m.rows(m.tenant.id, "SELECT kind, state, mime FROM media ORDER BY id")
    assert rows == [("image", "stored", "image/jpeg"), ("audio", "stored", "audio/ogg")]


def test_hosts_that_share_the_media_folder_serve_each_others_files(messaging: Messaging, tmp_path: Path) -> None:
    """Several hosts: a file downloaded on one is served by another when `COMANDIA_MEDIA_DIR` is one
    shared folder; left in each host's `COMANDIA_HOME/media`, the other host cannot find it."""
    m = messaging
    shared = tmp_path / "nfs" / "media"
    one, other = (
        load_config(env={"COMANDIA_HOME": str(tmp_path / name), "COMANDIA_MEDIA_DIR": str(shared)})
        for name in ("host-1", "host-2")
    )
    alone = load_config(env={"COMANDIA_HOME": str(tmp_path / "host-3")})
    assert (one.media_dir, alone.media_dir) == (shared, tmp_path / "host-3" / "media")
    m.stand_in.media["M3SHARED"] = MediaFile(JPEG)
    post_image(m, "wamid.SHARED", "M3SHARED")
    m.processor().process(m.tenant.id)
    assert MediaService(m.runtime.databases, m.directory, one.media_dir).fetch_due(m.tenant.id) == 1
    chat = chat_of(m)
    media_id = the_media(m, chat).id
    served = MediaService(m.runtime.databases, m.directory, other.media_dir).open(m.tenant.id, chat, media_id)
    assert served.path.read_bytes() == JPEG
    with pytest.raises(Conflict, match="missing"):
        MediaService(m.runtime.databases, m.directory, alone.media_dir).open(m.tenant.id, chat, media_id)


@pytest.mark.parametrize(
    ("status", "es", "en"),
    [
        (404, "el proveedor ya no tiene el archivo", "the provider no longer has the file"),
        (403, "el proveedor se negó a entregar el archivo", "the provider refused to give the file"),
    ],
)
def test_a_provider_refusal_reads_as_a_sentence_in_the_managers_language(
    messaging: Messaging, status: int, es: str, en: str
) -> None:
    """Not "HTTP 404 downloading the media": what happened, from the catalog, Spanish first."""
    m = messaging
    m.stand_in.media["GONE"] = MediaFile(JPEG, status=status)
    chat = received(m, "wamid.GONE", "GONE")
    assert the_media(m, chat).error == es
    [message] = [
        x
        for x in ChatService(m.runtime.databases).get(m.tenant.id, chat, language="en").messages
        if x.direction == "in"
    ]
    assert message.media[0].error == en

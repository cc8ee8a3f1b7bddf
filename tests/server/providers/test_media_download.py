"""Downloading customers' files from each provider against the stand-in, and the caps on hostile ones.

Each provider's wire format: Meta looks the id up (`GET /{version}/{media-id}`) and downloads the
answered URL with the same bearer token; 360dialog looks it up at `GET {base}/{media-id}` and
downloads Meta's path and query from its own host with the number's API key; Twilio's
`MediaUrl` is fetched with HTTP Basic. The caps: a Content-Length over the cap is refused before
a byte is read, a body over the cap (announced or not) stops at the cap, a slow server meets the
deadline, and a type off the allow-list is refused.
"""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import pytest
import requests

from comandia.server.providers.base import Endpoints
from comandia.server.providers.dialog360 import Dialog360Provider
from comandia.server.providers.media import MediaFetchError, MediaLimits
from comandia.server.providers.meta import MetaProvider
from comandia.server.providers.twilio import TwilioProvider
from tests.plugins.providers import MediaFile, StandIn

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400  # about 100 KiB
ACCOUNT = "AC0123456789abcdef0123456789abcdef"


@pytest.fixture
def http() -> requests.Session:
    return requests.Session()


def meta(stand_in: StandIn, http: requests.Session) -> MetaProvider:
    return MetaProvider("106540352200001", None, "EAAG-token", http, Endpoints(meta_base=stand_in.url))


def test_meta_looks_the_id_up_then_downloads_with_the_bearer_token(
    stand_in: StandIn, http: requests.Session, tmp_path: Path
) -> None:
    stand_in.media["1037543291543636"] = MediaFile(JPEG)
    got = meta(stand_in, http).fetch_media("1037543291543636", tmp_path / "f", MediaLimits())
    assert (got.mime, got.size, got.sha256) == ("image/jpeg", len(JPEG), hashlib.sha256(JPEG).hexdigest())
    assert (tmp_path / "f").read_bytes() == JPEG
    lookup, download = stand_in.requests
    assert lookup.path == "/v21.0/1037543291543636" and download.path == "/media-files/1037543291543636"
    assert lookup.headers["Authorization"] == download.headers["Authorization"] == "Bearer EAAG-token"


def test_360dialog_downloads_metas_path_from_its_own_host_with_the_api_key(
    stand_in: StandIn, http: requests.Session, tmp_path: Path
) -> None:
    stand_in.media["2208123"] = MediaFile(b"OggS" + b"\x00" * 5000, mime="audio/ogg")
    provider = Dialog360Provider("d360-key", http, Endpoints(dialog360_base=stand_in.url))
    got = provider.fetch_media("2208123", tmp_path / "voice", MediaLimits())
    assert (got.mime, got.size) == ("audio/ogg", 5004)
    lookup, download = stand_in.requests
    assert lookup.path == "/2208123"
    assert download.path == "/whatsapp_business/attachments/?mid=2208123&ext=1750096325&hash=ARfD"
    assert lookup.headers["D360-API-KEY"] == download.headers["D360-API-KEY"] == "d360-key"


def test_twilio_fetches_the_media_url_with_basic_auth_and_only_under_its_account(
    stand_in: StandIn, http: requests.Session, tmp_path: Path
) -> None:
    stand_in.media["ME1a2b"] = MediaFile(b"%PDF-1.7 menu", mime="application/pdf")
    provider = TwilioProvider(ACCOUNT, "auth-token", "+15550003333", http, Endpoints(twilio_base=stand_in.url))
    url = f"{stand_in.url}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM9f/Media/ME1a2b"
    assert provider.fetch_media(url, tmp_path / "doc", MediaLimits()).mime == "application/pdf"
    expected = "Basic " + base64.b64encode(f"{ACCOUNT}:auth-token".encode()).decode()
    assert stand_in.requests[-1].headers["Authorization"] == expected
    with pytest.raises(MediaFetchError, match="not under this Twilio account") as refused:
        provider.fetch_media("http://169.254.169.254/latest/meta-data", tmp_path / "x", MediaLimits())
    assert refused.value.kind == "permanent"
    assert len(stand_in.requests) == 1  # the foreign URL was never fetched


def test_a_huge_content_length_is_refused_before_reading_a_byte(
    stand_in: StandIn, http: requests.Session, tmp_path: Path
) -> None:
    stand_in.media["HUGE"] = MediaFile(JPEG, announce=10**12)
    started = time.monotonic()
    with pytest.raises(MediaFetchError, match="over the") as refused:
        meta(stand_in, http).fetch_media("HUGE", tmp_path / "f", MediaLimits(max_bytes=1024 * 1024))
    assert refused.value.kind == "permanent" and time.monotonic() - started < 2
    assert not (tmp_path / "f").exists()


def test_a_body_over_the_cap_without_a_length_stops_at_the_cap(
    stand_in: StandIn, http: requests.Session, tmp_path: Path
) -> None:
    stand_in.media["BIG"] = MediaFile(JPEG * 20, chunked=True)  # about 2 MiB, no Content-Length
    with pytest.raises(MediaFetchError, match="over the 65536-byte cap"):
        meta(stand_in, http).fetch_media("BIG", tmp_path / "f", MediaLimits(max_bytes=65536))
    assert not (tmp_path / "f").exists()


def test_a_server_that_trickles_meets_the_deadline(stand_in: StandIn, http: requests.Session, tmp_path: Path) -> None:
    stand_in.media["SLOW"] = MediaFile(JPEG[:200], chunk=1, pause=0.05)  # 10 s in all, a byte at a time
    started = time.monotonic()
    with pytest.raises(MediaFetchError, match="took over") as slow:
        meta(stand_in, http).fetch_media("SLOW", tmp_path / "f", MediaLimits(deadline_seconds=0.5))
    assert slow.value.kind == "transient"  # retried later with backoff
    assert time.monotonic() - started < 2
    assert not (tmp_path / "f").exists()


@pytest.mark.parametrize("mime", ["text/html", "application/x-msdownload", ""])
def test_a_type_off_the_allow_list_is_refused(
    stand_in: StandIn, http: requests.Session, tmp_path: Path, mime: str
) -> None:
    stand_in.media["ODD"] = MediaFile(b"<html><script>alert(1)</script>", mime=mime)
    with pytest.raises(MediaFetchError, match="not allowed") as refused:
        meta(stand_in, http).fetch_media("ODD", tmp_path / "f", MediaLimits())
    assert refused.value.kind == "permanent"
    assert not (tmp_path / "f").exists()


def test_a_lookup_that_answers_no_url_is_permanent(stand_in: StandIn, http: requests.Session, tmp_path: Path) -> None:
    with pytest.raises(MediaFetchError) as missing:
        meta(stand_in, http).fetch_media("NOPE", tmp_path / "f", MediaLimits())
    assert missing.value.kind == "permanent"

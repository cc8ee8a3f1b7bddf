"""Downloading what customers send (pictures, voice notes, documents) from a provider, bounded.

Every provider ends in one streamed GET (`download`): the body goes to a file in chunks, never
whole into memory, and the download stops at the first sign of trouble that hostile or broken
input can cause — a `Content-Length` over the cap (refused before reading a byte), more bytes
than the cap however many the headers announced, a total time over the deadline (a server that
trickles a byte at a time), a content type off the allow-list (an HTML error page, an
executable). How each provider gets to that GET is its own: Meta and 360dialog first look the
media id up (`GET /{media-id}` gives a short-lived URL), Twilio's `MediaUrl` is fetched as is.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import requests

from comandia.shared.i18n import N_

FetchErrorKind = Literal["transient", "permanent"]

ALLOWED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/opus",
        "video/mp4",
        "video/3gpp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
"""What WhatsApp lets customers send (its supported media types), and nothing else: a content
type outside it is refused, so the console never opens an HTML page or a program as "a file"."""
CHUNK = 64 * 1024


@dataclass(frozen=True)
class MediaLimits:
    """Caps on one download: bytes, seconds in all, and the content types allowed."""

    max_bytes: int = 16 * 1024 * 1024
    deadline_seconds: float = 60.0
    connect_seconds: float = 5.0
    read_seconds: float = 10.0
    allowed: frozenset[str] = field(default=ALLOWED_TYPES)


@dataclass(frozen=True)
class Downloaded:
    """A file written to `path`: its content type (without parameters), size and SHA-256."""

    mime: str
    size: int
    sha256: str


UNREACHABLE = N_("the provider could not be reached to fetch the file")
UNREADABLE_ANSWER = N_("the provider's answer about the file was not understood")
GONE = N_("the provider no longer has the file")
REFUSED = N_("the provider refused to give the file")
LIMITED = N_("the provider is limiting requests for now")
PROVIDER_FAILED = N_("the provider failed to give the file")
TOO_LARGE = N_("the file is larger than this server accepts")
NOT_ALLOWED = N_("this type of file is not allowed")
TOO_SLOW = N_("the download took too long")
EMPTY = N_("the provider sent an empty file")


class MediaFetchError(Exception):
    """A download that failed: `transient` (retry later: a timeout, HTTP 5xx or 429) or
    `permanent` (too large, a type not allowed, the media gone or refused).

    `reason` is a catalog text (the constants above): what a manager reads beside the file, in
    their language; `detail` adds what happened exactly (a status, a size), for the log.
    """

    def __init__(self, kind: FetchErrorKind, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.kind: FetchErrorKind = kind
        self.reason = reason
        self.detail = str(self)


def base_type(content_type: str | None) -> str:
    """`image/jpeg` of `image/jpeg; charset=binary`, lower case."""
    return (content_type or "").partition(";")[0].strip().lower()


def lookup(session: requests.Session, url: str, headers: dict[str, str], limits: MediaLimits) -> dict[str, Any]:
    """The Cloud API's answer about a media id (`url`, `mime_type`, `file_size`), as a dict.

    Raises:
        MediaFetchError: the lookup failed (4xx permanent: 360dialog blocks numbers that repeat
            failing lookups; 5xx, 429 and timeouts transient), or the answer has no URL.
    """
    try:
        response = session.get(url, headers=headers, timeout=(limits.connect_seconds, limits.read_seconds))
    except requests.RequestException as error:
        raise MediaFetchError("transient", UNREACHABLE, f"{error.__class__.__name__} looking the media up") from None
    _raise_for_status(response, "looking the media up")
    if len(response.content) > 64 * 1024:
        raise MediaFetchError("permanent", UNREADABLE_ANSWER, "the media lookup answered more than 64 KiB")
    try:
        data = response.json()
    except ValueError:
        raise MediaFetchError("permanent", UNREADABLE_ANSWER, "the media lookup did not answer JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise MediaFetchError("permanent", UNREADABLE_ANSWER, "the media lookup answered no url")
    size = data.get("file_size")
    if isinstance(size, int) and size > limits.max_bytes:
        raise MediaFetchError("permanent", TOO_LARGE, f"the file is {size} bytes, over the {limits.max_bytes}-byte cap")
    return data


def download(
    session: requests.Session,
    url: str,
    target: Path,
    limits: MediaLimits,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> Downloaded:
    """Stream `url` into `target` within `limits`; on any failure `target` is removed.

    Raises:
        MediaFetchError: see the module's docstring for each cap.
    """
    if not url.startswith(("https://", "http://")):
        raise MediaFetchError("permanent", UNREADABLE_ANSWER, "the media URL is not HTTP(S)")
    started = time.monotonic()
    try:
        with session.get(
            url, headers=headers, auth=auth, stream=True, timeout=(limits.connect_seconds, limits.read_seconds)
        ) as response:
            _raise_for_status(response, "downloading the media")
            mime = base_type(response.headers.get("Content-Type"))
            if mime not in limits.allowed:
                raise MediaFetchError("permanent", NOT_ALLOWED, f"content type {mime or 'missing'!r}")
            announced = response.headers.get("Content-Length")
            if announced and announced.isdigit() and int(announced) > limits.max_bytes:
                raise MediaFetchError(
                    "permanent", TOO_LARGE, f"the file is {announced} bytes, over the {limits.max_bytes}-byte cap"
                )
            return _write(response, target, mime, limits, started)
    except requests.RequestException as error:
        target.unlink(missing_ok=True)
        raise MediaFetchError("transient", UNREACHABLE, f"{error.__class__.__name__} downloading the media") from None
    except MediaFetchError:
        target.unlink(missing_ok=True)
        raise


def _write(response: requests.Response, target: Path, mime: str, limits: MediaLimits, started: float) -> Downloaded:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        # read1: one socket read per call, so the deadline is checked at least every read timeout
        # even against a server that trickles a byte at a time (iter_content would wait for 64 KiB).
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > limits.max_bytes:
                raise MediaFetchError("permanent", TOO_LARGE, f"the file is over the {limits.max_bytes}-byte cap")
            if time.monotonic() - started > limits.deadline_seconds:
                raise MediaFetchError("transient", TOO_SLOW, f"the download took over {limits.deadline_seconds:g} s")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        target.unlink(missing_ok=True)
        raise MediaFetchError("permanent", EMPTY)
    return Downloaded(mime, size, digest.hexdigest())


def _raise_for_status(response: requests.Response, doing: str) -> None:
    status = response.status_code
    if status < 300:
        return
    kind: FetchErrorKind = "transient" if status >= 500 or status == 429 else "permanent"
    reason = (
        LIMITED if status == 429 else PROVIDER_FAILED if status >= 500 else GONE if status in (404, 410) else REFUSED
    )
    raise MediaFetchError(kind, reason, f"HTTP {status} {doing}")

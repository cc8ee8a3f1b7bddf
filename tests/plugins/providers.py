"""A stand-in for Meta's Graph API, 360dialog and Twilio on 127.0.0.1, and fixture helpers.

`stand_in` (session) is a threaded HTTP server that answers the send and check endpoints with
the providers' documented success bodies and generated ids, and records every request. A test
can make it answer documented errors (`fail("131056", times=3)`) or stall. `stand_in_reset`
(autouse) clears the records and failures after each test. Requests that failed or stalled are
recorded but never counted as accepted: `accepted` is what the provider would deliver.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

# HTTP status and body of each failure a test can ask for (Meta format; Twilio's below).
_META_FAILURES = {
    "500": (500, 131000, "Something went wrong"),
    "429": (429, 80007, "Rate limit hit"),
    "130429": (400, 130429, "Rate limit hit"),
    "131056": (400, 131056, "(Business Account, Consumer Account) pair rate limit hit"),
    "131047": (400, 131047, "Re-engagement message"),
    "131026": (400, 131026, "Message undeliverable"),
    "190": (401, 190, "Error validating access token: Session has expired"),
}
_TWILIO_FAILURES = {
    "500": (500, 20500, "Internal Server Error"),
    "429": (429, 20429, "Too Many Requests"),
    "130429": (429, 20429, "Too Many Requests"),
    "131056": (429, 20429, "Too Many Requests"),
    "131047": (400, 63016, "Failed to send freeform message because you are outside the allowed window"),
    "131026": (400, 63003, "Channel could not find To address"),
    "190": (401, 20003, "Authenticate"),
}


@dataclass
class Recorded:
    provider: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    message_id: str | None = None


@dataclass
class MediaFile:
    """A file the stand-in serves as a customer's media. The hostile knobs: `announce` a
    Content-Length other than the real one, send in `chunk`-byte pieces `pause` seconds apart
    (a slow server), and no Content-Length at all (`chunked`); a `status` other than 200 answers
    the download with it (the file gone, refused)."""

    body: bytes
    mime: str = "image/jpeg"
    announce: int | None = None
    chunk: int = 65536
    pause: float = 0.0
    chunked: bool = False
    status: int = 200


@dataclass
class StandIn:
    """The stand-in's state; the handler reads and writes it under `lock`."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    accepted: list[Recorded] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    failing_until: float = 0.0
    failure_during: tuple[str, ...] = ()
    outage_answers: int = 0
    stall_seconds: float = 2.0
    webhook_url: str = "https://comandia.example/webhooks/360dialog/1"
    next_ids: list[str] = field(default_factory=list)
    """Message ids to answer the next Cloud API sends with, in order (then random ones)."""
    media: dict[str, MediaFile] = field(default_factory=dict)
    """Files by media id (Meta, 360dialog) or Twilio media sid, served with each provider's credentials."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, kind: str, times: int = 1) -> None:
        """Answer the next `times` sends with failure `kind` (a key of the tables, or "stall")."""
        with self.lock:
            self.failures.extend([kind] * times)

    def fail_for(self, kind: str | tuple[str, ...], seconds: float) -> None:
        """Answer every send with `kind` for `seconds` from now (an outage); several kinds take
        turns, one send each."""
        with self.lock:
            self.failure_during = (kind,) if isinstance(kind, str) else kind
            self.failing_until, self.outage_answers = time.monotonic() + seconds, 0

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.accepted.clear()
            self.failures.clear()
            self.next_ids.clear()
            self.media.clear()
            self.failing_until, self.stall_seconds = 0.0, 2.0

    def next_failure(self) -> str | None:
        with self.lock:
            if self.failures:
                return self.failures.pop(0)
            if time.monotonic() < self.failing_until:
                self.outage_answers += 1
                return self.failure_during[(self.outage_answers - 1) % len(self.failure_during)]
        return None

    def sent_texts(self, to: str | None = None) -> list[str]:
        """The text of every accepted message (buttons/lists: their body), optionally to one customer."""
        out = []
        for r in self.accepted:
            body = r.body
            if r.provider == "twilio":
                if to is None or body["To"] == f"whatsapp:+{to.lstrip('+')}":
                    out.append(body["Body"] if "Body" in body else f"template:{body['ContentSid']}")
            elif to is None or body["to"] == to:
                out.append(_cloud_text(body))
        return out


def _cloud_text(body: dict[str, Any]) -> str:
    if body["type"] == "template":
        return f"template:{body['template']['name']}"
    return str(body["text"]["body"] if body["type"] == "text" else body["interactive"]["body"]["text"])


_META_SEND = re.compile(r"^/(v[0-9.]+)/([0-9A-Za-z_]+)/messages$")
_META_NUMBER = re.compile(r"^/(v[0-9.]+)/([0-9A-Za-z_]+)$")
_META_SUBSCRIBED = re.compile(r"^/(v[0-9.]+)/([0-9A-Za-z_]+)/subscribed_apps$")
_TWILIO_SEND = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/Messages\.json$")
_TWILIO_ACCOUNT = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)\.json$")
_TWILIO_MEDIA = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/Messages/MM[0-9a-zA-Z]+/Media/(ME[0-9a-zA-Z]+)$")
_D360_MEDIA = re.compile(r"^/([0-9A-Za-z_]+)$")


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            path = url.path
            meta = _META_NUMBER.match(path)
            if meta and meta[2] in state.media:  # Cloud API media lookup: GET /{version}/{media-id}
                self._media_lookup("meta", meta[2], f"{state.url}/media-files/{meta[2]}")
            elif (m := _D360_MEDIA.match(path)) and m[1] in state.media:  # 360dialog: GET /{media-id}
                self._media_lookup(
                    "360dialog",
                    m[1],
                    f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={m[1]}&ext=1750096325&hash=ARfD",
                )
            elif path.startswith("/media-files/"):  # the short-lived URL Meta answered
                self._media_bytes("meta", path.removeprefix("/media-files/"))
            elif path == "/whatsapp_business/attachments/":
                self._media_bytes("360dialog", dict(parse_qsl(url.query)).get("mid", ""))
            elif m := _TWILIO_MEDIA.match(path):
                self._media_bytes("twilio", m[2])
            elif _META_SUBSCRIBED.match(path):
                app = {"whatsapp_business_api_data": {"id": "670843887433847", "name": "COMANDIA"}}
                self._json(200, {"data": [app]})
            elif m := _META_NUMBER.match(path):
                self._json(200, {"display_phone_number": "+1 555-000-1111", "verified_name": "Tienda", "id": m[2]})
            elif path == "/v1/configs/webhook":
                self._json(200, {"url": state.webhook_url})
            elif m := _TWILIO_ACCOUNT.match(path):
                self._json(200, {"sid": m[1], "friendly_name": "COMANDIA test", "status": "active"})
            else:
                self._json(404, {"error": {"message": "Unknown path", "code": 100}})

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if m := _TWILIO_SEND.match(path):
                self._send("twilio", path, dict(parse_qsl(raw.decode())), m[1])
            elif _META_SEND.match(path) or path == "/messages":
                self._send("meta" if path != "/messages" else "360dialog", path, json.loads(raw), None)
            else:
                self._json(404, {"error": {"message": "Unknown path", "code": 100}})

        def _send(self, provider: str, path: str, body: Any, account: str | None) -> None:
            record = Recorded(provider, "POST", path, dict(self.headers.items()), body)
            with state.lock:
                state.requests.append(record)
            if not self._authorised(provider, account):
                return
            failure = state.next_failure()
            if failure == "stall":
                time.sleep(state.stall_seconds)
                self._json(503, {"error": {"message": "Service temporarily unavailable", "code": 2}})
                return
            if failure is not None:
                table = _TWILIO_FAILURES if provider == "twilio" else _META_FAILURES
                status, code, message = table[failure]
                if provider == "twilio":
                    self._json(
                        status,
                        {
                            "code": code,
                            "message": message,
                            "status": status,
                            "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        },
                    )
                else:
                    self._json(
                        status,
                        {
                            "error": {
                                "message": message,
                                "type": "OAuthException",
                                "code": code,
                                "error_data": {"details": message},
                                "fbtrace_id": secrets.token_hex(8),
                            }
                        },
                    )
                return
            if provider == "twilio":
                record.message_id = "SM" + secrets.token_hex(16)
                with state.lock:
                    state.accepted.append(record)
                self._json(
                    201,
                    {
                        "sid": record.message_id,
                        "account_sid": account,
                        "status": "queued",
                        "to": body.get("To"),
                        "from": body.get("From"),
                        "body": body.get("Body"),
                    },
                )
                return
            with state.lock:
                chosen = state.next_ids.pop(0) if state.next_ids else None
            record.message_id = chosen or "wamid.HBgN" + base64.b32encode(secrets.token_bytes(15)).decode()
            with state.lock:
                state.accepted.append(record)
            self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": record.message_id}],
                },
            )

        def _media_lookup(self, provider: str, media_id: str, url: str) -> None:
            with state.lock:
                state.requests.append(Recorded(provider, "GET", self.path, dict(self.headers.items()), None))
            if not self._authorised(provider, None):
                return
            file = state.media[media_id]
            self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": url,
                    "mime_type": file.mime,
                    "sha256": hashlib.sha256(file.body).hexdigest(),
                    "file_size": len(file.body),
                    "id": media_id,
                },
            )

        def _media_bytes(self, provider: str, media_id: str) -> None:
            with state.lock:
                state.requests.append(Recorded(provider, "GET", self.path, dict(self.headers.items()), None))
                file = state.media.get(media_id)
            if not self._authorised(provider, None):
                return
            if file is None or file.status != 200:
                self._json(file.status if file else 404, {"error": {"message": "Media not found", "code": 100}})
                return
            self.send_response(200)
            self.send_header("Content-Type", file.mime)
            if file.chunked:
                self.send_header("Connection", "close")
            else:
                self.send_header("Content-Length", str(file.announce if file.announce is not None else len(file.body)))
            self.end_headers()
            try:
                for start in range(0, len(file.body), file.chunk):
                    self.wfile.write(file.body[start : start + file.chunk])
                    self.wfile.flush()
                    if file.pause:
                        time.sleep(file.pause)
            except OSError:
                pass  # the client gave up (the caps at work)
            self.close_connection = True

        def _authorised(self, provider: str, account: str | None) -> bool:
            header = {"meta": "Authorization", "360dialog": "D360-API-KEY", "twilio": "Authorization"}[provider]
            if self.headers.get(header):
                return True
            if provider == "twilio":
                self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            else:
                self._json(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
            return False

        def _json(self, status: int, data: Any) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up (the stall tests) is expected here


@contextmanager
def serve_stand_in() -> Iterator[StandIn]:
    """Run the stand-in on an ephemeral loopback port (tests, and benchmarks whose replies must go
    somewhere that answers like a provider)."""
    state = StandIn()
    server = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="stand-in-provider", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def stand_in() -> Iterator[StandIn]:
    """The stand-in provider server for the whole session."""
    with serve_stand_in() as state:
        yield state


@pytest.fixture(autouse=True)
def stand_in_reset(request: pytest.FixtureRequest) -> Iterator[None]:
    """Forget what the stand-in recorded and was told, after each test that used it."""
    yield
    if "stand_in" in request.fixturenames:
        request.getfixturevalue("stand_in").reset()

"""Provider webhooks: `/webhooks/meta` (GET handshake, POST), `/webhooks/360dialog/{number_id}`,
`/webhooks/sandbox/{number_id}` and `/webhooks/twilio`.

Public (no bearer token): each POST is authenticated by its provider's signature or secret on
the raw bytes, before anything is parsed or stored. Answers: 200 once every event is stored (or
kept as unroutable); 401 bad signature; 400 malformed body; 413 too large; 503 when a database
could not store the events (the provider retries). The tenant comes from the receiving number,
never from anything the caller chooses (STYLE rule 4).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import falcon

from comandia.server.http.clients import client_address
from comandia.server.http.problems import language_of
from comandia.server.providers.base import PayloadError
from comandia.server.services.messaging.ingest import IngestService
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_, text

MALFORMED = N_("Malformed webhook")
SECRET_HEADER = "X-Comandia-Secret"  # noqa: S105 - a header name, not a secret
"""The header 360dialog (and the sandbox) is configured to send with the number's webhook secret."""


def read_body(req: falcon.Request, max_bytes: int) -> bytes:
    """The raw body, at most `max_bytes` (413 beyond, even without a Content-Length)."""
    body = req.bounded_stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        # The detail has a value, so it is translated here; the error handler translates the title.
        detail = text(language_of(req), "the limit is {limit} bytes", limit=max_bytes)
        raise falcon.HTTPContentTooLarge(title=N_("Request body too large"), description=detail)
    return body


def malformed(req: falcon.Request, error: PayloadError) -> falcon.HTTPBadRequest:
    """The 400 for a body that does not follow the provider's format, its field and problem in the
    caller's language."""
    return falcon.HTTPBadRequest(title=MALFORMED, description=error.localized(language_of(req))[:300])


class MetaWebhook:
    public = True

    def __init__(self, ingest: IngestService, max_bytes: int) -> None:
        self._ingest = ingest
        self._max_bytes = max_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Meta's verification handshake: echo hub.challenge verbatim, as text."""
        challenge = req.get_param("hub.challenge")
        if challenge is None or not self._ingest.verify_subscription(
            req.get_param("hub.mode"), req.get_param("hub.verify_token")
        ):
            raise falcon.HTTPForbidden(title=N_("Forbidden"), description=N_("verification failed"))
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = challenge

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_body(req, self._max_bytes)
        try:
            self._ingest.ingest_meta(body, req.get_header("X-Hub-Signature-256"), client_address(req))
        except PayloadError as error:
            raise malformed(req, error) from None
        _acknowledge(resp)


class SecretHeaderWebhook:
    """360dialog or sandbox: Cloud API payloads POSTed to the number's own URL with its secret."""

    public = True

    def __init__(self, ingest: IngestService, provider: str, max_bytes: int) -> None:
        self._ingest = ingest
        self._provider = provider
        self._max_bytes = max_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, number_id: str) -> None:
        body = read_body(req, self._max_bytes)
        number = int(number_id) if number_id.isdigit() and len(number_id) < 19 else -1
        try:
            self._ingest.ingest_cloud_with_secret(
                self._provider, number, body, req.get_header(SECRET_HEADER), client_address(req)
            )
        except PayloadError as error:
            raise malformed(req, error) from None
        _acknowledge(resp)


class TwilioWebhook:
    """Twilio's form posts; the signature covers the public URL, rebuilt from `public_url` behind a proxy."""

    public = True

    def __init__(self, ingest: IngestService, max_bytes: int, public_url: str | None = None) -> None:
        self._ingest = ingest
        self._max_bytes = max_bytes
        self._public_url = public_url.rstrip("/") if public_url else None

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_body(req, self._max_bytes)
        try:
            form = parse_qsl(
                body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=500
            )
        except (UnicodeDecodeError, ValueError):
            raise falcon.HTTPBadRequest(title=MALFORMED, description=N_("not a form")) from None
        url = f"{self._public_url}{req.relative_uri}" if self._public_url else req.url
        try:
            self._ingest.ingest_twilio(url, form, req.get_header("X-Twilio-Signature"), body, client_address(req))
        except PayloadError as error:
            raise malformed(req, error) from None
        resp.content_type = "text/xml"
        resp.text = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _acknowledge(resp: falcon.Response) -> None:
    resp.status = falcon.HTTP_200
    resp.content_type = falcon.MEDIA_TEXT
    resp.text = "ok"


def add_webhook_routes(
    app: falcon.App[falcon.Request, falcon.Response], ingest: IngestService, max_bytes: int, public_url: str | None
) -> None:
    """Register the webhook routes (called from `routes.add_routes`)."""
    app.add_route("/webhooks/meta", MetaWebhook(ingest, max_bytes))
    app.add_route("/webhooks/360dialog/{number_id}", SecretHeaderWebhook(ingest, ProviderName.DIALOG360, max_bytes))
    app.add_route("/webhooks/sandbox/{number_id}", SecretHeaderWebhook(ingest, ProviderName.SANDBOX, max_bytes))
    app.add_route("/webhooks/twilio", TwilioWebhook(ingest, max_bytes, public_url))

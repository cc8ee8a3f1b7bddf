"""360dialog: the Cloud API body sent to `{base}/messages` with the number's `D360-API-KEY`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from comandia.server.providers import media
from comandia.server.providers.base import (
    PROVIDER_ANSWERED,
    UNREACHABLE_CHECK,
    Check,
    Endpoints,
    OutboundMessage,
    SendResult,
)
from comandia.server.providers.media import Downloaded, MediaLimits
from comandia.server.providers.meta import classify_cloud_error, cloud_api_body, post_json
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_

WEBHOOK_CHECK = N_("webhook")
NO_WEBHOOK = N_("no webhook URL configured at 360dialog")
WEBHOOK_URL = N_("webhook URL {url}")


class Dialog360Provider:
    """One number at 360dialog; errors are Cloud API errors passed through (same retry policy)."""

    name = ProviderName.DIALOG360

    def __init__(self, api_key: str, session: requests.Session, endpoints: Endpoints) -> None:
        self._key = api_key
        self._session = session
        self._endpoints = endpoints

    @property
    def _base(self) -> str:
        return self._endpoints.dialog360_base.rstrip("/")

    def send(self, message: OutboundMessage) -> SendResult:
        return post_json(
            self._session,
            f"{self._base}/messages",
            cloud_api_body(message),
            {"D360-API-KEY": self._key},
            self._endpoints.timeout_seconds,
        )

    def fetch_media(self, ref: str, target: Path, limits: MediaLimits) -> Downloaded:
        """`GET {base}/{media-id}` answers Meta's URL (lookaside.fbsbx.com/whatsapp_business/attachments/…);
        360dialog serves it at the same path and query on its own host, with the number's API key."""
        headers = {"D360-API-KEY": self._key}
        found = media.lookup(self._session, f"{self._base}/{quote(ref, safe='')}", headers, limits)
        meta_url = urlsplit(found["url"])
        url = f"{self._base}{meta_url.path}" + (f"?{meta_url.query}" if meta_url.query else "")
        return media.download(self._session, url, target, limits, headers=headers)

    def check(self) -> tuple[Check, ...]:
        try:
            response = self._session.get(
                f"{self._base}/v1/configs/webhook",
                headers={"D360-API-KEY": self._key},
                timeout=self._endpoints.timeout_seconds,
            )
        except requests.RequestException as error:
            return (Check(WEBHOOK_CHECK, False, UNREACHABLE_CHECK, {"error": error.__class__.__name__}),)
        if response.status_code >= 300:
            return (Check(WEBHOOK_CHECK, False, PROVIDER_ANSWERED, {"answer": classify_cloud_error(response).detail}),)
        url = (response.json() or {}).get("url") if response.content else None
        if not url:
            return (Check(WEBHOOK_CHECK, False, NO_WEBHOOK),)
        return (Check(WEBHOOK_CHECK, True, WEBHOOK_URL, {"url": url}),)

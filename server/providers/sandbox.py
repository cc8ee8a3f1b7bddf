"""The sandbox provider: accepts every message and keeps it in memory (demos and local trials).

A sandbox number receives Cloud API payloads at /webhooks/sandbox/{number_id} with its secret
header, and its replies are readable from `SandboxProvider.sent` instead of reaching WhatsApp.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from comandia.server.providers.base import Check, OutboundMessage, SendResult
from comandia.server.providers.media import Downloaded, MediaFetchError, MediaLimits
from comandia.shared.domain.whatsapp import ProviderName
from comandia.shared.i18n import N_

SANDBOX_KEEPS_NO_MEDIA = N_("a test number keeps no files")
SANDBOX_CHECK = N_("test number")
KEPT_IN_MEMORY = N_("messages are kept in memory, not sent")


class SandboxProvider:
    """Records each message and answers with a generated id; `check` always passes."""

    name = ProviderName.SANDBOX

    def __init__(self) -> None:
        self.sent: list[tuple[str, OutboundMessage]] = []
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> SendResult:
        wamid = "sandbox." + secrets.token_hex(12)
        with self._lock:
            self.sent.append((wamid, message))
            del self.sent[:-1000]  # bounded: a sandbox is for trials, not an archive
        return SendResult(wamid)

    def fetch_media(self, ref: str, target: Path, limits: MediaLimits) -> Downloaded:
        """A sandbox chat has no provider to download from."""
        raise MediaFetchError("permanent", SANDBOX_KEEPS_NO_MEDIA)

    def check(self) -> tuple[Check, ...]:
        return (Check(SANDBOX_CHECK, True, KEPT_IN_MEMORY),)

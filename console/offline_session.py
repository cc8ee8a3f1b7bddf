"""The startup probe's HTTP session: every request fails as an unreachable server would."""

from __future__ import annotations

import requests


class OfflineSession(requests.Session):
    """Nothing leaves the machine; the pages see `ServerUnreachable` and show their banner."""

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        raise requests.ConnectionError("startup probe: offline")

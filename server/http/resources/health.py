"""`/healthz` (the process is up) and `/readyz` (the control database answers)."""

from __future__ import annotations

from collections.abc import Callable

import falcon


class Health:
    public = True  # no token: load balancers and systemd probe these

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class Ready:
    public = True

    def __init__(self, check: Callable[[], bool]) -> None:
        self._check = check

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._check():
            resp.media = {"status": "ready"}
        else:
            resp.status = 503
            resp.media = {"status": "not ready", "detail": "the control database does not answer"}

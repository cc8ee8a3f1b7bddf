"""Who is calling: the client's address, for throttling and for what unauthenticated posts keep."""

from __future__ import annotations

import falcon


def client_address(req: falcon.Request) -> str:
    """The client's address: the TCP peer's."""
    return req.remote_addr or "unknown"

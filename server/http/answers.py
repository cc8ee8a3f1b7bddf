"""How a responder answers that it made something: one shape for every `POST` that creates."""

from __future__ import annotations

import falcon

from comandia.shared.schemas.wire import Wire


def created(resp: falcon.Response, location: str, body: Wire) -> None:
    """201 Created with `body` as JSON and `location`, the URL the new thing is read from."""
    resp.status = falcon.HTTP_201
    resp.location = location
    resp.media = body.to_json()

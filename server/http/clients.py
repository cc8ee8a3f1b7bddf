"""Who is calling: the client's address, for throttling and for what unauthenticated posts keep.

The address is the TCP peer's. Behind the supported reverse proxy (nginx, see
installer/nginx/comandia.conf.template) the peer is the proxy, and `X-Forwarded-For` names the
client, but only a peer listed in `trusted_proxies` (`COMANDIA_TRUSTED_PROXIES`) is believed:
from anyone else the header is the caller's own claim, and honouring it would let one caller
pose as any number of addresses and escape every per-address limit. The header is read from the
right: the first address that is not itself a trusted proxy is the client (what a client writes
into the header lands on its left, so it cannot choose what is taken).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

import falcon

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddress:
    """Middleware: resolves `req.context.client_address` once per request."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: tuple[_Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in trusted_proxies)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.client_address = self.resolve(req.remote_addr, req.get_header("X-Forwarded-For"))

    def resolve(self, peer: str | None, forwarded_for: str | None) -> str:
        address = peer or "unknown"
        if not self._trusted or not forwarded_for or not self._is_trusted(address):
            return address
        for hop in reversed(forwarded_for.split(",")[-20:]):
            hop = hop.strip()
            if not _parse(hop):
                return address  # a malformed hop: believe nothing past our own proxy
            if not self._is_trusted(hop):
                return hop
            address = hop
        return address

    def _is_trusted(self, address: str) -> bool:
        parsed = _parse(address)
        return parsed is not None and any(parsed in network for network in self._trusted)


def _parse(address: str) -> Any:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def client_address(req: falcon.Request) -> str:
    """The client's address as `ClientAddress` resolved it, else the TCP peer's."""
    resolved = getattr(req.context, "client_address", None)
    if isinstance(resolved, str) and resolved:
        return resolved
    return req.remote_addr or "unknown"

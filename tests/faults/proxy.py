"""A TCP proxy on loopback whose faults a test switches on and off: latency, resets, blackhole.

`FaultyProxy` forwards every connection accepted on 127.0.0.1 to one upstream (a TCP address or a
Unix socket, as the embedded PostgreSQL has), on an asyncio loop in a thread of its own. Faults:

- `delay`: every chunk the upstream sends back is held this long, so each round trip costs
  `delay` more (toxiproxy's "latency" toxic, downstream).
- `reset_fraction`: that share of new connections is reset (RST, not FIN) as they are accepted;
  `reset_open(fraction)` resets that share of the open ones at once. The choice is a counter,
  not a die, so 0.1 resets exactly every tenth connection and a run is repeatable.
- `blackhole`: bytes are still accepted (so TCP acknowledges them) but nothing is forwarded either
  way; what arrived meanwhile is delivered once the blackhole ends, as TCP retransmission does
  when a partitioned network heals.

`tc netem` is not available in this kernel, nor toxiproxy on this machine (RELIABILITY "Traps").
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Upstream = tuple[str, int] | Path
"""(host, port) of a TCP server, or the path of a Unix socket."""

_CHUNK = 65536


@dataclass(eq=False)  # kept in a set: compared and hashed by identity
class _Link:
    """One proxied connection: the client's writer and the upstream's, closed together."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


@dataclass
class ProxyStats:
    accepted: int = 0
    reset: int = 0


class FaultyProxy:
    """A loopback TCP proxy to `upstream` with switchable faults; `start()` returns its port."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.stats = ProxyStats()
        self._delay = 0.0
        self._reset_fraction = 0.0
        self._decisions = 0
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()
        self._links: set[_Link] = set()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="faulty-proxy", daemon=True)

    def start(self) -> int:
        """Listen on an ephemeral loopback port and return it."""
        self._thread.start()
        return self._call(self._listen())

    def stop(self) -> None:
        """Close every connection and the listener, and end the loop's thread."""
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def set_delay(self, seconds: float) -> None:
        self._delay = seconds

    def set_reset_fraction(self, fraction: float) -> None:
        """Reset `fraction` of the connections accepted from now on."""
        self._reset_fraction = fraction

    def reset_open(self, fraction: float) -> None:
        """Reset `fraction` of the connections open now."""
        self._call(self._reset_open(fraction))

    def set_blackhole(self, on: bool) -> None:
        self._loop.call_soon_threadsafe(self._flowing.clear if on else self._flowing.set)

    def _call(self, coroutine: Coroutine[Any, Any, int | None]) -> int:
        """Run `coroutine` on the proxy's loop and wait for its result (0 for None)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10) or 0

    async def _listen(self) -> int:
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        links = list(self._links)
        for link in links:
            self._close(link, reset=False)
        # Let every task and transport finish closing, so nothing is left for the garbage collector.
        await asyncio.gather(*(t for link in links for t in link.tasks), return_exceptions=True)
        writers = [w for link in links for w in (link.client, link.upstream) if w is not None]
        await asyncio.gather(*(w.wait_closed() for w in writers), return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _next_is_reset(self, fraction: float) -> bool:
        # Every 1/fraction-th decision says yes: exactly the fraction, in a repeatable order.
        self._decisions += 1
        return int(self._decisions * fraction) > int((self._decisions - 1) * fraction)

    async def _reset_open(self, fraction: float) -> None:
        for link in list(self._links):
            if self._next_is_reset(fraction):
                self._close(link, reset=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.accepted += 1
        link = _Link(writer)
        if self._reset_fraction > 0 and self._next_is_reset(self._reset_fraction):
            self._close(link, reset=True)
            return
        try:
            if isinstance(self.upstream, Path):
                up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)
            else:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            self._close(link, reset=True)
            return
        link.upstream = up_writer
        self._links.add(link)
        link.tasks = [
            asyncio.ensure_future(self._pump(reader, up_writer, link, delayed=False)),
            asyncio.ensure_future(self._pump(up_reader, writer, link, delayed=True)),
        ]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link, delayed: bool
    ) -> None:
        """Copy one direction: read at once (bytes are acknowledged), write when due and flowing."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.ensure_future(self._send(queue, writer))
        try:
            while chunk := await reader.read(_CHUNK):
                queue.put_nowait((time.monotonic() + (self._delay if delayed else 0.0), chunk))
            queue.put_nowait((0.0, b""))  # end of stream, in order behind the data
            await sender
        except (ConnectionError, OSError):
            pass  # the other side is gone: close both below
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            self._close(link, reset=False)

    async def _send(self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter) -> None:
        """Write each chunk once it is due and no blackhole holds it; stop at the end of stream."""
        while True:
            due, chunk = await queue.get()
            await self._flowing.wait()
            if not chunk:
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._flowing.wait()  # a blackhole may have started during the delay
            writer.write(chunk)
            await writer.drain()

    def _close(self, link: _Link, reset: bool) -> None:
        if reset:
            self.stats.reset += 1
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            sock = link.client.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._links.discard(link)
        for writer in (link.client, link.upstream):
            if writer is not None and not writer.is_closing():
                writer.close()
        current = asyncio.current_task()
        for task in link.tasks:
            if task is not current:
                task.cancel()

"""A TCP proxy on its own thread and event loop, to cut or stall one process's listener
connection.

``cut()`` closes every connection through it and refuses new ones (each accepted socket is
closed at once) until ``restore()``: what a partition between one process and the database
looks like to that process.

``stall()`` is a link that stops moving bytes without closing anything: what the client sends
is held, not lost. ``open_new()`` lets new connections through again (those accepted while
stalled are closed: their clients gave up) while the connections open before the stall stay
held; ``release_held()`` then delivers what they held. That is a healed link whose old
connection's retransmissions arrive after a new connection got through.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class _Link:
    client: asyncio.StreamReader
    upstream_port: int  # the proxy's port towards the database: pg_stat_activity.client_port
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0  # bytes the client sent while the link was stalled
    client_gone: bool = False


class Proxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._links: list[_Link] = []
        self._open = True
        self._stalled: list[asyncio.StreamWriter] | None = None  # accepted while stalled
        self.port = 0
        self.accepted = 0
        self._stop: asyncio.Event

    async def _serve(self, ready: threading.Event) -> None:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._stop = asyncio.Event()
        ready.set()
        async with server:
            await self._stop.wait()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if not self._open:
            writer.close()
            return
        if self._stalled is not None:
            self._stalled.append(writer)  # nothing gets through until open_new() closes it
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        link = _Link(reader, up_writer.get_extra_info("sockname")[1])
        link.gate.set()
        self._links.append(link)
        self._writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer, link, True), _pipe(up_reader, writer, link))
        self._writers -= {writer, up_writer}
        self._links.remove(link)

    def _close_all(self) -> None:
        self._open = False
        for writer in list(self._writers):
            writer.close()

    def cut(self) -> None:
        self._loop.call_soon_threadsafe(self._close_all)

    def restore(self) -> None:
        self._open = True

    def stall(self) -> None:
        """Hold every byte of the open connections, both ways, and hold new connections."""

        def stall() -> None:
            self._stalled = []
            for link in self._links:
                link.gate.clear()

        self._call(stall)

    def abandoned_while_holding(self) -> int:
        """Stalled connections their client closed after sending bytes that are still held."""
        return self._call(
            lambda: sum(
                1
                for link in self._links
                if not link.gate.is_set() and link.held and link.client_gone
            )
        )

    def open_new(self) -> None:
        """New connections go through again; those open before the stall stay held."""

        def open_new() -> None:
            stalled, self._stalled = self._stalled or [], None
            for writer in stalled:
                writer.close()

        self._call(open_new)

    def release_held(self) -> list[int]:
        """Deliver what the held connections held; their ports towards the database."""

        def release() -> list[int]:
            held = [link for link in self._links if not link.gate.is_set()]
            for link in held:
                link.gate.set()
            return [link.upstream_port for link in held]

        return self._call(release)

    def _call(self, function: Callable[[], T]) -> T:
        async def run() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(5)

    @contextmanager
    def running(self) -> Iterator[Proxy]:
        ready = threading.Event()
        thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        thread.start()
        future = asyncio.run_coroutine_threadsafe(self._serve(ready), self._loop)
        ready.wait(10)
        try:
            yield self
        finally:
            self._loop.call_soon_threadsafe(self._release_and_close)
            self._loop.call_soon_threadsafe(self._stop.set)
            with contextlib.suppress(Exception):
                future.result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            thread.join(5)

    def _release_and_close(self) -> None:
        for link in self._links:
            link.gate.set()
        for writer in self._stalled or []:
            writer.close()
        self._close_all()


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    link: _Link,
    from_client: bool = False,
) -> None:
    """Forward one direction; while the link's gate is shut, keep reading (so a client that
    closes is seen) but hold what was read, the close included, until it opens."""
    chunks: asyncio.Queue[bytes] = asyncio.Queue()

    async def receive() -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await reader.read(65536):
                if from_client and not link.gate.is_set():
                    link.held += len(data)
                chunks.put_nowait(data)
        if from_client:
            link.client_gone = True
        chunks.put_nowait(b"")

    async def send() -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while True:
                data = await chunks.get()
                await link.gate.wait()
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        writer.close()

    await asyncio.gather(receive(), send())

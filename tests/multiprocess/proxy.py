"""A TCP proxy on its own thread and event loop, to cut one process's listener connection.

``cut()`` closes every connection through it and refuses new ones (each accepted socket is
closed at once) until ``restore()``: what a partition between one process and the database
looks like to that process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Proxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self._open = True
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
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def _close_all(self) -> None:
        self._open = False
        for writer in list(self._writers):
            writer.close()

    def cut(self) -> None:
        self._loop.call_soon_threadsafe(self._close_all)

    def restore(self) -> None:
        self._open = True

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
            self._loop.call_soon_threadsafe(self._close_all)
            self._loop.call_soon_threadsafe(self._stop.set)
            with contextlib.suppress(Exception):
                future.result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            thread.join(5)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()

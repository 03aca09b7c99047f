"""A loopback server that refuses every PostgreSQL session the way a real server does at start.

PostgreSQL answers a startup message it will not serve with an ErrorResponse and closes the
connection (PostgreSQL docs, "Frontend/Backend Protocol", 55.2.1 Start-up): 57P03 while it is
starting up or shutting down, 53300 when there are too many clients. Making the shared server
do that would disturb every other test, so this stands in for it on a port of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

# Protocol 3 codes a client may send before its startup message (55.2.10 SSL, 55.2.11 GSSAPI).
_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104


def error_response(sqlstate: str, message: str) -> bytes:
    """An ErrorResponse message ('E'): severity, code and message fields, then a NUL."""
    fields = b"".join(
        tag + value.encode() + b"\0"
        for tag, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message))
    )
    payload = fields + b"\0"
    return b"E" + struct.pack("!I", len(payload) + 4) + payload


class RefusingServer:
    """Answers every connection's startup with ``answer`` (a FATAL error, as PostgreSQL would),
    or with ``None``: resets the connection (``hang=False``) or never answers (``hang=True``)."""

    def __init__(self, answer: bytes | None, *, hang: bool = False) -> None:
        self.answer = answer
        self.hang = hang
        self.port = 0
        self.startups = 0  # startup messages answered: the app did try to connect
        self._server: asyncio.Server | None = None

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._refuse, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            await self._read_startup(reader, writer)
            self.startups += 1
            if self.answer is None:
                if self.hang:
                    await reader.read()  # until the client gives up and closes
                writer.transport.abort()  # RST: "connection reset by peer"
                return
            writer.write(self.answer)
            await writer.drain()
        writer.close()

    async def _read_startup(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Skip SSL/GSS negotiation ('N': not supported here), then read the startup message."""
        while True:
            length, code = struct.unpack("!II", await reader.readexactly(8))
            if code not in (_SSL_REQUEST, _GSSENC_REQUEST):
                await reader.readexactly(length - 8)
                return
            writer.write(b"N")
            await writer.drain()

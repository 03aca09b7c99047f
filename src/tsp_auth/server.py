"""`tsp-auth serve`: uvicorn behind a proxy, a drain on SIGTERM, and no lost log lines.

uvicorn stops on SIGTERM/SIGINT gracefully (stops accepting, lets in-flight requests finish
for ``TSP_AUTH_SHUTDOWN_GRACE_SECONDS``, runs the lifespan shutdown), then *raises the signal
again* with the handler that was installed before it started. Under Python's default SIGTERM
handler that kills the process (exit 143) before the buffered log lines
(``observability.logs.BatchingStreamHandler``) are written. So the handler in place is ours:
it only notes the signal; we write the last line, flush and return (exit 0).
See docs/operations.md, "Stopping".
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
from types import FrameType

import uvicorn
from fastapi import FastAPI

from tsp_auth.config import Settings
from tsp_auth.observability.logs import flush_logs

log = logging.getLogger("tsp_auth.server")
STOPPED_MESSAGE = "tsp-auth stopped"
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def server_config(app: FastAPI, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        # Only these peers may say who the client is and whether it used https (X-Forwarded-*).
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        freeze_heap()


def freeze_heap() -> None:
    """Keep what start-up built out of the collector's scans (docs/performance.md, "A flat
    tail"). ``cli`` froze the heap before serving; the lifespan then built the engine, its
    pools, the key ring and the caches' structures, which would otherwise sit in the oldest
    generation and be scanned by every full collection, a pause of every request in flight
    (a full collection at start-up took 33-620 ms here). Only what is not frozen yet is
    scanned, so this collection is short."""
    gc.collect()
    gc.freeze()


def serve(app: FastAPI, settings: Settings, *, host: str, port: int) -> None:
    """Serve until a stop signal, drain, and leave with every log line written."""
    config = server_config(app, settings, host=host, port=port)
    received: list[int] = []

    def note(signum: int, _: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in _STOP_SIGNALS}
    try:
        _Server(config).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        names = [signal.Signals(sig).name for sig in received]
        log.info(STOPPED_MESSAGE, extra={"signals": names})
        flush_logs()

"""The worker as a process: what `tsp-auth worker|sweep|cleanup` run, its metrics endpoint,
and `tsp-auth serve --with-worker`, which runs one beside the server (``make run``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from prometheus_client import start_http_server
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.observability.logs import flush_logs, flush_logs_periodically
from tsp_auth.worker.schedule import OUTCOMES, run_forever, run_once

log = logging.getLogger("tsp_auth.worker")

# How long `serve --with-worker` waits for its worker to finish a round after SIGTERM.
STOP_TIMEOUT_SECONDS = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
TOTALS = ("passes", "expired", "reminded", *OUTCOMES, "cleaned")


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    once: bool = False
    interval: float = 5.0
    sweep_every: float = 60.0
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"


async def run_command(settings: Settings, options: WorkerOptions) -> str:
    """What `tsp-auth worker` runs: own engine, own HTTP client, own metrics endpoint."""
    from tsp_auth.webhooks.delivery import http_client

    async with _sessionmaker(settings) as sessionmaker, http_client(settings) as http:
        if options.once:
            return (await run_once(sessionmaker, settings, http)).summary()
        with _metrics_endpoint(options) as metrics_url:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for name in ("SIGINT", "SIGTERM"):
                loop.add_signal_handler(getattr(signal, name), stop.set)
            flusher = asyncio.create_task(flush_logs_periodically())
            _log_start(settings, options, metrics_url)
            try:
                totals = await run_forever(
                    sessionmaker,
                    settings,
                    http,
                    interval=options.interval,
                    sweep_every=options.sweep_every,
                    stop=stop,
                )
            finally:
                flusher.cancel()
            log.info("worker stopped", extra={key: totals[key] for key in TOTALS})
            flush_logs()
            return ""  # the JSON line above says it


async def run_sweep(settings: Settings) -> str:
    from tsp_auth.sweeps.service import sweep

    async with _sessionmaker(settings) as sessionmaker:
        swept = await sweep(sessionmaker)
    return f"sweep: {swept.expired} expired, {swept.reminded} reminders"


async def run_cleanup(settings: Settings) -> str:
    from tsp_auth.cleanup.service import cleanup

    async with _sessionmaker(settings) as sessionmaker:
        return (await cleanup(sessionmaker, settings)).summary()


@contextlib.asynccontextmanager
async def _sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    from tsp_auth.db import create_engine, create_sessionmaker

    engine = create_engine(settings)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@contextlib.contextmanager
def _metrics_endpoint(options: WorkerOptions) -> Iterator[str | None]:
    """prometheus_client's own HTTP server, in a thread: the worker's counters (deliveries,
    grant transitions, cleanup) live in this process, so the server's /metrics cannot show
    them. Port 0 picks a free port; the start line names it."""
    if options.metrics_port is None:
        yield None
        return
    server, thread = start_http_server(options.metrics_port, addr=options.metrics_host)
    try:
        yield f"http://{options.metrics_host}:{server.server_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _log_start(settings: Settings, options: WorkerOptions, metrics_url: str | None) -> None:
    # The database URL may hold a password: only its kind is logged.
    log.info(
        "worker started",
        extra={
            "pid": os.getpid(),
            "database": "sqlite" if settings.is_sqlite else "postgresql",
            "interval_seconds": options.interval,
            "sweep_every_seconds": options.sweep_every,
            "cleanup_every_seconds": settings.cleanup_interval.total_seconds(),
            "metrics_url": metrics_url,
        },
    )
    flush_logs()


class _ServerStopped(Exception):
    """uvicorn, having shut down on a signal, raises that signal again for the handler it
    found at start: ours, which ends the block cleanly instead of dying (SIGTERM's default
    action skips every ``finally``, so the worker would be orphaned) or printing a traceback."""


def _on_stop_signal(signum: int, _frame: object) -> None:
    raise _ServerStopped(signum)


@contextlib.contextmanager
def worker_beside(metrics_port: int | None) -> Iterator[subprocess.Popen[bytes]]:
    """Run `tsp-auth worker` as a child for as long as the block runs (the server's life).

    The child shares the terminal's process group, so Ctrl-C reaches it as it reaches the
    server; on the way out it also gets SIGTERM (the server may have stopped for another
    reason) and is waited for, so no worker outlives ``make run``.
    """
    command = [sys.executable, "-m", "tsp_auth", "worker"]
    if metrics_port is not None:
        command += ["--metrics-port", str(metrics_port)]
    previous = {sig: signal.signal(sig, _on_stop_signal) for sig in STOP_SIGNALS}
    child = subprocess.Popen(command)  # noqa: S603 (our own interpreter and arguments)
    try:
        yield child
    except _ServerStopped:
        pass  # the server drained and stopped as asked: a clean exit
    finally:
        # A second Ctrl-C while the worker finishes its round is not a traceback either.
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        _stop(child)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()

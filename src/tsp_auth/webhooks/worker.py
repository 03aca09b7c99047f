"""`tsp-auth worker`: deliver the outbox, and run the sweep every so often.

Any number of workers may run against one database: claims, expiries and reminders are all
decided by the database (docs/operations.md). ``--once`` sweeps, drains and exits (cron, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.sweeps.service import SweepResult, sweep
from tsp_auth.webhooks.delivery import drain

log = logging.getLogger("tsp_auth.worker")


@dataclass(frozen=True, slots=True)
class WorkerRun:
    sweep: SweepResult
    deliveries: Counter[str]

    def summary(self) -> str:
        sent = ", ".join(f"{k} {v}" for k, v in sorted(self.deliveries.items())) or "none due"
        return (
            f"sweep: {self.sweep.expired} expired, {self.sweep.reminded} reminders; "
            f"deliveries: {sent}"
        )


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    now: datetime | None = None,
) -> WorkerRun:
    swept = await sweep(sessionmaker, now=now)
    delivered = await drain(sessionmaker, settings, http, now=now)
    return WorkerRun(swept, delivered)


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    interval: float,
    sweep_every: float,
    stop: asyncio.Event,
) -> None:
    """Drain every ``interval`` seconds and sweep every ``sweep_every`` seconds until ``stop``.

    A failed round (database down, say) is logged and retried on the next tick: leases make
    an interrupted round safe to repeat.
    """
    loop = asyncio.get_running_loop()
    next_sweep = loop.time()
    while not stop.is_set():
        try:
            if loop.time() >= next_sweep:
                swept = await sweep(sessionmaker)
                next_sweep = loop.time() + sweep_every
                if swept.expired or swept.reminded:
                    log.info("sweep", extra={"expired": swept.expired, "reminded": swept.reminded})
            outcomes = await drain(sessionmaker, settings, http)
            if outcomes:
                log.info("deliveries", extra=dict(outcomes))
        except Exception:
            log.exception("worker round failed; retrying next tick")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def run_command(
    settings: Settings, *, once: bool, sweep_only: bool = False, interval: float, sweep_every: float
) -> str:
    """What `tsp-auth worker` / `tsp-auth sweep` run: own engine, own HTTP client."""
    from tsp_auth.db import create_engine, create_sessionmaker
    from tsp_auth.webhooks.delivery import http_client

    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        if sweep_only:
            swept = await sweep(sessionmaker)
            return f"sweep: {swept.expired} expired, {swept.reminded} reminders"
        async with http_client(settings) as http:
            if once:
                return (await run_once(sessionmaker, settings, http)).summary()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for name in ("SIGINT", "SIGTERM"):
                loop.add_signal_handler(getattr(signal, name), stop.set)
            await run_forever(
                sessionmaker,
                settings,
                http,
                interval=interval,
                sweep_every=sweep_every,
                stop=stop,
            )
            return "worker stopped"
    finally:
        await engine.dispose()

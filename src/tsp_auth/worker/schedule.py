"""`tsp-auth worker`: deliver the outbox, sweep expiries and clean up, on a schedule.

Any number of workers may run against one database: claims, expiries, reminders and deletes
are all decided by the database (docs/operations.md). ``--once`` sweeps, drains and exits
(cron, tests). The worker logs JSON lines like the server: at start, after every pass (with
its counts) and at stop; ``--metrics-port`` serves its Prometheus counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.cleanup.service import cleanup
from tsp_auth.config import Settings
from tsp_auth.sweeps.service import SweepResult, sweep
from tsp_auth.webhooks.delivery import drain

log = logging.getLogger("tsp_auth.worker")

OUTCOMES = ("delivered", "retrying", "failed")


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


class _Schedule:
    """Drain on every tick; a *pass* (every ``sweep_every`` s) also sweeps, and cleans up
    when ``cleanup_every`` s have gone by. Each pass logs what happened since the last one."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        http: httpx.AsyncClient,
        sweep_every: float,
        cleanup_every: float,
    ) -> None:
        self.sessionmaker, self.settings, self.http = sessionmaker, settings, http
        self.sweep_every, self.cleanup_every = sweep_every, cleanup_every
        self.clock = asyncio.get_running_loop().time
        self.next_pass = self.next_cleanup = self.clock()
        self.counts: Counter[str] = Counter()  # since the last pass
        self.cleaned_by_table: dict[str, int] | None = None  # when this pass cleaned up
        self.totals: Counter[str] = Counter()

    async def tick(self) -> None:
        due = self.clock() >= self.next_pass
        if due:
            swept = await sweep(self.sessionmaker)
            self.counts.update(expired=swept.expired, reminded=swept.reminded)
            await self._cleanup_if_due()
        outcomes = await drain(self.sessionmaker, self.settings, self.http)
        if outcomes:
            log.info("deliveries", extra=dict(outcomes))
        self.counts.update(outcomes)
        if due:
            self.next_pass = self.clock() + self.sweep_every
            self._log_pass()

    async def _cleanup_if_due(self) -> None:
        if self.clock() < self.next_cleanup:
            return
        cleaned = await cleanup(self.sessionmaker, self.settings)
        self.next_cleanup = self.clock() + self.cleanup_every
        self.counts["cleaned"] += cleaned.total
        self.cleaned_by_table = cleaned.deleted

    def _log_pass(self) -> None:
        fields: dict[str, object] = {
            key: self.counts[key] for key in ("expired", "reminded", *OUTCOMES, "cleaned")
        }
        if self.cleaned_by_table is not None:
            fields["cleaned_by_table"] = self.cleaned_by_table
        log.info("worker pass", extra=fields)
        self.totals.update(self.counts)
        self.totals["passes"] += 1
        self.counts.clear()
        self.cleaned_by_table = None


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    interval: float,
    sweep_every: float,
    stop: asyncio.Event,
    cleanup_every: float | None = None,
) -> Counter[str]:
    """Drain every ``interval`` seconds, pass every ``sweep_every`` seconds, until ``stop``;
    return the totals. ``cleanup_every`` defaults to ``TSP_AUTH_CLEANUP_INTERVAL``.

    A failed round (database down, say) is logged and retried on the next tick: leases make
    an interrupted round safe to repeat, and each cleanup batch commits on its own.
    """
    every = settings.cleanup_interval.total_seconds() if cleanup_every is None else cleanup_every
    schedule = _Schedule(sessionmaker, settings, http, sweep_every, every)
    while not stop.is_set():
        try:
            await schedule.tick()
        except Exception:
            log.exception("worker round failed; retrying next tick")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
    return schedule.totals
